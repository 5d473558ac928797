"""The reference pages: occupation search and browser, group pages, autocomplete, crosswalk import."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client

from corridor.core.access import Role
from corridor.core.models import AuditEvent
from corridor.reference.models import CrosswalkEntry, NationalClassification

pytestmark = pytest.mark.django_db


def test_occupations_page_browses_major_groups():
    response = Client().get("/reference/occupations/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Armed forces occupations" in html and 'href="/reference/isco/8/"' in html
    assert "<script>" not in html and "style=" not in html


def test_occupations_page_searches():
    html = Client().get("/reference/occupations/", {"q": "cab driver"}).content.decode()
    assert "taxi driver" in html and "also called “cab driver”" in html


def test_occupations_page_htmx_partial():
    response = Client().get(
        "/reference/occupations/",
        {"q": "8322"},
        headers={"HX-Request": "true", "HX-Target": "occupation-results"},
    )
    html = response.content.decode()
    assert "<html" not in html and "Car, taxi and van drivers" in html


def test_isco_group_page():
    html = Client().get("/reference/isco/8322/").content.decode()
    assert "Car, taxi and van drivers" in html
    assert 'href="/reference/isco/832/"' in html and 'href="/reference/isco/8/"' in html  # breadcrumb
    assert "taxi driver" in html and "cab driver" in html
    major = Client().get("/reference/isco/8/").content.decode()
    assert 'href="/reference/isco/83/"' in major
    assert Client().get("/reference/isco/9999/").status_code == 404


def test_autocomplete_partial():
    response = Client().get(
        "/reference/occupations/search/", {"q": "minicab", "target": "id_isco_code", "level": "4"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-fill-target="id_isco_code" data-fill-value="8322"' in html
    assert "taxi driver" in html and "minicab driver" in html
    assert Client().get("/reference/occupations/search/", {"q": ""}).content.decode().strip() == ""
    none = Client().get("/reference/occupations/search/", {"q": "zzzqqq"}).content.decode()
    assert "No occupation matches" in none


def test_autocomplete_ignores_an_unsafe_target():
    html = Client().get("/reference/occupations/search/", {"q": "8322", "target": '"><b>x'}).content.decode()
    assert "data-fill-target" not in html and "<b>x" not in html
    assert 'href="/reference/isco/8322/"' in html


def test_autocomplete_widget_snippet(rf):
    request = rf.get("/")
    html = render_to_string(
        "reference/_occupation_autocomplete.html",
        {"name": "isco_code", "value": "8322", "level": 4, "required": True},
        request=request,
    )
    assert 'id="id_isco_code" name="isco_code" value="8322"' in html
    assert 'hx-get="/reference/occupations/search/?target=id_isco_code&amp;level=4"' in html
    assert 'hx-target="#id_isco_code-results"' in html
    assert 'for="id_isco_code-search"' in html and "required" in html


def test_autocomplete_widget_with_a_bound_field(rf):
    from django import forms

    class OfferForm(forms.Form):
        occupation = forms.CharField(label="Occupation")

    form = OfferForm(data={"occupation": ""})
    form.is_valid()
    html = render_to_string(
        "reference/_occupation_autocomplete.html", {"field": form["occupation"]}, request=rf.get("/")
    )
    assert 'id="id_occupation" name="occupation"' in html
    assert 'aria-invalid="true"' in html and "This field is required." in html


def test_crosswalk_list_page(make_user, web_client):
    assert "No crosswalk" in Client().get("/reference/crosswalks/").content.decode()
    html = web_client(make_user(Role.MINISTRY_ADMIN)).get("/reference/crosswalks/").content.decode()
    assert 'href="/reference/crosswalks/import/"' in html


def test_crosswalk_import_needs_login_and_role(make_user, web_client):
    response = Client().get("/reference/crosswalks/import/")
    assert response.status_code == 302 and "/accounts/" in response["Location"]
    assert web_client(make_user(Role.EMPLOYER)).get("/reference/crosswalks/import/").status_code == 403
    assert (
        web_client(make_user(Role.MINISTRY_OFFICER)).get("/reference/crosswalks/import/").status_code == 403
    )
    assert web_client(make_user(Role.PLATFORM_ADMIN)).get("/reference/crosswalks/import/").status_code == 200


def _check(client, data: bytes, **fields):
    form = {
        "step": "check",
        "classification_code": "NOC2021",
        "name": "National Occupational Classification 2021",
        "country": "CA",
        "version": "2021",
        "file": SimpleUploadedFile("noc.csv", data, content_type="text/csv"),
        **fields,
    }
    return client.post("/reference/crosswalks/import/", form)


def test_crosswalk_import_dry_run_then_commit(make_user, web_client, crosswalk_ok):
    client = web_client(make_user(Role.MINISTRY_ADMIN))
    response = _check(client, crosswalk_ok)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Heavy truck and lorry drivers" in html and "Import NOC2021 now" in html
    assert not NationalClassification.objects.exists()

    payload = re.search(r'name="payload" value="([^"]+)"', html).group(1)
    commit = {
        "step": "commit",
        "classification_code": "NOC2021",
        "name": "National Occupational Classification 2021",
        "country": "CA",
        "version": "2021",
        "payload": payload,
    }
    response = client.post("/reference/crosswalks/import/", commit)
    assert response.status_code == 302 and response["Location"] == "/reference/crosswalks/"
    assert CrosswalkEntry.objects.filter(classification__code="NOC2021").count() == 3
    assert AuditEvent.objects.filter(action="reference.crosswalk_import").count() == 1


def test_crosswalk_import_refuses_a_tampered_payload(make_user, web_client):
    client = web_client(make_user(Role.MINISTRY_ADMIN))
    response = client.post(
        "/reference/crosswalks/import/",
        {"step": "commit", "classification_code": "X", "name": "X", "country": "CA", "payload": "forged"},
    )
    assert response.status_code == 200
    assert "expired or was altered" in response.content.decode()
    assert not NationalClassification.objects.exists()


def test_crosswalk_import_shows_row_errors(make_user, web_client):
    client = web_client(make_user(Role.MINISTRY_ADMIN))
    data = b"national_code,national_title,isco_code\n1,A,8332\n2,B,99\n"
    html = _check(client, data).content.decode()
    assert "Row 3: &#x27;99&#x27; is not an ISCO-08 code." in html
    assert 'name="payload"' not in html  # no commit button
    bad_meta = _check(client, data, country="").content.decode()
    assert "This field is required." in bad_meta
