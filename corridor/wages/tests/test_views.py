"""The wage pages: the table, the import flow (dry run then confirm), the floor calculator and who may import."""

import datetime
from decimal import Decimal

import pytest

from corridor.core.access import Role
from corridor.core.models import AuditEvent
from corridor.programmes import services as programme_services
from corridor.wages import services
from corridor.wages.models import MinimumWage, PrevailingWage

from .test_imports import MINIMUM, PREVAILING, SOURCE


@pytest.fixture
def admin(make_user):
    return make_user(Role.MINISTRY_ADMIN)


def _upload(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"step": "check", **SOURCE, "file": SimpleUploadedFile("w.csv", data, content_type="text/csv")}


def test_table_renders_for_everyone(web_client, admin):
    services.prevailing_wage_import(actor=admin, data=PREVAILING, dry_run=False, **SOURCE)
    response = web_client().get("/wages/", {"country": "CA", "isco": "92"})
    assert response.status_code == 200
    assert b"9211" in response.content and b"Job Bank wage data" in response.content
    assert b"Import prevailing wages" not in response.content
    assert b"Import prevailing wages" in web_client(admin).get("/wages/").content


def test_prevailing_import_flow(web_client, admin):
    client = web_client(admin)
    assert client.get("/wages/prevailing/import/").status_code == 200
    response = client.post("/wages/prevailing/import/", _upload(PREVAILING))
    assert response.status_code == 200
    assert response.context["report"].created == 2 and response.context["commit_form"] is not None
    assert not PrevailingWage.objects.exists()
    commit = {"step": "commit", **{k: v for k, v in response.context["commit_form"].initial.items() if v is not None}}
    response = client.post("/wages/prevailing/import/", commit)
    assert response.status_code == 302 and response["Location"] == "/wages/"
    assert PrevailingWage.objects.count() == 2
    assert AuditEvent.objects.filter(action="wages.prevailing_import").count() == 1


def test_minimum_import_shows_row_errors_and_refuses_a_tampered_payload(web_client, admin):
    client = web_client(admin)
    response = client.post("/wages/minimum/import/", _upload(MINIMUM + b"CA,,,2026-01-01,,abc,CAD,hour\n"))
    assert response.status_code == 200
    assert response.context["commit_form"] is None
    assert b"Row 4, column amount" in response.content
    response = client.post("/wages/minimum/import/", {"step": "commit", **SOURCE, "payload": "forged"})
    assert response.status_code == 200 and response.context["page_errors"]
    assert not MinimumWage.objects.exists()


@pytest.mark.parametrize("role", [Role.MINISTRY_OFFICER, Role.EMPLOYER, Role.WORKER])
def test_import_pages_need_an_administrator(web_client, make_user, role):
    client = web_client(make_user(role))
    assert client.get("/wages/prevailing/import/").status_code == 403
    assert client.post("/wages/minimum/import/", _upload(MINIMUM)).status_code == 403
    assert web_client().get("/wages/minimum/import/").status_code == 302  # to the sign-in page


def test_floor_calculator(web_client, admin):
    services.prevailing_wage_import(actor=admin, data=PREVAILING, dry_run=False, **SOURCE)
    programme_services.programme_create(
        actor=admin, code="CA-PAGE", name="Page", institutional_design="bilateral", category="seasonal",
        destination_country="CA", rules_effective_from=datetime.date(2026, 1, 1),
    )
    client = web_client(admin)
    assert client.get("/wages/floor/").status_code == 200
    query = {"programme": "CA-PAGE", "country": "CA", "region": "Ontario", "isco": "9211", "date": "2026-06-01"}
    response = client.get("/wages/floor/", {**query, "offer_amount": "14.00", "offer_currency": "CAD", "offer_unit": "hour"})
    assert response.status_code == 200
    assert response.context["result"].floor_amount == Decimal("16.65")
    assert "The wage 14.00 CAD/hour is below the floor of 16.65 CAD/hour" in response.content.decode()
    response = client.get("/wages/floor/", {**query, "offer_amount": "14.00", "offer_currency": "USD"})
    assert "currencies are not converted" in response.content.decode()
    response = client.get("/wages/floor/", {**query, "programme": "NOPE"})
    assert response.status_code == 200 and response.context["form"].errors["programme"]
    response = client.get("/wages/floor/", {**query, "country": "DE"})
    assert response.context["result"] is None and response.context["form"].errors
