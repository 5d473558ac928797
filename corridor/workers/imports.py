"""Importing workers in bulk: an origin authority registers its nationals from a CSV or XLSX file.

Two steps, as for every import: a dry run with a row-by-row report (downloadable as CSV), then the import of the
same file, every row or none, in one transaction with one audit event. Each row is one worker: identity, region,
contact (phone or e-mail, so that the worker can be asked to confirm), preferred language, one identity document and
one occupation. Imported workers are "registered" (not yet verified), registered via import by the authority, and
unconfirmed until the worker confirms.

Duplicate detection is on: each row is compared with the earlier rows of the file and with the pool of the same
nationality (blocking by date-of-birth variants and name-token prefixes, or the same document number, see
`corridor.workers.matching.BlockIndex`; the pool is read in bulk, never row by row). Possible duplicates are not
refused: the dry run lists them, and the import creates a `DuplicateFlag` for each, for the authority to review.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.validators import EmailValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts.models import Organisation, OrgKind
from corridor.core import audit, tabular
from corridor.core.access import Role, roles_of
from corridor.core.errors import Forbidden, InvalidInput
from corridor.core.imports import ImportReportMixin
from corridor.reference.codes import is_country, normalise_language
from corridor.reference.models import IscoGroup
from corridor.workers import matching
from corridor.workers.eligibility import age_on
from corridor.workers.models import (
    Channel,
    DocumentKind,
    DuplicateFlag,
    IdentityDocument,
    PoolStatus,
    Sex,
    Worker,
    WorkerContact,
    WorkerOccupation,
)
from corridor.workers.services import MAX_AGE, MIN_AGE, PHONE_DIGITS, new_public_id, normalise_phone

COLUMNS = (
    "given_names", "family_names", "sex", "date_of_birth", "nationality", "region", "phone", "email", "language",
    "document_kind", "document_number", "document_issuing_country", "document_expires_on", "isco_code",
    "years_experience",
)
REQUIRED = ("given_names", "family_names", "sex", "date_of_birth", "phone")
MAX_LISTED_ERRORS = 1000
PREVIEW_ROWS = 20
BATCH = 2000
KIND_IMPORT = "workers.import"

_SEX = {
    "female": Sex.FEMALE, "f": Sex.FEMALE, "woman": Sex.FEMALE, "male": Sex.MALE, "m": Sex.MALE, "man": Sex.MALE,
    "other": Sex.OTHER, "x": Sex.OTHER, "undisclosed": Sex.UNDISCLOSED, "prefer not to say": Sex.UNDISCLOSED,
    "u": Sex.UNDISCLOSED,
}
_KIND = {
    "passport": DocumentKind.PASSPORT, "national_id": DocumentKind.NATIONAL_ID, "national id": DocumentKind.NATIONAL_ID,
    "id": DocumentKind.NATIONAL_ID, "id card": DocumentKind.NATIONAL_ID, "national identity card": DocumentKind.NATIONAL_ID,
    "birth_certificate": DocumentKind.BIRTH_CERTIFICATE, "birth certificate": DocumentKind.BIRTH_CERTIFICATE,
    "other": DocumentKind.OTHER,
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
_email = EmailValidator()


@dataclass
class WorkerImportReport(ImportReportMixin):
    """What an import did (or, for a dry run, would do). `errors` are {row, field, message}; `duplicates` are the
    possible duplicates found, {row, match (a worker's identifier or "row N"), score, reasons}: they do not block the
    import, they become flags for review."""

    nationality: str
    filename: str
    dry_run: bool
    encoding: str
    rows: int = 0
    valid: int = 0
    created: int = 0
    committed: bool = False
    duplicates_found: int = 0
    flags_created: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    header: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)


@dataclass
class _Row:
    row: int
    worker: Worker
    phone: str
    email: str
    document: IdentityDocument | None
    occupation: WorkerOccupation | None


def report_csv(report: WorkerImportReport) -> bytes:
    """The report as a CSV download: errors and possible duplicates, one line each, by row."""
    lines = [dict(e) for e in report.errors]
    for dup in report.duplicates:
        lines.append({
            "row": dup["row"], "field": "duplicate",
            "message": _("May be the same person as %(match)s (score %(score).2f: %(reasons)s); a flag is created for "
                         "review.") % {"match": dup["match"], "score": dup["score"], "reasons": "; ".join(dup["reasons"])},
        })
    lines.sort(key=lambda e: (e.get("row") or 0))
    return tabular.write_report(lines)


def importer_country(actor) -> Organisation:
    """The origin authority of an officer who may import workers (its nationals), or Forbidden."""
    org = getattr(actor, "organisation", None) if getattr(actor, "is_authenticated", False) else None
    roles = roles_of(actor)
    if org is None or Role.ORIGIN_OFFICER not in roles or Role.IMMIGRATION_OFFICER in roles or org.kind != OrgKind.ORIGIN_AUTHORITY:
        raise Forbidden(_("Workers are imported by officers of an origin labour authority, for their own nationals."))
    return org


def read_file(data: bytes, filename: str, mapping: dict | str | None):
    try:
        if isinstance(mapping, str):
            mapping = tabular.parse_mapping(mapping)
        rows, encoding, header = tabular.read_table(data, filename, mapping, COLUMNS, REQUIRED)
        return rows, encoding, header, tabular.columns_used(header, mapping, COLUMNS)
    except tabular.TableError as exc:
        raise InvalidInput([exc.as_error()]) from exc


# --- one row -----------------------------------------------------------------------------------------------------


class _Checker:
    """The checks of one row, with the look-ups loaded once for the whole file."""

    def __init__(self, country: str, today: datetime.date):
        self.country = country
        self.today = today
        self.isco = set(IscoGroup.objects.filter(level=4).values_list("code", flat=True))
        self.languages: dict[str, str | None] = {}
        self.countries: dict[str, bool] = {}

    def date(self, text: str, name: str, errors: list) -> datetime.date | None:
        match = _DATE.match(text)
        if not match:
            errors.append((name, _("Write the date as YYYY-MM-DD (e.g. 1990-04-21), not %(value)r.") % {"value": text[:40]}))
            return None
        try:
            return datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            errors.append((name, _("%(value)s is not a date that exists.") % {"value": text[:40]}))
            return None

    def text(self, cells: dict, name: str, limit: int, errors: list, *, required: bool = False) -> str:
        value = cells.get(name, "")
        if _CONTROL.search(value):
            errors.append((name, _("Remove the control characters from this cell.")))
            return ""
        value = " ".join(value.split())
        if required and not value:
            errors.append((name, _("This cell is required.")))
        elif len(value) > limit:
            errors.append((name, _("At most %(n)d characters.") % {"n": limit}))
            value = ""
        return value

    def country_code(self, text: str) -> bool:
        if text not in self.countries:
            self.countries[text] = is_country(text)
        return self.countries[text]

    def language(self, text: str) -> str | None:
        if text not in self.languages:
            self.languages[text] = normalise_language(text)
        return self.languages[text]

    def check(self, cells: dict) -> tuple[dict, list[tuple[str, str]]]:
        errors: list[tuple[str, str]] = []
        out: dict = {}
        out["given_names"] = self.text(cells, "given_names", 150, errors, required=True)
        out["family_names"] = self.text(cells, "family_names", 150, errors)
        sex = cells.get("sex", "").strip().casefold()
        out["sex"] = _SEX.get(sex)
        if out["sex"] is None:
            errors.append(("sex", _("Write female, male, other or undisclosed (or F, M, X), not %(value)r.")
                           % {"value": cells.get("sex", "")[:40]} if sex else _("This cell is required.")))
        born = cells.get("date_of_birth", "").strip()
        if not born:
            errors.append(("date_of_birth", _("This cell is required.")))
        else:
            day = self.date(born, "date_of_birth", errors)
            if day is not None:
                if day > self.today:
                    errors.append(("date_of_birth", _("The date of birth is in the future.")))
                elif day < matching.EARLIEST_BIRTH or age_on(day, self.today) > MAX_AGE:
                    errors.append(("date_of_birth", _("A date of birth more than %(n)d years ago is surely a typing "
                                                      "error; check the year.") % {"n": MAX_AGE}))
                elif age_on(day, self.today) < MIN_AGE:
                    errors.append(("date_of_birth", _("The worker is under %(n)d years old; a worker must be at least "
                                                      "%(n)d to register.") % {"n": MIN_AGE}))
            out["date_of_birth"] = day
        nationality = cells.get("nationality", "").strip().upper() or self.country
        if nationality != self.country:
            errors.append(("nationality", _("You may import only nationals of %(country)s, not %(value)r.")
                           % {"country": self.country, "value": nationality[:20]}))
        out["nationality"] = self.country
        out["region"] = self.text(cells, "region", 100, errors)
        phone = cells.get("phone", "").strip()
        out["phone"] = ""
        if not phone:
            errors.append(("phone", _("Give the worker's mobile phone: it is how they confirm the registration and "
                                      "sign in.")))
        else:
            out["phone"] = normalise_phone(phone) or ""
            if not out["phone"]:
                errors.append(("phone", _("Write the phone number with + and the country code, %(a)d to %(b)d digits in "
                                          "all (e.g. +977 98 1234 5678).") % {"a": PHONE_DIGITS[0], "b": PHONE_DIGITS[1]}))
        email = cells.get("email", "").strip()
        if email:
            try:
                if len(email) > 254:
                    raise ValueError
                _email(email)
            except Exception:  # Django's ValidationError, or too long
                errors.append(("email", _("%(value)r is not an e-mail address.") % {"value": email[:60]}))
        out["email"] = email
        language = cells.get("language", "").strip()
        if language:
            code = self.language(language)
            if code is None or len(code) > 8:
                errors.append(("language", _("Unknown language code %(value)r; use ISO 639, e.g. ne, ar, es.")
                               % {"value": language[:20]}))
            out["language"] = code or "en"
        else:
            out["language"] = "en"
        self._document(cells, out, errors)
        self._occupation(cells, out, errors)
        return out, errors

    def _document(self, cells: dict, out: dict, errors: list) -> None:
        names = ("document_kind", "document_number", "document_issuing_country", "document_expires_on")
        if not any(cells.get(n, "").strip() for n in names):
            out["document"] = None
            return
        kind = _KIND.get(cells.get("document_kind", "").strip().casefold().replace("-", " ").replace("_", " "))
        kind = kind or _KIND.get(cells.get("document_kind", "").strip().casefold())
        if kind is None:
            errors.append(("document_kind", _("Write passport, national_id, birth_certificate or other.")
                           if cells.get("document_kind", "").strip() else _("Say which document the number is of.")))
        number = self.text(cells, "document_number", 40, errors, required=True)
        if number and not matching.number_key(number):
            errors.append(("document_number", _("The document number has no letters or digits.")))
        issuer = cells.get("document_issuing_country", "").strip().upper() or out["nationality"]
        if not self.country_code(issuer):
            errors.append(("document_issuing_country", _("Unknown country code %(value)r; use ISO 3166 (two letters).")
                           % {"value": issuer[:20]}))
        expires = cells.get("document_expires_on", "").strip()
        expires_on = self.date(expires, "document_expires_on", errors) if expires else None
        if expires_on is not None and expires_on <= self.today:
            errors.append(("document_expires_on", _("The document expired on %(date)s; give a valid one.")
                           % {"date": expires_on.isoformat()}))
        out["document"] = {"kind": kind, "number": number, "issuing_country": issuer, "expires_on": expires_on}

    def _occupation(self, cells: dict, out: dict, errors: list) -> None:
        code = cells.get("isco_code", "").strip()
        years = cells.get("years_experience", "").strip()
        out["occupation"] = None
        if not code:
            if years:
                errors.append(("isco_code", _("Years of experience need the occupation they are in.")))
            return
        if code not in self.isco:
            errors.append(("isco_code", _("%(value)r is not an ISCO-08 unit group (four digits, e.g. 9211).")
                           % {"value": code[:20]}))
        value = Decimal(0)
        if years:
            try:
                value = Decimal(years.replace(",", "."))
                if not value.is_finite() or value < 0 or value > 60:
                    raise InvalidOperation
                value = value.quantize(Decimal("0.1"))
            except InvalidOperation:
                errors.append(("years_experience", _("Write the years of experience as a number from 0 to 60.")))
                value = Decimal(0)
        out["occupation"] = {"isco_code": code, "years_experience": value}


# --- the pool ----------------------------------------------------------------------------------------------------


def _load_pool(index: matching.BlockIndex, country: str, dates: set[datetime.date],
               numbers: set[str]) -> dict[int, str]:
    """Index the pool's records of `country` that a row may match: a date of birth among `dates` (the rows'
    variants), or a document number among `numbers`. Two queries in all; returns worker id -> public identifier."""
    public: dict[int, str] = {}
    if not dates and not numbers:
        return public
    documents: dict[int, list] = {}
    people = {}
    if dates:
        rows = (
            Worker.objects.filter(nationality=country, date_of_birth__gte=min(dates), date_of_birth__lte=max(dates))
            .exclude(status=PoolStatus.MERGED)
            .values_list("pk", "public_id", "given_names", "family_names", "name_key", "date_of_birth", "sex")
            .iterator(chunk_size=10_000)
        )
        for pk, public_id, given, family, key, born, sex in rows:
            if born in dates:
                people[pk] = (public_id, given, family, key, born, sex)
    doc_rows = (
        IdentityDocument.objects.filter(worker__nationality=country)
        .exclude(worker__status=PoolStatus.MERGED)
        .values_list("worker_id", "kind", "number_key")
        .iterator(chunk_size=10_000)
    )
    extra = set()
    for worker_id, kind, key in doc_rows:
        if worker_id in people:
            documents.setdefault(worker_id, []).append((kind, key))
        elif key in numbers:
            documents.setdefault(worker_id, []).append((kind, key))
            extra.add(worker_id)
    if extra:
        for pk, public_id, given, family, key, born, sex in Worker.objects.filter(pk__in=extra).values_list(
            "pk", "public_id", "given_names", "family_names", "name_key", "date_of_birth", "sex"
        ):
            people[pk] = (public_id, given, family, key, born, sex)
    for pk, (public_id, given, family, key, born, sex) in people.items():
        docs = documents.get(pk, ())
        index.add(matching.Person(
            given=given, family=family, date_of_birth=born, nationality=country, sex=sex,
            documents=frozenset(k for _kind, k in docs), name_key=key or matching.name_key(given, family),
            document_kinds=frozenset(docs), ref=("pool", pk),
        ))
        public[pk] = public_id
    return public


# --- the import --------------------------------------------------------------------------------------------------


def _public_ids(count: int) -> list[str]:
    """`count` new, unused worker identifiers, drawn as a registration draws one, checked in bulk."""
    found: set[str] = set()
    while len(found) < count:
        fresh = {new_public_id() for _ in range(count - len(found))}
        fresh -= found
        chunk_list = list(fresh)
        for start in range(0, len(chunk_list), 5000):
            chunk = chunk_list[start:start + 5000]
            fresh -= set(Worker.objects.filter(public_id__in=chunk).values_list("public_id", flat=True))
        found |= fresh
    return list(found)[:count]


def worker_import(*, actor, data: bytes, filename: str, mapping: dict | str | None = None, dry_run: bool = True,
                  today: datetime.date | None = None) -> WorkerImportReport:
    """Check a file of workers row by row and, unless `dry_run`, register them: every row or none.

    A real import with any error raises InvalidInput listing each error with its row and field. A dry run only reads,
    outside a transaction; a real import checks again and writes in one, holding the authority's row so that two
    imports of the same authority do not miss each other's duplicates."""
    org = importer_country(actor)
    kwargs = {"actor": actor, "org": org, "data": data, "filename": filename, "mapping": mapping, "dry_run": dry_run,
              "today": today}
    if dry_run:
        return _worker_import(**kwargs)
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=org.pk).first()
        return _worker_import(**kwargs)


