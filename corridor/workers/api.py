"""The work-ready pool through /api/v1/workers (scopes `workers:read`, `workers:write`).

Identity data (names, documents, results, status) is category worker identity; the routes that carry a phone number,
an e-mail or an address (registration, claim, contact, the data export) are category worker contact, behind the
immigration firewall. A worker registers and claims a registration made on their behalf without signing in (both
rate-limited per address).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Field, File, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import ConfigDict

from corridor.core.access import Category
from corridor.core.api_auth import ApiAccess
from corridor.core.errors import InvalidInput, NotFound, RateLimited
from corridor.core.pagination import Pagination
from corridor.reference import codes
from corridor.workers import selectors, services
from corridor.workers.models import Consent, IdentityDocument, Worker

router = Router(tags=["workers"], auth=ApiAccess(category=Category.WORKER_IDENTITY, scope="workers"))
CONTACT = ApiAccess(category=Category.WORKER_CONTACT, scope="workers")
ANONYMOUS_CONTACT = ApiAccess(category=Category.WORKER_CONTACT, scope="workers", anonymous_write=True)

REGISTER_RATE = "20/h"
CLAIM_RATE = "20/h"


def _rate_limit(request, group: str, rate: str) -> None:
    from django_ratelimit.core import is_ratelimited

    if is_ratelimited(request, group=group, key="ip", rate=rate, increment=True):
        raise RateLimited("Too many attempts from this address; try again in an hour.")


# --- schemas --------------------------------------------------------------------------------------------------------


class RegisterIn(Schema):
    given_names: str = Field(..., max_length=150)
    family_names: str = Field(..., max_length=150)
    sex: str = Field(..., max_length=12, description="female, male, other or undisclosed.")
    date_of_birth: datetime.date
    nationality: str = Field(..., max_length=10, description="ISO 3166-1 alpha-2 code.")
    region_of_origin: str = Field("", max_length=100)
    education: str = Field("", max_length=20)
    phone: str = Field(..., max_length=40, description="Mobile phone with + and the country code.")
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=300)
    language: str = Field("en", max_length=10, description="Preferred language, an ISO 639 code.")


class SelfRegisterIn(RegisterIn):
    username: str = Field("", max_length=150, description="Empty: the phone number is the username.")
    password: str = Field(..., max_length=200)


class ClaimIn(Schema):
    public_id: str = Field(..., max_length=12)
    phone: str = Field(..., max_length=40)
    date_of_birth: datetime.date
    username: str = Field("", max_length=150)
    password: str = Field(..., max_length=200)
    language: str = Field("", max_length=10)


class WorkerOut(Schema):
    public_id: str
    given_names: str
    family_names: str
    sex: str
    date_of_birth: datetime.date
    nationality: str
    region_of_origin: str
    education: str
    language: str
    status: str
    registered_via: str
    confirmed_at: datetime.datetime | None
    verified_at: datetime.datetime | None
    work_ready_at: datetime.datetime | None
    orientation_completed_on: datetime.date | None
    excluded_until: datetime.date | None = Field(None, alias="banned_until")
    exclusion_reason: str = Field("", alias="ban_reason")


class RegisteredOut(WorkerOut):
    username: str

    @staticmethod
    def resolve_username(obj):
        return obj.user.username if obj.user_id else ""


class DocumentOut(Schema):
    id: int
    kind: str
    number: str
    issuing_country: str
    issued_on: datetime.date | None
    expires_on: datetime.date | None
    expired: bool
    scan: str | None
    scan_type: str = Field("", alias="content_type")
    scan_size: int = Field(0, alias="size")

    @staticmethod
    def resolve_expired(obj):
        return services.document_expired(obj)

    @staticmethod
    def resolve_scan(obj):
        if not obj.file:
            return None
        return f"/api/v1/workers/{obj.worker.public_id}/documents/{obj.pk}/scan"


class LanguageResultOut(Schema):
    id: int
    language: str
    test: str
    level: str
    taken_on: datetime.date
    valid_until: datetime.date | None


class OccupationOut(Schema):
    id: int
    isco_code: str
    esco_uri: str
    years_experience: Decimal
    skills: str


class MedicalOut(Schema):
    id: int
    fit: bool
    issued_on: datetime.date
    valid_until: datetime.date
    issued_by: str
    valid_today: bool

    @staticmethod
    def resolve_valid_today(obj):
        today = timezone.localdate()
        return obj.issued_on <= today <= obj.valid_until


class WorkerDetailOut(WorkerOut):
    documents: list[DocumentOut]
    language_results: list[LanguageResultOut]
    occupations: list[OccupationOut]
    medical_clearances: list[MedicalOut]
    work_ready_missing: list[dict]

    @staticmethod
    def resolve_documents(obj, context):
        return list(selectors.part_list(user=context["request"].user, worker=obj, part="documents").select_related("worker"))

    @staticmethod
    def resolve_language_results(obj, context):
        return list(selectors.part_list(user=context["request"].user, worker=obj, part="languages"))

    @staticmethod
    def resolve_occupations(obj, context):
        return list(selectors.part_list(user=context["request"].user, worker=obj, part="occupations"))

    @staticmethod
    def resolve_medical_clearances(obj, context):
        return list(selectors.part_list(user=context["request"].user, worker=obj, part="medical"))

    @staticmethod
    def resolve_work_ready_missing(obj):
        if obj.status != "verified":
            return []
        return [m for m in services.work_ready_missing(obj) if m["field"] != "status"]


class WorkerPatch(Schema):
    given_names: str | None = Field(None, max_length=150)
    family_names: str | None = Field(None, max_length=150)
    sex: str | None = Field(None, max_length=12)
    date_of_birth: datetime.date | None = None
    region_of_origin: str | None = Field(None, max_length=100)
    education: str | None = Field(None, max_length=20)
    language: str | None = Field(None, max_length=10)


class ContactOut(Schema):
    phone: str
    email: str
    address: str


class ContactPatch(Schema):
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    address: str | None = Field(None, max_length=300)


class DocumentIn(Schema):
    kind: str = Field(..., max_length=20)
    number: str = Field(..., max_length=40)
    issuing_country: str = Field(..., max_length=10)
    issued_on: datetime.date | None = None
    expires_on: datetime.date | None = None


class DocumentPatch(Schema):
    kind: str | None = Field(None, max_length=20)
    number: str | None = Field(None, max_length=40)
    issuing_country: str | None = Field(None, max_length=10)
    issued_on: datetime.date | None = None
    expires_on: datetime.date | None = None


class LanguageResultIn(Schema):
    language: str = Field(..., max_length=10)
    test: str = Field(..., max_length=100)
    level: str = Field(..., max_length=40)
    taken_on: datetime.date
    valid_until: datetime.date | None = None


class LanguageResultPatch(Schema):
    language: str | None = Field(None, max_length=10)
    test: str | None = Field(None, max_length=100)
    level: str | None = Field(None, max_length=40)
    taken_on: datetime.date | None = None
    valid_until: datetime.date | None = None


class OccupationIn(Schema):
    isco_code: str = Field("", max_length=4)
    esco_uri: str = Field("", max_length=200)
    years_experience: Decimal = Field(Decimal("0"), ge=0, le=100, max_digits=6, decimal_places=2)
    skills: str = Field("", max_length=2000)


class OccupationPatch(Schema):
    isco_code: str | None = Field(None, max_length=4)
    esco_uri: str | None = Field(None, max_length=200)
    years_experience: Decimal | None = Field(None, ge=0, le=100, max_digits=6, decimal_places=2)
    skills: str | None = Field(None, max_length=2000)


class MedicalIn(Schema):
    """Fit or not fit, the dates and the clinic: nothing else is accepted (no diagnosis, no test results)."""

    model_config = ConfigDict(extra="forbid")

    fit: bool
    issued_on: datetime.date
    valid_until: datetime.date
    issued_by: str = Field(..., max_length=200)


class MedicalPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    fit: bool | None = None
    issued_on: datetime.date | None = None
    valid_until: datetime.date | None = None
    issued_by: str | None = Field(None, max_length=200)


class OrientationIn(Schema):
    completed_on: datetime.date | None


class RemoveIn(Schema):
    reason: str = Field("", max_length=2000)


class ConsentIn(Schema):
    purpose: str = Field(..., max_length=12, description="employers, agency or selection.")
    programme: str = Field("", max_length=30, description="The programme's code (employers, selection).")
    agency_id: int | None = Field(None, ge=1, le=2**31 - 1, description="The agency's organisation id (agency).")
    expires_at: datetime.datetime | None = None
    language: str = Field("", max_length=10, description="The language the wording was shown in.")


class ConsentOut(Schema):
    id: int
    purpose: str
    programme: str | None
    agency_id: int | None
    agency: str | None
    wording: str
    language: str
    given_at: datetime.datetime
    expires_at: datetime.datetime | None
    withdrawn_at: datetime.datetime | None
    valid: bool

    @staticmethod
    def resolve_programme(obj):
        return obj.programme.code if obj.programme_id else None

    @staticmethod
    def resolve_agency(obj):
        return obj.agency.name if obj.agency_id else None


class VerifyIn(Schema):
    note: str = Field("", max_length=2000)


class ExcludeIn(Schema):
    until: datetime.date
    reason: str = Field(..., max_length=2000)


class UnmetOut(Schema):
    code: str
    field: str
    message: str


class EligibilityOut(Schema):
    worker: str
    programme: str
    eligible: bool
    rule_version: int | None
    season_start: datetime.date | None = None
    season_end: datetime.date | None = None
    unmet: list[UnmetOut]


# --- registration and claim (no account yet) ------------------------------------------------------------------------


@router.post("/register", response={201: RegisteredOut}, auth=ANONYMOUS_CONTACT)
def register(request, payload: SelfRegisterIn):
    """A worker registers on their own, phone first (at most 20 registrations an hour from one address). The phone
    number is the username unless another is given; then sign in with it."""
    _rate_limit(request, "worker-register", REGISTER_RATE)
    return Status(201, services.worker_register_self(via="api", **payload.dict()))


@router.post("/claim", response=RegisteredOut, auth=ANONYMOUS_CONTACT)
def claim(request, payload: ClaimIn):
    """A worker registered by the origin authority or an agency confirms the registration with the identifier they
    were given, their phone and date of birth, and chooses a password (at most 20 attempts an hour)."""
    _rate_limit(request, "worker-claim", CLAIM_RATE)
    worker, _user = services.worker_claim(via="api", **payload.dict())
    return worker


# --- lists ---------------------------------------------------------------------------------------------------------


@router.get("", response=list[WorkerOut])
@paginate(Pagination)
def worker_list(request, status: str = "", nationality: str = "", q: str = ""):
    """The workers you may see: your own record; the origin authority its nationals; an agency those who consented
    to it; an employer the work-ready workers who consented to the employers of its programmes. Filters: status
    (registered, verified, work_ready, merged, excluded, unconfirmed), nationality, q (names or identifier)."""
    return selectors.worker_list(user=request.user, status=status[:20], nationality=nationality[:10], q=q[:100])


@router.post("", response={201: WorkerOut}, auth=CONTACT)
def register_on_behalf(request, payload: RegisterIn):
    """The origin authority (its nationals) or a licensed agency registers a worker, who then confirms (claim)."""
    return Status(201, services.worker_register_on_behalf(actor=request.user, **payload.dict()))


@router.get("/unconfirmed", response=list[WorkerOut])
@paginate(Pagination)
def unconfirmed(request):
    """Registrations your organisation made on workers' behalf that they have not confirmed yet."""
    return selectors.unconfirmed_list(user=request.user)


