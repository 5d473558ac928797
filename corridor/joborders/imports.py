"""Importing job orders in bulk from a CSV or XLSX file: a dry run with a row-by-row report, then the import.

Who: a member of an employer imports orders for its own employer; a destination ministry officer of the
programme's country imports for any employer approved under the programme, named in the `employer` column by its
business identifier. Each row is checked with the same field checks as a job order entered by hand
(`services.clean_order_input`) and, when the orders are to be submitted at once, with the programme's rules
(`services.order_findings`). Lookups are loaded once for the whole file, so that the checks make no query per row.

A real import writes every row or none, in one transaction, with one audit event for the whole file.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from corridor.core import audit
from corridor.core.access import Role, roles_of
from corridor.core.errors import Forbidden, InvalidInput
from corridor.core.imports import ImportReportMixin
from corridor.employers.models import ApprovalStatus, EmployerApproval, EmployerProfile, HousingUnit, Worksite
from corridor.employers.selectors import employer_may_submit_job_orders
from corridor.joborders import services, tabular
from corridor.joborders.models import JobOrder, LabourMarketAdvert, Status
from corridor.programmes.models import Programme
from corridor.programmes.selectors import rule_version_in_force

MAX_LISTED_ERRORS = 1000  # errors listed when a real import is refused; the dry-run report lists them all
PREVIEW_ROWS = 20
BATCH = 1000


@dataclass
class JobOrderImportReport(ImportReportMixin):
    """What an import did (or, for a dry run, would do). `errors` are {row, field, message}, row by row; `columns`
    maps each field read to the file's column; `preview` shows the first rows as they would be saved."""

    programme: str
    filename: str
    dry_run: bool
    submit: bool
    encoding: str
    rows: int = 0
    valid: int = 0
    created: int = 0
    committed: bool = False
    columns: dict[str, str] = field(default_factory=dict)
    header: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)


def report_csv(report) -> bytes:
    """The report's errors as a CSV download: row, field, message (one line per error)."""
    return tabular.write_report(report.errors)


def read_file(data: bytes, filename: str, mapping: dict | str | None, fields: tuple, required: tuple):
    """`read_table`, with a file that cannot be read as a whole turned into InvalidInput naming the field."""
    try:
        if isinstance(mapping, str):
            mapping = tabular.parse_mapping(mapping)
        rows, encoding, header = tabular.read_table(data, filename, mapping, fields, required)
    except tabular.TableError as exc:
        raise InvalidInput([exc.as_error()]) from exc
    return rows, encoding, header, tabular.columns_used(header, mapping, fields)


def business_key(value: str) -> str:
    """A business identifier compared without regard to case and spacing ("BN 123" = "bn123")."""
    return "".join(str(value or "").split()).casefold()


def _name_key(value: str) -> str:
    return " ".join(str(value or "").split()).casefold()


def _importer(actor, programme: Programme) -> EmployerProfile | None:
    """The actor's own employer (an employer importing), or None (a ministry officer importing for employers)."""
    roles = roles_of(actor)
    if Role.EMPLOYER in roles:
        employer = (
            EmployerProfile.objects.filter(organisation_id=getattr(actor, "organisation_id", None))
            .select_related("organisation").first()
        )
        if employer is None:
            raise Forbidden("Register your organisation as an employer before importing job orders.")
        return employer
    if services.is_destination_ministry(actor, programme):
        return None
    raise Forbidden(
        "Only members of an employer, for their own job orders, and officers of the destination country's labour "
        "ministry may import job orders."
    )


class _Places:
    """One employer's worksites and housing units, found by number or by name (address)."""

    def __init__(self):
        self.sites: dict[int, Worksite] = {}
        self.site_names: dict[str, list[Worksite]] = {}
        self.units: dict[int, HousingUnit] = {}
        self.unit_names: dict[str, list[HousingUnit]] = {}

    @staticmethod
    def find(value: str, by_id: dict, by_name: dict, what: str, label: str, owner: str) -> tuple[int | None, str]:
        """The number of the worksite (housing unit) written as its number or its name, or why there is none."""
        if value.isdigit() and int(value) in by_id:
            return int(value), ""
        found = by_name.get(_name_key(value), [])
        if len(found) == 1:
            return found[0].pk, ""
        if found:
            return None, f"{owner} has several {what}s called {value!r}; give the number instead."
        if value.isdigit():
            return int(value), ""  # the job-order checks say whose it is
        known = sorted(getattr(item, label) for item in by_id.values())
        listed = f"; its {what}s are: {', '.join(known[:20])}{' …' if len(known) > 20 else ''}" if known else ""
        return None, f"{owner} has no {what} called {value!r}{listed}."


