"""Property tests of one selection round as `assign.solve` computes it: stability under the priorities built from tier,
points and lottery, individual rationality, capacities, non-wastefulness, worker-optimality against brute force,
misreporting never helps, reserves and caps, and the statuses and summary built from the outcome. Random instances
from fixed seeds (plain `random`: the figures are reproducible)."""

import itertools
import math
import random

import numpy as np
import pytest

from corridor.selection import assign
from corridor.selection.assign import RoundInput

POINTS = (0.0, 1.5, 2.0, 2.25, 7.0)  # few values: many ties on points, broken by the lottery


def instance(rng: random.Random, n: int, m: int, *, p_eligible=0.8, min_cap=0, max_cap=3, groups=False, full_lists=(),
             tiers=(1, 2, 3, 4, 4, 4), points=POINTS) -> RoundInput:
    """A random round: `n` workers each ranking a random subset of `m` job orders (workers in `full_lists` rank
    them all, eligible everywhere)."""
    lottery = rng.sample(range(10**6), n)
    capacities = [rng.randint(min_cap, max_cap) for _ in range(m)]
    pw, pj, ok, tier, pts = [], [], [], [], []
    for w in range(n):
        if w in full_lists:
            jobs = rng.sample(range(m), m)
        else:
            jobs = rng.sample(range(m), rng.randint(0, m))
        for j in jobs:
            pw.append(w)
            pj.append(j)
            ok.append(w in full_lists or rng.random() < p_eligible)
            tier.append(rng.choice(tiers))
            pts.append(rng.choice(points))
    inp = RoundInput(workers=[f"W{w}" for w in range(n)], lottery=lottery, jobs=[f"J{j}" for j in range(m)],
                     capacities=capacities, pair_worker=pw, pair_job=pj, pair_eligible=ok, pair_tier=tier, pair_points=pts)
    if groups:
        inp.groups = [rng.choice("FM") for _ in range(n)]
    return inp


def pairs_of(inp: RoundInput, w: int) -> list[int]:
    """The worker's pairs, in her order of preference."""
    return [p for p, x in enumerate(inp.pair_worker) if x == w]


def key(inp: RoundInput, pair: int):
    return assign.priority_of(inp, pair)


def assignment(result) -> list[int]:
    return [int(p) for p in result.matched_pair]


def pref_index(inp: RoundInput, w: int, pair: int) -> float:
    """Lower is better; unmatched is worst."""
    return math.inf if pair < 0 else pairs_of(inp, w).index(pair)


def blocking_pairs(inp: RoundInput, matched: list[int]) -> list[tuple[int, int]]:
    """Eligible pairs (worker, job) where the worker prefers the job to her place and the job has a free position
    or holds somebody of lower priority: empty when the matching is stable and non-wasteful."""
    holders: dict[int, list[int]] = {j: [] for j in range(len(inp.jobs))}
    for pair in matched:
        if pair >= 0:
            holders[inp.pair_job[pair]].append(pair)
    found = []
    for w in range(len(inp.workers)):
        mine = matched[w]
        for pair in pairs_of(inp, w):
            if pair == mine:
                break
            if not inp.pair_eligible[pair]:
                continue
            j = inp.pair_job[pair]
            held = holders[j]
            if len(held) < inp.capacities[j] or any(key(inp, h) > key(inp, pair) for h in held):
                found.append((w, j))
    return found


