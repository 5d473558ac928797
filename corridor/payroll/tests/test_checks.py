"""The payslip checks engine: every finding code, validation, unit conversion, the guarantee period and
properties over random payslips. Plain Python, no database."""

from __future__ import annotations

import datetime
import random
from dataclasses import replace
from decimal import Decimal

import pytest

from corridor.payroll.checks import (
    Deduction,
    Payslip,
    Prepared,
    Terms,
    check,
    check_period,
    hourly_rate,
    totals,
    validate,
)

D = Decimal
MONDAY = datetime.date(2024, 1, 1)

TERMS = Terms(
    currency="EUR",
    unit="hour",
    amount=D("10.00"),
    hours_per_week=D(40),
    overtime_percent=D(150),
    floor_hourly=D("9.00"),
    allowed_types=("tax", "social_security", "housing"),
    caps_percent={"housing": D(25)},
    total_cap_percent=D(30),
    net_floor_percent=D(60),
    pay_due_days=7,
)


def slip(**changes) -> Payslip:
    """A lawful weekly payslip: 40 ordinary hours at 10.00, tax 40 and social security 20."""
    base = Payslip(
        period_start=MONDAY,
        period_end=MONDAY + datetime.timedelta(days=6),
        pay_date=MONDAY + datetime.timedelta(days=10),
        currency="EUR",
        gross=D("400.00"),
        net=D("340.00"),
        ordinary_hours=D(40),
        deductions=(Deduction("tax", D("40.00")), Deduction("social_security", D("20.00"))),
    )
    return replace(base, **changes)


def codes(result) -> list[str]:
    return [f.code for f in result.findings]


def only(result, code):
    found = [f for f in result.findings if f.code == code]
    assert len(found) == 1, codes(result)
    return found[0]


def test_lawful_payslip_has_no_findings():
    result = check(slip(), TERMS)
    assert result.ok
    assert result.findings == ()
    assert result.arrears == 0
    assert result.due == 40000


def test_prepared_and_terms_give_the_same_result():
    p = slip(gross=D("380.00"), net=D("320.00"))
    assert check(p, TERMS) == check(p, Prepared(TERMS))


def test_arithmetic():
    result = check(slip(net=D("345.00")), TERMS)
    assert codes(result) == ["arithmetic"]
    f = only(result, "arithmetic")
    assert f.rule == "payslip"
    assert f.amounts == {"gross": "400.00", "deductions": "60.00", "net": "345.00"}
    assert f.arrears == 0 and result.arrears == 0


def test_underpaid_too_few_hours_paid_at_the_rate():
    result = check(slip(gross=D("380.00"), net=D("320.00")), TERMS)
    assert codes(result) == ["underpaid"]
    f = only(result, "underpaid")
    assert f.rule == "equal_pay"
    assert f.amounts["due"] == "400.00"
    assert f.amounts["gross"] == "380.00"
    assert f.amounts["rate"] == "10.00"
    assert f.arrears == 2000 and result.arrears == 2000


def test_underpaid_overtime_at_the_ordinary_rate():
    result = check(slip(overtime_hours=D(5), gross=D("450.00"), net=D("390.00")), TERMS)
    assert codes(result) == ["underpaid"]
    assert result.due == 47500  # 400 + 5 h x 10.00 x 150%
    assert result.arrears == 2500
    assert only(result, "underpaid").amounts["hours_paid"] == "45.00"


def test_underpaid_night_premium():
    terms = replace(TERMS, night_percent=D(125))
    result = check(slip(ordinary_hours=D(32), night_hours=D(8)), terms)
    assert codes(result) == ["underpaid"]
    assert result.due == 42000  # 320 + 8 h x 12.50
    assert result.arrears == 2000


def test_underpaid_holiday_premium():
    terms = replace(TERMS, holiday_percent=D(200))
    result = check(slip(ordinary_hours=D(32), holiday_hours=D(8)), terms)
    assert codes(result) == ["underpaid"]
    assert result.due == 48000  # 320 + 8 h x 20.00
    assert result.arrears == 8000


