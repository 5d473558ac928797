"""Benchmark the bulk import of job orders: check (dry run) and import a generated file of valid job orders.

Run from the repository root, against PostgreSQL or (without DATABASE_URL) SQLite:

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/corridor .venv/bin/python bench/joborder_import.py --rows 20000
    .venv/bin/python bench/joborder_import.py --rows 2000

The script creates a throwaway database (`test_corridor_bench` on the PostgreSQL server, a temporary file for
SQLite), migrates it, sets up a programme, wage figures and an approved employer with worksites and housing through
the services, generates a CSV file of `--rows` valid job orders, times the dry run and the real import separately,
and drops the database again. The target is 60 seconds for checking and importing 20,000 rows together.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_SECONDS = 60.0
TODAY = datetime.date(2027, 3, 1)
SEASON_START = datetime.date(2027, 4, 5)
BENCH_DB = "corridor_bench"


def setup_django(sqlite_path: str | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.test_settings")
    import django
    from django.conf import settings

    django.setup()
    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})
    database["TEST"]["NAME"] = sqlite_path if database["ENGINE"].endswith("sqlite3") else f"test_{BENCH_DB}"


def build_world(workers_sites: int):
    """A programme (Canadian seasonal preset) with corridors, wage figures, and an approved employer with
    `workers_sites` worksites, each with a housing unit. Everything goes through the services."""
    from corridor.accounts import services as account_services
    from corridor.accounts.models import Organisation, OrgKind
    from corridor.core.access import Role
    from corridor.employers import services as employer_services
    from corridor.programmes import services as programme_services
    from corridor.programmes.models import ProgrammeStatus
    from corridor.programmes.presets import PRESETS
    from corridor.wages import services as wage_services

    def user(role, kind, country, name):
        org = Organisation.objects.create(name=name, kind=kind, country=country)
        person = account_services.user_create(
            actor=None, username=f"bench-{role}", password="bench-password-0123456789", organisation=org,
            check_password=False,
        )
        account_services.role_grant(actor=None, user=person, role=role)
        return type(person).objects.get(pk=person.pk)

    admin = user(Role.PLATFORM_ADMIN, OrgKind.PLATFORM, "CA", "Bench platform")
    ministry = user(Role.MINISTRY_ADMIN, OrgKind.DESTINATION_MINISTRY, "CA", "Bench ministry")
    employer_user = user(Role.EMPLOYER, OrgKind.EMPLOYER, "CA", "Bench Farms Ltd")
    mx = Organisation.objects.create(name="Bench origin authority MX", kind=OrgKind.ORIGIN_AUTHORITY, country="MX")
    jm = Organisation.objects.create(name="Bench origin authority JM", kind=OrgKind.ORIGIN_AUTHORITY, country="JM")

    rules = dict(PRESETS["ca-sawp"].rules)
    programme = programme_services.programme_create(
        actor=ministry, code="CA-BENCH", name="Bench seasonal programme", institutional_design="multilateral",
        category="seasonal", destination_country="CA", rules=rules, rules_effective_from=datetime.date(2026, 1, 1),
    )
    programme_services.corridor_add(actor=ministry, programme=programme, origin_country="MX", competent_authority=mx)
    programme_services.corridor_add(actor=ministry, programme=programme, origin_country="JM", competent_authority=jm)
    programme_services.programme_set_status(actor=ministry, programme=programme, status=ProgrammeStatus.ACTIVE)
    programme.refresh_from_db()

    source = wage_services.wage_source_create(actor=admin, name="Bench wage survey")
    regions = ["Ontario", "Quebec", "British Columbia"]
    for region in regions:
        for isco in ("9211", "6111", "9212"):
            wage_services.prevailing_wage_create(
                actor=admin, source=source, country="CA", region=region, isco_code=isco, year=2026, amount="17.20",
                currency="CAD", unit="hour",
            )
        wage_services.minimum_wage_create(
            actor=admin, source=source, country="CA", region=region, valid_from=datetime.date(2025, 10, 1),
            amount="17.60", currency="CAD", unit="hour",
        )

    employer = employer_services.employer_register(
        actor=employer_user, business_id="BN BENCH 1", sectors=["A"], contact_name="Bench Boss",
        contact_email="boss@example.org",
        worksites=[
            {"name": f"Farm {i}", "address": f"{i} Farm Road", "region": regions[i % len(regions)], "country": "CA"}
            for i in range(workers_sites)
        ],
    )
    for site in employer.worksites.all():
        employer_services.housing_unit_create(
            actor=employer_user, worksite=site, address=f"Bunkhouse at {site.name}", beds_per_room=[2, 2, 2, 2],
            floor_area_m2="80", facilities=["kitchen", "laundry", "heating", "toilets", "shower", "drinking water", "bed"],
            charge_amount="0", charge_currency="CAD",
        )
    employer_services.employer_apply(actor=employer_user, employer=employer, programme=programme)
    employer_services.employer_approve(actor=ministry, employer=employer, programme=programme)
    return programme, employer_user, employer


COLUMNS = [
    "title", "origin_countries", "isco_code", "sector", "positions", "start_date", "end_date", "worksite",
    "wage_amount", "wage_currency", "wage_unit", "hours_per_week", "overtime_rate_percent", "deductions", "housing",
    "language", "description", "advert_channel", "advert_start", "advert_end", "local_applicants", "local_hires",
]


def build_file(rows: int, sites: int, seed: int) -> bytes:
    """`rows` valid job orders, seeded; worksites and housing named as a person would write them."""
    rng = random.Random(seed)
    titles = {"9211": "Fruit harvest", "6111": "Vegetable growing", "9212": "Livestock farm work"}
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for i in range(rows):
        isco = rng.choice(list(titles))
        site = rng.randrange(sites)
        start = SEASON_START + datetime.timedelta(days=7 * rng.randrange(12))
        end = start + datetime.timedelta(days=7 * rng.randrange(8, 30))
        writer.writerow([
            f"{titles[isco]} #{i + 1}", rng.choice(["MX;JM", "MX", "JM"]), isco, "A", rng.randint(1, 8),
            start.isoformat(), end.isoformat(), f"Farm {site}", f"{rng.randint(1800, 2400) / 100:.2f}", "CAD", "hour",
            rng.choice(["40", "45", "48"]), "150", f"tax:{rng.randint(100, 300)}", f"Bunkhouse at Farm {site}",
            "es", "Seasonal work; transport to the fields provided.", "Job Bank", "2027-01-04", "2027-02-28",
            rng.randint(0, 5), 0,
        ])
    return out.getvalue().encode("utf-8")


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--sites", type=int, default=25, help="worksites (each with housing) of the employer")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--draft", action="store_true", help="import drafts (without the rule checks of submission)")
    parser.add_argument("--tracemalloc", action="store_true", help="also measure Python allocations (slower)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        setup_django(str(Path(tmp) / "bench.sqlite3"))
        from django.db import connection
        from django.test.utils import setup_databases, teardown_databases

        print("Preparing a throwaway database (migrations, reference data)...", flush=True)
        old = setup_databases(verbosity=0, interactive=False, keepdb=False)
        try:
            return run(args, connection)
        finally:
            connection.close()
            teardown_databases(old, verbosity=0)


def run(args, connection) -> int:
    from corridor.joborders import imports
    from corridor.joborders.models import JobOrder, LabourMarketAdvert

    programme, employer_user, _employer = build_world(args.sites)
    data = build_file(args.rows, args.sites, args.seed)
    submit = not args.draft
    vendor = connection.vendor
    if vendor == "postgresql":
        vendor += f" {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    else:
        vendor += f" {connection.Database.sqlite_version}"
    print(f"{args.rows:,} rows, {len(data) / 1024 / 1024:.1f} MiB CSV, {args.sites} worksites, "
          f"{'submitted (rule checks on every row)' if submit else 'drafts'}, database: {vendor}")
    if args.tracemalloc:
        tracemalloc.start()

    t0 = time.perf_counter()
    report = imports.job_order_import(actor=employer_user, programme=programme, data=data, filename="bench.csv",
                                      dry_run=True, submit=submit, today=TODAY)
    t1 = time.perf_counter()
    if not report.ok:
        print("The generated file has errors:", report.errors[:5])
        return 1
    report = imports.job_order_import(actor=employer_user, programme=programme, data=data, filename="bench.csv",
                                      dry_run=False, submit=submit, today=TODAY)
    t2 = time.perf_counter()
    traced = tracemalloc.get_traced_memory()[1] / 1024 / 1024 if args.tracemalloc else None

    orders, adverts = JobOrder.objects.count(), LabourMarketAdvert.objects.count()
    assert orders == args.rows == report.created and adverts == args.rows, (orders, adverts, report.created)
    dry, real, total = t1 - t0, t2 - t1, t2 - t0
    print(f"dry run : {dry:7.2f} s  {args.rows / dry:9,.0f} rows/s")
    print(f"import  : {real:7.2f} s  {args.rows / real:9,.0f} rows/s  (checks again, then writes {orders:,} orders "
          f"and {adverts:,} adverts)")
    print(f"together: {total:7.2f} s  {args.rows / total:9,.0f} rows/s  = {total / TARGET_SECONDS:.1%} of the "
          f"{TARGET_SECONDS:.0f} s target")
    print(f"peak memory: {peak_rss_mib():.0f} MiB resident" + (f", {traced:.0f} MiB traced Python allocations" if traced else ""))
    return 0 if total < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
