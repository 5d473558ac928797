"""Employer pages: registration, profile, review queue and decisions, housing form and check, inspections."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from corridor.core.access import Role
from corridor.employers.models import EmployerApproval, EmployerProfile, HousingInspection, HousingUnit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def test_registration_page(employer_user, web_client):
    client = web_client(employer_user)
    assert client.get("/employers/me/").url == "/employers/register/"
    page = client.get("/employers/register/")
    assert page.status_code == 200 and b'name="business_id"' in page.content
    bad = client.post("/employers/register/", {"business_id": "B", "contact_name": "n", "contact_email": "a@b.c"})
    assert bad.status_code == 422 and b"has-error" in bad.content
    response = client.post(
        "/employers/register/",
        {"business_id": "B", "sectors": ["A"], "contact_name": "n", "contact_email": "a@example.org", "worksite_name": "Farm", "worksite_address": "1 Road"},
    )
    profile = EmployerProfile.objects.get()
    assert response.status_code == 302 and profile.worksites.get().country == "CA"
    assert client.get("/employers/me/").url == f"/employers/{profile.pk}/"


def test_profile_and_apply(employer, employer_user, programme, web_client, make_user):
    client = web_client(employer_user)
    page = client.get(f"/employers/{employer.pk}/")
    assert page.status_code == 200 and b"CA-SAG" in page.content and b"Orchard" in page.content
    assert client.post(f"/employers/{employer.pk}/apply/", {"programme": "CA-SAG"}).status_code == 302
    assert EmployerApproval.objects.get().status == "pending"
    assert web_client(make_user(Role.EMPLOYER)).get(f"/employers/{employer.pk}/").status_code == 404
    assert web_client(make_user(Role.EMPLOYER)).post(f"/employers/{employer.pk}/apply/", {"programme": "CA-SAG"}).status_code == 404


def test_worksite_page(employer, employer_user, web_client):
    client = web_client(employer_user)
    assert client.get(f"/employers/{employer.pk}/worksites/new/").status_code == 200
    assert client.post(f"/employers/{employer.pk}/worksites/new/", {"name": "B", "address": "2", "country": "XX"}).status_code == 422
    assert client.post(f"/employers/{employer.pk}/worksites/new/", {"name": "B", "address": "2", "country": "CA"}).status_code == 302


def test_review_queue_and_decisions(employer, employer_user, ministry, programme, web_client, make_user):
    from corridor.employers import services

    services.employer_apply(actor=employer_user, employer=employer, programme=programme)
    client = web_client(ministry)
    queue = client.get("/employers/review/")
    assert queue.status_code == 200 and employer.organisation.name.encode() in queue.content
    url = f"/employers/{employer.pk}/programmes/CA-SAG/review/"
    assert client.get(url).status_code == 200
    missing_reason = client.post(url, {"action": "reject", "reason": ""})
    assert missing_reason.status_code == 422 and b"Give the reason" in missing_reason.content
    assert client.post(url, {"action": "approve", "documents_checked": "registration"}).status_code == 302
    assert EmployerApproval.objects.get().status == "approved"
    wrong = client.post(url, {"action": "approve"})
    assert wrong.status_code == 422
    until = (TODAY + datetime.timedelta(days=10)).isoformat()
    assert client.post(url, {"action": "suspend", "reason": "arrears", "until": until}).status_code == 302
    assert EmployerApproval.objects.get().status == "suspended"
    assert web_client(make_user(Role.UNION)).get("/employers/review/").status_code == 403
    assert web_client(employer_user).post(url, {"action": "approve"}).status_code in (403, 422)


def test_housing_form_detail_and_check(worksite, employer_user, programme, web_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = web_client(employer_user)
    assert client.get("/employers/housing/new/").status_code == 200
    data = {
        "worksite": worksite.pk, "address": "Bunkhouse", "beds_per_room": "6, 4", "floor_area_m2": "40", "facilities": "kitchen, toilets",
        "charge_amount": "0", "charge_currency": "CAD", "status": "offered",
    }
    bad_photo = client.post("/employers/housing/new/", {**data, "photo": SimpleUploadedFile("x.png", b"not an image")})
    assert bad_photo.status_code == 422 and not HousingUnit.objects.exists()
    assert client.post("/employers/housing/new/", {**data, "beds_per_room": "two"}).status_code == 422
    photo = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 8)
    response = client.post("/employers/housing/new/", {**data, "photo": photo})
    unit = HousingUnit.objects.get()
    assert response.status_code == 302 and unit.photos.count() == 1
    detail = client.get(f"/employers/housing/{unit.pk}/", {"programme": "CA-SAG"})
    assert detail.status_code == 200
    assert "minimum of 7.5 m²".encode() in detail.content
    assert client.get(f"/employers/housing/{unit.pk}/edit/").status_code == 200
    assert client.post(f"/employers/housing/{unit.pk}/edit/", {**data, "beds_per_room": "2, 2"}).status_code == 302
    assert HousingUnit.objects.get().capacity == 4


def test_inspection_page(unit, inspector, employer_user, web_client, make_user):
    client = web_client(inspector)
    url = f"/employers/housing/{unit.pk}/inspect/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"date": TODAY.isoformat(), "result": "fail"}).status_code == 422
    assert client.post(url, {"date": TODAY.isoformat(), "result": "fail", "notes": "Mould"}).status_code == 302
    assert HousingInspection.objects.get().result == "fail"
    assert web_client(employer_user).get(url).status_code == 403
    assert web_client(make_user(Role.IMMIGRATION_OFFICER)).get(url).status_code == 403
    assert b"Fail" in web_client(employer_user).get(f"/employers/housing/{unit.pk}/").content
