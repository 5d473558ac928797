"""The reference API at /api/v1/reference."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.core.access import Role
from corridor.core.models import AuditEvent
from corridor.reference.models import CrosswalkEntry, NationalClassification

pytestmark = pytest.mark.django_db

BASE = "/api/v1/reference"


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def test_code_lists_are_public(api_client):
    api = api_client()
    countries = api.get(f"{BASE}/countries").json()
    assert {"code": "PH", "name": "Philippines"} in countries and len(countries) == 249
    assert {"code": "fr", "name": "French"} in api.get(f"{BASE}/languages").json()
    assert {"code": "EUR", "name": "Euro"} in api.get(f"{BASE}/currencies").json()
    sectors = api.get(f"{BASE}/sectors").json()
    assert len(sectors) == 21 and sectors[0] == {"code": "A", "name": "Agriculture, forestry and fishing"}


def test_isco_list_is_paginated_and_filtered(api_client):
    api = api_client()
    page = api.get(f"{BASE}/isco").json()
    assert page["count"] == 619 and len(page["items"]) == 50
    assert page["items"][0] == {
        "code": "0",
        "level": 1,
        "title": "Armed forces occupations",
        "parent": None,
        "uri": "http://data.europa.eu/esco/isco/C0",
    }
    second = api.get(f"{BASE}/isco", page=2, page_size=10).json()
    assert len(second["items"]) == 10 and second["items"][0]["code"] != page["items"][0]["code"]
    majors = api.get(f"{BASE}/isco", level=1).json()
    assert majors["count"] == 10
    children = api.get(f"{BASE}/isco", parent="832").json()
    assert [g["code"] for g in children["items"]] == ["8321", "8322"]
    assert all(g["parent"] == "832" for g in children["items"])


def test_isco_list_rejects_bad_level(api_client):
    body = _problem(api_client().get(f"{BASE}/isco", level=7), 422)
    assert body["errors"][0]["field"] == "level"


def test_isco_detail(api_client):
    body = api_client().get(f"{BASE}/isco/8322").json()
    assert body["title"] == "Car, taxi and van drivers"
    assert body["level_name"] == "Unit group" and body["parent"] == "832"
    assert [a["code"] for a in body["ancestors"]] == ["8", "83", "832"]
    assert body["children"] == []
    taxi = next(o for o in body["esco_occupations"] if o["title"] == "taxi driver")
    assert "cab driver" in taxi["alt_labels"]
    major = api_client().get(f"{BASE}/isco/8").json()
    assert [c["code"] for c in major["children"]] == ["81", "82", "83"]
    assert major["esco_occupations"] == []


def test_isco_detail_unknown_code_is_a_404_problem(api_client):
    body = _problem(api_client().get(f"{BASE}/isco/9999"), 404)
    assert "9999" in body["detail"] and body["instance"] == f"{BASE}/isco/9999"


def test_occupation_search(api_client):
    results = api_client().get(f"{BASE}/occupations", q="8322", limit=3).json()
    assert len(results) == 3
    assert results[0] | {"rank": 0} == {
        "kind": "isco",
        "code": "8322",
        "title": "Car, taxi and van drivers",
        "level": 4,
        "uri": "http://data.europa.eu/esco/isco/C8322",
        "matched_label": "",
        "group_title": "",
        "rank": 0,
    }
    alt = api_client().get(f"{BASE}/occupations", q="minicab driver").json()[0]
    assert (alt["kind"], alt["title"], alt["matched_label"]) == ("esco", "taxi driver", "minicab driver")
    assert all(r["level"] == 2 for r in api_client().get(f"{BASE}/occupations", q="drivers", level=2).json())


def test_occupation_search_needs_q(api_client):
    body = _problem(api_client().get(f"{BASE}/occupations"), 422)
    assert body["errors"][0]["field"] == "q"
    body = _problem(api_client().get(f"{BASE}/occupations", q="x", limit=1000), 422)
    assert body["errors"][0]["field"] == "limit"


def _upload(api, data: bytes, **fields):
    form = {
        "classification_code": "NOC2021",
        "name": "National Occupational Classification 2021",
        "country": "CA",
        "version": "2021",
        **fields,
        "file": SimpleUploadedFile("noc.csv", data, content_type="text/csv"),
    }
    return api.client.post(f"{BASE}/crosswalks/import", form, headers=api.headers)


def test_import_and_read_crosswalk(api_client, make_user, crosswalk_ok):
    api = api_client(make_user(Role.PLATFORM_ADMIN))
    dry = _upload(api, crosswalk_ok, dry_run="true")
    assert dry.status_code == 200, dry.content
    assert dry.json()["dry_run"] is True and dry.json()["created"] == 3 and dry.json()["committed"] is False
    assert not NationalClassification.objects.exists()

    response = _upload(api, crosswalk_ok)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["committed"] and body["ok"] and body["rows"][0]["action"] == "create"
    assert AuditEvent.objects.get(action="reference.crosswalk_import").via == "api"

    public = api_client()
    assert public.get(f"{BASE}/crosswalks").json() == [
        {
            "code": "NOC2021",
            "name": "National Occupational Classification 2021",
            "country": "CA",
            "version": "2021",
            "entry_count": 3,
        }
    ]
    assert public.get(f"{BASE}/crosswalks/NOC2021/73300").json() == {
        "classification": "NOC2021",
        "national_code": "73300",
        "national_title": "Transport truck drivers",
        "isco_code": "8332",
        "isco_title": "Heavy truck and lorry drivers",
    }
    body = _problem(public.get(f"{BASE}/crosswalks/NOC2021/99999"), 404)
    assert body["errors"][0]["field"] == "national_code"
    body = _problem(public.get(f"{BASE}/crosswalks/NOPE/73300"), 404)
    assert body["errors"][0]["field"] == "classification"


def test_import_row_errors_are_a_422_problem(api_client, make_user):
    api = api_client(make_user(Role.MINISTRY_ADMIN))
    data = b"national_code,national_title,isco_code\n1,A,8332\n1,B,8332\n2,C,99\n"
    for dry_run in ("true", "false"):
        body = _problem(_upload(api, data, dry_run=dry_run), 422)
        assert body["errors"] == [
            {
                "row": 3,
                "field": "national_code",
                "message": "Row 3: the national code '1' is already on row 2.",
            },
            {"row": 4, "field": "isco_code", "message": "Row 4: '99' is not an ISCO-08 code."},
        ]
    assert not CrosswalkEntry.objects.exists()


def test_import_bad_country_and_missing_field(api_client, make_user, crosswalk_ok):
    api = api_client(make_user(Role.MINISTRY_ADMIN))
    body = _problem(_upload(api, crosswalk_ok, country="QQ"), 422)
    assert body["errors"][0]["field"] == "country"
    response = api.client.post(
        f"{BASE}/crosswalks/import",
        {"name": "x", "country": "CA", "file": SimpleUploadedFile("a.csv", crosswalk_ok)},
        headers=api.headers,
    )
    body = _problem(response, 422)
    assert body["errors"][0]["field"] == "classification_code"


def test_import_too_large(api_client, make_user, crosswalk_ok, settings):
    settings.CORRIDOR_MAX_UPLOAD_BYTES = 20
    body = _problem(_upload(api_client(make_user(Role.MINISTRY_ADMIN)), crosswalk_ok), 422)
    assert body["errors"][0]["field"] == "file"


def test_import_needs_an_admin(api_client, make_user, crosswalk_ok):
    _problem(_upload(api_client(), crosswalk_ok), 401)
    _problem(_upload(api_client(make_user(Role.EMPLOYER)), crosswalk_ok), 403)
    _problem(_upload(api_client(make_user(Role.MINISTRY_OFFICER)), crosswalk_ok), 403)
    assert not NationalClassification.objects.exists()


def test_import_with_an_api_token(api_client, make_user, crosswalk_ok):
    from corridor.accounts.services import api_token_create

    admin = make_user(Role.MINISTRY_ADMIN, org_admin=True)
    _token, read_only = api_token_create(
        actor=admin, organisation=admin.organisation, name="reader", scopes=["reference:read"]
    )
    _problem(_upload(api_client(token=read_only), crosswalk_ok), 403)
    _token, writer = api_token_create(
        actor=admin, organisation=admin.organisation, name="ministry system", scopes=["reference:write"]
    )
    response = _upload(api_client(token=writer), crosswalk_ok)
    assert response.status_code == 200, response.content
    event = AuditEvent.objects.get(action="reference.crosswalk_import")
    assert (event.actor, event.via) == (admin, "token")
