"""Tests for deferred acceptance with group caps, reserves and regional caps."""

from __future__ import annotations

import itertools
import random
from collections.abc import Hashable
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from corridor.selection.distributional import TargetRules, apportion, deferred_acceptance_with_targets
from corridor.selection.engine import deferred_acceptance
from corridor.selection.tests.test_engine import Instance, assignment, instances, prefers

PROPERTY = settings(
    deadline=None, derandomize=True, max_examples=120, suppress_health_check=[HealthCheck.too_slow]
)
GROUPS = ["north", "south", ("east", 1)]


@st.composite
def crowded(draw: st.DrawFn, max_workers: int, max_jobs: int) -> Instance:
    """Draw an instance where most workers want most job orders, so targets bind often."""
    n = draw(st.integers(2, max_workers))
    m = draw(st.integers(1, max_jobs))
    workers = [f"w{i}" for i in range(n)]
    jobs = [f"J{i}" for i in range(m)]
    prefs = {w: list(draw(st.permutations(jobs)))[: draw(st.integers(max(1, m - 1), m))] for w in workers}
    prios = {j: list(draw(st.permutations(workers)))[: draw(st.integers(n - 1, n))] for j in jobs}
    caps = {j: draw(st.integers(0, 2)) for j in jobs}
    return prefs, prios, caps


@st.composite
def targeted(draw: st.DrawFn, max_workers: int = 6, max_jobs: int = 4) -> tuple[Instance, dict[str, Any]]:
    """Draw a small instance and a set of targets for it (validation may still reject some)."""
    if draw(st.integers(0, 3)):
        inst = draw(crowded(max_workers, max_jobs))
    else:
        inst = draw(instances(max_workers=max_workers, max_jobs=max_jobs))
    prefs, _, caps = inst
    jobs = list(caps)
    groups = {w: draw(st.sampled_from([*GROUPS, GROUPS[0], None])) for w in prefs}
    groups = {w: g for w, g in groups.items() if g is not None}
    per_job = draw(st.booleans())
    group_caps: dict[Hashable, Any] = {}
    reserves: dict[Hashable, Any] = {}
    for g in draw(st.lists(st.sampled_from(GROUPS), unique=True, max_size=2)):
        if per_job:
            group_caps[g] = {j: draw(st.integers(0, 2)) for j in jobs if draw(st.booleans())}
        else:
            group_caps[g] = draw(st.integers(0, 3))
    for g in draw(st.lists(st.sampled_from(GROUPS), unique=True, max_size=2)):
        if per_job:
            reserves[g] = {j: draw(st.integers(0, 1)) for j in jobs if draw(st.booleans())}
        else:
            reserves[g] = draw(st.integers(0, 2))
    targets: dict[str, Any] = {"groups": groups, "group_caps": group_caps, "reserves": reserves}
    if draw(st.booleans()):
        regions = {j: draw(st.sampled_from(["R1", "R2"])) for j in jobs if draw(st.integers(0, 3))}
        targets["regions"] = regions
        targets["region_caps"] = {r: draw(st.integers(0, 4)) for r in ["R1", "R2"]}
    return inst, targets


def make_rules(inst: Instance, targets: dict[str, Any]) -> TargetRules:
    """Build the validated rules the way deferred_acceptance_with_targets does."""
    prefs, _, caps = inst
    return TargetRules(
        list(caps),
        caps,
        set(prefs),
        targets.get("groups"),
        targets.get("group_caps"),
        targets.get("reserves"),
        targets.get("regions"),
        targets.get("region_caps"),
        targets.get("region_targets"),
    )


def solve(inst: Instance, targets: dict[str, Any]) -> dict[Any, list[Any]]:
    """Run the mechanism, skipping target draws that the validation rejects."""
    try:
        return deferred_acceptance_with_targets(*inst, **targets)
    except ValueError:
        assume(False)
        raise


def unit_offers(
    rules: TargetRules, inst: Instance, matching: dict[Any, list[Any]], unit: Any
) -> dict[Any, list]:
    """Return the offers a unit holds in a matching, as job order -> [(rank, worker)]."""
    prios = inst[1]
    return {j: [(prios[j].index(w), w) for w in ws] for j, ws in matching.items() if rules.unit_of(j) == unit}


def chosen_workers(chosen: dict[Any, list]) -> set[Any]:
    """Return the workers in a choice."""
    return {w for offers in chosen.values() for _, w in offers}


# --- worked examples ----------------------------------------------------------------------------


