"""Duplicate detection at registration, and the origin authority's merge and dismissal."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from corridor.accounts.models import OrgKind
from corridor.core.access import Role
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.models import AuditEvent
from corridor.recruitment.models import AgencyRating
from corridor.workers import duplicates, services
from corridor.workers.models import (
    Consent,
    DuplicateFlag,
    DuplicateStatus,
    IdentityDocument,
    LanguageResult,
    MedicalClearance,
    PoolStatus,
    Worker,
    WorkerContact,
    WorkerOccupation,
)

pytestmark = pytest.mark.django_db

BORN = datetime.date(1991, 3, 8)
_phones = iter(range(1000, 9999))


def on_behalf(officer, **changes) -> Worker:
    data = {"given_names": "José Luis", "family_names": "Martínez López", "sex": "male", "date_of_birth": BORN,
            "nationality": "MX", "region_of_origin": "Michoacán", "phone": f"+52 443 555 {next(_phones)}",
            "language": "es"}
    data.update(changes)
    return services.worker_register_on_behalf(actor=officer, **data)


def flags_of(worker) -> list[DuplicateFlag]:
    from django.db.models import Q

    return list(DuplicateFlag.objects.filter(Q(first=worker) | Q(second=worker)).order_by("pk"))


# --- detection ---------------------------------------------------------------------------------------------------


def test_registering_the_same_person_twice_is_flagged(make_worker, origin_officer):
    first = make_worker(date_of_birth=BORN)
    second = on_behalf(origin_officer, given_names="Jose Luis", family_names="Martinez Lopes")
    [flag] = flags_of(second)
    assert (flag.first_id, flag.second_id) == (first.pk, second.pk)
    assert flag.status == DuplicateStatus.OPEN and flag.score >= Decimal("0.85")
    assert "same date of birth" in flag.reasons
    assert AuditEvent.objects.filter(action="worker.duplicate.flag", subject_id=str(flag.pk)).exists()


def test_a_swapped_day_and_month_and_names_in_the_wrong_fields_are_flagged(origin_officer):
    first = on_behalf(origin_officer)
    second = on_behalf(origin_officer, given_names="Martinez Lopez", family_names="Jose Luis",
                       date_of_birth=datetime.date(1991, 8, 3))
    [flag] = flags_of(second)
    assert {flag.first_id, flag.second_id} == {first.pk, second.pk}
    assert "birth dates with day and month swapped" in flag.reasons


def test_the_same_passport_number_is_flagged_when_the_document_is_recorded(origin_officer):
    first = on_behalf(origin_officer, given_names="Ana", family_names="Ruiz", sex="female")
    second = on_behalf(origin_officer, given_names="Juana", family_names="Pérez", sex="female",
                       date_of_birth=datetime.date(1970, 1, 2))
    assert flags_of(second) == []
    for worker, number in ((first, "G 123-4567"), (second, "g1234567")):
        services.document_add(actor=origin_officer, worker=worker, kind="passport", number=number, issuing_country="MX",
                              expires_on=datetime.date.today() + datetime.timedelta(days=900))
    [flag] = flags_of(second)
    assert flag.reasons[0] == "same passport number"


def test_different_people_and_other_nationals_are_not_flagged(make_user, make_org, origin_officer):
    on_behalf(origin_officer)
    assert flags_of(on_behalf(origin_officer, given_names="Pedro", family_names="Sánchez Ruiz")) == []
    assert flags_of(on_behalf(origin_officer, date_of_birth=datetime.date(1975, 6, 30))) == []
    gt_officer = make_user(Role.ORIGIN_OFFICER, organisation=make_org(OrgKind.ORIGIN_AUTHORITY, "GT"))
    assert flags_of(on_behalf(gt_officer, nationality="GT")) == []


def test_detection_leaves_decided_pairs_and_merged_records_alone(origin_officer):
    first = on_behalf(origin_officer)
    second = on_behalf(origin_officer)
    [flag] = flags_of(second)
    duplicates.duplicate_dismiss(actor=origin_officer, flag=flag, note="Twins: two passports seen.")
    assert duplicates.detect_for(second) == []
    assert len(flags_of(second)) == 1
    merged_target = on_behalf(origin_officer, given_names="Luis", family_names="Ortega", date_of_birth=datetime.date(1980, 1, 1))
    Worker.objects.filter(pk=first.pk).update(status=PoolStatus.MERGED, merged_into=merged_target)
    third = on_behalf(origin_officer)
    assert {f.first_id for f in flags_of(third)} | {f.second_id for f in flags_of(third)} == {second.pk, third.pk}


# --- merge -------------------------------------------------------------------------------------------------------


@pytest.fixture
def pair(make_worker, origin_officer, programme):
    """A worker who registered on their own (account, contact, parts) and a record the authority made for the same
    person (parts of its own, no account)."""
    today = datetime.date.today()
    mine = make_worker(date_of_birth=BORN)
    theirs = on_behalf(origin_officer, given_names="Jose Luis", family_names="Martinez Lopez")
    services.document_add(actor=origin_officer, worker=mine, kind="passport", number="G1234567", issuing_country="MX",
                          expires_on=today + datetime.timedelta(days=2000))
    services.document_add(actor=origin_officer, worker=theirs, kind="national_id", number="MALJ910308",
                          issuing_country="MX", expires_on=today + datetime.timedelta(days=3000))
    services.language_result_add(actor=origin_officer, worker=mine, language="en", test="Linguaskill", level="A2",
                                 taken_on=today - datetime.timedelta(days=100))
    services.occupation_add(actor=origin_officer, worker=mine, isco_code="9211", years_experience="6")
    services.occupation_add(actor=origin_officer, worker=mine, isco_code="6111", years_experience="2")
    services.occupation_add(actor=origin_officer, worker=theirs, isco_code="9211", years_experience="3")
    services.medical_add(actor=origin_officer, worker=mine, fit=True, issued_on=today - datetime.timedelta(days=20),
                         valid_until=today + datetime.timedelta(days=300), issued_by="Clínica Morelia")
    services.consent_give(actor=mine.user, worker=mine, purpose="employers", programme=programme)
    Consent.objects.create(worker=theirs, purpose="employers", programme=programme, wording="Share with employers.",
                           language="es")
    WorkerContact.objects.filter(worker=theirs).delete()
    [flag] = flags_of(theirs)
    return mine, theirs, flag


def test_merge_moves_everything_to_the_record_kept_and_keeps_history(pair, origin_officer, make_org):
    mine, theirs, flag = pair
    agency = make_org(OrgKind.RECRUITMENT_AGENCY, "MX")
    rating = AgencyRating.objects.create(worker=mine, agency=agency, fees=5, information=4, contract_honesty=4, treatment=5)
    user_id, contact_id = mine.user_id, mine.contact.pk
    kept = duplicates.duplicate_merge(actor=origin_officer, flag=flag, keep=theirs.public_id)

    assert kept.pk == theirs.pk
    mine.refresh_from_db()
    assert mine.status == PoolStatus.MERGED and mine.merged_into_id == theirs.pk and mine.user_id is None
    assert kept.user_id == user_id and kept.confirmed_at is not None
    assert WorkerContact.objects.get(pk=contact_id).worker_id == kept.pk
    assert set(IdentityDocument.objects.filter(worker=kept).values_list("kind", flat=True)) == {"passport", "national_id"}
    assert LanguageResult.objects.filter(worker=kept).count() == 1
    assert MedicalClearance.objects.filter(worker=kept).count() == 1
    assert dict(WorkerOccupation.objects.filter(worker=kept).values_list("isco_code", "years_experience")) == {
        "9211": Decimal("6.0"), "6111": Decimal("2.0")}
    # The kept record already had the same valid consent: the merged record's stays with it, as history.
    assert Consent.objects.filter(worker=kept, withdrawn_at__isnull=True).count() == 1
    assert Consent.objects.filter(worker=mine).count() == 1
    rating.refresh_from_db()
    assert rating.worker_id == kept.pk  # parts held elsewhere on the platform move too

    flag.refresh_from_db()
    assert flag.status == DuplicateStatus.MERGED and flag.decided_by == origin_officer and flag.decided_at
    moves = AuditEvent.objects.filter(action="worker.merge.move")
    moved = {(e.subject_type, e.before.get("worker") or e.before.get("worker_id")) for e in moves}
    assert ("workers.identitydocument", mine.pk) in moved and ("workers.workercontact", mine.pk) in moved
    assert ("recruitment.agencyrating", mine.pk) in moved
    assert moves.count() == 6  # passport, result, 6111, medical clearance, contact, rating
    assert AuditEvent.objects.filter(action="worker.merge", subject_id=str(mine.pk)).exists()
    assert AuditEvent.objects.filter(action="worker.duplicate.merge", subject_id=str(flag.pk)).exists()
    assert AuditEvent.objects.filter(action="worker.register", subject_id=str(mine.pk)).exists()  # history stays


def test_an_exclusion_carries_over_to_the_record_kept(pair, origin_officer):
    mine, theirs, flag = pair
    until = datetime.date.today() + datetime.timedelta(days=400)
    services.worker_exclude(actor=origin_officer, worker=mine, until=until, reason="Left the programme without notice.")
    kept = duplicates.duplicate_merge(actor=origin_officer, flag=flag, keep=theirs)
    assert kept.banned_until == until and "without notice" in kept.ban_reason


def test_other_open_flags_of_the_merged_record_are_repointed_or_closed(pair, origin_officer):
    mine, theirs, flag = pair
    third = on_behalf(origin_officer, given_names="José", family_names="Martínez López")
    third_flags = {(f.first_id, f.second_id): f for f in flags_of(third)}
    assert set(third_flags) == {(mine.pk, third.pk), (theirs.pk, third.pk)}
    fourth = on_behalf(origin_officer, given_names="Luis", family_names="Martinez", date_of_birth=datetime.date(1991, 3, 9))
    extra = DuplicateFlag.objects.create(first=mine, second=fourth, score=Decimal("0.9"), reasons=["test"])

    duplicates.duplicate_merge(actor=origin_officer, flag=flag, keep=theirs.pk)
    closed = third_flags[(mine.pk, third.pk)]
    closed.refresh_from_db()
    assert closed.status == DuplicateStatus.MERGED and "already compared" in closed.note
    extra.refresh_from_db()
    assert (extra.first_id, extra.second_id, extra.status) == (theirs.pk, fourth.pk, DuplicateStatus.OPEN)
    assert AuditEvent.objects.filter(action="worker.duplicate.repoint", subject_id=str(extra.pk)).exists()


def test_the_database_requires_a_merged_record_to_point_somewhere(origin_officer):
    worker = on_behalf(origin_officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Worker.objects.filter(pk=worker.pk).update(status=PoolStatus.MERGED)


# --- dismissal and who decides -----------------------------------------------------------------------------------


def test_dismiss_records_the_note_and_the_officer(pair, origin_officer):
    _mine, _theirs, flag = pair
    duplicates.duplicate_dismiss(actor=origin_officer, flag=flag, note="Brothers, seen with both passports.")
    flag.refresh_from_db()
    assert (flag.status, flag.note, flag.decided_by) == (DuplicateStatus.DISMISSED, "Brothers, seen with both passports.",
                                                         origin_officer)
    assert AuditEvent.objects.filter(action="worker.duplicate.dismiss", subject_id=str(flag.pk)).exists()
    with pytest.raises(Conflict):
        duplicates.duplicate_merge(actor=origin_officer, flag=flag, keep=flag.first_id)
    with pytest.raises(Conflict):
        duplicates.duplicate_dismiss(actor=origin_officer, flag=flag)


@pytest.mark.parametrize("role", ["other_country", Role.PLATFORM_ADMIN, Role.AGENCY, Role.EMPLOYER, Role.MINISTRY_OFFICER])
def test_only_the_origin_officer_of_that_nationality_decides(pair, role, jm_officer, make_user):
    mine, _theirs, flag = pair
    actor = jm_officer if role == "other_country" else make_user(role, country="MX" if role == Role.AGENCY else "CA")
    with pytest.raises(Forbidden):
        duplicates.duplicate_merge(actor=actor, flag=flag, keep=mine.public_id)
    with pytest.raises(Forbidden):
        duplicates.duplicate_dismiss(actor=actor, flag=flag, note="no")
    flag.refresh_from_db()
    assert flag.status == DuplicateStatus.OPEN


def test_the_queue_shows_the_authority_its_own_nationals_only(pair, origin_officer, jm_officer):
    mine, _theirs, flag = pair
    assert list(duplicates.duplicate_list(user=origin_officer)) == [flag]
    assert list(duplicates.duplicate_list(user=jm_officer)) == []
    assert list(duplicates.duplicate_list(user=mine.user)) == []


def test_keep_must_be_one_of_the_two_records(pair, origin_officer):
    _mine, _theirs, flag = pair
    stranger = on_behalf(origin_officer, given_names="Otro", family_names="Nombre", date_of_birth=datetime.date(1960, 1, 1))
    for keep in (stranger.public_id, stranger.pk, "", "W-NOPE"):
        with pytest.raises(InvalidInput) as caught:
            duplicates.duplicate_merge(actor=origin_officer, flag=flag, keep=keep)
        assert caught.value.field == "keep"
    flag.refresh_from_db()
    assert flag.status == DuplicateStatus.OPEN


def test_a_note_too_long_is_refused(pair, origin_officer):
    with pytest.raises(InvalidInput) as caught:
        duplicates.duplicate_dismiss(actor=origin_officer, flag=pair[2], note="x" * 2001)
    assert caught.value.field == "note"
