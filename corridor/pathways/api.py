"""Pathways, skills certificates and reintegration referrals through /api/v1/pathways (scopes `pathways:read`,
`pathways:write`; docs/pathways.md).

Everything here is worker identity data (no wages): the selectors decide who sees what (the worker; the origin
authority of the worker's country; the destination ministry; the destination's immigration authority for pathway
status only; the employer for the certificates of its seasons; referrals for the origin authority only) and the
services who may act (403, 404, 409 or 422 naming the field). The public verification of a certificate code answers
every unknown code alike and is rate-limited per client address, as contracts' verification is.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from corridor.core.access import Category
from corridor.core.api_auth import ApiAccess
from corridor.core.errors import Forbidden, NotFound, RateLimited
from corridor.core.pagination import Pagination
from corridor.deployment import selectors as journey_selectors
from corridor.pathways import selectors, services
from corridor.pathways.models import SkillsCertificate
from corridor.workers import selectors as worker_selectors

MAX_ID = 2**31 - 1
MAX_TEXT = services.MAX_TEXT
VERIFY_RATE = "30/m"

router = Router(tags=["pathways"], auth=ApiAccess(category=Category.WORKER_IDENTITY, scope="pathways"))
PUBLIC = ApiAccess(category=Category.ORGANISATION, scope="pathways", anonymous_read=True)

Fact = str | int | float | bool | None


# --- schemas -----------------------------------------------------------------------------------------------------


class ProgressOut(Schema):
    programme: str
    programme_name: str
    enabled: bool
    target_status: str
    seasons: int
    seasons_required: int | None
    months: int
    months_required: int | None
    days: int
    eligible: bool
    near: bool
    missing: dict[str, int]
    eligible_on: datetime.date | None
    rule_version: int | None


class StatusOut(Schema):
    worker: str = Field(..., description="The worker's public identifier.")
    worker_name: str
    nationality: str
    programme: str
    target_status: str
    seasons: int
    seasons_required: int | None
    months: int
    months_required: int | None
    eligible: bool
    near: bool
    eligible_since: datetime.date | None
    eligible_on: datetime.date | None
    computed_at: datetime.datetime

    @staticmethod
    def resolve_worker(obj):
        return obj.worker.public_id

    @staticmethod
    def resolve_worker_name(obj):
        return obj.worker.full_name

    @staticmethod
    def resolve_nationality(obj):
        return obj.worker.nationality

    @staticmethod
    def resolve_programme(obj):
        return obj.programme.code


class CertificateIn(Schema):
    journey: int = Field(..., ge=1, description="The journey of the season (ended, after arrival).")
    tasks: Fact = Field(None, description="Tasks done and skills shown.")
    hours_worked: Fact = Field(None, description="Only when the season has no payslips.")
    start_date: Fact = Field(None, description="YYYY-MM-DD; the arrival by default.")
    end_date: Fact = Field(None, description="YYYY-MM-DD; the end of the stay by default.")


class ReasonIn(Schema):
    reason: str = Field("", max_length=MAX_TEXT)


class CertificateOut(Schema):
    id: int
    worker: str
    programme: str
    journey: int
    status: str
    employer_name: str
    isco_code: str
    esco_uri: str
    occupation: str
    start_date: datetime.date
    end_date: datetime.date
    hours_worked: Decimal
    hours_source: str
    tasks: str
    issuer_name: str
    issued_at: datetime.datetime | None
    verification_code: str | None
    content_hash: str
    revoked_at: datetime.datetime | None
    revocation_reason: str

    @staticmethod
    def resolve_worker(obj):
        return obj.worker.public_id

    @staticmethod
    def resolve_programme(obj):
        return obj.programme.code

    @staticmethod
    def resolve_journey(obj):
        return obj.journey_id


class VerifyOut(Schema):
    code: str
    current: bool
    status: str
    revoked_on: str | None
    revocation_reason: str
    content_hash: str
    worker_name: str | None
    worker_id: str | None
    programme: str | None
    programme_name: str | None
    employer: str | None
    isco_code: str | None
    esco_uri: str | None
    occupation: str | None
    start: str | None
    end: str | None
    hours_worked: str | None
    tasks: str | None
    issuer: str | None
    issued_on: str | None


class ReferralIn(Schema):
    worker: str = Field(..., max_length=40, description="The worker's public identifier.")
    kind: Fact = Field(None, description="job_placement, training, business, financial_literacy, psychosocial, other.")
    provider: Fact = None
    referred_on: Fact = Field(None, description="YYYY-MM-DD.")
    consent: Fact = Field(None, description="The worker's consent; required (true).")
    note: Fact = None


class OutcomeIn(Schema):
    outcome: Fact = Field(None, description="in_progress, completed or declined.")
    outcome_on: Fact = Field(None, description="YYYY-MM-DD; today by default.")
    note: Fact = None


class ReferralOut(Schema):
    id: int
    worker: str
    kind: str
    provider: str
    referred_on: datetime.date
    consent: bool
    note: str
    outcome: str
    outcome_on: datetime.date | None
    outcome_note: str

    @staticmethod
    def resolve_worker(obj):
        return obj.worker.public_id


# --- helpers -----------------------------------------------------------------------------------------------------


def _certificate(request, pk: int) -> SkillsCertificate:
    if pk > MAX_ID:
        raise NotFound(_("No such certificate, or not one you may see."), field="certificate")
    return selectors.certificate_get(user=request.user, pk=pk)


def progress_rows(worker, today=None) -> list[dict]:
    return [{"programme": programme.code, "programme_name": programme.name, **result.as_dict(),
             "rule_version": version.number if version else None}
            for programme, result, version in selectors.worker_progress(worker, today)]


# --- pathway progress --------------------------------------------------------------------------------------------


@router.get("/progress/me", response=list[ProgressOut], summary="The worker's own progress, per programme")
def my_progress(request):
    worker = worker_selectors.worker_of_user(user=request.user)
    if worker is None:
        raise NotFound(_("Your account has no worker profile."), field="worker")
    return progress_rows(worker, timezone.localdate())


@router.get("/status", response=list[StatusOut],
            summary="Workers' pathway status (eligible and nearly eligible first), as last refreshed")
@paginate(Pagination)
def status_list(
    request,
    programme: str = Query("", max_length=20, description="A programme code."),
    show: str = Query("both", pattern="^(eligible|near|both|all)$",
                      description="eligible, near, both (default) or all."),
    country: str = Query("", max_length=2, description="The workers' nationality (ISO 3166-1)."),
):
    return selectors.status_list(user=request.user, programme=programme, show="" if show == "all" else show,
                                 country=country)


# --- certificates ------------------------------------------------------------------------------------------------


@router.get("/certificates", response=list[CertificateOut], summary="Skills certificates you may see")
@paginate(Pagination)
def certificate_list(request, status: str = Query("", pattern="^(|attested|issued|revoked)$")):
    return selectors.certificate_list(user=request.user, status=status)


@router.post("/certificates", response={201: CertificateOut}, summary="Attest a season (the employer)")
def certificate_attest(request, payload: CertificateIn):
    if payload.journey > MAX_ID:
        raise NotFound(_("No such journey, or not one you may see."), field="journey")
    journey = journey_selectors.journey_get(user=request.user, pk=payload.journey)
    cert = services.certificate_attest(actor=request.user, journey=journey, tasks=payload.tasks,
                                       hours_worked=payload.hours_worked, start_date=payload.start_date,
                                       end_date=payload.end_date)
    return Status(201, cert)


@router.get("/certificates/verify/{code}", response=VerifyOut, auth=PUBLIC,
            summary="Check a skills certificate code (public)")
def certificate_verify(request, code: str):
    """What the certificate says and whether it is current or revoked; every unknown code is answered alike; at most
    30 look-ups a minute from one address."""
    from django_ratelimit.core import is_ratelimited

    if is_ratelimited(request, group="pathways-verify", key="ip", rate=VERIFY_RATE, increment=True):
        raise RateLimited(_("Too many look-ups from this address; try again in a minute."))
    facts = selectors.verify(code[:60])
    if facts is None:
        raise NotFound(_("No certificate has this code."), field="code")
    return facts


@router.get("/certificates/{int:certificate_id}", response=CertificateOut, summary="One certificate")
def certificate_get(request, certificate_id: int):
    return _certificate(request, certificate_id)


@router.post("/certificates/{int:certificate_id}/issue", response=CertificateOut,
             summary="Issue an attested certificate (the origin authority, the destination ministry)")
def certificate_issue(request, certificate_id: int):
    return services.certificate_issue(actor=request.user, certificate=_certificate(request, certificate_id))


@router.post("/certificates/{int:certificate_id}/revoke", response=CertificateOut,
             summary="Revoke an issued certificate, with a reason")
def certificate_revoke(request, certificate_id: int, payload: ReasonIn):
    return services.certificate_revoke(actor=request.user, certificate=_certificate(request, certificate_id),
                                       reason=payload.reason)


@router.get("/certificates/{int:certificate_id}/pdf", summary="The issued certificate as PDF (the worker, issuers)")
def certificate_pdf(request, certificate_id: int):
    from corridor.pathways.pdf import pdf_response

    cert = _certificate(request, certificate_id)
    if not services.may_download(request.user, cert):
        raise Forbidden(_("The PDF is for the worker and the issuing authorities, once the certificate is issued."))
    return pdf_response(cert, request)


# --- referrals ---------------------------------------------------------------------------------------------------


@router.get("/referrals", response=list[ReferralOut], summary="Reintegration referrals you may see")
@paginate(Pagination)
def referral_list(request, outcome: str = Query("", pattern="^(|in_progress|completed|declined)$")):
    return selectors.referral_list(user=request.user, outcome=outcome)


@router.post("/referrals", response={201: ReferralOut}, summary="Refer a returned worker (the origin authority)")
def referral_create(request, payload: ReferralIn):
    try:
        worker = worker_selectors.worker_get(user=request.user, public_id=payload.worker)
    except NotFound:
        raise NotFound(_("No such worker, or not one you may see."), field="worker") from None
    data = payload.dict(exclude={"worker"})
    referral = services.referral_create(actor=request.user, worker=worker, **data)
    return Status(201, referral)


@router.post("/referrals/{int:referral_id}/outcome", response=ReferralOut, summary="Record a referral's outcome")
def referral_outcome(request, referral_id: int, payload: OutcomeIn):
    if referral_id > MAX_ID:
        raise NotFound(_("No such referral, or not one you may see."), field="referral")
    referral = selectors.referral_get(user=request.user, pk=referral_id)
    return services.referral_outcome(actor=request.user, referral=referral, **payload.dict())
