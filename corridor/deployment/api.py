"""The worker's journey through /api/v1/journeys (scopes `deployment:read`, `deployment:write`; docs/api.md).

A journey is worker identity data: the worker, the employer of the job order, the origin authority of the worker's
country, the destination ministry, the labour inspectorate and the destination's immigration authority see it (the
selectors decide). Within a journey each part keeps its own category: permits are permit data; declared terms and
substitution alerts hold pay terms (wage data), so their routes refuse immigration officers before any input is read
and the journey detail leaves them out for them, as it leaves out the welfare contact, the pre-departure facts and the
notes of each step. Who may act is decided by the services, which answer 403, 404, 409 (a step the journey's state
does not allow, with the steps possible now) or 422 naming the field.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from corridor.contracts import selectors as contract_selectors
from corridor.core.access import Category, is_firewalled
from corridor.core.api_auth import ApiAccess
from corridor.core.errors import InvalidInput, NotFound
from corridor.core.pagination import Pagination
from corridor.deployment import selectors, services
from corridor.deployment.models import AlertStatus, Journey, State, SubstitutionAlert

MAX_ID = 2**31 - 1
MAX_TEXT = services.MAX_TEXT
DATE = {"max_length": 30, "description": "YYYY-MM-DD."}

router = Router(tags=["journeys"], auth=ApiAccess(category=Category.WORKER_IDENTITY, scope="deployment"))
PERMITS = ApiAccess(category=Category.PERMIT, scope="deployment")
# Declared terms and substitution alerts hold the worker's pay terms: wage data, behind the firewall.
ALERTS = ApiAccess(category=Category.WAGE, scope="deployment")

ACTION_LABELS = {
    "contract_accepted": gettext_lazy("The worker accepts the contract"),
    "clear_departure": gettext_lazy("The origin authority clears the departure"),
    "issue_permit": gettext_lazy("The immigration authority issues the permit"),
    "depart": gettext_lazy("Departure"),
    "confirm_arrival": gettext_lazy("The employer confirms the arrival"),
    "start_employer_change": gettext_lazy("Change of employer"),
    "resume_work": gettext_lazy("Call off the change of employer"),
    "move": gettext_lazy("Move to the new employer (the change of employer pages)"),
    "return": gettext_lazy("Return home"),
    "overstay": gettext_lazy("Stay beyond the permit"),
    "change_status": gettext_lazy("Transfer to another status"),
    "withdraw": gettext_lazy("Withdraw"),
}


# --- schemas: input ----------------------------------------------------------------------------------------------


class StartIn(Schema):
    placement: int = Field(..., ge=1, description="A placement confirmed by the worker and the employer.")


class PreDepartureIn(Schema):
    insurance_provider: str | None = Field(None, max_length=200)
    insurance_policy: str | None = Field(None, max_length=100)
    insurance_valid_until: str | None = Field(None, **DATE)
    travel_booking: str | None = Field(None, max_length=100)
    planned_departure: str | None = Field(None, **DATE)


class PermitIn(Schema):
    kind: str = Field("", max_length=20, description="visa, work_permit or residence_permit.")
    number: str = Field("", max_length=60)
    valid_from: str = Field("", **DATE)
    valid_until: str = Field("", **DATE)
    entries: str = Field("", max_length=10, description="single or multiple.")
    employer_name: str = Field("", max_length=200, description="The employer named on the permit, if any.")
    isco_code: str = Field("", max_length=4, description="The occupation on the permit (ISCO-08), if any.")
    conditions: str = Field("", max_length=MAX_TEXT)


class DepartureIn(Schema):
    departed_on: str = Field("", **DATE)


class ArrivalIn(Schema):
    arrived_on: str = Field("", **DATE)
    welfare_contact_name: str = Field("", max_length=200)
    welfare_contact_phone: str = Field("", max_length=40)


Fact = str | int | float | None


class DeclaredTermsIn(Schema):
    wage_amount: Fact = None
    wage_currency: Fact = None
    wage_unit: Fact = None
    hours_per_week: Fact = None
    isco_code: Fact = None
    worksite: Fact = None
    start_date: Fact = None
    end_date: Fact = None
    housing_charge: Fact = None
    deductions_total: Fact = None


class ResolutionIn(Schema):
    resolution: str = Field("", max_length=MAX_TEXT)


class NoteIn(Schema):
    note: str = Field("", max_length=MAX_TEXT)


class ReasonIn(Schema):
    reason: str = Field("", max_length=MAX_TEXT)


class ReturnIn(Schema):
    returned_on: str = Field("", **DATE)
    as_agreed: bool | str | None = Field(None, description="Whether the worker returned as agreed.")
    note: str = Field("", max_length=MAX_TEXT)


# --- schemas: output ---------------------------------------------------------------------------------------------


class WorkerRef(Schema):
    public_id: str
    name: str
    nationality: str


class JobOrderRef(Schema):
    reference: str
    title: str
    employer: str
    start_date: datetime.date
    end_date: datetime.date


class JourneyOut(Schema):
    id: int
    placement: int
    programme: str
    state: str
    state_label: str
    state_since: datetime.datetime
    worker: WorkerRef
    job_order: JobOrderRef
    planned_departure: datetime.date | None
    departed_on: datetime.date | None
    arrived_on: datetime.date | None
    returned_on: datetime.date | None

    @staticmethod
    def resolve_placement(obj):
        return obj.placement_id

    @staticmethod
    def resolve_programme(obj):
        return obj.placement.job_order.programme.code

    @staticmethod
    def resolve_state_label(obj):
        return str(obj.get_state_display())

    @staticmethod
    def resolve_worker(obj):
        w = obj.worker
        return {"public_id": w.public_id, "name": f"{w.given_names} {w.family_names}", "nationality": w.nationality}

    @staticmethod
    def resolve_job_order(obj):
        o = obj.placement.job_order
        return {"reference": o.reference, "title": o.title, "employer": o.employer.organisation.name,
                "start_date": o.start_date, "end_date": o.end_date}


class NextOut(Schema):
    action: str
    label: str


class StepOut(Schema):
    action: str
    from_state: str
    to_state: str
    at: datetime.datetime
    note: str | None = Field(None, description="Left out for the immigration authority.")


class ChecklistItemOut(Schema):
    item: str
    done: bool
    needs: str


class PermitOut(Schema):
    id: int
    journey: int
    kind: str
    number: str
    valid_from: datetime.date
    valid_until: datetime.date
    entries: str
    employer_name: str
    isco_code: str
    conditions: str
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_journey(obj):
        return obj.journey_id


class AlertOut(Schema):
    id: int
    journey: int
    contract: int
    source: str
    field: str
    contract_value: str
    declared_value: str
    status: str
    raised_at: datetime.datetime
    resolved_at: datetime.datetime | None
    resolution: str

    @staticmethod
    def resolve_journey(obj):
        return obj.journey_id

    @staticmethod
    def resolve_contract(obj):
        return obj.contract_id


class PreDepartureOut(Schema):
    insurance_provider: str
    insurance_policy: str
    insurance_valid_until: datetime.date | None
    travel_booking: str


class WelfareContactOut(Schema):
    name: str
    phone: str


class JourneyDetailOut(JourneyOut):
    what_next: list[NextOut] = Field(..., description="The steps that can follow, in the usual order.")
    steps: list[StepOut]
    checklist: list[ChecklistItemOut] | None = Field(
        ..., description="The pre-departure checklist (the worker, the employer, the origin authority, the ministry).")
    permits: list[PermitOut] = Field(..., description="Visas and permits, for those who may see them.")
    open_alerts: list[AlertOut] | None = Field(
        ..., description="Open substitution alerts; null for the immigration authority (wage data).")
    predeparture: PreDepartureOut | None = Field(..., description="Insurance and travel booking; null for the "
                                                                  "immigration authority.")
    welfare_contact: WelfareContactOut | None = Field(..., description="Named by the employer at arrival; null for "
                                                                       "the immigration authority.")
    returned_as_agreed: bool | None

    # `steps` and `permits` are the journey's related sets: _detail puts what the user may see beside them.
    @staticmethod
    def resolve_steps(obj):
        return obj.step_list

    @staticmethod
    def resolve_permits(obj):
        return obj.permit_list


# --- helpers -----------------------------------------------------------------------------------------------------


def _journey(request, journey_id: int) -> Journey:
    if journey_id > MAX_ID:
        raise NotFound(_("No such journey, or not one you may see."), field="journey")
    return selectors.journey_get(user=request.user, pk=journey_id)


def _detail(request, journey: Journey) -> Journey:
    """The journey with what the user may see of it (for JourneyDetailOut)."""
    user = request.user
    journey = selectors.journey_get(user=user, pk=journey.pk)
    private = not is_firewalled(user, Category.WORKER_CONTACT)
    journey.what_next = [{"action": a, "label": str(ACTION_LABELS.get(a, a))} for a in selectors.what_next(journey)]
    journey.step_list = [{"action": s.action, "from_state": s.from_state, "to_state": s.to_state, "at": s.at,
                      "note": s.note if private else None} for s in selectors.steps(user=user, journey=journey)]
    journey.checklist = selectors.checklist(journey) if selectors.may_see_checklist(user, journey) else None
    journey.permit_list = list(selectors.permits(user=user, journey=journey))
    journey.open_alerts = (None if is_firewalled(user, Category.WAGE)
                           else list(selectors.alerts(user=user, journey=journey, status=AlertStatus.OPEN)))
    journey.predeparture = journey if private else None
    journey.welfare_contact = ({"name": journey.welfare_contact_name, "phone": journey.welfare_contact_phone}
                               if private and journey.welfare_contact_name else None)
    return journey


# --- journeys ----------------------------------------------------------------------------------------------------


@router.get("/", response=list[JourneyOut], summary="Journeys you may see")
@paginate(Pagination)
def journey_list(
    request,
    state: str = Query("", max_length=20, description="selected, contracted, cleared, permit_issued, travelled, "
                                                      "employed, changing_employer, returned, overstayed, "
                                                      "status_changed or withdrawn."),
    programme: str = Query("", max_length=30, description="Programme code."),
):
    if state and state not in State.values:
        raise InvalidInput(_("Unknown state; use one of %(list)s.") % {"list": ", ".join(State.values)}, field="state")
    return selectors.journey_list(user=request.user, state=state, programme=programme.upper())


@router.post("/", response={201: JourneyDetailOut},
             summary="Open the journey of a confirmed placement (the origin authority, the destination ministry)")
def journey_start(request, payload: StartIn):
    if payload.placement > MAX_ID:
        raise NotFound(_("No such placement, or not one you may see."), field="placement")
    placement = contract_selectors.placement_get(user=request.user, pk=payload.placement)
    journey = services.journey_start(actor=request.user, placement=placement)
    return Status(201, _detail(request, journey))


@router.get("/{int:journey_id}", response=JourneyDetailOut,
            summary="One journey: where it stands, what comes next, its steps, checklist, permits and open alerts")
def journey_get(request, journey_id: int):
    return _detail(request, _journey(request, journey_id))


@router.post("/{int:journey_id}/contract-accepted", response=JourneyDetailOut,
             summary="Record that the worker accepted the contract")
def contract_accepted(request, journey_id: int):
    journey = services.contract_accepted(actor=request.user, journey=_journey(request, journey_id))
    return _detail(request, journey)


@router.patch("/{int:journey_id}/pre-departure", response=JourneyDetailOut,
              summary="Record insurance, travel booking and planned departure (the origin authority)")
def predeparture(request, journey_id: int, payload: PreDepartureIn):
    data = {k: v for k, v in payload.dict(exclude_unset=True).items()}
    journey = services.predeparture_update(actor=request.user, journey=_journey(request, journey_id), **data)
    return _detail(request, journey)


@router.post("/{int:journey_id}/clear", response=JourneyDetailOut,
             summary="Clear the departure once every checklist item is done (the origin authority)")
def clear(request, journey_id: int):
    journey = services.clear_departure(actor=request.user, journey=_journey(request, journey_id))
    return _detail(request, journey)


@router.post("/{int:journey_id}/permits", response={201: PermitOut}, auth=PERMITS,
             summary="Record a visa or permit (the destination's immigration authority)")
def permit_record(request, journey_id: int, payload: PermitIn):
    permit = services.permit_record(actor=request.user, journey=_journey(request, journey_id), **payload.dict())
    return Status(201, permit)


@router.post("/{int:journey_id}/departure", response=JourneyDetailOut,
             summary="Record the departure (the origin authority); refused before the contract's lead time")
def departure(request, journey_id: int, payload: DepartureIn):
    journey = services.departure_record(actor=request.user, journey=_journey(request, journey_id),
                                        departed_on=payload.departed_on)
    return _detail(request, journey)


@router.post("/{int:journey_id}/arrival", response=JourneyDetailOut,
             summary="Confirm the arrival and name a welfare contact (the employer)")
def arrival(request, journey_id: int, payload: ArrivalIn):
    journey = services.arrival_confirm(actor=request.user, journey=_journey(request, journey_id),
                                       arrived_on=payload.arrived_on, welfare_contact_name=payload.welfare_contact_name,
                                       welfare_contact_phone=payload.welfare_contact_phone)
    return _detail(request, journey)


@router.post("/{int:journey_id}/declared-terms", response={201: list[AlertOut]}, auth=ALERTS,
             summary="Declare the terms applied at destination (the employer); returns the alerts raised")
def declared_terms(request, journey_id: int, payload: DeclaredTermsIn):
    facts = {k: v for k, v in payload.dict().items() if v is not None}
    alerts = services.terms_declare(actor=request.user, journey=_journey(request, journey_id), **facts)
    return Status(201, alerts)


@router.get("/{int:journey_id}/alerts", response=list[AlertOut], auth=ALERTS,
            summary="The journey's substitution alerts")
def alert_list(request, journey_id: int,
               status: str = Query("", max_length=10, description="open or resolved.")):
    if status and status not in AlertStatus.values:
        raise InvalidInput(_("Unknown status; use one of %(list)s.") % {"list": ", ".join(AlertStatus.values)},
                           field="status")
    return list(selectors.alerts(user=request.user, journey=_journey(request, journey_id), status=status))


@router.post("/alerts/{int:alert_id}/resolve", response=AlertOut, auth=ALERTS,
             summary="Resolve a substitution alert (the origin authority, the labour inspectorate)")
def alert_resolve(request, alert_id: int, payload: ResolutionIn):
    if alert_id > MAX_ID:
        raise NotFound(_("No such alert, or not one you may see."), field="alert")
    alert: SubstitutionAlert = selectors.alert_get(user=request.user, pk=alert_id)
    return services.alert_resolve(actor=request.user, alert=alert, resolution=payload.resolution)


@router.post("/{int:journey_id}/employer-change", response=JourneyDetailOut,
             summary="Start changing employer (the worker)")
def employer_change(request, journey_id: int, payload: NoteIn):
    journey = services.employer_change_start(actor=request.user, journey=_journey(request, journey_id),
                                             note=payload.note)
    return _detail(request, journey)


@router.post("/{int:journey_id}/return", response=JourneyDetailOut,
             summary="Record the return (the origin authority); written to the worker's season record")
def return_record(request, journey_id: int, payload: ReturnIn):
    journey = services.return_record(actor=request.user, journey=_journey(request, journey_id),
                                     returned_on=payload.returned_on, as_agreed=payload.as_agreed, note=payload.note)
    return _detail(request, journey)


@router.post("/{int:journey_id}/overstay", response=JourneyDetailOut,
             summary="Record a stay beyond the permit (the immigration authority)")
def overstay(request, journey_id: int, payload: NoteIn):
    journey = services.overstay_record(actor=request.user, journey=_journey(request, journey_id), note=payload.note)
    return _detail(request, journey)


@router.post("/{int:journey_id}/status-change", response=JourneyDetailOut,
             summary="Record a transfer to another status (the immigration authority)")
def status_change(request, journey_id: int, payload: NoteIn):
    journey = services.status_change_record(actor=request.user, journey=_journey(request, journey_id),
                                            note=payload.note)
    return _detail(request, journey)


@router.post("/{int:journey_id}/withdraw", response=JourneyDetailOut,
             summary="Withdraw before travelling (the worker, the origin authority)")
def withdraw(request, journey_id: int, payload: ReasonIn):
    journey = services.withdraw(actor=request.user, journey=_journey(request, journey_id), reason=payload.reason)
    return _detail(request, journey)