def _load_places(employers: list[EmployerProfile]) -> tuple[dict[int, _Places], dict[int, Worksite], dict[int, HousingUnit]]:
    places = {e.pk: _Places() for e in employers}
    sites: dict[int, Worksite] = {}
    units: dict[int, HousingUnit] = {}
    for site in Worksite.objects.filter(employer_id__in=list(places)):
        sites[site.pk] = site
        places[site.employer_id].sites[site.pk] = site
        places[site.employer_id].site_names.setdefault(_name_key(site.name), []).append(site)
    for unit in HousingUnit.objects.filter(worksite__employer_id__in=list(places)).select_related("worksite"):
        unit.worksite = sites.get(unit.worksite_id, unit.worksite)
        units[unit.pk] = unit
        place = places[unit.worksite.employer_id]
        place.units[unit.pk] = unit
        place.unit_names.setdefault(_name_key(unit.address), []).append(unit)
    return places, sites, units


def _employers_for(programme: Programme, keys: set[str]) -> dict[str, list[EmployerProfile]]:
    """Employers approved under the programme whose business identifier is among `keys`."""
    found: dict[str, list[EmployerProfile]] = {}
    approvals = (
        EmployerApproval.objects.filter(programme=programme, status=ApprovalStatus.APPROVED)
        .select_related("employer__organisation")
    )
    for approval in approvals:
        key = business_key(approval.employer.business_id)
        if key in keys:
            found.setdefault(key, []).append(approval.employer)
    return found


def _unique_references(count: int) -> list[str]:
    references: set[str] = set()
    while len(references) < count:
        wanted = {services.new_reference() for _ in range(count - len(references))} - references
        fresh = list(wanted)
        for start in range(0, len(fresh), BATCH):
            chunk = fresh[start:start + BATCH]
            wanted -= set(JobOrder.objects.filter(reference__in=chunk).values_list("reference", flat=True))
        references |= wanted
    return list(references)


def _row_error(row: int, name: str, message: str) -> dict:
    column, prefix = tabular.field_of(name or "file")
    return {"row": row, "field": column, "message": f"{prefix}{message}"}


def job_order_import(*, actor, programme: Programme, data: bytes, filename: str, mapping: dict | str | None = None,
                     dry_run: bool = True, submit: bool = False,
                     today: datetime.date | None = None) -> JobOrderImportReport:
    """Check a file of job orders row by row and, unless `dry_run`, save them: every row or none.

    The orders are saved as drafts, or submitted for review when `submit` is true (each row then also has to
    meet the programme's rules, and the employer has to be allowed to submit). A real import with any error
    raises InvalidInput listing each error with its row and field. A dry run only reads, outside a transaction (so
    that it holds no write lock); a real import checks and writes in one."""
    kwargs = {"actor": actor, "programme": programme, "data": data, "filename": filename, "mapping": mapping,
              "dry_run": dry_run, "submit": submit, "today": today}
    if dry_run:
        return _job_order_import(**kwargs)
    with transaction.atomic():
        return _job_order_import(**kwargs)


def _job_order_import(*, actor, programme: Programme, data: bytes, filename: str, mapping, dry_run: bool, submit: bool,
                      today: datetime.date | None) -> JobOrderImportReport:
    own = _importer(actor, programme)
    services._require_programme_open(programme)
    today = today or timezone.localdate()
    rows, encoding, header, columns = read_file(data, filename, mapping, tabular.COLUMNS, tabular.REQUIRED)
    report = JobOrderImportReport(
        programme=programme.code, filename=(filename or "")[:200], dry_run=dry_run, submit=submit, encoding=encoding,
        rows=len(rows), header=header, columns=columns,
    )

    # The employer of each row.
    if own is not None:
        by_key = {business_key(own.business_id): [own]}
    else:
        by_key = _employers_for(programme, {business_key(r.get("employer")) for r in rows if r.get("employer")})
    employers = {e.pk: e for found in by_key.values() for e in found}
    places, sites, units = _load_places(list(employers.values()))
    lookups = services.Lookups(bulk=True)
    origins = services.corridor_origins(programme) if submit else frozenset()
    versions: dict[datetime.date, object] = {}
    floor_cache: dict = {}
    may_submit: dict[int, tuple[bool, str]] = {}

    valid: list[tuple[JobOrder, list[dict] | None]] = []
    for row in rows:
        employer, message = _employer_of(row, own, by_key, programme)
        if employer is None:
            report.errors.append({"row": row.row, "field": "employer", "message": message})
            continue
        order_data, errors = tabular.order_input(row)
        place = places[employer.pk]
        resolved = set()
        for name, by_id, by_name, what, label in (
            ("worksite", place.sites, place.site_names, "worksite", "name"),
            ("housing", place.units, place.unit_names, "housing unit", "address"),
        ):
            value = row.get(name)
            if not value:
                continue
            pk, problem = _Places.find(value, by_id, by_name, what, label, str(employer))
            if problem:
                errors.append({"field": name, "message": problem})
                resolved.add(name)
                order_data[name] = None
            else:
                order_data[name] = pk
        clean, checked = services.clean_order_input(order_data, employer, programme, lookups=lookups,
                                                    worksites=sites, units=units)
        errors.extend(e for e in checked if e["field"] not in resolved)
        if not errors:
            order = JobOrder(employer=employer, programme=programme)
            advert_objects = [LabourMarketAdvert(**a) for a in clean.pop("adverts", None) or []]
            services._apply(order, clean)
            if submit:
                errors.extend(_rule_errors(order, advert_objects, employer, programme, today, versions, floor_cache,
                                           origins, may_submit))
        if errors:
            report.errors.extend(_row_error(row.row, e["field"], e["message"]) for e in errors)
            continue
        valid.append((order, advert_objects))
        if len(report.preview) < PREVIEW_ROWS:
            report.preview.append(_preview(row.row, order))
    report.valid = len(valid)
    if dry_run:
        return report
    if report.errors:
        raise InvalidInput(tabular.capped(report.errors, MAX_LISTED_ERRORS))

    now = timezone.now()
    orders = [order for order, _adverts in valid]
    for order, reference in zip(orders, _unique_references(len(orders)), strict=True):
        order.reference = reference
        if submit:
            order.status = Status.SUBMITTED
            order.submitted_by, order.submitted_at = actor, now
            order.rule_version = versions[order.start_date]
            order.check_report = []
        else:
            order.status = Status.DRAFT
    JobOrder.objects.bulk_create(orders, batch_size=BATCH)
    adverts = []
    for order, advert_objects in valid:
        for advert in advert_objects:
            advert.job_order = order
            adverts.append(advert)
    LabourMarketAdvert.objects.bulk_create(adverts, batch_size=BATCH)
    report.created, report.committed = len(orders), True
    _record(actor, programme, report, data, orders, own, adverts=len(adverts))
    return report