def _own(request) -> Worker:
    worker = selectors.worker_of_user(user=request.user)
    if worker is None:
        raise NotFound("Your account has no worker profile.", field="public_id")
    return worker


@router.get("/me", response=WorkerDetailOut)
def me(request):
    """The signed-in worker's own profile."""
    return _own(request)


@router.get("/me/export", auth=CONTACT)
def export(request):
    """Everything held about the signed-in worker, as JSON."""
    return services.worker_export(actor=request.user, worker=_own(request), collect=selectors.export_data)


# --- one worker -----------------------------------------------------------------------------------------------------


def _worker(request, public_id: str, action: str = "view") -> Worker:
    return selectors.worker_get(user=request.user, public_id=public_id, action=action)


@router.get("/{public_id}", response=WorkerDetailOut)
def worker_detail(request, public_id: str):
    return _worker(request, public_id)


@router.patch("/{public_id}", response=WorkerDetailOut)
def worker_update(request, public_id: str, payload: WorkerPatch):
    worker = _worker(request, public_id, "change")
    return services.worker_update(actor=request.user, worker=worker, **payload.dict(exclude_unset=True))


@router.get("/{public_id}/contact", response=ContactOut, auth=CONTACT)
def contact(request, public_id: str):
    found = selectors.contact_get(user=request.user, worker=_worker(request, public_id))
    if found is None:
        raise NotFound("No contact details recorded that you may see.", field="contact")
    return found


