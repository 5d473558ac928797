"""Licensed recruitment agencies through /api/v1/agencies (scopes `agencies:read`, `agencies:write`).

The public register (`/register`) is open to everyone, signed in or not: it shows each licence ever granted, its
status on the day, its validity and scopes, the guarantee deposit lodged and the workers' ratings as aggregates over at
least five counted ratings. A licence's other details (owners, capital, bond reference, deposit balance) are for the
agency itself and the licensing authority. Ratings are worker data: their rows go to the worker who gave them and to
the moderators, never to immigration authorities.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from corridor.core.access import Category
from corridor.core.api_auth import ApiAccess
from corridor.core.errors import NotFound
from corridor.core.pagination import Pagination
from corridor.recruitment import selectors, services
from corridor.recruitment.models import AgencyLicence, LicenceStatus

MAX_ID = 2**31 - 1

router = Router(tags=["agencies"], auth=ApiAccess(category=Category.ORGANISATION, scope="agencies"))
PUBLIC = ApiAccess(category=Category.ORGANISATION, scope="agencies", anonymous_read=True)
RATINGS = ApiAccess(category=Category.WORKER_IDENTITY, scope="agencies")


# --- schemas -----------------------------------------------------------------------------------------------------


class ScopeIn(Schema):
    programme: str = Field(..., max_length=30, description="Programme code, e.g. CA-SAG.")
    origin_country: str = Field("", max_length=2, description="ISO 3166-1 alpha-2; the agency's country if left out.")


class ApplicationIn(Schema):
    ownership: str = Field(..., max_length=5000, description="Owners (with shares) and managers.")
    capital_amount: str = Field(..., max_length=40, description="Paid-up capital.")
    capital_currency: str = Field(..., max_length=3)
    deposit_amount: str = Field(..., max_length=40, description="Guarantee deposit or bond lodged with the authority.")
    deposit_currency: str = Field(..., max_length=3)
    bond_reference: str = Field("", max_length=100, description="Bank guarantee or bond reference.")
    scopes: list[ScopeIn] = Field(..., max_length=services.MAX_SCOPES)


class GrantIn(Schema):
    valid_from: str = Field("", max_length=10, description="YYYY-MM-DD; today if left out.")
    valid_until: str = Field(..., max_length=10, description="YYYY-MM-DD.")
    note: str = Field("", max_length=5000)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=5000)


class ProceedingIn(Schema):
    kind: str = Field(..., max_length=12, description="suspension or revocation.")
    grounds: str = Field(..., max_length=5000)
    respond_by: str = Field(..., max_length=10, description="YYYY-MM-DD, at least 14 days away.")


class ResponseIn(Schema):
    response: str = Field(..., max_length=5000)


class DecisionIn(Schema):
    decision: str = Field(..., max_length=12, description="upheld or dismissed.")
    reason: str = Field(..., max_length=5000)
    sanction_until: str = Field("", max_length=10, description="For an upheld suspension: YYYY-MM-DD.")


class AppealIn(Schema):
    appeal: str = Field(..., max_length=5000)


class AppealDecisionIn(Schema):
    decision: str = Field(..., max_length=12, description="upheld or overturned.")
    reason: str = Field(..., max_length=5000)


class LinkIn(Schema):
    employer_id: int = Field(..., ge=1, le=MAX_ID)
    programme: str = Field(..., max_length=30)
    since: str = Field("", max_length=10, description="YYYY-MM-DD; today if left out.")


class LinkEndIn(Schema):
    ended_on: str = Field("", max_length=10, description="YYYY-MM-DD; today if left out.")


class RatingIn(Schema):
    agency_id: int = Field(..., ge=1, le=MAX_ID)
    fees: int = Field(..., ge=1, le=5, description="5: I was charged nothing.")
    information: int = Field(..., ge=1, le=5)
    contract_honesty: int = Field(..., ge=1, le=5)
    treatment: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=2000, description="Read by the moderators only; never published.")


class ModerationIn(Schema):
    decision: str = Field(..., max_length=10, description="publish or reject.")
    note: str = Field("", max_length=2000, description="Required to reject.")


class ScopeOut(Schema):
    programme: str
    origin_country: str


def _scopes(licence: AgencyLicence) -> list[dict]:
    return [{"programme": s.programme.code, "origin_country": s.origin_country} for s in licence.scopes.all()]


class RatingsAggregateOut(Schema):
    shown: bool = Field(..., description="False below five counted ratings: nothing else is shown then.")
    count: int | None
    averages: dict[str, float] | None
    note: str


def _aggregate(agency_id: int) -> dict:
    found = selectors.rating_aggregates([agency_id])[agency_id]
    note = "" if found["shown"] else f"fewer than {selectors.RATING_THRESHOLD} ratings"
    return {**found, "note": note}


class RegisterOut(Schema):
    agency: str
    agency_id: int
    country: str
    number: str
    status: str
    status_reason: str = Field(..., description="Why a licence is suspended or revoked; empty otherwise.")
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    suspended_until: datetime.date | None
    deposit_amount: Decimal
    deposit_currency: str
    scopes: list[ScopeOut]
    ratings: RatingsAggregateOut

    @staticmethod
    def resolve_agency(obj):
        return obj.agency.name

    @staticmethod
    def resolve_country(obj):
        return obj.agency.country

    @staticmethod
    def resolve_status(obj):
        return obj.current_status

    @staticmethod
    def resolve_status_reason(obj):
        return obj.status_reason if obj.current_status in (LicenceStatus.SUSPENDED, LicenceStatus.REVOKED) else ""

    @staticmethod
    def resolve_suspended_until(obj):
        return obj.suspended_until if obj.current_status == LicenceStatus.SUSPENDED else None

    @staticmethod
    def resolve_scopes(obj):
        return _scopes(obj)

    @staticmethod
    def resolve_ratings(obj):
        return _aggregate(obj.agency_id)


class LicenceOut(Schema):
    id: int
    agency_id: int
    agency: str
    number: str | None
    issuing_country: str
    status: str = Field(..., description="As decided: applied, active, suspended, revoked or refused.")
    current_status: str = Field(..., description="On the day: expired once the validity ended, active after a suspension ended.")
    status_reason: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    suspended_until: datetime.date | None
    ownership: str
    capital_amount: Decimal
    capital_currency: str
    deposit_amount: Decimal
    deposit_currency: str
    deposit_balance: Decimal
    bond_reference: str
    scopes: list[ScopeOut]
    applied_at: datetime.datetime
    decided_at: datetime.datetime | None

    @staticmethod
    def resolve_agency(obj):
        return obj.agency.name

    @staticmethod
    def resolve_current_status(obj):
        return getattr(obj, "current_status", None) or selectors.status_on(obj)

    @staticmethod
    def resolve_scopes(obj):
        return _scopes(obj)


class ProceedingOut(Schema):
    id: int
    licence_id: int
    licence_number: str | None
    agency: str
    kind: str
    stage: str
    grounds: str
    notice_at: datetime.datetime
    respond_by: datetime.date
    response: str
    responded_at: datetime.datetime | None
    decision: str
    decision_reason: str
    decided_at: datetime.datetime | None
    sanction_until: datetime.date | None
    appeal_by: datetime.date | None
    appeal: str
    appealed_at: datetime.datetime | None
    appeal_decision: str
    appeal_reason: str
    appeal_decided_at: datetime.datetime | None
    actions: list[str] = Field(..., description="The steps you may take now.")

    @staticmethod
    def resolve_licence_number(obj):
        return obj.licence.number

    @staticmethod
    def resolve_agency(obj):
        return obj.licence.agency.name

    @staticmethod
    def resolve_actions(obj, context):
        return sorted(selectors.proceeding_actions(user=context["request"].user, proceeding=obj))


class LinkOut(Schema):
    id: int
    agency_id: int
    agency: str
    employer_id: int
    employer: str
    programme: str
    since: datetime.date
    ended_on: datetime.date | None
    jointly_liable: list[str] = Field(..., description="Both answer for what the workers paid.")

    @staticmethod
    def resolve_agency(obj):
        return obj.agency.name

    @staticmethod
    def resolve_employer(obj):
        return obj.employer.organisation.name

    @staticmethod
    def resolve_programme(obj):
        return obj.programme.code

    @staticmethod
    def resolve_jointly_liable(obj):
        return [obj.agency.name, obj.employer.organisation.name]


class RatingOut(Schema):
    id: int
    agency_id: int
    agency: str
    worker_id: int
    fees: int
    information: int
    contract_honesty: int
    treatment: int
    comment: str
    status: str
    moderation_note: str
    created_at: datetime.datetime
    updated_at: datetime.datetime | None

    @staticmethod
    def resolve_agency(obj):
        return obj.agency.name


class RateableOut(Schema):
    agency_id: int
    agency: str
    rating: RatingOut | None


# --- the public register -----------------------------------------------------------------------------------------


@router.get("/register", response=list[RegisterOut], auth=PUBLIC, summary="The public register of licensed agencies")
@paginate(Pagination)
def register(
    request,
    q: str = Query("", max_length=100, description="Words of the agency's name, or a licence number."),
    country: str = Query("", max_length=2, description="The agency's country (ISO 3166-1 alpha-2)."),
    status: str = Query("", max_length=12, description="active, suspended, revoked or expired."),
):
    return selectors.register(q=q, country=country, status=status)


@router.get("/register/{number}", response=RegisterOut, auth=PUBLIC, summary="One licence on the public register")
def register_entry(request, number: str):
    return selectors.register_entry(number=number[:40])


# --- licences ----------------------------------------------------------------------------------------------------


@router.get("/licences", response=list[LicenceOut], summary="Applications and licences you may see")
@paginate(Pagination)
def licence_list(
    request,
    status: str = Query("", max_length=12),
    q: str = Query("", max_length=100, description="Agency name or licence number."),
):
    return selectors.licence_list(user=request.user, status=status, q=q)


@router.post("/licences", response={201: LicenceOut}, summary="Apply for a licence (agency)")
def licence_apply(request, payload: ApplicationIn):
    data = payload.dict()
    data["scopes"] = [{k: v for k, v in s.items() if v} for s in data["scopes"]]
    licence = services.licence_apply(actor=request.user, **data)
    return Status(201, selectors.licence_get(user=request.user, pk=licence.pk))


@router.get("/licences/decision-queue", response=list[LicenceOut], summary="Applications waiting for your authority")
@paginate(Pagination)
def decision_queue(request):
    return selectors.decision_queue(user=request.user)


def _licence(request, licence_id: int) -> AgencyLicence:
    return selectors.licence_get(user=request.user, pk=licence_id)


@router.get("/licences/{int:licence_id}", response=LicenceOut, summary="One application or licence")
def licence_detail(request, licence_id: int):
    return _licence(request, licence_id)


@router.post("/licences/{int:licence_id}/grant", response=LicenceOut, summary="Grant (origin authority)")
def licence_grant(request, licence_id: int, payload: GrantIn):
    services.licence_grant(actor=request.user, licence=_licence(request, licence_id), **payload.dict())
    return _licence(request, licence_id)


@router.post("/licences/{int:licence_id}/refuse", response=LicenceOut, summary="Refuse, with the reason (origin authority)")
def licence_refuse(request, licence_id: int, payload: ReasonIn):
    services.licence_refuse(actor=request.user, licence=_licence(request, licence_id), reason=payload.reason)
    return _licence(request, licence_id)


@router.post("/licences/{int:licence_id}/renew", response=LicenceOut, summary="Renew: a new end of validity (origin authority)")
def licence_renew(request, licence_id: int, payload: GrantIn):
    data = {k: v for k, v in payload.dict().items() if v or k == "valid_until"}
    services.licence_renew(actor=request.user, licence=_licence(request, licence_id), **data)
    return _licence(request, licence_id)


# --- due process -------------------------------------------------------------------------------------------------


@router.get("/licences/{int:licence_id}/proceedings", response=list[ProceedingOut], summary="Proceedings on a licence")
@paginate(Pagination)
def proceeding_list(request, licence_id: int):
    return selectors.proceeding_list(user=request.user, licence=_licence(request, licence_id))


@router.post("/licences/{int:licence_id}/proceedings", response={201: ProceedingOut},
             summary="Give notice of a suspension or revocation (origin authority)")
def proceeding_open(request, licence_id: int, payload: ProceedingIn):
    proceeding = services.proceeding_open(actor=request.user, licence=_licence(request, licence_id), **payload.dict())
    return Status(201, selectors.proceeding_get(user=request.user, pk=proceeding.pk))


@router.get("/proceedings", response=list[ProceedingOut], summary="Proceedings you may see")
@paginate(Pagination)
def proceedings(request, open_only: bool = Query(False, description="Only those not closed.")):
    return selectors.proceeding_list(user=request.user, open_only=open_only)


def _proceeding(request, proceeding_id: int):
    return selectors.proceeding_get(user=request.user, pk=proceeding_id)


@router.get("/proceedings/{int:proceeding_id}", response=ProceedingOut, summary="One proceeding")
def proceeding_detail(request, proceeding_id: int):
    return _proceeding(request, proceeding_id)


@router.post("/proceedings/{int:proceeding_id}/respond", response=ProceedingOut, summary="Respond to the notice (agency)")
def proceeding_respond(request, proceeding_id: int, payload: ResponseIn):
    services.proceeding_respond(actor=request.user, proceeding=_proceeding(request, proceeding_id), response=payload.response)
    return _proceeding(request, proceeding_id)


@router.post("/proceedings/{int:proceeding_id}/decide", response=ProceedingOut, summary="Decide (origin authority)")
def proceeding_decide(request, proceeding_id: int, payload: DecisionIn):
    services.proceeding_decide(actor=request.user, proceeding=_proceeding(request, proceeding_id), **payload.dict())
    return _proceeding(request, proceeding_id)


@router.post("/proceedings/{int:proceeding_id}/appeal", response=ProceedingOut, summary="Appeal within 30 days (agency)")
def proceeding_appeal(request, proceeding_id: int, payload: AppealIn):
    services.proceeding_appeal(actor=request.user, proceeding=_proceeding(request, proceeding_id), appeal=payload.appeal)
    return _proceeding(request, proceeding_id)


@router.post("/proceedings/{int:proceeding_id}/decide-appeal", response=ProceedingOut,
             summary="Decide the appeal (a second officer of the origin authority)")
def proceeding_decide_appeal(request, proceeding_id: int, payload: AppealDecisionIn):
    services.proceeding_decide_appeal(actor=request.user, proceeding=_proceeding(request, proceeding_id), **payload.dict())
    return _proceeding(request, proceeding_id)


# --- agency-employer links ---------------------------------------------------------------------------------------


@router.get("/links", response=list[LinkOut], summary="Agency-employer links you may see (joint liability)")
@paginate(Pagination)
def link_list(request):
    return selectors.link_list(user=request.user)


@router.post("/links", response={201: LinkOut}, summary="Record that your agency recruits for an employer (agency)")
def link_record(request, payload: LinkIn):
    link = services.link_record(actor=request.user, employer=payload.employer_id, programme=payload.programme, since=payload.since)
    return Status(201, selectors.link_get(user=request.user, pk=link.pk))


@router.post("/links/{int:link_id}/end", response=LinkOut, summary="Record the end of the link (agency)")
def link_end(request, link_id: int, payload: LinkEndIn):
    link = selectors.link_get(user=request.user, pk=link_id, action="change")
    services.link_end(actor=request.user, link=link, ended_on=payload.ended_on)
    return selectors.link_get(user=request.user, pk=link_id)


# --- ratings -----------------------------------------------------------------------------------------------------


@router.get("/ratings", response=list[RatingOut], auth=RATINGS, summary="Your ratings, or those you moderate")
@paginate(Pagination)
def rating_list(request, status: str = Query("", max_length=10)):
    return selectors.rating_list(user=request.user, status=status)


@router.get("/ratings/to-rate", response=list[RateableOut], auth=RATINGS, summary="Agencies you may rate (worker)")
def rating_candidates(request):
    return [
        {"agency_id": agency.pk, "agency": agency.name, "rating": rating}
        for agency, rating in selectors.agencies_to_rate(user=request.user)
    ]


@router.get("/ratings/moderation-queue", response=list[RatingOut], auth=RATINGS, summary="Ratings waiting for moderation")
@paginate(Pagination)
def moderation_queue(request):
    return selectors.moderation_queue(user=request.user)


@router.post("/ratings", response={201: RatingOut}, auth=RATINGS, summary="Rate an agency, or change your rating (worker)")
def rating_submit(request, payload: RatingIn):
    data = payload.dict()
    rating = services.rating_submit(actor=request.user, agency=data.pop("agency_id"), **data)
    return Status(201, rating)


@router.post("/ratings/{int:rating_id}/moderate", response=RatingOut, auth=RATINGS,
             summary="Publish or reject a rating (origin authority of the agency's country)")
def rating_moderate(request, rating_id: int, payload: ModerationIn):
    rating = selectors.rating_get(user=request.user, pk=rating_id)
    return services.rating_moderate(actor=request.user, rating=rating, decision=payload.decision, note=payload.note)


@router.get("/{int:agency_id}/ratings", response=RatingsAggregateOut, auth=PUBLIC,
            summary="An agency's public rating aggregate")
def rating_aggregate(request, agency_id: int):
    from corridor.accounts.models import Organisation

    if not Organisation.objects.filter(pk=agency_id, kind="recruitment_agency").exists():
        raise NotFound("No such recruitment agency.", field="agency_id")
    return _aggregate(agency_id)
