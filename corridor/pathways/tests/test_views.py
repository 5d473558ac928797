"""Pages: the worker's pathway, the officials' list and CSV, certificates (attest, issue, revoke, PDF), referrals, and
the public verification page."""

import csv
import io

import pytest
from pypdf import PdfReader

from corridor.pathways import services, views
from corridor.pathways.models import CertificateStatus, Referral, SkillsCertificate
from corridor.pathways.tests.conftest import TASKS, days_ago
from corridor.selection.models import SeasonRecord

pytestmark = pytest.mark.django_db


def test_the_worker_sees_that_they_are_eligible(pw_returned, ct_worker, sel_programme, web_client):
    SeasonRecord.objects.create(worker=ct_worker, programme=sel_programme, year=days_ago(800).year, completed=True)
    page = web_client(ct_worker.user).get("/pathways/me/")
    assert page.status_code == 200
    assert "You are eligible to apply for Permanent residence." in page.content.decode()


def test_the_worker_sees_what_is_missing(pw_returned, ct_worker, web_client):
    text = web_client(ct_worker.user).get("/pathways/me/").content.decode()
    assert "1 more season" in text and "eligible to apply" not in text


def test_the_worker_page_is_in_the_workers_language(pw_returned, ct_worker, web_client):
    from corridor.accounts.models import User

    User.objects.filter(pk=ct_worker.user_id).update(language="es")
    page = web_client(User.objects.get(pk=ct_worker.user_id)).get("/pathways/me/")
    assert page.status_code == 200 and 'lang="es"' in page.content.decode()


def test_officials_list_and_export(pw_returned, ct_worker, sel_admin, dp_immigration, sel_employer_user, web_client):
    services.refresh(ct_worker)
    admin = web_client(sel_admin)
    page = admin.get("/pathways/", {"programme": "CA-SAG", "show": "near"})
    assert page.status_code == 200 and ct_worker.public_id in page.content.decode()
    assert ct_worker.public_id not in admin.get("/pathways/", {"show": "eligible"}).content.decode()
    assert ct_worker.public_id in web_client(dp_immigration).get("/pathways/").content.decode()
    export = admin.get("/pathways/export.csv", {"show": "both"})
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][0] == "worker" and rows[1][0] == ct_worker.public_id and rows[1][10] == "yes"
    assert web_client(sel_employer_user).get("/pathways/").status_code == 403
    assert web_client(ct_worker.user).get("/pathways/").status_code == 302


def test_csv_cells_never_run_as_formulas():
    assert views._cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and views._cell("Ana") == "Ana"


def test_the_employer_attests_from_the_page(pw_returned, sel_employer_user, web_client):
    client = web_client(sel_employer_user)
    listing = client.get("/pathways/certificates/")
    assert listing.status_code == 200 and f"journey={pw_returned.pk}" in listing.content.decode()
    bad = client.post(f"/pathways/certificates/attest/?journey={pw_returned.pk}", {"tasks": "", "hours_worked": "x"})
    assert bad.status_code == 422 and "field-error" in bad.content.decode()
    done = client.post("/pathways/certificates/attest/", {"journey": pw_returned.pk, "tasks": TASKS,
                                                          "hours_worked": "480"})
    assert done.status_code == 302
    assert SkillsCertificate.objects.get(journey=pw_returned).status == CertificateStatus.ATTESTED


def test_the_origin_authority_issues_and_revokes_from_the_page(pw_certificate, sel_origin, web_client):
    client = web_client(sel_origin)
    assert "Issue the certificate" in client.get(f"/pathways/certificates/{pw_certificate.pk}/").content.decode()
    assert client.post(f"/pathways/certificates/{pw_certificate.pk}/issue/").status_code == 302
    cert = SkillsCertificate.objects.get(pk=pw_certificate.pk)
    assert cert.status == CertificateStatus.ISSUED
    again = client.post(f"/pathways/certificates/{cert.pk}/issue/")
    assert again.status_code == 409
    no_reason = client.post(f"/pathways/certificates/{cert.pk}/revoke/", {"reason": ""})
    assert no_reason.status_code == 422
    assert client.post(f"/pathways/certificates/{cert.pk}/revoke/", {"reason": "Duplicate."}).status_code == 302
    assert SkillsCertificate.objects.get(pk=cert.pk).status == CertificateStatus.REVOKED


