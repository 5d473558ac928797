"""Worker-proposing deferred acceptance for many-to-one selection (see docs/selection-engine.md)."""

from __future__ import annotations

import ctypes
from array import array
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from heapq import heappush, heapreplace
from itertools import accumulate, chain, repeat
from typing import Any, TypeVar

import numpy as np

__all__ = [
    "deferred_acceptance",
    "deferred_acceptance_arrays",
    "solve_instance_json",
]

W = TypeVar("W", bound=Hashable)
J = TypeVar("J", bound=Hashable)

# Above this many preference entries the NumPy rounds win; below it plain rank dicts do.
_SMALL_INSTANCE = 400_000


def _is_int(value: object) -> bool:
    """Return True for ints that are not bools."""
    return isinstance(value, int) and not isinstance(value, bool)


def _first_duplicate(items: Sequence[Any]) -> Any:
    """Return the first item that occurs twice in items."""
    seen: set[Any] = set()
    for item in items:
        if item in seen:
            return item
        seen.add(item)
    raise AssertionError("no duplicate")  # pragma: no cover


def _require_mapping(name: str, arg: object) -> None:
    """Raise ValueError unless arg is a mapping."""
    if not isinstance(arg, Mapping):
        raise ValueError(f"{name} must be a mapping, got {type(arg).__name__}")


def _require_list(kind: str, owner: object, items: object) -> None:
    """Raise ValueError unless items is a list or tuple."""
    if not isinstance(items, (list, tuple)):
        raise ValueError(f"{kind} {owner!r} must map to a list, got {type(items).__name__}")


def _check_capacities(capacities: Mapping[Any, Any]) -> None:
    """Raise ValueError on a non-int or negative capacity."""
    for job, cap in capacities.items():
        if not _is_int(cap):
            raise ValueError(f"capacity of job order {job!r} must be an int, got {cap!r}")
        if cap < 0:
            raise ValueError(f"capacity of job order {job!r} is negative: {cap!r}")


def _check_job_keys(position_priorities: Mapping[Any, Any], capacities: Mapping[Any, Any]) -> None:
    """Raise ValueError unless both mappings have the same job orders."""
    if capacities.keys() == position_priorities.keys():
        return
    for job in capacities:
        if job not in position_priorities:
            raise ValueError(f"job order {job!r} has a capacity but no priority list")
    for job in position_priorities:
        if job not in capacities:
            raise ValueError(f"job order {job!r} has a priority list but no capacity")


def _map_worker_prefs(
    applicant_prefs: Mapping[Any, Sequence[Any]], prefs: list[Sequence[Any]], jidx: dict[Any, int]
) -> list[int]:
    """Validate the workers' lists and return them flattened as job-order indices."""
    if not all(map(isinstance, prefs, repeat((list, tuple)))):
        for worker, p in applicant_prefs.items():
            _require_list("worker", worker, p)
    try:
        flat = list(map(jidx.__getitem__, chain.from_iterable(prefs)))
    except (KeyError, TypeError):
        for worker, p in applicant_prefs.items():
            for job in p:
                try:
                    known = job in jidx
                except TypeError:
                    known = False
                if not known:
                    raise ValueError(f"worker {worker!r} lists unknown job order {job!r}") from None
        raise  # pragma: no cover
    # One small set per worker is the cheapest bulk duplicate test CPython offers.
    if list(map(len, map(set, prefs))) != list(map(len, prefs)):
        for worker, p in applicant_prefs.items():
            if len(set(p)) != len(p):
                raise ValueError(f"worker {worker!r} lists job order {_first_duplicate(p)!r} twice")
    return flat


def _job_side(
    position_priorities: Mapping[Any, Sequence[Any]], jobs: list[Any], known: set[Any]
) -> tuple[list[Sequence[Any]], list[dict[Any, int]]]:
    """Validate every priority list and build its rank dict."""
    if not all(map(isinstance, position_priorities.values(), repeat((list, tuple)))):
        for job in jobs:
            _require_list("job order", job, position_priorities[job])
    ranks = list(range(max(map(len, position_priorities.values()), default=0)))
    lists: list[Sequence[Any]] = []
    tables: list[dict[Any, int]] = []
    for job in jobs:
        prio = position_priorities[job]
        # One pass per list: issuperset touches every worker object, so what follows hits cache.
        try:
            all_known = known.issuperset(prio)
        except TypeError:
            all_known = False
        if not all_known:
            for worker in prio:
                try:
                    found = worker in known
                except TypeError:
                    found = False
                if not found:
                    raise ValueError(f"job order {job!r} lists unknown worker {worker!r}")
        table = dict(zip(prio, ranks, strict=False))
        if len(table) != len(prio):
            raise ValueError(f"job order {job!r} lists worker {_first_duplicate(prio)!r} twice")
        lists.append(prio)
        tables.append(table)
    return lists, tables


