"""The wages API, mounted at /api/v1/wages. Reading is open to everyone (also without signing in); importing
figures needs a platform or programme administrator (session or token with `wages:write`)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from corridor.core.access import Category
from corridor.core.api_auth import ApiAccess
from corridor.core.errors import InvalidInput
from corridor.core.pagination import Pagination
from corridor.wages import floor, selectors, services

router = Router(tags=["wages"], auth=ApiAccess(category=Category.REFERENCE, scope="wages", anonymous_read=True))


class SourceOut(Schema):
    id: int
    name: str
    publisher: str
    url: str
    published_on: datetime.date | None


class PrevailingWageOut(Schema):
    country: str
    region: str
    isco_code: str
    year: int
    amount: Decimal
    currency: str
    unit: str
    source: SourceOut


class MinimumWageOut(Schema):
    country: str
    region: str
    sector: str
    valid_from: datetime.date
    valid_until: datetime.date | None
    amount: Decimal
    currency: str
    unit: str
    source: SourceOut


class RowReportOut(Schema):
    row: int
    values: dict
    action: str
    errors: list[dict]


class ImportReportOut(Schema):
    kind: str
    source: str
    dry_run: bool
    committed: bool
    encoding: str
    created: int
    updated: int
    unchanged: int
    ok: bool
    errors: list[dict]
    rows: list[RowReportOut]


class FloorOut(Schema):
    programme: str
    date: datetime.date
    floor_amount: Decimal
    currency: str
    unit: str
    basis_used: str
    explanation: str
    sources: list[str]


@router.get("/prevailing", response=list[PrevailingWageOut], summary="Prevailing wages")
@paginate(Pagination)
def list_prevailing(
    request: HttpRequest,
    country: str = Query("", max_length=2, description="ISO 3166-1 alpha-2 code."),
    region: str = Query("", max_length=100, description="Region name; national figures have none."),
    isco: str = Query("", max_length=4, pattern=r"^[0-9]{0,4}$", description="ISCO-08 group and the groups below it."),
    year: int | None = Query(None, ge=1900, le=2200),
):
    return selectors.prevailing_wage_list(user=request.auth, country=country, region=region, isco=isco, year=year)


@router.get("/minimum", response=list[MinimumWageOut], summary="Minimum wages")
@paginate(Pagination)
def list_minimum(
    request: HttpRequest,
    country: str = Query("", max_length=2, description="ISO 3166-1 alpha-2 code."),
    region: str = Query("", max_length=100),
    sector: str = Query("", max_length=1, description="ISIC Rev.4 section."),
    date: str = Query("", max_length=10, description="YYYY-MM-DD: only the figures in force that day."),
):
    return selectors.minimum_wage_list(
        user=request.auth, country=country, region=region, sector=sector, on_date=_date_param(date)
    )


def _date_param(value: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput([{"field": "date", "message": "Enter the date as YYYY-MM-DD."}]) from None


def _check_size(file: UploadedFile) -> None:
    if file.size is not None and file.size > settings.CORRIDOR_MAX_UPLOAD_BYTES:
        limit_mib = settings.CORRIDOR_MAX_UPLOAD_BYTES / (1024 * 1024)
        raise InvalidInput([{"field": "file", "message": f"The file is larger than {limit_mib:g} MiB."}])


IMPORT_DESCRIPTION = (
    "Multipart form with the CSV `file` and its source: `source_name` (required), `source_publisher`, "
    "`source_url`, `source_published_on` (YYYY-MM-DD), `source_notes`. With `dry_run` true nothing is saved and "
    "the row-by-row report is returned. Any row error gives 422 with one error per row and column; a real import "
    "saves every row or none. See docs/wages.md for the columns."
)


def _run_import(request, service, file, source_name, source_publisher, source_url, source_published_on, source_notes, dry_run):
    _check_size(file)
    report = service(
        actor=request.auth,
        source_name=source_name,
        source_publisher=source_publisher,
        source_url=source_url,
        source_published_on=source_published_on,
        source_notes=source_notes,
        data=file.read(),
        dry_run=dry_run,
    )
    if not report.ok:
        raise InvalidInput(report.errors)
    return report.as_dict()


@router.post("/prevailing/import", response=ImportReportOut, summary="Import prevailing wages (CSV)", description=IMPORT_DESCRIPTION)
def import_prevailing(
    request: HttpRequest,
    file: File[UploadedFile],
    source_name: Form[str],
    source_publisher: Form[str] = "",
    source_url: Form[str] = "",
    source_published_on: Form[str] = "",
    source_notes: Form[str] = "",
    dry_run: Form[bool] = False,
):
    return _run_import(
        request, services.prevailing_wage_import, file, source_name, source_publisher, source_url,
        source_published_on, source_notes, dry_run,
    )


@router.post("/minimum/import", response=ImportReportOut, summary="Import minimum wages (CSV)", description=IMPORT_DESCRIPTION)
def import_minimum(
    request: HttpRequest,
    file: File[UploadedFile],
    source_name: Form[str],
    source_publisher: Form[str] = "",
    source_url: Form[str] = "",
    source_published_on: Form[str] = "",
    source_notes: Form[str] = "",
    dry_run: Form[bool] = False,
):
    return _run_import(
        request, services.minimum_wage_import, file, source_name, source_publisher, source_url,
        source_published_on, source_notes, dry_run,
    )


@router.get(
    "/floor",
    response=FloorOut,
    summary="The wage floor of a programme for an occupation and place",
    description=(
        "The floor under the programme's rule version in force on `date` (today by default), with the figures "
        "it rests on explained and their sources. `isco` is an ISCO-08 code; the most specific prevailing wage "
        "recorded is used. Optional `unit` (hour, day, week, month) converts the floor."
    ),
)
def get_floor(
    request: HttpRequest,
    programme: str = Query(..., min_length=1, max_length=40, description="Programme code."),
    country: str = Query(..., min_length=1, max_length=2, description="ISO 3166-1 alpha-2 code."),
    isco: str = Query(..., min_length=1, max_length=4, description="ISCO-08 code."),
    region: str = Query("", max_length=100),
    sector: str = Query("", max_length=1, description="ISIC Rev.4 section."),
    date: str = Query("", max_length=10, description="YYYY-MM-DD; default today."),
    unit: str | None = Query(None, pattern=r"^(hour|day|week|month)$"),
):
    from django.utils import timezone

    day = _date_param(date) or timezone.localdate()
    result = selectors.wage_floor_for(
        user=request.auth, programme=programme, country=country, region=region, isco_code=isco,
        sector=sector, on_date=day, unit=unit,
    )
    return _floor_out(programme.upper(), day, result)


def _floor_out(code: str, day: datetime.date, result: floor.FloorResult) -> dict:
    return {
        "programme": code,
        "date": day,
        "floor_amount": result.floor_amount,
        "currency": result.currency,
        "unit": result.unit,
        "basis_used": result.basis_used,
        "explanation": result.explanation,
        "sources": result.source_labels,
    }
