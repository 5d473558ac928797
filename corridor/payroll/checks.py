"""Checks run on every payslip against the locked contract and the programme's rules. Plain Python, no Django.

R100 para 27 and GB.346/POL/1 para 36-38: migrant workers are paid at least what their contract and the law say, on
time, with only lawful deductions. `check(payslip, terms)` answers every finding on one payslip, each naming the rule,
the amounts and the arrears owed; `check_period(payslips, terms)` checks the guaranteed hours over the programme's
guarantee period. Money is handled in integer cents and hours in integer hundredths, so results are exact and fast.

Findings (code: rule):
- `arithmetic`: gross minus the itemised deductions is the net;
- `underpaid`: gross at least the pay due: ordinary hours at the higher of the contract rate and the programme's wage
  floor (equal pay, C97 Art 6), overtime, night and holiday hours at their rates, and the guaranteed hours of the pay
  period paid even when not worked;
- `below_floor`: the contract rate itself is under the programme's wage floor;
- `deduction_not_allowed`, `deduction_over_cap`, `deductions_over_total_cap`, `net_below_floor`: only the programme's
  deduction types, each within its cap, all together within the total cap, the net at least the net-pay floor
  (C95 Art 8); `deduction_without_evidence` (no arrears, a warning);
- `paid_late`: paid within the days after the period's end that the programme allows;
- `rate_differs`, `currency_differs`, `unit_differs`: the payslip's stated terms differ from the locked contract
  (a contract substitution signal, fair recruitment principle 8).

Arrears on one payslip are the pay missing plus the largest of what the deduction rules require back, so one wrong
euro is never owed twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from corridor.wages.floor import Conversion

HUNDRED = 100


_ONE = Decimal(1)


def cents(value) -> int:
    """An amount as integer cents (half up)."""
    if type(value) is not Decimal:  # a Decimal needs no round trip through its text (the same value either way)
        value = Decimal(str(value))
    return int((value * 100).quantize(_ONE, rounding=ROUND_HALF_UP))


hundredths = cents  # hours as integer hundredths, the same arithmetic


def money(c: int) -> str:
    sign = "-" if c < 0 else ""
    c = abs(c)
    return f"{sign}{c // 100}.{c % 100:02d}"


@dataclass(frozen=True)
class Terms:
    """What a payslip is checked against: the locked contract and the programme's rules."""

    currency: str
    unit: str  # hour, day, week, month
    amount: Decimal  # the contract's pay per unit
    hours_per_week: Decimal  # guaranteed hours a week
    overtime_percent: Decimal = Decimal(150)
    night_percent: Decimal = Decimal(100)
    holiday_percent: Decimal = Decimal(100)
    floor_hourly: Decimal | None = None  # the programme's wage floor per hour, in the same currency
    allowed_types: tuple[str, ...] = ("tax", "social_security")
    caps_percent: Mapping[str, Decimal] = field(default_factory=dict)
    total_cap_percent: Decimal | None = None
    net_floor_percent: Decimal | None = None
    pay_due_days: int = 7  # days after the period's end by which pay is due


@dataclass(frozen=True)
class Deduction:
    type: str
    amount: Decimal
    evidence: bool = True


@dataclass(frozen=True)
class Payslip:
    period_start: datetime.date
    period_end: datetime.date
    pay_date: datetime.date
    currency: str
    gross: Decimal
    net: Decimal
    ordinary_hours: Decimal = Decimal(0)
    overtime_hours: Decimal = Decimal(0)
    night_hours: Decimal = Decimal(0)
    holiday_hours: Decimal = Decimal(0)
    deductions: tuple[Deduction, ...] = ()
    stated_rate: Decimal | None = None  # the rate per unit printed on the payslip, if any
    stated_unit: str = ""


@dataclass(frozen=True)
class Finding:
    code: str
    rule: str
    message: str
    amounts: dict = field(default_factory=dict)
    arrears: int = 0  # cents owed to the worker because of this finding (0 for signals and warnings)


@dataclass(frozen=True)
class Result:
    findings: tuple[Finding, ...]
    arrears: int  # cents owed in all, without double counting
    due: int  # cents of gross pay due

    @property
    def ok(self) -> bool:
        return not self.findings


def validate(p: Payslip) -> list[tuple[str, str]]:
    """Bad input, as (field, message) pairs: what makes a payslip impossible rather than unlawful."""
    errors = []
    for name in ("ordinary_hours", "overtime_hours", "night_hours", "holiday_hours"):
        if getattr(p, name) < 0:
            errors.append((name, "Hours cannot be negative."))
    if p.gross < 0:
        errors.append(("gross", "Gross pay cannot be negative."))
    if p.net < 0:
        errors.append(("net", "Net pay cannot be negative."))
    if p.net > p.gross:
        errors.append(("net", "Net pay cannot be larger than gross pay."))
    if p.period_end < p.period_start:
        errors.append(("period_end", "The period ends before it starts."))
    if p.pay_date < p.period_start:
        errors.append(("pay_date", "The pay date is before the period starts."))
    for i, d in enumerate(p.deductions):
        if not str(d.type or "").strip():
            errors.append((f"deductions.{i}.type", "Every deduction needs its type."))
        if d.amount < 0:
            errors.append((f"deductions.{i}.amount", "A deduction cannot be negative."))
    return errors