def deferred_acceptance(
    applicant_prefs: Mapping[W, Sequence[J]],
    position_priorities: Mapping[J, Sequence[W]],
    capacities: Mapping[J, int],
) -> dict[J, list[W]]:
    """Return the worker-optimal stable matching as job order -> workers in priority order."""
    _require_mapping("applicant_prefs", applicant_prefs)
    _require_mapping("position_priorities", position_priorities)
    _require_mapping("capacities", capacities)
    _check_job_keys(position_priorities, capacities)
    _check_capacities(capacities)
    jobs = list(capacities)
    workers = list(applicant_prefs)
    prefs = list(applicant_prefs.values())
    jidx = dict(zip(jobs, range(len(jobs)), strict=True))
    caps = [capacities[j] for j in jobs]
    lists_ok = all(map(isinstance, prefs, repeat((list, tuple))))
    if lists_ok and sum(map(len, prefs)) > _SMALL_INSTANCE:
        selected = _solve_vectorised(position_priorities, jobs, workers, prefs, jidx, caps)
        if selected is not None:
            return dict(zip(jobs, selected, strict=True))
        # Something is malformed: the checks below name the first offender, as on small input.
    flat = _map_worker_prefs(applicant_prefs, prefs, jidx)
    offsets = list(accumulate(map(len, prefs), initial=0))
    lists, tables = _job_side(position_priorities, jobs, set(workers))
    held = _propose_small(workers, flat, offsets, tables, caps)
    return {
        job: [prio[r] for r in sorted(map(abs, heap))]
        for job, prio, heap in zip(jobs, lists, held, strict=True)
    }


def _addresses(objects: Any) -> Any:
    """Return the addresses (CPython ids) held by a NumPy object array, as unsigned integers."""
    # An object array stores one PyObject pointer per cell; reading them does not touch objects.
    raw = ctypes.cast(objects.ctypes.data, ctypes.POINTER(ctypes.c_size_t))
    return np.ctypeslib.as_array(raw, shape=objects.shape).copy() if objects.size else np.zeros(0, np.uintp)


def _index_rows(index: dict[Any, int], rows: list[Sequence[Any]]) -> tuple[Any, Any] | None:
    """Return rows flattened as indices into index and their lengths; None if something is invalid."""
    # The same object as a key is found by address through a dense table (no hashing, no
    # random access into the objects); anything else, such as an equal string that is a
    # different object, is looked up in the dict, so the result always equals index[item].
    if not all(map(isinstance, rows, repeat((list, tuple)))):
        return None
    lens = np.fromiter(map(len, rows), np.int64, len(rows))
    items = np.fromiter(chain.from_iterable(rows), object, int(lens.sum()))
    found = np.full(items.size, -1, np.int64)
    keys = np.fromiter(index, object, len(index))
    if items.size and keys.size:
        key_at = _addresses(keys)
        item_at = _addresses(items)
        low = key_at.min()
        spread = key_at - low
        shift = 0
        bits = int(np.bitwise_or.reduce(spread))
        while shift < 16 and bits and not (bits >> shift) & 1:
            shift += 1
        width = (int(key_at.max() - low) >> shift) + 1
        values = np.fromiter(index.values(), np.int64, len(index))
        if width <= 8 * keys.size + (1 << 22):
            table = np.full(width, -1, np.int32 if keys.size < 1 << 31 else np.int64)
            table[spread >> np.uintp(shift)] = values
            near = (item_at >= low) & (item_at <= key_at.max())
            found[near] = table[(item_at[near] - low) >> np.uintp(shift)]
        else:
            order = np.argsort(key_at)
            at = np.searchsorted(key_at[order], item_at)
            np.minimum(at, keys.size - 1, out=at)
            found = values[order[at]]
        # A hit must be exactly a key's address, not just near it.
        exact = np.zeros(int(values.max()) + 1, np.uintp)
        exact[values] = key_at
        hit = found >= 0
        hit[hit] = exact[found[hit]] == item_at[hit]
        found[~hit] = -1
    missing = np.flatnonzero(found < 0)
    if missing.size:
        try:
            found[missing] = np.fromiter(map(index.__getitem__, items[missing]), np.int64, missing.size)
        except (KeyError, TypeError):
            return None
    return found, lens


def _has_adjacent_equal(sorted_keys: Any) -> bool:
    """Return True if a sorted array holds some value twice."""
    return bool(sorted_keys.size > 1 and (sorted_keys[1:] == sorted_keys[:-1]).any())


