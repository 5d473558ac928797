"""Reads of the selection app, always restricted to what the user may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from corridor.accounts.models import OrgKind
from corridor.core.access import Role, organisation_of, roles_of
from corridor.core.errors import NotFound
from corridor.joborders.models import JobOrder
from corridor.programmes.models import Programme, ProgrammeStatus
from corridor.selection import explain, loading, services
from corridor.selection.models import (
    Appeal,
    AppealStatus,
    Nomination,
    NominationStatus,
    Outcome,
    Preference,
    RoundStatus,
    RunJobOrder,
    RunStatus,
    SeasonRecord,
    SelectionRound,
    SelectionRun,
    SkillsTest,
)
from corridor.workers.models import ConsentPurpose, Worker, consent_q

OFFICIAL = (SelectionRound, SelectionRun, RunJobOrder)


def _officials(user, programme_path: str) -> Q | None:
    """Rows of programmes the user administers or serves as an origin authority for."""
    roles = roles_of(user)
    org = organisation_of(user)
    if Role.PLATFORM_ADMIN in roles:
        return Q()
    if org is None:
        return None
    p = programme_path
    if roles & {Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER} and org.kind == OrgKind.DESTINATION_MINISTRY:
        return Q(**{f"{p}destination_country": org.country})
    if Role.ORIGIN_OFFICER in roles and org.kind == OrgKind.ORIGIN_AUTHORITY:
        return Q(**{f"{p}corridors__competent_authority_id": org.pk, f"{p}corridors__origin_country": org.country})
    return None


def visibility_q(model, user, action: str) -> Q | None:
    """Who sees what (docs/selection.md): rounds and published runs are open to every signed-in user (they hold
    aggregates only); dry runs to the officials of the programme; a worker's preferences, outcomes, nominations,
    appeals, seasons and tests to the worker, the origin authority of the worker's country and the destination
    ministry of the programme; employers see nominations and outcomes at their own job orders."""
    if not getattr(user, "is_authenticated", False):
        return None
    roles = roles_of(user)
    org = organisation_of(user)
    if model is SelectionRound:
        return Q() if action == "view" else _officials(user, "programme__")
    if model in (SelectionRun, RunJobOrder):
        prefix = "" if model is SelectionRun else "run__"
        official = _officials(user, f"{prefix}round__programme__")
        public = Q(**{f"{prefix}status__in": [RunStatus.PUBLISHED, RunStatus.SUPERSEDED]})
        if action != "view":
            return official
        return public if official is None else (public | official)
    worker_path = {Preference: "worker__", Nomination: "worker__", Outcome: "worker__", Appeal: "outcome__worker__",
                   SeasonRecord: "worker__", SkillsTest: "worker__"}[model]
    q = Q(**{f"{worker_path}user_id": user.pk})
    if Role.PLATFORM_ADMIN in roles:
        return Q()
    if org is not None and Role.ORIGIN_OFFICER in roles and org.kind == OrgKind.ORIGIN_AUTHORITY:
        q |= Q(**{f"{worker_path}nationality": org.country})
    if org is not None and roles & {Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER} and org.kind == OrgKind.DESTINATION_MINISTRY:
        programme = {Preference: "round__programme__", Nomination: "round__programme__", Outcome: "run__round__programme__",
                     Appeal: "outcome__run__round__programme__", SeasonRecord: "programme__", SkillsTest: None}[model]
        if programme is not None:
            q |= Q(**{f"{programme}destination_country": org.country})
    if org is not None and Role.EMPLOYER in roles:
        if model is Nomination:
            q |= Q(job_order__employer__organisation_id=org.pk)
        elif model is Outcome:
            q |= Q(job_order__employer__organisation_id=org.pk, run__status=RunStatus.PUBLISHED)
    return q


# --- rounds and runs ---------------------------------------------------------------------------------------------


def round_list(*, user, programme: str = "", status: str = "") -> QuerySet[SelectionRound]:
    qs = SelectionRound.objects.restrict(user).select_related("programme")
    if programme:
        qs = qs.filter(programme__code=programme)
    if status:
        qs = qs.filter(status=status)
    return qs.distinct()


def round_get(*, user, pk, action: str = "view") -> SelectionRound:
    rnd = SelectionRound.objects.restrict(user, action).select_related("programme").filter(pk=pk).distinct().first()
    if rnd is None:
        raise NotFound("No such selection round, or not one you may see.", field="round")
    return rnd


def programmes_for_rounds(*, user) -> list[Programme]:
    """Active programmes in which the user may open a round."""
    qs = Programme.objects.filter(status=ProgrammeStatus.ACTIVE).order_by("code")
    return [p for p in qs if services.is_programme_admin(user, p) or services.origin_country_of(user, p)]


def round_job_orders(*, rnd: SelectionRound) -> list[dict]:
    """The job orders a round fills, with the positions left (board facts only)."""
    orders = list(loading.round_job_orders(rnd).select_related("worksite", "programme"))
    left = loading.remaining_positions(rnd, orders)
    return [{"order": o, "remaining": left[o.pk]} for o in orders]


def run_list(*, user, rnd: SelectionRound) -> QuerySet[SelectionRun]:
    return SelectionRun.objects.restrict(user).filter(round=rnd).distinct().select_related("rule_version", "started_by")


def run_get(*, user, pk) -> SelectionRun:
    run = (SelectionRun.objects.restrict(user).filter(pk=pk).distinct()
           .select_related("round__programme", "rule_version", "supersedes", "started_by").first())
    if run is None:
        raise NotFound("No such selection run, or not one you may see.", field="run")
    return run


def run_job_orders(*, run: SelectionRun) -> QuerySet[RunJobOrder]:
    return run.job_orders.select_related("job_order__employer__organisation", "job_order__worksite").order_by("job_order__start_date", "pk")


def published_run(*, rnd: SelectionRound) -> SelectionRun | None:
    return rnd.runs.filter(status=RunStatus.PUBLISHED).first()


def may_run(*, user, rnd: SelectionRound) -> bool:
    return services.may_run(user, rnd)


def selected_list(*, user, run: SelectionRun, job_order_id: int | None = None) -> QuerySet[Outcome]:
    """Workers a run selected (or shortlisted), for officials and the employer of the job order."""
    qs = Outcome.objects.restrict(user).filter(run=run, job_order__isnull=False).distinct()
    if job_order_id is not None:
        qs = qs.filter(job_order_id=job_order_id)
    return qs.select_related("worker", "job_order").order_by("job_order_id", "worker__public_id")


# --- a worker's view ---------------------------------------------------------------------------------------------


def worker_rounds(*, worker: Worker) -> list[SelectionRound]:
    """Open rounds the worker can take part in: programmes with a consent to selection and a corridor from the
    worker's country."""
    programmes = Programme.objects.filter(
        status=ProgrammeStatus.ACTIVE, corridors__origin_country=worker.nationality, corridors__is_active=True,
    ).filter(pk__in=Worker.objects.filter(pk=worker.pk).filter(
        consent_q("", purpose=ConsentPurpose.SELECTION)).values("consents__programme_id"))
    return list(
        SelectionRound.objects.filter(programme__in=programmes, status=RoundStatus.OPEN)
        .filter(Q(origin_country="") | Q(origin_country=worker.nationality))
        .select_related("programme").distinct().order_by("-created_at")
    )


