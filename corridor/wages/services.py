"""Changing wage figures: importing prevailing and minimum wages from CSV (dry run first), and single creates.

Only platform administrators and programme administrators (destination ministry) may change wage figures.
Every import is checked row by row; a real import saves every row or none and writes one audit event.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from corridor.core import audit
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.imports import ImportReportMixin
from corridor.reference import codes
from corridor.reference.models import IscoGroup
from corridor.wages import csvfile
from corridor.wages.floor import UNITS
from corridor.wages.models import MinimumWage, PrevailingWage, WageSource, may_change_wages

MAX_AMOUNT = Decimal("9999999999.99")
MAX_REGION = 100
MAX_SOURCE_TEXT = 300

ACTION_CREATE = "create"
ACTION_UPDATE = "update"
ACTION_UNCHANGED = "unchanged"
ACTION_ERROR = "error"

FORBIDDEN_MESSAGE = "Only platform administrators and programme administrators may change wage figures."


@dataclass
class WageRowReport:
    row: int
    values: dict
    action: str
    errors: list[dict] = field(default_factory=list)


@dataclass
class WageImportReport(ImportReportMixin):
    """What an import did (or, for a dry run, would do), row by row."""

    kind: str  # "prevailing" or "minimum"
    source: str
    dry_run: bool
    committed: bool
    encoding: str
    rows: list[WageRowReport]
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)


def _require_editor(actor) -> None:
    if not may_change_wages(actor):
        raise Forbidden(FORBIDDEN_MESSAGE)


def _parse_date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _check_source(*, name: str, publisher: str, url: str, published_on) -> tuple[dict, list[dict]]:
    errors: list[dict] = []
    clean = {
        "name": (name or "").strip(),
        "publisher": (publisher or "").strip(),
        "url": (url or "").strip(),
        "published_on": None,
    }
    if not clean["name"]:
        errors.append({"field": "source_name", "message": "Name the source of the figures."})
    for key in ("name", "publisher"):
        if len(clean[key]) > MAX_SOURCE_TEXT:
            errors.append({"field": f"source_{key}", "message": f"At most {MAX_SOURCE_TEXT} characters."})
    if clean["url"]:
        try:
            URLValidator(schemes=["http", "https"])(clean["url"])
        except ValidationError:
            errors.append({"field": "source_url", "message": "Enter a web address starting with http:// or https://."})
    if isinstance(published_on, datetime.date):
        clean["published_on"] = published_on
    elif published_on:
        clean["published_on"] = _parse_date(str(published_on).strip())
        if clean["published_on"] is None:
            errors.append({"field": "source_published_on", "message": "Enter the date as YYYY-MM-DD."})
    return clean, errors


def _source_for(clean: dict, notes: str) -> WageSource:
    source, _created = WageSource.objects.get_or_create(
        name=clean["name"],
        publisher=clean["publisher"],
        url=clean["url"],
        defaults={"published_on": clean["published_on"], "notes": (notes or "").strip()},
    )
    return source


def _check_common(row: csvfile.Row) -> dict:
    """Country, region, amount, currency and unit of a row; errors are added to the row."""
    cells = row.cells
    out: dict = {}
    country = codes.normalise_country(cells["country"])
    if not cells["country"]:
        row.add_error("country", "the country is missing.")
    elif country is None:
        row.add_error("country", f"{cells['country']!r} is not an ISO 3166-1 alpha-2 country code.")
    out["country"] = country or cells["country"]
    out["region"] = cells["region"]
    if len(cells["region"]) > MAX_REGION:
        row.add_error("region", f"the region is longer than {MAX_REGION} characters.")
    amount = None
    try:
        amount = Decimal(cells["amount"].replace(" ", ""))
    except InvalidOperation:
        pass
    if not cells["amount"]:
        row.add_error("amount", "the amount is missing.")
    elif amount is None or not amount.is_finite():
        row.add_error("amount", f"{cells['amount']!r} is not a number (use a dot for decimals, e.g. 16.65).")
    elif amount <= 0:
        row.add_error("amount", "the amount must be more than zero.")
    elif amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        row.add_error("amount", f"{cells['amount']!r} must have at most 2 decimals and 10 digits before them.")
    out["amount"] = amount.quantize(Decimal("0.01")) if amount is not None and amount.is_finite() else None
    currency = codes.normalise_currency(cells["currency"])
    if not cells["currency"]:
        row.add_error("currency", "the currency is missing.")
    elif currency is None:
        row.add_error("currency", f"{cells['currency']!r} is not an ISO 4217 currency code.")
    out["currency"] = currency or cells["currency"]
    unit = cells["unit"].lower()
    if unit not in UNITS:
        row.add_error("unit", f"{cells['unit']!r} is not a unit; use one of {', '.join(UNITS)}.")
    out["unit"] = unit
    return out


def _check_prevailing_row(row: csvfile.Row, isco_codes: set[str]) -> dict:
    values = _check_common(row)
    isco = row.cells["isco_code"]
    if not isco:
        row.add_error("isco_code", "the ISCO-08 code is missing.")
    elif isco not in isco_codes:
        row.add_error("isco_code", f"{isco!r} is not an ISCO-08 code.")
    values["isco_code"] = isco
    year = int(row.cells["year"]) if row.cells["year"].isascii() and row.cells["year"].isdigit() else None
    if year is None or not 1900 <= year <= 2200:
        row.add_error("year", f"{row.cells['year']!r} is not a year (e.g. 2026).")
    values["year"] = year
    return values


def _check_minimum_row(row: csvfile.Row) -> dict:
    values = _check_common(row)
    sector = row.cells["sector"].upper()
    if sector and not codes.is_sector(sector):
        row.add_error("sector", f"{row.cells['sector']!r} is not an ISIC Rev.4 section (A to U).")
    values["sector"] = sector
    valid_from = _parse_date(row.cells["valid_from"])
    if valid_from is None:
        row.add_error("valid_from", f"{row.cells['valid_from']!r} is not a date (YYYY-MM-DD).")
    valid_until = None
    if row.cells["valid_until"]:
        valid_until = _parse_date(row.cells["valid_until"])
        if valid_until is None:
            row.add_error("valid_until", f"{row.cells['valid_until']!r} is not a date (YYYY-MM-DD).")
        elif valid_from is not None and valid_until < valid_from:
            row.add_error("valid_until", "the end date is before the start date.")
    values["valid_from"], values["valid_until"] = valid_from, valid_until
    return values


def key_of(v) -> tuple:
    """The key under which minimum-wage periods may not overlap."""
    return (v["country"], v["region"].casefold(), v["sector"], v["unit"])


def _read(data: bytes, columns, required, meta_errors: list[dict]):
    try:
        return csvfile.read(data or b"", columns=columns, required=required)
    except csvfile.WageFileError as exc:
        error = {"field": exc.field, "message": exc.message}
        if exc.row is not None:
            error["row"] = exc.row
        raise InvalidInput(meta_errors + [error]) from exc


def _finish(report: WageImportReport, dry_run: bool) -> bool:
    """True when the import should be written."""
    if dry_run:
        return False
    if report.errors:
        raise InvalidInput(report.errors)
    return True


def _record_import(*, actor, source: WageSource, report: WageImportReport, action: str, what: str) -> None:
    audit.record(
        actor=actor,
        action=action,
        subject=source,
        after={
            "source": audit.snapshot(source, exclude=("created_at",)),
            "rows": len(report.rows),
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "encoding": report.encoding,
        },
        reason=f"Imported {len(report.rows)} rows of {what} from {source}.",
    )


@transaction.atomic
def prevailing_wage_import(
    *,
    actor,
    source_name: str,
    source_publisher: str = "",
    source_url: str = "",
    source_published_on=None,
    source_notes: str = "",
    data: bytes,
    dry_run: bool,
) -> WageImportReport:
    """Check a prevailing-wage CSV (columns country, region, isco_code, year, amount, currency, unit) row by row
    and, unless `dry_run`, save it: every row or none. A known key (country, region, isco_code, year, unit) is
    updated. A real import with any error raises InvalidInput listing each error with its row and column."""
    _require_editor(actor)
    source_meta, meta_errors = _check_source(
        name=source_name, publisher=source_publisher, url=source_url, published_on=source_published_on
    )
    rows, encoding = _read(data, csvfile.PREVAILING_COLUMNS, csvfile.PREVAILING_REQUIRED, meta_errors)
    isco_codes = set(IscoGroup.objects.all().restrict(actor).values_list("code", flat=True))
    report = WageImportReport(
        kind="prevailing", source=source_meta["name"], dry_run=dry_run, committed=False, encoding=encoding,
        rows=[], errors=list(meta_errors),
    )
    first_row_of: dict[tuple, int] = {}
    checked = []
    for row in rows:
        values = _check_prevailing_row(row, isco_codes)
        isco, year = values["isco_code"], values["year"]
        key = (values["country"], values["region"].casefold(), isco, year, values["unit"])
        if not row.errors:
            if key in first_row_of:
                row.add_error("isco_code", f"the same country, region, ISCO-08 code, year and unit are already on row {first_row_of[key]}.")
            else:
                first_row_of[key] = row.row
        checked.append((row, values))

    existing = {
        (w.country, w.region.casefold(), w.isco_code, w.year, w.unit): w
        for w in PrevailingWage.objects.filter(country__in={v["country"] for _, v in checked}).restrict(actor, "change")
    }
    for row, values in checked:
        key = (values["country"], values["region"].casefold(), values["isco_code"], values["year"], values["unit"])
        if row.errors:
            action = ACTION_ERROR
            report.errors.extend(row.errors)
        elif key not in existing:
            action = ACTION_CREATE
            report.created += 1
        elif existing[key].amount == values["amount"] and existing[key].currency == values["currency"]:
            action = ACTION_UNCHANGED
            report.unchanged += 1
        else:
            action = ACTION_UPDATE
            report.updated += 1
        report.rows.append(WageRowReport(row=row.row, values=values, action=action, errors=row.errors))

    if not _finish(report, dry_run):
        return report
    source = _source_for(source_meta, source_notes)
    to_create, to_update = [], []
    for r in report.rows:
        v = r.values
        key = (v["country"], v["region"].casefold(), v["isco_code"], v["year"], v["unit"])
        if r.action == ACTION_CREATE:
            to_create.append(PrevailingWage(source=source, **v))
        elif r.action == ACTION_UPDATE:
            wage = existing[key]
            wage.amount, wage.currency, wage.source = v["amount"], v["currency"], source
            to_update.append(wage)
    PrevailingWage.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        PrevailingWage.objects.bulk_update(to_update, ["amount", "currency", "source"], batch_size=500)
    _record_import(actor=actor, source=source, report=report, action="wages.prevailing_import", what="prevailing wages")
    report.committed = True
    return report


def _overlaps(a_from, a_until, b_from, b_until) -> bool:
    return (b_until is None or a_from <= b_until) and (a_until is None or b_from <= a_until)


@transaction.atomic
def minimum_wage_import(
    *,
    actor,
    source_name: str,
    source_publisher: str = "",
    source_url: str = "",
    source_published_on=None,
    source_notes: str = "",
    data: bytes,
    dry_run: bool,
) -> WageImportReport:
    """Check a minimum-wage CSV (columns country, region, sector, valid_from, valid_until, amount, currency, unit)
    row by row and, unless `dry_run`, save it: every row or none. A row with a known key and start date
    (country, region, sector, unit, valid_from) updates that figure; a period overlapping another one of the
    same key, in the file or already recorded, is an error."""
    _require_editor(actor)
    source_meta, meta_errors = _check_source(
        name=source_name, publisher=source_publisher, url=source_url, published_on=source_published_on
    )
    rows, encoding = _read(data, csvfile.MINIMUM_COLUMNS, csvfile.MINIMUM_REQUIRED, meta_errors)
    report = WageImportReport(
        kind="minimum", source=source_meta["name"], dry_run=dry_run, committed=False, encoding=encoding,
        rows=[], errors=list(meta_errors),
    )
    checked = [(row, _check_minimum_row(row)) for row in rows]

    existing: dict[tuple, list[MinimumWage]] = {}
    for wage in MinimumWage.objects.filter(country__in={v["country"] for _, v in checked}).restrict(actor, "change"):
        existing.setdefault((wage.country, wage.region.casefold(), wage.sector, wage.unit), []).append(wage)
    seen: dict[tuple, list[tuple]] = {}
    for row, values in checked:
        if row.errors:
            continue
        key = key_of(values)
        for other_row, o_from, o_until in seen.get(key, []):
            if _overlaps(values["valid_from"], values["valid_until"], o_from, o_until):
                row.add_error("valid_from", f"the period overlaps the one on row {other_row} for the same place, sector and unit.")
                break
        for wage in existing.get(key, []):
            if wage.valid_from != values["valid_from"] and _overlaps(
                values["valid_from"], values["valid_until"], wage.valid_from, wage.valid_until
            ):
                until = wage.valid_until.isoformat() if wage.valid_until else "open-ended"
                row.add_error(
                    "valid_from",
                    f"the period overlaps the recorded minimum wage from {wage.valid_from.isoformat()} to {until}.",
                )
                break
        seen.setdefault(key, []).append((row.row, values["valid_from"], values["valid_until"]))

    for row, values in checked:
        match = next(
            (w for w in existing.get(key_of(values), []) if w.valid_from == values["valid_from"]), None
        )
        if row.errors:
            action = ACTION_ERROR
            report.errors.extend(row.errors)
        elif match is None:
            action = ACTION_CREATE
            report.created += 1
        elif (match.amount, match.currency, match.valid_until) == (values["amount"], values["currency"], values["valid_until"]):
            action = ACTION_UNCHANGED
            report.unchanged += 1
        else:
            action = ACTION_UPDATE
            report.updated += 1
        report.rows.append(WageRowReport(row=row.row, values=values, action=action, errors=row.errors))

    if not _finish(report, dry_run):
        return report
    source = _source_for(source_meta, source_notes)
    to_create, to_update = [], []
    for r in report.rows:
        v = r.values
        if r.action == ACTION_CREATE:
            to_create.append(MinimumWage(source=source, **v))
        elif r.action == ACTION_UPDATE:
            wage = next(w for w in existing[key_of(v)] if w.valid_from == v["valid_from"])
            wage.amount, wage.currency, wage.valid_until, wage.source = v["amount"], v["currency"], v["valid_until"], source
            to_update.append(wage)
    MinimumWage.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        MinimumWage.objects.bulk_update(to_update, ["amount", "currency", "valid_until", "source"], batch_size=500)
    _record_import(actor=actor, source=source, report=report, action="wages.minimum_import", what="minimum wages")
    report.committed = True
    return report


def _cells(columns: tuple[str, ...], values: dict) -> dict[str, str]:
    out = {}
    for column in columns:
        value = values.get(column)
        if value is None:
            out[column] = ""
        elif isinstance(value, datetime.date):
            out[column] = value.isoformat()
        else:
            out[column] = str(value).strip()
    return out


@transaction.atomic
def prevailing_wage_create(
    *, actor, source: WageSource, country: str, region: str = "", isco_code: str, year: int, amount, currency: str, unit: str
) -> PrevailingWage:
    """Record one prevailing wage citing `source`; Conflict when its key is already recorded."""
    _require_editor(actor)
    row = csvfile.Row(row=None, cells=_cells(csvfile.PREVAILING_COLUMNS, locals()))
    isco_codes = set(IscoGroup.objects.filter(code=row.cells["isco_code"]).restrict(actor).values_list("code", flat=True))
    values = _check_prevailing_row(row, isco_codes)
    if row.errors:
        raise InvalidInput(row.errors)
    if PrevailingWage.objects.filter(
        country=values["country"], region__iexact=values["region"], isco_code=values["isco_code"],
        year=values["year"], unit=values["unit"],
    ).restrict(actor, "change").exists():
        raise Conflict("A prevailing wage for this country, region, occupation, year and unit is already recorded.", field="isco_code")
    wage = PrevailingWage.objects.create(source=source, **values)
    audit.record(actor=actor, action="wages.prevailing_create", subject=wage, after=audit.snapshot(wage))
    return wage


@transaction.atomic
def minimum_wage_create(
    *,
    actor,
    source: WageSource,
    country: str,
    region: str = "",
    sector: str = "",
    valid_from,
    valid_until=None,
    amount,
    currency: str,
    unit: str,
) -> MinimumWage:
    """Record one minimum wage citing `source`; InvalidInput when its period overlaps a recorded one."""
    _require_editor(actor)
    row = csvfile.Row(row=None, cells=_cells(csvfile.MINIMUM_COLUMNS, locals()))
    values = _check_minimum_row(row)
    if row.errors:
        raise InvalidInput(row.errors)
    for other in MinimumWage.objects.filter(country=values["country"], region__iexact=values["region"],
                                            sector=values["sector"], unit=values["unit"]).restrict(actor, "change"):
        if _overlaps(values["valid_from"], values["valid_until"], other.valid_from, other.valid_until):
            raise InvalidInput(
                f"The period overlaps the recorded minimum wage from {other.valid_from.isoformat()}.", field="valid_from"
            )
    wage = MinimumWage.objects.create(source=source, **values)
    audit.record(actor=actor, action="wages.minimum_create", subject=wage, after=audit.snapshot(wage))
    return wage


@transaction.atomic
def wage_source_create(
    *, actor, name: str, publisher: str = "", url: str = "", published_on=None, notes: str = ""
) -> WageSource:
    """Record a source of wage figures (or return the recorded one with the same name, publisher and address)."""
    _require_editor(actor)
    clean, errors = _check_source(name=name, publisher=publisher, url=url, published_on=published_on)
    if errors:
        raise InvalidInput(errors)
    known = WageSource.objects.filter(name=clean["name"], publisher=clean["publisher"], url=clean["url"])
    source = known.restrict(actor, "change").first()
    if source is None:
        source = _source_for(clean, notes)
        audit.record(actor=actor, action="wages.source_create", subject=source, after=audit.snapshot(source))
    return source
