"""Selection through /api/v1/selection (scopes `selection:read`, `selection:write`): rounds, runs and their results,
workers' rankings and explained outcomes, employers' nominations and shortlists, appeals, season records and skills
tests (docs/api.md).

Rounds and runs are programme data (published runs hold aggregates only; dry runs are for the programme's officials).
Everything about one worker (rankings, outcomes, nominations, appeals, seasons, tests) is worker identity data, seen
by the worker, the origin authority of the worker's country, the destination ministry of the programme and, for
nominations and outcomes at their own job orders, the employer. Handlers only parse, call a service or a selector,
and render; the services decide who may act and answer 403, 404, 409 or 422 naming the field.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StringConstraints

from corridor.accounts.models import OrgKind
from corridor.core.access import Category, Role, organisation_of, roles_of
from corridor.core.api_auth import ApiAccess
from corridor.core.errors import Forbidden, InvalidInput, NotFound
from corridor.core.pagination import Pagination
from corridor.programmes.rulebook import RuleSet
from corridor.programmes.selectors import programme_get, rule_version_in_force
from corridor.selection import explain, selectors, services
from corridor.selection.models import AppealStatus, PickStatus, RoundStatus, SelectionRound, SelectionRun
from corridor.workers import selectors as worker_selectors
from corridor.workers.models import Worker

MAX_ID = 2**31 - 1
MAX_TEXT = services.MAX_TEXT

router = Router(tags=["selection"], auth=ApiAccess(category=Category.PROGRAMME, scope="selection"))
# Routes about one worker: their ranking, outcomes, nominations, appeals, seasons and tests.
IDENTITY = ApiAccess(category=Category.WORKER_IDENTITY, scope="selection")

Reference = Annotated[str, StringConstraints(max_length=40)]
PublicId = Annotated[str, StringConstraints(max_length=12)]
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]


# --- schemas: input ----------------------------------------------------------------------------------------------


class RoundIn(Schema):
    programme: str = Field(..., min_length=1, max_length=30, description="Programme code, e.g. CA-SAG.")
    origin_country: str = Field("", max_length=2, description="One corridor (ISO 3166-1 alpha-2); empty: all of them.")
    title: str = Field("", max_length=200)
    preferences_close_on: datetime.date | None = Field(None, description="Last day on which workers may rank.")


class ReasonIn(Schema):
    reason: str = Field("", max_length=MAX_TEXT)


class RunIn(Schema):
    publish: bool = Field(False, description="false: a dry run for review; true: publish (final).")
    reason: str = Field("", max_length=MAX_TEXT, description="Required when a published run is run again.")


class PreferencesIn(Schema):
    job_orders: list[Reference] = Field(..., max_length=50, description="Job order references, first choice first.")


class AppealIn(Schema):
    grounds: str = Field(..., max_length=MAX_TEXT)


class AnswerIn(Schema):
    consent: bool


class NominationIn(Schema):
    job_order: str = Field(..., min_length=1, max_length=40, description="Reference of one of your job orders.")
    worker: str = Field(..., min_length=1, max_length=12, description="The worker's public identifier.")


class ShortlistIn(Schema):
    picks: list[PublicId] = Field(..., max_length=200, description="Public identifiers of the workers picked.")
    reasons: list[Text] = Field(..., max_length=200, description="One reason per worker picked, in the same order.")
    passed_over_reason: str = Field("", max_length=MAX_TEXT, description="Why the others on the shortlist were not.")


class DecisionIn(Schema):
    upheld: bool
    decision: str = Field(..., max_length=MAX_TEXT, description="The decision and its reasons.")


class SeasonIn(Schema):
    programme: str = Field(..., min_length=1, max_length=30, description="Programme code.")
    year: int = Field(..., ge=1, le=9999)
    employer: int | None = Field(None, ge=1, le=MAX_ID, description="Employer id.")
    completed: bool = True
    returned_as_agreed: bool = True
    note: str = Field("", max_length=MAX_TEXT)


class SkillsTestIn(Schema):
    isco_code: str = Field(..., max_length=4, description="ISCO-08 code of the occupation tested.")
    test: str = Field(..., max_length=200)
    score: Decimal = Field(..., max_digits=5, decimal_places=2, description="0 to 100.")
    taken_on: datetime.date


# --- schemas: output ---------------------------------------------------------------------------------------------


class RoundOut(Schema):
    id: int
    programme: str
    number: int
    origin_country: str
    title: str
    status: str
    seed: str = Field(..., description="The lottery seed, published when the round opened.")
    preferences_close_on: datetime.date | None
    created_at: datetime.datetime
    closed_at: datetime.datetime | None

    @staticmethod
    def resolve_programme(obj):
        return obj.programme.code


class RoundRef(Schema):
    id: int
    programme: str
    number: int
    title: str

    @staticmethod
    def resolve_programme(obj):
        return obj.programme.code


class JobOrderRef(Schema):
    reference: str
    title: str
    employer: str

    @staticmethod
    def resolve_employer(obj):
        return obj.employer.organisation.name


class RoundJobOrderOut(Schema):
    reference: str
    title: str
    employer: str
    isco_code: str
    positions: int
    positions_left: int = Field(..., description="Positions not yet held by workers selected in other rounds.")
    start_date: datetime.date
    end_date: datetime.date
    region: str


class RunOut(Schema):
    id: int
    round: int
    kind: str
    status: str
    mode: str
    rule_version: int = Field(..., description="Number of the programme's rule version applied.")
    seed: str
    inputs_hash: str = Field(..., description="SHA-256 of the inputs snapshot.")
    code_version: str
    summary: dict
    reason: str
    supersedes: int | None
    superseded_by: int | None
    started_at: datetime.datetime
    finished_at: datetime.datetime
    published_at: datetime.datetime | None

    @staticmethod
    def resolve_round(obj):
        return obj.round_id

    @staticmethod
    def resolve_rule_version(obj):
        return obj.rule_version.number

    @staticmethod
    def resolve_supersedes(obj):
        return obj.supersedes_id

    @staticmethod
    def resolve_superseded_by(obj):
        later = getattr(obj, "superseded_by", None)
        return later.pk if later is not None else None


class RoundDetailOut(RoundOut):
    job_orders: list[RoundJobOrderOut]
    runs: list[RunOut]
    published_run: int | None
    open_appeals: int
    max_preferences: int | None = Field(..., description="How many job orders a worker may rank.")
    actions: list[str] = Field(..., description="What you may do now: run, close.")

    @staticmethod
    def resolve_job_orders(obj):
        return [_board_row(r) for r in selectors.round_job_orders(rnd=obj)]

    @staticmethod
    def resolve_runs(obj, context):
        return list(selectors.run_list(user=context["request"].user, rnd=obj))

    @staticmethod
    def resolve_published_run(obj):
        published = selectors.published_run(rnd=obj)
        return published.pk if published is not None else None

    @staticmethod
    def resolve_open_appeals(obj):
        return selectors.open_appeals(rnd=obj)

    @staticmethod
    def resolve_max_preferences(obj):
        return _max_preferences(obj.programme)

    @staticmethod
    def resolve_actions(obj, context):
        may = selectors.may_run(user=context["request"].user, rnd=obj)
        return ["close", "run"] if may and obj.status == RoundStatus.OPEN else []


class PriorityOut(Schema):
    tier: int
    tier_label: str
    points: float
    lottery: int | None
    text: str


class RunJobOrderOut(Schema):
    reference: str
    title: str
    employer: str
    positions: int
    capacity: int = Field(..., description="Positions, or places on the shortlist in shortlist mode.")
    selected: int
    applicants: int = Field(..., description="Eligible workers who ranked the job order.")
    cutoff: PriorityOut | None = Field(..., description="The lowest priority admitted; null when nobody was.")

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
    def resolve_cutoff(obj):
        if obj.cutoff_tier is None:
            return None
        return _priority(obj.cutoff_tier, obj.cutoff_points, obj.cutoff_lottery)


class RunDetailOut(RunOut):
    job_orders: list[RunJobOrderOut]

    @staticmethod
    def resolve_job_orders(obj):
        return list(selectors.run_job_orders(run=obj))


class SelectedOut(Schema):
    worker: str
    job_order: str
    choice: int | None = Field(..., description="The worker's rank of the job order.")
    pick: str = Field(..., description="Shortlist mode: pending, picked or passed_over; empty otherwise.")

    @staticmethod
    def resolve_worker(obj):
        return obj.worker.public_id

    @staticmethod
    def resolve_job_order(obj):
        return obj.job_order.reference


class RankOut(Schema):
    rank: int
    job_order: JobOrderRef


class MyRoundOut(Schema):
    round: RoundOut
    published: bool = Field(..., description="Results are published: the ranking can no longer change.")
    max_preferences: int | None
    ranking: list[RankOut]


class RankableJobOrderOut(RoundJobOrderOut):
    eligible: bool
    reasons: list[str] = Field(..., description="Why the worker cannot rank it, in plain language.")
    rank: int | None = Field(..., description="The worker's current rank of it, if ranked.")


class RankableOut(Schema):
    round: RoundOut
    worker: str
    taking_part: bool
    note: str = Field(..., description="Why the worker cannot take part yet, if so.")
    max_preferences: int | None
    ranking: list[RankOut]
    job_orders: list[RankableJobOrderOut]


class ExplanationOut(Schema):
    job_order: JobOrderRef | None
    rank: int
    status: str = Field(..., description="selected, not_selected, not_reached or ineligible.")
    mine: PriorityOut | None = Field(..., description="Your priority at this job order (null when not eligible).")
    cutoff: PriorityOut | None = Field(..., description="The lowest priority admitted at this job order.")
    sentence: str
    reasons: list[str]


class AppealBriefOut(Schema):
    id: int
    status: str
    grounds: str
    lodged_at: datetime.datetime
    decision: str
    decided_at: datetime.datetime | None


class OutcomeOut(Schema):
    id: int
    run: int
    run_status: str = Field(..., description="published (in force) or superseded by a re-run.")
    round: RoundRef
    published_at: datetime.datetime | None
    job_order: JobOrderRef | None = Field(..., description="The job order obtained, if any.")
    choice: int | None
    lottery: int
    pick: str
    pick_reason: str
    explanation: list[ExplanationOut]
    appeals: list[AppealBriefOut]

    @staticmethod
    def resolve_run(obj):
        return obj.run_id

    @staticmethod
    def resolve_run_status(obj):
        return obj.run.status

    @staticmethod
    def resolve_round(obj):
        return obj.run.round

    @staticmethod
    def resolve_published_at(obj):
        return obj.run.published_at

    @staticmethod
    def resolve_explanation(obj):
        return [_explained(row) for row in selectors.explanation(outcome=obj)]

    @staticmethod
    def resolve_appeals(obj):
        return sorted(obj.appeals.all(), key=lambda a: (a.lodged_at, a.pk))


class NominationOut(Schema):
    id: int
    round: RoundRef
    job_order: JobOrderRef
    worker: str
    status: str
    nominated_at: datetime.datetime
    answered_at: datetime.datetime | None

    @staticmethod
    def resolve_worker(obj):
        return obj.worker.public_id


class AppealOut(Schema):
    id: int
    outcome: int
    worker: str
    round: RoundRef
    run: int
    status: str
    grounds: str
    lodged_at: datetime.datetime
    decision: str
    decided_at: datetime.datetime | None

    @staticmethod
    def resolve_outcome(obj):
        return obj.outcome_id

    @staticmethod
    def resolve_worker(obj):
        return obj.outcome.worker.public_id

    @staticmethod
    def resolve_round(obj):
        return obj.outcome.run.round

    @staticmethod
    def resolve_run(obj):
        return obj.outcome.run_id


class EmployerRef(Schema):
    id: int
    name: str


class SeasonOut(Schema):
    id: int
    worker: str
    programme: str
    year: int
    employer: EmployerRef | None
    completed: bool
    returned_as_agreed: bool
    note: str
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_worker(obj):
        return obj.worker.public_id

    @staticmethod
    def resolve_programme(obj):
        return obj.programme.code

    @staticmethod
    def resolve_employer(obj):
        if obj.employer_id is None:
            return None
        return {"id": obj.employer_id, "name": obj.employer.organisation.name}


class SkillsTestOut(Schema):
    id: int
    worker: str
    isco_code: str
    test: str
    score: Decimal
    taken_on: datetime.date
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_worker(obj):
        return obj.worker.public_id


class ShortlistChoiceOut(Schema):
    worker: str
    pick: str
    reason: str

    @staticmethod
    def resolve_worker(obj):
        return obj.worker.public_id

    @staticmethod
    def resolve_reason(obj):
        return obj.pick_reason


# --- helpers -----------------------------------------------------------------------------------------------------


def _priority(tier, points, lottery) -> dict:
    return {"tier": tier, "tier_label": explain.tier_label(tier), "points": float(points), "lottery": lottery,
            "text": explain.priority_text(tier, points, lottery)}


def _explained(row: dict) -> dict:
    eligible = row["status"] != "ineligible"
    cut = row["cutoff"]
    return {
        "job_order": row["job_order"], "rank": row["rank"], "status": row["status"],
        "mine": _priority(row["tier"], row["points"], row["lottery"]) if eligible else None,
        "cutoff": _priority(cut["tier"], cut["points"], cut["lottery"]) if cut else None,
        "sentence": row["text"], "reasons": [explain.reason_text(code, params) for code, params in row["reasons"]],
    }


def _round(request, round_id: int) -> SelectionRound:
    return selectors.round_get(user=request.user, pk=round_id)


def _run(request, run_id: int) -> SelectionRun:
    return selectors.run_get(user=request.user, pk=run_id)


def _programme_in_body(request, code: str):
    try:
        return programme_get(user=request.user, code=code)
    except NotFound:
        raise InvalidInput(_("No programme with code '%(code)s'.") % {"code": code[:30]}, field="programme") from None


def _max_preferences(programme) -> int | None:
    version = rule_version_in_force(programme=programme)
    return RuleSet.model_validate(version.rules).selection.max_preferences if version is not None else None


def _own_worker(request) -> Worker:
    worker = worker_selectors.worker_of_user(user=request.user)
    if worker is None:
        raise Forbidden(_("Only a worker with a profile in the pool can do this."))
    return worker


def _subject_worker(request, public_id: str) -> Worker:
    """The worker acted for: the signed-in worker, or the one named by `?worker=` (an origin officer acting on the
    worker's behalf; the services check that the officer may)."""
    if not public_id:
        return _own_worker(request)
    try:
        return worker_selectors.worker_get(user=request.user, public_id=public_id)
    except NotFound:
        raise NotFound(_("No worker %(id)s that you may see.") % {"id": public_id[:12]}, field="worker") from None


def _is_destination_ministry(user) -> bool:
    org = organisation_of(user)
    return bool(roles_of(user) & {Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER} and org is not None
                and org.kind == OrgKind.DESTINATION_MINISTRY)


def _record_worker(request, public_id: str) -> Worker:
    """A worker whose seasons or tests are read or recorded: one the user may see, or, for the destination ministry
    (which keeps season records but does not browse the pool), any worker of the pool by identifier."""
    try:
        return worker_selectors.worker_get(user=request.user, public_id=public_id)
    except NotFound:
        if _is_destination_ministry(request.user):
            try:
                return services.find_worker(public_id, field="public_id")
            except InvalidInput:
                pass
        raise NotFound(_("No worker %(id)s that you may see.") % {"id": public_id[:12]}, field="public_id") from None


def _ranking(request, worker: Worker, rnd: SelectionRound) -> list[dict]:
    return [{"rank": p.rank, "job_order": p.job_order}
            for p in selectors.preferences_of(user=request.user, worker=worker, rnd=rnd)]


def _board_row(row: dict) -> dict:
    order = row["order"]
    return {
        "reference": order.reference, "title": order.title, "employer": order.employer.organisation.name,
        "isco_code": order.isco_code, "positions": order.positions, "positions_left": row["remaining"],
        "start_date": order.start_date, "end_date": order.end_date, "region": order.worksite.region,
    }


def _choice(value: str, allowed, field: str) -> str:
    if value and value not in allowed:
        raise InvalidInput(_("Choose one of: %(values)s.") % {"values": ", ".join(allowed)}, field=field)
    return value


# --- rounds ------------------------------------------------------------------------------------------------------


@router.get("/rounds", response=list[RoundOut], summary="Selection rounds")
@paginate(Pagination)
def round_list(
    request,
    programme: str = Query("", max_length=30, description="Programme code."),
    status: str = Query("", max_length=10, description="open or closed."),
):
    _choice(status, RoundStatus.values, "status")
    return selectors.round_list(user=request.user, programme=programme.strip().upper(), status=status)


@router.post("/rounds", response={201: RoundOut}, summary="Open a round (its lottery seed is published now)")
def round_create(request, payload: RoundIn):
    programme = _programme_in_body(request, payload.programme)
    rnd = services.round_create(actor=request.user, programme=programme, origin_country=payload.origin_country,
                                title=payload.title, preferences_close_on=payload.preferences_close_on)
    return Status(201, rnd)


@router.get("/rounds/{int:round_id}", response=RoundDetailOut, summary="One round: job orders, seed, runs")
def round_detail(request, round_id: int):
    return _round(request, round_id)


@router.post("/rounds/{int:round_id}/close", response=RoundOut, summary="Close a round, with a reason")
def round_close(request, round_id: int, payload: ReasonIn):
    return services.round_close(actor=request.user, rnd=_round(request, round_id), reason=payload.reason)


# --- runs --------------------------------------------------------------------------------------------------------


@router.post("/rounds/{int:round_id}/runs", response={201: RunDetailOut}, summary="Run the round (dry run or publish)")
def run_create(request, round_id: int, payload: RunIn):
    run = services.run_round(actor=request.user, rnd=_round(request, round_id), publish=payload.publish,
                             reason=payload.reason)
    return Status(201, _run(request, run.pk))


@router.get("/rounds/{int:round_id}/runs", response=list[RunOut], summary="Runs of a round you may see")
@paginate(Pagination)
def run_list(request, round_id: int):
    return selectors.run_list(user=request.user, rnd=_round(request, round_id))


@router.get("/runs/{int:run_id}", response=RunDetailOut, summary="One run: summary and each job order's cutoff")
def run_detail(request, run_id: int):
    return _run(request, run_id)


@router.get("/runs/{int:run_id}/selected", response=list[SelectedOut], auth=IDENTITY,
            summary="Workers selected (or shortlisted): officials, and employers for their own job orders")
@paginate(Pagination)
def run_selected(request, run_id: int, job_order: str = Query("", max_length=40, description="A job order reference.")):
    run = _run(request, run_id)
    programme = run.round.programme
    if not (services.is_ministry(request.user, programme) or services.origin_country_of(request.user, programme)
            or Role.EMPLOYER in roles_of(request.user)):
        raise Forbidden(_("Only the programme's officials and the employers of its job orders see who was selected."))
    job_order_id = None
    if job_order:
        row = selectors.run_job_orders(run=run).filter(job_order__reference=job_order.strip()).first()
        if row is None:
            raise NotFound(_("Job order %(ref)s is not part of this run.") % {"ref": job_order[:40]}, field="job_order")
        job_order_id = row.job_order_id
    return selectors.selected_list(user=request.user, run=run, job_order_id=job_order_id)


@router.post("/runs/{int:run_id}/job-orders/{job_order_reference}/shortlist", response=list[ShortlistChoiceOut],
             auth=IDENTITY, summary="Employer-shortlist mode: pick from the shortlist, with reasons")
def shortlist_decide(request, run_id: int, job_order_reference: str, payload: ShortlistIn):
    run = _run(request, run_id)
    row = selectors.run_job_orders(run=run).filter(job_order__reference=job_order_reference[:40]).first()
    if row is None:
        raise NotFound(_("Job order %(ref)s is not part of this run.") % {"ref": job_order_reference[:40]},
                       field="job_order")
    changed = services.shortlist_decide(actor=request.user, run_job=row, picks=payload.picks, reasons=payload.reasons,
                                        passed_over_reason=payload.passed_over_reason)
    return sorted(changed, key=lambda o: (o.pick != PickStatus.PICKED, o.worker.public_id))


# --- a worker's side ---------------------------------------------------------------------------------------------


@router.get("/my/rounds", response=list[MyRoundOut], auth=IDENTITY,
            summary="Open rounds you can take part in, with your ranking")
@paginate(Pagination)
def my_rounds(request):
    worker = _own_worker(request)
    return [
        {"round": rnd, "published": selectors.published_run(rnd=rnd) is not None,
         "max_preferences": _max_preferences(rnd.programme), "ranking": _ranking(request, worker, rnd)}
        for rnd in selectors.worker_rounds(worker=worker)
    ]


@router.get("/rounds/{int:round_id}/job-orders", response=RankableOut, auth=IDENTITY,
            summary="The job orders you may rank, with the reasons where you are not eligible")
def rankable(request, round_id: int,
             worker: str = Query("", max_length=12, description="Origin authority: the worker acted for.")):
    rnd = _round(request, round_id)
    person = _subject_worker(request, worker)
    if rnd.origin_country and rnd.origin_country != person.nationality:
        raise Forbidden(_("This round is for workers from %(country)s.") % {"country": rnd.origin_country})
    taking_part = any(r.pk == rnd.pk for r in selectors.worker_rounds(worker=person))
    note = "" if taking_part else _(
        "Give your consent to take part in selection for %(programme)s first (profile, consents)."
    ) % {"programme": rnd.programme.code}
    if rnd.status != RoundStatus.OPEN:
        taking_part, note = False, _("This round is closed.")
    ranking = _ranking(request, person, rnd)
    ranks = {r["job_order"].pk: r["rank"] for r in ranking}
    rows = []
    for row in selectors.rankable_job_orders(rnd=rnd, worker=person):
        data = _board_row(row)
        data.update(eligible=not row["reasons"], reasons=row["reasons"], rank=ranks.get(row["order"].pk))
        rows.append(data)
    return {"round": rnd, "worker": person.public_id, "taking_part": taking_part, "note": note,
            "max_preferences": _max_preferences(rnd.programme), "ranking": ranking, "job_orders": rows}


@router.put("/rounds/{int:round_id}/preferences", response=list[RankOut], auth=IDENTITY,
            summary="Set your ranking (replaces it), first choice first")
def preferences_set(request, round_id: int, payload: PreferencesIn,
                    worker: str = Query("", max_length=12, description="Origin authority: the worker acted for.")):
    rnd = _round(request, round_id)
    person = _subject_worker(request, worker)
    services.preferences_set(actor=request.user, rnd=rnd, worker=person, job_orders=payload.job_orders)
    return _ranking(request, person, rnd)


@router.delete("/rounds/{int:round_id}/preferences", response={204: None}, auth=IDENTITY,
               summary="Withdraw from the round (your ranking is removed)")
def preferences_withdraw(request, round_id: int,
                         worker: str = Query("", max_length=12, description="Origin authority: the worker acted for.")):
    rnd = _round(request, round_id)
    services.preferences_withdraw(actor=request.user, rnd=rnd, worker=_subject_worker(request, worker))
    return Status(204, None)


@router.get("/my/outcomes", response=list[OutcomeOut], auth=IDENTITY,
            summary="Your published outcomes, each explained job order by job order")
@paginate(Pagination)
def my_outcomes(request):
    return selectors.outcomes_of(user=request.user, worker=_own_worker(request)).prefetch_related("appeals")


@router.post("/outcomes/{int:outcome_id}/appeals", response={201: AppealOut}, auth=IDENTITY,
             summary="Appeal against a published outcome")
def appeal_lodge(request, outcome_id: int, payload: AppealIn):
    outcome = selectors.outcome_get(user=request.user, pk=outcome_id)
    appeal = services.appeal_lodge(actor=request.user, outcome=outcome, grounds=payload.grounds)
    return Status(201, selectors.appeal_get(user=request.user, pk=appeal.pk))


@router.get("/my/nominations", response=list[NominationOut], auth=IDENTITY,
            summary="Employers who named you for recall")
@paginate(Pagination)
def my_nominations(request):
    return selectors.nominations_for_worker(user=request.user, worker=_own_worker(request))


@router.post("/nominations/{int:nomination_id}/answer", response=NominationOut, auth=IDENTITY,
             summary="Consent to, or decline, being named for recall")
def nomination_answer(request, nomination_id: int, payload: AnswerIn):
    nomination = selectors.nomination_get(user=request.user, pk=nomination_id)
    services.nomination_answer(actor=request.user, nomination=nomination, consent=payload.consent)
    return selectors.nomination_get(user=request.user, pk=nomination_id)


# --- an employer's side ------------------------------------------------------------------------------------------


@router.post("/rounds/{int:round_id}/nominations", response={201: NominationOut}, auth=IDENTITY,
             summary="Name a returning worker for recall to one of your job orders")
def nomination_create(request, round_id: int, payload: NominationIn):
    rnd = _round(request, round_id)
    reference = payload.job_order.strip()
    order = next((r["order"] for r in selectors.round_job_orders(rnd=rnd) if r["order"].reference == reference), None)
    if order is None:
        raise InvalidInput(_("'%(ref)s' is not an open job order of this round.") % {"ref": reference}, field="job_order")
    nomination = services.nomination_create(actor=request.user, rnd=rnd, job_order=order, worker=payload.worker)
    return Status(201, selectors.nomination_get(user=request.user, pk=nomination.pk))


@router.get("/rounds/{int:round_id}/nominations", response=list[NominationOut], auth=IDENTITY,
            summary="Your organisation's nominations in a round")
@paginate(Pagination)
def nomination_list(request, round_id: int):
    rnd = _round(request, round_id)
    if Role.EMPLOYER not in roles_of(request.user):
        raise Forbidden(_("Only employers have nominations in a round."))
    return selectors.nominations_for_employer(user=request.user, rnd=rnd)


@router.post("/nominations/{int:nomination_id}/withdraw", response=NominationOut, auth=IDENTITY,
             summary="Withdraw a nomination")
def nomination_withdraw(request, nomination_id: int):
    nomination = selectors.nomination_get(user=request.user, pk=nomination_id)
    services.nomination_withdraw(actor=request.user, nomination=nomination)
    return selectors.nomination_get(user=request.user, pk=nomination_id)


# --- officials: appeals, seasons, skills tests -------------------------------------------------------------------


@router.get("/appeals", response=list[AppealOut], auth=IDENTITY, summary="Appeals you may see")
@paginate(Pagination)
def appeal_list(
    request,
    round_id: int | None = Query(None, alias="round", ge=1, le=MAX_ID, description="Round id."),
    status: str = Query("", max_length=10, description="lodged, upheld or dismissed."),
):
    _choice(status, AppealStatus.values, "status")
    rnd = _round(request, round_id) if round_id is not None else None
    return selectors.appeal_list(user=request.user, rnd=rnd, status=status)


@router.post("/appeals/{int:appeal_id}/decision", response=AppealOut, auth=IDENTITY,
             summary="Decide an appeal, with reasons")
def appeal_decide(request, appeal_id: int, payload: DecisionIn):
    appeal = selectors.appeal_get(user=request.user, pk=appeal_id)
    services.appeal_decide(actor=request.user, appeal=appeal, upheld=payload.upheld, decision=payload.decision)
    return selectors.appeal_get(user=request.user, pk=appeal_id)


@router.post("/workers/{public_id}/seasons", response={201: SeasonOut}, auth=IDENTITY,
             summary="Record a season the worker completed (basis of recall by rule)")
def season_add(request, public_id: str, payload: SeasonIn):
    worker = _record_worker(request, public_id)
    programme = _programme_in_body(request, payload.programme)
    record = services.season_record_add(
        actor=request.user, worker=worker, programme=programme, year=payload.year, employer=payload.employer,
        completed=payload.completed, returned_as_agreed=payload.returned_as_agreed, note=payload.note,
    )
    return Status(201, record)


@router.get("/workers/{public_id}/seasons", response=list[SeasonOut], auth=IDENTITY, summary="A worker's seasons")
@paginate(Pagination)
def season_list(request, public_id: str):
    return selectors.season_records(user=request.user, worker=_record_worker(request, public_id))


@router.post("/workers/{public_id}/skills-tests", response={201: SkillsTestOut}, auth=IDENTITY,
             summary="Record a skills test result (origin authority)")
def skills_test_add(request, public_id: str, payload: SkillsTestIn):
    worker = _record_worker(request, public_id)
    result = services.skills_test_add(actor=request.user, worker=worker, isco_code=payload.isco_code, test=payload.test,
                                      score=payload.score, taken_on=payload.taken_on)
    return Status(201, result)


@router.get("/workers/{public_id}/skills-tests", response=list[SkillsTestOut], auth=IDENTITY,
            summary="A worker's skills test results")
@paginate(Pagination)
def skills_test_list(request, public_id: str):
    return selectors.skills_tests(user=request.user, worker=_record_worker(request, public_id))
