"""Read a round from the database into a `RoundInput`: a few set-wise queries, whatever the number of workers."""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Count
from django.utils import timezone

import corridor
from corridor.joborders.models import JobOrder
from corridor.joborders.models import Status as JobStatus
from corridor.programmes.rulebook import RuleSet, SelectionMode, TargetGroup
from corridor.selection import priority
from corridor.selection.assign import RoundInput
from corridor.selection.models import (
    Nomination,
    NominationStatus,
    Outcome,
    PickStatus,
    Preference,
    RunStatus,
    SeasonRecord,
    SelectionRound,
    SkillsTest,
)
from corridor.workers import eligibility
from corridor.workers.models import (
    ConsentPurpose,
    IdentityDocument,
    LanguageResult,
    MedicalClearance,
    Worker,
    WorkerOccupation,
    consent_q,
)

OPEN_STATUSES = (JobStatus.OPEN, JobStatus.PARTLY_FILLED)
CORES = ("engine.py", "distributional.py", "priority.py", "assign.py")


def code_version() -> str:
    """The platform version and a digest of the selection code, stored with every run."""
    digest = hashlib.sha256()
    for name in CORES:
        digest.update((Path(__file__).parent / name).read_bytes())
    return f"corridor {corridor.__version__}; selection {digest.hexdigest()[:16]}"


def round_job_orders(rnd: SelectionRound):
    """The job orders a round fills: open (or partly filled) orders of the programme that accept the corridor."""
    qs = JobOrder.objects.filter(programme_id=rnd.programme_id, status__in=OPEN_STATUSES)
    if rnd.origin_country:
        qs = qs.filter(origins_index__contains=f",{rnd.origin_country},")
    return qs.select_related("employer__organisation").order_by("start_date", "pk")


def held_elsewhere(rnd: SelectionRound, job_ids) -> dict[int, int]:
    """Positions of each job order already held by workers selected in the published run of another round."""
    rows = (
        Outcome.objects.filter(run__round__programme_id=rnd.programme_id, run__status=RunStatus.PUBLISHED,
                               job_order_id__in=job_ids)
        .exclude(run__round_id=rnd.pk).exclude(pick=PickStatus.PASSED_OVER)
        .exclude(pick=PickStatus.PENDING)
        .values("job_order_id").annotate(n=Count("pk"))
    )
    return {r["job_order_id"]: r["n"] for r in rows}


def remaining_positions(rnd: SelectionRound, orders) -> dict[int, int]:
    held = held_elsewhere(rnd, [o.pk for o in orders])
    return {o.pk: max(0, o.positions - o.positions_filled - held.get(o.pk, 0)) for o in orders}


def selected_elsewhere(rnd: SelectionRound, worker_ids=None) -> set[int]:
    """Workers holding a place from the published run of another round of the programme."""
    qs = Outcome.objects.filter(run__round__programme_id=rnd.programme_id, run__status=RunStatus.PUBLISHED,
                                job_order__isnull=False).exclude(run__round_id=rnd.pk).exclude(pick=PickStatus.PASSED_OVER)
    if worker_ids is not None:
        qs = qs.filter(worker_id__in=worker_ids)
    return set(qs.values_list("worker_id", flat=True))


@dataclass
class WorkerInfo:
    facts: eligibility.Facts
    points: priority.WorkerPoints
    public_id: str
    sex: str
    region: str
    returning: bool
    recalled: bool
    passed_over: int
    consented: bool
    elsewhere: bool


@dataclass
class Loaded:
    """A round read from the database, ready to solve."""

    inp: RoundInput
    worker_ids: list[int]
    job_ids: list[int]
    orders: list[JobOrder]
    positions: list[int]
    reasons: dict[int, list]  # pair index -> unmet criteria, as [code, params] lists
    info: list[WorkerInfo]
    pair_ranks: list[int]  # per pair: the worker's rank of the job order (1 = first choice)
    mode: str
    shortlist: int
    day: datetime.date
    extra: dict = field(default_factory=dict)


def _group(bucket, ids, qs, fields):
    for row in qs.filter(worker_id__in=ids).values_list("worker_id", *fields).iterator(chunk_size=20000):
        bucket[row[0]].append(row[1:])


