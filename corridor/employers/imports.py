"""Onboarding employers in bulk from a CSV or XLSX file: a dry run with a row-by-row report, then the import.

A platform administrator, or a programme administrator of a destination labour ministry for its own country, lists
one employer a row: the organisation, its business identifier, sectors and contact, a first worksite and, optionally,
the programme it applies to (the application then waits for the ministry's review, as one made by the employer).
The rows are checked with the same checks as an employer's own registration. A real import writes every row or
none, in one transaction, with one audit event for the whole file. The employers' staff get their accounts
afterwards, as for any organisation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db import transaction

from corridor.accounts.models import Organisation, OrgKind
from corridor.core import audit, tabular
from corridor.core.access import Role, roles_of
from corridor.core.errors import Forbidden, InvalidInput
from corridor.core.imports import ImportReportMixin
from corridor.employers.models import ApprovalStatus, EmployerApproval, EmployerProfile, Worksite
from corridor.employers.services import _check_profile, _check_worksite
from corridor.programmes.models import Programme
from corridor.reference import codes

COLUMNS = (
    "organisation", "country", "business_id", "sectors", "contact_name", "contact_phone", "contact_email",
    "worksite_name", "worksite_address", "worksite_region", "programme",
)
REQUIRED = ("organisation", "country", "business_id", "sectors", "contact_name", "contact_email", "worksite_name",
            "worksite_address")
MAX_LISTED_ERRORS = 1000
PREVIEW_ROWS = 20
BATCH = 1000
MAX_NAME = 200


@dataclass
class EmployerImportReport(ImportReportMixin):
    """What an import did (or, for a dry run, would do). `errors` are {row, field, message}, row by row."""

    filename: str
    dry_run: bool
    encoding: str
    rows: int = 0
    valid: int = 0
    created: int = 0
    applications: int = 0
    committed: bool = False
    columns: dict[str, str] = field(default_factory=dict)
    header: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)


def report_csv(report: EmployerImportReport) -> bytes:
    """The report's errors as a CSV download: row, field, message (one line per error)."""
    return tabular.write_report(report.errors)


def _key(value: str) -> str:
    return "".join(str(value or "").split()).casefold()


def _country_of(actor) -> str | None:
    """The one country the actor may onboard employers for, or None for any (a platform administrator)."""
    roles = roles_of(actor)
    if Role.PLATFORM_ADMIN in roles:
        return None
    org = getattr(actor, "organisation", None)
    if Role.MINISTRY_ADMIN in roles and org is not None and org.kind == OrgKind.DESTINATION_MINISTRY:
        return org.country
    raise Forbidden("Only platform administrators and programme administrators of a destination labour ministry "
                    "may import employers.")


def _read(data: bytes, filename: str, mapping):
    try:
        if isinstance(mapping, str):
            mapping = tabular.parse_mapping(mapping)
        rows, encoding, header = tabular.read_table(data, filename, mapping, COLUMNS, REQUIRED)
    except tabular.TableError as exc:
        raise InvalidInput([exc.as_error()]) from exc
    return rows, encoding, header, tabular.columns_used(header, mapping, COLUMNS)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(",", ";").split(";") if part.strip()]


def employer_import(*, actor, data: bytes, filename: str, mapping: dict | str | None = None,
                    dry_run: bool = True) -> EmployerImportReport:
    """Check a file of employers row by row and, unless `dry_run`, register them: every row or none.

    Each row makes an employer organisation, its profile and a worksite, and an application (pending review) to
    the programme named, if any. A business identifier already registered in the country, or twice in the file,
    is an error. A real import with any error raises InvalidInput listing each error with its row and field. A dry
    run only reads, outside a transaction; a real import checks and writes in one."""
    if dry_run:
        return _employer_import(actor=actor, data=data, filename=filename, mapping=mapping, dry_run=True)
    with transaction.atomic():
        return _employer_import(actor=actor, data=data, filename=filename, mapping=mapping, dry_run=False)


