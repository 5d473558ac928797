"""Benchmark a selection run on the database, end to end: load the round, solve it, write the run, its job orders
and every worker's outcome with the details their explanation is made from.

Run from the repository root, against PostgreSQL (the figure of issue 5) or, for small checks, SQLite:

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/corridor .venv/bin/python bench/selection_db.py
    DATABASE_URL=postgres://postgres@127.0.0.1:55432/corridor .venv/bin/python bench/selection_db.py --workers 20000 --jobs 500
    .venv/bin/python bench/selection_db.py --workers 2000 --jobs 100

The script creates a throwaway database (`test_corridor_bench_selection` on the PostgreSQL server, a temporary file
for SQLite) and migrates it. Outside the timing, it sets up a programme (Canadian seasonal preset) with three
corridors and their origin authorities, a programme administrator, and an approved employer with worksites and
housing through the services; then writes in bulk (COPY on PostgreSQL) `--jobs` open job orders of 1-8 positions
accepting one to three of the origin countries, and `--workers` work-ready workers with a passport, a medical
clearance, occupations, a consent to take part in selection, and for some of them language results, completed
seasons (returning workers), skills tests and a consented nomination by the employer. A round is opened and every
worker ranks `--prefs` job orders open to their nationality, mostly in their own occupation, drawn with a Zipf-like
popularity skew. The build runs in a child process, so that the peak memory printed is the run's.

It then times `services.run_round(publish=True)` `--repeat` times (a re-run with a reason supersedes the previous
published run; `--dry-run` for dry runs instead) and prints the median wall time against the 60 s target, the time
of each phase of the run (the functions of loading.py, assign.py and services.py it calls, measured inside the
same calls), the peak memory, and how long making the explanation of one worker's outcome takes. `--keep` keeps the
database; `--reuse` runs again on a database kept before (same --workers, --jobs and --prefs); `--profile` prints
where a run spends its time.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_SECONDS = 60.0
BENCH_DB = "corridor_bench_selection"
PROGRAMME = "CA-SELBENCH"
ORIGINS = ("MX", "JM", "GT")
REGIONS = {
    "MX": ["Oaxaca", "Tlaxcala", "Puebla", "Chiapas", "Guanajuato", "Michoacán", "Zacatecas", "Veracruz"],
    "JM": ["St. Elizabeth", "Clarendon", "Manchester", "St. Thomas", "Westmoreland", "Portland"],
    "GT": ["Huehuetenango", "San Marcos", "Quiché", "Alta Verapaz", "Petén"],
}
NAMES = {
    "MX": (["José", "Juan", "Luis", "María", "Guadalupe", "Ana", "Pedro", "Rosa", "Jorge", "Verónica"],
           ["García", "Hernández", "López", "Martínez", "Pérez", "Ramírez", "Cruz", "Flores", "Reyes", "Torres"]),
    "JM": (["Kemar", "Andre", "Marlon", "Shanice", "Tameka", "Devon", "Omar", "Latoya", "Ricardo", "Sade"],
           ["Brown", "Williams", "Campbell", "Smith", "Clarke", "Reid", "Grant", "Gordon", "Lewis", "Bailey"]),
    "GT": (["Juan", "María", "Marvin", "Ingrid", "Byron", "Sandra", "Edgar", "Glenda", "Otto", "Lesbia"],
           ["Pérez", "López", "Xicará", "Tzul", "Ajú", "Coc", "Chen", "Morales", "Gómez", "Caal"]),
}
LANGUAGE = {"MX": "es", "JM": "en", "GT": "es"}
# ISCO-08 codes of the job orders and their shares; workers mostly hold the same ones.
JOB_ISCO = [("9211", 70), ("6111", 20), ("9212", 10)]
CEFR = ["A1", "A2", "A2", "B1", "B1", "B2", "C1"]


def setup_django(sqlite_path: str | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.test_settings")
    import django
    from django.conf import settings

    django.setup()
    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})
    database["TEST"]["NAME"] = sqlite_path if database["ENGINE"].endswith("sqlite3") else f"test_{BENCH_DB}"


def peak_rss_mib(who: int | None = None) -> float:
    return resource.getrusage(resource.RUSAGE_SELF if who is None else who).ru_maxrss / 1024


# --- bulk writes -------------------------------------------------------------------------------------------------


def insert(model, rows: list[dict]) -> None:
    """Write `rows` (attribute name -> value) in bulk: COPY on PostgreSQL, bulk_create elsewhere. Fields not given
    take the model's default (the time now for auto_now fields)."""
    from django.db import connection, models
    from django.utils import timezone

    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**r) for r in rows], batch_size=5000)
        return
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults, jsons = [], []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults.append(now)
        else:
            defaults.append(f.get_default())
        jsons.append(isinstance(f, models.JSONField))
    names = [f.attname for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    plan = list(zip(names, defaults, jsons, strict=True))
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = []
            for name, default, is_json in plan:
                value = row.get(name, default)
                values.append(json.dumps(value) if is_json and value is not None else value)
            copy.write_row(values)


def insert_preferences(round_id: int, rows) -> None:
    """(worker id, job order id, rank) rows of one round."""
    from django.db import connection
    from django.utils import timezone

    from corridor.selection.models import Preference

    if connection.vendor != "postgresql":
        batch = []
        for worker_id, job_id, rank in rows:
            batch.append(Preference(round_id=round_id, worker_id=worker_id, job_order_id=job_id, rank=rank))
            if len(batch) >= 20000:
                Preference.objects.bulk_create(batch, batch_size=5000)
                batch = []
        Preference.objects.bulk_create(batch, batch_size=5000)
        return
    now = timezone.now()
    with connection.cursor() as cursor, cursor.cursor.copy(
        "COPY selection_preference (round_id, worker_id, job_order_id, rank, created_at) FROM STDIN"
    ) as copy:
        for worker_id, job_id, rank in rows:
            copy.write_row((round_id, worker_id, job_id, rank, now))


def analyse() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- the world -----------------------------------------------------------------------------------------------------


def build_world(sites: int):
    """The programme with its corridors, its administrator and an approved employer with worksites and housing,
    through the services."""
    from corridor.accounts import services as account_services
    from corridor.accounts.models import Organisation, OrgKind
    from corridor.core.access import Role
    from corridor.employers import services as employer_services
    from corridor.programmes import services as programme_services
    from corridor.programmes.models import ProgrammeStatus
    from corridor.programmes.presets import PRESETS

    def user(role, kind, country, name, username):
        org = Organisation.objects.create(name=name, kind=kind, country=country)
        person = account_services.user_create(actor=None, username=username, password="bench-password-0123456789",
                                              organisation=org, check_password=False)
        account_services.role_grant(actor=None, user=person, role=role)
        return type(person).objects.get(pk=person.pk)

    admin = user(Role.MINISTRY_ADMIN, OrgKind.DESTINATION_MINISTRY, "CA", "Bench ministry", "bench-ministry")
    employer_user = user(Role.EMPLOYER, OrgKind.EMPLOYER, "CA", "Bench Orchards Ltd", "bench-employer")
    programme = programme_services.programme_create(
        actor=admin, code=PROGRAMME, name="Bench seasonal programme", institutional_design="multilateral",
        category="seasonal", destination_country="CA", rules=dict(PRESETS["ca-sawp"].rules),
        rules_effective_from=datetime.date(2026, 1, 1),
    )
    authorities = {}
    for country in ORIGINS:
        authorities[country] = Organisation.objects.create(name=f"Bench origin authority {country}",
                                                           kind=OrgKind.ORIGIN_AUTHORITY, country=country)
        programme_services.corridor_add(actor=admin, programme=programme, origin_country=country,
                                        competent_authority=authorities[country])
    programme_services.programme_set_status(actor=admin, programme=programme, status=ProgrammeStatus.ACTIVE)
    programme.refresh_from_db()
    regions = ["Ontario", "Quebec", "British Columbia"]
    employer = employer_services.employer_register(
        actor=employer_user, business_id="BN SELBENCH 1", sectors=["A"], contact_name="Bench Boss",
        contact_email="boss@example.org",
        worksites=[{"name": f"Farm {i}", "address": f"{i} Farm Road", "region": regions[i % len(regions)], "country": "CA"}
                   for i in range(sites)],
    )
    units = []
    for site in employer.worksites.order_by("pk"):
        units.append(employer_services.housing_unit_create(
            actor=employer_user, worksite=site, address=f"Bunkhouse at {site.name}", beds_per_room=[2, 2, 2, 2],
            floor_area_m2="80", facilities=["kitchen", "laundry", "heating", "toilets", "shower", "drinking water"],
            charge_amount="0", charge_currency="CAD",
        ))
    employer_services.employer_apply(actor=employer_user, employer=employer, programme=programme)
    employer_services.employer_approve(actor=admin, employer=employer, programme=programme)
    return admin, employer_user, programme, employer, units, authorities


def build_job_orders(rng: random.Random, count: int, programme, employer, employer_user, admin, units, today):
    """`count` open job orders; returns [(id, isco, accepted origin countries)]."""
    from django.utils import timezone

    from corridor.joborders.models import JobOrder
    from corridor.programmes.selectors import rule_version_in_force

    version = rule_version_in_force(programme=programme)
    now = timezone.now()
    first = today + datetime.timedelta(days=(7 - today.weekday()) % 7 + 35)  # a Monday five weeks or more ahead
    iscos, weights = zip(*JOB_ISCO, strict=True)
    titles = {"9211": "Fruit harvest", "6111": "Vegetable growing", "9212": "Livestock farm work"}
    accept = [(("MX", "JM", "GT"), 35), (("MX",), 20), (("JM",), 10), (("GT",), 10), (("MX", "JM"), 10),
              (("MX", "GT"), 10), (("JM", "GT"), 5)]
    rows = []
    for i in range(count):
        unit = units[i % len(units)]
        isco = rng.choices(iscos, weights=weights)[0]
        origins = sorted(rng.choices([a for a, _ in accept], weights=[w for _, w in accept])[0])
        start = first + datetime.timedelta(days=7 * rng.randrange(14))
        end = start + datetime.timedelta(days=7 * rng.randrange(8, 32))
        english = rng.random() < 0.08
        rows.append({
            "reference": f"JO-SB-{i + 1:07d}", "employer_id": employer.pk, "programme_id": programme.pk, "status": "open",
            "title": f"{titles[isco]} #{i + 1}", "origin_countries": origins, "origins_index": "," + ",".join(origins) + ",",
            "isco_code": isco, "sector": "A", "positions": rng.randint(1, 8), "start_date": start, "end_date": end,
            "worksite_id": unit.worksite_id, "housing_id": unit.pk, "wage_amount": Decimal(rng.randint(1800, 2400)) / 100,
            "wage_currency": "CAD", "wage_unit": "hour", "hours_per_week": Decimal(rng.choice([40, 45, 48])),
            "language": "en" if english else "", "language_level": "A2" if english else "",
            "min_experience_months": 12 if rng.random() < 0.05 else 0,
            "description": "Seasonal work; transport to the fields provided.", "rule_version_id": version.pk,
            "submitted_by_id": employer_user.pk, "submitted_at": now - datetime.timedelta(days=30),
            "reviewed_by_id": admin.pk, "reviewed_at": now - datetime.timedelta(days=25),
            "approved_by_id": admin.pk, "approved_at": now - datetime.timedelta(days=20),
            "opened_at": now - datetime.timedelta(days=19), "quota_year": start.year,
        })
    insert(JobOrder, rows)
    ids = dict(JobOrder.objects.filter(programme=programme).values_list("reference", "pk"))
    return [(ids[r["reference"]], r["isco_code"], r["origin_countries"]) for r in rows]


def build_workers(rng: random.Random, count: int, programme, employer, authorities, today, chunk: int = 50_000):
    """`count` work-ready workers with everything selection looks at; returns [(id, nationality, occupation,
    returning)] in id order."""
    from django.utils import timezone

    from corridor.selection.models import SeasonRecord, SkillsTest
    from corridor.workers.models import (
        Consent,
        IdentityDocument,
        LanguageResult,
        MedicalClearance,
        Worker,
        WorkerOccupation,
    )

    now = timezone.now()
    iscos, weights = zip(*JOB_ISCO, strict=True)
    out = []
    for start in range(0, count, chunk):
        size = min(chunk, count - start)
        people = []
        for n in range(start, start + size):
            country = ORIGINS[rng.choices(range(3), weights=[55, 30, 15])[0]]
            given_pool, family_pool = NAMES[country]
            given, family = rng.choice(given_pool), f"{rng.choice(family_pool)} {rng.choice(family_pool)}"
            verified = now - datetime.timedelta(days=rng.randint(40, 900))
            people.append({
                "public_id": f"SB{n:08d}", "given_names": given, "family_names": family,
                "name_key": f"{given} {family}".casefold(), "sex": "female" if rng.random() < 0.3 else "male",
                "date_of_birth": today - datetime.timedelta(days=rng.randint(19 * 365, 55 * 365)),
                "nationality": country, "region_of_origin": rng.choice(REGIONS[country]), "language": LANGUAGE[country],
                "status": "work_ready", "registered_via": "origin", "registered_by_organisation_id": authorities[country].pk,
                "confirmed_at": verified - datetime.timedelta(days=5), "verified_at": verified,
                "work_ready_at": verified + datetime.timedelta(days=rng.randint(1, 30)),
            })
        insert(Worker, people)
        ids = dict(Worker.objects.filter(public_id__in=[p["public_id"] for p in people]).values_list("public_id", "pk"))
        documents, medical, occupations, languages, consents, seasons, skills = [], [], [], [], [], [], []
        for p in people:
            wid, country = ids[p["public_id"]], p["nationality"]
            issued = today - datetime.timedelta(days=rng.randint(30, 9 * 365))
            expires = issued + datetime.timedelta(days=10 * 365)
            if rng.random() < 0.015:  # a passport that runs out during the season
                expires = today + datetime.timedelta(days=rng.randint(60, 200))
                issued = expires - datetime.timedelta(days=10 * 365)
            documents.append({"worker_id": wid, "kind": "passport", "number": f"P{p['public_id']}",
                              "number_key": f"p{p['public_id'].lower()}", "issuing_country": country,
                              "issued_on": issued, "expires_on": expires})
            checked = today - datetime.timedelta(days=rng.randint(1, 180))
            medical.append({"worker_id": wid, "fit": rng.random() < 0.97, "issued_on": checked,
                            "valid_until": checked + datetime.timedelta(days=365), "issued_by": "Bench clinic"})
            primary = rng.choices(iscos, weights=weights)[0]
            codes = {primary} | ({rng.choice(iscos)} if rng.random() < 0.2 else set())
            for code in sorted(codes):
                occupations.append({"worker_id": wid, "isco_code": code,
                                    "years_experience": Decimal(rng.randint(0, 150)) / 10})
            if rng.random() < 0.3:
                taken = today - datetime.timedelta(days=rng.randint(30, 600))
                languages.append({"worker_id": wid, "language": "en", "test": "English test", "level": rng.choice(CEFR),
                                  "taken_on": taken, "valid_until": taken + datetime.timedelta(days=2 * 365)})
            if rng.random() < 0.98:
                consents.append({"worker_id": wid, "purpose": "selection", "programme_id": programme.pk,
                                 "language": p["language"], "given_via": "web",
                                 "wording": f"I take part in selection for {PROGRAMME}."})
            returning = rng.random() < 0.15
            if returning:
                for year in sorted(rng.sample([today.year - 2, today.year - 1], rng.choice([1, 1, 2]))):
                    seasons.append({"worker_id": wid, "programme_id": programme.pk, "year": year, "employer_id": employer.pk,
                                    "completed": True, "returned_as_agreed": rng.random() < 0.92})
            if rng.random() < 0.2:
                skills.append({"worker_id": wid, "isco_code": primary, "test": "Harvest skills test",
                               "score": Decimal(rng.randint(4000, 10000)) / 100,
                               "taken_on": today - datetime.timedelta(days=rng.randint(10, 400))})
            out.append((wid, country, primary, returning))
        for model, rows in ((IdentityDocument, documents), (MedicalClearance, medical), (WorkerOccupation, occupations),
                            (LanguageResult, languages), (Consent, consents), (SeasonRecord, seasons),
                            (SkillsTest, skills)):
            insert(model, rows)
    out.sort()
    return out


def build_preferences(seed: int, rnd, workers, jobs, prefs: int, zipf: float) -> tuple[int, list[list[int]]]:
    """Each worker ranks `prefs` job orders open to their nationality (fewer when fewer are open), most of them in
    the worker's occupation, drawn without repetition with a Zipf-like popularity: the job order of popularity rank
    r is drawn with weight 1 / r ** zipf."""
    import numpy as np

    gen = np.random.default_rng(seed)
    m = len(jobs)
    weight = 1.0 / (gen.permutation(m) + 1.0) ** zipf
    accepts = {c: np.array([c in origins for _, _, origins in jobs]) for c in ORIGINS}
    isco = np.array([code for _, code, _ in jobs])
    job_ids = np.array([pk for pk, _, _ in jobs], dtype=np.int64)
    pools: dict[tuple, tuple] = {}

    def pool(country: str, code: str | None):
        key = (country, code)
        if key not in pools:
            mask = accepts[country] & ((isco == code) if code else True)
            if not mask.any():
                mask = accepts[country]
            cands = np.flatnonzero(mask)
            p = weight[cands] / weight[cands].sum()
            pools[key] = (cands, p)
        return pools[key]

    groups: dict[tuple, list[int]] = {}
    for w, (_wid, country, primary, _returning) in enumerate(workers):
        groups.setdefault((country, primary), []).append(w)
    ranked: list[list[int]] = [[] for _ in workers]
    for (country, primary), members in groups.items():
        own, own_p = pool(country, primary)
        any_, any_p = pool(country, None)
        want = min(prefs, len(any_))
        draws = own[gen.choice(len(own), size=(len(members), 3 * prefs), p=own_p)]
        strays = any_[gen.choice(len(any_), size=(len(members), prefs), p=any_p)]
        stray_at = gen.random((len(members), prefs)) < 0.05
        for row, w in enumerate(members):
            chosen = list(dict.fromkeys(draws[row].tolist()))[:want]
            for k in range(len(chosen)):
                if stray_at[row, k] and int(strays[row, k]) not in chosen:
                    chosen[k] = int(strays[row, k])
            while len(chosen) < want:  # a small pool: top up from every job order open to the worker
                extra = int(any_[gen.choice(len(any_), p=any_p)])
                if extra not in chosen:
                    chosen.append(extra)
            ranked[w] = chosen

    def rows():
        for w, (wid, _c, _o, _r) in enumerate(workers):
            for rank, j in enumerate(ranked[w], start=1):
                yield wid, int(job_ids[j]), rank

    insert_preferences(rnd.pk, rows())
    return sum(len(r) for r in ranked), ranked


def build_nominations(rng: random.Random, rnd, workers, ranked, jobs, positions) -> int:
    """Consented nominations of returning workers to their first choice, within each job order's positions."""
    from django.utils import timezone

    from corridor.selection.models import Nomination

    now = timezone.now()
    named = [0] * len(jobs)
    rows = []
    for w, (wid, _c, _o, returning) in enumerate(workers):
        if returning and ranked[w] and rng.random() < 0.1:
            j = ranked[w][0]
            if named[j] < positions[j]:
                named[j] += 1
                rows.append({"round_id": rnd.pk, "job_order_id": jobs[j][0], "worker_id": wid, "status": "consented",
                             "nominated_at": now, "answered_at": now})
    insert(Nomination, rows)
    assert Nomination.objects.filter(round=rnd).count() == len(rows)
    return len(rows)


def build(args) -> dict:
    """Everything the run reads; returns the counts."""
    from django.db import transaction
    from django.utils import timezone

    from corridor.joborders.models import JobOrder
    from corridor.selection import services

    rng = random.Random(args.seed)
    today = timezone.localdate()
    t = time.perf_counter()
    with transaction.atomic():
        admin, employer_user, programme, employer, units, authorities = build_world(args.sites)
        jobs = build_job_orders(rng, args.jobs, programme, employer, employer_user, admin, units, today)
    print(f"  world and {len(jobs):,} job orders: {time.perf_counter() - t:.1f} s", flush=True)
    t = time.perf_counter()
    with transaction.atomic():
        workers = build_workers(rng, args.workers, programme, employer, authorities, today)
    print(f"  {len(workers):,} workers with documents, medical clearances, occupations, consents: "
          f"{time.perf_counter() - t:.1f} s", flush=True)
    t = time.perf_counter()
    with transaction.atomic():
        rnd = services.round_create(actor=admin, programme=programme, title="Bench round")
        count, ranked = build_preferences(args.seed, rnd, workers, jobs, args.prefs, args.zipf)
        positions = dict(JobOrder.objects.filter(programme=programme).values_list("pk", "positions"))
        nominated = build_nominations(rng, rnd, workers, ranked, jobs, [positions[pk] for pk, _, _ in jobs])
    print(f"  {count:,} preferences and {nominated:,} nominations: {time.perf_counter() - t:.1f} s", flush=True)
    t = time.perf_counter()
    analyse()
    print(f"  ANALYZE: {time.perf_counter() - t:.1f} s", flush=True)
    return {"preferences": count, "nominations": nominated}


def build_in_child(args) -> None:
    """Build in a forked child, so that the parent's peak memory is the run's own."""
    from django.db import connections

    connections.close_all()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            build(args)
            code = 0
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            connections.close_all()
            sys.stdout.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("Building the data failed.")


# --- the run ---------------------------------------------------------------------------------------------------------

# Functions a run calls, timed inside the run: (module, attribute, label). Nested ones are part of their parent.
PHASES = [
    ("corridor.selection.loading", "load", "load (reads, eligibility, priorities)"),
    ("corridor.selection.loading", "worker_info", "  of which worker_info (worker facts)"),
    ("corridor.selection.loading", "inputs_hash", "inputs hash"),
    ("corridor.selection.assign", "solve", "solve"),
    ("corridor.selection.assign", "statuses", "statuses"),
    ("corridor.selection.assign", "summary", "summary"),
    ("corridor.selection.services", "_write_results", "write job orders and outcomes"),
]


class Timers:
    def __init__(self):
        import importlib

        self.spent: dict[str, float] = {}
        self.saved = []
        for module_name, attr, label in PHASES:
            module = importlib.import_module(module_name)
            original = getattr(module, attr, None)
            if original is None:  # renamed or gone: that phase counts in "other"
                continue
            self.saved.append((module, attr, original))
            setattr(module, attr, self._wrap(original, label))

    def _wrap(self, fn, label):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.spent[label] = self.spent.get(label, 0.0) + time.perf_counter() - start

        return timed

    def restore(self):
        for module, attr, original in self.saved:
            setattr(module, attr, original)


def explanation_times(run, sample: int, seed: int) -> tuple[float, float]:
    """Median and slowest time to make one worker's explanation (the sentences the worker reads), in ms."""
    from corridor.selection import selectors
    from corridor.selection.models import Outcome

    ids = list(Outcome.objects.filter(run=run).values_list("pk", flat=True))
    picked = random.Random(seed).sample(ids, min(sample, len(ids)))
    spent = []
    for pk in picked:
        start = time.perf_counter()
        outcome = Outcome.objects.select_related("run").get(pk=pk)
        rows = selectors.explanation(outcome=outcome)
        assert all(r["text"] for r in rows)
        spent.append((time.perf_counter() - start) * 1000)
    return statistics.median(spent), max(spent)


def check_run(run, workers: int, jobs: int) -> dict:
    from django.db.models import Count, Sum

    from corridor.selection.models import Outcome, RunJobOrder

    agg = RunJobOrder.objects.filter(run=run).aggregate(n=Count("pk"), positions=Sum("capacity"), selected=Sum("selected"))
    outcomes = Outcome.objects.filter(run=run).count()
    matched = Outcome.objects.filter(run=run, job_order__isnull=False).count()
    assert agg["n"] == jobs, agg
    assert outcomes == workers, (outcomes, workers)
    assert matched == agg["selected"] <= agg["positions"], (matched, agg)
    return {"outcomes": outcomes, "selected": matched, "positions": agg["positions"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=200_000)
    parser.add_argument("--jobs", type=int, default=5_000)
    parser.add_argument("--prefs", type=int, default=10, help="job orders each worker ranks")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs; the median is reported")
    parser.add_argument("--dry-run", action="store_true", help="time dry runs instead of published runs")
    parser.add_argument("--zipf", type=float, default=0.7, help="popularity skew of the job orders")
    parser.add_argument("--sites", type=int, default=25, help="worksites (each with housing) of the employer")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="run on the database kept by an earlier --keep")
    parser.add_argument("--profile", action="store_true", help="profile the last run and print the costliest calls")
    parser.add_argument("--explain", type=int, default=200, help="outcomes whose explanation is timed")
    args = parser.parse_args()
    if args.workers < 1 or args.jobs < 1 or not 1 <= args.prefs <= 50 or args.repeat < 1:
        parser.error("--workers, --jobs and --repeat must be positive, --prefs 1 to 50")

    with tempfile.TemporaryDirectory() as tmp:
        sqlite = str(Path(tmp) / "bench.sqlite3")
        setup_django(sqlite)
        from django.db import connection
        from django.test.utils import setup_databases, teardown_databases

        if connection.vendor != "postgresql" and (args.keep or args.reuse):
            parser.error("--keep and --reuse need PostgreSQL (DATABASE_URL)")
        print("Preparing the database (migrations, reference data)...", flush=True)
        old = setup_databases(verbosity=0, interactive=False, keepdb=args.keep or args.reuse, serialized_aliases=set())
        try:
            return run(args, connection)
        finally:
            connection.close()
            if not args.keep:
                teardown_databases(old, verbosity=0)
            else:
                print(f"Database kept: {connection.settings_dict['NAME']} (run again with --reuse; drop it with "
                      f"dropdb)")


def run(args, connection) -> int:
    from corridor.accounts.models import User
    from corridor.programmes.models import Programme
    from corridor.selection import services
    from corridor.selection.models import Nomination, Preference, RunStatus, SelectionRound

    existing = Programme.objects.filter(code=PROGRAMME).first()
    if existing is not None and not args.reuse:
        print(f"The database already holds {PROGRAMME}; run with --reuse, or without --keep once to drop it.")
        return 1
    if existing is None:
        if args.reuse:
            print("Nothing to reuse: building the data first.")
        print(f"Building {args.workers:,} workers x {args.jobs:,} job orders x {args.prefs} preferences "
              f"(outside the timing)...", flush=True)
        t = time.perf_counter()
        if connection.vendor == "postgresql":
            build_in_child(args)
        else:
            build(args)
        child = (f" (peak memory of the build {peak_rss_mib(resource.RUSAGE_CHILDREN):.0f} MiB)"
                 if connection.vendor == "postgresql" else "")
        print(f"built in {time.perf_counter() - t:.1f} s{child}", flush=True)
    rnd = SelectionRound.objects.select_related("programme").get(programme__code=PROGRAMME, number=1, origin_country="")
    admin = User.objects.get(username="bench-ministry")
    if rnd.running_since is not None:  # left by an interrupted bench run on a kept database
        SelectionRound.objects.filter(pk=rnd.pk).update(running_since=None)
    workers = Preference.objects.filter(round=rnd).values("worker_id").distinct().count()
    jobs = rnd.programme.job_orders.filter(status="open").count()
    prefs = Preference.objects.filter(round=rnd).count()
    vendor = connection.vendor
    if vendor == "postgresql":
        vendor += f" {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    else:
        vendor += f" {connection.Database.sqlite_version}"
    print(f"round: {workers:,} workers ranking {jobs:,} job orders, {prefs:,} preferences, "
          f"{Nomination.objects.filter(round=rnd).count():,} consented nominations; database: {vendor}", flush=True)

    rss_before = peak_rss_mib()
    walls, phases, runs = [], [], []
    for i in range(args.repeat):
        publish = not args.dry_run
        reason = f"Benchmark re-run {i + 1}" if publish and rnd.runs.filter(status=RunStatus.PUBLISHED).exists() else ""
        profiler = None
        if args.profile and i == args.repeat - 1:
            import cProfile

            profiler = cProfile.Profile()
        timers = Timers()
        try:
            start = time.perf_counter()
            if profiler is not None:
                profiler.enable()
            result = services.run_round(actor=admin, rnd=rnd, publish=publish, reason=reason)
            wall = time.perf_counter() - start
            if profiler is not None:
                profiler.disable()
        finally:
            timers.restore()
        walls.append(wall)
        phases.append(timers.spent)
        runs.append(result)
        figures = check_run(result, workers, jobs)
        print(f"run {i + 1}: {wall:7.2f} s  ({'published' if publish else 'dry run'}; {figures['selected']:,} of "
              f"{figures['positions']:,} positions filled, {figures['outcomes']:,} outcomes written)", flush=True)
    peak = peak_rss_mib()

    wall = statistics.median(walls)
    summary = runs[-1].summary
    print(f"last run: {summary['pairs']:,} ranked pairs, {summary['eligible_pairs']:,} eligible; "
          f"{summary['eligible_applicants']:,} of {summary['applicants']:,} workers eligible somewhere; selected "
          f"{summary['selected_by_history']['returning']:,} returning and {summary['selected_by_history']['first_time']:,} "
          f"first-time workers; {summary['unfilled_positions']:,} positions unfilled")
    print()
    print(f"phases (median of {args.repeat} run{'s' if args.repeat > 1 else ''}):")
    labels = [label for _, _, label in PHASES]
    for label in labels:
        print(f"  {label:<40} {statistics.median(p.get(label, 0.0) for p in phases):7.2f} s")
    top = [label for label in labels if not label.startswith("  ")]
    rest = statistics.median(w - sum(p.get(label, 0.0) for label in top) for w, p in zip(walls, phases, strict=True))
    print(f"  {'other (locks, run row, audit, commit)':<40} {rest:7.2f} s")
    print(f"full run: {wall:7.2f} s median (of {', '.join(f'{w:.2f}' for w in walls)})  = "
          f"{wall / TARGET_SECONDS:.1%} of the {TARGET_SECONDS:.0f} s target")
    print(f"peak memory: {peak:.0f} MiB resident (before the runs: {rss_before:.0f} MiB)")
    if args.explain:
        median_ms, worst_ms = explanation_times(runs[-1], args.explain, args.seed)
        print(f"explanation of one outcome (as the worker's page makes it): {median_ms:.1f} ms median, "
              f"{worst_ms:.1f} ms slowest of {min(args.explain, workers)}")
    if args.profile and profiler is not None:
        import pstats

        print()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return 0 if wall <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
