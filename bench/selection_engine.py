"""Benchmark the selection engine against `matching` and at programme scale.

Run from the repository root:

    .venv/bin/python bench/selection_engine.py                 # both parts
    .venv/bin/python bench/selection_engine.py --oracle-only
    .venv/bin/python bench/selection_engine.py --scale-only --workers 1000000 --jobs 20000

Instances are seeded, so every run of the same arguments solves the same instance.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corridor.selection.engine import deferred_acceptance, deferred_acceptance_arrays  # noqa: E402

Instance = tuple[dict[str, list[str]], dict[str, list[str]], dict[str, int]]


def build_instance(workers: int, jobs: int, prefs: int, cap_lo: int, cap_hi: int, seed: int) -> Instance:
    """Return a seeded random instance: each worker ranks `prefs` distinct job orders."""
    rng = random.Random(seed)
    job_ids = [f"J{i:06d}" for i in range(jobs)]
    worker_ids = [f"W{i:08d}" for i in range(workers)]
    drawn = rng.choices(range(jobs), k=workers * prefs)
    applicant_prefs: dict[str, list[str]] = {}
    applicants: list[list[str]] = [[] for _ in range(jobs)]
    for i, worker in enumerate(worker_ids):
        row = drawn[i * prefs : (i + 1) * prefs]
        if len(set(row)) < len(row):
            row = rng.sample(range(jobs), prefs)
        applicant_prefs[worker] = [job_ids[j] for j in row]
        for j in row:
            applicants[j].append(worker)
    # Each job order ranks exactly the workers who listed it, in a random order.
    position_priorities: dict[str, list[str]] = {}
    for job, listed in zip(job_ids, applicants, strict=True):
        rng.shuffle(listed)
        position_priorities[job] = listed
    capacities = {job: rng.randint(cap_lo, cap_hi) for job in job_ids}
    return applicant_prefs, position_priorities, capacities


def peak_rss_mib() -> float:
    """Return this process's peak resident set size in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_oracle(args: argparse.Namespace) -> bool:
    """Time `matching` against the engine on the same instance and compare the results."""
    from matching.games import HospitalResident

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))
    inst = build_instance(
        args.oracle_workers, args.oracle_jobs, args.prefs, args.cap_lo, args.cap_hi, args.seed
    )
    applicant_prefs, position_priorities, capacities = inst
    print(
        f"[oracle] {args.oracle_workers:,} workers x {args.oracle_jobs:,} job orders x {args.prefs} preferences,"
        f" capacities {args.cap_lo}..{args.cap_hi}, seed {args.seed}"
    )
    t0 = time.perf_counter()
    game = HospitalResident.create_from_dictionaries(applicant_prefs, position_priorities, capacities)
    t1 = time.perf_counter()
    solved = game.solve(optimal="resident")
    t2 = time.perf_counter()
    theirs = {h.name: [r.name for r in residents] for h, residents in solved.items()}
    ours_times = []
    ours: dict[str, list[str]] = {}
    for _ in range(args.repeat):
        s = time.perf_counter()
        ours = deferred_acceptance(applicant_prefs, position_priorities, capacities)
        ours_times.append(time.perf_counter() - s)
    ours_best = min(ours_times)
    rank = {job: {w: r for r, w in enumerate(prio)} for job, prio in position_priorities.items()}
    theirs_sorted = {job: sorted(theirs.get(job, []), key=rank[job].__getitem__) for job in capacities}
    same = theirs_sorted == ours
    matched = sum(map(len, ours.values()))
    theirs_total = t2 - t0
    print(f"[oracle] matching build {t1 - t0:.3f} s + solve {t2 - t1:.3f} s = {theirs_total:.3f} s")
    print(f"[oracle] engine deferred_acceptance {ours_best * 1000:.1f} ms (best of {args.repeat})")
    print(
        f"[oracle] speed-up {theirs_total / ours_best:,.0f}x; matched {matched:,}; identical results: {same}"
    )
    return same