def test_the_pdf_page(pw_issued, ct_worker, sel_employer_user, web_client):
    response = web_client(ct_worker.user).get(f"/pathways/certificates/{pw_issued.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert pw_issued.verification_code in text and ct_worker.given_names in text
    assert "Skills certificate" in text and pw_issued.content_hash in text.replace("\n", "")
    assert web_client(sel_employer_user).get(f"/pathways/certificates/{pw_issued.pk}/pdf/").status_code == 403


def test_the_pdf_is_in_the_workers_language_and_english(pw_issued):
    from corridor.pathways.pdf import certificate_pdf

    pw_issued.worker_language = "es"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(certificate_pdf(pw_issued))).pages)
    assert "Skills certificate" in text
    assert "REVOKED" not in text


def test_referrals_page(pw_returned, ct_worker, sel_origin, sel_admin, web_client):
    client = web_client(sel_origin)
    assert client.get("/pathways/referrals/").status_code == 200
    bad = client.post("/pathways/referrals/", {"worker": ct_worker.public_id, "kind": "training", "provider": "SNE",
                                               "referred_on": days_ago(1).isoformat()})
    assert bad.status_code == 422 and "consent is required" in bad.content.decode()
    unknown = client.post("/pathways/referrals/", {"worker": "W-NOBODY", "kind": "training", "consent": "on",
                                                   "provider": "SNE", "referred_on": days_ago(1).isoformat()})
    assert unknown.status_code == 422
    done = client.post("/pathways/referrals/", {"worker": ct_worker.public_id, "kind": "training", "consent": "on",
                                                "provider": "SNE", "referred_on": days_ago(1).isoformat()})
    assert done.status_code == 302
    referral = Referral.objects.get()
    outcome = client.post(f"/pathways/referrals/{referral.pk}/outcome/", {f"o{referral.pk}-outcome": "completed"})
    assert outcome.status_code == 302
    assert Referral.objects.get().outcome == "completed"
    assert web_client(sel_admin).get("/pathways/referrals/").status_code == 403
    assert "SNE" in web_client(ct_worker.user).get("/pathways/me/").content.decode()


def test_verification_page(pw_issued, sel_origin, web_client):
    client = web_client()
    assert client.get("/pathways/verify/").status_code == 200
    valid = client.get("/pathways/verify/", {"code": pw_issued.verification_code})
    assert valid.status_code == 200 and "Genuine and current." in valid.content.decode()
    unknown = client.get("/pathways/verify/", {"code": "SC-0000-0000"})
    assert "No certificate has this code." in unknown.content.decode()
    assert client.get("/pathways/verify/", {"code": ""}).status_code == 422
    services.certificate_revoke(actor=sel_origin, certificate=pw_issued, reason="Issued in error.")
    revoked = client.get("/pathways/verify/", {"code": pw_issued.verification_code}).content.decode()
    assert "Revoked on" in revoked and "Issued in error." in revoked


def test_verification_page_is_rate_limited(pw_issued, web_client, monkeypatch):
    monkeypatch.setattr(views, "VERIFY_RATE", "2/h")
    client = web_client()
    codes = [client.get("/pathways/verify/", {"code": "SC-0000-0000"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_the_pdf_prints_any_script_without_failing(pw_issued):
    from corridor.pathways.pdf import certificate_pdf

    pw_issued.content = {**pw_issued.content, "tasks": "قطف الفاكهة · फल तोड़ना · ফল তোলা · 摘水果 🍎 " * 20,
                         "worker_name": "José Ñúñez"}
    pw_issued.worker_language = "ar"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(certificate_pdf(pw_issued))).pages)
    assert pw_issued.verification_code in text