def _worker_import(*, actor, org: Organisation, data: bytes, filename: str, mapping, dry_run: bool,
                   today: datetime.date | None) -> WorkerImportReport:
    today = today or timezone.localdate()
    country = org.country
    rows, encoding, header, columns = read_file(data, filename, mapping)
    report = WorkerImportReport(nationality=country, filename=(filename or "")[:200], dry_run=dry_run,
                                encoding=encoding, rows=len(rows), header=header, columns=columns)
    checker = _Checker(country, today)
    checked: list[tuple[int, dict]] = []
    for row in rows:
        values, errors = checker.check(row.cells)
        if errors:
            report.errors.extend({"row": row.row, "field": f, "message": m} for f, m in errors)
            continue
        checked.append((row.row, values))
    report.valid = len(checked)

    # Duplicates: the pool (read in bulk) and the earlier rows of the file.
    index = matching.BlockIndex(latest=today)
    people = []
    numbers: set[str] = set()
    for number, values in checked:
        document = values["document"]
        docs = [(document["kind"], document["number"])] if document else []
        person = matching.Person.of(values["given_names"], values["family_names"], values["date_of_birth"], country,
                                    values["sex"], documents=docs, ref=("row", number))
        people.append(person)
        numbers |= person.documents
    dates = set()
    for born in {values["date_of_birth"] for _number, values in checked}:
        dates |= index.dates(born)
    public = _load_pool(index, country, dates, numbers)
    pairs: list[tuple[tuple, tuple, float, list[str]]] = []
    for person in people:
        for ref, value, reasons in index.matches(person):
            pairs.append((person.ref, ref, value, reasons))
            report.duplicates.append({
                "row": person.ref[1],
                "match": public[ref[1]] if ref[0] == "pool" else _("row %(n)d") % {"n": ref[1]},
                "score": value, "reasons": reasons,
            })
        index.add(person)
    report.duplicates_found = len(pairs)
    for number, values in checked[:PREVIEW_ROWS]:
        report.preview.append(_preview(number, values))
    if dry_run:
        return report
    if report.errors:
        raise InvalidInput(tabular.capped(report.errors, MAX_LISTED_ERRORS))

    now = timezone.now()
    public_ids = _public_ids(len(checked))
    by_row: dict[int, int] = {}
    first_worker = None
    documents = occupations = 0
    # Written a batch at a time, so that only one batch of model instances is held in memory.
    for start in range(0, len(checked), BATCH):
        built = [_build(number, values, person.name_key, actor, org)
                 for (number, values), person in zip(checked[start:start + BATCH], people[start:start + BATCH], strict=True)]
        for item, public_id in zip(built, public_ids[start:start + BATCH], strict=True):
            item.worker.public_id = public_id
        Worker.objects.bulk_create([b.worker for b in built], batch_size=BATCH)
        contacts, batch_documents, batch_occupations = [], [], []
        for item in built:
            contacts.append(WorkerContact(worker_id=item.worker.pk, phone=item.phone, email=item.email))
            if item.document is not None:
                item.document.worker_id = item.worker.pk
                batch_documents.append(item.document)
            if item.occupation is not None:
                item.occupation.worker_id = item.worker.pk
                batch_occupations.append(item.occupation)
            by_row[item.row] = item.worker.pk
        WorkerContact.objects.bulk_create(contacts, batch_size=BATCH)
        IdentityDocument.objects.bulk_create(batch_documents, batch_size=BATCH)
        WorkerOccupation.objects.bulk_create(batch_occupations, batch_size=BATCH)
        documents += len(batch_documents)
        occupations += len(batch_occupations)
        first_worker = first_worker or (built[0].worker.public_id if built else None)
    flags, seen = [], set()
    for mine, theirs, value, reasons in pairs:
        a = by_row[mine[1]]
        b = by_row[theirs[1]] if theirs[0] == "row" else theirs[1]
        key = (min(a, b), max(a, b))
        if a == b or key in seen:
            continue
        seen.add(key)
        flags.append(DuplicateFlag(first_id=key[0], second_id=key[1], score=Decimal(str(value)), reasons=reasons,
                                   created_at=now))
    DuplicateFlag.objects.bulk_create(flags, batch_size=BATCH)
    report.created, report.flags_created, report.committed = len(by_row), len(flags), True
    audit.record(
        actor=actor, action="worker.import", subject=org,
        after={
            "file": report.filename, "sha256": hashlib.sha256(data or b"").hexdigest(), "encoding": encoding,
            "rows": report.rows, "created": report.created, "documents": documents, "occupations": occupations,
            "duplicate_flags": len(flags), "nationality": country,
            "first_worker": first_worker,
        },
        reason=_("Registered %(n)d workers from %(file)s; %(d)d possible duplicates flagged for review.")
        % {"n": report.created, "file": report.filename or _("a file"), "d": len(flags)},
        organisation_id=org.pk,
    )
    return report


