"""Benchmark the payslip checks engine (corridor/payroll/checks.py) on a seeded set of payslips.

Run from the repository root:

    .venv/bin/python bench/payslip_checks.py                          # 1,000,000 payslips, 20,000 contracts
    .venv/bin/python bench/payslip_checks.py --payslips 100000 --repeat 3

The issue's target (1,000,000 payslips in under 60 s) is for the bulk path on PostgreSQL, database reads and
writes included; that path is not built yet. This measures the checks engine alone: `check(payslip, Prepared(terms))`
over payslips already in memory, one `Prepared` per contract.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import random
import resource
import statistics
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corridor.payroll.checks import Deduction, Payslip, Prepared, Terms, check, money  # noqa: E402

D = Decimal
START = datetime.date(2024, 1, 1)
ZERO = D(0)


def peak_rss_mib() -> float:
    """Return this process's peak resident set size in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_contracts(n: int, rng: random.Random) -> list[Terms]:
    """Contracts paid per hour, week or month, with the programme's floor, caps and due days."""
    units = rng.choices(["hour", "week", "month"], weights=[5, 3, 2], k=n)
    contracts = []
    for unit in units:
        weekly = rng.choice((38, 40, 40, 40, 44, 48))
        hourly = rng.randint(900, 2500)  # cents an hour
        floor = hourly - rng.choice((0, 0, 50, 100, 200))
        if rng.random() < 0.02:
            floor = hourly + rng.randint(10, 100)  # a contract under the floor
        hours = {"hour": 100, "week": weekly * 100, "month": round(weekly * 433)}[unit]
        amount = D(hourly * hours // 100) / 100
        contracts.append(
            Terms(
                currency=rng.choices(("EUR", "GBP", "CAD"), weights=(6, 2, 2))[0],
                unit=unit,
                amount=amount,
                hours_per_week=D(weekly),
                overtime_percent=D(rng.choice((125, 150, 150, 200))),
                night_percent=D(rng.choice((100, 110, 125))),
                holiday_percent=D(rng.choice((100, 150, 200))),
                floor_hourly=D(floor) / 100,
                allowed_types=("tax", "social_security", "housing", "meals"),
                caps_percent={"housing": D(25), "meals": D(10)},
                total_cap_percent=D(rng.choice((30, 35, 40))),
                net_floor_percent=D(rng.choice((50, 60))),
                pay_due_days=rng.choice((5, 7, 10)),
            )
        )
    return contracts


def _pay(hours_h: int, rate_c: int, percent: int = 100) -> int:
    return (hours_h * rate_c * percent + 5000) // 10000


def build_payslips(n: int, prepared: list[Prepared], violation: float, rng: random.Random):
    """Return (contract index, payslip) pairs: weekly periods, mostly lawful, `violation` of them with one
    or two of the usual faults (short pay, unpaid overtime premium, an unlawful fee, a cap broken, late pay,
    a substituted rate)."""
    out = []
    n_contracts = len(prepared)
    for i in range(n):
        ci = i % n_contracts
        t = prepared[ci]
        week = i // n_contracts
        start = START + datetime.timedelta(weeks=week % 104)
        end = start + datetime.timedelta(days=6)
        ordinary = t.weekly  # the guaranteed hours, worked
        overtime = rng.choice((0, 0, 0, 200, 400, 800))
        night = rng.choice((0, 0, 0, 400, 800))
        ordinary -= night
        rate = t.paid_rate
        gross = _pay(ordinary, rate) + _pay(overtime, rate, t.ot // 100) + _pay(night, rate, t.night // 100)
        tax = gross * rng.choice((8, 10, 12)) // 100
        social = gross * rng.choice((4, 6)) // 100
        ded = [("tax", tax, True), ("social_security", social, True)]
        if rng.random() < 0.3:
            ded.append(("housing", gross * rng.choice((5, 8, 10)) // 100, True))
        pay_date = end + datetime.timedelta(days=rng.randint(1, t.due_days))
        stated_rate = t.terms.amount
        stated_unit = t.unit
        currency = t.currency
        if rng.random() < violation:
            for fault in rng.sample(range(8), rng.choice((1, 1, 1, 2))):
                if fault == 0:  # paid for fewer hours than worked
                    gross -= _pay(rng.choice((200, 400, 800)), rate)
                elif fault == 1:  # overtime at the ordinary rate
                    overtime = overtime or 400
                    gross = _pay(ordinary + overtime, rate) + _pay(night, rate, t.night // 100)
                elif fault == 2:  # recruitment fee taken from pay
                    ded.append(("recruitment_fee", rng.choice((2500, 5000, 15000)), True))
                elif fault == 3:  # housing over its cap
                    ded.append(("housing", gross * 30 // 100, True))
                elif fault == 4:  # paid late
                    pay_date = end + datetime.timedelta(days=t.due_days + rng.randint(1, 20))
                elif fault == 5:  # a rate that is not the contract's
                    stated_rate = t.terms.amount - D(rng.choice((50, 100, 200))) / 100
                elif fault == 6:  # no evidence for a deduction
                    kind, amount, _ = ded[0]
                    ded[0] = (kind, amount, False)
                else:  # guaranteed hours not offered and not paid
                    missing = rng.choice((400, 800, 1600))
                    ordinary = max(0, ordinary - missing)
                    gross = max(0, gross - _pay(missing, rate))
        total = sum(a for _, a, _ in ded)
        if total > gross:
            ded = [("tax", gross // 10, True)]
            total = gross // 10
        net = gross - total
        if rng.random() < 0.002:
            net += 100  # an arithmetic slip on the payslip
            net = min(net, gross)
        payslip = Payslip(
            period_start=start,
            period_end=end,
            pay_date=pay_date,
            currency=currency,
            gross=D(gross) / 100,
            net=D(net) / 100,
            ordinary_hours=D(ordinary) / 100,
            overtime_hours=ZERO if not overtime else D(overtime) / 100,
            night_hours=ZERO if not night else D(night) / 100,
            deductions=tuple(Deduction(k, D(a) / 100, e) for k, a, e in ded),
            stated_rate=stated_rate,
            stated_unit=stated_unit,
        )
        out.append((ci, payslip))
    return out


def run(args: argparse.Namespace) -> int:
    print(
        "[payslips] this measures the checks engine alone (payslips in memory, no database); the issue's 60 s"
        " target is for the bulk path on PostgreSQL including database reads and writes, which is not built yet"
    )
    print(
        f"[payslips] {args.payslips:,} payslips over {args.contracts:,} contracts,"
        f" ~{args.violation:.0%} with a fault, seed {args.seed}"
    )
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    contracts = build_contracts(args.contracts, rng)
    t1 = time.perf_counter()
    prepared = [Prepared(t) for t in contracts]
    t2 = time.perf_counter()
    slips = build_payslips(args.payslips, prepared, args.violation, rng)
    gc.collect()
    t3 = time.perf_counter()
    units = Counter(t.unit for t in contracts)
    print(
        f"[payslips] building contracts {t1 - t0:.1f} s and payslips {t3 - t2:.1f} s (not counted);"
        f" units {dict(units)}"
    )
    print(f"[payslips] Prepared for {len(prepared):,} contracts: {t2 - t1:.2f} s (not counted)")
    print(f"[payslips] peak RSS after building: {peak_rss_mib():,.0f} MiB")
    walls = []
    counts: Counter[str] = Counter()
    arrears = with_findings = 0
    for r in range(args.repeat):
        counts = Counter()
        arrears = with_findings = 0
        gc.disable()
        s = time.perf_counter()
        for ci, p in slips:
            result = check(p, prepared[ci])
            if result.findings:
                with_findings += 1
                arrears += result.arrears
                for f in result.findings:
                    counts[f.code] += 1
        wall = time.perf_counter() - s
        gc.enable()
        walls.append(wall)
        print(f"[payslips] run {r + 1}: {wall:.2f} s, {args.payslips / wall:,.0f} payslips/s")
    median = statistics.median(walls)
    best = min(walls)
    print(
        f"[payslips] check wall: {', '.join(f'{x:.2f}' for x in walls)} s (best {best:.2f} s, median {median:.2f} s)"
    )
    print(f"[payslips] median throughput: {args.payslips / median:,.0f} payslips/s")
    print(
        f"[payslips] payslips with findings: {with_findings:,} ({with_findings / max(1, args.payslips):.1%});"
        f" findings by code:"
    )
    for code, count in counts.most_common():
        print(f"[payslips]   {code:28s} {count:>10,}")
    print(f"[payslips] total arrears: {money(arrears)} (summed across EUR, GBP and CAD contracts)")
    print(
        f"[payslips] median / target: {median:.2f} s / {args.target_seconds:g} s = {median / args.target_seconds:.2f}"
        " (checks engine alone; the target's database reads and writes are not included)"
    )
    print(f"[payslips] peak RSS of the whole process: {peak_rss_mib():,.0f} MiB")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the benchmark and return a process exit code."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--payslips", type=int, default=1_000_000)
    p.add_argument("--contracts", type=int, default=20_000)
    p.add_argument("--violation", type=float, default=0.10, help="share of payslips given one or two faults")
    p.add_argument("--seed", type=int, default=20240701)
    p.add_argument(
        "--repeat", type=int, default=1, help="check all payslips this many times, report the median"
    )
    p.add_argument(
        "--target-seconds", type=float, default=60.0, help="the issue's target for 1,000,000 payslips"
    )
    args = p.parse_args(argv)
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