def hourly_rate(terms: Terms) -> Decimal:
    """The contract's pay per hour."""
    conversion = Conversion(hours_per_week=terms.hours_per_week or None)
    return conversion.convert(terms.amount, terms.unit, "hour")


class Prepared:
    """Terms turned into integers once, for checking many payslips of one contract."""

    __slots__ = ("terms", "rate", "floor", "paid_rate", "ot", "night", "holiday", "weekly", "allowed", "caps", "total_cap",
                 "net_floor", "due_days", "amount", "currency", "unit")

    def __init__(self, terms: Terms):
        self.terms = terms
        rate = hourly_rate(terms)
        self.rate = cents(rate)  # cents per hour
        self.floor = cents(terms.floor_hourly) if terms.floor_hourly is not None else None
        self.paid_rate = max(self.rate, self.floor or 0)
        self.ot = int(Decimal(terms.overtime_percent) * 100)  # hundredths of a percent
        self.night = int(Decimal(terms.night_percent) * 100)
        self.holiday = int(Decimal(terms.holiday_percent) * 100)
        self.weekly = hundredths(terms.hours_per_week or 0)
        self.allowed = frozenset(terms.allowed_types)
        self.caps = {k: int(Decimal(v) * 100) for k, v in terms.caps_percent.items()}
        self.total_cap = int(Decimal(terms.total_cap_percent) * 100) if terms.total_cap_percent is not None else None
        self.net_floor = int(Decimal(terms.net_floor_percent) * 100) if terms.net_floor_percent is not None else None
        self.due_days = terms.pay_due_days
        self.amount = cents(terms.amount)
        self.currency = terms.currency
        self.unit = terms.unit


def _pay(hours_h: int, rate_c: int, percent_hh: int = 10000) -> int:
    """Cents for hours (hundredths) at a rate (cents an hour) and a percentage (hundredths of a percent), half up."""
    numerator = hours_h * rate_c * percent_hh
    return (numerator + 500000) // 1000000


def _share(total_c: int, percent_hh: int) -> int:
    return (total_c * percent_hh + 5000) // 10000