def run_scale(args: argparse.Namespace) -> bool:
    """Time the engine on the large seeded instance with plain Python inputs."""
    print(
        f"[scale] {args.workers:,} workers x {args.jobs:,} job orders x {args.prefs} preferences,"
        f" capacities {args.cap_lo}..{args.cap_hi}, seed {args.seed}"
    )
    t0 = time.perf_counter()
    inst = build_instance(args.workers, args.jobs, args.prefs, args.cap_lo, args.cap_hi, args.seed)
    gc.collect()
    print(f"[scale] building the instance took {time.perf_counter() - t0:.1f} s (not counted)")
    print(f"[scale] peak RSS after building: {peak_rss_mib():,.0f} MiB")
    applicant_prefs, position_priorities, capacities = inst
    walls = []
    matching: dict[str, list[str]] = {}
    for _ in range(args.repeat):
        s = time.perf_counter()
        matching = deferred_acceptance(applicant_prefs, position_priorities, capacities)
        walls.append(time.perf_counter() - s)
    matched = sum(map(len, matching.values()))
    wall = min(walls)
    median = statistics.median(walls)
    rss = peak_rss_mib()
    print(
        f"[scale] deferred_acceptance wall: {', '.join(f'{x:.2f}' for x in walls)} s"
        f" (best {wall:.2f} s, median {median:.2f} s)"
    )
    print(
        f"[scale] best / target: {wall:.2f} s / {args.max_seconds:g} s = {wall / args.max_seconds:.2f};"
        f" median / target = {median / args.max_seconds:.2f}"
    )
    print(
        f"[scale] matched {matched:,} of {len(applicant_prefs):,} workers; {sum(capacities.values()):,} positions"
    )
    print(f"[scale] peak RSS of the whole process: {rss:,.0f} MiB")
    if args.arrays:
        run_arrays(inst, matching)
    ok = wall <= args.max_seconds and rss <= args.max_mib
    print(
        f"[scale] targets (<= {args.max_seconds:g} s, <= {args.max_mib:,} MiB): {'met' if ok else 'NOT met'}"
    )
    return ok


def run_arrays(inst: Instance, expected: dict[str, list[str]]) -> None:
    """Time deferred_acceptance_arrays on the same instance with ranks precomputed."""
    applicant_prefs, position_priorities, capacities = inst
    t0 = time.perf_counter()
    jobs = list(capacities)
    jidx = {j: i for i, j in enumerate(jobs)}
    workers = list(applicant_prefs)
    rank = {j: {w: r for r, w in enumerate(p)} for j, p in position_priorities.items()}
    pref_jobs = [[jidx[j] for j in p] for p in applicant_prefs.values()]
    pref_ranks = [[rank[j][w] for j in p] for w, p in applicant_prefs.items()]
    caps = [capacities[j] for j in jobs]
    del rank
    print(f"[arrays] converting to integer arrays took {time.perf_counter() - t0:.1f} s (not counted)")
    s = time.perf_counter()
    result = deferred_acceptance_arrays(pref_jobs, pref_ranks, caps)
    wall = time.perf_counter() - s
    same = all(expected[jobs[i]] == [workers[w] for w in ws] for i, ws in enumerate(result))
    print(f"[arrays] deferred_acceptance_arrays wall: {wall:.2f} s; same matching: {same}")
    print(f"[arrays] peak RSS of the whole process: {peak_rss_mib():,.0f} MiB")


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the requested parts and return a process exit code."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    part = p.add_mutually_exclusive_group()
    part.add_argument("--oracle-only", action="store_true", help="only compare with `matching`")
    part.add_argument("--scale-only", action="store_true", help="only run the large instance")
    p.add_argument("--workers", type=int, default=1_000_000)
    p.add_argument("--jobs", type=int, default=20_000)
    p.add_argument("--oracle-workers", type=int, default=5_000)
    p.add_argument("--oracle-jobs", type=int, default=300)
    p.add_argument("--prefs", type=int, default=10, help="job orders each worker ranks")
    p.add_argument("--cap-lo", type=int, default=5)
    p.add_argument("--cap-hi", type=int, default=25)
    p.add_argument("--seed", type=int, default=20240601)
    p.add_argument("--repeat", type=int, default=1, help="time the engine this many times, report the best")
    p.add_argument("--arrays", action="store_true", help="also time deferred_acceptance_arrays at scale")
    p.add_argument("--max-seconds", type=float, default=10.0)
    p.add_argument("--max-mib", type=int, default=4096)
    args = p.parse_args(argv)
    ok = True
    if not args.scale_only:
        ok &= run_oracle(args)
    if not args.oracle_only:
        ok &= run_scale(args)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
