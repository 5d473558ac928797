"""Employer services: registration, every approval transition and refusal, housing, photos, inspections, audit."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from corridor.core.access import Role
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.models import AuditEvent
from corridor.employers import selectors, services
from corridor.employers.models import EmployerApproval, EmployerProfile, HousingPhoto, Worksite

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LATER = TODAY + datetime.timedelta(days=60)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def test_register_creates_profile_and_worksites_with_audit(employer, employer_user):
    assert employer.organisation == employer_user.organisation
    assert employer.worksites.get().name == "Orchard"
    actions = list(AuditEvent.objects.filter(organisation_ref=employer.organisation_id).values_list("action", flat=True))
    assert "employer.register" in actions and "worksite.create" in actions


def test_register_is_all_or_nothing_and_names_fields(employer_user):
    with pytest.raises(InvalidInput) as exc:
        services.employer_register(
            actor=employer_user, business_id="BN", sectors=["Z"], contact_name="", contact_email="x",
            worksites=[{"name": "Ok", "address": "a", "country": "XX"}],
        )
    fields = {e["field"] for e in exc.value.errors}
    assert {"sectors", "contact_name", "contact_email", "worksites[0].country"} <= fields
    assert not EmployerProfile.objects.exists() and not Worksite.objects.exists()


def test_only_employer_members_register_and_only_once(make_user, employer, employer_user):
    with pytest.raises(Forbidden):
        services.employer_register(actor=make_user(Role.MINISTRY_OFFICER), business_id="B", sectors=["A"], contact_name="n", contact_email="a@b.c")
    with pytest.raises(Conflict):
        services.employer_register(actor=employer_user, business_id="B", sectors=["A"], contact_name="n", contact_email="a@b.c")


def test_update_profile_and_add_worksite(employer, employer_user, make_user):
    services.employer_update(actor=employer_user, employer=employer, contact_phone="+1 555")
    assert EmployerProfile.objects.get().contact_phone == "+1 555"
    services.worksite_create(actor=employer_user, employer=employer, name="Barn", address="2 Road", country="ca")
    assert employer.worksites.count() == 2
    with pytest.raises(Forbidden):
        services.worksite_create(actor=make_user(Role.EMPLOYER), employer=employer, name="X", address="Y", country="CA")


def test_apply_and_approve_for_the_programmes_period(approved, programme, ministry):
    assert approved.status == "approved" and approved.reviewer == ministry
    assert approved.valid_from == TODAY
    months = programme.rule_versions.get().rules["employer_approval_months"]
    assert approved.valid_until == services.add_months(TODAY, months) - datetime.timedelta(days=1)
    events = AuditEvent.objects.filter(programme_ref=programme.pk, action__startswith="employer.")
    assert set(events.values_list("action", flat=True)) == {"employer.apply", "employer.approve"}
    assert selectors.employer_may_submit_job_orders(approved.employer, programme, TODAY)[0]
    assert not selectors.employer_may_submit_job_orders(approved.employer, programme, approved.valid_until + datetime.timedelta(days=1))[0]


def test_add_months_clamps_to_month_end():
    assert services.add_months(datetime.date(2027, 1, 31), 1) == datetime.date(2027, 2, 28)
    assert services.add_months(datetime.date(2027, 11, 15), 14) == datetime.date(2029, 1, 15)


def test_apply_refusals(employer, employer_user, make_user, programme):
    with pytest.raises(Forbidden):
        services.employer_apply(actor=make_user(Role.EMPLOYER), employer=employer, programme=programme)
    services.employer_apply(actor=employer_user, employer=employer, programme=programme)
    with pytest.raises(Conflict):
        services.employer_apply(actor=employer_user, employer=employer, programme=programme)


def test_apply_to_another_countrys_programme_is_refused(make_user):
    from corridor.programmes import services as programme_services

    es = programme_services.programme_create(
        actor=make_user(Role.MINISTRY_ADMIN, country="ES"), code="ES-X", name="x", institutional_design="bilateral",
        category="seasonal", destination_country="ES",
    )
    user = make_user(Role.EMPLOYER, country="CA")
    employer = services.employer_register(actor=user, business_id="B", sectors=["A"], contact_name="n", contact_email="a@b.c")
    with pytest.raises(InvalidInput) as exc:
        services.employer_apply(actor=user, employer=employer, programme=es)
    assert exc.value.field == "programme"


@pytest.mark.parametrize("role, country", [(Role.MINISTRY_OFFICER, "ES"), (Role.LABOUR_INSPECTOR, "CA"), (Role.EMPLOYER, "CA"), (Role.IMMIGRATION_OFFICER, "CA"), (Role.PLATFORM_ADMIN, "CA")])
def test_only_the_destination_ministry_reviews(role, country, make_user, employer, employer_user, programme):
    services.employer_apply(actor=employer_user, employer=employer, programme=programme)
    with pytest.raises(Forbidden):
        services.employer_approve(actor=make_user(role, country=country), employer=employer, programme=programme)
    assert EmployerApproval.objects.get().status == "pending"


def test_reject_needs_a_reason_then_reapply(employer, employer_user, ministry, programme):
    services.employer_apply(actor=employer_user, employer=employer, programme=programme)
    with pytest.raises(InvalidInput) as exc:
        services.employer_reject(actor=ministry, employer=employer, programme=programme, reason=" ")
    assert exc.value.field == "reason"
    rejected = services.employer_reject(actor=ministry, employer=employer, programme=programme, reason="No registration", vetting={"documents_checked": "none"})
    assert (rejected.status, rejected.reason, rejected.documents_checked) == ("rejected", "No registration", "none")
    ok, why = selectors.employer_may_submit_job_orders(employer, programme, TODAY)
    assert not ok and "rejected" in why
    again = services.employer_apply(actor=employer_user, employer=employer, programme=programme)
    assert again.status == "pending" and again.reason == ""


def test_approve_or_reject_only_pending(approved, ministry, programme):
    with pytest.raises(Conflict):
        services.employer_approve(actor=ministry, employer=approved.employer, programme=programme)
    with pytest.raises(Conflict):
        services.employer_reject(actor=ministry, employer=approved.employer, programme=programme, reason="x")


def test_transition_without_application_is_a_conflict(employer, ministry, programme):
    with pytest.raises(Conflict):
        services.employer_approve(actor=ministry, employer=employer, programme=programme)


def test_suspend_blocks_job_orders_until_the_end_date(approved, ministry, programme):
    employer = approved.employer
    for kw, field in [({"reason": "", "until": LATER}, "reason"), ({"reason": "x", "until": None}, "until"), ({"reason": "x", "until": TODAY}, "until")]:
        with pytest.raises(InvalidInput) as exc:
            services.employer_suspend(actor=ministry, employer=employer, programme=programme, **kw)
        assert exc.value.field == field
    suspended = services.employer_suspend(actor=ministry, employer=employer, programme=programme, reason="Unpaid wages", until=LATER)
    assert suspended.status == "suspended" and suspended.restricted_until == LATER
    ok, why = selectors.employer_may_submit_job_orders(employer, programme, TODAY)
    assert not ok and "Unpaid wages" in why
    assert selectors.employer_may_submit_job_orders(employer, programme, LATER + datetime.timedelta(days=1))[0]
    with pytest.raises(Conflict):
        services.employer_suspend(actor=ministry, employer=employer, programme=programme, reason="again", until=LATER)
    with pytest.raises(Conflict):
        services.employer_renew(actor=ministry, employer=employer, programme=programme)


def test_ban_with_and_without_end(approved, ministry, programme):
    employer = approved.employer
    with pytest.raises(InvalidInput):
        services.employer_ban(actor=ministry, employer=employer, programme=programme, reason="", until=None)
    banned = services.employer_ban(actor=ministry, employer=employer, programme=programme, reason="Trafficking conviction", until=None)
    assert banned.status == "banned" and banned.restricted_until is None
    ok, why = selectors.employer_may_submit_job_orders(employer, programme, TODAY + datetime.timedelta(days=5000))
    assert not ok and "without end date" in why
    with pytest.raises(Conflict):
        services.employer_ban(actor=ministry, employer=employer, programme=programme, reason="again")
    with pytest.raises(Conflict):
        services.employer_renew(actor=ministry, employer=employer, programme=programme)


def test_ban_with_end_date_and_ban_without_application(employer, ministry, programme):
    banned = services.employer_ban(actor=ministry, employer=employer, programme=programme, reason="Fraud", until=LATER)
    assert banned.restricted_until == LATER
    assert not selectors.employer_may_submit_job_orders(employer, programme, LATER + datetime.timedelta(days=1))[0]
    assert AuditEvent.objects.get(action="employer.ban").programme_ref == programme.pk


def test_renew_starts_a_new_period(approved, ministry, programme):
    EmployerApproval.objects.filter(pk=approved.pk).update(status="expired", valid_from=TODAY - datetime.timedelta(days=800), valid_until=TODAY - datetime.timedelta(days=1))
    renewed = services.employer_renew(actor=ministry, employer=approved.employer, programme=programme)
    assert renewed.status == "approved" and renewed.valid_from == TODAY
    assert AuditEvent.objects.filter(action="employer.renew", programme_ref=programme.pk).exists()


def test_set_trusted(approved, ministry, programme, make_user):
    employer = services.employer_set_trusted(actor=ministry, employer=approved.employer, programme=programme, trusted=True)
    assert employer.trusted
    assert AuditEvent.objects.get(action="employer.trusted").programme_ref == programme.pk
    with pytest.raises(Forbidden):
        services.employer_set_trusted(actor=make_user(Role.EMPLOYER), employer=employer, programme=programme, trusted=False)


def test_not_approved_employer_may_not_submit(employer, programme):
    ok, why = selectors.employer_may_submit_job_orders(employer, programme, TODAY)
    assert not ok and "not approved" in why


def test_database_constraints(employer, programme):
    EmployerApproval.objects.create(employer=employer, programme=programme)
    with pytest.raises(IntegrityError), transaction.atomic():
        EmployerApproval.objects.create(employer=employer, programme=programme)
    with pytest.raises(IntegrityError), transaction.atomic():
        EmployerApproval.objects.filter(employer=employer).update(valid_from=TODAY, valid_until=TODAY - datetime.timedelta(days=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        EmployerApproval.objects.filter(employer=employer).update(status="maybe")


def test_housing_unit_create_update_and_capacity(unit, employer_user):
    assert (unit.rooms, unit.capacity) == (2, 4)
    updated = services.housing_unit_update(actor=employer_user, unit=unit, beds_per_room=[2, 2, 1], charge_amount="50.5")
    assert (updated.rooms, updated.capacity, str(updated.charge_amount)) == (3, 5, "50.50")
    assert AuditEvent.objects.filter(action="housing.update", subject_id=str(unit.pk)).exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"beds_per_room": []}, "beds_per_room"),
        ({"beds_per_room": [2, "x"]}, "beds_per_room"),
        ({"floor_area_m2": "0"}, "floor_area_m2"),
        ({"floor_area_m2": "NaN"}, "floor_area_m2"),
        ({"charge_amount": "-1"}, "charge_amount"),
        ({"charge_currency": "XYZ"}, "charge_currency"),
        ({"facilities": [""]}, "facilities"),
        ({"status": "gone"}, "status"),
    ],
)
def test_housing_unit_validation(unit, employer_user, data, field):
    with pytest.raises(InvalidInput) as exc:
        services.housing_unit_update(actor=employer_user, unit=unit, **data)
    assert field in {e["field"] for e in exc.value.errors}


def test_only_the_employers_members_manage_housing(unit, worksite, make_user):
    other = make_user(Role.EMPLOYER)
    with pytest.raises(Forbidden):
        services.housing_unit_update(actor=other, unit=unit, address="mine")
    with pytest.raises(Forbidden):
        services.housing_unit_create(actor=make_user(Role.LABOUR_INSPECTOR), worksite=worksite, address="a", beds_per_room=[1], floor_area_m2=5, charge_currency="CAD")


def test_photo_uploads_are_checked_by_magic_bytes_and_size(unit, employer_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = services.housing_photo_add(actor=employer_user, unit=unit, upload=SimpleUploadedFile("a.png", PNG))
    assert photo.content_type == "image/png"
    assert services.housing_photo_add(actor=employer_user, unit=unit, upload=SimpleUploadedFile("b.bin", JPEG)).content_type == "image/jpeg"
    with pytest.raises(InvalidInput) as exc:
        services.housing_photo_add(actor=employer_user, unit=unit, upload=SimpleUploadedFile("evil.jpg", b"<?php echo 1; ?>"))
    assert exc.value.field == "photo"
    settings.CORRIDOR_MAX_UPLOAD_BYTES = 10
    with pytest.raises(InvalidInput):
        services.housing_photo_add(actor=employer_user, unit=unit, upload=SimpleUploadedFile("big.png", PNG))
    assert HousingPhoto.objects.count() == 2


def test_inspections_by_labour_inspectors_of_the_country_only(unit, inspector, make_user, employer_user, programme):
    inspection = services.housing_inspection_record(actor=inspector, unit=unit, date=TODAY, result="pass", programme=programme)
    assert inspection.inspector == inspector
    assert AuditEvent.objects.get(action="housing.inspection").programme_ref == programme.pk
    for actor in (make_user(Role.LABOUR_INSPECTOR, country="ES"), employer_user, make_user(Role.MINISTRY_OFFICER)):
        with pytest.raises(Forbidden):
            services.housing_inspection_record(actor=actor, unit=unit, date=TODAY, result="pass")
    with pytest.raises(InvalidInput) as exc:
        services.housing_inspection_record(actor=inspector, unit=unit, date=TODAY + datetime.timedelta(days=1), result="fail")
    assert {e["field"] for e in exc.value.errors} == {"date", "notes"}


def test_housing_check_against_the_programme(unit, programme):
    check = selectors.housing_check(unit=unit, programme=programme)
    assert check["compliant"] and check["standard"]["min_area_m2_per_person"] == 7.5
    unit.beds_per_room = [6, 4]
    check = selectors.housing_check(unit=unit, programme=programme)
    assert not check["compliant"]
    assert {f["rule"] for f in check["findings"]} == {"housing.min_area_m2_per_person", "housing.max_persons_per_room"}


def test_what_a_candidate_sees(unit, inspector, settings, tmp_path, employer_user):
    settings.MEDIA_ROOT = tmp_path
    services.housing_photo_add(actor=employer_user, unit=unit, upload=SimpleUploadedFile("a.png", PNG))
    services.housing_inspection_record(actor=inspector, unit=unit, date=TODAY, result="conditional", notes="Fix the heater")
    seen = selectors.housing_for_candidate(unit=unit)
    assert seen["capacity"] == 4 and len(seen["photos"]) == 1
    assert seen["last_inspection"] == {"date": TODAY, "result": "conditional"}
    assert "Fix the heater" not in str(seen) and "inspector" not in str(seen)


def test_apply_again_only_after_a_ban_has_ended(employer, employer_user, ministry, programme):
    services.employer_ban(actor=ministry, employer=employer, programme=programme, reason="Fraud", until=LATER)
    with pytest.raises(Conflict):
        services.employer_apply(actor=employer_user, employer=employer, programme=programme)
    EmployerApproval.objects.filter(employer=employer).update(restricted_until=TODAY - datetime.timedelta(days=1))
    again = services.employer_apply(actor=employer_user, employer=employer, programme=programme)
    assert (again.status, again.restricted_until, again.reason) == ("pending", None, "")
