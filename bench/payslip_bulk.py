"""Benchmark the pay-run bulk path end to end on the database: `payroll.bulk.payslips_bulk_submit` reading the
journeys and contracts, parsing and checking every payslip, writing the payslips with their findings (COPY on
PostgreSQL), the notices, the substitution alerts and the pay run's audit event, in this process.

Run from the repository root, against PostgreSQL (the issue's figure: 1,000,000 payslips in under 60 s):

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/corridor .venv/bin/python bench/payslip_bulk.py
    .venv/bin/python bench/payslip_bulk.py --database-url postgres://postgres@127.0.0.1:55432/corridor \\
        --payslips 100000 --workers 5000
    .venv/bin/python bench/payslip_bulk.py --payslips 20000 --workers 1000      # SQLite (bulk_create), small runs

The script creates a throwaway database (`test_corridor_bench_payslips` on the PostgreSQL server, a temporary file
for SQLite) and migrates it. Outside the timing it builds, through the services, a programme (Canadian seasonal
preset, rules in force since 2024) with origin authorities and a labour inspectorate that have officers (so the
organisations' notices are addressed), an approved employer with worksites and housing, and `--jobs` open job
orders; then writes in bulk (COPY on PostgreSQL) `--workers` workers with sign-in accounts (so each worker gets their
notices), each with a confirmed placement, an accepted locked contract (pay from the job order) and a journey in the
state `employed`. The pay run is `--payslips` weekly payslips spread over the workers (consecutive weeks), as the
rows of a CSV upload (text values); about `--violation` of them carry one of the usual faults (short pay, an
unlawful recruitment fee, a housing deduction over its cap, late pay, a substituted rate, a deduction without
evidence), a few are lawful in every respect but spelled differently.

It then times, in this process:
- the baseline: `--baseline` payslips through the one-at-a-time service `services.payslip_submit` (rolled back),
  extrapolated to `--payslips`;
- the checks engine alone over the same rows (parsed and prepared outside the timing), as bench/payslip_checks.py;
- the bulk path for the whole pay run, committed;
and prints total seconds, payslips a second, the ratio to the baseline and to the engine, and the 60 s target.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_SECONDS = 60.0
BENCH_DB = "corridor_bench_payslips"
ORIGINS = ("MX", "JM", "GT")
LANGUAGE = {"MX": "es", "JM": "en", "GT": "es"}
D = Decimal


def setup_django(sqlite_path: str, database_url: str | None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.test_settings")
    import django
    from django.conf import settings

    django.setup()
    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})
    database["TEST"]["NAME"] = sqlite_path if database["ENGINE"].endswith("sqlite3") else f"test_{BENCH_DB}"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the world (outside the timing) ----------------------------------------------------------------------------------


def build_world(rng: random.Random, jobs: int):
    """Programme, authorities with officers, inspectorate, approved employer with housing, `jobs` open job orders."""
    from django.utils import timezone
    from selection_db import build_job_orders

    from corridor.accounts import services as account_services
    from corridor.accounts.models import Organisation, OrgKind
    from corridor.core.access import Role
    from corridor.employers import services as employer_services
    from corridor.programmes import services as programme_services
    from corridor.programmes.models import ProgrammeStatus
    from corridor.programmes.presets import PRESETS

    def person(role, org, username):
        user = account_services.user_create(actor=None, username=username, password="bench-password-0123456789",
                                            organisation=org, check_password=False)
        account_services.role_grant(actor=None, user=user, role=role)
        return type(user).objects.get(pk=user.pk)

    org = Organisation.objects.create
    admin = person(Role.MINISTRY_ADMIN, org(name="Bench ministry", kind=OrgKind.DESTINATION_MINISTRY, country="CA"),
                   "bench-ministry")
    employer_user = person(Role.EMPLOYER, org(name="Bench Orchards Ltd", kind=OrgKind.EMPLOYER, country="CA"),
                           "bench-employer")
    person(Role.LABOUR_INSPECTOR, org(name="Bench inspectorate", kind=OrgKind.LABOUR_INSPECTORATE, country="CA"),
           "bench-inspector")
    programme = programme_services.programme_create(
        actor=admin, code="CA-PAYBENCH", name="Bench seasonal programme", institutional_design="multilateral",
        category="seasonal", destination_country="CA", rules=dict(PRESETS["ca-sawp"].rules),
        rules_effective_from=datetime.date(2024, 1, 1),
    )
    for country in ORIGINS:
        authority = org(name=f"Bench origin authority {country}", kind=OrgKind.ORIGIN_AUTHORITY, country=country)
        programme_services.corridor_add(actor=admin, programme=programme, origin_country=country,
                                        competent_authority=authority)
        person(Role.ORIGIN_OFFICER, authority, f"bench-origin-{country.lower()}")
    programme_services.programme_set_status(actor=admin, programme=programme, status=ProgrammeStatus.ACTIVE)
    programme.refresh_from_db()
    employer = employer_services.employer_register(
        actor=employer_user, business_id="BN PAYBENCH 1", sectors=["A"], contact_name="Bench Boss",
        contact_email="boss@example.org",
        worksites=[{"name": f"Farm {i}", "address": f"{i} Farm Road", "region": "Ontario", "country": "CA"}
                   for i in range(3)],
    )
    units = [employer_services.housing_unit_create(
        actor=employer_user, worksite=site, address=f"Bunkhouse at {site.name}", beds_per_room=[2, 2, 2, 2],
        floor_area_m2="80", facilities=["kitchen", "laundry", "heating", "toilets", "shower", "drinking water"],
        charge_amount="0", charge_currency="CAD") for site in employer.worksites.order_by("pk")]
    employer_services.employer_apply(actor=employer_user, employer=employer, programme=programme)
    employer_services.employer_approve(actor=admin, employer=employer, programme=programme)
    orders = build_job_orders(rng, jobs, programme, employer, employer_user, admin, units, timezone.localdate())
    return employer_user, programme, [pk for pk, _isco, _origins in orders]


def build_journeys(rng: random.Random, workers: int, order_ids: list[int], employer_user, chunk: int = 20_000):
    """`workers` employed workers, each with an account, a confirmed placement, an accepted contract and a journey.
    Returns [(journey id, hourly rate in cents, weekly hours, overtime rate in hundredths of a percent)]."""
    from django.utils import timezone
    from selection_db import insert

    from corridor.accounts.models import User
    from corridor.contracts.models import Contract, Placement
    from corridor.deployment.models import Journey
    from corridor.joborders.models import JobOrder
    from corridor.workers.models import Worker

    now, today = timezone.now(), timezone.localdate()
    orders = {pk: (wage, hours, ot) for pk, wage, hours, ot in JobOrder.objects.filter(pk__in=order_ids).values_list(
        "pk", "wage_amount", "hours_per_week", "overtime_rate_percent")}
    out = []
    for start in range(0, workers, chunk):
        size = min(chunk, workers - start)
        tags = [f"PB{n:08d}" for n in range(start, start + size)]
        insert(User, [{"username": f"bench-w-{t.lower()}", "password": "!", "language": "es"} for t in tags])
        users = dict(User.objects.filter(username__in=[f"bench-w-{t.lower()}" for t in tags]).values_list("username", "pk"))
        people = []
        for t in tags:
            country = rng.choice(ORIGINS)
            people.append({
                "public_id": t, "given_names": "Bench", "family_names": f"Worker {t}", "name_key": f"bench worker {t}".lower(),
                "sex": "male", "date_of_birth": today - datetime.timedelta(days=rng.randint(19 * 365, 55 * 365)),
                "nationality": country, "region_of_origin": "Oaxaca", "language": LANGUAGE[country],
                "status": "work_ready", "registered_via": "origin", "confirmed_at": now, "verified_at": now,
                "work_ready_at": now, "deployed": True, "user_id": users[f"bench-w-{t.lower()}"],
            })
        insert(Worker, people)
        ids = dict(Worker.objects.filter(public_id__in=tags).values_list("public_id", "pk"))
        chosen = {t: rng.choice(order_ids) for t in tags}
        insert(Placement, [{"worker_id": ids[t], "job_order_id": chosen[t], "status": "confirmed",
                            "worker_confirmed_at": now, "employer_confirmed_at": now,
                            "employer_confirmed_by_id": employer_user.pk} for t in tags])
        placements = dict(Placement.objects.filter(worker_id__in=ids.values()).values_list("worker_id", "pk"))
        contracts = []
        for t in tags:
            wage, hours, ot = orders[chosen[t]]
            content = {"pay": {"amount": str(wage), "currency": "CAD", "unit": "hour", "hours_per_week": str(hours),
                               "overtime_rate_percent": str(ot), "night_rate_percent": "100"},
                       "note": "Synthetic contract of the payslip benchmark."}
            contracts.append({"placement_id": placements[ids[t]], "version": 1, "status": "accepted", "content": content,
                              "content_hash": f"{rng.getrandbits(256):064x}", "verification_code": f"CT-{t[2:6]}-{t[6:]}",
                              "worker_language": "es", "destination_language": "en", "signed_at": now, "locked_at": now,
                              "answered_at": now, "answered_via": "web"})
        insert(Contract, contracts)
        insert(Journey, [{"placement_id": placements[ids[t]], "worker_id": ids[t], "state": "employed",
                          "state_since": now, "departed_on": today - datetime.timedelta(days=420),
                          "arrived_on": today - datetime.timedelta(days=419), "welfare_contact_name": "Bench welfare"}
                         for t in tags])
        journeys = dict(Journey.objects.filter(worker_id__in=ids.values()).values_list("worker_id", "pk"))
        for t in tags:
            wage, hours, ot = orders[chosen[t]]
            out.append((journeys[ids[t]], int(wage * 100), int(hours), int(ot * 100)))
    return out


def _money(c: int) -> str:
    return f"{c // 100}.{c % 100:02d}"


def build_rows(rng: random.Random, journeys: list, payslips: int, violation: float, first_monday: datetime.date):
    """The pay run as CSV rows would give it: weekly payslips over the workers' consecutive weeks."""
    rows = []
    n = len(journeys)
    for i in range(payslips):
        journey, rate, weekly, ot = journeys[i % n]
        week = i // n
        start = first_monday + datetime.timedelta(weeks=week)
        end = start + datetime.timedelta(days=6)
        paid = end + datetime.timedelta(days=rng.randint(1, 6))
        hours = weekly * 100
        overtime = rng.choice((0, 0, 0, 200, 400))
        gross = hours * rate // 100 + (overtime * rate * ot + 500000) // 1000000
        tax, social = gross * 10 // 100, gross * 5 // 100
        ded = [["tax", tax, "CRA remittance"], ["social_security", social, "CPP/EI"]]
        stated = _money(rate)
        if rng.random() < violation:
            fault = rng.randrange(6)
            if fault == 0:
                gross -= 4 * rate  # four hours not paid
            elif fault == 1:
                ded.append(["recruitment_fee", rng.choice((2500, 5000, 15000)), "Agency invoice"])
            elif fault == 2:
                ded.append(["housing", gross * 12 // 100, "Bunkhouse"])  # over the 5 % cap
            elif fault == 3:
                paid = end + datetime.timedelta(days=rng.randint(9, 30))
            elif fault == 4:
                stated = _money(rate - 100)
            else:
                ded[1][2] = ""
        net = gross - sum(a for _, a, _ in ded)
        rows.append({
            "journey": journey, "period_start": start.isoformat(), "period_end": end.isoformat(),
            "pay_date": paid.isoformat(), "currency": "CAD", "gross": _money(gross), "net": _money(net),
            "ordinary_hours": _money(hours), "overtime_hours": _money(overtime) if overtime else "0",
            "night_hours": "", "holiday_hours": "",
            "deductions": [{"type": t, "amount": _money(a), "evidence": e} for t, a, e in ded],
            "payment_method": "Direct deposit", "stated_rate": stated, "stated_unit": "hour",
        })
    return rows


def analyse() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- the timed runs ---------------------------------------------------------------------------------------------

# Functions of the bulk path timed inside the run: (module, attribute, label). What is left is the loop over the rows:
# for large runs on PostgreSQL, waiting for the forked processes that parse, check and format the rows, while this
# process streams them into the COPY and the server stores them.
PHASES = [
    ("corridor.payroll.bulk", "_resolve", "resolve references"),
    ("corridor.payroll.bulk", "_journeys", "read and lock journeys"),
    ("corridor.payroll.bulk._Terms", "floors", "wage floors (per occupation, place and day)"),
    ("corridor.payroll.bulk", "_ids_of", "ids of the payslips named by notices, read back"),
    ("corridor.payroll.bulk._Writer", "_flush", "COPY writes (2,000 payslips each) and digest"),
    ("corridor.payroll.bulk._Writer", "__exit__", "end of COPY (server catching up)"),
    ("corridor.payroll.notices", "send", "notices and alerts"),
]


class Timers:
    def __init__(self):
        import importlib

        self.spent: dict[str, float] = {}
        self.saved = []
        for module_name, attr, label in PHASES:
            owner_name, _, cls = module_name.partition("._")
            owner = importlib.import_module(owner_name)
            if cls:
                owner = getattr(owner, "_" + cls)
            original = owner.__dict__[attr]
            self.saved.append((owner, attr, original))
            setattr(owner, attr, self._wrap(original, label))

    def _wrap(self, fn, label):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.spent[label] = self.spent.get(label, 0.0) + time.perf_counter() - start

        return timed

    def restore(self):
        for owner, attr, original in self.saved:
            setattr(owner, attr, original)


def baseline(employer_user, rows: list, count: int) -> float:
    """Seconds for `count` payslips through the one-at-a-time service, rolled back afterwards."""
    from django.db import transaction

    from corridor.deployment.models import Journey
    from corridor.payroll import services

    sample = rows[:count]
    journeys = Journey.objects.in_bulk({r["journey"] for r in sample})

    class Rollback(Exception):
        pass

    start = time.perf_counter()
    try:
        with transaction.atomic():
            for r in sample:
                data = {k: v for k, v in r.items() if k != "journey"}
                services.payslip_submit(actor=employer_user, journey=journeys[r["journey"]], **data)
            spent = time.perf_counter() - start
            raise Rollback
    except Rollback:
        pass
    return spent


def engine_alone(rows: list) -> tuple[float, int]:
    """Seconds for the checks engine alone over the rows, parsed and with their terms prepared outside the timing."""
    import gc

    from corridor.contracts.models import Contract
    from corridor.deployment.models import Journey
    from corridor.payroll import bulk, checks, services
    from corridor.programmes.models import Programme
    from corridor.programmes.rulebook import RuleSet
    from corridor.programmes.selectors import rule_version_in_force

    placement = dict(Journey.objects.values_list("pk", "placement_id"))
    pay = {pid: content["pay"] for pid, content in Contract.objects.values_list("placement_id", "content")}
    programme = Programme.objects.get(code="CA-PAYBENCH")
    version = rule_version_in_force(programme=programme)
    rules = RuleSet.model_validate(version.rules)
    prepared = {pid: checks.Prepared(services.terms_from(p, rules, None)) for pid, p in pay.items()}
    work = [(bulk._fast(r)[0], prepared[placement[r["journey"]]]) for r in rows]
    gc.disable()
    start = time.perf_counter()
    flagged = 0
    for slip, terms in work:
        flagged += bool(checks.check(slip, terms).findings)
    spent = time.perf_counter() - start
    gc.enable()
    del work
    return spent, flagged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--payslips", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=20_000)
    parser.add_argument("--jobs", type=int, default=20, help="open job orders the workers are placed at")
    parser.add_argument("--violation", type=float, default=0.10, help="share of payslips with a fault")
    parser.add_argument("--baseline", type=int, default=1_000, help="payslips through the one-at-a-time service")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""),
                        help="postgres://... (default: $DATABASE_URL; SQLite when empty)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (PostgreSQL)")
    parser.add_argument("--dry-run-too", action="store_true", help="also time a dry run of the bulk path first")
    parser.add_argument("--profile", action="store_true", help="profile the bulk run and print the costliest calls")
    args = parser.parse_args()
    if args.payslips < 1 or args.workers < 1 or args.jobs < 1 or args.baseline < 0:
        parser.error("--payslips, --workers and --jobs must be positive")
    if args.baseline > args.payslips:
        args.baseline = args.payslips

    with tempfile.TemporaryDirectory() as tmp:
        setup_django(str(Path(tmp) / "bench.sqlite3"), args.database_url or None)
        from django.db import connection
        from django.test.utils import setup_databases, teardown_databases

        print("Preparing the database (migrations, reference data)...", flush=True)
        t = time.perf_counter()
        old = setup_databases(verbosity=0, interactive=False, keepdb=False, serialized_aliases=set())
        print(f"  {time.perf_counter() - t:.1f} s", flush=True)
        try:
            return run(args, connection)
        finally:
            connection.close()
            if not args.keep:
                teardown_databases(old, verbosity=0)