def test_guaranteed_hours_not_worked_are_topped_up():
    p = slip(
        ordinary_hours=D(30),
        gross=D("300.00"),
        net=D("255.00"),
        deductions=(Deduction("tax", D("30.00")), Deduction("social_security", D("15.00"))),
    )
    result = check(p, TERMS)
    assert codes(result) == ["underpaid"]
    f = only(result, "underpaid")
    assert f.amounts["guaranteed_hours"] == "40.00"
    assert f.amounts["guarantee_top_up_hours"] == "10.00"
    assert f.amounts["due"] == "400.00"
    assert result.arrears == 10000


def test_guarantee_counts_overtime_hours():
    # 36 ordinary + 4 overtime hours meet the 40 guaranteed hours: no top-up, only the overtime premium is due.
    p = slip(ordinary_hours=D(36), overtime_hours=D(4), gross=D("420.00"), net=D("360.00"))
    result = check(p, TERMS)
    assert result.ok, codes(result)
    assert result.due == 42000


def test_below_floor_pays_ordinary_hours_at_the_floor():
    terms = replace(TERMS, amount=D("8.00"))
    result = check(slip(gross=D("320.00"), net=D("260.00")), terms)
    assert codes(result) == ["below_floor", "underpaid"]
    floor = only(result, "below_floor")
    assert floor.rule == "wage_floor"
    assert floor.amounts == {"rate": "8.00", "floor": "9.00"}
    assert floor.arrears == 0
    under = only(result, "underpaid")
    assert under.amounts["rate"] == "9.00"
    assert under.amounts["due"] == "360.00"
    assert result.arrears == 4000


def test_deduction_not_allowed():
    deductions = slip().deductions + (Deduction("recruitment_fee", D("50.00")),)
    result = check(slip(deductions=deductions, net=D("290.00")), TERMS)
    assert codes(result) == ["deduction_not_allowed"]
    f = only(result, "deduction_not_allowed")
    assert f.rule == "deductions.allowed_types"
    assert f.amounts == {"index": 2, "type": "recruitment_fee", "amount": "50.00"}
    assert f.arrears == 5000 and result.arrears == 5000


def test_deduction_over_cap():
    result = check(slip(deductions=(Deduction("housing", D("110.00")),), net=D("290.00")), TERMS)
    assert codes(result) == ["deduction_over_cap"]
    f = only(result, "deduction_over_cap")
    assert f.rule == "deductions.caps_percent.housing"
    assert f.amounts == {"index": 0, "type": "housing", "amount": "110.00", "cap": "100.00"}
    assert result.arrears == 1000


def test_deductions_over_total_cap():
    deductions = (Deduction("tax", D("80.00")), Deduction("social_security", D("50.00")))
    result = check(slip(deductions=deductions, net=D("270.00")), TERMS)
    assert codes(result) == ["deductions_over_total_cap"]
    f = only(result, "deductions_over_total_cap")
    assert f.rule == "deductions.total_cap_percent"
    assert f.amounts == {"deductions": "130.00", "cap": "120.00"}
    assert result.arrears == 1000


def test_net_below_floor():
    terms = replace(TERMS, net_floor_percent=D(75))
    deductions = (Deduction("tax", D("80.00")), Deduction("social_security", D("30.00")))
    result = check(slip(deductions=deductions, net=D("290.00")), terms)
    assert codes(result) == ["net_below_floor"]
    f = only(result, "net_below_floor")
    assert f.rule == "deductions.net_pay_floor_percent"
    assert f.amounts == {"net": "290.00", "floor": "300.00"}
    assert result.arrears == 1000


def test_deduction_without_evidence_is_a_warning_without_arrears():
    deductions = (Deduction("tax", D("40.00"), evidence=False), Deduction("social_security", D("20.00")))
    result = check(slip(deductions=deductions), TERMS)
    assert codes(result) == ["deduction_without_evidence"]
    f = only(result, "deduction_without_evidence")
    assert f.rule == "deductions.evidence"
    assert f.amounts == {"index": 0, "type": "tax"}
    assert f.arrears == 0 and result.arrears == 0


