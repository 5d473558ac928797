"""Worker-proposing deferred acceptance (Gale-Shapley) for many-to-one selection."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from heapq import heapreplace
from itertools import chain, islice
from typing import Any, TypeVar

__all__ = [
    "deferred_acceptance",
    "deferred_acceptance_arrays",
    "solve_instance_json",
]

W = TypeVar("W", bound=Hashable)
J = TypeVar("J", bound=Hashable)


def _check_capacity(job: Any, cap: Any) -> None:
    """Raise ValueError unless cap is a non-negative int."""
    if type(cap) is not int and not (isinstance(cap, int) and not isinstance(cap, bool)):
        raise ValueError(f"capacity of job order {job!r} must be an int, got {cap!r}")
    if cap < 0:
        raise ValueError(f"capacity of job order {job!r} is negative: {cap!r}")


def _first_duplicate(items: Sequence[Any]) -> Any:
    """Return the first item that occurs twice in items."""
    seen: set[Any] = set()
    for item in items:
        if item in seen:
            return item
        seen.add(item)
    raise AssertionError("no duplicate")  # pragma: no cover


def _check_list(owner_kind: str, owner: Any, items: Any) -> None:
    """Raise ValueError unless items is a list or tuple."""
    if not isinstance(items, (list, tuple)):
        raise ValueError(f"{owner_kind} {owner!r} must map to a list, got {type(items).__name__}")


def _validate(
    applicant_prefs: Mapping[W, Sequence[J]],
    position_priorities: Mapping[J, Sequence[W]],
    capacities: Mapping[J, int],
) -> None:
    """Validate the preference-level invariants that are cheap to check in bulk."""
    for name, arg in (
        ("applicant_prefs", applicant_prefs),
        ("position_priorities", position_priorities),
        ("capacities", capacities),
    ):
        if not isinstance(arg, Mapping):
            raise ValueError(f"{name} must be a mapping, got {type(arg).__name__}")
    if capacities.keys() != position_priorities.keys():
        for job in capacities:
            if job not in position_priorities:
                raise ValueError(f"job order {job!r} has a capacity but no priority list")
        for job in position_priorities:
            if job not in capacities:
                raise ValueError(f"job order {job!r} has a priority list but no capacity")
    for job, cap in capacities.items():
        _check_capacity(job, cap)
    prefs = list(applicant_prefs.values())
    if not all(isinstance(p, (list, tuple)) for p in prefs):
        for worker, p in applicant_prefs.items():
            _check_list("worker", worker, p)
    jobs = set(capacities)
    if not jobs.issuperset(chain.from_iterable(prefs)):
        for worker, p in applicant_prefs.items():
            for job in p:
                if job not in jobs:
                    raise ValueError(f"worker {worker!r} lists unknown job order {job!r}")
    # A set per worker is the cheapest bulk duplicate test CPython offers.
    if list(map(len, map(set, prefs))) != list(map(len, prefs)):
        for worker, p in applicant_prefs.items():
            if len(set(p)) != len(p):
                raise ValueError(f"worker {worker!r} lists job order {_first_duplicate(p)!r} twice")


def deferred_acceptance(
    applicant_prefs: Mapping[W, Sequence[J]],
    position_priorities: Mapping[J, Sequence[W]],
    capacities: Mapping[J, int],
) -> dict[J, list[W]]:
    """Return the worker-optimal stable matching, job order -> workers in priority order."""
    _validate(applicant_prefs, position_priorities, capacities)
    workers = list(applicant_prefs)
    known = set(workers)
    longest = max(map(len, position_priorities.values()), default=0)
    shared_ranks = range(longest)
    # Ranks come from one shared list so 10M dict values reuse ~1k int objects.
    rank_objs = list(shared_ranks)
    rank: dict[J, dict[W, int]] = {}
    for job, prio in position_priorities.items():
        _check_list("job order", job, prio)
        table = dict(zip(prio, rank_objs))
        if len(table) != len(prio):
            raise ValueError(f"job order {job!r} lists worker {_first_duplicate(prio)!r} twice")
        if not known.issuperset(prio):
            for worker in prio:
                if worker not in known:
                    raise ValueError(f"job order {job!r} lists unknown worker {worker!r}")
        rank[job] = table
    held = _solve_dicts(workers, list(applicant_prefs.values()), rank, capacities, longest + 1)
    n = len(workers)
    empty = (longest + 1) * n
    out: dict[J, list[W]] = {}
    for job, heap in held.items():
        prio = position_priorities[job]
        out[job] = [prio[key // n] for key in sorted(-x for x in heap if -x < empty)]
    return out


def _solve_dicts(
    workers: list[Any],
    prefs: list[Sequence[Any]],
    rank: dict[Any, dict[Any, int]],
    capacities: Mapping[Any, int],
    big: int,
) -> dict[Any, list[int]]:
    """Run the proposal loop; return per job a heap of negated keys rank*n+worker."""
    n = len(workers)
    # Empty seats are sentinel entries worse than any applicant, so every admission is one heapreplace.
    empty = big * n
    held = {job: [-empty] * cap for job, cap in capacities.items()}
    thr = {job: (big if cap else -1) for job, cap in capacities.items()}
    nxt = [0] * n
    for start in range(n):
        w = start
        k = 0
        while True:
            wk = workers[w]
            pl = prefs[w]
            for job in islice(pl, k, None) if k else pl:
                k += 1
                r = rank[job].get(wk, big)
                if r < thr[job]:
                    break
            else:
                break
            heap = held[job]
            out = -heapreplace(heap, -(r * n + w))
            nxt[w] = k
            thr[job] = -heap[0] // n
            if out >= empty:
                break
            w = out % n
            k = nxt[w]
    return held


def deferred_acceptance_arrays(
    pref_jobs: Sequence[Sequence[int]],
    pref_ranks: Sequence[Sequence[int]],
    capacities: Sequence[int],
) -> list[list[int]]:
    """Run deferred acceptance on integer-indexed applications; return workers per job order."""
    raise NotImplementedError


def solve_instance_json(data: dict[str, Any]) -> dict[str, Any]:
    """Solve a parsed JSON instance and return matching, unmatched workers and stats."""
    raise NotImplementedError
