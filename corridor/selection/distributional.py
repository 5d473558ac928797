"""Deferred acceptance with group caps, reserved seats and regional caps (docs/selection-engine.md)."""

# Inside a job order: hard ceilings per worker group (Abdulkadiroglu 2005) and soft reserves
# (Hafalir, Yenmez & Yildirim 2013). Across job orders: regional caps by flexible deferred
# acceptance (Kamada & Kojima 2015). Every choice rule is substitutable and obeys the law of
# aggregate demand, which keeps the procedure strategy-proof for workers and its outcome stable.

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, TypeVar

from corridor.selection.engine import (
    _check_capacities,
    _check_job_keys,
    _is_int,
    _job_side,
    _map_worker_prefs,
    _require_mapping,
)

__all__ = ["apportion", "deferred_acceptance_with_targets", "TargetRules"]

W = TypeVar("W", bound=Hashable)
J = TypeVar("J", bound=Hashable)
K = TypeVar("K", bound=Hashable)

Offer = tuple[int, Any]  # (rank at the job order, worker)


def apportion(total: int, weights: Mapping[K, int], bounds: Mapping[K, int] | None = None) -> dict[K, int]:
    """Split total over the keys in proportion to weights by largest remainders, never above bounds."""
    # Ties go to the earlier key and zero weights get nothing. If the bounds leave too little
    # room, the shares add up to less than total; callers that need all of it check.
    if not _is_int(total) or total < 0:
        raise ValueError(f"total to apportion must be a non-negative int, got {total!r}")
    keys = list(weights)
    weight_sum = sum(weights.values())
    cap = {k: (0 if not weights[k] else bounds[k] if bounds is not None else total) for k in keys}
    if weight_sum == 0:
        shares = dict.fromkeys(keys, 0)
        remainders = dict.fromkeys(keys, 0)
    else:
        shares = {k: min(total * weights[k] // weight_sum, cap[k]) for k in keys}
        remainders = {k: total * weights[k] % weight_sum for k in keys}
    left = total - sum(shares.values())
    order = sorted(range(len(keys)), key=lambda i: (-remainders[keys[i]], i))
    while left > 0:
        moved = False
        for i in order:
            k = keys[i]
            if left and shares[k] < cap[k]:
                shares[k] += 1
                left -= 1
                moved = True
        if not moved:
            break
    return shares


class TargetRules:
    """Per job order ceilings and reserves, and regional caps and targets, after validation."""

    def __init__(
        self,
        jobs: list[Any],
        capacities: Mapping[Any, int],
        workers: set[Any],
        groups: Mapping[Any, Hashable] | None,
        group_caps: Mapping[Hashable, int | Mapping[Any, int]] | None,
        reserves: Mapping[Hashable, int | Mapping[Any, int]] | None,
        regions: Mapping[Any, Hashable] | None,
        region_caps: Mapping[Hashable, int] | None,
        region_targets: Mapping[Any, int] | None,
    ) -> None:
        """Validate the targets against the instance and apportion programme-wide numbers."""
        self.capacities = capacities
        self.group_of: dict[Any, Hashable] = {}
        if groups is not None:
            _require_mapping("groups", groups)
            for worker, group in groups.items():
                if worker not in workers:
                    raise ValueError(f"groups names unknown worker {worker!r}")
                self.group_of[worker] = group
        self.ceilings: dict[Any, dict[Hashable, int]] = {job: {} for job in jobs}
        self.reserved: dict[Any, dict[Hashable, int]] = {job: {} for job in jobs}
        if group_caps is not None:
            _require_mapping("group_caps", group_caps)
            for group, value in group_caps.items():
                per_job = self._per_job("group_caps", group, value, capacities)
                for job, n in per_job.items():
                    self.ceilings[job][group] = n
        if reserves is not None:
            _require_mapping("reserves", reserves)
            for group, value in reserves.items():
                self._add_reserve(group, value, jobs)
        self.region_of: dict[Any, Hashable] = {}
        self.region_jobs: dict[Hashable, list[Any]] = {}
        self.region_cap: dict[Hashable, int] = {}
        self.target: dict[Any, int] = {}
        if regions is not None or region_caps is not None or region_targets is not None:
            self._set_regions(jobs, regions, region_caps, region_targets)

    def _per_job(self, name: str, group: Hashable, value: Any, bounds: Mapping[Any, int]) -> dict[Any, int]:
        """Return per job order numbers from an int (apportioned by capacity) or a mapping."""
        if _is_int(value):
            if value < 0:
                raise ValueError(f"{name} for group {group!r} is negative: {value!r}")
            return apportion(value, self.capacities, bounds)
        if isinstance(value, Mapping):
            out = {}
            for job, n in value.items():
                if job not in self.capacities:
                    raise ValueError(f"{name} for group {group!r} names unknown job order {job!r}")
                if not _is_int(n) or n < 0:
                    raise ValueError(
                        f"{name} for group {group!r} at job order {job!r} must be a non-negative int"
                    )
                out[job] = n
            return out
        raise ValueError(
            f"{name} for group {group!r} must be an int or a mapping, got {type(value).__name__}"
        )

    def _add_reserve(self, group: Hashable, value: Any, jobs: list[Any]) -> None:
        """Record the seats reserved for group, keeping each job order's reserves within its limits."""
        room = {
            job: min(
                self.capacities[job] - sum(self.reserved[job].values()),
                self.ceilings[job].get(group, self.capacities[job]),
            )
            for job in jobs
        }
        per_job = self._per_job("reserves", group, value, room)
        if _is_int(value) and sum(per_job.values()) < value:
            raise ValueError(
                f"reserves for group {group!r} ({value}) do not fit in the capacity left after other "
                f"reserves and this group's caps"
            )
        for job, n in per_job.items():
            if n > room[job]:
                raise ValueError(
                    f"reserves for group {group!r} at job order {job!r} ({n}) exceed its capacity left "
                    f"after other reserves or this group's cap there"
                )
            if n:
                self.reserved[job][group] = n

    def _set_regions(
        self,
        jobs: list[Any],
        regions: Mapping[Any, Hashable] | None,
        region_caps: Mapping[Hashable, int] | None,
        region_targets: Mapping[Any, int] | None,
    ) -> None:
        """Validate regions, caps and targets; apportion default targets by capacity."""
        if regions is None or region_caps is None:
            raise ValueError("regions and region_caps must be given together")
        _require_mapping("regions", regions)
        _require_mapping("region_caps", region_caps)
        for job, region in regions.items():
            if job not in self.capacities:
                raise ValueError(f"regions names unknown job order {job!r}")
            if region not in region_caps:
                raise ValueError(f"region {region!r} of job order {job!r} has no cap")
        for region, cap in region_caps.items():
            if not _is_int(cap) or cap < 0:
                raise ValueError(f"cap of region {region!r} must be a non-negative int, got {cap!r}")
        for job in jobs:  # capacities order fixes the turn order inside a region
            if job in regions:
                self.region_of[job] = regions[job]
                self.region_jobs.setdefault(regions[job], []).append(job)
        self.region_cap = dict(region_caps)
        if region_targets is not None:
            _require_mapping("region_targets", region_targets)
            for job, t in region_targets.items():
                if job not in self.region_of:
                    raise ValueError(f"region_targets names job order {job!r}, which is in no region")
                if not _is_int(t) or t < 0 or t > self.capacities[job]:
                    raise ValueError(f"target of job order {job!r} must be an int in 0..capacity, got {t!r}")
        for region, members in self.region_jobs.items():
            if region_targets is None:
                weights = {job: self.capacities[job] for job in members}
                targets = apportion(self.region_cap[region], weights, weights)
            else:
                targets = {job: region_targets.get(job, 0) for job in members}
            if sum(targets.values()) > self.region_cap[region]:
                raise ValueError(f"targets of region {region!r} add up to more than its cap")
            for job, t in targets.items():
                if t < sum(self.reserved[job].values()):
                    raise ValueError(f"target of job order {job!r} ({t}) is below the seats it reserves")
            self.target.update(targets)

    def job_order(self, job: Any, offers: list[Offer]) -> list[Offer]:
        """Return the offers job accepts, in the order it accepts them (reserves, then priority)."""
        cands = sorted(offers)
        cap = self.capacities[job]
        ceil = self.ceilings[job]
        reserved = self.reserved[job]
        if not ceil and not reserved:
            return cands[:cap]
        group_of = self.group_of
        order = cands
        if reserved:
            need = dict(reserved)
            front = []
            rest = []
            for offer in cands:
                g = group_of.get(offer[1], _NO_GROUP)
                if need.get(g, 0) > 0:
                    need[g] -= 1
                    front.append(offer)
                else:
                    rest.append(offer)
            order = front + rest
        taken: list[Offer] = []
        count: dict[Hashable, int] = {}
        for offer in order:
            if len(taken) == cap:
                break
            g = group_of.get(offer[1], _NO_GROUP)
            if g in ceil and count.get(g, 0) >= ceil[g]:
                continue
            count[g] = count.get(g, 0) + 1
            taken.append(offer)
        return taken

    def choose(self, unit: tuple[str, Any], offers: dict[Any, list[Offer]]) -> dict[Any, list[Offer]]:
        """Apply the choice rule of a unit: ("job", job order) or ("region", region)."""
        kind, key = unit
        if kind == "job":
            return {key: self.job_order(key, offers.get(key, []))}
        members = self.region_jobs[key]
        seqs = {job: self.job_order(job, offers.get(job, [])) for job in members}
        taken = self.allocate(key, {job: len(seq) for job, seq in seqs.items()})
        return {job: seqs[job][: taken[job]] for job in members}

    def allocate(self, region: Hashable, lengths: dict[Any, int]) -> dict[Any, int]:
        """Return how many of its picks each job order of region keeps under the regional cap."""
        # Targets first; the rest of the cap goes one worker at a time to the job orders in turn
        # (their order in capacities). Closed form: full rounds, then the first ones still wanting.
        members = self.region_jobs[region]
        base = {job: min(self.target[job], lengths[job]) for job in members}
        room = self.region_cap[region] - sum(base.values())
        extra = [lengths[job] - base[job] for job in members]
        if sum(extra) <= room:
            return dict(lengths)
        rounds = 0
        spent = 0
        levels = sorted(extra)
        wanting = len(levels)
        for i, level in enumerate(levels):
            wanting = len(levels) - i
            cost = (level - rounds) * wanting
            if spent + cost > room:
                break
            spent += cost
            rounds = level
        step = (room - spent) // wanting
        rounds += step
        spent += step * wanting
        left = room - spent
        taken = {}
        for job, more in zip(members, extra, strict=True):
            got = min(more, rounds)
            if left and more > rounds:
                got += 1
                left -= 1
            taken[job] = base[job] + got
        return taken

    def unit_of(self, job: Any) -> tuple[str, Any]:
        """Return the choosing unit of a job order: its region, or the job order itself."""
        if job in self.region_of:
            return ("region", self.region_of[job])
        return ("job", job)


class _Marker:
    """Sentinel for "no group"."""

    def __repr__(self) -> str:
        return "<no group>"


_NO_GROUP: Any = _Marker()


def deferred_acceptance_with_targets(
    applicant_prefs: Mapping[W, Sequence[J]],
    position_priorities: Mapping[J, Sequence[W]],
    capacities: Mapping[J, int],
    *,
    groups: Mapping[W, Hashable] | None = None,
    group_caps: Mapping[Hashable, int | Mapping[J, int]] | None = None,
    reserves: Mapping[Hashable, int | Mapping[J, int]] | None = None,
    regions: Mapping[J, Hashable] | None = None,
    region_caps: Mapping[Hashable, int] | None = None,
    region_targets: Mapping[J, int] | None = None,
) -> dict[J, list[W]]:
    """Return the worker-optimal outcome that respects group caps, reserves and regional caps."""
    # groups: worker -> one group label. group_caps, reserves: group -> int (programme-wide,
    # split over job orders by capacity) or job order -> int. regions: job order -> region, with
    # caps in region_caps; region_targets defaults to each cap split by capacity.
    _require_mapping("applicant_prefs", applicant_prefs)
    _require_mapping("position_priorities", position_priorities)
    _require_mapping("capacities", capacities)
    _check_job_keys(position_priorities, capacities)
    _check_capacities(capacities)
    jobs = list(capacities)
    workers = list(applicant_prefs)
    _map_worker_prefs(applicant_prefs, list(applicant_prefs.values()), dict.fromkeys(jobs, 0))
    lists, rank_tables = _job_side(position_priorities, jobs, set(workers))
    rank: dict[Any, dict[Any, int]] = dict(zip(jobs, rank_tables, strict=True))
    rules = TargetRules(
        jobs, capacities, set(workers), groups, group_caps, reserves, regions, region_caps, region_targets
    )
    # held[job]: the offers job holds, in the order its rule picked them.
    held: dict[Any, list[Offer]] = {job: [] for job in jobs}
    load = dict.fromkeys(rules.region_jobs, 0)
    # over[region][i]: picks of the region's i-th job order beyond its target.
    over = {region: [0] * len(members) for region, members in rules.region_jobs.items()}
    slot = {job: i for members in rules.region_jobs.values() for i, job in enumerate(members)}
    next_choice = dict.fromkeys(workers, 0)
    free = workers[::-1]
    while free:
        w = free.pop()
        prefs = applicant_prefs[w]
        while next_choice[w] < len(prefs):
            job = prefs[next_choice[w]]
            next_choice[w] += 1
            r = rank[job].get(w)
            if r is None:
                continue
            picked = rules.job_order(job, [*held[job], (r, w)])
            kept = {x for _, x in picked}
            free.extend(x for _, x in held[job] if x not in kept)
            region = rules.region_of.get(job, _NO_GROUP)
            if region is not _NO_GROUP:
                load[region] += len(picked) - len(held[job])
                over[region][slot[job]] = max(0, len(picked) - rules.target[job])
            held[job] = picked
            if region is not _NO_GROUP and load[region] > rules.region_cap[region]:
                # One pick too many: the seat the turns would hand out last is the last pick of
                # the last job order (in turn order) with the most picks beyond its target.
                extra = over[region]
                top = max(extra)
                i = len(extra) - 1 - extra[::-1].index(top)
                loser = rules.region_jobs[region][i]
                _, x = held[loser].pop()
                extra[i] -= 1
                load[region] -= 1
                kept.discard(x)
                if x != w:
                    free.append(x)
            if w in kept:
                break
    return {job: [x for _, x in sorted(offers)] for job, offers in held.items()}
