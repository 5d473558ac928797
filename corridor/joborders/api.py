"""Job orders through /api/v1/job-orders (scopes `joborders:read`, `joborders:write`) and the public vacancy board
through /api/v1/vacancy-board.

The services check every field and every rule of the programme; their errors name the API's fields (`worksite_id`,
`housing_id`). The board shows what a worker needs to decide whether to apply, and nothing else: no employer
contacts, business ids, review notes or named workers.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from decimal import Decimal
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StringConstraints

from corridor.core.access import Category, is_firewalled
from corridor.core.api_auth import ApiAccess
from corridor.core.errors import Forbidden, InvalidInput, NotFound
from corridor.core.pagination import Pagination
from corridor.employers.selectors import housing_for_candidate
from corridor.joborders import selectors, services
from corridor.joborders.models import JobOrder
from corridor.programmes.selectors import programme_get
from corridor.reference.selectors import isco_titles

MAX_ID = 2**31 - 1


class JobOrderAccess(ApiAccess):
    """ApiAccess that also keeps immigration users out of job orders: an order states pay terms and deductions,
    which the labour-protection firewall keeps from them. The vacancy board stays public to everyone."""

    def __call__(self, request):
        user = super().__call__(request)
        if user is not None and is_firewalled(user, Category.WAGE):
            raise Forbidden(_("Job orders are outside what your authority may see (labour-protection firewall)."))
        return user


router = Router(tags=["job orders"], auth=JobOrderAccess(category=Category.ORGANISATION, scope="joborders"))
board_router = Router(
    tags=["vacancy board"], auth=ApiAccess(category=Category.ORGANISATION, scope="joborders", anonymous_read=True)
)


# --- field names: the services speak of objects, the API of ids ----------------------------------------------------

API_FIELD_NAMES = {"worksite": "worksite_id", "housing": "housing_id"}


def _api_field(field: str | None) -> str | None:
    if not field:
        return field
    head, sep, rest = field.partition(".")
    return API_FIELD_NAMES.get(head, head) + sep + rest


def _api_errors(errors: list[dict]) -> list[dict]:
    return [{**e, "field": _api_field(e.get("field"))} for e in errors]


@contextmanager
def api_fields():
    """Rewrite the field names of InvalidInput raised inside the block to the API's names."""
    try:
        yield
    except InvalidInput as exc:
        raise InvalidInput(_api_errors(exc.as_errors())) from exc


# --- schemas -----------------------------------------------------------------------------------------------------

Text = Annotated[str, StringConstraints(max_length=5000)]
Short = Annotated[str, StringConstraints(max_length=200)]
LanguageCode = Annotated[str, StringConstraints(max_length=10)]


class DeductionIn(Schema):
    type: str = Field(..., max_length=50, description="e.g. housing, food, tax.")
    amount: Decimal = Field(..., max_digits=12, decimal_places=2, description="Per month, in the wage currency.")


class AdvertIn(Schema):
    channel: str = Field(..., max_length=200, description="Where the vacancy was advertised locally.")
    start_date: datetime.date
    end_date: datetime.date
    local_applicants: int = Field(0, ge=0, le=MAX_ID)
    local_hires: int = Field(0, ge=0, le=MAX_ID)
    url: str = Field("", max_length=200)