@router.patch("/{public_id}/contact", response=ContactOut, auth=CONTACT)
def contact_update(request, public_id: str, payload: ContactPatch):
    worker = _worker(request, public_id, "change")
    return services.contact_update(actor=request.user, worker=worker, **payload.dict(exclude_unset=True))


@router.post("/{public_id}/orientation", response=WorkerDetailOut)
def orientation(request, public_id: str, payload: OrientationIn):
    worker = _worker(request, public_id, "change")
    return services.orientation_record(actor=request.user, worker=worker, completed_on=payload.completed_on)


# --- documents ------------------------------------------------------------------------------------------------------


def _part(request, public_id: str, part: str, item_id: int, action: str = "view"):
    worker = _worker(request, public_id, action)
    return selectors.part_get(user=request.user, worker=worker, part=part, pk=item_id, action=action)


@router.get("/{public_id}/documents", response=list[DocumentOut])
def document_list(request, public_id: str):
    return list(selectors.part_list(user=request.user, worker=_worker(request, public_id), part="documents").select_related("worker"))


@router.post("/{public_id}/documents", response={201: DocumentOut})
def document_add(request, public_id: str, payload: DocumentIn):
    """Record an identity document. An expired one is recorded too, flagged `expired`."""
    worker = _worker(request, public_id, "change")
    return Status(201, services.document_add(actor=request.user, worker=worker, **payload.dict()))


