"""The change of employer through /api/v1/mobility (scopes `mobility:read`, `mobility:write`; docs/mobility.md).

Openings show the job's pay terms (wage data) and applications hold the cause of a change, which may be abuse
(complaint data): their routes refuse immigration officers before any input is read. `/changes` lists the workers
changing employer with the end of their grace period (identity only, no pay and no cause), for the authorities, the
immigration authority included: it needs the date to know the stay is lawful. Who may act is decided by the services,
which answer 403, 404, 409 (a state that does not allow the step, a policy or a sanction that refuses it) or 422 naming
the field.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from corridor.contracts import services as contracts
from corridor.core.access import Category
from corridor.core.api_auth import ApiAccess
from corridor.core.errors import Forbidden, NotFound
from corridor.core.pagination import Pagination
from corridor.joborders.models import JobOrder
from corridor.mobility import selectors, services
from corridor.mobility.models import TransferApplication, TransferOpening
from corridor.workers import selectors as worker_selectors

MAX_ID = 2**31 - 1
MAX_TEXT = services.MAX_TEXT

router = Router(tags=["mobility"], auth=ApiAccess(category=Category.WORKER_IDENTITY, scope="mobility"))
# Openings show pay terms: wage data. Applications hold the cause (abuse is a complaint): complaint data.
OPENINGS = ApiAccess(category=Category.WAGE, scope="mobility")
APPLICATIONS = ApiAccess(category=Category.COMPLAINT, scope="mobility")

Fact = str | int | None


# --- schemas -----------------------------------------------------------------------------------------------------


class OpeningIn(Schema):
    job_order: int = Field(..., ge=1, description="An approved or open job order of your organisation.")
    positions: Fact = Field(None, description="Positions open to workers already at destination.")
    ends_on: Fact = Field(None, description="YYYY-MM-DD: the last day workers may apply.")
    note: str = Field("", max_length=MAX_TEXT)


class ReasonIn(Schema):
    reason: str = Field("", max_length=MAX_TEXT)


class ApplicationIn(Schema):
    opening: int = Field(..., ge=1)
    cause: str = Field("", max_length=40, description="own_choice, employer_closed or abuse (employer_sanctioned is "
                                                      "set by the system when the worker's employer was sanctioned).")
    message: str = Field("", max_length=MAX_TEXT, description="A note to the new employer (optional).")


class CompleteIn(Schema):
    welfare_contact_name: str | None = Field(None, max_length=300, description="The new employer only: a new welfare "
                                                                               "contact (the old one is kept otherwise).")
    welfare_contact_phone: str | None = Field(None, max_length=100)


class OpeningOut(Schema):
    id: int
    job_order: int
    reference: str | None
    title: str
    employer: str
    programme: str
    sector: str
    isco_code: str
    region: str
    wage_amount: str
    wage_currency: str
    wage_unit: str
    hours_per_week: str
    start_date: datetime.date
    end_date: datetime.date
    positions: int
    positions_left: int
    ends_on: datetime.date
    note: str
    status: str
    close_reason: str

    @staticmethod
    def resolve_job_order(obj):
        return obj.job_order_id

    @staticmethod
    def resolve_reference(obj):
        return obj.job_order.reference

    @staticmethod
    def resolve_title(obj):
        return obj.job_order.title

    @staticmethod
    def resolve_employer(obj):
        return obj.job_order.employer.organisation.name

    @staticmethod
    def resolve_programme(obj):
        return obj.job_order.programme.code

    @staticmethod
    def resolve_sector(obj):
        return obj.job_order.sector

    @staticmethod
    def resolve_isco_code(obj):
        return obj.job_order.isco_code

    @staticmethod
    def resolve_region(obj):
        return obj.job_order.worksite.region

    @staticmethod
    def resolve_wage_amount(obj):
        return str(obj.job_order.wage_amount)

    @staticmethod
    def resolve_wage_currency(obj):
        return obj.job_order.wage_currency

    @staticmethod
    def resolve_wage_unit(obj):
        return obj.job_order.wage_unit

    @staticmethod
    def resolve_hours_per_week(obj):
        return str(obj.job_order.hours_per_week)

    @staticmethod
    def resolve_start_date(obj):
        return obj.job_order.start_date

    @staticmethod
    def resolve_end_date(obj):
        return obj.job_order.end_date

    @staticmethod
    def resolve_positions_left(obj):
        return selectors.positions_left(obj)


class ApplicationOut(Schema):
    id: int
    opening: int
    employer: str
    title: str
    worker: str = Field(..., description="The worker's public id.")
    cause: str | None = Field(..., description="Shown to the worker, the origin authority, the ministry and the labour "
                                               "inspectorate only; null for an employer.")
    message: str
    status: str
    applied_at: datetime.datetime
    decided_at: datetime.datetime | None
    decline_reason: str
    placement: int | None
    contract: int | None
    new_journey: int | None
    completed_at: datetime.datetime | None

    @staticmethod
    def resolve_opening(obj):
        return obj.opening_id

    @staticmethod
    def resolve_employer(obj):
        return obj.opening.job_order.employer.organisation.name

    @staticmethod
    def resolve_title(obj):
        return obj.opening.job_order.title

    @staticmethod
    def resolve_worker(obj):
        return obj.worker.public_id

    @staticmethod
    def resolve_cause(obj, context):
        return obj.cause if selectors.may_see_cause(context["request"].user, obj) else None

    @staticmethod
    def resolve_placement(obj):
        return obj.placement_id

    @staticmethod
    def resolve_contract(obj):
        if obj.placement_id is None:
            return None
        return obj.placement.contracts.order_by("-version").values_list("pk", flat=True).first()

    @staticmethod
    def resolve_new_journey(obj):
        return obj.new_journey_id


class JourneyOut(Schema):
    id: int
    state: str
    previous: int | None
    placement: int
    employer: str

    @staticmethod
    def resolve_previous(obj):
        return obj.previous_id

    @staticmethod
    def resolve_placement(obj):
        return obj.placement_id

    @staticmethod
    def resolve_employer(obj):
        return obj.placement.job_order.employer.organisation.name


class ChangeOut(Schema):
    journey: int
    worker: str
    name: str
    employer: str
    programme: str
    started_on: datetime.date
    grace_period_days: int
    lawful_until: datetime.date = Field(..., description="The stay stays lawful until this day while the worker looks "
                                                         "for a new employer.")
    days_left: int
    grace_ended: bool


# --- helpers -----------------------------------------------------------------------------------------------------


def _opening(request, pk: int) -> TransferOpening:
    if pk > MAX_ID:
        raise NotFound(_("No such opening, or not one you may see."), field="opening")
    return selectors.opening_get(user=request.user, pk=pk)


def _application(request, pk: int) -> TransferApplication:
    if pk > MAX_ID:
        raise NotFound(_("No such application, or not one you may see."), field="application")
    return selectors.application_get(user=request.user, pk=pk)


def _reload(request, application: TransferApplication) -> TransferApplication:
    return selectors.application_get(user=request.user, pk=application.pk)


# --- openings ----------------------------------------------------------------------------------------------------


@router.get("/openings", response=list[OpeningOut], auth=OPENINGS,
            summary="Openings: for a worker at destination those they may apply to; for others those they may see")
@paginate(Pagination)
def opening_list(
    request,
    status: str = Query("", max_length=20, description="open or closed."),
    programme: str = Query("", max_length=40),
    employer_caused: bool = Query(False, description="Workers: the change is caused by the employer (closure or "
                                                     "abuse): the sector rule and a 'not allowed' policy do not apply."),
):
    worker = worker_selectors.worker_of_user(user=request.user)
    if worker is not None:
        journey = selectors.current_journeys(worker).first()
        if journey is None:
            return TransferOpening.objects.none()
        return selectors.openings_for_worker(user=request.user, journey=journey, employer_caused=employer_caused)
    return selectors.opening_list(user=request.user, status=status, programme=programme)


@router.post("/openings", response={201: OpeningOut}, auth=OPENINGS,
             summary="Open a job order to workers changing employer (the employer)")
def opening_create(request, payload: OpeningIn):
    order = JobOrder.objects.restrict(request.user).filter(pk=payload.job_order).first() if payload.job_order <= MAX_ID else None
    if order is None:
        raise NotFound(_("No such job order, or not one you may see."), field="job_order")
    opening = services.opening_create(actor=request.user, job_order=order, positions=payload.positions,
                                      ends_on=payload.ends_on, note=payload.note)
    return Status(201, selectors.opening_get(user=request.user, pk=opening.pk))


@router.get("/openings/{int:opening_id}", response=OpeningOut, auth=OPENINGS, summary="One opening")
def opening_get(request, opening_id: int):
    return _opening(request, opening_id)


@router.post("/openings/{int:opening_id}/close", response=OpeningOut, auth=OPENINGS,
             summary="Close an opening (the employer or the ministry); waiting applications are declined")
def opening_close(request, opening_id: int, payload: ReasonIn):
    opening = services.opening_close(actor=request.user, opening=_opening(request, opening_id), reason=payload.reason)
    return selectors.opening_get(user=request.user, pk=opening.pk)


# --- applications ------------------------------------------------------------------------------------------------


@router.get("/applications", response=list[ApplicationOut], auth=APPLICATIONS,
            summary="Applications you may see: a worker's own, those to an employer's openings, those of an authority's "
                    "remit")
@paginate(Pagination)
def application_list(request, status: str = Query("", max_length=20, description="applied, accepted, declined, "
                                                                                         "withdrawn or completed."),
                     opening: int | None = Query(None, ge=1, le=MAX_ID)):
    opening_obj = _opening(request, opening) if opening is not None else None
    return selectors.application_list(user=request.user, status=status, opening=opening_obj)


@router.post("/applications", response={201: ApplicationOut}, auth=APPLICATIONS,
             summary="Apply to an opening (the worker), with the cause; nobody's permission is asked")
def application_create(request, payload: ApplicationIn):
    if worker_selectors.worker_of_user(user=request.user) is None:
        raise Forbidden(_("Only a worker applies to change employer, for themself."))
    application = services.application_create(actor=request.user, opening=_opening(request, payload.opening),
                                              cause=payload.cause, message=payload.message)
    return Status(201, _reload(request, application))


@router.get("/applications/{int:application_id}", response=ApplicationOut, auth=APPLICATIONS, summary="One application")
def application_get(request, application_id: int):
    return _application(request, application_id)


@router.post("/applications/{int:application_id}/withdraw", response=ApplicationOut, auth=APPLICATIONS,
             summary="Withdraw an application (the worker)")
def application_withdraw(request, application_id: int, payload: ReasonIn):
    application = services.application_withdraw(actor=request.user, application=_application(request, application_id),
                                                reason=payload.reason)
    return _reload(request, application)


@router.post("/applications/{int:application_id}/accept", response=ApplicationOut, auth=APPLICATIONS,
             summary="Accept an application (the new employer): a confirmed placement and its contract are made")
def application_accept(request, application_id: int):
    application = services.application_accept(actor=request.user, application=_application(request, application_id))
    return _reload(request, application)


@router.post("/applications/{int:application_id}/decline", response=ApplicationOut, auth=APPLICATIONS,
             summary="Decline an application (the new employer), with a reason the worker reads")
def application_decline(request, application_id: int, payload: ReasonIn):
    application = services.application_decline(actor=request.user, application=_application(request, application_id),
                                               reason=payload.reason)
    return _reload(request, application)


@router.post("/applications/{int:application_id}/complete", response=JourneyOut, auth=APPLICATIONS,
             summary="Complete the move once the worker has accepted the new contract (the worker or the new "
                     "employer): the new journey")
def move_complete(request, application_id: int, payload: CompleteIn):
    application = _application(request, application_id)
    if not (contracts.is_worker(request.user, application.worker)
            or contracts.is_employer_of(request.user, application.opening.job_order)):
        raise Forbidden(_("Only the worker or the new employer completes the move."))
    return services.move_complete(actor=request.user, application=application,
                                  welfare_contact_name=payload.welfare_contact_name,
                                  welfare_contact_phone=payload.welfare_contact_phone)


# --- changes in progress -----------------------------------------------------------------------------------------


@router.get("/changes", response=list[ChangeOut],
            summary="Workers changing employer and until when their stay stays lawful (the authorities)")
@paginate(Pagination)
def changes(request):
    if not request.user.role_set() & selectors.OFFICIAL_ROLES:
        raise Forbidden(_("This list is for the authorities of the programme."))
    rows = []
    for row in selectors.changes_in_progress(user=request.user):
        j, g = row["journey"], row["grace"]
        rows.append({"journey": j.pk, "worker": j.worker.public_id, "name": f"{j.worker.given_names} {j.worker.family_names}",
                     "employer": j.placement.job_order.employer.organisation.name,
                     "programme": j.placement.job_order.programme.code, "started_on": g["started"],
                     "grace_period_days": g["days"], "lawful_until": g["end"], "days_left": g["days_left"],
                     "grace_ended": g["ended"]})
    return rows
