"""Tests for the deferred acceptance engine: worked examples, properties, oracle, errors."""

from __future__ import annotations

import itertools
import random
import sys
import warnings
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.selection import engine
from corridor.selection.engine import deferred_acceptance, deferred_acceptance_arrays, solve_instance_json

Instance = tuple[dict[Any, list[Any]], dict[Any, list[Any]], dict[Any, int]]
Matching = dict[Any, list[Any]]

PROPERTY = settings(
    deadline=None, derandomize=True, max_examples=150, suppress_health_check=[HealthCheck.too_slow]
)


@contextmanager
def _patched(name: str, value: Any) -> Iterator[None]:
    """Temporarily replace a module constant of the engine."""
    old = getattr(engine, name)
    setattr(engine, name, value)
    try:
        yield
    finally:
        setattr(engine, name, old)


def solve_vectorised(prefs: Any, prios: Any, caps: Any) -> Matching:
    """Force the NumPy path that large instances take."""
    with _patched("_SMALL_INSTANCE", -1):
        return deferred_acceptance(prefs, prios, caps)


def solve_with_arrays(prefs: Any, prios: Any, caps: Any) -> Matching:
    """Translate the instance to integer arrays, solve, and translate back."""
    jobs = list(caps)
    workers = list(prefs)
    jidx = {j: i for i, j in enumerate(jobs)}
    rank = {j: {w: r for r, w in enumerate(p)} for j, p in prios.items()}
    pref_jobs = [[jidx[j] for j in prefs[w] if w in rank[j]] for w in workers]
    pref_ranks = [[rank[j][w] for j in prefs[w] if w in rank[j]] for w in workers]
    result = deferred_acceptance_arrays(pref_jobs, pref_ranks, [caps[j] for j in jobs])
    return {jobs[i]: [workers[w] for w in ws] for i, ws in enumerate(result)}


def solve_with_arrays_vectorised(prefs: Any, prios: Any, caps: Any) -> Matching:
    """Force the NumPy path of the array entry point."""
    with _patched("_SMALL_INSTANCE", -1):
        return solve_with_arrays(prefs, prios, caps)


SOLVERS: list[Callable[[Any, Any, Any], Matching]] = [
    deferred_acceptance,
    solve_vectorised,
    solve_with_arrays,
    solve_with_arrays_vectorised,
]
SOLVER_IDS = ["rank-dicts", "vectorised", "arrays", "arrays-vectorised"]

# Mixed hashable identifiers; no two compare equal (so no True/1 or 1.0/1 pairs).
WORKER_POOL: list[Hashable] = ["ana", ("w", 1), 7, "bo", ("w", 2), 300, frozenset({"x"}), "chen", (None, 0)]
JOB_POOL: list[Hashable] = ["farm", ("site", 1), 42, ("site", 2), "hotel"]


@st.composite
def instances(draw: st.DrawFn, max_workers: int = 6, max_jobs: int = 4, mixed: bool = True) -> Instance:
    """Draw a small instance; lists need not be mutual, capacities may be zero."""
    n = draw(st.integers(0, max_workers))
    m = draw(st.integers(1, max_jobs))
    workers = WORKER_POOL[:n] if mixed else [f"w{i}" for i in range(n)]
    jobs = JOB_POOL[:m] if mixed else [f"j{i}" for i in range(m)]
    prefs = {
        w: draw(st.permutations(jobs).flatmap(lambda p: st.sampled_from([p[:k] for k in range(len(p) + 1)])))
        for w in workers
    }
    prios = {
        j: draw(
            st.permutations(workers).flatmap(lambda p: st.sampled_from([p[:k] for k in range(len(p) + 1)]))
        )
        if workers
        else []
        for j in jobs
    }
    caps = {j: draw(st.integers(0, 3)) for j in jobs}
    return {w: list(p) for w, p in prefs.items()}, {j: list(p) for j, p in prios.items()}, caps


def assignment(matching: Matching) -> dict[Any, Any]:
    """Return worker -> job order for a matching."""
    return {w: j for j, ws in matching.items() for w in ws}


def prefers(prefs: list[Any], a: Any, b: Any) -> bool:
    """Return True when a worker with list prefs strictly prefers job a to b (None = unmatched)."""
    if a is None or a not in prefs:
        return False
    return b is None or prefs.index(a) < prefs.index(b)