class JobOrderFields(Schema):
    """Every field of a job order, optional: used as it is for partial updates."""

    title: str | None = Field(None, max_length=200)
    origin_countries: list[Annotated[str, StringConstraints(max_length=10)]] | None = Field(
        None, max_length=60, description="ISO 3166-1 alpha-2 codes of the countries workers may come from."
    )
    isco_code: str | None = Field(None, max_length=4, description="ISCO-08 unit group (4 digits).")
    esco_uri: str | None = Field(None, max_length=200, description="An ESCO occupation, instead of or with the ISCO code.")
    national_classification: str | None = Field(None, max_length=40, description="e.g. NOC, with national_code.")
    national_code: str | None = Field(None, max_length=40)
    sector: str | None = Field(None, max_length=1, description="ISIC Rev.4 section; the employer's, if it has one.")
    positions: int | None = Field(None, le=MAX_ID)
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    worksite_id: int | None = Field(None, ge=1, le=MAX_ID)
    wage_amount: Decimal | None = Field(None, max_digits=12, decimal_places=2)
    wage_currency: str | None = Field(None, max_length=3)
    wage_unit: str | None = Field(None, max_length=10, description="hour, day, week or month.")
    hours_per_week: Decimal | None = Field(None, max_digits=5, decimal_places=2)
    overtime_rate_percent: Decimal | None = Field(None, max_digits=5, decimal_places=1)
    deductions: list[DeductionIn] | None = Field(None, max_length=50)
    housing_id: int | None = Field(None, ge=1, le=MAX_ID, description="One of the employer's housing units.")
    outbound_travel_worker_percent: Decimal | None = Field(None, max_digits=5, decimal_places=1)
    return_travel_worker_percent: Decimal | None = Field(None, max_digits=5, decimal_places=1)
    named_workers: list[Short] | None = Field(None, max_length=500)
    language: str | None = Field(None, max_length=10, description="ISO 639 code of the language required, if any.")
    language_level: str | None = Field(None, max_length=40)
    min_experience_months: int | None = Field(None, le=MAX_ID)
    description: str | None = Field(None, max_length=5000)
    description_language: str | None = Field(None, max_length=10)
    translations: dict[LanguageCode, Text] | None = Field(None, max_length=50, description="{language: description}")
    open_to_transfers: bool | None = None
    adverts: list[AdvertIn] | None = Field(None, max_length=50, description="Replaces the labour-market evidence.")


class JobOrderIn(JobOrderFields):
    programme: str = Field(..., min_length=1, max_length=30, description="Programme code, e.g. CA-SAG.")
    title: str = Field(..., max_length=200)
    origin_countries: list[Annotated[str, StringConstraints(max_length=10)]] = Field(..., max_length=60)
    positions: int = Field(..., le=MAX_ID)
    start_date: datetime.date
    end_date: datetime.date
    worksite_id: int = Field(..., ge=1, le=MAX_ID)
    wage_amount: Decimal = Field(..., max_digits=12, decimal_places=2)
    wage_currency: str = Field(..., max_length=3)
    wage_unit: str = Field(..., max_length=10, description="hour, day, week or month.")
    hours_per_week: Decimal = Field(..., max_digits=5, decimal_places=2)


class NoteIn(Schema):
    note: str = Field("", max_length=5000)


class ReasonsIn(Schema):
    reasons: list[Annotated[str, StringConstraints(max_length=1000)]] = Field(..., max_length=50)


class FilledIn(Schema):
    filled: int = Field(..., le=MAX_ID)


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000)


class AdvertOut(Schema):
    id: int
    channel: str
    start_date: datetime.date
    end_date: datetime.date
    local_applicants: int
    local_hires: int
    url: str


class VerificationOut(Schema):
    origin_country: str
    authority: str
    verified_at: datetime.datetime
    note: str

    @staticmethod
    def resolve_authority(obj):
        return obj.authority.name


class EmployerRef(Schema):
    id: int
    name: str


class WorksiteRef(Schema):
    id: int
    name: str
    region: str
    country: str


class JobOrderListOut(Schema):
    id: int
    reference: str | None
    status: str
    programme: str
    employer: EmployerRef
    title: str
    isco_code: str
    origin_countries: list[str]
    positions: int
    positions_filled: int
    start_date: datetime.date
    end_date: datetime.date
    worksite: WorksiteRef
    submitted_at: datetime.datetime | None
    updated_at: datetime.datetime

    @staticmethod
    def resolve_programme(obj):
        return obj.programme.code

    @staticmethod
    def resolve_employer(obj):
        return {"id": obj.employer_id, "name": obj.employer.organisation.name}


class FindingOut(Schema):
    field: str | None
    rule: str = ""
    message: str