def preferences_of(*, user, worker: Worker, rnd: SelectionRound) -> list[Preference]:
    return list(Preference.objects.restrict(user).filter(worker=worker, round=rnd).distinct()
                .select_related("job_order__employer__organisation").order_by("rank"))


def rankable_job_orders(*, rnd: SelectionRound, worker: Worker) -> list[dict]:
    """The round's job orders with, for this worker, whether they are eligible and why not."""
    rows = round_job_orders(rnd=rnd)
    unmet = services.eligibility_for(rnd, worker, [r["order"] for r in rows])
    for r in rows:
        r["reasons"] = [explain.reason_text(c, p) for c, p in unmet[r["order"].pk]]
        if r["remaining"] == 0:
            r["reasons"].append(explain.reason_text("no_positions_left", {}))
    return rows


def outcomes_of(*, user, worker: Worker) -> QuerySet[Outcome]:
    """The worker's outcomes in published runs (in force and superseded), newest first."""
    return (Outcome.objects.restrict(user).filter(worker=worker, run__status__in=[RunStatus.PUBLISHED, RunStatus.SUPERSEDED])
            .distinct().select_related("run__round__programme", "job_order").order_by("-run__started_at"))


def outcome_get(*, user, pk) -> Outcome:
    outcome = (Outcome.objects.restrict(user).filter(pk=pk).distinct()
               .select_related("run__round__programme", "worker", "job_order").first())
    if outcome is None:
        raise NotFound("No such outcome, or not one you may see.", field="outcome")
    return outcome


