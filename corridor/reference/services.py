"""Changing reference data: importing a crosswalk from national occupation codes to ISCO-08."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction

from corridor.core import audit
from corridor.core.errors import Forbidden, InvalidInput
from corridor.core.imports import ImportReportMixin
from corridor.reference import codes, crosswalk
from corridor.reference.models import CrosswalkEntry, IscoGroup, NationalClassification, may_change_reference

CLASSIFICATION_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,29}$")
MAX_NAME = 200
MAX_VERSION = 40

ACTION_CREATE = "create"
ACTION_UPDATE = "update"
ACTION_UNCHANGED = "unchanged"
ACTION_ERROR = "error"


@dataclass
class CrosswalkRowReport:
    row: int
    national_code: str
    national_title: str
    isco_code: str
    isco_title: str
    action: str  # create, update, unchanged or error
    errors: list[dict] = field(default_factory=list)


@dataclass
class CrosswalkImportReport(ImportReportMixin):
    """What an import did (or, for a dry run, would do), row by row."""

    classification_code: str
    name: str
    country: str
    version: str
    dry_run: bool
    committed: bool
    encoding: str
    rows: list[CrosswalkRowReport]
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    not_in_file: int = 0  # existing entries of the classification that the file does not mention (kept)
    errors: list[dict] = field(default_factory=list)


def _check_metadata(
    *, classification_code: str, name: str, country: str, version: str
) -> tuple[dict, list[dict]]:
    errors: list[dict] = []
    code = (classification_code or "").strip().upper()
    if not code:
        errors.append({"field": "classification_code", "message": "The classification code is missing."})
    elif not CLASSIFICATION_CODE.match(code):
        errors.append(
            {
                "field": "classification_code",
                "message": "Use up to 30 letters, digits, dots, hyphens or underscores, e.g. NOC2021.",
            }
        )
    clean_name = (name or "").strip()
    if not clean_name:
        errors.append({"field": "name", "message": "The name of the classification is missing."})
    elif len(clean_name) > MAX_NAME:
        errors.append({"field": "name", "message": f"The name is longer than {MAX_NAME} characters."})
    iso = codes.normalise_country(country)
    if not (country or "").strip():
        errors.append({"field": "country", "message": "The country is missing."})
    elif iso is None:
        errors.append(
            {"field": "country", "message": f"{country!r} is not an ISO 3166-1 alpha-2 country code."}
        )
    clean_version = (version or "").strip()
    if len(clean_version) > MAX_VERSION:
        errors.append(
            {"field": "version", "message": f"The version is longer than {MAX_VERSION} characters."}
        )
    return {"code": code, "name": clean_name, "country": iso or "", "version": clean_version}, errors


@transaction.atomic
def crosswalk_import(
    *,
    actor,
    classification_code: str,
    name: str,
    country: str,
    version: str = "",
    data: bytes,
    dry_run: bool,
) -> CrosswalkImportReport:
    """Check a crosswalk CSV row by row and, unless `dry_run`, save it: every row or none.

    Creates the classification or updates its name, country and version; creates entries for new national codes
    and updates the title and ISCO-08 group of known ones (entries absent from the file are kept). A dry run
    returns the report with any row errors and writes nothing. A real import with any error raises InvalidInput
    listing each error with its row and column. One audit event records a committed import.
    """
    if not may_change_reference(actor):
        raise Forbidden("Only platform administrators and programme administrators may import crosswalks.")
    meta, meta_errors = _check_metadata(
        classification_code=classification_code, name=name, country=country, version=version
    )

    groups = {g.code: g for g in IscoGroup.objects.all().restrict(actor).only("id", "code", "title")}
    try:
        rows, encoding = crosswalk.parse(data or b"", is_isco_code=groups.__contains__)
    except crosswalk.CrosswalkFileError as exc:
        error = {"field": exc.field, "message": exc.message}
        if exc.row is not None:
            error["row"] = exc.row
        raise InvalidInput(meta_errors + [error]) from exc

    classification = (
        NationalClassification.objects.filter(code=meta["code"]).restrict(actor, "change").first()
    )
    existing: dict[str, CrosswalkEntry] = {}
    if classification is not None:
        existing = {e.national_code: e for e in classification.entries.all().restrict(actor, "change")}

    report = CrosswalkImportReport(
        classification_code=meta["code"],
        name=meta["name"],
        country=meta["country"],
        version=meta["version"],
        dry_run=dry_run,
        committed=False,
        encoding=encoding,
        rows=[],
        errors=list(meta_errors),
    )
    for row in rows:
        group = groups.get(row.isco_code)
        if not row.is_valid:
            action = ACTION_ERROR
            report.errors.extend(row.errors)
        elif row.national_code not in existing:
            action = ACTION_CREATE
            report.created += 1
        else:
            entry = existing[row.national_code]
            if entry.national_title == row.national_title and entry.isco_group_id == group.pk:
                action = ACTION_UNCHANGED
                report.unchanged += 1
            else:
                action = ACTION_UPDATE
                report.updated += 1
        report.rows.append(
            CrosswalkRowReport(
                row=row.row,
                national_code=row.national_code,
                national_title=row.national_title,
                isco_code=row.isco_code,
                isco_title=group.title if group else "",
                action=action,
                errors=row.errors,
            )
        )
    in_file = {r.national_code for r in rows}
    report.not_in_file = sum(1 for code in existing if code not in in_file)

    if dry_run:
        return report
    if report.errors:
        raise InvalidInput(report.errors)

    before = audit.snapshot(classification) if classification is not None else None
    if classification is None:
        classification = NationalClassification.objects.create(
            code=meta["code"], name=meta["name"], country=meta["country"], version=meta["version"]
        )
    else:
        classification.name, classification.country, classification.version = (
            meta["name"],
            meta["country"],
            meta["version"],
        )
        classification.save()

    to_create, to_update = [], []
    for row_report in report.rows:
        group = groups[row_report.isco_code]
        if row_report.action == ACTION_CREATE:
            to_create.append(
                CrosswalkEntry(
                    classification=classification,
                    national_code=row_report.national_code,
                    national_title=row_report.national_title,
                    isco_group=group,
                )
            )
        elif row_report.action == ACTION_UPDATE:
            entry = existing[row_report.national_code]
            entry.national_title, entry.isco_group = row_report.national_title, group
            to_update.append(entry)
    CrosswalkEntry.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        CrosswalkEntry.objects.bulk_update(to_update, ["national_title", "isco_group"], batch_size=500)

    after = audit.snapshot(classification, exclude=("updated_at",))
    after.update(
        {
            "rows": len(report.rows),
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "not_in_file": report.not_in_file,
            "encoding": encoding,
        }
    )
    if before is not None:
        before.pop("updated_at", None)
    audit.record(
        actor=actor,
        action="reference.crosswalk_import",
        subject=classification,
        before=before,
        after=after,
        reason=f"Imported {len(report.rows)} rows of the {classification.code} crosswalk to ISCO-08.",
    )
    report.committed = True
    return report