def check_basic(inp: RoundInput, result) -> list[int]:
    """Individual rationality, capacities, and a result consistent with itself; returns the assignment."""
    matched = assignment(result)
    per_job = [0] * len(inp.jobs)
    for w, pair in enumerate(matched):
        if pair >= 0:
            assert inp.pair_worker[pair] == w
            assert inp.pair_eligible[pair], "an ineligible pair was matched"
            per_job[inp.pair_job[pair]] += 1
    for j, members in enumerate(result.selected):
        assert len(members) == per_job[j] <= inp.capacities[j]
        assert all(inp.pair_job[matched[w]] == j for w in members)
        assert [key(inp, matched[w]) for w in members] == sorted(key(inp, matched[w]) for w in members)
        if len(members) == inp.capacities[j] and members:
            assert result.cutoff_pair[j] == matched[members[-1]]
            assert key(inp, result.cutoff_pair[j]) == max(key(inp, matched[w]) for w in members)
        else:
            assert result.cutoff_pair[j] == -1
    # Ranks: each eligible pair's place at its job order, in priority order; -1 for the ineligible.
    for j in range(len(inp.jobs)):
        mine = [p for p in range(len(inp.pair_job)) if inp.pair_job[p] == j and inp.pair_eligible[p]]
        assert sorted(result.ranks[p] for p in mine) == list(range(len(mine)))
        assert sorted(mine, key=lambda p: result.ranks[p]) == sorted(mine, key=lambda p: key(inp, p))
    assert all(result.ranks[p] == -1 for p, ok in enumerate(inp.pair_eligible) if not ok)
    return matched


def stable_matchings(inp: RoundInput) -> list[list[int]]:
    """Every stable, non-wasteful matching of a tiny instance, by brute force."""
    options = [[-1] + [p for p in pairs_of(inp, w) if inp.pair_eligible[p]] for w in range(len(inp.workers))]
    found = []
    for combo in itertools.product(*options):
        load = [0] * len(inp.jobs)
        for pair in combo:
            if pair >= 0:
                load[inp.pair_job[pair]] += 1
        if any(x > c for x, c in zip(load, inp.capacities, strict=True)):
            continue
        if not blocking_pairs(inp, list(combo)):
            found.append(list(combo))
    return found


def replace_list(inp: RoundInput, w: int, pairs: list[int]) -> RoundInput:
    """The same round with worker `w` ranking only `pairs` (her own pairs, in the given order)."""
    order = []
    for x in range(len(inp.workers)):
        order.extend(pairs if x == w else pairs_of(inp, x))
    pick = lambda values: [values[p] for p in order]  # noqa: E731
    return RoundInput(workers=inp.workers, lottery=inp.lottery, jobs=inp.jobs, capacities=inp.capacities,
                      pair_worker=pick(inp.pair_worker), pair_job=pick(inp.pair_job),
                      pair_eligible=pick(inp.pair_eligible), pair_tier=pick(inp.pair_tier),
                      pair_points=pick(inp.pair_points), groups=inp.groups, reserves=inp.reserves, caps=inp.caps)


def obtained_job(inp: RoundInput, result, w: int) -> int:
    pair = int(result.matched_pair[w])
    return -1 if pair < 0 else inp.pair_job[pair]


def true_place(inp: RoundInput, w: int, job: int) -> float:
    """Where `job` stands in the worker's true list (lower is better); not obtaining anything is worst."""
    if job < 0:
        return math.inf
    return [inp.pair_job[p] for p in pairs_of(inp, w)].index(job)


# --- plain matching ----------------------------------------------------------------------------------------------


def test_stable_individually_rational_within_capacity_non_wasteful():
    rng = random.Random(20270301)
    for _ in range(300):
        inp = instance(rng, rng.randint(1, 12), rng.randint(1, 5))
        result = assign.solve(inp)
        matched = check_basic(inp, result)
        assert blocking_pairs(inp, matched) == [], (inp, matched)


def test_worker_optimal_against_brute_force():
    rng = random.Random(5)
    compared = 0
    for i in range(300):
        if i % 3 == 0:
            inp = instance(rng, rng.randint(1, 5), rng.randint(1, 3), max_cap=2)
        else:
            # Dense lists and priorities that differ from one job order to the next, so that several stable
            # matchings exist often enough (with common priorities the stable matching is unique).
            n = rng.randint(3, 5)
            inp = instance(rng, n, rng.randint(2, 3), min_cap=1, max_cap=2, tiers=(3, 4), points=tuple(range(20)),
                           full_lists=set(rng.sample(range(n), max(0, n - 1))))
        matched = assignment(assign.solve(inp))
        stable = stable_matchings(inp)
        assert matched in stable
        for other in stable:
            for w in range(len(inp.workers)):
                assert pref_index(inp, w, matched[w]) <= pref_index(inp, w, other[w]), (inp, matched, other)
        compared += len(stable) > 1
    assert compared > 10  # several stable matchings to choose from