def run(args, connection) -> int:
    from django.db import transaction
    from django.utils import timezone

    from corridor.core.models import AuditEvent, Notification
    from corridor.deployment.models import SubstitutionAlert
    from corridor.payroll import bulk
    from corridor.payroll.models import Payslip

    rng = random.Random(args.seed)
    vendor = connection.vendor
    if vendor == "postgresql":
        vendor += f" {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    print(f"Building {args.workers:,} employed workers with accounts, placements, accepted contracts and journeys "
          f"(outside the timing; database {vendor})...", flush=True)
    t = time.perf_counter()
    with transaction.atomic():
        employer_user, _programme, order_ids = build_world(rng, args.jobs)
        journeys = build_journeys(rng, args.workers, order_ids, employer_user)
    analyse()
    print(f"  {time.perf_counter() - t:.1f} s", flush=True)
    weeks = -(-args.payslips // args.workers)
    today = timezone.localdate()
    first_monday = today - datetime.timedelta(days=today.weekday() + 7 * (weeks + 1))
    t = time.perf_counter()
    rows = build_rows(rng, journeys, args.payslips, args.violation, first_monday)
    print(f"Pay run: {len(rows):,} weekly payslips ({weeks} weeks from {first_monday}) for {args.workers:,} workers, "
          f"~{args.violation:.0%} with a fault; built in {time.perf_counter() - t:.1f} s (not timed); "
          f"peak memory {peak_rss_mib():,.0f} MiB", flush=True)

    single = baseline(employer_user, rows, args.baseline) if args.baseline else 0.0
    if args.baseline:
        print(f"baseline: {args.baseline:,} payslips through services.payslip_submit one at a time: {single:.2f} s "
              f"({args.baseline / single:,.0f}/s), extrapolated to {args.payslips:,}: "
              f"{single * args.payslips / args.baseline:,.0f} s", flush=True)
    engine, flagged = engine_alone(rows)
    print(f"checks engine alone (payslips parsed and terms prepared beforehand): {engine:.2f} s "
          f"({args.payslips / engine:,.0f}/s), {flagged:,} with findings", flush=True)

    if args.dry_run_too:
        start = time.perf_counter()
        dry = bulk.payslips_bulk_submit(actor=employer_user, rows=rows, dry_run=True)
        spent = time.perf_counter() - start
        print(f"dry run of the bulk path (reads, parse, checks; nothing written): {spent:.2f} s "
              f"({args.payslips / spent:,.0f}/s), {dry.with_findings:,} with findings", flush=True)
    before = Notification.objects.count()
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    timers = Timers()
    start = time.perf_counter()
    try:
        result = bulk.payslips_bulk_submit(actor=employer_user, rows=rows)
    finally:
        wall = time.perf_counter() - start
        timers.restore()
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    saved = Payslip.objects.count()
    assert saved == result.saved == args.payslips, (saved, result.saved)
    if result.with_findings != flagged:
        print(f"note: {result.with_findings:,} with findings on the bulk path against {flagged:,} for the engine alone "
              f"(the bulk path also applies the wage floor and the rule version of each period)")
    notices = Notification.objects.count() - before
    print(f"bulk path: {result.saved:,} payslips saved, {result.with_findings:,} with findings "
          f"({', '.join(f'{c} {n:,}' for c, n in result.findings.items())}); arrears {result.arrears}; "
          f"{notices:,} notices ({result.notices}); "
          f"{SubstitutionAlert.objects.filter(source='pay_run').count():,} substitution alerts; "
          f"{AuditEvent.objects.filter(action='payslip.pay_run').count()} audit event, sha256 {result.digest[:16]}…")
    print("phases of the bulk run:")
    for _m, _a, label in PHASES:
        print(f"  {label:<48} {timers.spent.get(label, 0.0):7.2f} s")
    print(f"  {'the rest (the rows: parse, check, stream; audit)':<48} {wall - sum(timers.spent.values()):7.2f} s")
    print()
    print(f"TOTAL (bulk path, reads + checks + writes + notices + audit, committed): {wall:.2f} s = "
          f"{args.payslips / wall:,.0f} payslips/s")
    if args.baseline:
        extrapolated = single * args.payslips / args.baseline
        print(f"ratio to the one-at-a-time service (extrapolated {extrapolated:,.0f} s): {extrapolated / wall:,.1f}x faster")
    print(f"ratio to the checks engine alone ({engine:.2f} s): the bulk path takes {wall / engine:.2f}x the engine's time")
    print(f"target: {wall:.2f} s / {TARGET_SECONDS:.0f} s = {wall / TARGET_SECONDS:.0%} "
          f"({'met' if wall <= TARGET_SECONDS else 'NOT met'} for {args.payslips:,} payslips)")
    print(f"peak memory: {peak_rss_mib():,.0f} MiB")
    return 0 if wall <= TARGET_SECONDS * args.payslips / 1_000_000 else 1


if __name__ == "__main__":
    sys.exit(main())