def worker_info(rnd: SelectionRound, worker_ids: list[int], rules: RuleSet, day: datetime.date,
                *, ranked: bool = False) -> dict[int, WorkerInfo]:
    """Eligibility facts, points facts and recall standing of the workers, in a handful of queries. With `ranked`,
    `worker_ids` are all the workers who ranked in the round, and the queries select them by a subquery (a list of
    200,000 identifiers costs more to send than the rows cost to read)."""
    ids = list(worker_ids)
    subject = Preference.objects.filter(round=rnd).values("worker_id") if ranked else ids
    occupations, languages, medical, documents, skills, seasons = (defaultdict(list) for _ in range(6))
    base = {}
    for row in Worker.objects.filter(pk__in=subject).values_list(
        "pk", "public_id", "date_of_birth", "status", "banned_until", "deployed", "sex", "region_of_origin",
        "work_ready_at",
    ).iterator(chunk_size=20000):
        base[row[0]] = row
    consented = set(
        Worker.objects.filter(pk__in=subject).filter(
            consent_q("", purpose=ConsentPurpose.SELECTION, programme_id=rnd.programme_id)
        ).values_list("pk", flat=True)
    )
    _group(occupations, subject, WorkerOccupation.objects, ("isco_code", "years_experience"))
    _group(languages, subject, LanguageResult.objects, ("language", "test", "level", "taken_on", "valid_until"))
    _group(medical, subject, MedicalClearance.objects, ("fit", "issued_on", "valid_until"))
    _group(documents, subject, IdentityDocument.objects, ("kind", "expires_on"))
    _group(skills, subject, SkillsTest.objects, ("isco_code", "score"))
    _group(seasons, subject, SeasonRecord.objects.filter(programme_id=rnd.programme_id, completed=True),
           ("returned_as_agreed",))
    passed = defaultdict(int)
    if rules.selection.mode == SelectionMode.EMPLOYER_SHORTLIST:
        for wid, n in (
            Outcome.objects.filter(worker_id__in=subject, pick=PickStatus.PASSED_OVER,
                                   run__round__programme_id=rnd.programme_id, run__status=RunStatus.PUBLISHED)
            .values_list("worker_id").annotate(n=Count("pk"))
        ):
            passed[wid] = n
    elsewhere = selected_elsewhere(rnd, None)
    recall = rules.recall
    validity = rules.language.validity_months if rules.language is not None else None
    out = {}
    for wid in ids:
        pk, public_id, born, status, banned, deployed, sex, region, ready_at = base[wid]
        langs = tuple(eligibility.LanguageFact(*r) for r in languages[wid])
        levels: dict[str, int] = {}
        for fact in langs:
            expiry = eligibility.language_expiry(fact, validity)
            if expiry is not None and expiry < day:
                continue
            levels[fact.language] = max(levels.get(fact.language, 0), priority.language_level(fact.level))
        exp = {code: float(years) for code, years in occupations[wid]}
        tested: dict[str, float] = {}
        for code, score in skills[wid]:
            tested[code] = max(tested.get(code, 0.0), float(score))
        history = seasons[wid]
        returning = bool(history)
        recalled = recall.enabled and any(ok or not recall.requires_compliant_return for (ok,) in history)
        out[wid] = WorkerInfo(
            facts=eligibility.Facts(
                date_of_birth=born, status=status, banned_until=banned, deployed=deployed,
                occupations=tuple(code for code, _ in occupations[wid]), language_results=langs,
                medical=tuple(eligibility.MedicalFact(*m) for m in medical[wid]),
                documents=tuple(eligibility.DocumentFact(*d) for d in documents[wid]),
            ),
            points=priority.WorkerPoints(
                language_levels=levels, experience=exp, skills=tested,
                work_ready_since=timezone.localtime(ready_at).date() if ready_at else None,
                first_time=not returning, region=region or "",
            ),
            public_id=public_id, sex=sex, region=region or "", returning=returning, recalled=recalled,
            passed_over=passed.get(wid, 0), consented=wid in consented, elsewhere=wid in elsewhere,
        )
    return out


def _level_ok(result: eligibility.LanguageFact, required: str) -> bool:
    """Whether a result reaches the job order's level; a level that names the test ("EPS-TOPIK pass") is read
    without the test's name when the result is of that test."""
    if eligibility.level_meets(result.level, required):
        return True
    test, wanted = result.test.strip().casefold(), str(required or "").strip().casefold()
    if test and test in wanted:
        return bool(eligibility.level_meets(result.level, wanted.replace(test, "").strip()))
    return False


