"""/api/v1/workers: registration and claim without an account, the origin authority's list and decisions, the
profile's parts, consent, the export, and the firewall (immigration sees no contact data and no worker)."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.accounts import services as account_services
from corridor.core.access import Role
from corridor.workers import services
from corridor.workers.models import IdentityDocument, PoolStatus, Worker
from corridor.workers.tests.conftest import PASSWORD, registration, today, years_ago
from corridor.workers.tests.test_services import PDF, PNG

pytestmark = pytest.mark.django_db


def _body(**changes) -> dict:
    return json.loads(json.dumps(registration(**changes), default=str))


def _fields(response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def test_a_worker_registers_without_an_account(api_client):
    client = api_client()
    response = client.post("workers/register", _body())
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["public_id"].startswith("W-") and data["username"] == "+524431234567" and data["status"] == "registered"
    assert data["confirmed_at"] and data["excluded_until"] is None
    assert "phone" not in data


def test_registration_errors_name_each_field_and_save_nothing(api_client):
    client = api_client()
    response = client.post("workers/register", _body(phone="555", nationality="XX", sex="?", password="x"))
    assert response.status_code == 422
    assert {"phone", "nationality", "sex", "password"} <= _fields(response)
    response = client.post("workers/register", _body(date_of_birth="not a date"))
    assert response.status_code == 422 and _fields(response) == {"date_of_birth"}
    response = client.post("workers/register", _body(given_names="A" * 10_000))
    assert response.status_code == 422 and _fields(response) == {"given_names"}
    response = client.post("workers/register", raw="{not json")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    response = client.post("workers/register", _body(given_names="Jos\u0000e"))
    assert response.status_code == 400 and "NUL" in response.json()["detail"]
    response = client.post("workers/register", _body(given_names="Jos\u0007e"))
    assert response.status_code == 422 and _fields(response) == {"given_names"}
    response = client.post("workers/register", {**_body(), "date_of_birth": 10**30})
    assert response.status_code == 422
    assert not Worker.objects.exists()


def test_registration_is_rate_limited(api_client):
    client = api_client()
    for _ in range(20):
        client.post("workers/register", _body(phone="555"))
    response = client.post("workers/register", _body())
    assert response.status_code == 429


def test_on_behalf_registration_and_claim(api_client, origin_officer):
    officer = api_client(origin_officer)
    body = _body()
    body.pop("password")
    response = officer.post("workers", body)
    assert response.status_code == 201, response.content
    public_id = response.json()["public_id"]
    assert response.json()["confirmed_at"] is None
    listed = officer.get("workers/unconfirmed").json()
    assert [w["public_id"] for w in listed["items"]] == [public_id]
    anonymous = api_client()
    wrong = anonymous.post("workers/claim", {"public_id": public_id, "phone": "+52 443 000 0000",
                                             "date_of_birth": str(years_ago(31, 40)), "password": PASSWORD})
    assert wrong.status_code == 422 and _fields(wrong) == {"public_id"}
    response = anonymous.post("workers/claim", {"public_id": public_id, "phone": "+52 443 123 4567",
                                                "date_of_birth": str(years_ago(31, 40)), "password": PASSWORD,
                                                "username": "joseluis"})
    assert response.status_code == 200, response.content
    assert response.json()["username"] == "joseluis" and response.json()["confirmed_at"]
    assert officer.get("workers/unconfirmed").json()["count"] == 0
    assert officer.post("workers", {**body, "nationality": "JM"}).status_code == 422


def test_list_detail_and_filters(api_client, worker, make_worker, origin_officer, jm_officer, complete):
    complete(worker)
    make_worker(phone="+52 55 1234 0000", given_names="Ana María", family_names="Ruiz", date_of_birth=years_ago(24))
    officer = api_client(origin_officer)
    data = officer.get("workers").json()
    assert data["count"] == 2
    assert officer.get("workers", status="verified").json()["items"][0]["public_id"] == worker.public_id
    assert officer.get("workers", q="ruiz").json()["count"] == 1
    assert officer.get("workers", q=worker.public_id).json()["count"] == 1
    assert officer.get("workers", nationality="MX", page_size=1).json()["count"] == 2
    bad = officer.get("workers", status="sleeping", nationality="QQ")
    assert bad.status_code == 422 and _fields(bad) == {"status", "nationality"}
    detail = officer.get(f"workers/{worker.public_id.lower()}").json()
    assert detail["documents"][0]["number"] == "G1234567" and detail["documents"][0]["expired"] is False
    assert detail["medical_clearances"][0]["valid_today"] is True
    assert detail["work_ready_missing"] == []
    other = api_client(jm_officer)
    assert other.get("workers").json()["count"] == 0
    assert other.get(f"workers/{worker.public_id}").status_code == 404
    own = api_client(worker.user).get("workers/me").json()
    assert own["public_id"] == worker.public_id


def test_immigration_sees_no_worker_and_no_contact(api_client, worker, immigration):
    client = api_client(immigration)
    listed = client.get("workers")
    assert listed.status_code == 200 and listed.json()["count"] == 0
    assert client.get(f"workers/{worker.public_id}").status_code == 404
    for method, url in (("get", f"workers/{worker.public_id}/contact"), ("get", "workers/me/export"),
                        ("post", "workers"), ("post", "workers/register"), ("post", "workers/claim")):
        response = getattr(client, method)(url)
        assert response.status_code == 403, url


def test_contact_is_read_and_changed_by_those_allowed(api_client, worker, origin_officer, jm_officer):
    own = api_client(worker.user)
    assert own.get(f"workers/{worker.public_id}/contact").json()["phone"] == "+524431234567"
    response = own.patch(f"workers/{worker.public_id}/contact", {"email": "jl@example.org", "phone": "+52 443 222 3333"})
    assert response.status_code == 200 and response.json()["phone"] == "+524432223333"
    assert own.patch(f"workers/{worker.public_id}/contact", {"email": "x"}).status_code == 422
    assert api_client(origin_officer).get(f"workers/{worker.public_id}/contact").status_code == 200
    assert api_client(jm_officer).get(f"workers/{worker.public_id}/contact").status_code == 404


def test_profile_parts_through_the_api(api_client, worker, settings):
    client = api_client(worker.user)
    base = f"workers/{worker.public_id}"
    response = client.post(f"{base}/documents", {"kind": "passport", "number": "G7", "issuing_country": "MX",
                                                  "issued_on": str(years_ago(12)), "expires_on": str(years_ago(2))})
    assert response.status_code == 201 and response.json()["expired"] is True and response.json()["scan"] is None
    doc_id = response.json()["id"]
    bad = client.post(f"{base}/documents", {"kind": "passport", "number": "G8", "issuing_country": "MX",
                                            "issued_on": str(years_ago(1)), "expires_on": str(years_ago(2))})
    assert bad.status_code == 422 and _fields(bad) == {"expires_on"}
    patched = client.patch(f"{base}/documents/{doc_id}", {"expires_on": str(years_ago(-5))})
    assert patched.status_code == 200 and patched.json()["expired"] is False

    upload_url = f"/api/v1/{base}/documents/{doc_id}/scan"
    wrong = client.client.post(upload_url, {"file": SimpleUploadedFile("scan.pdf", PNG)})
    assert wrong.status_code == 422 and _fields(wrong) == {"file"} and "not what its name says" in wrong.json()["detail"]
    settings.CORRIDOR_MAX_UPLOAD_BYTES = 100
    big = client.client.post(upload_url, {"file": SimpleUploadedFile("scan.pdf", PDF * 10)})
    assert big.status_code == 413 and _fields(big) == {"file"}
    settings.CORRIDOR_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    good = client.client.post(upload_url, {"file": SimpleUploadedFile("scan.pdf", PDF)})
    assert good.status_code == 200 and good.json()["scan"].endswith(f"/documents/{doc_id}/scan")
    assert good.json()["scan_type"] == "application/pdf"
    download = client.get(good.json()["scan"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    assert "/media/" not in good.content.decode() and IdentityDocument.objects.get().file.name not in good.content.decode()

    response = client.post(f"{base}/languages", {"language": "en", "test": "IELTS", "level": "5", "taken_on": str(today())})
    assert response.status_code == 201
    future = client.post(f"{base}/languages", {"language": "en", "test": "IELTS", "level": "5",
                                               "taken_on": str(today() + datetime.timedelta(days=9))})
    assert future.status_code == 422 and _fields(future) == {"taken_on"}
    assert client.delete(f"{base}/languages/{response.json()['id']}").status_code == 204

    occupation = client.post(f"{base}/occupations", {"isco_code": "9211", "years_experience": "3"})
    assert occupation.status_code == 201
    unknown = client.post(f"{base}/occupations", {"isco_code": "0000"})
    assert unknown.status_code == 422 and _fields(unknown) == {"isco_code"}
    assert client.patch(f"{base}/occupations/{occupation.json()['id']}", {"years_experience": "4.5"}).json()["years_experience"] == "4.5"

    medical = {"fit": True, "issued_on": str(today()), "valid_until": str(years_ago(-1)), "issued_by": "Clínica"}
    detail = client.post(f"{base}/medical", {**medical, "diagnosis": "none of your business"})
    assert detail.status_code == 422 and _fields(detail) == {"diagnosis"}
    assert client.post(f"{base}/medical", medical).status_code == 201
    assert client.post(f"{base}/orientation", {"completed_on": str(today())}).status_code == 200
    assert client.patch(base, {"education": "primary", "language": "fra"}).json()["language"] == "fr"
    assert client.get(f"{base}/documents/999999/scan").status_code == 404
    assert client.delete(f"{base}/documents/{doc_id}").status_code == 204


def test_others_cannot_change_a_profile(api_client, worker, make_worker, employer_user):
    base = f"workers/{worker.public_id}"
    other = make_worker(phone="+52 55 1234 0000", given_names="Ana", family_names="Ruiz", date_of_birth=years_ago(24))
    assert api_client(other.user).post(f"{base}/occupations", {"isco_code": "9211"}).status_code == 404
    assert api_client(employer_user).post(f"{base}/occupations", {"isco_code": "9211"}).status_code == 404


def test_consent_through_the_api_decides_what_an_employer_sees(api_client, worker, complete, programme, approved_employer,
                                                                employer_user):
    complete(worker, work_ready=True)
    own = api_client(worker.user)
    employer = api_client(employer_user)
    assert employer.get("workers").json()["count"] == 0
    response = own.post(f"workers/{worker.public_id}/consents", {"purpose": "employers", "programme": "ca-sag"})
    assert response.status_code == 201, response.content
    consent = response.json()
    assert consent["valid"] and consent["programme"] == "CA-SAG" and consent["language"] == "es"
    assert employer.get("workers").json()["count"] == 1
    assert employer.get(f"workers/{worker.public_id}/contact").status_code == 200
    assert employer.post(f"workers/{worker.public_id}/consents/{consent['id']}/withdraw", {}).status_code == 403
    withdrawn = own.post(f"workers/{worker.public_id}/consents/{consent['id']}/withdraw", {"reason": "changed my mind"})
    assert withdrawn.status_code == 200 and withdrawn.json()["valid"] is False
    assert employer.get("workers").json()["count"] == 0
    assert employer.get(f"workers/{worker.public_id}/contact").status_code == 404
    assert own.post(f"workers/{worker.public_id}/consents", {"purpose": "employers", "programme": "NOPE"}).status_code == 404
    assert own.post(f"workers/{worker.public_id}/consents", {"purpose": "agency"}).status_code == 422
    timed = own.post(f"workers/{worker.public_id}/consents", {"purpose": "selection", "programme": "CA-SAG",
                                                              "expires_at": "2099-01-01T00:00:00"})
    assert timed.status_code == 201 and timed.json()["expires_at"].startswith("2099-01-01")
    past = own.post(f"workers/{worker.public_id}/consents", {"purpose": "employers", "programme": "CA-SAG",
                                                             "expires_at": "2001-01-01T00:00:00"})
    assert past.status_code == 422 and _fields(past) == {"expires_at"}


def test_decisions_through_the_api(api_client, worker, origin_officer):
    officer = api_client(origin_officer)
    base = f"workers/{worker.public_id}"
    refused = officer.post(f"{base}/verify", {})
    assert refused.status_code == 422 and _fields(refused) == {"documents"}
    officer.post(f"{base}/documents", {"kind": "national_id", "number": "CURP123", "issuing_country": "MX"})
    assert officer.post(f"{base}/verify", {"note": "seen"}).json()["status"] == "verified"
    missing = officer.post(f"{base}/work-ready")
    assert missing.status_code == 422 and _fields(missing) == {"medical", "orientation"}
    assert api_client(worker.user).post(f"{base}/work-ready").status_code == 403
    officer.post(f"{base}/medical", {"fit": True, "issued_on": str(today()), "valid_until": str(years_ago(-1)), "issued_by": "C"})
    officer.post(f"{base}/orientation", {"completed_on": str(today())})
    assert officer.post(f"{base}/work-ready").json()["status"] == "work_ready"
    excluded = officer.post(f"{base}/exclude", {"until": str(years_ago(-2)), "reason": "Forged certificate"})
    assert excluded.json()["status"] == "verified" and excluded.json()["exclusion_reason"] == "Forged certificate"
    assert officer.post(f"{base}/exclude", {"until": "2000-01-01", "reason": "x"}).status_code == 422
    worker.refresh_from_db()
    assert worker.status == PoolStatus.VERIFIED


def test_export_through_the_api(api_client, worker, origin_officer):
    own = api_client(worker.user)
    data = own.get("workers/me/export").json()
    assert data["identity"]["public_id"] == worker.public_id and data["contact"]["phone"] == "+524431234567"
    assert any(e["action"] == "worker.register" for e in data["audit_events"])
    assert api_client(origin_officer).get("workers/me/export").status_code == 404


def test_tokens_need_the_workers_scope(api_client, origin_officer, worker):
    origin_officer.is_org_admin = True
    origin_officer.save()
    _token, secret = account_services.api_token_create(
        actor=origin_officer, organisation=origin_officer.organisation, name="Registry", scopes=["workers:read"]
    )
    client = api_client(token=secret)
    assert client.get("workers").json()["count"] == 1
    assert client.post(f"workers/{worker.public_id}/verify", {}).status_code == 403
    _token, other = account_services.api_token_create(
        actor=origin_officer, organisation=origin_officer.organisation, name="Other", scopes=["programmes:read"]
    )
    assert api_client(token=other).get("workers").status_code == 403


def test_eligibility_endpoint(api_client, worker, programme, complete, origin_officer):
    client = api_client(worker.user)
    response = client.get(f"workers/{worker.public_id}/eligibility", programme="ca-sag", language="en")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["programme"] == "CA-SAG" and data["worker"] == worker.public_id and data["eligible"] is False
    assert data["rule_version"] == 1 and "not_verified" in {u["code"] for u in data["unmet"]}
    assert all(u["message"] for u in data["unmet"])
    services.occupation_add(actor=worker.user, worker=worker, isco_code="9211", years_experience=3)
    complete(worker, work_ready=True)
    data = client.get(f"workers/{worker.public_id}/eligibility", programme="CA-SAG").json()
    assert data["eligible"] is True and data["unmet"] == [], data
    assert api_client(origin_officer).get(f"workers/{worker.public_id}/eligibility", programme="CA-SAG").status_code == 200
    assert client.get(f"workers/{worker.public_id}/eligibility", programme="NOPE").status_code == 404
    assert client.get(f"workers/{worker.public_id}/eligibility").status_code == 422
    odd = client.get(f"workers/{worker.public_id}/eligibility", programme="CA-SAG", on_date="9999-12-31", language="../x")
    assert odd.status_code == 422 and _fields(odd) == {"on_date", "language"}


def test_roles_see_what_they_may(api_client, worker, make_user):
    for role in (Role.MINISTRY_OFFICER, Role.LABOUR_INSPECTOR, Role.RESEARCHER, Role.UNION):
        assert api_client(make_user(role)).get("workers").json()["count"] == 0
    assert api_client().get("workers").status_code == 401
    assert services.may_change(worker.user, worker)


WEIRD = [None, True, 10**40, -1, 1.5e308, "", " ", "\u202e", "x" * 5000, [], {}, ["a"], {"a": 1}, "9999-99-99", "0000-00-00"]


@pytest.mark.parametrize("value", WEIRD, ids=range(len(WEIRD)))
def test_no_input_makes_a_server_error(api_client, worker, value):
    """Every field of every write route, given odd values: a 4xx naming a field, never a 500."""
    client = api_client(worker.user)
    base = f"workers/{worker.public_id}"
    routes = {
        f"{base}/documents": {"kind": "passport", "number": "G1", "issuing_country": "MX", "expires_on": str(years_ago(-1))},
        f"{base}/languages": {"language": "en", "test": "IELTS", "level": "5", "taken_on": str(today())},
        f"{base}/occupations": {"isco_code": "9211", "years_experience": "1"},
        f"{base}/medical": {"fit": True, "issued_on": str(today()), "valid_until": str(years_ago(-1)), "issued_by": "C"},
        f"{base}/consents": {"purpose": "selection", "programme": "CA-SAG"},
        f"{base}/orientation": {"completed_on": str(today())},
        "workers/claim": {"public_id": "W-2345", "phone": "+52 1", "date_of_birth": "1990-01-01", "password": "x"},
    }
    for url, good in routes.items():
        for key in good:
            response = client.post(url, {**good, key: value})
            assert response.status_code < 500, (url, key, response.content[:300])
            if response.status_code >= 400:
                assert response["Content-Type"] == "application/problem+json"
    response = client.patch(base, {"given_names": value, "date_of_birth": value})
    assert response.status_code < 500
    response = client.get("workers", status=str(value)[:50], q=str(value)[:300], nationality=str(value)[:20])
    assert response.status_code < 500