class JobOrderOut(JobOrderListOut):
    status_label: str
    esco_uri: str
    national_classification: str
    national_code: str
    sector: str
    positions_open: int
    worksite_id: int
    wage_amount: Decimal
    wage_currency: str
    wage_unit: str
    hours_per_week: Decimal
    overtime_rate_percent: Decimal
    deductions: list[dict]
    housing_id: int | None
    outbound_travel_worker_percent: Decimal
    return_travel_worker_percent: Decimal
    named_workers: list[str]
    language: str
    language_level: str
    min_experience_months: int
    description: str
    description_language: str
    translations: dict[str, str]
    open_to_transfers: bool
    rule_version: int | None = Field(None, description="Number of the programme's rule version the order was checked against.")
    check_report: list[FindingOut]
    review_note: str
    approval_note: str
    returned_reasons: list[str]
    cancel_reason: str
    reviewed_at: datetime.datetime | None
    approved_at: datetime.datetime | None
    four_eyes: bool
    opened_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    quota_year: int | None
    quota_held: int
    verifications: list[VerificationOut]
    adverts: list[AdvertOut]
    actions: list[str] = Field(..., description="The workflow steps you may take now.")
    created_at: datetime.datetime

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_rule_version(obj):
        return obj.rule_version.number if obj.rule_version_id else None

    @staticmethod
    def resolve_check_report(obj):
        return _api_errors(obj.check_report or [])

    @staticmethod
    def resolve_verifications(obj):
        return list(obj.verifications.select_related("authority"))

    @staticmethod
    def resolve_adverts(obj):
        return list(obj.adverts.all())

    @staticmethod
    def resolve_actions(obj, context):
        return sorted(selectors.actions_for(user=context["request"].user, order=obj))


class CheckOut(Schema):
    ok: bool
    findings: list[FindingOut]
    wage_floor: str = Field(..., description="The floor the wage is compared with; empty when none can be computed.")


class QuotaOut(Schema):
    year: int
    scope: str
    key: str
    limit: int
    used: int
    remaining: int


# --- job orders ----------------------------------------------------------------------------------------------------


def _service_data(data: dict) -> dict:
    """The API's ids as the service's fields."""
    for api_name, name in (("worksite_id", "worksite"), ("housing_id", "housing")):
        if api_name in data:
            data[name] = data.pop(api_name)
    return data


def _order(request, order_id: int) -> JobOrder:
    return selectors.job_order_get(user=request.user, pk=order_id)


def _target(request, order_id: int) -> JobOrder:
    """The order to act on: one the user may see, or else one on the public board (whose existence is no secret),
    for which the service then answers 403. An order the user may not see at all is 404."""
    try:
        return selectors.job_order_get(user=request.user, pk=order_id)
    except NotFound:
        return selectors.job_order_get(user=request.user, pk=order_id, action="board")


@router.get("", response=list[JobOrderListOut], summary="Job orders you may see")
@paginate(Pagination)
def job_order_list(
    request,
    programme: str = Query("", max_length=30, description="Programme code."),
    status: str = Query("", max_length=20),
    employer: int | None = Query(None, ge=1, le=MAX_ID, description="Employer id."),
    origin: str = Query("", max_length=2, description="Origin country (ISO 3166-1 alpha-2)."),
    q: str = Query("", max_length=100, description="Title, reference or ISCO-08 code."),
):
    return selectors.job_order_list(
        user=request.user, programme=programme.upper(), status=status, employer=employer, origin=origin, q=q
    )


@router.post("", response={201: JobOrderOut}, summary="Draft a job order for your employer")
def job_order_create(request, payload: JobOrderIn):
    employer = selectors.employer_of(user=request.user)
    if employer is None:
        raise Forbidden(_("Only a registered employer may draft job orders."))
    programme = programme_get(user=request.user, code=payload.programme)
    data = _service_data(payload.dict(exclude={"programme"}, exclude_none=True))
    with api_fields():
        order = services.job_order_create(actor=request.user, employer=employer, programme=programme, **data)
    return Status(201, order)


@router.get("/review-queue", response=list[JobOrderListOut], summary="Orders waiting for the destination ministry")
@paginate(Pagination)
def review_queue(request):
    return selectors.review_queue(user=request.user)


@router.get("/verification-queue", response=list[JobOrderListOut], summary="Approved orders waiting for your verification")
@paginate(Pagination)
def verification_queue(request):
    return selectors.verification_queue(user=request.user)


@router.get("/quotas", response=list[QuotaOut], summary="Quota use of a programme")
def quota_list(
    request,
    programme: str = Query(..., min_length=1, max_length=30, description="Programme code."),
    year: int | None = Query(None, ge=1900, le=2200),
):
    found = programme_get(user=request.user, code=programme)
    return selectors.quota_use(user=request.user, programme=found, year=year)