def blocking_pairs(inst: Instance, matching: Matching) -> list[tuple[Any, Any]]:
    """Return the pairs that block matching (classic many-to-one stability)."""
    prefs, prios, caps = inst
    at = assignment(matching)
    out = []
    for w, plist in prefs.items():
        for j in plist:
            if w not in prios[j] or not prefers(plist, j, at.get(w)):
                continue
            held = matching[j]
            if len(held) < caps[j] or any(prios[j].index(w) < prios[j].index(x) for x in held):
                out.append((w, j))
    return out


def all_stable_matchings(inst: Instance) -> list[dict[Any, Any]]:
    """Enumerate every stable matching of a tiny instance as worker -> job order."""
    prefs, prios, caps = inst
    workers = list(prefs)
    options = [[None] + [j for j in prefs[w] if w in prios[j]] for w in workers]
    found = []
    for choice in itertools.product(*options):
        load: dict[Any, list[Any]] = {j: [] for j in caps}
        for w, j in zip(workers, choice, strict=True):
            if j is not None:
                load[j].append(w)
        if any(len(ws) > caps[j] for j, ws in load.items()):
            continue
        matching = {j: sorted(ws, key=prios[j].index) for j, ws in load.items()}
        if not blocking_pairs(inst, matching):
            found.append(dict(zip(workers, choice, strict=True)))
    return found


def check_matching_shape(inst: Instance, matching: Matching) -> None:
    """Assert keys, priority order, capacities and individual rationality."""
    prefs, prios, caps = inst
    assert list(matching) == list(caps)
    seen = set()
    for j, ws in matching.items():
        assert len(ws) <= caps[j]
        assert ws == sorted(ws, key=prios[j].index)
        for w in ws:
            assert j in prefs[w] and w in prios[j]
            assert w not in seen
            seen.add(w)


# --- worked examples -------------------------------------------------------------------------


@pytest.mark.parametrize("solve", SOLVERS, ids=SOLVER_IDS)
def test_textbook_hospital_residents(solve: Callable[..., Matching]) -> None:
    """A small hospital-residents example; the rounds are worked out in the comment."""
    prefs = {"a": ["X", "Y"], "b": ["X", "Y"], "c": ["X"], "d": ["Y", "X"]}
    prios = {"X": ["d", "c", "a", "b"], "Y": ["a", "b", "d"]}
    caps = {"X": 1, "Y": 2}
    # Round 1: X holds c (over a, b), Y holds d. Round 2: a and b push d out of Y.
    # Round 3: d proposes to X, which prefers d to c; c has nowhere left to go.
    assert solve(prefs, prios, caps) == {"X": ["d"], "Y": ["a", "b"]}


@pytest.mark.parametrize("solve", SOLVERS, ids=SOLVER_IDS)
def test_displacement_chain(solve: Callable[..., Matching]) -> None:
    """A late, higher-priority worker displaces one who then moves down her list."""
    prefs = {"w1": ["A", "B"], "w2": ["A", "B"], "w3": ["A"]}
    prios = {"A": ["w3", "w2", "w1"], "B": ["w1", "w2"]}
    caps = {"A": 1, "B": 1}
    assert solve(prefs, prios, caps) == {"A": ["w3"], "B": ["w1"]}


@pytest.mark.parametrize("solve", SOLVERS, ids=SOLVER_IDS)
def test_zero_capacity_and_one_sided_lists(solve: Callable[..., Matching]) -> None:
    """Zero capacity gives an empty list; a pair listed by one side only never matches."""
    prefs = {"w1": ["A", "B", "C"], "w2": ["C"], "w3": []}
    prios = {"A": ["w1"], "B": ["w2"], "C": ["w1"]}
    caps = {"A": 0, "B": 3, "C": 2}
    assert solve(prefs, prios, caps) == {"A": [], "B": [], "C": ["w1"]}


def test_empty_instance() -> None:
    """No workers and no job orders is a valid, empty instance."""
    assert deferred_acceptance({}, {}, {}) == {}
    assert deferred_acceptance({"w": []}, {"J": []}, {"J": 2}) == {"J": []}
    assert deferred_acceptance_arrays([], [], []) == []


