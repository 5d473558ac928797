"""Vacancy reports and their aggregates through /api/v1/vacancy-reports (scopes `vacancies:read`, `vacancies:write`)."""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from corridor.core.access import Category
from corridor.core.api_auth import ApiAccess
from corridor.core.pagination import Pagination
from corridor.programmes.selectors import programme_get
from corridor.vacancies import selectors, services

router = Router(tags=["vacancies"], auth=ApiAccess(category=Category.ORGANISATION, scope="vacancies"))

MONTH = r"^[0-9]{4}-[0-9]{2}$"


class ReportIn(Schema):
    programme: str = Field(..., min_length=1, max_length=30, description="Programme code, e.g. CA-SAG.")
    kind: str = Field(..., max_length=20, description="unfilled or emerging.")
    isco_code: str = Field(..., max_length=4, description="ISCO-08 group code, 1 to 4 digits.")
    region: str = Field("", max_length=100, description="Region; empty for the whole country.")
    period: str = Field(..., max_length=10, description="The month the figure is about, YYYY-MM.")
    vacancies: int = Field(..., description="Number of vacancies, at least 1.")
    months_unfilled: int | None = Field(None, description="For unfilled vacancies: months they have been open.")
    note: str = Field("", max_length=2000)


class ReportOut(Schema):
    id: int
    programme: str
    organisation: str
    kind: str
    isco_code: str
    region: str
    country: str
    period: str
    vacancies: int
    months_unfilled: int | None
    note: str
    created_at: datetime.datetime
    withdrawn_at: datetime.datetime | None
    withdrawal_reason: str

    @staticmethod
    def resolve_programme(obj):
        return obj.programme.code

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.name

    @staticmethod
    def resolve_period(obj):
        return obj.period.strftime("%Y-%m")


class WithdrawIn(Schema):
    reason: str = Field("", max_length=2000)


class LineOut(Schema):
    isco_code: str
    isco_title: str
    region: str
    unfilled: int | None = Field(None, description="Unfilled vacancies; null when suppressed.")
    emerging: int | None = Field(None, description="Emerging needs; null when suppressed.")
    reporting_organisations: int | None = Field(None, description="Distinct reporting organisations; null when suppressed.")
    median_months_unfilled: float | None
    suggest_shortage: bool
    suppressed: bool


class AggregateOut(Schema):
    programme: str
    period_from: str
    period_to: str
    isco_level: int
    by_region: bool
    region: str
    threshold: int
    suppressed_view: bool = Field(..., description="True when lines of fewer than min_reporters organisations are hidden.")
    min_reporters: int
    lines: list[LineOut]


def _aggregate(request, programme, period_from, period_to, isco_level, region, by_region, threshold):
    return selectors.vacancy_aggregate(
        user=request.user,
        programme=programme_get(user=request.user, code=programme),
        period_from=period_from,
        period_to=period_to,
        isco_level=isco_level,
        region=region,
        by_region=by_region,
        threshold=threshold,
    )


def _aggregate_out(result: selectors.Aggregate) -> dict:
    return {
        "programme": result.programme.code,
        "period_from": result.period_from.strftime("%Y-%m"),
        "period_to": result.period_to.strftime("%Y-%m"),
        "isco_level": result.isco_level,
        "by_region": result.by_region,
        "region": result.region,
        "threshold": result.threshold,
        "suppressed_view": result.suppressed_view,
        "min_reporters": result.min_reporters,
        "lines": [
            {
                "isco_code": line.isco_code,
                "isco_title": result.titles.get(line.isco_code, ""),
                "region": line.region,
                "unfilled": line.unfilled,
                "emerging": line.emerging,
                "reporting_organisations": line.reporters,
                "median_months_unfilled": line.median_months_unfilled,
                "suggest_shortage": line.suggest_shortage,
                "suppressed": line.suppressed,
            }
            for line in result.lines
        ],
    }


@router.post("", response={201: ReportOut})
def report_create(request: HttpRequest, payload: ReportIn):
    """Report unfilled vacancies or an emerging need under a programme of your organisation's country."""
    programme = programme_get(user=request.user, code=payload.programme)
    data = payload.dict(exclude={"programme"})
    return Status(201, services.vacancy_report_create(actor=request.user, programme=programme, **data))


@router.get("", response=list[ReportOut])
@paginate(Pagination)
def report_list(
    request: HttpRequest,
    programme: str = Query("", max_length=30, description="Programme code."),
    kind: str = Query("", max_length=20, description="unfilled or emerging."),
):
    """Reports you may see: your organisation's own; for the destination ministry, all of its country's programmes."""
    target = programme_get(user=request.user, code=programme) if programme else None
    return selectors.vacancy_report_list(user=request.user, programme=target, kind=kind)


@router.post("/{int:report_id}/withdraw", response=ReportOut)
def report_withdraw(request: HttpRequest, report_id: int, payload: WithdrawIn):
    """Withdraw one of your organisation's reports, giving the reason; it is kept but no longer counted."""
    report = selectors.vacancy_report_get(user=request.user, pk=report_id)
    return services.vacancy_report_withdraw(actor=request.user, report=report, reason=payload.reason)


AGGREGATE_PARAMS = {
    "programme": Query(..., min_length=1, max_length=30, description="Programme code."),
    "period_from": Query("", alias="from", pattern=MONTH, description="First month, YYYY-MM (default: 11 months before this month, or before `to` if given)."),
    "period_to": Query("", alias="to", pattern=MONTH, description="Last month, YYYY-MM (default: 12 months ahead, for emerging needs)."),
    "isco_level": Query(4, ge=1, le=4, description="ISCO-08 digits to group by: 1 major group to 4 unit group."),
    "region": Query("", max_length=100, description="Only reports about this region."),
    "by_region": Query(True, description="One line per region (true) or national totals (false)."),
    "threshold": Query(10, ge=1, le=100_000, description="Unfilled vacancies from which a shortage is suggested."),
}


@router.get("/aggregate", response=AggregateOut)
def report_aggregate(
    request: HttpRequest,
    programme: str = AGGREGATE_PARAMS["programme"],
    period_from: str = AGGREGATE_PARAMS["period_from"],
    period_to: str = AGGREGATE_PARAMS["period_to"],
    isco_level: int = AGGREGATE_PARAMS["isco_level"],
    region: str = AGGREGATE_PARAMS["region"],
    by_region: bool = AGGREGATE_PARAMS["by_region"],
    threshold: int = AGGREGATE_PARAMS["threshold"],
):
    """Vacancies per occupation and region with suggested shortage occupations. The destination ministry reads every
    line; social partners and researchers do not see lines reported by fewer than three organisations."""
    result = _aggregate(request, programme, period_from, period_to, isco_level, region, by_region, threshold)
    return _aggregate_out(result)


@router.get("/aggregate.csv", response={200: None})
def report_aggregate_csv(
    request: HttpRequest,
    programme: str = AGGREGATE_PARAMS["programme"],
    period_from: str = AGGREGATE_PARAMS["period_from"],
    period_to: str = AGGREGATE_PARAMS["period_to"],
    isco_level: int = AGGREGATE_PARAMS["isco_level"],
    region: str = AGGREGATE_PARAMS["region"],
    by_region: bool = AGGREGATE_PARAMS["by_region"],
    threshold: int = AGGREGATE_PARAMS["threshold"],
):
    """The same aggregate as a CSV file (UTF-8); suppressed figures are empty cells."""
    result = _aggregate(request, programme, period_from, period_to, isco_level, region, by_region, threshold)
    response = HttpResponse(result.csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response