def _solve_vectorised(
    position_priorities: Mapping[Any, Sequence[Any]],
    jobs: list[Any],
    workers: list[Any],
    prefs: list[Sequence[Any]],
    jidx: dict[Any, int],
    caps: list[int],
) -> list[list[Any]] | None:
    """Solve a large instance with NumPy; return None when the input is malformed."""
    n = len(workers)
    m = len(jobs)
    lists = [position_priorities[j] for j in jobs]
    side = _index_rows(jidx, prefs)
    if side is None:
        return None
    pref_jobs, pref_lens = side
    side = _index_rows(dict(zip(workers, range(n), strict=True)), lists)
    if side is None:
        return None
    prio_workers, prio_lens = side
    # Every (job order, worker) pair as one int64 key on both sides. The priority side is
    # sorted with each entry's rank packed below its key; the worker side is in worker
    # order, so a stable sort by job order alone sorts it by key. A merge (searchsorted)
    # then gives each worker her rank in every job order she lists.
    longest = int(prio_lens.max()) + 1 if m else 1
    prio_start = np.zeros(m + 1, np.int64)
    np.cumsum(prio_lens, out=prio_start[1:])
    prio_owner = np.repeat(np.arange(m, dtype=np.int64), prio_lens)
    packed = (prio_owner * n + prio_workers) * longest
    packed += np.arange(packed.size, dtype=np.int64) - prio_start[prio_owner]
    del prio_owner, prio_workers
    packed.sort()
    prio_sorted = packed // longest
    prio_rank = packed - prio_sorted * longest
    del packed
    pref_keys = pref_jobs * n + np.repeat(np.arange(n, dtype=np.int64), pref_lens)
    if m <= 1 << 16:
        pref_order = np.argsort(pref_jobs.astype(np.uint16), kind="stable")
    else:
        pref_order = np.argsort(pref_keys)
    pref_sorted = pref_keys[pref_order]
    del pref_keys
    if _has_adjacent_equal(pref_sorted) or _has_adjacent_equal(prio_sorted):
        return None
    ranks = np.full(pref_sorted.size, -1, np.int64)
    if prio_sorted.size:
        at = np.searchsorted(prio_sorted, pref_sorted)
        np.minimum(at, prio_sorted.size - 1, out=at)
        hit = prio_sorted[at] == pref_sorted
        ranks[pref_order[hit]] = prio_rank[at[hit]]
    del prio_sorted, prio_rank, pref_order, pref_sorted
    # Keep only mutually acceptable pairs; a worker's entries stay in her order.
    acceptable = ranks >= 0
    kept = np.zeros(pref_jobs.size + 1, np.int64)
    np.cumsum(acceptable, out=kept[1:])
    pref_start = np.zeros(n + 1, np.int64)
    np.cumsum(pref_lens, out=pref_start[1:])
    cap_arr = np.array(list(map(min, caps, map(len, lists))), np.int64)
    held = _propose_rounds(pref_jobs[acceptable], ranks[acceptable], kept[pref_start], cap_arr)
    return [[workers[w] for w in ws] for ws in held]