def test_arrays_ties_broken_by_worker_index() -> None:
    """Equal ranks at a job order go to the lower worker index."""
    assert deferred_acceptance_arrays([[0], [0], [0]], [[5], [5], [1]], [2]) == [[2, 0]]


# --- properties ---------------------------------------------------------------------------------


@pytest.mark.parametrize("solve", SOLVERS, ids=SOLVER_IDS)
@PROPERTY
@given(inst=instances())
def test_stable_rational_within_capacity(solve: Callable[..., Matching], inst: Instance) -> None:
    """The outcome is individually rational, within capacities and has no blocking pair."""
    matching = solve(*inst)
    check_matching_shape(inst, matching)
    assert blocking_pairs(inst, matching) == []


@pytest.mark.parametrize("solve", SOLVERS, ids=SOLVER_IDS)
@PROPERTY
@given(inst=instances())
def test_non_wasteful(solve: Callable[..., Matching], inst: Instance) -> None:
    """A seat stays empty only if nobody who wants it (and is ranked) is worse off."""
    prefs, prios, caps = inst
    matching = solve(*inst)
    at = assignment(matching)
    for j, ws in matching.items():
        if len(ws) < caps[j]:
            for w in prios[j]:
                assert not prefers(prefs[w], j, at.get(w))


@PROPERTY
@given(inst=instances(max_workers=5, max_jobs=3))
def test_worker_optimal_against_brute_force(inst: Instance) -> None:
    """Every worker weakly prefers the outcome to her match in every stable matching."""
    prefs = inst[0]
    ours = assignment(deferred_acceptance(*inst))
    stable = all_stable_matchings(inst)
    assert {w: ours.get(w) for w in prefs} in stable
    for other in stable:
        for w in prefs:
            assert not prefers(prefs[w], other[w], ours.get(w))


def _misreports(true_list: list[Any], jobs: list[Any]) -> Iterator[list[Any]]:
    """Yield truncations, swaps and every short reordering of the jobs."""
    for k in range(len(true_list)):
        yield true_list[:k]
    for i in range(len(true_list) - 1):
        swapped = list(true_list)
        swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
        yield swapped
    for k in range(1, min(3, len(jobs)) + 1):
        for perm in itertools.permutations(jobs, k):
            yield list(perm)


@PROPERTY
@given(inst=instances(max_workers=5, max_jobs=3))
def test_misreporting_never_helps(inst: Instance) -> None:
    """No truncation, swap or other short list gets a worker a job she truly prefers."""
    prefs, prios, caps = inst
    truth = assignment(deferred_acceptance(prefs, prios, caps))
    for w, true_list in prefs.items():
        for lie in _misreports(true_list, list(caps)):
            got = assignment(deferred_acceptance({**prefs, w: lie}, prios, caps)).get(w)
            assert not prefers(true_list, got, truth.get(w)), (w, lie)


@PROPERTY
@given(inst=instances(), seed=st.integers(0, 10**6))
def test_order_of_workers_does_not_matter(inst: Instance, seed: int) -> None:
    """Shuffling the order of the workers' mapping leaves the outcome unchanged."""
    prefs, prios, caps = inst
    keys = list(prefs)
    random.Random(seed).shuffle(keys)
    assert deferred_acceptance({w: prefs[w] for w in keys}, prios, caps) == deferred_acceptance(*inst)


@PROPERTY
@given(inst=instances(max_workers=8, max_jobs=5))
def test_paths_agree(inst: Instance) -> None:
    """Rank-dict, vectorised and array paths return the same matching."""
    expected = deferred_acceptance(*inst)
    assert solve_vectorised(*inst) == expected
    assert solve_with_arrays(*inst) == expected
    assert solve_with_arrays_vectorised(*inst) == expected