def test_reserve_goes_to_the_best_ranked_member_of_the_group() -> None:
    """Minority reserve: one of two seats is kept for group F's best-ranked applicant."""
    prefs = {"m1": ["A"], "m2": ["A"], "f1": ["A"], "f2": ["A"]}
    prios = {"A": ["m1", "m2", "f1", "f2"]}
    groups = {"m1": "M", "m2": "M", "f1": "F", "f2": "F"}
    assert deferred_acceptance_with_targets(prefs, prios, {"A": 2}, groups=groups, reserves={"F": 1}) == {
        "A": ["m1", "f1"]
    }


def test_unused_reserve_is_open_to_everyone() -> None:
    """Soft reserve: with no applicant from the group, the seat goes by priority."""
    prefs = {"m1": ["A"], "m2": ["A"]}
    groups = {"m1": "M", "m2": "M"}
    out = deferred_acceptance_with_targets(
        prefs, {"A": ["m2", "m1"]}, {"A": 2}, groups=groups, reserves={"F": 1}
    )
    assert out == {"A": ["m2", "m1"]}


def test_cap_is_hard() -> None:
    """Hard cap: a seat stays empty rather than take a third worker from a capped group."""
    prefs = {"n1": ["A"], "n2": ["A"], "n3": ["A"], "s1": ["A"]}
    prios = {"A": ["n1", "n2", "n3", "s1"]}
    groups = {"n1": "N", "n2": "N", "n3": "N", "s1": "S"}
    out = deferred_acceptance_with_targets(prefs, prios, {"A": 4}, groups=groups, group_caps={"N": {"A": 2}})
    assert out == {"A": ["n1", "n2", "s1"]}


def test_programme_cap_is_apportioned_by_capacity() -> None:
    """A programme-wide cap of 3 over capacities 4 and 2 becomes per job order ceilings 2 and 1."""
    prefs = {f"n{i}": ["A", "B"] for i in range(6)}
    prios = {"A": list(prefs), "B": list(prefs)}
    groups = dict.fromkeys(prefs, "N")
    out = deferred_acceptance_with_targets(prefs, prios, {"A": 4, "B": 2}, groups=groups, group_caps={"N": 3})
    assert out == {"A": ["n0", "n1"], "B": ["n2"]}


def test_flexible_regional_cap() -> None:
    """Kamada-Kojima: targets first, then turns; an idle job order's share goes to the other."""
    prefs = {"a1": ["A"], "a2": ["A"], "a3": ["A"], "b1": ["B"]}
    prios = {"A": ["a1", "a2", "a3"], "B": ["b1"]}
    caps = {"A": 3, "B": 3}
    regions = {"A": "R", "B": "R"}
    out = deferred_acceptance_with_targets(prefs, prios, caps, regions=regions, region_caps={"R": 3})
    # Targets 2 and 1 (the cap 3 apportioned 3:3, remainder to the first job order).
    assert out == {"A": ["a1", "a2"], "B": ["b1"]}
    out = deferred_acceptance_with_targets(
        {**prefs, "b1": []}, prios, caps, regions=regions, region_caps={"R": 3}
    )
    assert out == {"A": ["a1", "a2", "a3"], "B": []}


def test_apportion_largest_remainder_and_bounds() -> None:
    """Largest remainders, ties to the earlier key, bounds respected."""
    assert apportion(10, {"a": 5, "b": 5, "c": 1}) == {"a": 5, "b": 4, "c": 1}
    assert apportion(7, {"a": 1, "b": 1}, {"a": 2, "b": 10}) == {"a": 2, "b": 5}
    assert apportion(5, {"a": 1, "b": 1}, {"a": 1, "b": 1}) == {"a": 1, "b": 1}
    assert apportion(3, {"a": 0, "b": 0}) == {"a": 0, "b": 0}
    with pytest.raises(ValueError):
        apportion(-1, {"a": 1})


@given(
    total=st.integers(0, 50),
    weights=st.lists(st.integers(0, 20), min_size=1, max_size=6),
    slack=st.lists(st.integers(0, 30), min_size=6, max_size=6),
)
@PROPERTY
def test_apportion_properties(total: int, weights: list[int], slack: list[int]) -> None:
    """Shares never exceed bounds, zero weights get nothing, and shares add up to total when room allows."""
    w = dict(enumerate(weights))
    bounds = {k: slack[k] for k in w}
    shares = apportion(total, w, bounds)
    assert all(0 <= shares[k] <= bounds[k] for k in w)
    assert all(shares[k] == 0 for k in w if not w[k])
    assert sum(shares.values()) == min(total, sum(bounds[k] for k in w if w[k]))