def _propose_rounds(flat_jobs: Any, keys: Any, offsets: Any, caps: Any) -> list[list[int]]:
    """Run deferred acceptance in rounds on NumPy arrays; keys must be distinct within a job order."""
    # All free workers propose at once to their next job order. A proposal at or above the
    # job order's threshold (its worst key held, once full) is turned away at once; for the
    # job orders that received other proposals, held and new keys are sorted together and
    # the best `capacity` kept, in key order, in that job order's slots.
    m = caps.size
    top = np.iinfo(np.int64).max
    span = int(keys.max()) + 1 if keys.size else 1
    combine = span * max(m, 1) < 2**62
    slot_start = np.zeros(m + 1, np.int64)
    np.cumsum(caps, out=slot_start[1:])
    slot_key = np.full(int(slot_start[-1]), top, np.int64)
    slot_worker = np.full(int(slot_start[-1]), -1, np.int64)
    count = np.zeros(m, np.int64)
    thr = np.where(caps > 0, top, -1)
    ptr = offsets[:-1].copy()
    end = offsets[1:]
    free = np.flatnonzero(ptr < end)
    none = free[:0]
    while free.size:
        at = ptr[free]
        ptr[free] = at + 1
        job = flat_jobs[at]
        key = keys[at]
        ok = key < thr[job]
        turned = free[~ok]
        free = free[ok]
        if free.size:
            job = job[ok]
            key = key[ok]
            touched = np.unique(job)
            held = count[touched]
            total = int(held.sum())
            first = np.repeat(slot_start[touched] - (np.cumsum(held) - held), held)
            slots = first + np.arange(total, dtype=np.int64)
            cand_job = np.concatenate((np.repeat(touched, held), job))
            cand_key = np.concatenate((slot_key[slots], key))
            cand_worker = np.concatenate((slot_worker[slots], free))
            if combine:
                order = np.argsort(cand_job * span + cand_key)
            else:
                order = np.lexsort((cand_key, cand_job))
            cand_job = cand_job[order]
            cand_key = cand_key[order]
            cand_worker = cand_worker[order]
            group = np.searchsorted(cand_job, touched)
            size = np.diff(np.append(group, cand_job.size))
            place = np.arange(cand_job.size, dtype=np.int64) - np.repeat(group, size)
            keep = place < caps[cand_job]
            where = slot_start[cand_job[keep]] + place[keep]
            slot_key[where] = cand_key[keep]
            slot_worker[where] = cand_worker[keep]
            filled = np.minimum(size, caps[touched])
            count[touched] = filled
            full = touched[filled == caps[touched]]
            thr[full] = slot_key[slot_start[full + 1] - 1]
            turned = np.concatenate((turned, cand_worker[~keep]))
        else:
            free = none
        free = turned[ptr[turned] < end[turned]]
    out = slot_worker.tolist()
    return [out[s : s + c] for s, c in zip(slot_start.tolist(), count.tolist(), strict=False)]


def _propose_small(
    workers: list[Any],
    flat: list[int],
    offsets: list[int],
    rank: list[dict[Any, int]],
    caps: list[int],
) -> list[list[int]]:
    """Run the proposal loop with one rank dict per job order; return per job order a heap of negated ranks."""
    m = len(rank)
    longest = max(map(len, rank), default=0)
    neg_rank = [-r for r in range(longest + 1)]
    thr = [longest if c else -1 for c in caps]
    held: list[list[int]] = [[] for _ in range(m)]
    holder: list[dict[int, tuple[int, int, int]]] = [{} for _ in range(m)]
    for start in range(len(workers)):
        w = start
        a = offsets[start]
        e = offsets[start + 1]
        while True:
            wk = workers[w]
            for j in flat[a:e]:
                a += 1
                r = rank[j].get(wk, longest)
                if r < thr[j]:
                    break
            else:
                break
            heap = held[j]
            holder[j][r] = (w, a, e)
            if len(heap) < caps[j]:
                heappush(heap, neg_rank[r])
                if len(heap) == caps[j]:
                    thr[j] = -heap[0]
                break
            worst = -heapreplace(heap, neg_rank[r])
            thr[j] = -heap[0]
            w, a, e = holder[j].pop(worst)
    return held


def deferred_acceptance_arrays(
    pref_jobs: Sequence[Sequence[int]],
    pref_ranks: Sequence[Sequence[int]],
    capacities: Sequence[int],
) -> list[list[int]]:
    """Return, per job order index, the worker indices it selects, from ranked applications."""
    # pref_jobs[w]: job orders w applied to, best first; pref_ranks[w][k]: w's rank (lower is
    # better) in job order pref_jobs[w][k]. Only mutually acceptable pairs are listed; equal
    # ranks in a job order go to the lower worker index.
    n = len(pref_jobs)
    m = len(capacities)
    if len(pref_ranks) != n:
        raise ValueError(f"pref_ranks has {len(pref_ranks)} rows for {n} workers")
    for j, cap in enumerate(capacities):
        if not _is_int(cap):
            raise ValueError(f"capacity of job order {j!r} must be an int, got {cap!r}")
        if cap < 0:
            raise ValueError(f"capacity of job order {j!r} is negative: {cap!r}")
    lens = list(map(len, pref_jobs))
    if lens != list(map(len, pref_ranks)):
        for w, (pj, pr) in enumerate(zip(pref_jobs, pref_ranks, strict=True)):
            if len(pj) != len(pr):
                raise ValueError(f"worker {w!r} has {len(pj)} job orders but {len(pr)} ranks")
    flat_jobs = _int_array("job order index", pref_jobs, lambda v: 0 <= v < m)
    flat_ranks = _int_array("rank", pref_ranks, lambda v: v >= 0)
    if list(map(len, map(set, pref_jobs))) != lens:
        for w, pj in enumerate(pref_jobs):
            if len(set(pj)) != len(pj):
                raise ValueError(f"worker {w!r} lists job order {_first_duplicate(pj)!r} twice")
    offsets = list(accumulate(lens, initial=0))
    top = max(flat_ranks, default=0)
    if len(flat_jobs) > _SMALL_INSTANCE and (top + 1) * max(n, 1) < 2**62:
        jobs_arr = np.frombuffer(flat_jobs, np.int64)
        keys = np.frombuffer(flat_ranks, np.int64) * n + np.repeat(np.arange(n, dtype=np.int64), lens)
        per_job = np.bincount(jobs_arr, minlength=m).tolist()
        caps = np.array(list(map(min, capacities, per_job)), np.int64)
        return _propose_rounds(jobs_arr, keys, np.array(offsets, np.int64), caps)
    return _propose_ranked(flat_jobs, flat_ranks, offsets, list(capacities))