def test_paid_late():
    result = check(slip(pay_date=datetime.date(2024, 1, 15)), TERMS)
    assert codes(result) == ["paid_late"]
    f = only(result, "paid_late")
    assert f.rule == "pay_on_time"
    assert f.amounts == {"due_by": "2024-01-14", "paid": "2024-01-15", "days_late": 1}
    assert result.arrears == 0
    assert check(slip(pay_date=datetime.date(2024, 1, 14)), TERMS).ok


def test_rate_differs():
    result = check(slip(stated_rate=D("9.50")), TERMS)
    assert codes(result) == ["rate_differs"]
    f = only(result, "rate_differs")
    assert f.rule == "contract"
    assert f.amounts == {"contract": "10.00", "payslip": "9.50"}
    assert check(slip(stated_rate=D("10.00"), stated_unit="hour"), TERMS).ok


def test_currency_differs_is_not_also_underpaid():
    result = check(slip(currency="GBP", gross=D("300.00"), net=D("240.00")), TERMS)
    assert codes(result) == ["currency_differs"]
    f = only(result, "currency_differs")
    assert f.rule == "contract"
    assert f.amounts == {"contract": "EUR", "payslip": "GBP"}


def test_unit_differs():
    result = check(slip(stated_unit="week", stated_rate=D("400.00")), TERMS)
    assert codes(result) == ["unit_differs"]
    f = only(result, "unit_differs")
    assert f.rule == "contract"
    assert f.amounts == {"contract": "hour", "payslip": "week"}


def test_arrears_are_owed_once():
    # Paid 20.00 short, and an unlawful 200.00 fee that also breaks the total cap and the net-pay floor.
    deductions = slip().deductions + (Deduction("recruitment_fee", D("200.00")),)
    result = check(slip(gross=D("380.00"), net=D("120.00"), deductions=deductions), TERMS)
    assert codes(result) == [
        "underpaid",
        "deduction_not_allowed",
        "deductions_over_total_cap",
        "net_below_floor",
    ]
    by_code = {f.code: f.arrears for f in result.findings}
    assert by_code == {
        "underpaid": 2000,
        "deduction_not_allowed": 20000,
        "deductions_over_total_cap": 26000 - 11400,
        "net_below_floor": 22800 - 12000,
    }
    deduction_figures = [
        by_code["deduction_not_allowed"],
        by_code["deductions_over_total_cap"],
        by_code["net_below_floor"],
    ]
    assert result.arrears == by_code["underpaid"] + max(deduction_figures) == 22000
    assert result.arrears < sum(by_code.values())


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ordinary_hours": D(-1)}, "ordinary_hours"),
        ({"overtime_hours": D(-1)}, "overtime_hours"),
        ({"night_hours": D("-0.5")}, "night_hours"),
        ({"holiday_hours": D(-2)}, "holiday_hours"),
        ({"net": D("401.00")}, "net"),
        ({"gross": D(-1), "net": D(-1)}, "gross"),
        ({"deductions": (Deduction("", D("60.00")),)}, "deductions.0.type"),
        ({"deductions": (Deduction("tax", D("40.00")), Deduction("  ", D("20.00")))}, "deductions.1.type"),
        ({"deductions": (Deduction("tax", D("-1.00")),)}, "deductions.0.amount"),
        ({"period_end": MONDAY - datetime.timedelta(days=1)}, "period_end"),
        ({"pay_date": MONDAY - datetime.timedelta(days=1)}, "pay_date"),
    ],
)
def test_validate_names_the_field_and_check_refuses(changes, field):
    p = slip(**changes)
    errors = validate(p)
    assert field in [name for name, _ in errors]
    assert all(message for _, message in errors)
    with pytest.raises(ValueError, match=field.replace(".", r"\.")):
        check(p, TERMS)


def test_validate_accepts_a_lawful_payslip():
    assert validate(slip()) == []


@pytest.mark.parametrize(
    ("unit", "amount", "weekly", "expected"),
    [
        ("hour", D("10.00"), D(40), D(10)),
        ("day", D("80.00"), D(40), D(10)),
        ("week", D("400.00"), D(40), D(10)),
        ("month", D("1732.00"), D(40), D(10)),  # 40 h x 4.33 weeks
        ("day", D("96.00"), D(48), D(10)),  # 48 h over 5 days: 9.6 h a day
        ("week", D("480.00"), D(48), D(10)),
        ("month", D("2078.40"), D(48), D(10)),
        ("week", D("400.00"), D(0), D(10)),  # no guaranteed hours: 8 h x 5 days
    ],
)
def test_hourly_rate(unit, amount, weekly, expected):
    terms = replace(TERMS, unit=unit, amount=amount, hours_per_week=weekly)
    assert hourly_rate(terms) == expected
    assert Prepared(terms).rate == int(expected * 100)


