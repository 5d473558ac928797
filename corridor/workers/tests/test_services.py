"""The worker pool's services: registration (by the worker, on their behalf, the claim), the profile's parts, consent,
status and the data export. Every bad field is named, nothing is partly saved, and each role does only its part."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.accounts.models import OrgKind, User
from corridor.core.access import Role
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.models import AuditEvent
from corridor.workers import selectors, services
from corridor.workers.models import (
    Channel,
    Consent,
    DuplicateFlag,
    IdentityDocument,
    LanguageResult,
    MedicalClearance,
    PoolStatus,
    Worker,
    WorkerContact,
    WorkerOccupation,
)
from corridor.workers.tests.conftest import PASSWORD, registration, today, years_ago

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def _fields(exc) -> set[str]:
    return {e["field"] for e in exc.value.as_errors()}


def _nothing_saved():
    assert not Worker.objects.exists() and not WorkerContact.objects.exists()
    assert not User.objects.filter(role_assignments__role=Role.WORKER).exists()


# --- registration by the worker ------------------------------------------------------------------------------------


def test_self_registration_creates_account_worker_and_contact():
    worker = services.worker_register_self(**registration())
    assert worker.public_id.startswith("W-") and len(worker.public_id) == 10
    assert set(worker.public_id[2:]) <= set(services.PUBLIC_ID_ALPHABET)
    assert worker.registered_via == Channel.SELF and worker.confirmed_at is not None
    assert worker.status == PoolStatus.REGISTERED and worker.language == "es" and worker.name_key
    user = worker.user
    assert user.username == "+524431234567" and user.organisation is None and user.check_password(PASSWORD)
    assert user.role_set() == {Role.WORKER}
    assert worker.contact.phone == "+524431234567"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"user.create", "role.grant", "worker.register", "worker.contact.create"} <= actions


def test_a_chosen_username_and_any_iso_639_language():
    worker = services.worker_register_self(**registration(username="ram.thapa", language="nep", nationality="np",
                                                          phone="00977 98 4123 4567"))
    assert worker.user.username == "ram.thapa" and worker.language == "ne" and worker.nationality == "NP"
    assert worker.contact.phone == "+9779841234567"
    assert worker.user.language == "ne"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"given_names": ""}, "given_names"),
        ({"family_names": "x" * 151}, "family_names"),
        ({"sex": "robot"}, "sex"),
        ({"date_of_birth": today() + datetime.timedelta(days=1)}, "date_of_birth"),
        ({"date_of_birth": years_ago(10)}, "date_of_birth"),
        ({"date_of_birth": "1890-01-01"}, "date_of_birth"),
        ({"date_of_birth": "31/12/1990"}, "date_of_birth"),
        ({"nationality": "XX"}, "nationality"),
        ({"phone": ""}, "phone"),
        ({"phone": "443 123 4567"}, "phone"),
        ({"phone": "+52 44"}, "phone"),
        ({"phone": "+52 443 CALL ME"}, "phone"),
        ({"email": "not-an-address"}, "email"),
        ({"language": "zz"}, "language"),
        ({"education": "phd"}, "education"),
        ({"password": "short"}, "password"),
        ({"username": "bad name!"}, "username"),
        ({"given_names": "Jos\x00é"}, "given_names"),
        ({"region_of_origin": "a\nb"}, "region_of_origin"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_saved(changes, field):
    with pytest.raises(InvalidInput) as exc:
        services.worker_register_self(**registration(**changes))
    assert field in _fields(exc)
    _nothing_saved()


def test_every_problem_is_reported_at_once():
    with pytest.raises(InvalidInput) as exc:
        services.worker_register_self(**registration(given_names="", phone="123", nationality="ZZ", password=""))
    assert {"given_names", "phone", "nationality", "password"} <= _fields(exc)
    _nothing_saved()


def test_a_phone_already_used_as_username_is_named(make_worker):
    make_worker()
    with pytest.raises(InvalidInput) as exc:
        services.worker_register_self(**registration(given_names="Pedro"))
    assert _fields(exc) == {"phone"}
    assert Worker.objects.count() == 1


def test_registering_twice_is_flagged_as_a_possible_duplicate(make_worker):
    first = make_worker()
    second = make_worker(phone="+52 443 765 4321", given_names="Jose Luis", family_names="Martinez Lopez")
    flag = DuplicateFlag.objects.get()
    assert {flag.first_id, flag.second_id} == {first.pk, second.pk}


def test_a_signed_in_worker_account_registers_its_profile(make_user):
    user = make_user(Role.WORKER)
    data = {k: v for k, v in registration().items() if k != "password"}
    worker = services.worker_profile_create(actor=user, **data)
    assert worker.user == user and worker.confirmed_at is not None
    with pytest.raises(Conflict):
        services.worker_profile_create(actor=user, **data)
    with pytest.raises(Forbidden):
        services.worker_profile_create(actor=make_user(Role.EMPLOYER), **data)


# --- registration on the worker's behalf, and the claim -----------------------------------------------------------


def _behalf(**changes):
    data = registration(**changes)
    data.pop("password")
    return data


def test_the_origin_authority_registers_its_nationals_who_then_confirm(origin_officer, client):
    worker = services.worker_register_on_behalf(actor=origin_officer, **_behalf())
    assert worker.user is None and worker.confirmed_at is None
    assert worker.registered_via == Channel.ORIGIN and worker.registered_by_organisation == origin_officer.organisation
    assert list(selectors.unconfirmed_list(user=origin_officer)) == [worker]
    with pytest.raises(InvalidInput) as exc:
        services.worker_register_on_behalf(actor=origin_officer, **_behalf(nationality="GT", phone="+502 5555 1234"))
    assert _fields(exc) == {"nationality"}

    for wrong in ({"phone": "+52 443 000 0000"}, {"date_of_birth": years_ago(30)}, {"public_id": "W-ZZZZZZZZ"}):
        claim = {"phone": "+52 443 123 4567", "date_of_birth": worker.date_of_birth, "public_id": worker.public_id,
                 "password": PASSWORD, **wrong}
        with pytest.raises(InvalidInput) as exc:
            services.worker_claim(**claim)
        assert _fields(exc) == {"public_id"}
    assert not User.objects.filter(role_assignments__role=Role.WORKER).exists()

    claimed, user = services.worker_claim(phone="0052 443 123 4567", date_of_birth=worker.date_of_birth.isoformat(),
                                          public_id=worker.public_id.lower(), password=PASSWORD)
    assert claimed.pk == worker.pk and claimed.user == user and claimed.confirmed_at is not None
    assert user.username == "+524431234567" and user.role_set() == {Role.WORKER}
    assert not selectors.unconfirmed_list(user=origin_officer).exists()
    with pytest.raises(InvalidInput):
        services.worker_claim(phone="+524431234567", date_of_birth=worker.date_of_birth, public_id=worker.public_id,
                              username="second", password=PASSWORD)
    assert AuditEvent.objects.filter(action="worker.claim", subject_id=str(worker.pk)).exists()


def test_a_claim_with_a_weak_password_creates_nothing(origin_officer):
    worker = services.worker_register_on_behalf(actor=origin_officer, **_behalf())
    with pytest.raises(InvalidInput) as exc:
        services.worker_claim(phone="+524431234567", date_of_birth=worker.date_of_birth, public_id=worker.public_id,
                              password="123")
    assert _fields(exc) == {"password"}
    worker.refresh_from_db()
    assert worker.user is None and worker.confirmed_at is None


def test_agencies_register_only_where_the_licence_register_allows(agency_user, make_org, make_user, licensed, monkeypatch):
    monkeypatch.setattr(services, "_agency_check", None)
    with pytest.raises(Forbidden, match="No licensing register is installed"):
        services.worker_register_on_behalf(actor=agency_user, **_behalf())
    monkeypatch.setattr(services, "_agency_check", licensed)
    worker = services.worker_register_on_behalf(actor=agency_user, **_behalf())
    assert worker.registered_via == Channel.AGENCY
    # The agency sees what it entered until the worker confirms, and then only with the worker's consent.
    assert list(selectors.unconfirmed_list(user=agency_user)) == [worker]
    assert selectors.worker_list(user=agency_user).get() == worker
    services.worker_claim(phone="+524431234567", date_of_birth=worker.date_of_birth, public_id=worker.public_id,
                          password=PASSWORD)
    assert not selectors.worker_list(user=agency_user).exists()
    unlicensed = make_user(Role.AGENCY, organisation=make_org(OrgKind.RECRUITMENT_AGENCY, "MX", name="Fly by night"))
    with pytest.raises(Forbidden, match="no licence"):
        services.worker_register_on_behalf(actor=unlicensed, **_behalf(phone="+52 443 999 9999"))
    with pytest.raises(Forbidden):
        services.worker_register_on_behalf(actor=agency_user, **_behalf(nationality="JM", phone="+1 876 555 0100"))


@pytest.mark.parametrize("role", [Role.EMPLOYER, Role.IMMIGRATION_OFFICER, Role.MINISTRY_OFFICER, Role.WORKER])
def test_others_may_not_register_on_a_workers_behalf(role, make_user):
    with pytest.raises(Forbidden):
        services.worker_register_on_behalf(actor=make_user(role), **_behalf())
    assert not Worker.objects.exists()


# --- who may change a profile -------------------------------------------------------------------------------------


def test_who_may_change_a_profile(worker, origin_officer, jm_officer, make_user, make_worker, immigration, employer_user):
    services.language_result_add(actor=worker.user, worker=worker, language="en", test="IELTS", level="5.0",
                                 taken_on=today() - datetime.timedelta(days=5))
    services.language_result_add(actor=origin_officer, worker=worker, language="fr", test="DELF", level="A2",
                                 taken_on=today() - datetime.timedelta(days=5))
    other = make_worker(phone="+52 55 1111 2222", given_names="Ana", family_names="Ruiz", date_of_birth=years_ago(25))
    for actor in (other.user, jm_officer, immigration, employer_user, make_user(Role.AGENCY), make_user(Role.PLATFORM_ADMIN, country="CH")):
        if Role.PLATFORM_ADMIN in actor.role_set():
            continue
        with pytest.raises(Forbidden):
            services.language_result_add(actor=actor, worker=worker, language="en", test="x", level="1", taken_on=today())
    assert LanguageResult.objects.count() == 2


def test_an_agency_with_consent_changes_a_registered_profile_only(worker, agency_user, agency_org, licensed, origin_officer):
    with pytest.raises(Forbidden):
        services.occupation_add(actor=agency_user, worker=worker, isco_code="9211")
    services.consent_give(actor=worker.user, worker=worker, purpose="agency", agency=agency_org)
    services.occupation_add(actor=agency_user, worker=worker, isco_code="9211", years_experience="4")
    services.document_add(actor=agency_user, worker=worker, kind="passport", number="G1", issuing_country="MX",
                          issued_on=years_ago(1), expires_on=years_ago(-9))
    services.worker_verify(actor=origin_officer, worker=worker)
    with pytest.raises(Forbidden):
        services.occupation_add(actor=agency_user, worker=worker, isco_code="6111")
    assert selectors.worker_list(user=agency_user).get() == worker  # still sees it


def test_identity_changes_after_verification_are_the_origin_authoritys(worker, complete, origin_officer):
    services.worker_update(actor=worker.user, worker=worker, given_names="José-Luis", education="primary")
    complete(worker)
    with pytest.raises(InvalidInput) as exc:
        services.worker_update(actor=worker.user, worker=worker, family_names="Martínez")
    assert _fields(exc) == {"family_names"}
    services.worker_update(actor=worker.user, worker=worker, region_of_origin="Jalisco", language="en")
    services.worker_update(actor=origin_officer, worker=worker, family_names="Martínez")
    worker.refresh_from_db()
    assert worker.family_names == "Martínez" and worker.region_of_origin == "Jalisco" and worker.name_key
    with pytest.raises(InvalidInput) as exc:
        services.worker_update(actor=origin_officer, worker=worker, nationality="GT", sex="x")
    assert _fields(exc) == {"nationality", "sex"}
    with pytest.raises(InvalidInput) as exc:
        services.worker_update(actor=worker.user, worker=worker, status="work_ready")
    assert _fields(exc) == {"status"}


def test_contact_changes(worker, immigration):
    services.contact_update(actor=worker.user, worker=worker, email="jl@example.org", address="Calle 5, Morelia")
    worker.contact.refresh_from_db()
    assert worker.contact.email == "jl@example.org" and worker.contact.phone == "+524431234567"
    with pytest.raises(InvalidInput) as exc:
        services.contact_update(actor=worker.user, worker=worker, phone="12", email="x")
    assert _fields(exc) == {"phone", "email"}
    with pytest.raises(Forbidden):
        services.contact_update(actor=immigration, worker=worker, phone="+52 443 000 0000")


# --- documents and uploads ---------------------------------------------------------------------------------------


def _document(**changes):
    data = {"kind": "passport", "number": "G 123-4567", "issuing_country": "MX", "issued_on": years_ago(2),
            "expires_on": years_ago(-8)}
    data.update(changes)
    return data


def test_documents_with_a_scan_and_expired_ones_flagged(worker):
    scan = SimpleUploadedFile("passport.pdf", PDF, content_type="application/pdf")
    document = services.document_add(actor=worker.user, worker=worker, upload=scan, **_document())
    assert document.number_key == "g1234567" and document.content_type == "application/pdf" and document.size == len(PDF)
    assert "G" not in document.file.name and "passport" not in document.file.name  # no personal data in storage names
    assert not services.document_expired(document)
    old = services.document_add(actor=worker.user, worker=worker, **_document(kind="national_id", number="MX1",
                                issued_on=years_ago(12), expires_on=years_ago(2)))
    assert services.document_expired(old)
    assert not services.valid_documents(worker).filter(pk=old.pk).exists()
    photo = SimpleUploadedFile("id.JPG", JPEG, content_type="image/jpeg")
    services.document_change(actor=worker.user, document=old, upload=photo, expires_on=years_ago(-3))
    old.refresh_from_db()
    assert old.content_type == "image/jpeg" and not services.document_expired(old)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"expires_on": years_ago(3)}, "expires_on"),
        ({"issued_on": today() + datetime.timedelta(days=3), "expires_on": years_ago(-5)}, "issued_on"),
        ({"issued_on": years_ago(40)}, "issued_on"),
        ({"issuing_country": "QQ"}, "issuing_country"),
        ({"kind": "driving_licence"}, "kind"),
        ({"number": ""}, "number"),
        ({"number": "---"}, "number"),
        ({"expires_on": None}, "expires_on"),
        ({"issued_on": "2020-02-30"}, "issued_on"),
    ],
)
def test_bad_documents_are_refused(worker, changes, field):
    with pytest.raises(InvalidInput) as exc:
        services.document_add(actor=worker.user, worker=worker, **_document(**changes))
    assert field in _fields(exc)
    assert not IdentityDocument.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("passport.pdf", PNG, "named .pdf but its content is a PNG"),
        ("scan.png", PDF, "named .png but its content is a PDF"),
        ("scan.pdf", b"GIF89a" + b"\x00" * 20, "PDF document or a JPEG or PNG image"),
        ("notes.txt", PDF, "named .txt"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_refused(worker, name, content, words):
    with pytest.raises(InvalidInput) as exc:
        services.document_add(actor=worker.user, worker=worker, upload=SimpleUploadedFile(name, content), **_document())
    assert _fields(exc) == {"file"} and words in exc.value.message
    assert not IdentityDocument.objects.exists()


def test_an_oversized_scan_is_refused_with_413(worker, settings):
    settings.CORRIDOR_MAX_UPLOAD_BYTES = 1024
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048)
    with pytest.raises(services.UploadTooLarge) as exc:
        services.document_add(actor=worker.user, worker=worker, upload=upload, **_document())
    assert exc.value.status == 413 and _fields(exc) == {"file"}
    assert not IdentityDocument.objects.exists()


def test_a_scan_is_served_only_to_those_who_see_the_document(worker, origin_officer, jm_officer, employer_user):
    document = services.document_add(actor=worker.user, worker=worker, upload=SimpleUploadedFile("p.png", PNG), **_document())
    response = selectors.document_scan_response(user=origin_officer, document=document)
    assert response["Content-Type"] == "image/png" and b"".join(response.streaming_content) == PNG
    assert "attachment" in response["Content-Disposition"]
    from corridor.core.errors import NotFound

    for outsider in (jm_officer, employer_user):
        with pytest.raises(NotFound):
            selectors.document_scan_response(user=outsider, document=document)


# --- language results, occupations, medical clearance, orientation -----------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"taken_on": today() + datetime.timedelta(days=1)}, "taken_on"),
        ({"valid_until": years_ago(3)}, "valid_until"),
        ({"language": "klingon"}, "language"),
        ({"test": ""}, "test"),
        ({"level": "x" * 41}, "level"),
    ],
)
def test_bad_language_results_are_refused(worker, changes, field):
    data = {"language": "en", "test": "IELTS", "level": "5.5", "taken_on": years_ago(1), "valid_until": years_ago(-1)}
    data.update(changes)
    with pytest.raises(InvalidInput) as exc:
        services.language_result_add(actor=worker.user, worker=worker, **data)
    assert field in _fields(exc)
    assert not LanguageResult.objects.exists()


def test_language_results_change_and_remove(worker):
    result = services.language_result_add(actor=worker.user, worker=worker, language="eng", test="IELTS", level="5.5",
                                          taken_on=years_ago(1))
    assert result.language == "en"
    services.language_result_change(actor=worker.user, result=result, level="6.0")
    result.refresh_from_db()
    assert result.level == "6.0"
    services.language_result_remove(actor=worker.user, result=result, reason="typo")
    assert not LanguageResult.objects.exists()


def test_occupations_by_isco_or_esco(worker):
    from corridor.reference.models import EscoOccupation

    esco = EscoOccupation.objects.filter(isco_group__code="9211").first()
    assert esco is not None
    occupation = services.occupation_add(actor=worker.user, worker=worker, esco_uri=esco.uri, years_experience="6.5")
    assert occupation.isco_code == "9211" and str(occupation.years_experience) == "6.5"
    with pytest.raises(InvalidInput) as exc:
        services.occupation_add(actor=worker.user, worker=worker, isco_code="9211")
    assert _fields(exc) == {"isco_code"}
    other = services.occupation_add(actor=worker.user, worker=worker, isco_code="6111", skills="Pruning\nGrafting")
    services.occupation_change(actor=worker.user, occupation=other, years_experience=2)
    services.occupation_remove(actor=worker.user, occupation=other)
    assert list(WorkerOccupation.objects.values_list("isco_code", flat=True)) == ["9211"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"isco_code": "9999"}, "isco_code"),
        ({"isco_code": "92"}, "isco_code"),
        ({"isco_code": "92a1"}, "isco_code"),
        ({}, "isco_code"),
        ({"esco_uri": "http://data.europa.eu/esco/occupation/not-there"}, "esco_uri"),
        ({"isco_code": "9211", "years_experience": "-1"}, "years_experience"),
        ({"isco_code": "9211", "years_experience": "many"}, "years_experience"),
        ({"isco_code": "9211", "years_experience": "NaN"}, "years_experience"),
    ],
)
def test_bad_occupations_are_refused(worker, data, field):
    with pytest.raises(InvalidInput) as exc:
        services.occupation_add(actor=worker.user, worker=worker, **data)
    assert field in _fields(exc)
    assert not WorkerOccupation.objects.exists()


def test_medical_clearance_holds_no_medical_detail(worker):
    good = {"fit": True, "issued_on": today(), "valid_until": years_ago(-1), "issued_by": "Clínica"}
    with pytest.raises(InvalidInput) as exc:
        services.medical_add(actor=worker.user, worker=worker, diagnosis="asthma", **good)
    assert _fields(exc) == {"diagnosis"}
    with pytest.raises(InvalidInput) as exc:
        services.medical_add(actor=worker.user, worker=worker, fit="maybe", issued_on=today(), valid_until=years_ago(1),
                             issued_by="")
    assert _fields(exc) == {"fit", "valid_until", "issued_by"}
    with pytest.raises(InvalidInput) as exc:
        services.medical_add(actor=worker.user, worker=worker, **{**good, "issued_on": today() + datetime.timedelta(days=2)})
    assert _fields(exc) == {"issued_on"}
    assert not MedicalClearance.objects.exists()
    clearance = services.medical_add(actor=worker.user, worker=worker, **good)
    services.medical_change(actor=worker.user, clearance=clearance, fit=False)
    clearance.refresh_from_db()
    assert clearance.fit is False
    assert not {f.name for f in MedicalClearance._meta.get_fields()} - {"id", "worker", "fit", "issued_on", "valid_until", "issued_by"}


def test_orientation_dates(worker):
    with pytest.raises(InvalidInput) as exc:
        services.orientation_record(actor=worker.user, worker=worker, completed_on=today() + datetime.timedelta(days=1))
    assert _fields(exc) == {"completed_on"}
    services.orientation_record(actor=worker.user, worker=worker, completed_on=today())
    worker.refresh_from_db()
    assert worker.orientation_completed_on == today()


# --- status -------------------------------------------------------------------------------------------------------


def test_verification_needs_a_document_a_confirmation_and_the_right_officer(worker, origin_officer, jm_officer):
    with pytest.raises(InvalidInput) as exc:
        services.worker_verify(actor=origin_officer, worker=worker)
    assert _fields(exc) == {"documents"}
    services.document_add(actor=worker.user, worker=worker, **_document())
    with pytest.raises(Forbidden):
        services.worker_verify(actor=jm_officer, worker=worker)
    with pytest.raises(Forbidden):
        services.worker_verify(actor=worker.user, worker=worker)
    services.worker_verify(actor=origin_officer, worker=worker, note="Passport seen at the Morelia office.")
    worker.refresh_from_db()
    assert worker.status == PoolStatus.VERIFIED and worker.verified_by == origin_officer and worker.verified_at
    with pytest.raises(Conflict):
        services.worker_verify(actor=origin_officer, worker=worker)
    unconfirmed = services.worker_register_on_behalf(actor=origin_officer, **_behalf(phone="+52 55 3333 4444",
                                                     given_names="Ana", date_of_birth=years_ago(22)))
    services.document_add(actor=origin_officer, worker=unconfirmed, **_document(number="X9"))
    with pytest.raises(InvalidInput) as exc:
        services.worker_verify(actor=origin_officer, worker=unconfirmed)
    assert _fields(exc) == {"confirmed_at"}


def test_work_ready_refusal_lists_every_missing_item(worker, origin_officer):
    services.document_add(actor=worker.user, worker=worker, **_document(expires_on=years_ago(1), issued_on=years_ago(11)))
    with pytest.raises(InvalidInput) as exc:
        services.worker_mark_work_ready(actor=origin_officer, worker=worker)
    assert _fields(exc) == {"status", "documents", "medical", "orientation"}
    services.worker_verify(actor=origin_officer, worker=worker)
    services.medical_add(actor=worker.user, worker=worker, fit=False, issued_on=today(), valid_until=years_ago(-1),
                         issued_by="Clínica")
    with pytest.raises(InvalidInput) as exc:
        services.worker_mark_work_ready(actor=origin_officer, worker=worker)
    assert _fields(exc) == {"documents", "medical", "orientation"}
    worker.refresh_from_db()
    assert worker.status == PoolStatus.VERIFIED


def test_work_ready_and_back_when_a_requirement_goes(worker, complete, origin_officer):
    complete(worker, work_ready=True)
    assert worker.status == PoolStatus.WORK_READY and worker.work_ready_at
    services.medical_remove(actor=worker.user, clearance=worker.medical_clearances.get())
    worker.refresh_from_db()
    assert worker.status == PoolStatus.VERIFIED and worker.work_ready_at is None
    assert AuditEvent.objects.filter(action="worker.work_ready.lapse", subject_id=str(worker.pk)).exists()


def test_exclusion(worker, complete, origin_officer, jm_officer):
    complete(worker, work_ready=True)
    with pytest.raises(InvalidInput) as exc:
        services.worker_exclude(actor=origin_officer, worker=worker, until=today(), reason="")
    assert _fields(exc) == {"until", "reason"}
    with pytest.raises(Forbidden):
        services.worker_exclude(actor=jm_officer, worker=worker, until=years_ago(-1), reason="x")
    services.worker_exclude(actor=origin_officer, worker=worker, until=years_ago(-1), reason="Forged medical certificate.")
    worker.refresh_from_db()
    assert worker.status == PoolStatus.VERIFIED and worker.banned_until == years_ago(-1)
    with pytest.raises(InvalidInput) as exc:
        services.worker_mark_work_ready(actor=origin_officer, worker=worker)
    assert _fields(exc) == {"banned_until"}
    assert selectors.worker_list(user=origin_officer, status="excluded").get() == worker


# --- consent ------------------------------------------------------------------------------------------------------


def test_consent_decides_what_employers_see(worker, complete, programme, approved_employer, employer_user, make_user):
    complete(worker, work_ready=True)
    assert not selectors.worker_list(user=employer_user).exists()
    consent = services.consent_give(actor=worker.user, worker=worker, purpose="employers", programme=programme)
    assert consent.language == "es"
    assert consent.wording == services.consent_wording(purpose="employers", programme=programme, language="es")
    assert programme.code in consent.wording
    assert selectors.worker_list(user=employer_user).get() == worker
    assert selectors.contact_get(user=employer_user, worker=worker) is not None
    other_employer = make_user(Role.EMPLOYER, country="CA")
    assert not selectors.worker_list(user=other_employer).exists()
    with pytest.raises(Conflict):
        services.consent_give(actor=worker.user, worker=worker, purpose="employers", programme=programme)
    services.consent_withdraw(actor=worker.user, consent=consent, reason="Found work at home.")
    assert not selectors.worker_list(user=employer_user).exists()
    assert selectors.contact_get(user=employer_user, worker=worker) is None
    with pytest.raises(Conflict):
        services.consent_withdraw(actor=worker.user, consent=consent)
    again = services.consent_give(actor=worker.user, worker=worker, purpose="employers", programme=programme)
    assert again.pk != consent.pk and Consent.objects.count() == 2


def test_employers_see_only_work_ready_workers_even_with_consent(worker, programme, approved_employer, employer_user):
    services.consent_give(actor=worker.user, worker=worker, purpose="employers", programme=programme)
    assert not selectors.worker_list(user=employer_user).exists()


def test_only_the_worker_gives_or_withdraws_consent(worker, programme, origin_officer, agency_user):
    with pytest.raises(Forbidden):
        services.consent_give(actor=origin_officer, worker=worker, purpose="selection", programme=programme)
    consent = services.consent_give(actor=worker.user, worker=worker, purpose="selection", programme=programme)
    for actor in (origin_officer, agency_user):
        with pytest.raises(Forbidden):
            services.consent_withdraw(actor=actor, consent=consent)


def test_consent_to_an_agency_needs_its_licence(worker, agency_user, agency_org, licensed, monkeypatch, make_org):
    assert not selectors.worker_list(user=agency_user).exists()
    consent = services.consent_give(actor=worker.user, worker=worker, purpose="agency", agency=agency_org)
    assert agency_org.name in consent.wording
    assert selectors.worker_list(user=agency_user).get() == worker
    services.consent_withdraw(actor=worker.user, consent=consent)
    assert not selectors.worker_list(user=agency_user).exists()
    unlicensed = make_org(OrgKind.RECRUITMENT_AGENCY, "MX", name="No papers S.A.")
    with pytest.raises(InvalidInput) as exc:
        services.consent_give(actor=worker.user, worker=worker, purpose="agency", agency=unlicensed)
    assert _fields(exc) == {"agency"}


@pytest.mark.parametrize(
    ("purpose", "target", "field"),
    [
        ("employers", {"programme": "none"}, "programme"),
        ("selection", {"agency": "org"}, "agency"),
        ("agency", {}, "agency"),
        ("gossip", {}, "purpose"),
        ("employers", {"programme": "other"}, "programme"),
    ],
)
def test_bad_consents_are_refused(worker, programme, agency_org, licensed, make_user, purpose, target, field):
    from corridor.programmes import services as programme_services

    kwargs = {"programme": programme} if purpose in ("employers", "selection") else {}
    if target.get("agency") == "org":
        kwargs["agency"] = agency_org
    if target.get("programme") == "none":
        kwargs.pop("programme")
    if target.get("programme") == "other":
        admin = make_user(Role.MINISTRY_ADMIN, country="ES")
        kwargs["programme"] = programme_services.programme_create(
            actor=admin, code="ES-X", name="Other", institutional_design="bilateral", category="seasonal",
            destination_country="ES", rules=dict(programme.rule_versions.get().rules),
            rules_effective_from=datetime.date(2026, 1, 1),
        )
    with pytest.raises(InvalidInput) as exc:
        services.consent_give(actor=worker.user, worker=worker, purpose=purpose, **kwargs)
    assert field in _fields(exc)
    assert not Consent.objects.exists()


# --- the data export ------------------------------------------------------------------------------------------------


def test_export_holds_everything_about_the_worker(worker, complete, programme, origin_officer, make_worker):
    complete(worker)
    result = services.language_result_add(actor=worker.user, worker=worker, language="en", test="IELTS", level="4.5",
                                           taken_on=years_ago(1))
    services.language_result_remove(actor=worker.user, result=result, reason="old")
    services.consent_give(actor=worker.user, worker=worker, purpose="selection", programme=programme)
    twin = make_worker(phone="+52 443 765 4321", given_names="Jose Luis", family_names="Martinez Lopez")
    data = services.worker_export(actor=worker.user, worker=worker, collect=selectors.export_data)
    assert data["identity"]["public_id"] == worker.public_id
    assert data["contact"]["phone"] == "+524431234567"
    assert data["documents"][0]["number"] == "G1234567" and data["medical_clearances"][0]["fit"] is True
    assert data["consents"][0]["purpose"] == "selection" and data["consents"][0]["wording"]
    assert len(data["duplicate_flags"]) == 1
    actions = {e["action"] for e in data["audit_events"]}
    assert {"worker.register", "worker.document.add", "worker.medical.add", "worker.verify", "worker.consent.give",
            "worker.language_result.add", "worker.language_result.remove"} <= actions
    assert "recruitment_costs" in data and data["recruitment_costs"] == []
    # Nothing about the other record.
    assert twin.public_id not in str(data)
    assert AuditEvent.objects.filter(action="worker.export", subject_id=str(worker.pk)).exists()
    with pytest.raises(Forbidden):
        services.worker_export(actor=origin_officer, worker=worker, collect=selectors.export_data)
    json.dumps(data, default=str)
