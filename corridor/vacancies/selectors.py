"""Reading vacancy reports (through `restrict(user)`) and their aggregates (by role, with small-cell suppression)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import models
from django.utils import timezone

from corridor.core.access import Role, roles_of
from corridor.core.errors import Forbidden, InvalidInput, NotFound
from corridor.programmes.models import Programme
from corridor.reference.selectors import isco_titles
from corridor.vacancies import aggregate
from corridor.vacancies.models import MINISTRY_ROLES, REPORTER_ROLES, VacancyKind, VacancyReport

# Social partners and researchers read aggregates with small cells suppressed.
SUPPRESSED_READERS = frozenset({Role.UNION, Role.EMPLOYERS_ORG, Role.RESEARCHER})
# Without months given, an aggregate covers the 12 months up to this one and, for emerging needs, the 12 ahead.
DEFAULT_MONTHS_BACK = 12
DEFAULT_MONTHS_AHEAD = 12


def vacancy_report_list(*, user, programme: Programme | None = None, kind: str = "") -> models.QuerySet[VacancyReport]:
    """Reports the user may see, newest month first, optionally of one programme and kind."""
    qs = VacancyReport.objects.all().restrict(user).select_related("programme", "organisation")
    if programme is not None:
        qs = qs.filter(programme=programme)
    if kind:
        if kind not in VacancyKind.values:
            raise InvalidInput(f"Choose one of: {', '.join(VacancyKind.values)}.", field="kind")
        qs = qs.filter(kind=kind)
    return qs.order_by("-period", "-created_at", "-pk")


def vacancy_report_get(*, user, pk: int, action: str = "view") -> VacancyReport:
    report = VacancyReport.objects.filter(pk=pk).restrict(user, action).select_related("programme", "organisation").first()
    if report is None:
        raise NotFound(f"No vacancy report {pk}.", field="report_id")
    return report


def may_report_anywhere(user) -> bool:
    """Whether the user holds a role that reports vacancies (for some programme of their country)."""
    return bool(roles_of(user) & REPORTER_ROLES)


def may_read_aggregates(user) -> bool:
    """Whether the user holds a role that reads aggregates of some programme."""
    return bool(roles_of(user) & (MINISTRY_ROLES | SUPPRESSED_READERS | {Role.PLATFORM_ADMIN}))


def aggregate_access(user, programme: Programme) -> str:
    """"full" for the destination ministry and platform administrators, "suppressed" for social partners and
    researchers; Forbidden for everyone else."""
    roles = roles_of(user)
    if Role.PLATFORM_ADMIN in roles:
        return "full"
    org = getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None
    if roles & MINISTRY_ROLES and org is not None and org.country == programme.destination_country:
        return "full"
    if roles & SUPPRESSED_READERS:
        return "suppressed"
    raise Forbidden(
        "Vacancy aggregates are read by the destination labour ministry, the social partners and researchers."
    )


@dataclass(frozen=True)
class Aggregate:
    programme: Programme
    period_from: datetime.date
    period_to: datetime.date
    isco_level: int
    by_region: bool
    region: str
    threshold: int
    suppressed_view: bool
    min_reporters: int
    lines: list[aggregate.Line]
    titles: dict[str, str]

    def csv(self) -> str:
        return aggregate.to_csv(self.lines, titles=self.titles)

    @property
    def filename(self) -> str:
        return (
            f"vacancies-{self.programme.code.lower()}-{self.period_from:%Y-%m}-{self.period_to:%Y-%m}"
            f"-isco{self.isco_level}{'' if self.by_region else '-national'}.csv"
        )


def _month_arg(value, field: str) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.replace(day=1)
    month = aggregate.parse_month(str(value))
    if month is None:
        raise InvalidInput([{"field": field, "message": "Enter the month as YYYY-MM."}])
    return month


def _shift(month: datetime.date, months: int) -> datetime.date:
    index = max(month.year * 12 + month.month - 1 + months, 12)
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_range(period_from, period_to) -> tuple[datetime.date, datetime.date]:
    """(first month, last month) from YYYY-MM strings or dates.

    By default the last month is 12 months ahead (emerging needs are reported for months to come; unfilled
    vacancies never are) and the first is 11 months before this one; a last month given alone starts the range
    11 months before it.
    """
    errors = []
    try:
        start = _month_arg(period_from, "from")
    except InvalidInput as exc:
        errors += exc.errors
        start = None
    try:
        end = _month_arg(period_to, "to")
    except InvalidInput as exc:
        errors += exc.errors
        end = None
    if errors:
        raise InvalidInput(errors)
    this_month = timezone.localdate().replace(day=1)
    if start is None:
        start = _shift(end or this_month, -(DEFAULT_MONTHS_BACK - 1))
    if end is None:
        end = _shift(this_month, DEFAULT_MONTHS_AHEAD)
    if start > end:
        raise InvalidInput([{"field": "from", "message": "The first month comes after the last."}])
    return start, end


def vacancy_aggregate(
    *,
    user,
    programme: Programme,
    period_from=None,
    period_to=None,
    isco_level: int = 4,
    region: str | None = None,
    by_region: bool = True,
    threshold: int = aggregate.DEFAULT_THRESHOLD,
) -> Aggregate:
    """Open (not withdrawn) reports of a programme between two months (see `month_range` for the defaults),
    aggregated per occupation and region.

    `region` keeps only the reports about that region (None or "" for all); `by_region=False` adds regions up into
    national lines. The rows are read without `restrict(user)`: access is decided above on the user's role, and only
    aggregated lines leave this function, with small cells suppressed for social partners and researchers.
    """
    access = aggregate_access(user, programme)
    errors = []
    try:
        start, end = month_range(period_from, period_to)
    except InvalidInput as exc:
        errors += exc.errors
    if isco_level not in aggregate.ISCO_LEVELS:
        errors.append({"field": "isco_level", "message": "Choose an ISCO-08 level from 1 to 4."})
    if not isinstance(threshold, int) or isinstance(threshold, bool) or not 1 <= threshold <= 100_000:
        errors.append({"field": "threshold", "message": "Enter a number from 1 to 100,000."})
    region = " ".join((region or "").split())
    if len(region) > 100:
        errors.append({"field": "region", "message": "Use at most 100 characters."})
    if errors:
        raise InvalidInput(errors)
    qs = VacancyReport.objects.filter(
        programme=programme, withdrawn_at__isnull=True, period__gte=start, period__lte=end
    )
    if region:
        qs = qs.filter(region__iexact=region)
    rows = [
        aggregate.Row(code, reg, kind, period, vacancies, months, org)
        for code, reg, kind, period, vacancies, months, org in qs.values_list(
            "isco_code", "region", "kind", "period", "vacancies", "months_unfilled", "organisation_id"
        )
    ]
    lines = aggregate.aggregate(
        rows, isco_level=isco_level, by_region=by_region, threshold=threshold, suppress=access == "suppressed"
    )
    return Aggregate(
        programme=programme,
        period_from=start,
        period_to=end,
        isco_level=isco_level,
        by_region=by_region,
        region=region,
        threshold=threshold,
        suppressed_view=access == "suppressed",
        min_reporters=aggregate.MIN_REPORTERS,
        lines=lines,
        titles=isco_titles({line.isco_code for line in lines}),
    )