def test_monthly_contract_checks_a_weekly_payslip():
    terms = replace(TERMS, unit="month", amount=D("1732.00"))
    assert check(slip(stated_unit="month", stated_rate=D("1732.00")), terms).ok


def _weeks(hours: list[int]) -> list[Payslip]:
    slips = []
    for i, h in enumerate(hours):
        start = MONDAY + datetime.timedelta(weeks=i)
        gross = D(h * 10)
        slips.append(
            slip(
                period_start=start,
                period_end=start + datetime.timedelta(days=6),
                pay_date=start + datetime.timedelta(days=10),
                ordinary_hours=D(h),
                gross=gross,
                net=gross,
                deductions=(),
            )
        )
    return slips


def test_check_period_finds_a_short_window():
    findings = check_period(_weeks([40, 40, 20, 20]), TERMS, guarantee_hours=D(140), period_weeks=4)
    assert len(findings) == 1
    f = findings[0]
    assert f.code == "guarantee_period"
    assert f.rule == "guaranteed_hours"
    assert f.amounts == {"from": "2024-01-01", "to": "2024-01-28", "hours": "120.00", "guaranteed": "140.00"}
    assert f.arrears == 20000  # 20 h at 10.00


def test_check_period_slides_and_orders_the_payslips():
    slips = _weeks([40, 40, 40, 20, 40, 40])
    findings = check_period(list(reversed(slips)), TERMS, guarantee_hours=D(150), period_weeks=4)
    # The first short window is reported; the windows overlapping it are not, so its 10 hours are owed once.
    assert [(f.amounts["from"], f.amounts["hours"]) for f in findings] == [("2024-01-01", "140.00")]
    assert all(f.arrears == 10000 for f in findings)
    later = check_period(_weeks([40, 40, 40, 20, 40, 20, 40, 20]), TERMS, guarantee_hours=D(150), period_weeks=4)
    assert [f.amounts["from"] for f in later] == ["2024-01-01", "2024-01-29"]


def test_check_period_pays_missing_hours_at_the_floor():
    terms = replace(TERMS, amount=D("8.00"))
    findings = check_period(_weeks([30, 30, 30, 30]), terms, guarantee_hours=D(160), period_weeks=4)
    assert [f.arrears for f in findings] == [40 * 900]


def test_check_period_nothing_to_check():
    assert check_period(_weeks([40, 40, 40, 40]), TERMS, guarantee_hours=D(160), period_weeks=4) == []
    assert (
        check_period(_weeks([10, 10, 10]), TERMS, guarantee_hours=D(160), period_weeks=4) == []
    )  # no full window
    assert check_period(_weeks([10] * 4), TERMS, guarantee_hours=None, period_weeks=4) == []
    assert check_period([], TERMS, guarantee_hours=D(160), period_weeks=4) == []


def test_totals():
    results = [check(slip(), TERMS), check(slip(gross=D("380.00"), net=D("320.00")), TERMS)]
    assert totals(results) == {"payslips": 2, "with_findings": 1, "arrears": 2000}


# Properties over random payslips (fixed seed).

N_RANDOM = 2000
ALLOWED = ("tax", "social_security", "housing", "meals")


def _money(c: int) -> Decimal:
    return D(c) / 100