def job_unmet(info: WorkerInfo, order: JobOrder) -> list[list]:
    """The job order's own requirements the worker does not meet (language, experience)."""
    unmet = []
    if order.language:
        # A result whose validity ends before the season starts does not count (as for the programme's own test).
        results = [f for f in info.facts.language_results if f.language == order.language
                   and (f.valid_until is None or f.valid_until >= order.start_date)]
        if not any(_level_ok(f, order.language_level) for f in results):
            unmet.append(["job_language", {"language": order.language, "level": order.language_level}])
    if order.min_experience_months:
        years = max((y for code, y in info.points.experience.items() if code.startswith(order.isco_code)), default=0)
        if years * 12 < order.min_experience_months:
            unmet.append(["job_experience", {"months": order.min_experience_months, "years": years}])
    return unmet


def _json_params(params: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in params.items()}


def pair_unmet(info: WorkerInfo, order: JobOrder, rules: dict, day: datetime.date, memo: dict) -> list[list]:
    """Every criterion the worker does not meet for the job order (an empty list: eligible)."""
    key = (order.start_date, order.end_date, order.isco_code)
    cached = memo.get(key)
    if cached is None:
        found = eligibility.check(info.facts, rules, season_start=order.start_date, season_end=order.end_date,
                                  today=day, occupations_wanted=[order.isco_code])
        cached = memo[key] = [[u.code, _json_params(u.params)] for u in found]
    return cached + job_unmet(info, order)


def worker_clear(info: WorkerInfo, orders: list[JobOrder], rules: dict, day: datetime.date) -> bool:
    """Whether the worker meets every criterion that does not depend on the occupation for all of `orders` at once.
    Each such criterion gets harder with a later start (age above the maximum, language and medical validity) or an
    earlier start (age below the minimum) or a later end (identity document), so checking the earliest and the latest
    start with the latest end covers every season in between."""
    first = min(o.start_date for o in orders)
    last = max(o.start_date for o in orders)
    end = max(o.end_date for o in orders)
    for start in {first, last}:
        if eligibility.check(info.facts, rules, season_start=start, season_end=end, today=day):
            return False
    return True