class SummaryLineOut(Schema):
    isco: str
    title: str
    orders: int
    employers: int
    asked: int
    approved: int
    filled: int


class SummaryOut(Schema):
    programme: str
    year: int | None
    lines: list[SummaryLineOut]
    suppressed_lines: int
    min_employers_per_line: int | None


@router.get("/summary", response=SummaryOut, summary="Positions asked, approved and filled per occupation group")
def job_order_summary(
    request,
    programme: str = Query(..., min_length=1, max_length=30, description="Programme code."),
    year: int | None = Query(None, ge=1900, le=2200),
):
    """For the destination ministry and the social partners: lines with fewer than three employers are left out for
    social partners and researchers, so that no single employer's orders can be read."""
    found = programme_get(user=request.user, code=programme)
    return selectors.job_order_summary(user=request.user, programme=found, year=year)


@router.get("/{int:order_id}", response=JobOrderOut, summary="One job order")
def job_order_detail(request, order_id: int):
    return _order(request, order_id)


@router.patch("/{int:order_id}", response=JobOrderOut, summary="Change a draft or returned job order")
def job_order_update(request, order_id: int, payload: JobOrderFields):
    order = _target(request, order_id)
    data = _service_data(payload.dict(exclude_unset=True))
    with api_fields():
        return services.job_order_update(actor=request.user, order=order, **data)


@router.post("/{int:order_id}/check", response=CheckOut, summary="The rule findings, without changing anything")
def job_order_check(request, order_id: int):
    order = _order(request, order_id)
    findings = _api_errors(selectors.preview_findings(order=order))
    return {"ok": not findings, "findings": findings, "wage_floor": services.wage_floor_label(order)}


@router.post("/{int:order_id}/adverts", response={201: JobOrderOut}, summary="Add labour-market evidence")
def advert_add(request, order_id: int, payload: AdvertIn):
    order = _target(request, order_id)
    services.advert_add(actor=request.user, order=order, **payload.dict())
    return Status(201, _order(request, order_id))


@router.post("/{int:order_id}/submit", response=JobOrderOut, summary="Submit for review")
def job_order_submit(request, order_id: int):
    order = _target(request, order_id)
    with api_fields():
        return services.job_order_submit(actor=request.user, order=order)


@router.post("/{int:order_id}/review", response=JobOrderOut, summary="Review (destination ministry)")
def job_order_review(request, order_id: int, payload: NoteIn):
    order = _target(request, order_id)
    return services.job_order_review(actor=request.user, order=order, note=payload.note)


@router.post("/{int:order_id}/approve", response=JobOrderOut, summary="Approve (destination ministry)")
def job_order_approve(request, order_id: int, payload: NoteIn):
    order = _target(request, order_id)
    with api_fields():
        return services.job_order_approve(actor=request.user, order=order, note=payload.note)


@router.post("/{int:order_id}/return", response=JobOrderOut, summary="Return to the employer with reasons")
def job_order_return(request, order_id: int, payload: ReasonsIn):
    order = _target(request, order_id)
    return services.job_order_return(actor=request.user, order=order, reasons=payload.reasons)


@router.post("/{int:order_id}/verify", response=JobOrderOut, summary="Verify for your country (origin authority)")
def job_order_verify(request, order_id: int, payload: NoteIn):
    order = _target(request, order_id)
    return services.job_order_verify(actor=request.user, order=order, note=payload.note)


@router.post("/{int:order_id}/fill", response=JobOrderOut, summary="Record the positions filled")
def job_order_fill(request, order_id: int, payload: FilledIn):
    order = _target(request, order_id)
    return services.job_order_record_filled(actor=request.user, order=order, filled=payload.filled)


@router.post("/{int:order_id}/close", response=JobOrderOut, summary="Close; unfilled positions go back to the quota")
def job_order_close(request, order_id: int, payload: ReasonIn):
    order = _target(request, order_id)
    return services.job_order_close(actor=request.user, order=order, reason=payload.reason)


@router.post("/{int:order_id}/cancel", response=JobOrderOut, summary="Cancel, with a reason")
def job_order_cancel(request, order_id: int, payload: ReasonIn):
    order = _target(request, order_id)
    return services.job_order_cancel(actor=request.user, order=order, reason=payload.reason)


