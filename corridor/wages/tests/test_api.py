"""The wages API: lists with filters, imports (multipart), the floor, and problem documents."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.core.access import Role
from corridor.programmes import services as programme_services
from corridor.wages import services

from .test_imports import MINIMUM, PREVAILING, SOURCE


@pytest.fixture
def admin(make_user):
    return make_user(Role.MINISTRY_ADMIN)


@pytest.fixture
def figures(admin):
    services.prevailing_wage_import(actor=admin, data=PREVAILING, dry_run=False, **SOURCE)
    services.minimum_wage_import(actor=admin, data=MINIMUM, dry_run=False, **SOURCE)


@pytest.fixture
def programme(admin):
    return programme_services.programme_create(
        actor=admin, code="CA-WAGE", name="Wages", institutional_design="bilateral", category="seasonal",
        destination_country="CA", rules_effective_from=datetime.date(2026, 1, 1),
    )


def test_lists_are_public_and_filtered(api_client, figures):
    client = api_client()
    body = client.get("wages/prevailing").json()
    assert body["count"] == 2
    body = client.get("wages/prevailing", isco="921", region="ontario").json()
    assert [i["isco_code"] for i in body["items"]] == ["9211"]
    assert body["items"][0]["source"]["publisher"] == "ESDC"
    assert client.get("wages/prevailing", year=2025).json()["count"] == 0
    assert client.get("wages/minimum", sector="A").json()["count"] == 1
    assert client.get("wages/minimum", date="2025-11-01").json()["count"] == 1
    response = client.get("wages/prevailing", isco="92x")
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "isco"


def test_floor_with_explanation_and_sources(api_client, admin, figures, programme):
    client = api_client(admin)
    response = client.get("wages/floor", programme="ca-wage", country="CA", region="Ontario", isco="9211", date="2026-06-01")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["floor_amount"], body["currency"], body["unit"]) == ("17.60", "CAD", "hour")
    assert body["basis_used"] == "minimum"
    assert "higher of" in body["explanation"] and "ISCO 9211 in Ontario" in body["explanation"]
    assert body["sources"] == ["Job Bank wage data, ESDC"]
    monthly = client.get("wages/floor", programme="CA-WAGE", country="CA", isco="9212", date="2026-06-01", unit="month").json()
    assert monthly["unit"] == "month" and monthly["basis_used"] == "prevailing"


def test_floor_problems(api_client, admin, figures, programme):
    client = api_client(admin)
    response = client.get("wages/floor", programme="NOPE", country="CA", isco="9211")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    response = client.get("wages/floor", programme="CA-WAGE", country="XX", isco="92a1", sector="Z")
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"country", "isco", "sector"}
    response = client.get("wages/floor", programme="CA-WAGE", country="CA", isco="9211", date="2020-01-01")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "date"
    response = client.get("wages/floor", programme="CA-WAGE", country="DE", isco="9211", date="2026-06-01")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "isco"
    response = client.get("wages/floor", country="CA")
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} >= {"programme", "isco"}


def _upload(client, path, data, **fields):
    payload = {"file": SimpleUploadedFile("wages.csv", data, content_type="text/csv"), **SOURCE, **fields}
    return client.client.post(f"/api/v1/wages/{path}", payload, headers=client.headers)


def test_import_through_the_api(api_client, admin):
    client = api_client(admin)
    response = _upload(client, "prevailing/import", PREVAILING, dry_run="true")
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 2 and not response.json()["committed"]
    response = _upload(client, "minimum/import", MINIMUM)
    assert response.status_code == 200 and response.json()["committed"]
    response = _upload(client, "prevailing/import", PREVAILING + b"CA,,9999,2026,1,CAD,hour\n", dry_run="true")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"row": 5, "field": "isco_code", "message": "Row 5, column isco_code: '9999' is not an ISCO-08 code."}
    ]


def test_import_size_limit_and_roles(api_client, admin, make_user, settings):
    settings.CORRIDOR_MAX_UPLOAD_BYTES = 10
    response = _upload(api_client(admin), "prevailing/import", PREVAILING)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"
    settings.CORRIDOR_MAX_UPLOAD_BYTES = 1_000_000
    response = _upload(api_client(make_user(Role.EMPLOYER)), "prevailing/import", PREVAILING)
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    response = _upload(api_client(), "minimum/import", MINIMUM)
    assert response.status_code == 401
