"""Employers through /api/v1/employers: happy paths, problem+json errors naming the field, roles and the firewall."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from corridor.core.access import Role
from corridor.employers.models import EmployerProfile, HousingUnit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def assert_problem(response, status, field=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    if field:
        assert field in {e["field"] for e in body["errors"]}, body
    return body


REGISTRATION = {
    "business_id": "BN 9",
    "sectors": ["A", "C"],
    "contact_name": "Ann",
    "contact_email": "ann@example.org",
    "worksites": [{"name": "Farm", "address": "1 Road", "region": "Ontario", "country": "CA"}],
}


def test_register_and_read_own_profile(employer_user, api_client):
    client = api_client(employer_user)
    response = client.post("employers/register", REGISTRATION)
    assert response.status_code == 201, response.content
    assert response.json()["sectors"] == ["A", "C"]
    me = client.get("employers/me").json()
    assert me["name"] == employer_user.organisation.name and me["approvals"] == []
    assert client.get(f"employers/{me['id']}/worksites").json()[0]["name"] == "Farm"
    assert_problem(client.post("employers/register", REGISTRATION), 409, "organisation")


def test_register_errors_are_problem_documents(employer_user, make_user, api_client):
    body = assert_problem(api_client(employer_user).post("employers/register", {**REGISTRATION, "sectors": ["Q9"]}), 422, "sectors")
    assert body["errors"]
    assert_problem(api_client(employer_user).post("employers/register", {"sectors": "A"}), 422)
    assert_problem(api_client(make_user(Role.UNION)).post("employers/register", REGISTRATION), 403)
    assert not EmployerProfile.objects.exists()
    assert api_client().get("employers/").status_code == 401


def test_apply_approve_and_list_with_filters(employer, employer_user, ministry, programme, api_client):
    response = api_client(employer_user).post(f"employers/{employer.pk}/programmes/CA-SAG/apply")
    assert response.status_code == 201 and response.json()["status"] == "pending"
    officer = api_client(ministry)
    listed = officer.get("employers/", status="pending", programme="CA-SAG", country="CA").json()
    assert [e["id"] for e in listed["items"]] == [employer.pk]
    assert officer.get("employers/", status="approved").json()["count"] == 0
    vetting = {"vetting": {"documents_checked": "registration", "finances": "ok", "compliance_history": "clean"}}
    approved = officer.post(f"employers/{employer.pk}/programmes/CA-SAG/approve", vetting).json()
    assert approved["status"] == "approved" and approved["documents_checked"] == "registration"
    assert_problem(officer.post(f"employers/{employer.pk}/programmes/CA-SAG/approve", {}), 409, "status")
    assert_problem(officer.post(f"employers/{employer.pk}/programmes/CA-SAG/suspend", {"reason": "x"}), 422, "until")
    until = (TODAY + datetime.timedelta(days=30)).isoformat()
    suspended = officer.post(f"employers/{employer.pk}/programmes/CA-SAG/suspend", {"reason": "arrears", "until": until}).json()
    assert suspended["status"] == "suspended" and suspended["restricted_until"] == until
    assert officer.post(f"employers/{employer.pk}/programmes/CA-SAG/ban", {"reason": "fraud"}).json()["status"] == "banned"
    assert_problem(officer.post(f"employers/{employer.pk}/programmes/CA-SAG/renew", {}), 409)
    assert_problem(officer.post(f"employers/{employer.pk}/programmes/NOPE/apply"), 404)
    trusted = officer.post(f"employers/{employer.pk}/trusted", {"programme": "CA-SAG", "trusted": True}).json()
    assert trusted["trusted"] is True


def test_reject_needs_a_reason_and_employers_cannot_review(employer, employer_user, ministry, programme, api_client):
    api_client(employer_user).post(f"employers/{employer.pk}/programmes/CA-SAG/apply")
    officer = api_client(ministry)
    assert_problem(officer.post(f"employers/{employer.pk}/programmes/CA-SAG/reject", {"reason": ""}), 422, "reason")
    assert_problem(api_client(employer_user).post(f"employers/{employer.pk}/programmes/CA-SAG/approve", {}), 403)
    rejected = officer.post(f"employers/{employer.pk}/programmes/CA-SAG/reject", {"reason": "no papers"})
    assert rejected.json()["status"] == "rejected"
    renewed = officer.post(f"employers/{employer.pk}/programmes/CA-SAG/renew", {})
    assert_problem(renewed, 409)


def test_other_organisations_get_404(employer, make_user, api_client):
    assert_problem(api_client(make_user(Role.EMPLOYER)).get(f"employers/{employer.pk}"), 404, "employer_id")
    assert_problem(api_client(make_user(Role.UNION)).get(f"employers/{employer.pk}"), 404)


def test_housing_crud_and_check(worksite, employer_user, programme, api_client, make_user):
    client = api_client(employer_user)
    data = {
        "worksite_id": worksite.pk, "address": "Bunkhouse", "beds_per_room": [6, 4], "floor_area_m2": "40",
        "facilities": ["kitchen"], "charge_amount": "0", "charge_currency": "CAD",
    }
    created = client.post("employers/housing", data)
    assert created.status_code == 201, created.content
    unit_id = created.json()["id"]
    assert created.json()["capacity"] == 10
    check = client.get(f"employers/housing/{unit_id}/check", programme="CA-SAG").json()
    assert not check["compliant"]
    assert {f["rule"] for f in check["findings"]} >= {"housing.min_area_m2_per_person", "housing.max_persons_per_room"}
    patched = client.patch(f"employers/housing/{unit_id}", {"beds_per_room": [2, 2], "facilities": ["kitchen", "laundry", "heating", "toilets"]})
    assert patched.json()["rooms"] == 2
    assert client.get(f"employers/housing/{unit_id}/check", programme="CA-SAG").json()["compliant"] is True
    assert client.get("employers/housing").json()["count"] == 1
    assert_problem(client.patch(f"employers/housing/{unit_id}", {"charge_currency": "EUR1"}), 422)
    assert_problem(client.patch(f"employers/housing/{unit_id}", {"floor_area_m2": "-3"}), 422, "floor_area_m2")
    assert_problem(client.get(f"employers/housing/{unit_id}/check"), 422)
    assert_problem(client.post("employers/housing", {**data, "worksite_id": 999999}), 404, "worksite_id")
    assert_problem(api_client(make_user(Role.EMPLOYER)).get(f"employers/housing/{unit_id}"), 404)
    assert HousingUnit.objects.count() == 1


def test_housing_photo_upload(unit, employer_user, api_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = api_client(employer_user).client
    png = SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, content_type="image/png")
    response = client.post(f"/api/v1/employers/housing/{unit.pk}/photos", {"photo": png})
    assert response.status_code == 201, response.content
    assert len(response.json()["photos"]) == 1
    fake = SimpleUploadedFile("a.png", b"GIF89a" + b"\x00" * 16, content_type="image/png")
    assert_problem(client.post(f"/api/v1/employers/housing/{unit.pk}/photos", {"photo": fake}), 422, "photo")


def test_inspections_api_and_firewall(unit, inspector, employer_user, make_user, api_client):
    client = api_client(inspector)
    created = client.post("employers/inspections", {"unit_id": unit.pk, "date": TODAY.isoformat(), "result": "pass"})
    assert created.status_code == 201, created.content
    assert client.get("employers/inspections", unit=unit.pk).json()["count"] == 1
    assert api_client(employer_user).get("employers/inspections").json()["count"] == 1
    assert_problem(client.post("employers/inspections", {"unit_id": unit.pk, "date": TODAY.isoformat(), "result": "great"}), 422, "result")
    assert_problem(api_client(employer_user).post("employers/inspections", {"unit_id": unit.pk, "date": TODAY.isoformat(), "result": "pass"}), 403)
    immigration = api_client(make_user(Role.IMMIGRATION_OFFICER))
    assert_problem(immigration.get("employers/inspections"), 403)
    # Immigration still reads the employer's identity and approval status.
    assert immigration.get("employers/").status_code == 200


def test_tokens_need_the_employers_scope(employer, employer_user, api_client):
    from corridor.accounts import services as account_services

    employer_user.is_org_admin = True
    employer_user.save()
    _, secret = account_services.api_token_create(actor=employer_user, organisation=employer_user.organisation, name="t", scopes=["employers:read"])
    client = api_client(token=secret)
    assert client.get("employers/me").status_code == 200
    assert_problem(client.post(f"employers/{employer.pk}/worksites", {"name": "x", "address": "y", "country": "CA"}), 403)
