"""The wage floor of a programme (GB.346 para 36: equal pay). Plain Python, no Django.

Given a programme's `wage_floor` rule (basis prevailing, minimum or higher_of, and a premium in percent added to
the minimum wage), the prevailing wages and minimum wages that might apply, and the unit wanted, `compute_floor`
chooses the figures that apply and returns the floor with the sources it rests on and a sentence explaining it.
`FloorResult.check(offer)` lists what an offered wage falls short of.

Choosing figures:
- prevailing wage: the most specific occupation first (the exact ISCO-08 code, else the nearest broader group
  that has a figure), then a figure for the region before the national one, then the latest year;
- minimum wage: only figures in force on the day; a regional figure before the national one, then a figure for
  the sector before the one for all sectors.

Units are converted through hours with explicit factors (`Conversion`): 8 hours a day, 5 days a week and
4.33 weeks a month by default; a programme's guaranteed weekly hours replace hours x days when given.
Amounts in different currencies are never converted: a mismatch is an error.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

UNITS = ("hour", "day", "week", "month")
BASES = ("prevailing", "minimum", "higher_of")

HOURS_PER_DAY = Decimal("8")
DAYS_PER_WEEK = Decimal("5")
WEEKS_PER_MONTH = Decimal("4.33")

CENT = Decimal("0.01")


class FloorError(ValueError):
    """The floor cannot be computed or compared (no figure, currency mismatch, bad unit); `field` names the input."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Conversion:
    """How many hours a day, days a week and weeks a month; `hours_per_week` (guaranteed hours) overrides
    hours_per_day x days_per_week when set."""

    hours_per_day: Decimal = HOURS_PER_DAY
    days_per_week: Decimal = DAYS_PER_WEEK
    weeks_per_month: Decimal = WEEKS_PER_MONTH
    hours_per_week: Decimal | None = None

    def hours_in(self, unit: str) -> Decimal:
        week = self.hours_per_week if self.hours_per_week else self.hours_per_day * self.days_per_week
        hours = {
            "hour": Decimal(1),
            "day": week / self.days_per_week if self.hours_per_week else self.hours_per_day,
            "week": week,
            "month": week * self.weeks_per_month,
        }
        if unit not in hours:
            raise FloorError(f"{unit!r} is not a unit of pay; use one of {', '.join(UNITS)}.", field="unit")
        return hours[unit]

    def convert(self, amount: Decimal, from_unit: str, to_unit: str) -> Decimal:
        if from_unit == to_unit:
            return Decimal(amount)
        # A rate per `from_unit` is a rate per hour times the hours in `to_unit`.
        return Decimal(amount) / self.hours_in(from_unit) * self.hours_in(to_unit)


@dataclass(frozen=True)
class PrevailingFigure:
    amount: Decimal
    currency: str
    unit: str
    isco_code: str
    year: int
    region: str = ""
    source: str = ""


@dataclass(frozen=True)
class MinimumFigure:
    amount: Decimal
    currency: str
    unit: str
    valid_from: datetime.date
    valid_until: datetime.date | None = None
    region: str = ""
    sector: str = ""
    source: str = ""

    def in_force_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class Offer:
    amount: Decimal
    currency: str
    unit: str


def money(amount: Decimal, currency: str, unit: str) -> str:
    return f"{Decimal(amount).quantize(CENT, ROUND_HALF_UP)} {currency}/{unit}"


def _place(region: str) -> str:
    return f"in {region}" if region else "nationally"


def describe_prevailing(figure: PrevailingFigure) -> str:
    return f"prevailing wage for ISCO {figure.isco_code} {_place(figure.region)}, {figure.year}, source: {figure.source or 'unknown'}"


