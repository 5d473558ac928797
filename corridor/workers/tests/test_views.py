"""Pages of the worker pool: registration from a phone end to end, the claim of a registration made on the worker's
behalf, "My profile", consent given and withdrawn changing what an employer sees, the data download, the origin
authority's list and decisions, and the firewall."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from corridor.core.access import Role
from corridor.workers import services
from corridor.workers.models import Consent, IdentityDocument, PoolStatus, Worker
from corridor.workers.tests.conftest import PASSWORD, registration, today, years_ago
from corridor.workers.tests.test_services import PDF, PNG

pytestmark = pytest.mark.django_db

PHONE = {"HTTP_USER_AGENT": "Mozilla/5.0 (Linux; Android 13; SM-A135F) Mobile", "HTTP_ACCEPT_LANGUAGE": "es"}


def _form(**changes) -> dict:
    data = registration()
    data["password_again"] = data["password"]
    data.update(changes)
    data["date_of_birth"] = str(data["date_of_birth"])
    return data


def test_a_worker_registers_from_a_phone_in_their_language():
    client = Client(**PHONE)
    page = client.get("/workers/register/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'lang="es"' in html and 'type="tel"' in html and 'name="viewport"' in html
    assert html.index('name="phone"') < html.index('name="given_names"')  # the phone comes first
    bad = client.post("/workers/register/", _form(password_again="other-password-99"))
    assert bad.status_code == 422 and 'href="#id_password_again"' in bad.content.decode()
    bad = client.post("/workers/register/", _form(phone="443 123", date_of_birth=today() + datetime.timedelta(days=1)))
    assert bad.status_code == 422
    text = bad.content.decode()
    assert 'class="error-summary"' in text and 'href="#id_phone"' in text and 'href="#id_date_of_birth"' in text
    assert not Worker.objects.exists()
    response = client.post("/workers/register/", _form())
    assert response.status_code == 302 and response["Location"] == "/workers/me/"
    assert response.cookies["django_language"].value == "es"
    worker = Worker.objects.get()
    me = client.get("/workers/me/")
    assert me.status_code == 200
    html = me.content.decode()
    assert worker.public_id in html and 'class="notice next-step"' in html
    assert "/workers/me/export.json" in html and "/workers/me/consents/" in html
    assert client.get("/workers/register/").status_code == 302  # already signed in


def test_registration_page_is_rate_limited():
    client = Client()
    for _ in range(20):
        client.post("/workers/register/", _form(phone="1"))
    assert client.post("/workers/register/", _form()).status_code == 429
    assert not Worker.objects.exists()


def test_on_behalf_registration_then_claim(web_client, origin_officer):
    officer = web_client(origin_officer)
    page = officer.get("/workers/new/")
    assert page.status_code == 200 and 'value="MX"' in page.content.decode()
    data = _form()
    for key in ("password", "password_again"):
        data.pop(key)
    response = officer.post("/workers/new/", data)
    assert response.status_code == 302
    worker = Worker.objects.get()
    assert response["Location"] == f"/workers/{worker.public_id}/" and worker.confirmed_at is None
    assert worker.public_id in officer.get("/workers/unconfirmed/").content.decode()
    detail = officer.get(f"/workers/{worker.public_id}/").content.decode()
    assert "Not confirmed by the worker" in detail

    anonymous = Client(**PHONE)
    assert anonymous.get(f"/workers/claim/?id={worker.public_id}").status_code == 200
    claim = {"public_id": worker.public_id, "phone": "+52 443 123 4567", "date_of_birth": str(worker.date_of_birth),
             "password": PASSWORD, "password_again": PASSWORD}
    wrong = anonymous.post("/workers/claim/", {**claim, "date_of_birth": "1990-01-01"})
    assert wrong.status_code == 422 and services.NO_MATCH in wrong.content.decode()
    response = anonymous.post("/workers/claim/", claim)
    assert response.status_code == 302 and response["Location"] == "/workers/me/"
    worker.refresh_from_db()
    assert worker.user is not None and worker.confirmed_at is not None
    assert anonymous.get("/workers/me/").status_code == 200
    assert worker.public_id not in officer.get("/workers/unconfirmed/").content.decode()


def test_a_worker_account_without_a_profile_fills_it_in(make_user, web_client):
    user = make_user(Role.WORKER)
    client = web_client(user)
    assert client.get("/workers/me/").status_code == 200
    data = _form()
    for key in ("password", "password_again"):
        data.pop(key)
    assert client.post("/workers/me/", {**data, "phone": "x"}).status_code == 422
    assert client.post("/workers/me/", data).status_code == 302
    assert Worker.objects.get().user == user


def test_profile_parts_from_the_profile_page(worker, web_client, settings):
    client = Client()
    client.force_login(worker.user)
    base = f"/workers/{worker.public_id}"
    assert client.get(f"{base}/").status_code == 302  # one's own profile is "My profile"
    assert client.get(f"{base}/documents/new/").status_code == 200
    document = {"kind": "passport", "number": "G7", "issuing_country": "MX", "issued_on": str(years_ago(12)),
                "expires_on": str(years_ago(2))}
    wrong = client.post(f"{base}/documents/new/", {**document, "file": SimpleUploadedFile("passport.pdf", PNG)})
    assert wrong.status_code == 422 and "not what its name says" in wrong.content.decode()
    settings.CORRIDOR_MAX_UPLOAD_BYTES = 64
    big = client.post(f"{base}/documents/new/", {**document, "file": SimpleUploadedFile("passport.pdf", PDF * 4)})
    assert big.status_code == 413
    settings.CORRIDOR_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    assert not IdentityDocument.objects.exists()
    saved = client.post(f"{base}/documents/new/", {**document, "file": SimpleUploadedFile("passport.pdf", PDF)}, follow=True)
    assert saved.status_code == 200 and "This document has expired" in saved.content.decode()
    doc = IdentityDocument.objects.get()
    html = client.get("/workers/me/").content.decode()
    assert "Expired" in html and f"{base}/documents/{doc.pk}/scan/" in html
    scan = client.get(f"{base}/documents/{doc.pk}/scan/")
    assert scan.status_code == 200 and scan["Content-Type"] == "application/pdf"
    assert client.get(f"{base}/documents/{doc.pk}/edit/").status_code == 200
    assert client.post(f"{base}/documents/{doc.pk}/edit/", {**document, "expires_on": str(years_ago(-5))}).status_code == 302
    assert client.post(f"{base}/languages/new/", {"language": "en", "test": "IELTS", "level": "5",
                                                  "taken_on": str(today() + datetime.timedelta(days=3))}).status_code == 422
    assert client.post(f"{base}/occupations/new/", {"isco_code": "9211", "years_experience": "5"}).status_code == 302
    assert client.post(f"{base}/medical/new/", {"fit": "true", "issued_on": str(today()), "valid_until": str(years_ago(-1)),
                                                "issued_by": "Clínica"}).status_code == 302
    assert client.post(f"{base}/orientation/", {"completed_on": str(today())}).status_code == 302
    assert client.post(f"{base}/contact/", {"phone": "+52 443 999 8888", "email": ""}).status_code == 302
    assert client.post(f"{base}/edit/", {"given_names": "José Luis", "family_names": "Martínez López", "sex": "male",
                                         "date_of_birth": str(worker.date_of_birth), "nationality": "MX",
                                         "language": "es", "education": "primary"}).status_code == 302
    assert client.get(f"{base}/gossip/new/").status_code == 404
    occupation = worker.occupations.get()
    assert client.post(f"{base}/occupations/{occupation.pk}/remove/", {"reason": ""}).status_code == 302
    assert not worker.occupations.exists()
    html = client.get("/workers/me/").content.decode()
    assert "+524439998888" in html and "Fit for the work" in html


def test_consent_pages_change_what_an_employer_sees(worker, complete, programme, approved_employer, employer_user, web_client):
    complete(worker, work_ready=True)
    employer = web_client(employer_user)
    assert worker.public_id not in employer.get("/workers/").content.decode()
    own = Client()
    own.force_login(worker.user)
    page = own.get("/workers/me/consents/").content.decode()
    assert "CA-SAG" in page and "I agree" in page and "None: no employer or agency sees your profile." in page
    response = own.post("/workers/me/consents/give/", {"purpose": "employers", "programme": "CA-SAG"})
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.wording in own.get("/workers/me/consents/").content.decode()
    listing = employer.get("/workers/").content.decode()
    assert worker.public_id in listing
    profile = employer.get(f"/workers/{worker.public_id}/")
    assert profile.status_code == 200 and "+524431234567" in profile.content.decode()
    assert employer.get(f"/workers/{worker.public_id}/edit/").status_code == 403
    own.post(f"/workers/me/consents/{consent.pk}/withdraw/")
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert worker.public_id not in employer.get("/workers/").content.decode()
    assert employer.get(f"/workers/{worker.public_id}/").status_code == 404
    assert "withdrawn on" in own.get("/workers/me/consents/").content.decode()


def test_consent_to_an_agency_from_the_page(worker, agency_user, agency_org, licensed, web_client):
    own = Client()
    own.force_login(worker.user)
    page = own.get("/workers/me/consents/").content.decode()
    assert agency_org.name in page
    own.post("/workers/me/consents/give/", {"purpose": "agency", "agency": str(agency_org.pk)})
    agency = web_client(agency_user)
    assert worker.public_id in agency.get("/workers/").content.decode()
    bad = own.post("/workers/me/consents/give/", {"purpose": "agency", "agency": "abc"}, follow=True)
    assert "Choose an agency." in bad.content.decode()


def test_the_data_download(worker, web_client, programme):
    services.consent_give(actor=worker.user, worker=worker, purpose="selection", programme=programme)
    client = Client()
    client.force_login(worker.user)
    response = client.get("/workers/me/export.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["identity"]["given_names"] == "José Luis" and data["contact"]["phone"] == "+524431234567"
    assert data["consents"][0]["programme_id"] == programme.pk
    assert {e["action"] for e in data["audit_events"]} >= {"worker.register", "worker.consent.give"}
    assert Client().get("/workers/me/export.json").status_code == 302


def test_the_origin_authoritys_list_and_decisions(worker, make_worker, origin_officer, web_client):
    make_worker(phone="+52 55 1234 0000", given_names="Ana María", family_names="Ruiz", date_of_birth=years_ago(24))
    officer = web_client(origin_officer)
    listing = officer.get("/workers/").content.decode()
    assert worker.public_id in listing and "Ruiz" in listing and "/workers/new/" in listing
    assert "/workers/duplicates/" in listing and "/workers/import/" in listing
    assert "Ruiz" not in officer.get("/workers/?q=Mart").content.decode()
    assert officer.get("/workers/?status=verified").content.decode().count("/workers/W-") == 0
    base = f"/workers/{worker.public_id}"
    refused = officer.post(f"{base}/verify/", {"note": ""})
    assert refused.status_code == 422 and "Record at least one identity document" in refused.content.decode()
    services.document_add(actor=origin_officer, worker=worker, kind="national_id", number="CURP1", issuing_country="MX")
    assert officer.post(f"{base}/verify/", {"note": "seen"}).status_code == 302
    missing = officer.post(f"{base}/work-ready/")
    assert missing.status_code == 422
    text = missing.content.decode()
    assert "medical clearance" in text and "orientation" in text
    services.medical_add(actor=origin_officer, worker=worker, fit=True, issued_on=today(), valid_until=years_ago(-1),
                         issued_by="Clínica")
    services.orientation_record(actor=origin_officer, worker=worker, completed_on=today())
    assert officer.post(f"{base}/work-ready/").status_code == 302
    worker.refresh_from_db()
    assert worker.status == PoolStatus.WORK_READY
    assert officer.post(f"{base}/exclude/", {"until": "2001-01-01", "reason": ""}).status_code == 422
    assert officer.post(f"{base}/exclude/", {"until": str(years_ago(-1)), "reason": "Forged certificate"}).status_code == 302
    worker.refresh_from_db()
    assert worker.banned_until == years_ago(-1) and worker.status == PoolStatus.VERIFIED
    assert officer.post(f"{base}/frobnicate/").status_code == 404


def test_the_worker_sees_the_next_step_and_eligibility(worker, complete, programme, origin_officer):
    client = Client()
    client.force_login(worker.user)
    html = client.get("/workers/me/").content.decode()
    assert "Add your passport or identity card" in html
    assert "CA-SAG" in html  # a programme recruiting in Mexico is listed under "Am I eligible?"
    assert "The origin authority has not verified your registration yet." in client.get(
        "/workers/me/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    services.occupation_add(actor=worker.user, worker=worker, isco_code="9211", years_experience=3)
    complete(worker)
    html = client.get("/workers/me/").content.decode()
    assert "Everything is in order" in html
    complete_ready = services.worker_mark_work_ready(actor=origin_officer, worker=worker)
    assert complete_ready.status == PoolStatus.WORK_READY
    html = client.get("/workers/me/").content.decode()
    assert 'class="badge active"' in html  # eligible for CA-SAG


def test_others_are_refused(worker, web_client, make_user, jm_officer, immigration):
    base = f"/workers/{worker.public_id}"
    assert web_client(jm_officer).get(f"{base}/").status_code == 404
    assert web_client(make_user(Role.EMPLOYER)).get("/workers/new/").status_code == 403
    imm = web_client(immigration)
    assert worker.public_id not in imm.get("/workers/").content.decode()
    assert imm.get(f"{base}/").status_code == 404
    for url in (f"{base}/contact/", "/workers/new/", "/workers/me/export.json", "/workers/register/", "/workers/claim/"):
        assert imm.get(url).status_code == 403, url
    assert Client().get("/workers/").status_code == 302


def test_home_page_tasks(make_user, web_client, worker, origin_officer):
    assert "/workers/register/" in Client().get("/").content.decode()
    own = Client()
    own.force_login(worker.user)
    assert "/workers/me/" in own.get("/").content.decode()
    assert "/workers/" in web_client(origin_officer).get("/").content.decode()
