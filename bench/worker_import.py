"""Benchmark the bulk import of workers with duplicate detection on: check (dry run) and import a generated file.

Run from the repository root, against PostgreSQL or (without DATABASE_URL) SQLite:

    DATABASE_URL=postgres://postgres@127.0.0.1:55432/corridor .venv/bin/python bench/worker_import.py --rows 100000
    .venv/bin/python bench/worker_import.py --rows 5000 --pool 5000

The script creates a throwaway database (`test_corridor_bench_workers` on the PostgreSQL server, a temporary file
for SQLite), migrates it, sets up an origin authority with an officer, seeds the pool with `--pool` workers of the
authority's country (with documents), then generates a CSV file of `--rows` workers in which about `--duplicates`
percent are the same people as pool members or as earlier rows, written with typos, transliteration variants, names
swapped, day and month swapped, a digit mistyped or the same passport number spaced differently. It times the dry
run and the real import separately, checks that the planted duplicates were flagged, and drops the database. The
target is 120 seconds for checking and importing 100,000 rows together.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_SECONDS = 120.0
TODAY = datetime.date(2027, 3, 1)
BENCH_DB = "corridor_bench_workers"
COUNTRY = "NP"

GIVEN = [
    "Ram", "Sita", "Hari", "Gita", "Krishna", "Laxmi", "Shyam", "Radha", "Bishnu", "Sarita", "Ramesh", "Sunita",
    "Dinesh", "Anita", "Suresh", "Kamala", "Rajesh", "Bimala", "Prakash", "Sabina", "Mohan", "Manju", "Bikash",
    "Puja", "Santosh", "Rita", "Dipak", "Sushila", "Kiran", "Parbati", "Nabin", "Asmita", "Sagar", "Srijana",
    "Bijay", "Nirmala", "Pradeep", "Samjhana", "Rabin", "Kabita", "Sanjay", "Rekha", "Arjun", "Durga", "Binod",
    "Mina", "Gopal", "Sharmila", "Mahesh", "Sabita", "Narayan", "Tulasi", "Umesh", "Goma", "Yubaraj", "Bhagwati",
    "Ganesh", "Roshani", "Tek Bahadur", "Man Kumari", "Dil Bahadur", "Chandra", "Devi", "Purna", "Amrit", "Basanti",
    "Mohammed", "Abdul", "Fatima", "Yusuf", "Aisha", "Hussein", "Ahmad", "Rahim", "Salma", "Karim",
    "Anil", "Anjana", "Ashok", "Babita", "Bhim", "Bina", "Bishal", "Chhabi", "Deepa", "Dev", "Dhan", "Gyanu",
    "Hem", "Indira", "Ishwor", "Januka", "Jeevan", "Kalpana", "Keshav", "Kopila", "Laxman", "Lila", "Madan",
    "Maya", "Nanda", "Nisha", "Om", "Pabitra", "Pasang", "Pemba", "Raju", "Rupa", "Sajan", "Sangita", "Shiva",
    "Shova", "Sudip", "Sumitra", "Tara", "Tika", "Uttam", "Yamuna", "Bal", "Bhupendra", "Chet", "Dambar", "Ghanshyam",
    "Jhalak", "Khem", "Lok", "Min", "Nar", "Padam", "Rudra", "Surya", "Tilak", "Upendra", "Yam",
]
FAMILY = [
    "Thapa", "Shrestha", "Gurung", "Tamang", "Magar", "Rai", "Limbu", "Sharma", "Adhikari", "Karki", "Poudel",
    "Bhattarai", "Khadka", "Basnet", "Bista", "Chaudhary", "Yadav", "Mahato", "Sah", "Ghimire", "Pandey", "Acharya",
    "Dahal", "Koirala", "Regmi", "Neupane", "Khatri", "Rana", "Budha", "Oli", "Sapkota", "Gautam", "Bhandari",
    "Tiwari", "Subedi", "Lama", "Sherpa", "Maharjan", "Shakya", "Bajracharya", "Joshi", "Pokharel", "Aryal",
    "Ansari", "Miya", "Khan", "Dhobi", "Pasi", "Mandal", "Thakur",
    "Bhusal", "Chhetri", "Dhakal", "Giri", "Humagain", "Jha", "Kafle", "Kandel", "Kunwar", "Lamichhane", "Mainali",
    "Nepal", "Ojha", "Paudyal", "Rijal", "Rokaya", "Shah", "Silwal", "Timilsina", "Upreti", "Wagle", "Baral",
    "Bhujel", "Chaulagain", "Devkota", "Gharti", "Hamal", "Kattel", "Luitel", "Malla", "Nepali", "Parajuli",
    "Rawal", "Saud", "Thapaliya", "Bohara", "Dangi", "Kathayat", "Pun", "Sunuwar",
]
REGIONS = ["Koshi", "Madhesh", "Bagmati", "Gandaki", "Lumbini", "Karnali", "Sudurpashchim"]
ISCO = ["9211", "6111", "9312", "7112", "5120", "9412", "8322", "7126", "9329", "6121"]
VARIANTS = {"Mohammed": "Muhamad", "Abdul": "Abdel", "Yusuf": "Youssef", "Hussein": "Husain", "Ahmad": "Ahmed",
            "Laxmi": "Lakshmi", "Krishna": "Krisna", "Khadka": "Kadka", "Thapa": "Tapa", "Bhattarai": "Bhatarai"}
COLUMNS = ["given_names", "family_names", "sex", "date_of_birth", "nationality", "region", "phone", "email", "language",
           "document_kind", "document_number", "document_issuing_country", "document_expires_on", "isco_code",
           "years_experience"]
FEMALE = {"Sita", "Gita", "Laxmi", "Radha", "Sarita", "Sunita", "Anita", "Kamala", "Bimala", "Sabina", "Manju", "Puja",
          "Rita", "Sushila", "Parbati", "Asmita", "Srijana", "Nirmala", "Samjhana", "Kabita", "Rekha", "Durga", "Mina",
          "Sharmila", "Sabita", "Tulasi", "Goma", "Bhagwati", "Roshani", "Man Kumari", "Devi", "Basanti", "Fatima",
          "Aisha", "Salma", "Anjana", "Babita", "Bina", "Chhabi", "Deepa", "Gyanu", "Indira", "Januka", "Kalpana",
          "Kopila", "Lila", "Maya", "Nisha", "Pabitra", "Rupa", "Sangita", "Shova", "Sumitra", "Tara", "Tika", "Yamuna"}


def setup_django(sqlite_path: str | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corridor.test_settings")
    import django
    from django.conf import settings

    django.setup()
    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})
    database["TEST"]["NAME"] = sqlite_path if database["ENGINE"].endswith("sqlite3") else f"test_{BENCH_DB}"


def person(rng: random.Random, number: int) -> dict:
    given = rng.choice(GIVEN)
    if rng.random() < 0.35:
        given = f"{given} {rng.choice([g for g in GIVEN if ' ' not in g])}"
    family = rng.choice(FAMILY)
    first = given.split()[0]
    sex = "female" if first in FEMALE else "male"
    born = TODAY - datetime.timedelta(days=rng.randint(18 * 365 + 5, 50 * 365))
    return {
        "given_names": given, "family_names": family, "sex": sex, "date_of_birth": born,
        "region": rng.choice(REGIONS), "phone": f"+97798{number:08d}", "email": "",
        "document_kind": "passport", "document_number": f"PA{number:08d}",
        "document_expires_on": TODAY + datetime.timedelta(days=rng.randint(400, 3000)),
        "isco_code": rng.choice(ISCO), "years_experience": f"{rng.randint(0, 150) / 10:.1f}",
    }


def typo(rng: random.Random, text: str) -> str:
    """One keyboard slip in a name: a letter changed, dropped, doubled or two swapped (not the first letter)."""
    if len(text) < 4:
        return text + text[-1]
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return text[:i] + rng.choice("aeiourn") + text[i + 1:]
    if kind == 1:
        return text[:i] + text[i + 1:]
    if kind == 2:
        return text[:i] + text[i] + text[i:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def disguise(rng: random.Random, original: dict, number: int) -> dict:
    """The same person registered again, written differently."""
    copy = dict(original, phone=f"+97797{number:08d}", region=rng.choice(REGIONS))
    how = rng.randrange(7)
    if how == 0:
        copy["family_names"] = typo(rng, copy["family_names"])
    elif how == 1:
        copy["given_names"] = typo(rng, copy["given_names"])
    elif how == 2:
        copy["given_names"] = " ".join(VARIANTS.get(w, w) for w in copy["given_names"].split())
        copy["family_names"] = VARIANTS.get(copy["family_names"], copy["family_names"])
        copy["family_names"] = typo(rng, copy["family_names"]) if copy["family_names"] == original["family_names"] else copy["family_names"]
    elif how == 3:
        copy["given_names"], copy["family_names"] = copy["family_names"], copy["given_names"]
    born = copy["date_of_birth"]
    if how == 4 and born.day <= 12 and born.day != born.month:
        copy["date_of_birth"] = datetime.date(born.year, born.day, born.month)
    elif how == 4 or how == 5:
        for _attempt in range(20):
            text = born.strftime("%Y%m%d")
            i = rng.choice([3, 5, 7])
            candidate = text[:i] + str((int(text[i]) + rng.randint(1, 9)) % 10) + text[i + 1:]
            try:
                copy["date_of_birth"] = datetime.date(int(candidate[:4]), int(candidate[4:6]), int(candidate[6:]))
                break
            except ValueError:
                continue
    if how == 6:  # someone else's typing of the same passport, and another document expiry
        copy["document_number"] = f"{original['document_number'][:2]} {original['document_number'][2:6]}-{original['document_number'][6:]}"
        copy["given_names"] = typo(rng, copy["given_names"])
    elif rng.random() < 0.5:
        copy["document_kind"] = copy["document_number"] = copy["document_expires_on"] = ""
    else:
        copy["document_number"] = f"PB{number:08d}"
    return copy


def seed_pool(count: int, rng: random.Random, officer, org) -> list[dict]:
    """`count` workers already in the pool (bulk inserts, as `corridor generate` does)."""
    from corridor.workers import matching
    from corridor.workers.imports import _public_ids
    from corridor.workers.models import Channel, IdentityDocument, PoolStatus, Worker, WorkerContact

    people = [person(rng, 50_000_000 + i) for i in range(count)]
    ids = _public_ids(count)
    now = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)
    for start in range(0, count, 5000):
        chunk = people[start:start + 5000]
        workers = []
        for p, public_id in zip(chunk, ids[start:start + 5000], strict=True):
            p["public_id"] = public_id
            status = rng.choice([PoolStatus.REGISTERED, PoolStatus.VERIFIED, PoolStatus.WORK_READY])
            workers.append(Worker(
                public_id=public_id, given_names=p["given_names"], family_names=p["family_names"],
                name_key=matching.name_key(p["given_names"], p["family_names"]), sex=p["sex"],
                date_of_birth=p["date_of_birth"], nationality=COUNTRY, region_of_origin=p["region"], language="ne",
                status=status, registered_via=Channel.ORIGIN, registered_by=officer, registered_by_organisation=org,
                verified_at=now if status != PoolStatus.REGISTERED else None,
            ))
        Worker.objects.bulk_create(workers, batch_size=5000)
        WorkerContact.objects.bulk_create([WorkerContact(worker=w, phone=p["phone"]) for w, p in zip(workers, chunk, strict=True)], batch_size=5000)
        IdentityDocument.objects.bulk_create([
            IdentityDocument(worker=w, kind="passport", number=p["document_number"],
                             number_key=matching.number_key(p["document_number"]), issuing_country=COUNTRY,
                             expires_on=p["document_expires_on"])
            for w, p in zip(workers, chunk, strict=True)
        ], batch_size=5000)
    return people


def build_file(rows: int, pool: list[dict], share: float, rng: random.Random) -> tuple[bytes, dict[int, str]]:
    """`rows` workers; about `share` of them re-register someone (of the pool, or of an earlier row). Returns the
    file and, for each planted row, whom it re-registers (a pool worker's identifier, or "row N")."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    written: list[dict] = []
    planted: dict[int, str] = {}
    for i in range(rows):
        if rng.random() < share and (pool or written):
            source = rng.choice(pool) if pool and (not written or rng.random() < 0.8) else rng.choice(written)
            p = disguise(rng, source, i)
            planted[i + 2] = source.get("public_id") or f"row {source['row']}"
        else:
            p = person(rng, i)
            p["row"] = i + 2
            written.append(p)
        writer.writerow([
            p["given_names"], p["family_names"], p["sex"], p["date_of_birth"].isoformat(), COUNTRY, p["region"],
            p["phone"], p["email"], "ne", p["document_kind"], p["document_number"], COUNTRY if p["document_number"] else "",
            p["document_expires_on"].isoformat() if p["document_expires_on"] else "", p["isco_code"], p["years_experience"],
        ])
    return out.getvalue().encode("utf-8"), planted


def build_world():
    from corridor.accounts import services as account_services
    from corridor.accounts.models import Organisation, OrgKind
    from corridor.core.access import Role

    org = Organisation.objects.create(name="Bench Department of Foreign Employment", kind=OrgKind.ORIGIN_AUTHORITY,
                                      country=COUNTRY)
    officer = account_services.user_create(actor=None, username="bench-origin", password="bench-password-0123456789",
                                           organisation=org, check_password=False)
    account_services.role_grant(actor=None, user=officer, role=Role.ORIGIN_OFFICER)
    return type(officer).objects.get(pk=officer.pk), org


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pool", type=int, default=100_000, help="workers already in the pool")
    parser.add_argument("--duplicates", type=float, default=1.0, help="percent of rows re-registering someone")
    parser.add_argument("--seed", type=int, default=7)
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
    from corridor.workers import imports
    from corridor.workers.models import DuplicateFlag, Worker

    rng = random.Random(args.seed)
    officer, org = build_world()
    t = time.perf_counter()
    pool = seed_pool(args.pool, rng, officer, org)
    print(f"pool seeded: {args.pool:,} workers with passports in {time.perf_counter() - t:.1f} s", flush=True)
    data, planted = build_file(args.rows, pool, args.duplicates / 100, rng)
    del pool
    vendor = connection.vendor
    if vendor == "postgresql":
        vendor += f" {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    else:
        vendor += f" {connection.Database.sqlite_version}"
    print(f"{args.rows:,} rows, {len(data) / 1024 / 1024:.1f} MiB CSV, {len(planted):,} planted duplicates, "
          f"database: {vendor}", flush=True)

    t0 = time.perf_counter()
    report = imports.worker_import(actor=officer, data=data, filename="bench.csv", dry_run=True, today=TODAY)
    t1 = time.perf_counter()
    if not report.ok:
        print("The generated file has errors:", report.errors[:5])
        return 1
    found = {(d["row"], d["match"]) for d in report.duplicates}
    caught = sum(1 for row, match in planted.items() if (row, match) in found)
    others = len(found) - caught
    report = imports.worker_import(actor=officer, data=data, filename="bench.csv", dry_run=False, today=TODAY)
    t2 = time.perf_counter()

    workers, flags = Worker.objects.count(), DuplicateFlag.objects.count()
    assert workers == args.pool + args.rows == args.pool + report.created, (workers, report.created)
    dry, real, total = t1 - t0, t2 - t1, t2 - t0
    print(f"dry run : {dry:7.2f} s  {args.rows / dry:9,.0f} rows/s")
    print(f"import  : {real:7.2f} s  {args.rows / real:9,.0f} rows/s  (checks again, then writes {report.created:,} "
          f"workers with contacts, documents and occupations)")
    print(f"together: {total:7.2f} s  {args.rows / total:9,.0f} rows/s  = {total / TARGET_SECONDS:.1%} of the "
          f"{TARGET_SECONDS:.0f} s target")
    print(f"duplicates: {len(planted):,} planted, {caught:,} of them caught ({caught / max(len(planted), 1):.1%}); "
          f"{others:,} other pairs flagged (the same names and birth dates by chance, or a planted person's third "
          f"record); {report.flags_created:,} flags created ({flags:,} in the database)")
    print(f"peak memory: {peak_rss_mib():.0f} MiB resident")
    return 0 if total < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