def _build(number: int, values: dict, key: str, actor, org: Organisation) -> _Row:
    worker = Worker(
        given_names=values["given_names"], family_names=values["family_names"], name_key=key, sex=values["sex"],
        date_of_birth=values["date_of_birth"], nationality=values["nationality"], region_of_origin=values["region"],
        language=values["language"], status=PoolStatus.REGISTERED, registered_via=Channel.IMPORT,
        registered_by=actor, registered_by_organisation=org,
    )
    document = None
    if values["document"]:
        d = values["document"]
        document = IdentityDocument(kind=d["kind"], number=d["number"], number_key=matching.number_key(d["number"]),
                                    issuing_country=d["issuing_country"], expires_on=d["expires_on"])
    occupation = None
    if values["occupation"]:
        occupation = WorkerOccupation(isco_code=values["occupation"]["isco_code"],
                                      years_experience=values["occupation"]["years_experience"])
    return _Row(row=number, worker=worker, phone=values["phone"], email=values["email"], document=document,
                occupation=occupation)


def _preview(number: int, values: dict) -> dict:
    document = values["document"]
    return {
        "row": number,
        "name": f"{values['given_names']} {values['family_names']}".strip(),
        "sex": str(values["sex"]),
        "date_of_birth": values["date_of_birth"].isoformat(),
        "region": values["region"],
        "document": f"{document['kind']} {document['number']}" if document else "",
        "isco_code": values["occupation"]["isco_code"] if values["occupation"] else "",
    }