def explanation(*, outcome: Outcome) -> list[dict]:
    """Each job order the worker ranked: what happened and why, beside the job order's cutoff."""
    ids = [e[0] for e in outcome.details]
    orders = {o.pk: o for o in JobOrder.objects.filter(pk__in=ids).select_related("employer__organisation")}
    cutoffs = {r.job_order_id: r for r in RunJobOrder.objects.filter(run_id=outcome.run_id, job_order_id__in=ids)}
    shortlist = outcome.run.mode == "employer_shortlist"
    out = []
    for entry in outcome.details:
        jid, rank, code, tier, points = entry[:5]
        row = {
            "job_order": orders.get(jid), "job_order_id": jid, "rank": rank, "status": explain.STATUS_NAMES[code],
            "tier": tier, "points": points, "lottery": outcome.lottery, "reasons": entry[5] if len(entry) > 5 else [],
        }
        cut = cutoffs.get(jid)
        row["cutoff"] = None if cut is None or cut.cutoff_tier is None else {
            "tier": cut.cutoff_tier, "points": float(cut.cutoff_points), "lottery": cut.cutoff_lottery,
        }
        row["text"] = explain.entry_sentence(row, shortlist=shortlist)
        row["mine"] = explain.priority_text(tier, points, outcome.lottery) if code != "i" else "—"
        row["cutoff_text"] = (explain.priority_text(row["cutoff"]["tier"], row["cutoff"]["points"], row["cutoff"]["lottery"])
                              if row["cutoff"] else "—")
        out.append(row)
    return out


def nominations_for_worker(*, user, worker: Worker) -> QuerySet[Nomination]:
    return (Nomination.objects.restrict(user).filter(worker=worker).distinct()
            .select_related("round__programme", "job_order__employer__organisation"))


def nominations_for_employer(*, user, rnd: SelectionRound | None = None) -> QuerySet[Nomination]:
    org = organisation_of(user)
    if org is None:
        return Nomination.objects.none()
    qs = Nomination.objects.restrict(user).filter(job_order__employer__organisation_id=org.pk).distinct()
    if rnd is not None:
        qs = qs.filter(round=rnd)
    return qs.select_related("round__programme", "job_order", "worker")


def nomination_get(*, user, pk) -> Nomination:
    nomination = Nomination.objects.restrict(user).filter(pk=pk).distinct().select_related("round__programme", "worker", "job_order").first()
    if nomination is None:
        raise NotFound("No such nomination, or not one you may see.", field="nomination")
    return nomination


def pending_nominations(*, user, worker: Worker) -> QuerySet[Nomination]:
    return nominations_for_worker(user=user, worker=worker).filter(status=NominationStatus.AWAITING, round__status=RoundStatus.OPEN)


def employer_job_orders(*, user, rnd: SelectionRound) -> list[JobOrder]:
    org = organisation_of(user)
    if org is None or Role.EMPLOYER not in roles_of(user):
        return []
    return list(loading.round_job_orders(rnd).filter(employer__organisation_id=org.pk))


def appeal_list(*, user, rnd: SelectionRound | None = None, status: str = "") -> QuerySet[Appeal]:
    qs = Appeal.objects.restrict(user).distinct().select_related("outcome__worker", "outcome__run__round__programme")
    if rnd is not None:
        qs = qs.filter(outcome__run__round=rnd)
    if status:
        qs = qs.filter(status=status)
    return qs


def appeal_get(*, user, pk) -> Appeal:
    appeal = appeal_list(user=user).filter(pk=pk).first()
    if appeal is None:
        raise NotFound("No such appeal, or not one you may see.", field="appeal")
    return appeal


def open_appeals(*, rnd: SelectionRound) -> int:
    return Appeal.objects.filter(outcome__run__round=rnd, status=AppealStatus.LODGED).count()


def season_records(*, user, worker: Worker) -> QuerySet[SeasonRecord]:
    return SeasonRecord.objects.restrict(user).filter(worker=worker).distinct().select_related("programme", "employer__organisation")


def skills_tests(*, user, worker: Worker) -> QuerySet[SkillsTest]:
    return SkillsTest.objects.restrict(user).filter(worker=worker).distinct()


def shortlist_for_employer(*, user, run_job: RunJobOrder) -> QuerySet[Outcome]:
    return selected_list(user=user, run=run_job.run, job_order_id=run_job.job_order_id)


def run_job_get(*, user, pk) -> RunJobOrder:
    row = RunJobOrder.objects.filter(pk=pk).select_related("run__round__programme", "job_order__employer").first()
    if row is None or not SelectionRun.objects.restrict(user).filter(pk=row.run_id).exists():
        raise NotFound("No such job order in a run, or not one you may see.", field="run_job")
    return row


def ranked_count(*, user, rnd: SelectionRound) -> int:
    """How many workers ranked job orders in the round, among those whose preferences the user may see."""
    return Preference.objects.restrict(user).filter(round=rnd).values("worker_id").distinct().count()