def test_equal_identifiers_that_are_other_objects() -> None:
    """Lists may hold equal copies of identifiers, not the same objects; equal hashes are told apart."""
    workers = [-1, -2, 0, 256, 512, 768, 1024, "w-x", ("w", 5)]  # hash(-1) == hash(-2)
    prefs = {w: ["A", "B"] for w in workers}
    copies = [int(str(w)) if isinstance(w, int) else "".join(["w-", "x"]) for w in workers[:-1]]
    copies.append(("w", int("5")))
    assert any(c is not w for c, w in zip(copies, workers, strict=True))
    prios = {"".join(["A"]): copies[::-1], "B": workers}
    caps = {"A": 3, "B": 2}
    expected = {"A": [("w", 5), "w-x", 1024], "B": [-1, -2]}
    assert deferred_acceptance(prefs, prios, caps) == expected
    assert solve_vectorised(prefs, prios, caps) == expected


# --- oracle ---------------------------------------------------------------------------------------


def _random_mutual_instance(rng: random.Random, n: int, m: int, k: int) -> Instance:
    """Each worker ranks k job orders; each job order ranks exactly its applicants, shuffled."""
    jobs = [f"J{i}" for i in range(m)]
    prefs = {f"W{i}": rng.sample(jobs, k) for i in range(n)}
    prios: dict[Any, list[Any]] = {j: [] for j in jobs}
    for w, plist in prefs.items():
        for j in plist:
            prios[j].append(w)
    for plist in prios.values():
        rng.shuffle(plist)
    caps = {j: rng.randint(1, 6) for j in jobs}
    return prefs, prios, caps


def test_matches_the_matching_library() -> None:
    """The PyPI package `matching` (resident-optimal HR) returns the same matchings."""
    hr = pytest.importorskip("matching.games")
    rng = random.Random(20240601)
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, 20_000))
    try:
        for _ in range(25):
            n = rng.randint(1, 200)
            m = rng.randint(1, 25)
            inst = _random_mutual_instance(rng, n, m, rng.randint(1, min(m, 6)))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                game = hr.HospitalResident.create_from_dictionaries(*inst)
                solved = game.solve(optimal="resident")
            theirs = {
                h.name: sorted((r.name for r in rs), key=inst[1][h.name].index) for h, rs in solved.items()
            }
            for solve in SOLVERS:
                assert solve(*inst) == {j: theirs.get(j, []) for j in inst[2]}
    finally:
        sys.setrecursionlimit(old_limit)


# --- errors -----------------------------------------------------------------------------------------


GOOD: Instance = ({"w1": ["A"], ("w", 2): ["A", 9]}, {"A": ["w1", ("w", 2)], 9: [("w", 2)]}, {"A": 1, 9: 1})


def _with(**changes: Any) -> Instance:
    """Return a copy of GOOD with some of its three parts replaced."""
    prefs, prios, caps = GOOD
    return (changes.get("prefs", prefs), changes.get("prios", prios), changes.get("caps", caps))


ERRORS = [
    (_with(prefs={"w1": ["A", "Z"], ("w", 2): ["A"]}), "'Z'"),
    (_with(prefs={"w1": ["A"], ("w", 2): ["A", ("job", 3)]}), "('job', 3)"),
    (_with(prios={"A": ["w1", "ghost"], 9: []}), "'ghost'"),
    (_with(prios={"A": ["w1", ("w", 3)], 9: []}), "('w', 3)"),
    (_with(caps={"A": 1}), "9"),
    (_with(caps={"A": 1, 9: 1, "B": 2}), "'B'"),
    (_with(prios={"A": ["w1"]}), "9"),
    (_with(prefs={"w1": ["A", "A"], ("w", 2): []}), "'A'"),
    (_with(prios={"A": ["w1", "w1"], 9: []}), "'w1'"),
    (_with(caps={"A": -1, 9: 1}), "'A'"),
    (_with(caps={"A": 1.5, 9: 1}), "'A'"),
    (_with(caps={"A": True, 9: 1}), "'A'"),
    (_with(caps={"A": "2", 9: 1}), "'A'"),
    (_with(prefs={"w1": "A", ("w", 2): []}), "'w1'"),
    (_with(prios={"A": "w1", 9: []}), "'A'"),
    (_with(prios={"A": 5, 9: []}), "'A'"),
    (_with(prios={"A": ["w1", ["w", 2]], 9: []}), "['w', 2]"),
    (_with(prefs={"w1": ["A", ["A"]], ("w", 2): []}), "['A']"),
]