def test_misreporting_never_helps():
    rng = random.Random(77)
    tried = 0
    for _ in range(150):
        inp = instance(rng, rng.randint(2, 7), rng.randint(2, 4), max_cap=2)
        truth = assign.solve(inp)
        for w in range(len(inp.workers)):
            mine = pairs_of(inp, w)
            honest = true_place(inp, w, obtained_job(inp, truth, w))
            lies = {tuple(mine[:k]) for k in range(len(mine))}  # truncations
            lies.update(tuple(rng.sample(mine, len(mine))) for _ in range(3))  # reorderings
            lies.update(tuple(rng.sample(mine, rng.randint(0, len(mine)))) for _ in range(3))  # both
            for lie in lies:
                got = obtained_job(replace_list(inp, w, list(lie)), assign.solve(replace_list(inp, w, list(lie))), w)
                assert true_place(inp, w, got) >= honest, (inp, w, lie)
                tried += 1
    assert tried > 1000


def test_ineligible_pairs_are_never_matched_even_when_they_would_win():
    # W0 has the best priority everywhere, but is not eligible for her first choice.
    inp = RoundInput(workers=["W0", "W1"], lottery=[1, 2], jobs=["A", "B"], capacities=[1, 1],
                     pair_worker=[0, 0, 1], pair_job=[0, 1, 0], pair_eligible=[False, True, True],
                     pair_tier=[1, 1, 4], pair_points=[99.0, 99.0, 0.0])
    result = assign.solve(inp)
    assert assignment(result) == [1, 2]
    assert result.selected == [[1], [0]]
    assert assign.statuses(inp, result) == [assign.INELIGIBLE, assign.SELECTED, assign.SELECTED]


def test_priority_is_tier_then_points_then_lottery():
    def winner(tiers, points, lottery):
        inp = RoundInput(workers=["a", "b"], lottery=lottery, jobs=["J"], capacities=[1], pair_worker=[0, 1],
                         pair_job=[0, 0], pair_eligible=[True, True], pair_tier=tiers, pair_points=points)
        return assign.solve(inp).selected[0]

    assert winner([2, 1], [50.0, 0.0], [1, 2]) == [1]  # tier first, whatever the points
    assert winner([4, 4], [3.0, 3.01], [1, 2]) == [1]  # then points (to the hundredth)
    assert winner([4, 4], [3.0, 3.0], [9, 2]) == [1]  # then the lower lottery number
    assert winner([4, 4], [0.1 + 0.2, 0.3], [5, 4]) == [1]  # float noise is no difference in points


def test_zero_capacities_empty_lists_and_no_pairs():
    inp = RoundInput(workers=["a", "b"], lottery=[1, 2], jobs=["J", "K"], capacities=[0, 1], pair_worker=[0],
                     pair_job=[0], pair_eligible=[True], pair_tier=[4], pair_points=[0.0])
    result = assign.solve(inp)
    assert assignment(result) == [-1, -1]
    assert result.selected == [[], []]
    assert result.cutoff_pair == [-1, -1]  # a job order of no positions admits nobody: no cutoff
    assert assign.statuses(inp, result) == [assign.NOT_SELECTED]
    empty = RoundInput(workers=[], lottery=[], jobs=["J"], capacities=[2], pair_worker=[], pair_job=[],
                       pair_eligible=[], pair_tier=[], pair_points=[])
    assert assign.solve(empty).selected == [[]]