def check(p: Payslip, terms: Terms | Prepared) -> Result:
    """Every finding on one payslip (raises ValueError for impossible input: see `validate`)."""
    bad = validate(p)
    if bad:
        raise ValueError("; ".join(f"{f}: {m}" for f, m in bad))
    t = terms if isinstance(terms, Prepared) else Prepared(terms)
    findings: list[Finding] = []
    gross, net = cents(p.gross), cents(p.net)
    ded = [(d.type, cents(d.amount), d.evidence) for d in p.deductions]
    total_ded = sum(a for _, a, _ in ded)
    if gross - total_ded != net:
        findings.append(Finding("arithmetic", "payslip", "Gross minus the deductions is not the net.",
                                {"gross": money(gross), "deductions": money(total_ded), "net": money(net)}))
    if p.currency != t.currency:
        findings.append(Finding("currency_differs", "contract", "The payslip is in another currency than the contract.",
                                {"contract": t.currency, "payslip": p.currency}))
    if p.stated_unit and p.stated_unit != t.unit:
        findings.append(Finding("unit_differs", "contract", "The payslip states pay per another unit than the contract.",
                                {"contract": t.unit, "payslip": p.stated_unit}))
    elif p.stated_rate is not None and cents(p.stated_rate) != t.amount:
        findings.append(Finding("rate_differs", "contract", "The rate on the payslip is not the contract's rate.",
                                {"contract": money(t.amount), "payslip": money(cents(p.stated_rate))}))
    if t.floor is not None and t.rate < t.floor:
        findings.append(Finding("below_floor", "wage_floor", "The contract rate is below the programme's wage floor.",
                                {"rate": money(t.rate), "floor": money(t.floor)}))
    ordinary, overtime = hundredths(p.ordinary_hours), hundredths(p.overtime_hours)
    night, holiday = hundredths(p.night_hours), hundredths(p.holiday_hours)
    days = (p.period_end - p.period_start).days + 1
    guaranteed = (t.weekly * days + 3) // 7  # hundredths of an hour in the period
    worked = ordinary + night + holiday
    top_up = max(0, guaranteed - worked - overtime)
    rate = t.paid_rate
    due = (_pay(ordinary + top_up, rate) + _pay(overtime, rate, t.ot) + _pay(night, rate, t.night)
           + _pay(holiday, rate, t.holiday))
    underpaid = max(0, due - gross) if p.currency == t.currency else 0
    if underpaid:
        findings.append(Finding(
            "underpaid", "equal_pay", "Gross pay is below the pay due for the hours (and the guaranteed hours).",
            {"due": money(due), "gross": money(gross), "rate": money(rate), "guaranteed_hours": money(guaranteed),
             "hours_paid": money(worked + overtime), "guarantee_top_up_hours": money(top_up)},
            arrears=underpaid,
        ))
    back_items = 0
    for i, (kind, amount, evidence) in enumerate(ded):
        if kind not in t.allowed:
            findings.append(Finding("deduction_not_allowed", "deductions.allowed_types",
                                    f"A deduction of type '{kind}' is not allowed in this programme.",
                                    {"index": i, "type": kind, "amount": money(amount)}, arrears=amount))
            back_items += amount
            continue
        cap = t.caps.get(kind)
        if cap is not None:
            limit = _share(gross, cap)
            if amount > limit:
                findings.append(Finding("deduction_over_cap", f"deductions.caps_percent.{kind}",
                                        f"The '{kind}' deduction is above its cap.",
                                        {"index": i, "type": kind, "amount": money(amount), "cap": money(limit)},
                                        arrears=amount - limit))
                back_items += amount - limit
        if not evidence:
            findings.append(Finding("deduction_without_evidence", "deductions.evidence",
                                    f"The '{kind}' deduction has no evidence attached.", {"index": i, "type": kind}))
    back_total = 0
    if t.total_cap is not None:
        limit = _share(gross, t.total_cap)
        if total_ded > limit:
            back_total = total_ded - limit
            findings.append(Finding("deductions_over_total_cap", "deductions.total_cap_percent",
                                    "All deductions together are above the programme's cap.",
                                    {"deductions": money(total_ded), "cap": money(limit)}, arrears=back_total))
    back_net = 0
    if t.net_floor is not None:
        floor = _share(gross, t.net_floor)
        if net < floor:
            back_net = floor - net
            findings.append(Finding("net_below_floor", "deductions.net_pay_floor_percent",
                                    "Net pay is below the programme's net-pay floor.",
                                    {"net": money(net), "floor": money(floor)}, arrears=back_net))
    due_by = p.period_end + datetime.timedelta(days=t.due_days)
    if p.pay_date > due_by:
        findings.append(Finding("paid_late", "pay_on_time", "Pay came after the day it was due.",
                                {"due_by": due_by.isoformat(), "paid": p.pay_date.isoformat(),
                                 "days_late": (p.pay_date - due_by).days}))
    arrears = underpaid + max(back_items, back_total, back_net)
    return Result(findings=tuple(findings), arrears=arrears, due=due)


def check_period(payslips: Sequence[Payslip], terms: Terms | Prepared, *, guarantee_hours: Decimal | None,
                 period_weeks: int | None) -> list[Finding]:
    """The programme's guarantee over its period (e.g. 120 hours in any 4 weeks): each full window of consecutive
    payslips whose hours paid fall short, taken in period order; a window that overlaps one already reported is not
    reported again, so the same missing hours are never owed twice."""
    if not guarantee_hours or not period_weeks or not payslips:
        return []
    t = terms if isinstance(terms, Prepared) else Prepared(terms)
    window_days = period_weeks * 7
    want = hundredths(guarantee_hours)
    slips = sorted(payslips, key=lambda s: s.period_start)
    findings = []
    start = 0
    for i, slip in enumerate(slips):
        if start > i:
            continue
        while (slip.period_end - slips[start].period_start).days + 1 > window_days:
            start += 1
        span = (slip.period_end - slips[start].period_start).days + 1
        if span != window_days:
            continue
        hours = sum(hundredths(s.ordinary_hours) + hundredths(s.overtime_hours) + hundredths(s.night_hours)
                    + hundredths(s.holiday_hours) for s in slips[start:i + 1])
        if hours < want:
            missing = want - hours
            findings.append(Finding(
                "guarantee_period", "guaranteed_hours",
                "Fewer hours were offered or paid in the guarantee period than the programme guarantees.",
                {"from": slips[start].period_start.isoformat(), "to": slip.period_end.isoformat(),
                 "hours": money(hours), "guaranteed": money(want)},
                arrears=_pay(missing, t.paid_rate),
            ))
            start = i + 1
    return findings


def parse_amount(value, name: str) -> Decimal:
    """A money or hours value from text, or ValueError naming the field."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(f"{name}: not a number") from None
    if not number.is_finite():
        raise ValueError(f"{name}: not a number")
    return number


def totals(results: Iterable[Result]) -> dict:
    """Counts over many results: payslips, with findings, arrears owed (cents)."""
    n = with_findings = arrears = 0
    for r in results:
        n += 1
        with_findings += bool(r.findings)
        arrears += r.arrears
    return {"payslips": n, "with_findings": with_findings, "arrears": arrears}