def number(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 10, 4.33."""
    return f"{Decimal(value).normalize():f}"


def describe_minimum(figure: MinimumFigure, premium: Decimal = Decimal(0)) -> str:
    sector = f" in sector {figure.sector}" if figure.sector else ""
    plus = f" plus {number(premium)}%" if premium else ""
    return (
        f"minimum wage {_place(figure.region)}{sector} from {figure.valid_from.isoformat()}{plus}, "
        f"source: {figure.source or 'unknown'}"
    )


@dataclass
class FloorResult:
    floor_amount: Decimal
    currency: str
    unit: str
    basis_used: str  # "prevailing" or "minimum": the figure that set the floor
    source_labels: list[str]
    explanation: str
    prevailing: PrevailingFigure | None = None
    minimum: MinimumFigure | None = None
    premium_percent: Decimal = Decimal(0)
    conversion: Conversion = field(default_factory=Conversion)

    @property
    def label(self) -> str:
        return money(self.floor_amount, self.currency, self.unit)

    def check(self, offer: Offer) -> list[str]:
        """What `offer` falls short of: empty when it meets the floor. A currency mismatch raises FloorError."""
        if offer.currency != self.currency:
            raise FloorError(
                f"The wage is in {offer.currency} but the floor is in {self.currency}; currencies are not converted.",
                field="currency",
            )
        offered = self.conversion.convert(Decimal(offer.amount), offer.unit, self.unit).quantize(CENT, ROUND_HALF_UP)
        if offered >= self.floor_amount:
            return []
        if self.basis_used == "prevailing":
            basis = describe_prevailing(self.prevailing)
        else:
            basis = describe_minimum(self.minimum, self.premium_percent)
        shown = money(offer.amount, offer.currency, offer.unit)
        if offer.unit != self.unit:
            shown += f" ({money(offered, offer.currency, self.unit)})"
        return [f"The wage {shown} is below the floor of {self.label} ({basis})."]


def choose_prevailing(figures: Iterable[PrevailingFigure], *, isco_code: str, region: str = "") -> PrevailingFigure | None:
    """The exact occupation before a broader group, the region before the nation, the latest year first."""
    region_key = region.strip().casefold()
    candidates = [
        f
        for f in figures
        if isco_code.startswith(f.isco_code) and (not f.region or f.region.strip().casefold() == region_key)
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda f: (len(f.isco_code), bool(f.region), f.year))


def choose_minimum(
    figures: Iterable[MinimumFigure], *, day: datetime.date, region: str = "", sector: str = ""
) -> MinimumFigure | None:
    """In force on `day`; the region before the nation, then the sector before all sectors."""
    region_key = region.strip().casefold()
    candidates = [
        f
        for f in figures
        if f.in_force_on(day)
        and (not f.region or f.region.strip().casefold() == region_key)
        and (not f.sector or f.sector == sector)
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda f: (bool(f.region), bool(f.sector), f.valid_from))


def compute_floor(
    rule: dict,
    *,
    isco_code: str,
    day: datetime.date,
    prevailing: Iterable[PrevailingFigure] = (),
    minimum: Iterable[MinimumFigure] = (),
    region: str = "",
    sector: str = "",
    unit: str | None = None,
    conversion: Conversion | None = None,
) -> FloorResult:
    """The floor under `rule` (a programme's `wage_floor` dict) for an occupation, place and day, in `unit`
    (default: the unit of the figure used). Raises FloorError when no figure the rule needs exists."""
    conversion = conversion or Conversion()
    rule = rule or {}
    basis = rule.get("basis", "higher_of")
    if basis not in BASES:
        raise FloorError(f"{basis!r} is not a wage floor basis; use one of {', '.join(BASES)}.", field="basis")
    premium = Decimal(str(rule.get("minimum_wage_premium_percent", 0) or 0))
    if unit is not None and unit not in UNITS:
        raise FloorError(f"{unit!r} is not a unit of pay; use one of {', '.join(UNITS)}.", field="unit")

    pw = choose_prevailing(prevailing, isco_code=isco_code, region=region) if basis != "minimum" else None
    mw = choose_minimum(minimum, day=day, region=region, sector=sector) if basis != "prevailing" else None
    if basis == "prevailing" and pw is None:
        raise FloorError(f"No prevailing wage is recorded for ISCO {isco_code} {_place(region)}.", field="isco")
    if basis == "minimum" and mw is None:
        raise FloorError(f"No minimum wage is in force on {day.isoformat()} {_place(region)}.", field="date")
    if pw is None and mw is None:
        raise FloorError(
            f"Neither a prevailing wage for ISCO {isco_code} nor a minimum wage in force on {day.isoformat()} "
            f"is recorded {_place(region)}.",
            field="isco",
        )
    if pw is not None and mw is not None and pw.currency != mw.currency:
        raise FloorError(
            f"The prevailing wage is in {pw.currency} but the minimum wage is in {mw.currency}; "
            "currencies are not converted.",
            field="currency",
        )
    target = unit or (pw.unit if pw is not None else mw.unit)
    currency = pw.currency if pw is not None else mw.currency

    pw_amount = conversion.convert(pw.amount, pw.unit, target).quantize(CENT, ROUND_HALF_UP) if pw else None
    mw_amount = None
    if mw is not None:
        mw_amount = conversion.convert(mw.amount * (1 + premium / 100), mw.unit, target).quantize(CENT, ROUND_HALF_UP)

    parts = []
    if pw is not None:
        parts.append(f"the {describe_prevailing(pw)}: {money(pw_amount, currency, target)}")
    if mw is not None:
        parts.append(f"the {describe_minimum(mw, premium)}: {money(mw_amount, currency, target)}")
    if mw_amount is None or (pw_amount is not None and pw_amount >= mw_amount):
        amount, used = pw_amount, "prevailing"
    else:
        amount, used = mw_amount, "minimum"

    if basis == "higher_of" and len(parts) == 2:
        explanation = f"The floor is {money(amount, currency, target)}, the higher of {parts[0]} and {parts[1]}."
    elif basis == "higher_of":
        missing = "minimum wage" if mw is None else "prevailing wage"
        explanation = f"The floor is {money(amount, currency, target)}, {parts[0]} (no {missing} is recorded)."
    else:
        explanation = f"The floor is {money(amount, currency, target)}, {parts[0]}."
    if target != (pw.unit if used == "prevailing" else mw.unit):
        explanation += (
            f" Converted with {number(conversion.hours_in('day'))} hours a day, "
            f"{number(conversion.hours_in('week'))} hours a week and {number(conversion.weeks_per_month)} weeks a month."
        )
    sources = []
    for figure in (pw, mw):
        if figure is not None and figure.source and figure.source not in sources:
            sources.append(figure.source)
    return FloorResult(
        floor_amount=amount,
        currency=currency,
        unit=target,
        basis_used=used,
        source_labels=sources,
        explanation=explanation,
        prevailing=pw,
        minimum=mw,
        premium_percent=premium,
        conversion=conversion,
    )
