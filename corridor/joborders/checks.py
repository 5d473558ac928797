"""Checking a job order against its programme's rules (GB.346 para 14, 20, 33, 36; Madrid para 20). Plain Python.

`check_order(order, rules, context)` returns every way the job order breaks the rules in force for its season, each
finding naming the job-order field at fault, the rule it breaks (its path in the programme's rules) and the figures.
The same checks run when the employer submits, when the ministry reviews and again when it approves, so that a
change of rules in between is caught. A trusted employer gets a shorter review, never fewer of these checks.

The wage floor and the housing standard have their own cores (`wages/floor.py`, `employers/housing.py`); the caller
passes their results in the context, so that this module needs no database.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from corridor.wages.floor import Conversion

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
TRAVEL_EXCEPTION_CATEGORIES = frozenset({"travel", "travel_and_lodging", "transport"})


@dataclass(frozen=True)
class Deduction:
    type: str
    amount: Decimal  # per month, in the wage's currency


@dataclass(frozen=True)
class Advert:
    """Local advertising of the vacancy, the evidence of the labour-market test."""

    channel: str
    start: datetime.date
    end: datetime.date
    local_applicants: int = 0
    local_hires: int = 0


@dataclass(frozen=True)
class Order:
    isco_code: str
    sector: str
    origin_countries: tuple[str, ...]
    positions: int
    start: datetime.date
    end: datetime.date
    wage_amount: Decimal
    wage_currency: str
    wage_unit: str
    hours_per_week: Decimal
    overtime_rate_percent: Decimal
    deductions: tuple[Deduction, ...] = ()
    outbound_travel_worker_percent: Decimal = Decimal(0)
    return_travel_worker_percent: Decimal = Decimal(0)
    adverts: tuple[Advert, ...] = ()
    named_workers: tuple[str, ...] = ()
    has_housing: bool = False


@dataclass(frozen=True)
class Housing:
    """The offered unit as the checks need it: its beds, the standard's findings and the monthly charge."""

    capacity: int
    findings: tuple[tuple[str, str], ...] = ()  # (rule, message) from employers/housing.py
    offered: bool = True
    charge: Decimal = Decimal(0)
    charge_currency: str = ""


@dataclass(frozen=True)
class Context:
    today: datetime.date
    corridor_origins: frozenset[str]
    floor_shortfalls: tuple[str, ...] = ()  # from FloorResult.check
    floor_error: str = ""  # when no floor can be computed
    housing: Housing | None = None


@dataclass(frozen=True)
class Finding:
    field: str
    rule: str
    message: str
    principle: str = ""

    def as_error(self) -> dict:
        data = {"field": self.field, "message": self.message, "rule": self.rule}
        if self.principle:
            data["principle"] = self.principle
            data["message"] = f"{self.message} See {self.principle}."
        return data


@dataclass
class _Findings:
    items: list[Finding] = field(default_factory=list)

    def add(self, field_name: str, rule: str, message: str, principle: str = "") -> None:
        self.items.append(Finding(field_name, rule, message, principle))


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: datetime.date, end: datetime.date) -> list[int]:
    """The calendar months (1-12) that the period from `start` to `end` touches, in order, without repeats."""
    months, day = [], start.replace(day=1)
    while day <= end and len(months) < 12:
        months.append(day.month)
        day = add_months(day, 1)
    return months


def in_window(month: int, start_month: int, end_month: int) -> bool:
    """Whether a month lies in a season window; a window may wrap round the year (e.g. November to April)."""
    if start_month <= end_month:
        return start_month <= month <= end_month
    return month >= start_month or month <= end_month


def covered_days(adverts: Iterable[Advert], until: datetime.date) -> int:
    """Days on which at least one advert ran, counting only days up to `until` (future days are not evidence)."""
    spans = sorted((a.start, min(a.end, until)) for a in adverts if a.start <= min(a.end, until))
    total, current_start, current_end = 0, None, None
    for start, end in spans:
        if current_end is None or start > current_end + datetime.timedelta(days=1):
            if current_end is not None:
                total += (current_end - current_start).days + 1
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += (current_end - current_start).days + 1
    return total


def monthly_gross(order: Order) -> Decimal:
    """The guaranteed monthly gross pay: the wage converted to a month at the order's weekly hours."""
    hours = order.hours_per_week if order.hours_per_week and order.hours_per_week > 0 else None
    conversion = Conversion(hours_per_week=hours)
    return conversion.convert(Decimal(order.wage_amount), order.wage_unit, "month").quantize(CENT, ROUND_HALF_UP)