def load(rnd: SelectionRound, version, *, day: datetime.date | None = None) -> Loaded:
    """The round's job orders, preferences and priorities as the engine's input."""
    day = day or timezone.localdate()
    rules = RuleSet.model_validate(version.rules)
    rules_json = version.rules
    sel = rules.selection
    orders = list(round_job_orders(rnd))
    remaining = remaining_positions(rnd, orders)
    shortlist = sel.shortlist_per_position if sel.mode == SelectionMode.EMPLOYER_SHORTLIST else 1
    job_index = {o.pk: j for j, o in enumerate(orders)}
    prefs = list(Preference.objects.filter(round=rnd).order_by("worker_id", "rank").values_list("worker_id", "job_order_id", "rank"))
    worker_ids = list(dict.fromkeys(w for w, _, _ in prefs))
    info_by_id = worker_info(rnd, worker_ids, rules, day, ranked=True)
    named = set(
        Nomination.objects.filter(round=rnd, status=NominationStatus.CONSENTED).values_list("worker_id", "job_order_id")
    ) if rules.recall.enabled and rules.recall.named_by_employer_allowed else set()
    windex = {w: i for i, w in enumerate(worker_ids)}
    pair_worker, pair_job, pair_ok, pair_tier, pair_points, pair_ranks = [], [], [], [], [], []
    reasons: dict[int, list] = {}
    config = sel.points.model_dump()
    moves_up = sel.passed_over_moves_up_after if sel.mode == SelectionMode.EMPLOYER_SHORTLIST else None
    gone: dict[int, list] = defaultdict(list)
    occupation_memo: dict = {}
    default_language = rules.language.language if rules.language is not None else ""
    by_worker: dict[int, list] = defaultdict(list)
    for wid, jid, rank in prefs:
        j = job_index.get(jid)
        if j is None:
            # The order closed or left the round after the worker ranked it.
            gone[wid].append((rank, jid))
        else:
            by_worker[wid].append((j, jid, rank))
    for wid in worker_ids:
        info = info_by_id[wid]
        ranked = by_worker.get(wid, ())
        if not ranked:
            continue
        w = windex[wid]
        fixed = []
        if not info.consented:
            fixed.append(["no_selection_consent", {}])
        if info.elsewhere:
            fixed.append(["selected_elsewhere", {}])
        clear = worker_clear(info, [orders[j] for j, _, _ in ranked], rules_json, day)
        memo: dict = {}
        points_memo: dict = {}
        base_tier = priority.tier_of(named=False, recalled=info.recalled, passed_over=info.passed_over,
                                     moves_up_after=moves_up)
        for j, jid, rank in ranked:
            order = orders[j]
            if clear:
                key = (info.facts.occupations, order.isco_code)
                found = occupation_memo.get(key)
                if found is None:
                    found = occupation_memo[key] = [
                        [u.code, _json_params(u.params)]
                        for u in eligibility.occupation_unmet(info.facts, rules_json, [order.isco_code])
                    ]
                unmet = found + job_unmet(info, order) if (order.language or order.min_experience_months) else list(found)
            else:
                unmet = pair_unmet(info, order, rules_json, day, memo)
            if fixed:
                unmet = fixed + unmet
            if remaining[jid] == 0:
                unmet.append(["no_positions_left", {}])
            language = order.language or default_language
            points = points_memo.get((order.isco_code, language))
            if points is None:
                points = points_memo[(order.isco_code, language)] = priority.total(
                    priority.score(info.points, isco=order.isco_code, language=language, config=config, on=day))
            if unmet:
                reasons[len(pair_worker)] = unmet
            pair_worker.append(w)
            pair_job.append(j)
            pair_ok.append(not unmet)
            pair_tier.append(priority.TIER_NAMED if (wid, jid) in named else base_tier)
            pair_points.append(points)
            pair_ranks.append(rank)
    infos = [info_by_id[w] for w in worker_ids]
    inp = RoundInput(
        workers=[i.public_id for i in infos],
        lottery=[priority.lottery_number(rnd.seed, i.public_id) for i in infos],
        jobs=[o.reference or str(o.pk) for o in orders],
        capacities=[remaining[o.pk] * shortlist for o in orders],
        pair_worker=pair_worker, pair_job=pair_job, pair_eligible=pair_ok, pair_tier=pair_tier, pair_points=pair_points,
    )
    targets = sel.targets
    if targets.group_by is not None and (targets.min_percent or targets.max_percent):
        total = sum(inp.capacities)
        inp.groups = [i.sex if targets.group_by == TargetGroup.SEX else i.region for i in infos]
        inp.caps = {g: int(total * share / 100) for g, share in targets.max_percent.items()}
        # Reserved seats round half up, but never past the positions (shares of 50 + 50 of 3 positions) nor past the
        # group's own cap (min 50 and max 50 of 3 positions): the larger fractions round up first.
        exact = {g: total * share / 100 for g, share in targets.min_percent.items()}
        reserves = {g: int(x) for g, x in exact.items()}
        for g in sorted(exact, key=lambda g: (reserves[g] - exact[g], g)):
            if exact[g] - reserves[g] >= 0.5 and sum(reserves.values()) < total:
                reserves[g] += 1
        inp.reserves = {g: min(reserves[g], inp.caps.get(g, reserves[g])) for g in sorted(reserves)}
    return Loaded(inp=inp, worker_ids=worker_ids, job_ids=[o.pk for o in orders], orders=orders,
                  positions=[remaining[o.pk] for o in orders], reasons=reasons, info=infos, pair_ranks=pair_ranks,
                  mode=sel.mode, shortlist=shortlist, day=day, extra={"gone": gone})


def inputs_hash(rnd: SelectionRound, version, loaded: Loaded) -> str:
    """SHA-256 of a canonical text of everything the outcome depends on."""
    digest = hashlib.sha256()
    inp = loaded.inp
    head = (f"round={rnd.pk}\nrule_version={version.pk}\nseed={rnd.seed}\nmode={loaded.mode}\nshortlist={loaded.shortlist}\n"
            f"groups={inp.groups is not None}\nreserves={sorted(inp.reserves.items())}\ncaps={sorted(inp.caps.items())}\n")
    digest.update(head.encode())
    digest.update("".join(f"J\t{k}\t{c}\n" for k, c in zip(inp.jobs, inp.capacities, strict=True)).encode())
    if inp.groups is not None:
        digest.update("".join(f"G\t{w}\t{g}\n" for w, g in zip(inp.workers, inp.groups, strict=True)).encode())
    workers, jobs = inp.workers, inp.jobs
    digest.update("".join(
        f"P\t{workers[w]}\t{jobs[j]}\t{int(ok)}\t{t}\t{p:.2f}\n"
        for w, j, ok, t, p in zip(inp.pair_worker, inp.pair_job, inp.pair_eligible, inp.pair_tier, inp.pair_points,
                                  strict=True)
    ).encode())
    return digest.hexdigest()

