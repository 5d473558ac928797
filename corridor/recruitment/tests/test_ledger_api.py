"""The cost ledger's JSON API at /api/v1/recruitment-costs: recording with receipts, bad input named (never a 500),
refund actions, SDG 10.7.1 figures, tokens and the immigration firewall."""

import base64
import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from corridor.core.access import Role
from corridor.recruitment import ledger
from corridor.recruitment.models import AgencyLicence, CostEntry, RefundOrder

pytestmark = pytest.mark.django_db

URL = "/api/v1/recruitment-costs"
PDF = b"%PDF-1.4\n% receipt\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def worker(make_worker):
    return make_worker("MX")


def body(**kw):
    data = {"programme": "CA-SAG", "category": "recruitment_fee", "payer": "worker", "amount": "350", "currency": "USD",
            "paid_on": timezone.localdate().isoformat()}
    data.update(kw)
    return data


def fields(response) -> set:
    return {e["field"] for e in response.json()["errors"]}


def test_a_worker_records_a_fee_with_a_receipt_and_sees_the_finding_and_refund(api_client, worker, programme, agency_org):
    client = api_client(worker.user)
    receipt = {"filename": "recibo.pdf", "content_base64": base64.b64encode(PDF).decode()}
    response = client.post(URL, body(agency=agency_org.pk, receipt=receipt, paid_to="Reclutamiento Justo"))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["worker"] == worker.public_id and data["source"] == "worker"
    assert data["violation"] and data["amount_in_violation"] == "350.00"
    assert "principle 7" in data["finding"]
    assert data["refund"]["debtor_agency"]["id"] == agency_org.pk and data["refund"]["status"] == "open"
    assert data["rule_version"] == 1 and data["has_receipt"]
    assert "name_debtor" in data["actions"]  # no employer named yet
    mine = client.get(f"{URL}/mine").json()
    assert mine["count"] == 1 and mine["items"][0]["id"] == data["id"]
    receipt_response = client.get(f"{URL}/{data['id']}/receipt")
    assert receipt_response.status_code == 200
    assert receipt_response["Content-Type"] == "application/pdf"
    assert b"".join(receipt_response.streaming_content) == PDF


def test_missing_amount_and_currency_and_a_fake_receipt_are_named_and_nothing_is_saved(api_client, worker, programme):
    receipt = {"filename": "recibo.pdf", "content_base64": base64.b64encode(b"MZ\x90\x00 an executable").decode()}
    response = api_client(worker.user).post(URL, body(amount=None, currency="", receipt=receipt, paid_on="2999-01-01"))
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert {"amount", "currency", "receipt", "paid_on"} <= fields(response)
    assert not CostEntry.objects.exists()


def test_a_body_that_is_not_json_or_holds_nul_is_a_400(api_client, worker):
    client = api_client(worker.user)
    for raw in ('{"amount": ', '{"amount": "12\\u0000", "currency": "USD"}'):
        response = client.post(URL, raw=raw)
        assert 400 <= response.status_code < 500
        assert response["Content-Type"] == "application/problem+json"
    assert not CostEntry.objects.exists()


@pytest.mark.parametrize(
    "raw, field",
    [
        ('{"amount": "1", "note": "' + "x" * 6000 + '"}', "note"),
        ('{"agency": 99999999999999}', "agency"),
        ('{"receipt": {"content_base64": "%%%"}, "amount": "1", "currency": "USD", "category": "medical", "payer": "worker", "paid_on": "2020-01-01"}', "receipt"),
        ('{"amount": ["1"]}', "amount"),
    ],
)
def test_malformed_bodies_are_4xx_naming_the_field(api_client, worker, raw, field):
    response = api_client(worker.user).post(URL, raw=raw)
    assert 400 <= response.status_code < 500, response.content
    assert any(e["field"].startswith(field) for e in response.json()["errors"]), response.json()


def test_an_agency_outside_its_licence_is_refused_naming_the_programme(api_client, worker, other_programme, licence, agency_user, agency_org, consent_to):
    consent_to(worker, agency_org)
    AgencyLicence.objects.filter(pk=licence.pk).update(valid_from=timezone.localdate() - datetime.timedelta(days=30))
    client = api_client(agency_user)
    response = client.post(URL, body(worker=worker.public_id, programme=other_programme.code))
    assert response.status_code == 422
    assert fields(response) == {"programme"}
    assert "does not cover programme CA-LOW" in response.json()["detail"]
    assert client.post(URL, body(worker=worker.public_id)).status_code == 201


def test_an_agency_cannot_reach_a_worker_without_consent(api_client, worker, programme, licence, agency_user):
    response = api_client(agency_user).post(URL, body(worker=worker.public_id))
    assert response.status_code == 404


def test_an_inspector_records_a_finding_by_worker_identifier(api_client, worker, programme, make_user):
    inspector = make_user(Role.LABOUR_INSPECTOR, country="CA")
    client = api_client(inspector)
    response = client.post(URL, body(worker=worker.public_id, category="illegitimate", amount="40"))
    assert response.status_code == 201, response.content
    assert response.json()["source"] == "inspector"
    assert client.post(URL, body(worker="NOPE")).status_code == 404