def _pct(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.1'), ROUND_HALF_UP)}"
    return text[:-2] if text.endswith(".0") else text


def _check_dates(order: Order, rules: Mapping, out: _Findings) -> None:
    if order.end <= order.start:
        out.add("end_date", "dates", "The end date must be after the start date.")
        return
    stay = rules.get("stay") or {}
    longest = stay.get("max_months_per_stay")
    if longest and order.end > add_months(order.start, int(longest)):
        out.add(
            "end_date", "stay.max_months_per_stay",
            f"The job lasts longer than the programme's longest stay of {int(longest)} months "
            f"(from {order.start.isoformat()} it must end by {add_months(order.start, int(longest)).isoformat()}).",
        )
    in_period, period = stay.get("max_months_in_period"), stay.get("period_months")
    if in_period and period and order.end > add_months(order.start, int(in_period)):
        out.add(
            "end_date", "stay.max_months_in_period",
            f"The programme allows at most {int(in_period)} months in any {int(period)}; this job is longer.",
        )
    window = stay.get("season_window") or None
    if window:
        first, last = int(window.get("start_month", 1)), int(window.get("end_month", 12))
        outside = [m for m in months_between(order.start, order.end) if not in_window(m, first, last)]
        if outside:
            names = ", ".join(calendar.month_name[m] for m in outside)
            out.add(
                "start_date" if not in_window(order.start.month, first, last) else "end_date",
                "stay.season_window",
                f"The dates fall outside the programme's season ({calendar.month_name[first]} to "
                f"{calendar.month_name[last]}): {names}.",
            )


def _check_occupation(order: Order, rules: Mapping, context: Context, out: _Findings) -> None:
    allowed = [str(c) for c in rules.get("eligible_occupations") or []]
    if allowed and not any(order.isco_code.startswith(code) for code in allowed):
        out.add(
            "isco_code", "eligible_occupations",
            f"Occupation {order.isco_code} is not open under this programme; the eligible ISCO-08 groups are "
            f"{', '.join(allowed)}.",
        )
    sectors = [str(s) for s in rules.get("eligible_sectors") or []]
    if sectors and order.sector not in sectors:
        out.add("sector", "eligible_sectors", f"Sector {order.sector} is not open under this programme ({', '.join(sectors)}).")
    if not order.origin_countries:
        out.add("origin_countries", "corridors", "Name at least one origin country.")
    unknown = [c for c in order.origin_countries if c not in context.corridor_origins]
    if unknown:
        open_ones = ", ".join(sorted(context.corridor_origins)) or "none"
        out.add(
            "origin_countries", "corridors",
            f"The programme has no open corridor with {', '.join(unknown)} (open corridors: {open_ones}).",
        )
    if order.named_workers and not (rules.get("recall") or {}).get("named_by_employer_allowed", True):
        out.add("named_workers", "recall.named_by_employer_allowed", "This programme does not let employers name workers.")


def _check_pay(order: Order, rules: Mapping, context: Context, out: _Findings) -> None:
    if context.floor_error:
        out.add("wage_amount", "wage_floor", context.floor_error)
    for message in context.floor_shortfalls:
        out.add("wage_amount", "wage_floor", message, "C97 Art 6; GB.346 para 36 (equal pay)")
    guaranteed = rules.get("guaranteed_hours") or {}
    hours, weeks = guaranteed.get("hours"), guaranteed.get("period_weeks")
    if hours and weeks:
        weekly = (Decimal(str(hours)) / Decimal(int(weeks))).quantize(CENT, ROUND_HALF_UP)
        if order.hours_per_week < weekly:
            out.add(
                "hours_per_week", "guaranteed_hours",
                f"The programme guarantees {hours:g} hours every {int(weeks)} weeks ({weekly} a week); the job "
                f"order offers {order.hours_per_week} a week.",
            )
    if order.overtime_rate_percent < HUNDRED:
        out.add(
            "overtime_rate_percent", "overtime",
            f"Overtime must be paid at least at the ordinary rate (100%); the job order says {_pct(order.overtime_rate_percent)}%.",
            "C97 Art 6 (equal treatment)",
        )


def _check_deductions(order: Order, rules: Mapping, context: Context, out: _Findings) -> None:
    deductions = list(order.deductions)
    housing = context.housing
    if housing and housing.charge > 0 and not any(d.type == "housing" for d in deductions):
        deductions.append(Deduction("housing", housing.charge))
    if not deductions:
        return
    policy = rules.get("deductions") or {}
    allowed = [str(t) for t in policy.get("allowed_types") or []]
    caps = {str(k): Decimal(str(v)) for k, v in (policy.get("caps_percent") or {}).items()}
    gross = monthly_gross(order)
    total = Decimal(0)
    for index, deduction in enumerate(deductions):
        name = f"deductions[{index}]"
        if deduction.amount < 0:
            out.add(f"{name}.amount", "deductions", "A deduction cannot be negative.")
            continue
        total += deduction.amount
        if allowed and deduction.type not in allowed:
            out.add(
                f"{name}.type", "deductions.allowed_types",
                f"Deductions of type '{deduction.type}' are not allowed; allowed types: {', '.join(allowed)}.",
                "C95 Art 8",
            )
        cap = caps.get(deduction.type)
        if cap is not None and gross > 0:
            share = deduction.amount * HUNDRED / gross
            if share > cap:
                out.add(
                    f"{name}.amount", f"deductions.caps_percent.{deduction.type}",
                    f"The {deduction.type} deduction of {deduction.amount} {order.wage_currency} a month is "
                    f"{_pct(share)}% of the guaranteed monthly gross pay ({gross} {order.wage_currency}); the cap is {_pct(cap)}%.",
                    "C95 Art 8",
                )
    if gross <= 0:
        return
    total_share = total * HUNDRED / gross
    total_cap = policy.get("total_cap_percent")
    if total_cap is not None and total_share > Decimal(str(total_cap)):
        out.add(
            "deductions", "deductions.total_cap_percent",
            f"Deductions total {total} {order.wage_currency} a month, {_pct(total_share)}% of the guaranteed monthly "
            f"gross pay ({gross}); the programme's cap is {_pct(Decimal(str(total_cap)))}%.",
            "C95 Art 8",
        )
    floor = policy.get("net_pay_floor_percent")
    if floor is not None and HUNDRED - total_share < Decimal(str(floor)):
        out.add(
            "deductions", "deductions.net_pay_floor_percent",
            f"Net pay would be {_pct(HUNDRED - total_share)}% of gross ({gross - total} of {gross} "
            f"{order.wage_currency} a month); the programme requires at least {_pct(Decimal(str(floor)))}%.",
            "C95 Art 8",
        )


def _check_housing(order: Order, rules: Mapping, context: Context, out: _Findings) -> None:
    standard = rules.get("housing") or {}
    housing = context.housing
    if housing is None:
        if standard.get("employer_must_provide"):
            out.add("housing", "housing.employer_must_provide", "The programme requires the employer to provide housing; choose a housing unit.")
        return
    if not housing.offered:
        out.add("housing", "housing", "The chosen housing unit has been withdrawn; choose another.")
    if housing.capacity < order.positions:
        out.add(
            "housing", "housing.capacity",
            f"The housing unit has {housing.capacity} beds for {order.positions} positions; it must house every worker.",
        )
    for rule, message in housing.findings:
        out.add("housing", rule, message, "GB.346 para 33")
    if housing.charge > 0 and housing.charge_currency and housing.charge_currency != order.wage_currency:
        out.add("housing", "housing", f"The housing charge is in {housing.charge_currency} but the wage is in {order.wage_currency}.")


def _check_travel(order: Order, rules: Mapping, out: _Findings) -> None:
    fees = rules.get("fees") or {}
    if not fees.get("workers_pay_nothing", True):
        return
    excepted = {str(e.get("category", "")).lower() for e in fees.get("lawful_exceptions") or []}
    if excepted & TRAVEL_EXCEPTION_CATEGORIES:
        return
    for name, share in (
        ("outbound_travel_worker_percent", order.outbound_travel_worker_percent),
        ("return_travel_worker_percent", order.return_travel_worker_percent),
    ):
        if share > 0:
            out.add(
                name, "fees.workers_pay_nothing",
                f"Workers may not bear travel costs under this programme; the job order puts {_pct(share)}% on them.",
                "ILO fair recruitment principle 7; C181 Art 7",
            )


def _check_labour_market(order: Order, rules: Mapping, context: Context, out: _Findings) -> None:
    test = rules.get("labour_market_test") or {}
    if not test.get("required", True):
        return
    shortage = [str(c) for c in test.get("shortage_occupations") or []]
    if test.get("shortage_list_exempt") and any(order.isco_code.startswith(c) for c in shortage):
        return
    needed = int(test.get("min_advertising_days", 0) or 0)
    if needed <= 0:
        return
    days = covered_days(order.adverts, context.today)
    if days < needed:
        out.add(
            "adverts", "labour_market_test.min_advertising_days",
            f"The vacancy must be advertised locally for at least {needed} days before it is submitted; the "
            f"evidence covers {days} day{'s' if days != 1 else ''}.",
        )


def check_order(order: Order, rules: Mapping, context: Context) -> list[Finding]:
    """Every rule of `rules` (a programme's rule version) that `order` breaks; an empty list when it meets them all."""
    out = _Findings()
    if order.positions < 1:
        out.add("positions", "positions", "A job order needs at least one position.")
    _check_dates(order, rules, out)
    _check_occupation(order, rules, context, out)
    _check_pay(order, rules, context, out)
    _check_deductions(order, rules, context, out)
    _check_housing(order, rules, context, out)
    _check_travel(order, rules, out)
    _check_labour_market(order, rules, context, out)
    return out.items


def quota_keys(rules: Mapping, *, origin_countries: Iterable[str], sector: str) -> list[tuple[str, str, int]]:
    """The quota counters an approval draws on: (scope, key, limit) for the programme's annual quota, the quota of
    each accepted origin and the sector's. An order open to several origins reserves its positions under each,
    because who fills it is known only after selection."""
    quotas = rules.get("quotas") or {}
    keys: list[tuple[str, str, int]] = []
    if quotas.get("annual") is not None:
        keys.append(("programme", "", int(quotas["annual"])))
    per_origin = quotas.get("per_origin") or {}
    for country in sorted(set(origin_countries)):
        if country in per_origin:
            keys.append(("origin", country, int(per_origin[country])))
    per_sector = quotas.get("per_sector") or {}
    if sector in per_sector:
        keys.append(("sector", sector, int(per_sector[sector])))
    return keys