# --- the vacancy board -------------------------------------------------------------------------------------------


class BoardWorksiteOut(Schema):
    name: str
    region: str
    country: str


class BoardHousingOut(Schema):
    """The unit as a worker weighs it; not its address (given to candidates offered the job)."""

    rooms: int
    beds_per_room: list[int]
    capacity: int
    floor_area_m2: Decimal
    facilities: list[str]
    charge_amount: Decimal
    charge_currency: str
    photos: list[str]


class AccommodationOut(Schema):
    provided: bool
    summary: str
    unit: BoardHousingOut | None


class TravelOut(Schema):
    outbound_employer_percent: float
    outbound_worker_percent: float
    return_employer_percent: float
    return_worker_percent: float


class LanguageOut(Schema):
    language: str
    level: str


class BoardDeductionOut(Schema):
    type: str
    amount: Decimal


class BoardOrderOut(Schema):
    reference: str
    title: str
    employer: str
    programme: str
    worksite: BoardWorksiteOut
    origin_countries: list[str]
    isco_code: str
    occupation: str = Field(..., description="The ISCO-08 title of the occupation.")
    positions_open: int
    start_date: datetime.date
    end_date: datetime.date
    wage_amount: Decimal
    wage_currency: str
    wage_unit: str
    hours_per_week: Decimal
    overtime_rate_percent: Decimal
    deductions: list[BoardDeductionOut]
    accommodation: AccommodationOut
    travel: TravelOut
    language_required: LanguageOut | None
    min_experience_months: int
    description: str
    description_language: str = Field(..., description="The language the description is in (the one asked for, where translated).")
    open_to_transfers: bool

    @staticmethod
    def resolve_employer(obj):
        return obj.employer.organisation.name

    @staticmethod
    def resolve_programme(obj):
        return obj.programme.code

    @staticmethod
    def resolve_occupation(obj, context):
        cache = context["request"].__dict__.setdefault("_isco_titles", {})
        if obj.isco_code not in cache:
            cache[obj.isco_code] = isco_titles([obj.isco_code]).get(obj.isco_code, "")
        return cache[obj.isco_code]

    @staticmethod
    def resolve_accommodation(obj):
        if obj.housing_id is None:
            return {"provided": False, "summary": _("No housing provided: the worker arranges accommodation."), "unit": None}
        return {"provided": True, "summary": _("Housing provided by the employer; the worker may choose other accommodation instead."), "unit": housing_for_candidate(unit=obj.housing)}

    @staticmethod
    def resolve_travel(obj):
        return selectors.travel_split(obj)

    @staticmethod
    def resolve_language_required(obj):
        return {"language": obj.language, "level": obj.language_level} if obj.language else None

    @staticmethod
    def resolve_description(obj, context):
        return obj.description_in(_board_language(context["request"]))[0]

    @staticmethod
    def resolve_description_language(obj, context):
        return obj.description_in(_board_language(context["request"]))[1]


def _board_language(request) -> str:
    return str(request.GET.get("lang", ""))[:10]


@board_router.get("", response=list[BoardOrderOut], summary="Open job orders (public)")
@paginate(Pagination)
def board(
    request,
    programme: str = Query("", max_length=30, description="Programme code."),
    origin: str = Query("", max_length=2, description="Your country (ISO 3166-1 alpha-2): orders open to it."),
    isco: str = Query("", max_length=4, description="ISCO-08 group, 1 to 4 digits."),
    region: str = Query("", max_length=100),
    month: str = Query("", max_length=7, description="YYYY-MM: orders whose job covers that month."),
    transfers: bool = Query(False, description="Only orders open to workers changing employer."),
    q: str = Query("", max_length=100, description="Words of the title or the employer's name."),
    lang: str = Query("", max_length=10, description="Language of the description, where translated."),
):
    return selectors.board(
        user=request.user, programme=programme.upper(), origin=origin, isco=isco, region=region, month=month,
        transfers=transfers, q=q,
    ).prefetch_related("housing__photos")


@board_router.get("/{reference}", response=BoardOrderOut, summary="One open job order (public)")
def board_detail(request, reference: str, lang: str = Query("", max_length=10)):
    return selectors.board_get(reference=reference, user=request.user)
