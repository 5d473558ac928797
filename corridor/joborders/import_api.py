"""Bulk imports through /api/v1/imports (scopes `joborders:read`, `joborders:write`): job orders from a CSV or
XLSX file, and employers onboarded by a ministry.

Each is a multipart POST with the `file`, an optional column `mapping` (a JSON object of our field name to the
file's column header) and `dry_run` (true by default: nothing is saved and the row-by-row report is returned with
200). With `dry_run` false the file is imported, every row or none: 201 with the report, or 422 with one error per
row and field. `?format=csv` returns the report's errors as a CSV download (row, field, message) instead.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from corridor.core import tabular
from corridor.core.access import Category
from corridor.core.api_auth import ApiAccess
from corridor.core.errors import DomainError, InvalidInput, NotFound
from corridor.employers import imports as employer_imports
from corridor.joborders import imports
from corridor.programmes.selectors import programme_get

import_router = Router(tags=["imports"], auth=ApiAccess(category=Category.ORGANISATION, scope="joborders"))

FORMAT = Query("json", pattern="^(json|csv)$", description="`csv` for the report's errors as a CSV download.")


class FileTooLarge(DomainError):
    status = 413
    title = "Payload too large"


class JobOrderImportOut(Schema):
    programme: str
    filename: str
    dry_run: bool
    submit: bool
    committed: bool
    encoding: str
    rows: int
    valid: int
    created: int
    ok: bool
    columns: dict[str, str]
    header: list[str]
    errors: list[dict]
    preview: list[dict]


class EmployerImportOut(Schema):
    filename: str
    dry_run: bool
    committed: bool
    encoding: str
    rows: int
    valid: int
    created: int
    applications: int
    ok: bool
    columns: dict[str, str]
    header: list[str]
    errors: list[dict]
    preview: list[dict]


def _file(file: UploadedFile) -> tuple[bytes, str]:
    if file.size is not None and file.size > tabular.MAX_BYTES:
        limit = tabular.MAX_BYTES / (1024 * 1024)
        raise FileTooLarge(f"The file is larger than {limit:g} MiB; split it into smaller files.", field="file")
    return file.read(tabular.MAX_BYTES + 1), file.name or ""


def _mapping(text: str) -> dict[str, str] | None:
    """A JSON object {"our_field": "Their column"}; lines "our_field = Their column" are accepted too."""
    text = (text or "").strip()
    if not text:
        return None
    if not text.startswith("{"):
        try:
            return tabular.parse_mapping(text)
        except tabular.TableError as exc:
            raise InvalidInput([exc.as_error()]) from exc
    try:
        mapping = json.loads(text)
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise InvalidInput('The mapping must be a JSON object of our field names to the file\'s column headers, e.g. '
                           '{"wage_amount": "Hourly wage"}.', field="mapping")
    return mapping


def _csv(errors: list[dict], status: int, name: str) -> HttpResponse:
    response = HttpResponse(tabular.write_report(errors), content_type="text/csv; charset=utf-8", status=status)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _answer(run, fmt: str, name: str, dry_run: bool):
    """The report: 200 for a dry run, 201 for an import done; a refused import is 422 (as CSV with format=csv)."""
    try:
        report = run()
    except InvalidInput as exc:
        if fmt != "csv":
            raise
        return _csv(exc.as_errors(), 422, name)
    if fmt == "csv":
        return _csv(report.errors, 200 if dry_run else 201, name)
    return Status(200 if dry_run else 201, report.as_dict())


@import_router.post(
    "/job-orders",
    response={200: JobOrderImportOut, 201: JobOrderImportOut},
    summary="Import job orders (CSV or XLSX)",
    description=(
        "Multipart form: `file` (CSV or XLSX, one job order a row), `programme` (code), `mapping` (optional JSON "
        "object of our field name to the file's column header), `dry_run` (default true), `submit` (default false: "
        "the orders are saved as drafts; true submits them for review, after the programme's rule checks). An "
        "employer imports for itself; a destination ministry officer for employers approved under the programme, "
        "named in the `employer` column by business identifier. See docs/imports.md for the columns."
    ),
)
def import_job_orders(
    request: HttpRequest,
    file: File[UploadedFile],
    programme: Form[str],
    mapping: Form[str] = "",
    dry_run: Form[bool] = True,
    submit: Form[bool] = False,
    format: str = FORMAT,
):
    data, filename = _file(file)
    try:
        chosen = programme_get(user=request.auth, code=programme[:40])
    except NotFound as exc:
        raise NotFound(exc.message, field="programme") from exc
    columns = _mapping(mapping)
    return _answer(
        lambda: imports.job_order_import(actor=request.auth, programme=chosen, data=data, filename=filename,
                                         mapping=columns, dry_run=dry_run, submit=submit),
        format, "job-order-import-report.csv", dry_run,
    )


@import_router.post(
    "/employers",
    response={200: EmployerImportOut, 201: EmployerImportOut},
    summary="Import employers (CSV or XLSX)",
    description=(
        "Multipart form: `file` (CSV or XLSX, one employer a row), `mapping` (optional JSON object), `dry_run` "
        "(default true). For platform administrators and programme administrators of a destination ministry (for "
        "their country). Each row makes the organisation, its employer profile and a worksite, and an application "
        "pending review under the `programme` column's programme, if given. See docs/imports.md for the columns."
    ),
)
def import_employers(
    request: HttpRequest,
    file: File[UploadedFile],
    mapping: Form[str] = "",
    dry_run: Form[bool] = True,
    format: str = FORMAT,
):
    data, filename = _file(file)
    columns = _mapping(mapping)
    return _answer(
        lambda: employer_imports.employer_import(actor=request.auth, data=data, filename=filename, mapping=columns,
                                                 dry_run=dry_run),
        format, "employer-import-report.csv", dry_run,
    )