@router.patch("/{public_id}/documents/{int:item_id}", response=DocumentOut)
def document_change(request, public_id: str, item_id: int, payload: DocumentPatch):
    document = _part(request, public_id, "documents", item_id, "change")
    return services.document_change(actor=request.user, document=document, **payload.dict(exclude_unset=True))


@router.delete("/{public_id}/documents/{int:item_id}", response={204: None})
def document_remove(request, public_id: str, item_id: int, reason: str = ""):
    document = _part(request, public_id, "documents", item_id, "change")
    services.document_remove(actor=request.user, document=document, reason=reason[:2000])
    return Status(204, None)


@router.post("/{public_id}/documents/{int:item_id}/scan", response=DocumentOut)
def document_scan_upload(request, public_id: str, item_id: int, file: File[UploadedFile]):
    """Attach the document's scan: a PDF, JPEG or PNG file whose content matches its name, within the size limit."""
    document = _part(request, public_id, "documents", item_id, "change")
    return services.document_change(actor=request.user, document=document, upload=file)


@router.get("/{public_id}/documents/{int:item_id}/scan")
def document_scan(request, public_id: str, item_id: int):
    """The scan, as a download for those who may see the document."""
    document: IdentityDocument = _part(request, public_id, "documents", item_id)
    return selectors.document_scan_response(user=request.user, document=document)


# --- language results, occupations, medical clearances ------------------------------------------------------------


@router.post("/{public_id}/languages", response={201: LanguageResultOut})
def language_result_add(request, public_id: str, payload: LanguageResultIn):
    worker = _worker(request, public_id, "change")
    return Status(201, services.language_result_add(actor=request.user, worker=worker, **payload.dict()))


@router.patch("/{public_id}/languages/{int:item_id}", response=LanguageResultOut)
def language_result_change(request, public_id: str, item_id: int, payload: LanguageResultPatch):
    result = _part(request, public_id, "languages", item_id, "change")
    return services.language_result_change(actor=request.user, result=result, **payload.dict(exclude_unset=True))


@router.delete("/{public_id}/languages/{int:item_id}", response={204: None})
def language_result_remove(request, public_id: str, item_id: int, reason: str = ""):
    result = _part(request, public_id, "languages", item_id, "change")
    services.language_result_remove(actor=request.user, result=result, reason=reason[:2000])
    return Status(204, None)


@router.post("/{public_id}/occupations", response={201: OccupationOut})
def occupation_add(request, public_id: str, payload: OccupationIn):
    worker = _worker(request, public_id, "change")
    return Status(201, services.occupation_add(actor=request.user, worker=worker, **payload.dict()))


@router.patch("/{public_id}/occupations/{int:item_id}", response=OccupationOut)
def occupation_change(request, public_id: str, item_id: int, payload: OccupationPatch):
    occupation = _part(request, public_id, "occupations", item_id, "change")
    return services.occupation_change(actor=request.user, occupation=occupation, **payload.dict(exclude_unset=True))


@router.delete("/{public_id}/occupations/{int:item_id}", response={204: None})
def occupation_remove(request, public_id: str, item_id: int, reason: str = ""):
    occupation = _part(request, public_id, "occupations", item_id, "change")
    services.occupation_remove(actor=request.user, occupation=occupation, reason=reason[:2000])
    return Status(204, None)