def _employer_import(*, actor, data: bytes, filename: str, mapping, dry_run: bool) -> EmployerImportReport:
    only_country = _country_of(actor)
    rows, encoding, header, columns = _read(data, filename, mapping)
    report = EmployerImportReport(filename=(filename or "")[:200], dry_run=dry_run, encoding=encoding, rows=len(rows),
                                  header=header, columns=columns)
    countries = {codes.normalise_country(r.get("country")) for r in rows} - {None}
    taken_ids = {
        (country, _key(business_id))
        for business_id, country in EmployerProfile.objects.filter(organisation__country__in=countries)
        .values_list("business_id", "organisation__country")
    }
    taken_names = {
        (country, name.casefold())
        for name, country in Organisation.objects.filter(kind=OrgKind.EMPLOYER, country__in=countries)
        .values_list("name", "country")
    }
    programmes = {p.code.upper(): p for p in Programme.objects.filter(code__in={r.get("programme").upper() for r in rows if r.get("programme")})}
    first_row_id: dict[tuple[str, str], int] = {}
    first_row_name: dict[tuple[str, str], int] = {}
    checked: list[tuple[dict, dict, dict, Programme | None]] = []
    for row in rows:
        errors: list[dict] = []
        name = " ".join(row.get("organisation").split())
        if not name:
            errors.append({"field": "organisation", "message": "This field is required."})
        elif len(name) > MAX_NAME:
            errors.append({"field": "organisation", "message": f"Use at most {MAX_NAME} characters."})
        country = codes.normalise_country(row.get("country"))
        if country is None:
            errors.append({"field": "country", "message": f"Unknown ISO 3166-1 country code {row.get('country')!r}."
                           if row.get("country") else "This field is required."})
        elif only_country is not None and country != only_country:
            errors.append({"field": "country", "message": f"You may onboard employers in {only_country} only, not in "
                                                          f"{country}."})
        profile = _check_profile(
            {
                "business_id": row.get("business_id"),
                "sectors": _split(row.get("sectors")),
                "contact_name": row.get("contact_name"),
                "contact_phone": row.get("contact_phone"),
                "contact_email": row.get("contact_email"),
            },
            errors,
        )
        site_errors: list[dict] = []
        site = _check_worksite(
            {"name": row.get("worksite_name"), "address": row.get("worksite_address"),
             "region": row.get("worksite_region"), "country": country or ""},
            "worksite_", site_errors,
        )
        errors.extend(e for e in site_errors if e["field"] != "worksite_country")
        if country and profile["business_id"]:
            key = (country, _key(profile["business_id"]))
            if key in taken_ids:
                errors.append({"field": "business_id", "message": f"An employer with the business identifier "
                                                                  f"{profile['business_id']!r} is already registered in {country}."})
            elif key in first_row_id:
                errors.append({"field": "business_id", "message": f"The business identifier {profile['business_id']!r} "
                                                                  f"is already on row {first_row_id[key]}."})
            else:
                first_row_id[key] = row.row
        if country and name:
            key = (country, name.casefold())
            if key in taken_names:
                errors.append({"field": "organisation", "message": f"An employer called {name!r} is already registered "
                                                                   f"in {country}."})
            elif key in first_row_name:
                errors.append({"field": "organisation", "message": f"{name!r} is already on row {first_row_name[key]}."})
            else:
                first_row_name[key] = row.row
        programme = None
        code = row.get("programme").upper()
        if code:
            programme = programmes.get(code)
            if programme is None:
                errors.append({"field": "programme", "message": f"No programme with code {code!r}."})
            elif country and programme.destination_country != country:
                errors.append({"field": "programme", "message": f"Programme {code} recruits for "
                                                                f"{programme.destination_country}; the employer is in {country}."})
        if errors:
            report.errors.extend({"row": row.row, "field": e["field"], "message": e["message"]} for e in errors)
            continue
        org = {"name": name, "country": country, "registration_number": profile["business_id"],
               "contact_email": profile["contact_email"]}
        checked.append((org, profile, site, programme))
        if len(report.preview) < PREVIEW_ROWS:
            report.preview.append({"row": row.row, "organisation": name, "country": country,
                                   "business_id": profile["business_id"], "sectors": ";".join(profile["sectors"]),
                                   "worksite": site["name"], "programme": programme.code if programme else ""})
    report.valid = len(checked)
    if dry_run:
        return report
    if report.errors:
        raise InvalidInput(tabular.capped(report.errors, MAX_LISTED_ERRORS))

    orgs = Organisation.objects.bulk_create(
        [Organisation(kind=OrgKind.EMPLOYER, **org) for org, _p, _s, _g in checked], batch_size=BATCH
    )
    profiles = EmployerProfile.objects.bulk_create(
        [EmployerProfile(organisation=o, **p) for o, (_org, p, _s, _g) in zip(orgs, checked, strict=True)], batch_size=BATCH
    )
    Worksite.objects.bulk_create(
        [Worksite(employer=e, **s) for e, (_o, _p, s, _g) in zip(profiles, checked, strict=True)], batch_size=BATCH
    )
    approvals = EmployerApproval.objects.bulk_create(
        [EmployerApproval(employer=e, programme=g, status=ApprovalStatus.PENDING)
         for e, (_o, _p, _s, g) in zip(profiles, checked, strict=True) if g is not None],
        batch_size=BATCH,
    )
    report.created, report.applications, report.committed = len(profiles), len(approvals), True
    per_programme: dict[str, int] = {}
    for approval in approvals:
        per_programme[approval.programme.code] = per_programme.get(approval.programme.code, 0) + 1
    subject = getattr(actor, "organisation", None) or orgs[0]
    audit.record(
        actor=actor,
        action="employer.import",
        subject=subject,
        after={
            "file": report.filename,
            "sha256": hashlib.sha256(data or b"").hexdigest(),
            "encoding": report.encoding,
            "rows": report.rows,
            "created": report.created,
            "applications": per_programme,
            "countries": sorted({o.country for o in orgs}),
        },
        reason=f"Imported {report.created} employers from {report.filename or 'a file'}.",
        organisation_id=subject.pk,
    )
    return report