def test_refund_actions_through_the_api(api_client, worker, programme, agency_org, licence, mx_officer, make_user):
    entry = ledger.cost_record(actor=worker.user, worker=worker, programme=programme, category="recruitment_fee", payer="worker",
                               amount="350", currency="USD", paid_on=timezone.localdate(), agency=agency_org)
    order = entry.refund
    officer = api_client(mx_officer)
    listing = officer.get(f"{URL}/refunds", status="open").json()
    assert [o["id"] for o in listing["items"]] == [order.pk]
    assert officer.get(f"{URL}/refunds", overdue=True).json()["count"] == 0
    early = officer.post(f"{URL}/refunds/{order.pk}/draw", {"exchange_rate": "17"})
    assert early.status_code == 409 and fields(early) == {"due_on"}
    RefundOrder.objects.filter(pk=order.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    AgencyLicence.objects.filter(pk=licence.pk).update(deposit_balance=Decimal("1000"))
    drawn = officer.post(f"{URL}/refunds/{order.pk}/draw", {"exchange_rate": "17"})
    assert drawn.status_code == 200, drawn.content
    assert drawn.json()["status"] == "open" and drawn.json()["amount_recovered"] == "58.82"
    licence.refresh_from_db()
    assert licence.deposit_balance == 0
    paid = officer.post(f"{URL}/refunds/{order.pk}/paid", {"paid_on": timezone.localdate().isoformat(), "evidence": "Transfer 7781"})
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    again = officer.post(f"{URL}/refunds/{order.pk}/paid", {"paid_on": timezone.localdate().isoformat(), "evidence": "x"})
    assert again.status_code == 409
    stranger = make_user(Role.ORIGIN_OFFICER, country="JM")
    assert api_client(stranger).get(f"{URL}/refunds/{order.pk}").status_code == 404


def test_naming_the_debtor_later_creates_the_refund_order(api_client, worker, programme, agency_org, mx_officer):
    client = api_client(worker.user)
    created = client.post(URL, body()).json()
    assert created["violation"] and created["refund"] is None
    assert api_client(mx_officer).get(URL, refund="none").json()["count"] == 1
    named = client.post(f"{URL}/{created['id']}/debtor", {"agency": agency_org.pk})
    assert named.status_code == 200
    assert named.json()["refund"]["debtor_agency"]["name"] == agency_org.name


def test_by_agency_and_filters(api_client, worker, programme, agency_org, mx_officer):
    ledger.cost_record(actor=worker.user, worker=worker, programme=programme, category="medical", payer="family",
                       amount="20", currency="USD", paid_on=timezone.localdate(), agency=agency_org)
    officer = api_client(mx_officer)
    lines = officer.get(f"{URL}/by-agency").json()
    assert lines[0]["agency_id"] == agency_org.pk and lines[0]["in_violation"] == [{"currency": "USD", "amount": "20.00"}]
    assert officer.get(URL, violation=True, payer="family").json()["count"] == 1
    assert officer.get(URL, violation=False).json()["count"] == 0
    bad = officer.get(URL, source="rumour")
    assert bad.status_code == 422 and fields(bad) == {"source"}


def test_earnings_and_the_sdg_figures(api_client, worker, programme, agency_org, make_user):
    ledger.cost_record(actor=worker.user, worker=worker, programme=programme, category="recruitment_fee", payer="worker",
                       amount="1300", currency="USD", paid_on=timezone.localdate(), agency=agency_org)
    month = timezone.localdate().replace(day=1).isoformat()
    response = api_client(worker.user).post(f"{URL}/earnings", {"programme": "CA-SAG", "amount": "2600", "currency": "CAD",
                                                                  "month": month, "rates": {"USD": "1.35"}})
    assert response.status_code == 201, response.content
    assert response.json()["rates"] == {"USD": "1.350000"} or response.json()["rates"] == {"USD": "1.35"}
    ministry = api_client(make_user(Role.MINISTRY_OFFICER, country="CA"))
    figures = ministry.get(f"{URL}/sdg-10-7-1", programme="CA-SAG", year=timezone.localdate().year).json()
    assert figures["workers"] == 1 and figures["mean"] == "0.68" and figures["rows"][0]["worker"] == worker.public_id
    researcher = api_client(make_user(Role.RESEARCHER))
    aggregate = researcher.get(f"{URL}/sdg-10-7-1", programme="CA-SAG", year=timezone.localdate().year).json()
    assert aggregate["rows"] is None and aggregate["suppressed"] and aggregate["mean"] is None
    assert researcher.get(URL).json()["count"] == 0  # no rows of the ledger either
    bad = ministry.get(f"{URL}/sdg-10-7-1", programme="NOPE", year=2027)
    assert bad.status_code == 422 and fields(bad) == {"programme"}


def test_immigration_is_refused_every_cost_route(api_client, make_user, make_user_with_roles, worker, programme):
    entry = ledger.cost_record(actor=worker.user, worker=worker, programme=programme, category="medical", payer="worker",
                               amount="20", currency="USD", paid_on=timezone.localdate())
    for user in (make_user(Role.IMMIGRATION_OFFICER), make_user_with_roles(Role.IMMIGRATION_OFFICER, Role.LABOUR_INSPECTOR)):
        client = api_client(user)
        for path in ("", "/mine", "/by-agency", "/refunds", f"/{entry.pk}", f"/{entry.pk}/receipt", "/sdg-10-7-1?programme=CA-SAG&year=2027"):
            assert client.get(URL + path).status_code == 403, path
        assert client.post(URL, body(worker=worker.public_id)).status_code == 403
        assert client.post(f"{URL}/{entry.pk}/debtor", {"agency": 1}).status_code == 403


def test_tokens_need_the_costs_scope(api_client, make_user, worker, programme):
    from corridor.accounts import services as account_services

    inspector = make_user(Role.LABOUR_INSPECTOR, country="CA", org_admin=True)
    _, read_only = account_services.api_token_create(actor=inspector, organisation=inspector.organisation, name="read",
                                                     scopes=["costs:read"])
    client = api_client(token=read_only)
    assert client.get(URL).status_code == 200
    assert client.post(URL, body(worker=worker.public_id)).status_code == 403


def test_anonymous_callers_are_refused(api_client):
    assert api_client().get(URL).status_code == 401