@router.post("/{public_id}/medical", response={201: MedicalOut})
def medical_add(request, public_id: str, payload: MedicalIn):
    """Fit or not fit, until when, and the clinic; no medical detail is accepted."""
    worker = _worker(request, public_id, "change")
    return Status(201, services.medical_add(actor=request.user, worker=worker, **payload.dict()))


@router.patch("/{public_id}/medical/{int:item_id}", response=MedicalOut)
def medical_change(request, public_id: str, item_id: int, payload: MedicalPatch):
    clearance = _part(request, public_id, "medical", item_id, "change")
    return services.medical_change(actor=request.user, clearance=clearance, **payload.dict(exclude_unset=True))


@router.delete("/{public_id}/medical/{int:item_id}", response={204: None})
def medical_remove(request, public_id: str, item_id: int, reason: str = ""):
    clearance = _part(request, public_id, "medical", item_id, "change")
    services.medical_remove(actor=request.user, clearance=clearance, reason=reason[:2000])
    return Status(204, None)


# --- consent ------------------------------------------------------------------------------------------------------


@router.get("/{public_id}/consents", response=list[ConsentOut])
def consent_list(request, public_id: str):
    return list(selectors.consent_list(user=request.user, worker=_worker(request, public_id)))


@router.post("/{public_id}/consents", response={201: ConsentOut})
def consent_give(request, public_id: str, payload: ConsentIn):
    """The worker gives a consent: to the employers of a programme, to an agency, or to selection for a programme."""
    worker = _worker(request, public_id)
    programme = selectors.programme_choice(user=request.user, code=payload.programme) if payload.programme else None
    agency = selectors.agency_choice(user=request.user, agency_id=payload.agency_id) if payload.agency_id else None
    consent = services.consent_give(
        actor=request.user, worker=worker, purpose=payload.purpose, programme=programme, agency=agency,
        expires_at=payload.expires_at, language=payload.language or None,
    )
    return Status(201, consent)


@router.post("/{public_id}/consents/{int:consent_id}/withdraw", response=ConsentOut)
def consent_withdraw(request, public_id: str, consent_id: int, payload: RemoveIn):
    consent: Consent = selectors.consent_get(user=request.user, worker=_worker(request, public_id), pk=consent_id)
    return services.consent_withdraw(actor=request.user, consent=consent, reason=payload.reason)


# --- status and eligibility ---------------------------------------------------------------------------------------


@router.post("/{public_id}/verify", response=WorkerDetailOut)
def verify(request, public_id: str, payload: VerifyIn):
    """The origin authority verifies the registration (at least one identity document recorded)."""
    return services.worker_verify(actor=request.user, worker=_worker(request, public_id), note=payload.note)


@router.post("/{public_id}/work-ready", response=WorkerDetailOut)
def work_ready(request, public_id: str):
    """The origin authority marks a verified worker work-ready; a refusal lists every missing requirement."""
    return services.worker_mark_work_ready(actor=request.user, worker=_worker(request, public_id))


@router.post("/{public_id}/exclude", response=WorkerDetailOut)
def exclude(request, public_id: str, payload: ExcludeIn):
    """The origin authority excludes the worker from programmes until a date, with the reason."""
    return services.worker_exclude(actor=request.user, worker=_worker(request, public_id), until=payload.until,
                                   reason=payload.reason)


@router.get("/{public_id}/eligibility", response=EligibilityOut)
def eligibility(request, public_id: str, programme: str, on_date: datetime.date | None = None, language: str = ""):
    """Whether the worker meets the programme's rules (the rule version in force), listing every unmet criterion."""
    worker = _worker(request, public_id)
    target = selectors.programme_choice(user=request.user, code=programme)
    errors = []
    if on_date is not None and not 2000 <= on_date.year <= 2100:
        errors.append({"field": "on_date", "message": "Give a date between the years 2000 and 2100."})
    wanted = codes.normalise_language(language[:10]) if language else None
    if language and wanted is None:
        errors.append({"field": "language", "message": f"Unknown ISO 639 language code {language[:10]!r}."})
    if errors:
        raise InvalidInput(errors)
    report = selectors.eligibility(worker=worker, programme=target, on_date=on_date, language=wanted)
    if report is None:
        raise HttpError(501, "Eligibility checks are not installed.")
    return {**report, "worker": worker.public_id, "programme": target.code}