def _int_array(what: str, rows: Sequence[Sequence[Any]], ok: Callable[[int], bool]) -> array[int]:
    """Flatten rows into a machine-int array, raising ValueError on the first bad cell."""
    # An array hands out fresh ints, so the loop never chases the caller's scattered int objects.
    try:
        flat = array("q", chain.from_iterable(rows))
        if not flat or (ok(min(flat)) and ok(max(flat))):
            return flat
    except (TypeError, OverflowError):
        pass
    for w, row in enumerate(rows):
        for v in row:
            if not _is_int(v) or not ok(v):
                raise ValueError(f"worker {w!r} has invalid {what} {v!r}")
    raise AssertionError("unreachable")  # pragma: no cover


def _propose_ranked(
    flat_jobs: array[int], flat_ranks: array[int], offsets: list[int], caps: list[int]
) -> list[list[int]]:
    """Run the proposal loop with precomputed ranks; heap keys are rank * n + worker."""
    n = len(offsets) - 1
    m = len(caps)
    empty = (max(flat_ranks, default=0) + 1) * n
    thr = [empty if c else -1 for c in caps]
    held: list[list[int]] = [[] for _ in range(m)]
    resume = [0] * n
    for start in range(n):
        w = start
        a = offsets[start]
        e = offsets[start + 1]
        while True:
            for j, r in zip(flat_jobs[a:e], flat_ranks[a:e], strict=True):
                a += 1
                key = r * n + w
                if key < thr[j]:
                    break
            else:
                break
            heap = held[j]
            resume[w] = a
            if len(heap) < caps[j]:
                heappush(heap, -key)
                if len(heap) == caps[j]:
                    thr[j] = -heap[0]
                break
            out = -heapreplace(heap, -key)
            thr[j] = -heap[0]
            w = out % n
            a = resume[w]
            e = offsets[w + 1]
    return [[key % n for key in sorted(map(abs, heap))] for heap in held]


def _iter_strings(kind: str, owner: str, items: object) -> Iterator[str]:
    """Yield the strings of a JSON list, raising ValueError on anything else."""
    if not isinstance(items, list):
        raise ValueError(f"{kind} {owner!r} must map to a list of strings, got {type(items).__name__}")
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"{kind} {owner!r} lists {item!r}, which is not a string")
        yield item


def solve_instance_json(data: dict[str, Any]) -> dict[str, Any]:
    """Solve a parsed JSON instance and return matching, unmatched workers and stats."""
    if not isinstance(data, dict):
        raise ValueError(f"instance must be a JSON object, got {type(data).__name__}")
    expected = ("applicant_prefs", "position_priorities", "capacities")
    for key in expected:
        if key not in data:
            raise ValueError(f"instance is missing the key {key!r}")
    extra = sorted(set(data) - set(expected))
    if extra:
        raise ValueError(f"instance has unexpected key {extra[0]!r}")
    for key in expected:
        if not isinstance(data[key], dict):
            raise ValueError(f"{key!r} must be a JSON object, got {type(data[key]).__name__}")
    prefs = {w: list(_iter_strings("worker", w, p)) for w, p in data["applicant_prefs"].items()}
    prios = {j: list(_iter_strings("job order", j, p)) for j, p in data["position_priorities"].items()}
    caps = data["capacities"]
    matching = deferred_acceptance(prefs, prios, caps)
    placed = {w: j for j, ws in matching.items() for w in ws}
    unmatched = [w for w in prefs if w not in placed]
    by_choice = [0] * max(map(len, prefs.values()), default=0)
    for w, j in placed.items():
        by_choice[prefs[w].index(j)] += 1
    total = sum(caps.values())
    return {
        "matching": matching,
        "unmatched": unmatched,
        "stats": {
            "workers": len(prefs),
            "job_orders": len(caps),
            "positions": total,
            "matched": len(placed),
            "unmatched": len(unmatched),
            "vacancies": total - len(placed),
            "matched_by_choice": by_choice,
        },
    }