def random_terms(rng: random.Random) -> Terms:
    unit = rng.choice(("hour", "day", "week", "month"))
    weekly = D(rng.choice((0, 35, 38, 40, 44, 48)))
    hourly = rng.randint(500, 3000)
    factor = {"hour": 1, "day": 8, "week": 40, "month": 173}[unit]
    return Terms(
        currency="EUR",
        unit=unit,
        amount=_money(hourly * factor),
        hours_per_week=weekly,
        overtime_percent=D(rng.choice((125, 150, 200))),
        night_percent=D(rng.choice((100, 110, 125))),
        holiday_percent=D(rng.choice((100, 150, 200))),
        floor_hourly=rng.choice((None, _money(rng.randint(500, 3000)))),
        allowed_types=ALLOWED,
        caps_percent={"housing": D(rng.choice((10, 20, 25))), "meals": D(rng.choice((10, 15)))},
        total_cap_percent=rng.choice((None, D(20), D(30), D(40))),
        net_floor_percent=rng.choice((None, D(50), D(60), D(70))),
        pay_due_days=rng.choice((3, 7, 14)),
    )


def random_hours(rng: random.Random) -> dict:
    return {
        "ordinary_hours": _money(rng.randint(0, 5000)),
        "overtime_hours": _money(rng.choice((0, 0, rng.randint(0, 1500)))),
        "night_hours": _money(rng.choice((0, 0, rng.randint(0, 1000)))),
        "holiday_hours": _money(rng.choice((0, 0, 0, rng.randint(0, 800)))),
    }


def random_slip(rng: random.Random) -> Payslip:
    start = MONDAY + datetime.timedelta(days=rng.randint(0, 700))
    end = start + datetime.timedelta(days=rng.choice((6, 13, 27, 30)))
    gross = rng.randint(0, 500000)
    deductions = []
    left = gross
    for _ in range(rng.randint(0, 4)):
        amount = rng.randint(0, max(0, left // 2))
        left -= amount
        kind = rng.choice(ALLOWED + ("recruitment_fee", "visa"))
        deductions.append(Deduction(kind, _money(amount), evidence=rng.random() > 0.1))
    net = gross - sum(int(d.amount * 100) for d in deductions)
    if rng.random() < 0.05:
        net = rng.randint(0, gross)
    return Payslip(
        period_start=start,
        period_end=end,
        pay_date=end + datetime.timedelta(days=rng.randint(0, 20)),
        currency=rng.choice(("EUR",) * 19 + ("USD",)),
        gross=_money(gross),
        net=_money(net),
        deductions=tuple(deductions),
        **random_hours(rng),
    )


def _raise(p: Payslip, extra: int) -> Payslip:
    return replace(p, gross=p.gross + _money(extra), net=p.net + _money(extra))


def test_random_payslips_properties():
    rng = random.Random(20240107)
    for _ in range(N_RANDOM):
        terms = Prepared(random_terms(rng))
        p = random_slip(rng)
        result = check(p, terms)
        assert result.arrears >= 0
        assert result.due >= 0
        assert all(f.arrears >= 0 for f in result.findings)
        assert result.arrears <= sum(f.arrears for f in result.findings)
        more = check(_raise(p, rng.randint(1, 100000)), terms)
        assert set(codes(more)) <= set(codes(result)), (p, codes(result), codes(more))
        assert more.arrears <= result.arrears


def test_paying_exactly_what_is_due_with_lawful_deductions_is_clean():
    rng = random.Random(7)
    for _ in range(N_RANDOM):
        terms = Prepared(random_terms(rng))
        p = replace(random_slip(rng), currency="EUR", gross=D(0), net=D(0), deductions=())
        due = check(p, terms).due
        # Lawful deductions: allowed types, each 5% or 3% of gross (under every cap), 8% in all, so the total is
        # within any total cap and the net above any net-pay floor drawn above.
        deductions = (Deduction("tax", _money(due * 5 // 100)), Deduction("housing", _money(due * 3 // 100)))
        net = due - due * 5 // 100 - due * 3 // 100
        exact = replace(p, gross=_money(due), net=_money(net), deductions=deductions)
        result = check(exact, terms)
        assert result.due == due
        assert result.arrears == 0
        bad = {
            c
            for c in codes(result)
            if c == "underpaid" or c.startswith("deduction") or c == "net_below_floor"
        }
        assert not bad, (exact, codes(result))
        assert set(codes(result)) <= {"below_floor", "paid_late"}
        short = check(replace(exact, gross=_money(due - 1), net=_money(net - 1)), terms) if due else None
        if short is not None:
            assert "underpaid" in codes(short)
            assert short.arrears >= 1
