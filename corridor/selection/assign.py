"""One selection round, solved and explained. Plain Python and NumPy, no Django.

The database layer (`corridor.selection.services`) loads a round into a `RoundInput`: the workers with their lottery
numbers, the job orders with their capacities, and every (worker, job order) pair the workers ranked, in each worker's
order of preference, with the pair's eligibility, tier and points (`corridor.selection.priority`). `solve` orders each
job order's eligible applicants by priority, runs worker-proposing deferred acceptance (with reserved seats and caps
when the programme sets targets), and returns who got which job order, each job order's cutoff and, for every worker,
what happened at each job order they ranked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from corridor.selection.distributional import deferred_acceptance_with_targets
from corridor.selection.engine import deferred_acceptance_arrays
from corridor.selection.priority import points_key

# What happened at one ranked job order.
SELECTED = "selected"  # the job order the worker obtained
NOT_SELECTED = "not_selected"  # ranked above the outcome (or no outcome), eligible, not obtained
NOT_REACHED = "not_reached"  # ranked below the job order obtained: never needed
INELIGIBLE = "ineligible"  # the worker does not meet the job order's or the programme's criteria


@dataclass
class RoundInput:
    workers: list[str]  # worker keys; list index = worker index
    lottery: list[int]  # per worker
    jobs: list[str]  # job order keys; list index = job index
    capacities: list[int]  # per job
    # One entry per ranked pair, grouped by worker in worker order, each worker's pairs in preference order.
    pair_worker: list[int]
    pair_job: list[int]
    pair_eligible: list[bool]
    pair_tier: list[int]
    pair_points: list[float]
    groups: list[str] | None = None  # per worker, the target group (sex or region), when targets are set
    reserves: dict[str, int] = field(default_factory=dict)  # group -> seats reserved over the round
    caps: dict[str, int] = field(default_factory=dict)  # group -> most seats over the round


@dataclass
class RoundResult:
    matched_pair: np.ndarray  # per worker: index of the pair obtained, or -1
    selected: list[list[int]]  # per job: worker indices, in priority order
    cutoff_pair: list[int]  # per job: pair index of the last worker admitted when the job is full, else -1
    ranks: np.ndarray  # per pair: rank at the job order (0 = first), -1 when ineligible


def check(inp: RoundInput) -> None:
    """Raise ValueError naming the first inconsistency of the input."""
    n, m, p = len(inp.workers), len(inp.jobs), len(inp.pair_worker)
    if len(inp.lottery) != n:
        raise ValueError(f"lottery has {len(inp.lottery)} numbers for {n} workers")
    if len(inp.capacities) != m:
        raise ValueError(f"capacities has {len(inp.capacities)} entries for {m} job orders")
    for name in ("pair_job", "pair_eligible", "pair_tier", "pair_points"):
        if len(getattr(inp, name)) != p:
            raise ValueError(f"{name} has {len(getattr(inp, name))} entries for {p} pairs")
    if inp.groups is not None and len(inp.groups) != n:
        raise ValueError(f"groups has {len(inp.groups)} entries for {n} workers")
    for j, cap in enumerate(inp.capacities):
        if cap < 0:
            raise ValueError(f"capacity of job order {inp.jobs[j]!r} is negative: {cap}")


def _ranks(inp: RoundInput, eligible: np.ndarray) -> np.ndarray:
    """Each eligible pair's place in its job order's priority order."""
    p = len(inp.pair_worker)
    ranks = np.full(p, -1, dtype=np.int64)
    idx = np.flatnonzero(eligible)
    if not idx.size:
        return ranks
    job = np.asarray(inp.pair_job, dtype=np.int64)[idx]
    tier = np.asarray(inp.pair_tier, dtype=np.int64)[idx]
    points = -np.rint(np.asarray(inp.pair_points, dtype=np.float64)[idx] * 100).astype(np.int64)
    lottery = np.asarray(inp.lottery, dtype=np.int64)[np.asarray(inp.pair_worker, dtype=np.int64)[idx]]
    order = np.lexsort((lottery, points, tier, job))
    sorted_jobs = job[order]
    starts = np.searchsorted(sorted_jobs, sorted_jobs, side="left")
    place = np.arange(order.size, dtype=np.int64) - starts
    ranks[idx[order]] = place
    return ranks


def solve(inp: RoundInput) -> RoundResult:
    check(inp)
    n, m = len(inp.workers), len(inp.jobs)
    eligible = np.asarray(inp.pair_eligible, dtype=bool)
    ranks = _ranks(inp, eligible)
    pw = np.asarray(inp.pair_worker, dtype=np.int64)
    pj = np.asarray(inp.pair_job, dtype=np.int64)
    if pw.size and np.any(np.diff(pw) < 0):
        raise ValueError("pairs must be grouped by worker, in worker order")
    idx = np.flatnonzero(eligible)
    offsets = np.searchsorted(pw[idx], np.arange(n + 1))
    jobs_list = pj[idx].tolist()
    ranks_list = ranks[idx].tolist()
    bounds = offsets.tolist()
    pref_jobs = [jobs_list[bounds[w]:bounds[w + 1]] for w in range(n)]
    if inp.reserves or inp.caps:
        selected = _with_targets(inp, pref_jobs, ranks, idx, offsets)
    else:
        pref_ranks = [ranks_list[bounds[w]:bounds[w + 1]] for w in range(n)]
        selected = deferred_acceptance_arrays(pref_jobs, pref_ranks, list(inp.capacities))
    matched_job = np.full(n, -1, dtype=np.int64)
    for j, members in enumerate(selected):
        if members:
            matched_job[np.asarray(members, dtype=np.int64)] = j
    # The pair each matched worker obtained: the one (unique per worker) whose job is the matched job.
    matched_pair = np.full(n, -1, dtype=np.int64)
    hit = np.flatnonzero(eligible & (matched_job[pw] == pj)) if pw.size else np.empty(0, dtype=np.int64)
    matched_pair[pw[hit]] = hit
    cutoff = [-1] * m
    for j, members in enumerate(selected):
        if members and len(members) >= inp.capacities[j]:
            cutoff[j] = int(matched_pair[members[-1]])
    return RoundResult(matched_pair=matched_pair, selected=[list(map(int, s)) for s in selected],
                       cutoff_pair=cutoff, ranks=ranks)


def _with_targets(inp: RoundInput, pref_jobs, ranks: np.ndarray, idx: np.ndarray, offsets: np.ndarray) -> list[list[int]]:
    """Deferred acceptance with seats reserved for groups and caps on groups (docs/selection-engine.md s.3)."""
    n, m = len(inp.workers), len(inp.jobs)
    applicant_prefs = {w: pref_jobs[w] for w in range(n)}
    by_job: list[list[tuple[int, int]]] = [[] for _ in range(m)]
    pw = inp.pair_worker
    pj = inp.pair_job
    for pair in idx.tolist():
        by_job[pj[pair]].append((int(ranks[pair]), pw[pair]))
    priorities = {j: [w for _, w in sorted(entries)] for j, entries in enumerate(by_job)}
    capacities = {j: int(c) for j, c in enumerate(inp.capacities)}
    groups = {w: inp.groups[w] for w in range(n)} if inp.groups is not None else None
    total = sum(capacities.values())
    reserves = {g: min(k, total) for g, k in inp.reserves.items() if k > 0}
    caps = {g: min(k, total) for g, k in inp.caps.items()}
    outcome = deferred_acceptance_with_targets(
        applicant_prefs, priorities, capacities, groups=groups, group_caps=caps or None, reserves=reserves or None,
    )
    return [outcome[j] for j in range(m)]


def statuses(inp: RoundInput, result: RoundResult) -> list[str]:
    """Per pair: SELECTED, NOT_SELECTED, NOT_REACHED or INELIGIBLE."""
    out = []
    matched = result.matched_pair
    for pair, (w, ok) in enumerate(zip(inp.pair_worker, inp.pair_eligible, strict=True)):
        mine = matched[w]
        if not ok:
            out.append(INELIGIBLE)
        elif pair == mine:
            out.append(SELECTED)
        elif mine == -1 or pair < mine:
            out.append(NOT_SELECTED)
        else:
            out.append(NOT_REACHED)
    return out


def summary(inp: RoundInput, result: RoundResult, *, sex: Sequence[str], region: Sequence[str],
            returning: Sequence[bool]) -> dict:
    """What a dry run shows before anything is published: fill rate, who was selected by sex, region and first time
    against returning, and the positions left unfilled."""
    positions = int(sum(inp.capacities))
    matched_workers = np.flatnonzero(result.matched_pair >= 0).tolist()
    filled = len(matched_workers)
    applicants = len({w for w in inp.pair_worker})
    eligible_workers = len({w for w, ok in zip(inp.pair_worker, inp.pair_eligible, strict=True) if ok})
    by_sex = Counter(sex[w] or "" for w in matched_workers)
    by_region = Counter(region[w] or "" for w in matched_workers)
    by_history = Counter("returning" if returning[w] else "first_time" for w in matched_workers)
    applied_sex = Counter(sex[w] or "" for w in set(inp.pair_worker))
    unfilled = [
        {"job": inp.jobs[j], "positions": int(inp.capacities[j]), "selected": len(result.selected[j]),
         "unfilled": int(inp.capacities[j]) - len(result.selected[j])}
        for j in range(len(inp.jobs)) if len(result.selected[j]) < inp.capacities[j]
    ]
    return {
        "positions": positions,
        "selected": filled,
        "fill_rate": round(filled / positions, 4) if positions else 0.0,
        "applicants": applicants,
        "eligible_applicants": eligible_workers,
        "pairs": len(inp.pair_worker),
        "eligible_pairs": int(sum(1 for ok in inp.pair_eligible if ok)),
        "selected_by_sex": dict(sorted(by_sex.items())),
        "applicants_by_sex": dict(sorted(applied_sex.items())),
        "selected_by_region": dict(sorted(by_region.items())),
        "selected_by_history": {"first_time": by_history.get("first_time", 0), "returning": by_history.get("returning", 0)},
        "unfilled": unfilled,
        "unfilled_positions": sum(u["unfilled"] for u in unfilled),
    }


def priority_of(inp: RoundInput, pair: int) -> tuple[int, int, int]:
    """The comparable priority of a pair: (tier, -points in hundredths, lottery); lower is better."""
    return (int(inp.pair_tier[pair]), -points_key(inp.pair_points[pair]), int(inp.lottery[inp.pair_worker[pair]]))