# --- properties of the mechanism ------------------------------------------------------------------


@PROPERTY
@given(inst=instances())
def test_without_targets_it_is_plain_deferred_acceptance(inst: Instance) -> None:
    """With no targets the mechanism is the engine's deferred acceptance."""
    assert deferred_acceptance_with_targets(*inst) == deferred_acceptance(*inst)


@PROPERTY
@given(case=targeted())
def test_caps_capacities_and_regions_are_respected(case: tuple[Instance, dict[str, Any]]) -> None:
    """No job order, group cap (per job order or programme-wide) or regional cap is exceeded."""
    inst, targets = case
    prefs, prios, caps = inst
    out = solve(inst, targets)
    rules = make_rules(inst, targets)
    groups = targets["groups"]
    for j, ws in out.items():
        assert len(ws) <= caps[j]
        assert all(j in prefs[w] and w in prios[j] for w in ws)
        for g, ceiling in rules.ceilings[j].items():
            assert sum(groups.get(w) == g for w in ws) <= ceiling
    for g, cap in targets["group_caps"].items():
        if isinstance(cap, int):
            assert sum(groups.get(w) == g for ws in out.values() for w in ws) <= cap
    for region, cap in targets.get("region_caps", {}).items():
        assert sum(len(ws) for j, ws in out.items() if targets["regions"].get(j) == region) <= cap


@PROPERTY
@given(case=targeted())
def test_reserves_are_filled_when_the_group_wants_them(case: tuple[Instance, dict[str, Any]]) -> None:
    """A reserve stays short only if no ranked member of the group would rather have that job order."""
    inst, targets = case
    prefs, prios, _ = inst
    out = solve(inst, targets)
    rules = make_rules(inst, targets)
    at = assignment(out)
    groups = targets["groups"]
    for j, reserved in rules.reserved.items():
        for g, n in reserved.items():
            if sum(groups.get(w) == g for w in out[j]) < n:
                wanting = [w for w in prios[j] if groups.get(w) == g and prefers(prefs[w], j, at.get(w))]
                assert wanting == [], (j, g)


@PROPERTY
@given(case=targeted())
def test_stable_with_respect_to_the_choice_rules(case: tuple[Instance, dict[str, Any]]) -> None:
    """Every unit would keep what it holds, and would turn away every worker who prefers it."""
    inst, targets = case
    prefs, prios, _ = inst
    out = solve(inst, targets)
    rules = make_rules(inst, targets)
    at = assignment(out)
    units = {rules.unit_of(j) for j in out}
    for unit in units:
        held = unit_offers(rules, inst, out, unit)
        assert chosen_workers(rules.choose(unit, held)) == chosen_workers(held)
    for w, plist in prefs.items():
        for j in plist:
            if w in prios[j] and prefers(plist, j, at.get(w)):
                unit = rules.unit_of(j)
                offers = unit_offers(rules, inst, out, unit)
                offers.setdefault(j, []).append((prios[j].index(w), w))
                chosen = rules.choose(unit, offers)
                assert all(x != w for _, x in chosen.get(j, [])), (w, j)


@st.composite
def choice_cases(draw: st.DrawFn) -> tuple[TargetRules, Any, list[tuple[Any, int, str]], list[bool]]:
    """Draw rules for one unit and an offer set, with a random subset of it."""
    (inst, targets) = draw(targeted(max_workers=8, max_jobs=3))
    try:
        rules = make_rules(inst, targets)
    except ValueError:
        assume(False)
        raise
    prefs, _, caps = inst
    jobs = list(caps)
    unit = rules.unit_of(draw(st.sampled_from(jobs)))
    members = [j for j in jobs if rules.unit_of(j) == unit]
    offers = []
    for w in prefs:
        j = draw(st.sampled_from([None, *members]))
        if j is not None:
            offers.append((j, draw(st.integers(0, 20)), w))
    ranks = [(j, r) for j, r, _ in offers]
    assume(len(set(ranks)) == len(ranks))
    keep = draw(st.lists(st.booleans(), min_size=len(offers), max_size=len(offers)))
    return rules, unit, offers, keep


