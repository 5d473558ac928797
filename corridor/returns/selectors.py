"""Reads of the returns app, restricted to what each role may see (docs/returns.md).

Who sees what:
- return records (the evidence and any reason for an early return, which may be abuse): the worker, the origin
  authority of the worker's country, the destination ministry and labour inspectorate; not the employer and not the
  immigration authority (the journey already shows it the return date);
- payouts (wage data): the worker, the employer, the origin authority, the ministry, the labour inspectorate;
- overstay flags (permit data): the worker, the immigration authority, the ministry, the origin authority;
- the worker's evaluation of the employer: the worker, the origin authority, the ministry, the labour inspectorate;
  never the employer, who gets only the aggregate of at least three (`employer_aggregate`);
- the employer's evaluation of the worker: the employer who wrote it, the worker, the origin authority, the
  ministry, the labour inspectorate;
- retaliation flags: the labour inspectorate and the ministry of the programme's country only.
Evaluations and retaliation flags are complaint data and payouts wage data: the firewall keeps all of them from
immigration officers whatever this says.
"""

from __future__ import annotations

from django.db.models import Avg, Count, Q, QuerySet

from corridor.accounts.models import OrgKind
from corridor.core.access import Role, organisation_of, roles_of
from corridor.core.errors import NotFound
from corridor.returns.models import (
    EmployerEvaluation,
    OverstayFlag,
    Payout,
    RetaliationFlag,
    ReturnRecord,
    WorkerEvaluation,
)

MIN_RESPONSES = 3
SCORES = ("pay", "housing", "safety", "respect", "would_return")


def visibility_q(model, user, action: str) -> Q | None:
    if not getattr(user, "is_authenticated", False):
        return None
    roles = roles_of(user)
    if Role.PLATFORM_ADMIN in roles:
        return Q()
    org = organisation_of(user)
    if model is RetaliationFlag:
        if org is None:
            return None
        q = Q(pk__in=[])
        if (Role.LABOUR_INSPECTOR in roles and org.kind == OrgKind.LABOUR_INSPECTORATE) or (
                roles & {Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER} and org.kind == OrgKind.DESTINATION_MINISTRY):
            q |= Q(programme__destination_country=org.country)
        return q
    p = "journey__"
    q = Q(**{f"{p}worker__user_id": user.pk})
    if org is None:
        return q
    destination = Q(**{f"{p}placement__job_order__programme__destination_country": org.country})
    if Role.EMPLOYER in roles and model in (Payout, WorkerEvaluation):
        q |= Q(**{f"{p}placement__job_order__employer__organisation_id": org.pk})
    if Role.ORIGIN_OFFICER in roles and org.kind == OrgKind.ORIGIN_AUTHORITY:
        q |= Q(**{f"{p}worker__nationality": org.country})
    if roles & {Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER} and org.kind == OrgKind.DESTINATION_MINISTRY:
        q |= destination
    if Role.LABOUR_INSPECTOR in roles and org.kind == OrgKind.LABOUR_INSPECTORATE and model is not OverstayFlag:
        q |= destination
    if Role.IMMIGRATION_OFFICER in roles and org.kind == OrgKind.IMMIGRATION_AUTHORITY and model is OverstayFlag:
        q |= destination
    return q


_JOURNEY = ("journey__worker", "journey__placement__job_order__programme",
            "journey__placement__job_order__employer__organisation")


def _one(qs: QuerySet, pk, what: str, field: str):
    try:
        obj = qs.filter(pk=int(pk)).first()
    except (TypeError, ValueError, OverflowError):
        obj = None
    if obj is None:
        raise NotFound(f"No such {what}, or not one you may see.", field=field)
    return obj


def returns(*, user, journey=None) -> QuerySet[ReturnRecord]:
    qs = ReturnRecord.objects.restrict(user).distinct().select_related(*_JOURNEY)
    return qs.filter(journey=journey) if journey is not None else qs


def return_get(*, user, pk) -> ReturnRecord:
    return _one(returns(user=user), pk, "return record", "return")


def return_of(*, user, journey) -> ReturnRecord | None:
    return returns(user=user, journey=journey).first()


def payouts(*, user, journey=None, status: str = "") -> QuerySet[Payout]:
    qs = Payout.objects.restrict(user).distinct().select_related(*_JOURNEY)
    if journey is not None:
        qs = qs.filter(journey=journey)
    if status:
        qs = qs.filter(status=status)
    return qs


def payout_get(*, user, pk) -> Payout:
    return _one(payouts(user=user), pk, "payout", "payout")


