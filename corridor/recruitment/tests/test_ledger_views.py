"""The ledger's pages under /costs/: the worker's "What I paid" on a phone with a receipt photo and plain-language
findings, the officials' ledger with filters and refund actions, receipts served only to those allowed, the SDG
page, and the firewall."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from corridor.core.access import Role
from corridor.recruitment import ledger
from corridor.recruitment.models import AgencyLicence, CostEntry, RefundOrder

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def worker(make_worker):
    return make_worker("MX")


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def pay(worker, programme, **kw):
    data = {"category": "recruitment_fee", "payer": "worker", "amount": "350", "currency": "USD", "paid_on": timezone.localdate()}
    data.update(kw)
    return ledger.cost_record(actor=worker.user, worker=worker, programme=programme, **data)


def test_the_worker_adds_a_payment_with_a_receipt_photo_and_reads_the_finding_in_plain_words(web_client, worker, programme, agency_org):
    client = web_client(worker.user)
    form = client.get("/costs/mine/add/")
    assert form.status_code == 200
    page = text(form)
    assert 'name="receipt"' in page and 'accept="image/jpeg,image/png,application/pdf"' in page
    assert "<fieldset" in page and "<legend>" in page
    response = client.post("/costs/mine/add/", {
        "category": "recruitment_fee", "payer": "worker", "amount": "350", "currency": "usd",
        "paid_on": timezone.localdate().isoformat(), "programme": "CA-SAG", "agency": str(agency_org.pk),
        "receipt": SimpleUploadedFile("photo.jpg", JPEG, content_type="image/jpeg"),
    })
    assert response.status_code == 302 and response["Location"] == "/costs/mine/"
    entry = CostEntry.objects.get()
    assert entry.receipt_type == "image/jpeg" and entry.currency == "USD"
    mine = text(client.get("/costs/mine/"))
    due = entry.refund.due_on
    expected = f"This should not have cost you anything: {agency_org.name} must refund 350 USD by {due.day} {due.strftime('%B')} {due.year}."
    assert expected in mine
    assert "One refund is owed to you." in mine
    detail = client.get(f"/costs/{entry.pk}/")
    assert detail.status_code == 200 and f"/costs/{entry.pk}/receipt/" in text(detail)
    receipt = client.get(f"/costs/{entry.pk}/receipt/")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "image/jpeg"
    assert b"".join(receipt.streaming_content) == JPEG


def test_a_bad_payment_comes_back_with_every_problem_and_nothing_is_saved(web_client, worker):
    response = web_client(worker.user).post("/costs/mine/add/", {
        "category": "recruitment_fee", "payer": "worker", "amount": "", "currency": "",
        "paid_on": "2999-01-01", "receipt": SimpleUploadedFile("photo.jpg", b"GIF89a not allowed", content_type="image/jpeg"),
    })
    assert response.status_code == 422
    page = text(response)
    assert 'class="error-summary"' in page
    for message in ("give the amount paid", "give the currency", "Cannot be in the future", "PDF, a JPEG photo or a PNG"):
        assert message in page
    assert 'aria-invalid="true"' in page
    assert not CostEntry.objects.exists()


def test_a_worker_who_named_nobody_names_the_agency_later(web_client, worker, programme, agency_org):
    entry = pay(worker, programme)
    client = web_client(worker.user)
    assert "Tell us who you paid" in text(client.get("/costs/mine/"))
    response = client.post(f"/costs/{entry.pk}/debtor/", {"agency": str(agency_org.pk)})
    assert response.status_code == 302
    assert RefundOrder.objects.get(cost=entry).debtor_agency == agency_org


def test_employer_paid_costs_read_as_transparency(web_client, worker, programme, employer):
    ledger.cost_record(actor=worker.user, worker=worker, programme=programme, category="travel", payer="employer",
                       amount="780", currency="CAD", paid_on=timezone.localdate(), employer=employer)
    assert "Paid by the employer, not by you." in text(web_client(worker.user).get("/costs/mine/"))


def test_the_origin_authority_filters_the_ledger_records_a_refund_and_draws_the_deposit(web_client, worker, programme, agency_org, licence, mx_officer):
    paid = pay(worker, programme, agency=agency_org)
    drawn = pay(worker, programme, agency=agency_org, category="medical", amount="2000", currency="MXN")
    client = web_client(mx_officer)
    listing = text(client.get("/costs/ledger/", {"violation": "1", "programme": "CA-SAG"}))
    assert listing.count(f"/costs/{paid.pk}/") == 1 and f"/costs/{drawn.pk}/" in listing
    assert client.get("/costs/ledger/", {"source": "rumour"}).status_code == 200  # shown as an error, not a crash
    response = client.post(f"/costs/refunds/{paid.refund.pk}/paid/", {"paid_on": timezone.localdate().isoformat(), "evidence": ""})
    assert response.status_code == 422 and "This field is required." in text(response)
    response = client.post(f"/costs/refunds/{paid.refund.pk}/paid/", {"paid_on": timezone.localdate().isoformat(), "evidence": "Transfer 7781"})
    assert response.status_code == 302
    paid.refund.refresh_from_db()
    assert paid.refund.status == "paid"
    early = client.post(f"/costs/refunds/{drawn.refund.pk}/draw/", {})
    assert early.status_code == 422 and "can be drawn only after" in text(early)
    RefundOrder.objects.filter(pk=drawn.refund.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=1))
    overdue = text(client.get("/costs/refunds/", {"overdue": "1"}))
    assert "Draw from the deposit" in overdue
    assert "Draw the refund from the agency" in text(client.get(f"/costs/{drawn.pk}/"))
    response = client.post(f"/costs/refunds/{drawn.refund.pk}/draw/", {})
    assert response.status_code == 302
    drawn.refund.refresh_from_db()
    assert drawn.refund.status == "drawn"
    licence.refresh_from_db()
    assert licence.deposit_balance == AgencyLicence.objects.get(pk=licence.pk).deposit_amount - 2000
    assert agency_org.name in text(client.get("/costs/agencies/"))


def test_receipts_are_served_only_to_those_who_may_see_the_entry(web_client, worker, make_worker, programme, make_user, jm_officer):
    entry = pay(worker, programme, receipt=SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF\n"))
    assert web_client(make_worker("MX").user).get(f"/costs/{entry.pk}/receipt/").status_code == 404
    assert web_client(jm_officer).get(f"/costs/{entry.pk}/receipt/").status_code == 404
    assert web_client(make_user(Role.IMMIGRATION_OFFICER)).get(f"/costs/{entry.pk}/receipt/").status_code == 403
    assert web_client().get(f"/costs/{entry.pk}/receipt/").status_code == 302  # to sign in
    response = web_client(worker.user).get(f"/costs/{entry.pk}/receipt/")
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"


def test_an_agency_records_through_its_page_and_is_refused_outside_its_licence(web_client, worker, programme, other_programme, licence, agency_user, agency_org, consent_to):
    consent_to(worker, agency_org)
    AgencyLicence.objects.filter(pk=licence.pk).update(valid_from=timezone.localdate() - datetime.timedelta(days=30))
    client = web_client(agency_user)
    data = {"worker": worker.public_id, "category": "medical", "payer": "worker", "amount": "900", "currency": "MXN",
            "paid_on": timezone.localdate().isoformat(), "programme": other_programme.code}
    refused = client.post("/costs/record/", data)
    assert refused.status_code == 422 and "does not cover programme CA-LOW" in text(refused)
    assert not CostEntry.objects.exists()
    accepted = client.post("/costs/record/", {**data, "programme": programme.code})
    assert accepted.status_code == 302
    assert CostEntry.objects.get().source == "agency"


def test_an_inspector_records_a_finding_and_first_earnings(web_client, worker, programme, make_user):
    client = web_client(make_user(Role.LABOUR_INSPECTOR, country="CA"))
    response = client.post("/costs/record/", {"worker": worker.public_id, "category": "illegitimate", "payer": "family",
                                              "amount": "60", "currency": "USD", "paid_on": timezone.localdate().isoformat(),
                                              "programme": "CA-SAG"})
    assert response.status_code == 302
    response = client.post("/costs/earnings/", {"worker": worker.public_id, "programme": "CA-SAG", "month": timezone.localdate().isoformat(),
                                                "amount": "2600", "currency": "CAD", "rates": "USD=1.37"})
    assert response.status_code == 302, text(response)[:3000]
    bad = client.post("/costs/earnings/", {"worker": worker.public_id, "programme": "CA-SAG", "month": "", "amount": "-1",
                                           "currency": "CAD", "rates": "USD"})
    assert bad.status_code == 422 and "CODE=rate" in text(bad)


def test_the_worker_records_their_first_pay_on_a_phone(web_client, worker, programme):
    client = web_client(worker.user)
    assert 'name="worker"' not in text(client.get("/costs/earnings/"))
    response = client.post("/costs/earnings/", {"programme": "CA-SAG", "month": timezone.localdate().isoformat(), "amount": "2600", "currency": "CAD"})
    assert response.status_code == 302
    assert "2600.00 CAD" in text(client.get("/costs/mine/"))


def test_the_sdg_page_shows_aggregates(web_client, worker, programme, agency_org, make_user):
    pay(worker, programme, agency=agency_org, amount="1300")
    ledger.earnings_record(actor=worker.user, worker=worker, programme=programme, amount="2600", currency="CAD",
                           month=timezone.localdate(), rates={"USD": "1.35"})
    year = timezone.localdate().year
    ministry = text(web_client(make_user(Role.MINISTRY_OFFICER, country="CA")).get("/costs/sdg-10-7-1/", {"programme": "CA-SAG", "year": year}))
    assert "0.68" in ministry and worker.public_id in ministry
    researcher = web_client(make_user(Role.RESEARCHER))
    page = text(researcher.get("/costs/sdg-10-7-1/", {"programme": "CA-SAG", "year": year}))
    assert "withheld" in page and worker.public_id not in page
    assert researcher.get("/costs/ledger/").status_code == 403
    assert web_client(worker.user).get("/costs/sdg-10-7-1/").status_code == 403


def test_pages_send_people_where_they_belong(web_client, worker, make_user):
    assert web_client(worker.user).get("/costs/")["Location"] == "/costs/mine/"
    assert web_client(worker.user).get("/costs/ledger/")["Location"] == "/costs/mine/"
    assert web_client(worker.user).get("/costs/record/")["Location"] == "/costs/mine/add/"
    officer = web_client(make_user(Role.ORIGIN_OFFICER, country="MX"))
    assert officer.get("/costs/")["Location"] == "/costs/ledger/"
    assert officer.get("/costs/mine/").status_code == 404
    assert officer.get("/costs/record/").status_code == 403
    assert web_client().get("/costs/mine/").status_code == 302


def test_immigration_gets_403_on_every_ledger_page(web_client, make_user, make_user_with_roles, worker, programme):
    entry = pay(worker, programme)
    for user in (make_user(Role.IMMIGRATION_OFFICER), make_user_with_roles(Role.IMMIGRATION_OFFICER, Role.LABOUR_INSPECTOR)):
        client = web_client(user)
        for url in ("/costs/", "/costs/mine/", "/costs/mine/add/", "/costs/ledger/", "/costs/record/", "/costs/refunds/",
                    "/costs/agencies/", "/costs/earnings/", "/costs/sdg-10-7-1/", f"/costs/{entry.pk}/", f"/costs/{entry.pk}/receipt/"):
            assert client.get(url).status_code == 403, url
        assert client.post(f"/costs/{entry.pk}/debtor/", {"agency": "1"}).status_code == 403