@pytest.mark.parametrize("solve", [deferred_acceptance, solve_vectorised], ids=["rank-dicts", "vectorised"])
@pytest.mark.parametrize(("inst", "offender"), ERRORS)
def test_invalid_input_names_the_offender(
    solve: Callable[..., Matching], inst: Instance, offender: str
) -> None:
    """Each kind of malformed input raises ValueError whose message contains the offender's repr."""
    with pytest.raises(ValueError) as info:
        solve(*inst)
    assert offender in str(info.value)


def test_good_instance_of_error_table_is_valid() -> None:
    """The base of the error table solves, so each error row tests exactly one defect."""
    assert deferred_acceptance(*GOOD) == {"A": ["w1"], 9: [("w", 2)]}


def test_non_mapping_arguments() -> None:
    """Arguments that are not mappings are rejected."""
    with pytest.raises(ValueError, match="applicant_prefs"):
        deferred_acceptance([("w", ["A"])], {"A": ["w"]}, {"A": 1})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "offender"),
    [
        (([[0, 1]], [[0]], [1, 1]), "0"),
        (([[0, 2]], [[0, 1]], [1, 1]), "2"),
        (([[0, -1]], [[0, 1]], [1, 1]), "-1"),
        (([[0, 0]], [[0, 1]], [1, 1]), "0"),
        (([[0]], [[-3]], [1]), "-3"),
        (([[0]], [[1.5]], [1]), "1.5"),
        (([[0]], [[0]], [-1]), "-1"),
        (([[0]], [[0]], [2.0]), "2.0"),
        (([[0]], [], [1]), "0 rows"),
    ],
)
def test_arrays_validation(args: tuple[Any, Any, Any], offender: str) -> None:
    """The array entry point validates indices, ranks and capacities."""
    with pytest.raises(ValueError) as info:
        deferred_acceptance_arrays(*args)
    assert offender in str(info.value)


# --- JSON ---------------------------------------------------------------------------------------------


def test_solve_instance_json_example() -> None:
    """The documented example solves to the documented result."""
    data = {
        "applicant_prefs": {
            "amina": ["farm-1", "hotel-2"],
            "bao": ["farm-1"],
            "chidi": ["hotel-2", "farm-1"],
        },
        "position_priorities": {"farm-1": ["bao", "amina", "chidi"], "hotel-2": ["amina", "chidi"]},
        "capacities": {"farm-1": 1, "hotel-2": 1},
    }
    assert solve_instance_json(data) == {
        "matching": {"farm-1": ["bao"], "hotel-2": ["amina"]},
        "unmatched": ["chidi"],
        "stats": {
            "workers": 3,
            "job_orders": 2,
            "positions": 2,
            "matched": 2,
            "unmatched": 1,
            "vacancies": 0,
            "matched_by_choice": [1, 1],
        },
    }


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ([], "JSON object"),
        ({"applicant_prefs": {}, "position_priorities": {}}, "'capacities'"),
        ({"applicant_prefs": {}, "position_priorities": {}, "capacities": {}, "extra": 1}, "'extra'"),
        ({"applicant_prefs": [], "position_priorities": {}, "capacities": {}}, "'applicant_prefs'"),
        ({"applicant_prefs": {"w": "A"}, "position_priorities": {"A": []}, "capacities": {"A": 1}}, "'w'"),
        ({"applicant_prefs": {"w": ["A", 3]}, "position_priorities": {"A": []}, "capacities": {"A": 1}}, "3"),
        (
            {"applicant_prefs": {"w": ["A"]}, "position_priorities": {"A": [None]}, "capacities": {"A": 1}},
            "None",
        ),
        (
            {"applicant_prefs": {"w": ["A"]}, "position_priorities": {"A": ["w"]}, "capacities": {"A": "1"}},
            "'A'",
        ),
        (
            {"applicant_prefs": {"w": ["B"]}, "position_priorities": {"A": ["w"]}, "capacities": {"A": 1}},
            "'B'",
        ),
    ],
)
def test_solve_instance_json_rejects_malformed(data: Any, needle: str) -> None:
    """Malformed instances raise ValueError with a message that points at the problem."""
    with pytest.raises(ValueError) as info:
        solve_instance_json(data)
    assert needle in str(info.value)