def overstay_flags(*, user, status: str = "") -> QuerySet[OverstayFlag]:
    qs = OverstayFlag.objects.restrict(user).distinct().select_related(*_JOURNEY, "permit")
    return qs.filter(status=status) if status else qs


def overstay_flag_get(*, user, pk) -> OverstayFlag:
    return _one(overstay_flags(user=user), pk, "overstay flag", "flag")


def employer_evaluations(*, user, journey=None) -> QuerySet[EmployerEvaluation]:
    qs = EmployerEvaluation.objects.restrict(user).distinct().select_related(*_JOURNEY)
    return qs.filter(journey=journey) if journey is not None else qs


def worker_evaluations(*, user, journey=None) -> QuerySet[WorkerEvaluation]:
    qs = WorkerEvaluation.objects.restrict(user).distinct().select_related(*_JOURNEY)
    return qs.filter(journey=journey) if journey is not None else qs


def worker_evaluation_get(*, user, pk) -> WorkerEvaluation:
    return _one(worker_evaluations(user=user), pk, "evaluation", "evaluation")


def employer_aggregate(employer, programme=None) -> dict:
    """The workers' evaluations of an employer as an aggregate: the number of responses and, from MIN_RESPONSES on,
    the average of each score. Fewer responses show no averages, so that no worker can be recognised. No comment
    and no name is ever part of it."""
    qs = EmployerEvaluation.objects.filter(employer=employer)
    if programme is not None:
        qs = qs.filter(programme=programme)
    found = qs.aggregate(n=Count("pk"), **{s: Avg(s) for s in SCORES})
    n = found.pop("n") or 0
    shown = n >= MIN_RESPONSES
    return {"responses": n, "minimum": MIN_RESPONSES, "shown": shown,
            "averages": {s: round(float(v), 1) for s, v in found.items()} if shown else None}


def retaliation_flags(*, user, status: str = "") -> QuerySet[RetaliationFlag]:
    qs = RetaliationFlag.objects.restrict(user).distinct().select_related(
        "worker", "employer__organisation", "round", "programme", "journey")
    return qs.filter(status=status) if status else qs


def retaliation_flag_get(*, user, pk) -> RetaliationFlag:
    return _one(retaliation_flags(user=user), pk, "retaliation flag", "flag")


def aggregate_for(*, user, employer_id=None) -> dict:
    """The aggregate for an employer's own members, or for an official of the programme's authorities who names
    the employer profile."""
    from corridor.employers.models import EmployerProfile

    roles = roles_of(user)
    org = organisation_of(user)
    officials = {Role.PLATFORM_ADMIN, Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER, Role.LABOUR_INSPECTOR,
                 Role.ORIGIN_OFFICER}
    if Role.EMPLOYER in roles and org is not None:
        employer = EmployerProfile.objects.filter(organisation=org).first()
        if employer is not None and (employer_id is None or employer.pk == employer_id):
            return employer_aggregate(employer)
    if roles & officials and employer_id is not None:
        employer = EmployerProfile.objects.filter(pk=employer_id).first()
        if employer is not None:
            return employer_aggregate(employer)
    raise NotFound("No such employer, or not one whose evaluations you may see.", field="employer")


def overdue(*, user, day=None) -> QuerySet:
    """Journeys still in the stay (travelled, employed, changing employer) after the end of the contract, with no
    return registered: for the origin authority to follow up."""
    from django.utils import timezone

    from corridor.deployment import journey as path
    from corridor.deployment.selectors import journey_list

    day = day or timezone.localdate()
    return (journey_list(user=user).filter(state__in=[path.TRAVELLED, path.EMPLOYED, path.CHANGING_EMPLOYER],
                                           placement__job_order__end_date__lt=day, return_record__isnull=True)
            .order_by("placement__job_order__end_date", "pk"))


def rounds_to_scan(*, user) -> list:
    """The open selection rounds with recall nominations that the user (the destination ministry or the labour
    inspectorate of the programme) may scan for possible retaliation, newest first."""
    from corridor.returns.services import is_inspector
    from corridor.selection.models import Nomination, RoundStatus
    from corridor.selection.selectors import round_list
    from corridor.selection.services import is_ministry

    rounds = (round_list(user=user, status=RoundStatus.OPEN).filter(pk__in=Nomination.objects.values("round_id"))
              .order_by("-pk")[:100])
    return [r for r in rounds if is_ministry(user, r.programme) or is_inspector(user, r.programme)]