@pytest.mark.parametrize(("change", "message"), [
    ({"lottery": [1]}, "lottery has 1 numbers for 2 workers"),
    ({"capacities": [1]}, "capacities has 1 entries for 2 job orders"),
    ({"pair_tier": [4]}, "pair_tier has 1 entries for 2 pairs"),
    ({"pair_eligible": [True, True, True]}, "pair_eligible has 3 entries for 2 pairs"),
    ({"groups": ["F"]}, "groups has 1 entries for 2 workers"),
    ({"capacities": [1, -1]}, "capacity of job order 'K' is negative: -1"),
    ({"pair_worker": [1, 0]}, "pairs must be grouped by worker"),
])
def test_inconsistent_input_is_refused_naming_the_fault(change, message):
    data = dict(workers=["a", "b"], lottery=[1, 2], jobs=["J", "K"], capacities=[1, 1], pair_worker=[0, 1],
                pair_job=[0, 0], pair_eligible=[True, True], pair_tier=[4, 4], pair_points=[0.0, 0.0])
    with pytest.raises(ValueError, match=message):
        assign.solve(RoundInput(**{**data, **change}))


# --- reserves and caps -------------------------------------------------------------------------------------------


def count_group(inp: RoundInput, matched: list[int], group: str) -> int:
    return sum(1 for w, pair in enumerate(matched) if pair >= 0 and inp.groups[w] == group)


def test_caps_never_exceeded_over_the_round():
    rng = random.Random(31)
    binding = 0
    for _ in range(300):
        inp = instance(rng, rng.randint(1, 12), rng.randint(1, 4), groups=True)
        total = sum(inp.capacities)
        cap = rng.randint(0, total + 1)
        inp.caps = {"M": cap}
        result = assign.solve(inp)
        matched = check_basic(inp, result)
        assert count_group(inp, matched, "M") <= cap
        # Without the cap, more M workers would have been selected: the cap did bind in some instances.
        plain = assign.solve(RoundInput(**{**inp.__dict__, "caps": {}}))
        binding += count_group(inp, assignment(plain), "M") > cap
    assert binding > 10


def test_reserves_honoured_when_enough_eligible_applicants_of_the_group():
    rng = random.Random(41)
    binding = 0
    for _ in range(300):
        n, m = rng.randint(2, 12), rng.randint(1, 4)
        groups = [rng.choice("FM") for _ in range(n)]
        women = [w for w in range(n) if groups[w] == "F"]
        inp = instance(rng, n, m, full_lists=set(women))
        inp.groups = groups
        total = sum(inp.capacities)
        reserve = rng.randint(0, total)
        inp.reserves = {"F": reserve}
        result = assign.solve(inp)
        matched = check_basic(inp, result)
        assert count_group(inp, matched, "F") >= min(reserve, len(women)), (inp, matched)
        # Reserves are soft: no position is left empty while somebody eligible wanted it.
        holders = [sum(1 for p in matched if p >= 0 and inp.pair_job[p] == j) for j in range(m)]
        for w in range(n):
            for pair in pairs_of(inp, w):
                if pair == matched[w]:
                    break
                if inp.pair_eligible[pair]:
                    assert holders[inp.pair_job[pair]] == inp.capacities[inp.pair_job[pair]]
        plain = assign.solve(RoundInput(**{**inp.__dict__, "reserves": {}}))
        binding += count_group(inp, assignment(plain), "F") < min(reserve, len(women))
    assert binding > 10


def test_reserve_and_cap_together_and_misreporting_spot_checks():
    rng = random.Random(43)
    for _ in range(120):
        inp = instance(rng, rng.randint(2, 8), rng.randint(1, 3), groups=True, max_cap=2)
        total = sum(inp.capacities)
        inp.reserves = {"F": rng.randint(0, total)}
        inp.caps = {"M": rng.randint(0, total)}
        truth = assign.solve(inp)
        matched = check_basic(inp, truth)
        assert count_group(inp, matched, "M") <= inp.caps["M"]
        for w in range(len(inp.workers)):
            mine = pairs_of(inp, w)
            honest = true_place(inp, w, obtained_job(inp, truth, w))
            for lie in {tuple(mine[:k]) for k in range(len(mine))} | {tuple(rng.sample(mine, len(mine)))}:
                changed = replace_list(inp, w, list(lie))
                assert true_place(inp, w, obtained_job(changed, assign.solve(changed), w)) >= honest


