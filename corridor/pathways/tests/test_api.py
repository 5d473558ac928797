"""/api/v1/pathways: progress, status list, certificates (attest, issue, revoke, PDF), public verification, referrals.
Bad input gets 422 naming the field, never a 500."""

import io

import pytest
from pypdf import PdfReader

from corridor.pathways import api as pathways_api
from corridor.pathways import services
from corridor.pathways.tests.conftest import TASKS, days_ago

pytestmark = pytest.mark.django_db


def _fields(response) -> set:
    return {e["field"] for e in response.json()["errors"]}


def test_the_worker_reads_their_progress(pw_returned, ct_worker, api_client):
    response = api_client(ct_worker.user).get("pathways/progress/me")
    assert response.status_code == 200
    (row,) = response.json()
    assert row["programme"] == "CA-SAG" and row["seasons"] == 1 and row["months"] == 6 and row["near"] is True
    assert row["missing"] == {"seasons": 1} and row["target_status"] == "Permanent residence"


def test_officials_list_statuses_immigration_included(pw_returned, ct_worker, sel_admin, dp_immigration,
                                                      sel_employer_user, api_client):
    services.refresh(ct_worker)
    admin = api_client(sel_admin)
    for client in (admin, api_client(dp_immigration)):
        response = client.get("pathways/status", programme="CA-SAG", show="near")
        assert response.status_code == 200
        assert [r["worker"] for r in response.json()["items"]] == [ct_worker.public_id]
    assert admin.get("pathways/status", show="eligible").json()["items"] == []
    assert api_client(sel_employer_user).get("pathways/status").json()["items"] == []
    assert admin.get("pathways/status", show="nonsense").status_code == 422


def test_attest_issue_revoke_through_the_api(pw_returned, sel_employer_user, sel_origin, ct_worker, api_client):
    employer = api_client(sel_employer_user)
    bad = employer.post("pathways/certificates", {"journey": pw_returned.pk, "tasks": "", "hours_worked": "lots"})
    assert bad.status_code == 422 and _fields(bad) == {"tasks", "hours_worked"}
    assert employer.post("pathways/certificates", {"journey": 2**40, "tasks": TASKS}).status_code == 404
    created = employer.post("pathways/certificates", {"journey": pw_returned.pk, "tasks": TASKS, "hours_worked": 500})
    assert created.status_code == 201, created.content
    cert_id = created.json()["id"]
    assert created.json()["status"] == "attested" and created.json()["verification_code"] is None
    assert employer.post(f"pathways/certificates/{cert_id}/issue").status_code == 403
    origin = api_client(sel_origin)
    issued = origin.post(f"pathways/certificates/{cert_id}/issue")
    assert issued.status_code == 200 and issued.json()["verification_code"].startswith("SC-")
    assert origin.post(f"pathways/certificates/{cert_id}/issue").status_code == 409
    no_reason = origin.post(f"pathways/certificates/{cert_id}/revoke", {"reason": ""})
    assert no_reason.status_code == 422 and _fields(no_reason) == {"reason"}
    revoked = origin.post(f"pathways/certificates/{cert_id}/revoke", {"reason": "Issued to the wrong worker."})
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert api_client(ct_worker.user).get(f"pathways/certificates/{cert_id}").status_code == 200


def test_the_worker_downloads_the_pdf(pw_issued, ct_worker, sel_employer_user, api_client):
    response = api_client(ct_worker.user).get(f"pathways/certificates/{pw_issued.pk}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert pw_issued.verification_code in text and ct_worker.family_names in text
    assert api_client(sel_employer_user).get(f"pathways/certificates/{pw_issued.pk}/pdf").status_code == 403


def test_the_pdf_of_an_attested_certificate_is_refused(pw_certificate, ct_worker, api_client):
    assert api_client(ct_worker.user).get(f"pathways/certificates/{pw_certificate.pk}/pdf").status_code == 403


def test_public_verification(pw_issued, api_client, sel_origin):
    anonymous = api_client()
    code = pw_issued.verification_code
    valid = anonymous.get(f"pathways/certificates/verify/{code}")
    assert valid.status_code == 200 and valid.json()["current"] is True
    assert valid.json()["worker_id"] == pw_issued.worker.public_id and "wage" not in valid.content.decode().lower()
    unknown = anonymous.get("pathways/certificates/verify/SC-0000-0000")
    assert unknown.status_code == 404 and _fields(unknown) == {"code"}
    services.certificate_revoke(actor=sel_origin, certificate=pw_issued, reason="Withdrawn by the employer.")
    revoked = anonymous.get(f"pathways/certificates/verify/{code}").json()
    assert revoked["current"] is False and revoked["revocation_reason"] == "Withdrawn by the employer."


def test_verification_is_rate_limited(pw_issued, api_client, monkeypatch):
    monkeypatch.setattr(pathways_api, "VERIFY_RATE", "3/h")
    anonymous = api_client()
    codes = [anonymous.get("pathways/certificates/verify/SC-0000-0000").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]


def test_anonymous_users_read_nothing_else(pw_issued, api_client):
    anonymous = api_client()
    assert anonymous.get("pathways/certificates").status_code == 401
    assert anonymous.get("pathways/status").status_code == 401


def test_referrals_through_the_api(pw_returned, ct_worker, sel_origin, sel_admin, api_client):
    origin = api_client(sel_origin)
    bad = origin.post("pathways/referrals", {"worker": ct_worker.public_id, "kind": "x", "consent": False})
    assert bad.status_code == 422 and {"kind", "provider", "referred_on", "consent"} <= _fields(bad)
    assert origin.post("pathways/referrals", {"worker": "W-NOBODY", "kind": "other"}).status_code == 404
    created = origin.post("pathways/referrals", {"worker": ct_worker.public_id, "kind": "business", "consent": True,
                                                 "provider": "Microcréditos Rurales", "referred_on": days_ago(1)})
    assert created.status_code == 201, created.content
    rid = created.json()["id"]
    assert api_client(sel_admin).post("pathways/referrals", {"worker": ct_worker.public_id, "kind": "other",
                                                             "consent": True, "provider": "X",
                                                             "referred_on": days_ago(1)}).status_code in (403, 404)
    done = origin.post(f"pathways/referrals/{rid}/outcome", {"outcome": "declined", "note": "Chose to farm."})
    assert done.status_code == 200 and done.json()["outcome"] == "declined"
    assert origin.post(f"pathways/referrals/{rid}/outcome", {"outcome": "?"}).status_code == 422
    mine = api_client(ct_worker.user).get("pathways/referrals").json()["items"]
    assert [r["id"] for r in mine] == [rid]