def _choose(rules: TargetRules, unit: Any, offers: list[tuple[Any, int, str]]) -> set[tuple[Any, int, str]]:
    """Apply a unit's rule to (job, rank, worker) offers and return the chosen ones."""
    by_job: dict[Any, list] = {}
    for j, r, w in offers:
        by_job.setdefault(j, []).append((r, w))
    chosen = rules.choose(unit, by_job)
    return {(j, r, w) for j, lst in chosen.items() for r, w in lst}


@settings(deadline=None, derandomize=True, max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(case=choice_cases())
def test_choice_rules_are_substitutable_with_aggregate_demand(case: Any) -> None:
    """Dropping offers never gets a kept offer rejected, and never enlarges the choice."""
    rules, unit, offers, keep = case
    subset = [o for o, k in zip(offers, keep, strict=True) if k]
    big = _choose(rules, unit, offers)
    small = _choose(rules, unit, subset)
    assert big & set(subset) <= small
    assert len(small) <= len(big)


def _misreports(true_list: list[Any], jobs: list[Any]) -> list[list[Any]]:
    """Return truncations, adjacent swaps and all short reorderings of the job orders."""
    lies = [true_list[:k] for k in range(len(true_list))]
    for i in range(len(true_list) - 1):
        swapped = list(true_list)
        swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
        lies.append(swapped)
    for k in range(1, min(3, len(jobs)) + 1):
        lies.extend(list(p) for p in itertools.permutations(jobs, k))
    return lies


@settings(deadline=None, derandomize=True, max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(case=targeted(max_workers=5, max_jobs=3))
def test_misreporting_never_helps_under_targets(case: tuple[Instance, dict[str, Any]]) -> None:
    """Strategy-proofness spot check: no truncation, swap or short list helps any worker."""
    inst, targets = case
    prefs, prios, caps = inst
    truth = assignment(solve(inst, targets))
    for w, true_list in prefs.items():
        for lie in _misreports(true_list, list(caps)):
            got = assignment(deferred_acceptance_with_targets({**prefs, w: lie}, prios, caps, **targets)).get(
                w
            )
            assert not prefers(true_list, got, truth.get(w)), (w, lie)


@settings(deadline=None, derandomize=True, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(case=targeted(max_workers=5, max_jobs=3))
def test_worker_optimal_among_stable_outcomes(case: tuple[Instance, dict[str, Any]]) -> None:
    """Against brute force: every worker weakly prefers the outcome to any other stable outcome."""
    inst, targets = case
    prefs, prios, caps = inst
    out = assignment(solve(inst, targets))
    rules = make_rules(inst, targets)
    workers = list(prefs)
    options = [[None] + [j for j in prefs[w] if w in prios[j]] for w in workers]
    for choice in itertools.product(*options):
        matching: dict[Any, list[Any]] = {j: [] for j in caps}
        for w, j in zip(workers, choice, strict=True):
            if j is not None:
                matching[j].append(w)
        if _is_stable(rules, inst, matching):
            for w, j in zip(workers, choice, strict=True):
                assert not prefers(prefs[w], j, out.get(w)), (w, j)


def _is_stable(rules: TargetRules, inst: Instance, matching: dict[Any, list[Any]]) -> bool:
    """Return True if every unit keeps its workers and no worker-unit pair blocks."""
    prefs, prios, _ = inst
    at = assignment(matching)
    for unit in {rules.unit_of(j) for j in matching}:
        held = unit_offers(rules, inst, matching, unit)
        if chosen_workers(rules.choose(unit, held)) != chosen_workers(held):
            return False
    for w, plist in prefs.items():
        for j in plist:
            if w in prios[j] and prefers(plist, j, at.get(w)):
                unit = rules.unit_of(j)
                offers = unit_offers(rules, inst, matching, unit)
                offers.setdefault(j, []).append((prios[j].index(w), w))
                if any(x == w for _, x in rules.choose(unit, offers).get(j, [])):
                    return False
    return True


# --- seeded random cases where the targets bind often -----------------------------------------------


def random_case(rng: random.Random) -> tuple[Instance, dict[str, Any]]:
    """Return a crowded instance with valid targets; about a third of them change the outcome."""
    while True:
        n, m = rng.randint(3, 6), rng.randint(1, 3)
        workers = [f"w{i}" for i in range(n)]
        jobs = [f"J{i}" for i in range(m)]
        prefs = {w: rng.sample(jobs, m)[: rng.randint(max(1, m - 1), m)] for w in workers}
        prios = {j: rng.sample(workers, n)[: rng.randint(n - 1, n)] for j in jobs}
        caps = {j: rng.randint(0, 3) for j in jobs}
        targets: dict[str, Any] = {"groups": {w: rng.choice(["N", "N", "S", "E"]) for w in workers}}
        kind = rng.randrange(4)
        if kind in (0, 3):
            per_job = {j: rng.randint(0, 2) for j in jobs}
            targets["group_caps"] = {"N": rng.randint(0, 3) if rng.random() < 0.5 else per_job}
        if kind in (1, 3):
            per_job = {j: rng.randint(0, 1) for j in jobs}
            targets["reserves"] = {"S": rng.randint(0, 2) if rng.random() < 0.5 else per_job}
        if kind == 2 or rng.random() < 0.3:
            targets["regions"] = {j: "R" for j in jobs if rng.random() < 0.8}
            targets["region_caps"] = {"R": rng.randint(0, 4)}
        inst = (prefs, prios, caps)
        try:
            deferred_acceptance_with_targets(*inst, **targets)
        except ValueError:
            continue
        return inst, targets


def test_random_cases_respect_targets_and_are_stable() -> None:
    """Caps, regional caps, reserves and stability on 300 seeded crowded cases."""
    rng = random.Random(1)
    binding = 0
    for _ in range(300):
        inst, targets = random_case(rng)
        targets.setdefault("group_caps", {})
        out = deferred_acceptance_with_targets(*inst, **targets)
        binding += out != deferred_acceptance(*inst)
        rules = make_rules(inst, targets)
        groups = targets["groups"]
        for j, ws in out.items():
            assert len(ws) <= inst[2][j]
            for g, ceiling in rules.ceilings[j].items():
                assert sum(groups[w] == g for w in ws) <= ceiling
        for g, cap in targets["group_caps"].items():
            if isinstance(cap, int):
                assert sum(groups[w] == g for ws in out.values() for w in ws) <= cap
        for region, cap in targets.get("region_caps", {}).items():
            assert sum(len(ws) for j, ws in out.items() if targets["regions"].get(j) == region) <= cap
        assert _is_stable(rules, inst, out)
    assert binding > 60  # the cases exercise the targets, not just plain deferred acceptance


def test_random_cases_strategy_proof() -> None:
    """No misreport helps any worker on 120 seeded crowded cases."""
    rng = random.Random(2)
    for _ in range(120):
        (prefs, prios, caps), targets = random_case(rng)
        truth = assignment(deferred_acceptance_with_targets(prefs, prios, caps, **targets))
        for w, true_list in prefs.items():
            for lie in _misreports(true_list, list(caps)):
                out = deferred_acceptance_with_targets({**prefs, w: lie}, prios, caps, **targets)
                assert not prefers(true_list, assignment(out).get(w), truth.get(w)), (w, lie, targets)


def test_random_cases_worker_optimal() -> None:
    """Against brute force on 80 seeded crowded cases: no stable outcome is better for any worker."""
    rng = random.Random(3)
    for _ in range(80):
        inst, targets = random_case(rng)
        prefs, prios, caps = inst
        out = assignment(deferred_acceptance_with_targets(*inst, **targets))
        rules = make_rules(inst, targets)
        workers = list(prefs)
        options = [[None] + [j for j in prefs[w] if w in prios[j]] for w in workers]
        for choice in itertools.product(*options):
            matching: dict[Any, list[Any]] = {j: [] for j in caps}
            for w, j in zip(workers, choice, strict=True):
                if j is not None:
                    matching[j].append(w)
            if _is_stable(rules, inst, matching):
                for w, j in zip(workers, choice, strict=True):
                    assert not prefers(prefs[w], j, out.get(w)), (w, j, targets)


def reference_mechanism(inst: Instance, targets: dict[str, Any]) -> dict[Any, list[Any]]:
    """Deferred acceptance that re-applies each unit's whole choice rule on every proposal."""
    prefs, prios, caps = inst
    rules = make_rules(inst, targets)
    held: dict[Any, dict[Any, list]] = {}
    nxt = dict.fromkeys(prefs, 0)
    free = list(prefs)[::-1]
    while free:
        w = free.pop()
        while nxt[w] < len(prefs[w]):
            j = prefs[w][nxt[w]]
            nxt[w] += 1
            if w not in prios[j]:
                continue
            unit = rules.unit_of(j)
            offers = {k: list(v) for k, v in held.get(unit, {}).items()}
            offers.setdefault(j, []).append((prios[j].index(w), w))
            held[unit] = rules.choose(unit, offers)
            kept = chosen_workers(held[unit])
            free.extend(x for v in offers.values() for _, x in v if x not in kept and x != w)
            if w in kept:
                break
    out: dict[Any, list[Any]] = {j: [] for j in caps}
    for chosen in held.values():
        for j, offers in chosen.items():
            out[j] = [x for _, x in sorted(offers)]
    return out


def test_random_cases_match_the_reference_mechanism() -> None:
    """The incremental implementation equals re-running every choice rule from scratch."""
    rng = random.Random(4)
    for _ in range(400):
        inst, targets = random_case(rng)
        assert deferred_acceptance_with_targets(*inst, **targets) == reference_mechanism(inst, targets)


@PROPERTY
@given(
    lengths=st.lists(st.integers(0, 6), min_size=1, max_size=6),
    targets=st.lists(st.integers(0, 4), min_size=6, max_size=6),
    cap=st.integers(0, 20),
)
def test_regional_allocation_is_round_robin(lengths: list[int], targets: list[int], cap: int) -> None:
    """The closed-form allocation equals taking turns one worker at a time."""
    jobs = [f"J{i}" for i in range(len(lengths))]
    t = {j: min(targets[i], 6) for i, j in enumerate(jobs)}
    assume(sum(t.values()) <= cap)
    rules = TargetRules(
        jobs, dict.fromkeys(jobs, 6), set(), None, None, None, dict.fromkeys(jobs, "R"), {"R": cap}, t
    )
    want = dict(zip(jobs, lengths, strict=True))
    taken = {j: min(t[j], want[j]) for j in jobs}
    total = sum(taken.values())
    moved = True
    while total < cap and moved:
        moved = False
        for j in jobs:
            if total < cap and taken[j] < want[j]:
                taken[j] += 1
                total += 1
                moved = True
    assert rules.allocate("R", want) == taken


# --- validation -----------------------------------------------------------------------------------------


BASE = ({"w1": ["A", "B"], "w2": ["A"]}, {"A": ["w1", "w2"], "B": ["w1"]}, {"A": 2, "B": 1})


@pytest.mark.parametrize(
    ("targets", "needle"),
    [
        ({"groups": {"ghost": "N"}}, "'ghost'"),
        ({"groups": {"w1": "N"}, "reserves": {"N": 4}}, "'N'"),
        ({"groups": {"w1": "N"}, "reserves": {"N": {"A": 3}}}, "'A'"),
        ({"groups": {"w1": "N"}, "reserves": {"N": {"Z": 1}}}, "'Z'"),
        ({"group_caps": {"N": -1}}, "'N'"),
        ({"group_caps": {"N": "2"}}, "'N'"),
        ({"group_caps": {"N": {"A": 1}}, "reserves": {"N": {"A": 2}}}, "'A'"),
        ({"regions": {"A": "R"}}, "region_caps"),
        ({"regions": {"A": "R"}, "region_caps": {"S": 1}}, "'R'"),
        ({"regions": {"Z": "R"}, "region_caps": {"R": 1}}, "'Z'"),
        ({"regions": {"A": "R"}, "region_caps": {"R": -2}}, "'R'"),
        ({"regions": {"A": "R"}, "region_caps": {"R": 3}, "region_targets": {"A": 3}}, "'A'"),
        (
            {"regions": {"A": "R", "B": "R"}, "region_caps": {"R": 2}, "region_targets": {"A": 2, "B": 1}},
            "'R'",
        ),
        ({"regions": {"A": "R"}, "region_caps": {"R": 2}, "region_targets": {"B": 1}}, "'B'"),
        (
            {
                "groups": {"w1": "N"},
                "reserves": {"N": {"A": 1}},
                "regions": {"A": "R"},
                "region_caps": {"R": 0},
            },
            "'A'",
        ),
    ],
)
def test_invalid_targets_name_the_offender(targets: dict[str, Any], needle: str) -> None:
    """Inconsistent targets raise ValueError naming the offending group, job order or region."""
    with pytest.raises(ValueError) as info:
        deferred_acceptance_with_targets(*BASE, **targets)
    assert needle in str(info.value)


def test_base_instance_errors_still_apply() -> None:
    """The base instance is validated as in the engine."""
    with pytest.raises(ValueError, match="'Z'"):
        deferred_acceptance_with_targets({"w": ["Z"]}, {"A": []}, {"A": 1})