def test_reserve_zero_and_no_targets_give_the_plain_outcome():
    rng = random.Random(47)
    for _ in range(100):
        inp = instance(rng, rng.randint(1, 10), rng.randint(1, 4), groups=True)
        plain = assignment(assign.solve(inp))
        inp.reserves = {"F": 0}
        inp.caps = {"M": sum(inp.capacities)}
        assert assignment(assign.solve(inp)) == plain


# --- statuses and summary ----------------------------------------------------------------------------------------


def test_statuses_consistent_with_the_matching():
    rng = random.Random(53)
    for _ in range(200):
        inp = instance(rng, rng.randint(1, 10), rng.randint(1, 4))
        result = assign.solve(inp)
        statuses = assign.statuses(inp, result)
        assert len(statuses) == len(inp.pair_worker)
        for w in range(len(inp.workers)):
            mine = pairs_of(inp, w)
            got = int(result.matched_pair[w])
            seen_selected = False
            for pair in mine:
                status = statuses[pair]
                if not inp.pair_eligible[pair]:
                    assert status == assign.INELIGIBLE
                elif pair == got:
                    assert status == assign.SELECTED
                    seen_selected = True
                elif seen_selected:
                    assert status == assign.NOT_REACHED
                else:
                    assert status == assign.NOT_SELECTED
                    # Not obtained although ranked higher: the job order was full of workers of higher priority.
                    j = inp.pair_job[pair]
                    cut = result.cutoff_pair[j]
                    assert (cut >= 0 and key(inp, cut) < key(inp, pair)) or inp.capacities[j] == 0
            assert seen_selected == (got >= 0)
            assert sum(statuses[p] == assign.SELECTED for p in mine) == (1 if got >= 0 else 0)


def test_summary_figures_add_up():
    rng = random.Random(59)
    for _ in range(200):
        n = rng.randint(1, 12)
        inp = instance(rng, n, rng.randint(1, 4))
        result = assign.solve(inp)
        sex = [rng.choice(["F", "M", "X", ""]) for _ in range(n)]
        region = [rng.choice(["North", "South", ""]) for _ in range(n)]
        returning = [rng.random() < 0.3 for _ in range(n)]
        s = assign.summary(inp, result, sex=sex, region=region, returning=returning)
        matched = [w for w in range(n) if result.matched_pair[w] >= 0]
        assert s["positions"] == sum(inp.capacities)
        assert s["selected"] == len(matched) == sum(len(x) for x in result.selected)
        assert sum(s["selected_by_sex"].values()) == s["selected"]
        assert sum(s["selected_by_region"].values()) == s["selected"]
        assert s["selected_by_history"]["first_time"] + s["selected_by_history"]["returning"] == s["selected"]
        assert s["selected_by_history"]["returning"] == sum(returning[w] for w in matched)
        assert s["unfilled_positions"] == s["positions"] - s["selected"]
        assert sum(u["unfilled"] for u in s["unfilled"]) == s["unfilled_positions"]
        assert all(u["unfilled"] == u["positions"] - u["selected"] > 0 for u in s["unfilled"])
        assert s["fill_rate"] == (round(s["selected"] / s["positions"], 4) if s["positions"] else 0.0)
        assert s["applicants"] == len(set(inp.pair_worker))
        assert sum(s["applicants_by_sex"].values()) == s["applicants"]
        assert s["eligible_applicants"] == len({w for w, ok in zip(inp.pair_worker, inp.pair_eligible, strict=True) if ok})
        assert s["pairs"] == len(inp.pair_worker)
        assert s["eligible_pairs"] == sum(inp.pair_eligible)
        assert s["selected"] <= s["eligible_applicants"] <= s["applicants"]


def test_solve_is_deterministic():
    rng = random.Random(61)
    inp = instance(rng, 40, 6)
    first, second = assign.solve(inp), assign.solve(inp)
    assert np.array_equal(first.matched_pair, second.matched_pair)
    assert first.selected == second.selected and first.cutoff_pair == second.cutoff_pair
