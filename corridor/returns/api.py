"""The end of the stay through /api/v1/returns (scopes `returns:read`, `returns:write`; docs/returns.md).

Each group of routes declares the category of what it holds: returns and overdue journeys are worker identity
(immigration officers see no return record: the selectors decide), overstay flags permit data (the immigration
authority's part), payouts wage data, evaluations and retaliation flags complaint data; the firewall refuses
immigration officers those before any input is read. The services answer 403, 404, 409 or 422 naming the field.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from corridor.core.access import Category
from corridor.core.api_auth import ApiAccess
from corridor.core.errors import InvalidInput, NotFound
from corridor.core.pagination import Pagination
from corridor.deployment import journey as path
from corridor.deployment import selectors as journey_selectors
from corridor.returns import selectors, services
from corridor.returns.models import FlagStatus, PayoutStatus, RetaliationStatus
from corridor.selection.selectors import round_get

MAX_ID = 2**31 - 1
MAX_TEXT = 4000

router = Router(tags=["returns"], auth=ApiAccess(category=Category.WORKER_IDENTITY, scope="returns"))
PERMITS = ApiAccess(category=Category.PERMIT, scope="returns")
WAGES = ApiAccess(category=Category.WAGE, scope="returns")
COMPLAINTS = ApiAccess(category=Category.COMPLAINT, scope="returns")

Fact = str | int | float | None


# --- schemas -----------------------------------------------------------------------------------------------------


class ReturnIn(Schema):
    journey: int = Field(..., ge=1, description="The journey of the worker who returned.")
    returned_on: Fact = Field(None, description="YYYY-MM-DD; not before the arrival, not in the future. Ignored "
                                                "when the journey already records its return (its date is kept).")
    evidence: str = Field("", max_length=600, description="e.g. 'exit stamp seen, passport page 12' or a boarding "
                                                          "pass reference.")
    early_reason: str = Field("", max_length=30, description="For a return before the contract's end: illness, "
                                                             "family_emergency, employer_closure, abuse, "
                                                             "worker_choice, dismissal or other.")
    early_reason_text: str = Field("", max_length=600, description="The reason in words (required for 'other').")
    note: str = Field("", max_length=MAX_TEXT)


class WorkerRef(Schema):
    public_id: str
    name: str


def _worker(journey) -> dict:
    w = journey.worker
    return {"public_id": w.public_id, "name": f"{w.given_names} {w.family_names}"}


class _OfJourney(Schema):
    """The journey id and the worker of a record that belongs to a journey."""

    journey: int
    worker: WorkerRef

    @staticmethod
    def resolve_journey(obj):
        return obj.journey_id

    @staticmethod
    def resolve_worker(obj):
        return _worker(obj.journey)


class ReturnOut(_OfJourney):
    id: int
    journey: int
    worker: WorkerRef
    returned_on: datetime.date
    evidence: str
    evidence_file: bool
    evidence_content_type: str
    early: bool
    early_reason: str
    early_reason_text: str
    late: bool
    counts_as_agreed: bool = Field(..., description="Whether it counts as 'returned as agreed' for recall by rule.")
    explanation: str
    note: str
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_evidence_file(obj):
        return bool(obj.evidence_file)


class OverdueOut(Schema):
    journey: int
    worker: WorkerRef
    employer: str
    state: str
    contract_end: datetime.date


class PayoutIn(Schema):
    journey: int = Field(..., ge=1)
    kind: str = Field("", max_length=20, description="final_pay, savings or insurance.")
    amount: Fact = None
    currency: str = Field("", max_length=10, description="ISO 4217.")
    transferred_on: Fact = Field(None, description="YYYY-MM-DD.")
    reference: str = Field("", max_length=200)


class PayoutAnswerIn(Schema):
    received: bool | str | None = Field(None, description="true if received, false if not.")
    note: str = Field("", max_length=MAX_TEXT)


class PayoutOut(_OfJourney):
    id: int
    journey: int
    worker: WorkerRef
    employer: str
    kind: str
    amount: Decimal
    currency: str
    transferred_on: datetime.date
    reference: str
    status: str
    answered_at: datetime.datetime | None
    worker_note: str

    @staticmethod
    def resolve_employer(obj):
        return obj.journey.placement.job_order.employer.organisation.name


class FlagOut(_OfJourney):
    id: int
    journey: int
    worker: WorkerRef
    permit: str
    permit_ended_on: datetime.date
    raised_on: datetime.date
    status: str
    resolution: str
    resolution_note: str
    resolved_at: datetime.datetime | None

    @staticmethod
    def resolve_permit(obj):
        return str(obj.permit)


class ResolveIn(Schema):
    resolution: str = Field("", max_length=30, description="returned, permit_renewed, grace_period or "
                                                           "overstay_confirmed (immigration authority only).")
    note: str = Field("", max_length=MAX_TEXT)


class EmployerEvaluationIn(Schema):
    journey: int = Field(..., ge=1)
    pay: Fact = None
    housing: Fact = None
    safety: Fact = None
    respect: Fact = None
    would_return: Fact = None
    comment: str = Field("", max_length=MAX_TEXT)


class EmployerEvaluationOut(Schema):
    id: int
    journey: int
    employer: str
    pay: int
    housing: int
    safety: int
    respect: int
    would_return: int
    comment: str
    submitted_at: datetime.datetime

    @staticmethod
    def resolve_journey(obj):
        return obj.journey_id

    @staticmethod
    def resolve_employer(obj):
        return obj.journey.placement.job_order.employer.organisation.name


class WorkerEvaluationIn(Schema):
    journey: int = Field(..., ge=1)
    skills: Fact = None
    reliability: Fact = None
    would_rehire: Fact = None
    comment: str = Field("", max_length=MAX_TEXT)


class WorkerEvaluationOut(_OfJourney):
    id: int
    journey: int
    worker: WorkerRef
    employer: str
    skills: int
    reliability: int
    would_rehire: int
    comment: str
    submitted_at: datetime.datetime
    worker_response: str
    responded_at: datetime.datetime | None

    @staticmethod
    def resolve_employer(obj):
        return obj.journey.placement.job_order.employer.organisation.name


class ResponseIn(Schema):
    response: str = Field("", max_length=MAX_TEXT)


class AggregateOut(Schema):
    responses: int
    minimum: int
    shown: bool = Field(..., description="Averages are shown from `minimum` responses on, so no worker is "
                                         "recognisable.")
    averages: dict[str, float] | None


class RetaliationOut(Schema):
    id: int
    worker: WorkerRef
    employer: str
    programme: str
    round: int
    season_year: int
    grounds: list[dict]
    named_count: int
    status: str
    decision: str
    raised_at: datetime.datetime
    decided_at: datetime.datetime | None

    @staticmethod
    def resolve_worker(obj):
        w = obj.worker
        return {"public_id": w.public_id, "name": f"{w.given_names} {w.family_names}"}

    @staticmethod
    def resolve_employer(obj):
        return obj.employer.organisation.name

    @staticmethod
    def resolve_programme(obj):
        return obj.programme.code

    @staticmethod
    def resolve_round(obj):
        return obj.round.number


class DecideIn(Schema):
    decision: str = Field("", max_length=20, description="dismiss or refer.")
    reason: str = Field("", max_length=MAX_TEXT)


class ScanIn(Schema):
    round: int = Field(..., ge=1, le=MAX_ID, description="The selection round's id.")


# --- helpers -----------------------------------------------------------------------------------------------------


def _journey(request, pk: int):
    if pk > MAX_ID:
        raise NotFound(_("No such journey, or not one you may see."), field="journey")
    return journey_selectors.journey_get(user=request.user, pk=pk)


def _check_id(pk: int, what: str, field: str) -> None:
    if pk > MAX_ID:
        raise NotFound(f"No such {what}, or not one you may see.", field=field)


def _register(request, payload: ReturnIn, upload=None):
    journey = _journey(request, payload.journey)
    data = payload.dict(exclude={"journey"})
    if upload is not None:
        data["evidence_file"] = upload
    if journey.state == path.RETURNED:
        data.pop("returned_on", None)
        record = services.return_details_add(actor=request.user, journey=journey, **data)
    else:
        record = services.return_register(actor=request.user, journey=journey, **data)
    return Status(201, selectors.return_get(user=request.user, pk=record.pk))


# --- returns -----------------------------------------------------------------------------------------------------


@router.post("", response={201: ReturnOut},
             summary="Register a worker's return (the origin authority); the journey ends 'returned'")
def return_register(request, payload: ReturnIn):
    """For a journey whose return is already recorded, adds the evidence and the reason (its date is kept)."""
    return _register(request, payload)


@router.post("/with-file", response={201: ReturnOut},
             summary="Register a return with an evidence file (multipart form; PDF, JPEG or PNG)")
def return_register_with_file(request, payload: Form[ReturnIn], evidence_file: File[UploadedFile]):
    return _register(request, payload, evidence_file)


@router.get("", response=list[ReturnOut], summary="Registered returns you may see")
@paginate(Pagination)
def return_list(request, journey: int | None = Query(None, ge=1, le=MAX_ID)):
    journey_obj = _journey(request, journey) if journey is not None else None
    return selectors.returns(user=request.user, journey=journey_obj)


@router.get("/overdue", response=list[OverdueOut],
            summary="Journeys still in the stay after the contract's end, with no return registered")
@paginate(Pagination)
def overdue(request):
    return [{"journey": j.pk, "worker": _worker(j), "employer": j.placement.job_order.employer.organisation.name,
             "state": j.state, "contract_end": j.placement.job_order.end_date}
            for j in selectors.overdue(user=request.user)]


@router.get("/{int:return_id}", response=ReturnOut, summary="One registered return")
def return_get(request, return_id: int):
    _check_id(return_id, "return record", "return")
    return selectors.return_get(user=request.user, pk=return_id)


# --- payouts -----------------------------------------------------------------------------------------------------


@router.post("/payouts", response={201: PayoutOut}, auth=WAGES,
             summary="Record an end-of-stay payout (the employer, the origin authority or the ministry)")
def payout_record(request, payload: PayoutIn):
    journey = _journey(request, payload.journey)
    payout = services.payout_record(actor=request.user, journey=journey, **payload.dict(exclude={"journey"}))
    return Status(201, selectors.payout_get(user=request.user, pk=payout.pk))


@router.get("/payouts", response=list[PayoutOut], auth=WAGES, summary="Payouts you may see")
@paginate(Pagination)
def payout_list(request, status: str = Query("", max_length=20, description="recorded, received or not_received."),
                journey: int | None = Query(None, ge=1, le=MAX_ID)):
    if status and status not in PayoutStatus.values:
        raise InvalidInput(f"Use one of {', '.join(PayoutStatus.values)}.", field="status")
    journey_obj = _journey(request, journey) if journey is not None else None
    return selectors.payouts(user=request.user, journey=journey_obj, status=status)


@router.post("/payouts/{int:payout_id}/answer", response=PayoutOut, auth=WAGES,
             summary="Confirm receipt of a payout, or say it was not received (the worker)")
def payout_answer(request, payout_id: int, payload: PayoutAnswerIn):
    _check_id(payout_id, "payout", "payout")
    payout = selectors.payout_get(user=request.user, pk=payout_id)
    received = "" if payload.received is None else payload.received
    services.payout_confirm(actor=request.user, payout=payout, received=received, note=payload.note)
    return selectors.payout_get(user=request.user, pk=payout_id)


# --- overstay flags ----------------------------------------------------------------------------------------------


@router.get("/overstay-flags", response=list[FlagOut], auth=PERMITS, summary="Overstay flags you may see")
@paginate(Pagination)
def flag_list(request, status: str = Query("", max_length=10, description="open or resolved.")):
    if status and status not in FlagStatus.values:
        raise InvalidInput(f"Use one of {', '.join(FlagStatus.values)}.", field="status")
    return selectors.overstay_flags(user=request.user, status=status)


@router.get("/overstay-flags/{int:flag_id}", response=FlagOut, auth=PERMITS, summary="One overstay flag")
def flag_get(request, flag_id: int):
    _check_id(flag_id, "overstay flag", "flag")
    return selectors.overstay_flag_get(user=request.user, pk=flag_id)


@router.post("/overstay-flags/{int:flag_id}/resolve", response=FlagOut, auth=PERMITS,
             summary="Resolve an overstay flag (immigration authority, ministry, origin authority)")
def flag_resolve(request, flag_id: int, payload: ResolveIn):
    _check_id(flag_id, "overstay flag", "flag")
    flag = selectors.overstay_flag_get(user=request.user, pk=flag_id)
    services.overstay_flag_resolve(actor=request.user, flag=flag, resolution=payload.resolution, note=payload.note)
    return selectors.overstay_flag_get(user=request.user, pk=flag_id)


# --- evaluations -------------------------------------------------------------------------------------------------


@router.post("/evaluations/employers", response={201: EmployerEvaluationOut}, auth=COMPLAINTS,
             summary="Evaluate your employer at the end of the season (the worker)")
def employer_evaluate(request, payload: EmployerEvaluationIn):
    journey = _journey(request, payload.journey)
    evaluation = services.employer_evaluate(actor=request.user, journey=journey, **payload.dict(exclude={"journey"}))
    return Status(201, evaluation)


@router.get("/evaluations/employers", response=list[EmployerEvaluationOut], auth=COMPLAINTS,
            summary="Workers' evaluations of employers: the worker's own, or all for officials (never the employer)")
@paginate(Pagination)
def employer_evaluation_list(request):
    return selectors.employer_evaluations(user=request.user)


@router.get("/evaluations/employers/aggregate", response=AggregateOut, auth=COMPLAINTS,
            summary="The aggregate of the workers' evaluations of your organisation (at least 3 responses)")
def employer_aggregate(request, employer: int | None = Query(None, ge=1, le=MAX_ID,
                                                             description="Officials: the employer profile's id.")):
    return selectors.aggregate_for(user=request.user, employer_id=employer)


@router.post("/evaluations/workers", response={201: WorkerEvaluationOut}, auth=COMPLAINTS,
             summary="Evaluate a worker at the end of the season (the employer)")
def worker_evaluate(request, payload: WorkerEvaluationIn):
    journey = _journey(request, payload.journey)
    evaluation = services.worker_evaluate(actor=request.user, journey=journey, **payload.dict(exclude={"journey"}))
    return Status(201, selectors.worker_evaluation_get(user=request.user, pk=evaluation.pk))


@router.get("/evaluations/workers", response=list[WorkerEvaluationOut], auth=COMPLAINTS,
            summary="Employers' evaluations of workers you may see")
@paginate(Pagination)
def worker_evaluation_list(request):
    return selectors.worker_evaluations(user=request.user)


@router.post("/evaluations/workers/{int:evaluation_id}/response", response=WorkerEvaluationOut, auth=COMPLAINTS,
             summary="Answer the employer's evaluation in your own words (the worker)")
def evaluation_respond(request, evaluation_id: int, payload: ResponseIn):
    _check_id(evaluation_id, "evaluation", "evaluation")
    evaluation = selectors.worker_evaluation_get(user=request.user, pk=evaluation_id)
    services.evaluation_respond(actor=request.user, evaluation=evaluation, response=payload.response)
    return selectors.worker_evaluation_get(user=request.user, pk=evaluation_id)


# --- retaliation flags -------------------------------------------------------------------------------------------


@router.get("/retaliation-flags", response=list[RetaliationOut], auth=COMPLAINTS,
            summary="Possible-retaliation flags (the labour inspectorate, the ministry)")
@paginate(Pagination)
def retaliation_list(request, status: str = Query("", max_length=10, description="open, dismissed or referred.")):
    if status and status not in RetaliationStatus.values:
        raise InvalidInput(f"Use one of {', '.join(RetaliationStatus.values)}.", field="status")
    return selectors.retaliation_flags(user=request.user, status=status)


@router.get("/retaliation-flags/{int:flag_id}", response=RetaliationOut, auth=COMPLAINTS,
            summary="One possible-retaliation flag")
def retaliation_get(request, flag_id: int):
    _check_id(flag_id, "retaliation flag", "flag")
    return selectors.retaliation_flag_get(user=request.user, pk=flag_id)


@router.post("/retaliation-flags/{int:flag_id}/decide", response=RetaliationOut, auth=COMPLAINTS,
             summary="Dismiss with reasons, or refer for inspection (the labour inspectorate)")
def retaliation_decide(request, flag_id: int, payload: DecideIn):
    _check_id(flag_id, "retaliation flag", "flag")
    flag = selectors.retaliation_flag_get(user=request.user, pk=flag_id)
    services.retaliation_decide(actor=request.user, flag=flag, decision=payload.decision, reason=payload.reason)
    return selectors.retaliation_flag_get(user=request.user, pk=flag_id)


@router.post("/retaliation-scan", response=list[RetaliationOut], auth=COMPLAINTS,
             summary="Scan a round's recall nominations for possible retaliation (the ministry, the inspectorate)")
def retaliation_scan(request, payload: ScanIn):
    rnd = round_get(user=request.user, pk=payload.round)
    return services.retaliation_scan(actor=request.user, rnd=rnd)