def _employer_of(row, own: EmployerProfile | None, by_key: dict, programme: Programme):
    named = row.get("employer")
    if own is not None:
        if named and business_key(named) != business_key(own.business_id):
            return None, (f"You may import job orders only for your own organisation (business identifier "
                          f"{own.business_id}), not for {named!r}.")
        return own, ""
    if not named:
        return None, "Name the employer by its business identifier."
    found = by_key.get(business_key(named), [])
    if len(found) > 1:
        return None, f"Several employers have the business identifier {named!r}; ask the platform administrators."
    if not found:
        return None, f"No employer with the business identifier {named!r} is approved under {programme.code}."
    return found[0], ""


def _rule_errors(order: JobOrder, adverts: list, employer: EmployerProfile, programme: Programme, today, versions: dict,
                 floor_cache: dict, origins: frozenset, may_submit: dict) -> list[dict]:
    """The programme's rules that the order breaks, and whether its employer may submit (each looked up once)."""
    errors = []
    if employer.pk not in may_submit:
        may_submit[employer.pk] = employer_may_submit_job_orders(employer, programme, today)
    allowed, why = may_submit[employer.pk]
    if not allowed:
        errors.append({"field": "employer", "message": why})
    if order.start_date not in versions:
        versions[order.start_date] = rule_version_in_force(programme=programme, day=order.start_date)
    version = versions[order.start_date]
    if version is None:
        errors.append({"field": "start_date", "message": f"No rules of {programme.code} are in force on "
                                                          f"{order.start_date.isoformat()}; choose dates within the "
                                                          f"programme's validity."})
        return errors
    findings, _version = services.order_findings(order, today=today, version=version, origins=origins,
                                                 floor_cache=floor_cache, adverts=adverts)
    errors.extend({"field": f.field, "message": f.as_error()["message"]} for f in findings)
    return errors


def _preview(row: int, order: JobOrder) -> dict:
    return {
        "row": row,
        "employer": order.employer.business_id,
        "title": order.title,
        "isco_code": order.isco_code,
        "positions": order.positions,
        "start_date": order.start_date.isoformat(),
        "end_date": order.end_date.isoformat(),
        "worksite": order.worksite.name,
        "wage": f"{order.wage_amount} {order.wage_currency}/{order.wage_unit}",
    }


def _record(actor, programme: Programme, report: JobOrderImportReport, data: bytes, orders: list[JobOrder],
            own: EmployerProfile | None, *, adverts: int) -> None:
    per_employer: dict[str, int] = {}
    for order in orders:
        per_employer[order.employer.business_id] = per_employer.get(order.employer.business_id, 0) + 1
    employer_orgs = {order.employer.organisation_id for order in orders}
    organisation_id = own.organisation_id if own else (
        next(iter(employer_orgs)) if len(employer_orgs) == 1 else getattr(actor, "organisation_id", None)
    )
    status = Status.SUBMITTED if report.submit else Status.DRAFT
    audit.record(
        actor=actor,
        action="job_order.import",
        subject=programme,
        after={
            "file": report.filename,
            "sha256": hashlib.sha256(data or b"").hexdigest(),
            "encoding": report.encoding,
            "rows": report.rows,
            "created": report.created,
            "adverts": adverts,
            "status": str(status),
            "employers": per_employer,
            "first_reference": orders[0].reference if orders else None,
        },
        reason=f"Imported {report.created} job orders ({status}) from {report.filename or 'a file'}.",
        programme_id=programme.pk,
        organisation_id=organisation_id,
        rule_version_id=orders[0].rule_version_id if report.submit and orders else None,
    )
