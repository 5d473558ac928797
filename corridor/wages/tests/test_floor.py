"""The plain-Python wage floor: choosing figures, premium, units, higher_of, currencies and the explanation."""

import datetime
from decimal import Decimal

import pytest

from corridor.wages.floor import (
    Conversion,
    FloorError,
    MinimumFigure,
    Offer,
    PrevailingFigure,
    choose_minimum,
    choose_prevailing,
    compute_floor,
)

DAY = datetime.date(2026, 6, 1)


def pw(code, amount, region="", year=2026, unit="hour", currency="CAD", source="Job Bank 2026"):
    return PrevailingFigure(Decimal(amount), currency, unit, code, year, region, source)


def mw(amount, region="", sector="", start=datetime.date(2026, 1, 1), until=None, unit="hour", currency="CAD"):
    return MinimumFigure(Decimal(amount), currency, unit, start, until, region, sector, "Minimum Wage Act")


def test_the_exact_occupation_comes_before_a_broader_group():
    figures = [pw("9", "15.00"), pw("92", "15.50"), pw("9211", "16.65"), pw("921", "16.00")]
    assert choose_prevailing(figures, isco_code="9211").isco_code == "9211"
    assert choose_prevailing(figures, isco_code="9212").isco_code == "921"
    assert choose_prevailing(figures, isco_code="9312").isco_code == "9"
    assert choose_prevailing(figures, isco_code="8111") is None


def test_the_region_comes_before_the_nation_and_other_regions_are_ignored():
    figures = [pw("9211", "16.00"), pw("9211", "17.00", region="Ontario"), pw("9211", "19.00", region="Alberta")]
    assert choose_prevailing(figures, isco_code="9211", region="ontario").amount == Decimal("17.00")
    assert choose_prevailing(figures, isco_code="9211", region="Quebec").amount == Decimal("16.00")
    # A national figure for the exact occupation beats a regional one for a broader group.
    assert choose_prevailing([pw("92", "20", region="Ontario"), pw("9211", "16")], isco_code="9211", region="Ontario").isco_code == "9211"


def test_the_latest_year_is_used():
    assert choose_prevailing([pw("9211", "15", year=2024), pw("9211", "16", year=2025)], isco_code="9211").year == 2025


def test_minimum_wage_in_force_region_then_sector():
    figures = [
        mw("15.00"),
        mw("16.00", region="Ontario"),
        mw("17.00", region="Ontario", sector="A"),
        mw("14.00", start=datetime.date(2025, 1, 1), until=datetime.date(2025, 12, 31)),
        mw("18.00", start=datetime.date(2027, 1, 1)),
    ]
    assert choose_minimum(figures, day=DAY, region="Ontario", sector="A").amount == Decimal("17.00")
    assert choose_minimum(figures, day=DAY, region="Ontario", sector="C").amount == Decimal("16.00")
    assert choose_minimum(figures, day=DAY).amount == Decimal("15.00")
    assert choose_minimum(figures, day=datetime.date(2025, 6, 1)).amount == Decimal("14.00")


def test_higher_of_with_premium():
    rule = {"basis": "higher_of", "minimum_wage_premium_percent": 10}
    result = compute_floor(rule, isco_code="9211", day=DAY, prevailing=[pw("9211", "16.00")], minimum=[mw("15.00")])
    assert result.floor_amount == Decimal("16.50")
    assert result.basis_used == "minimum"
    assert result.source_labels == ["Job Bank 2026", "Minimum Wage Act"]
    assert "the higher of" in result.explanation and "plus 10%" in result.explanation
    result = compute_floor(rule, isco_code="9211", day=DAY, prevailing=[pw("9211", "16.65")], minimum=[mw("15.00")])
    assert (result.floor_amount, result.basis_used) == (Decimal("16.65"), "prevailing")


def test_basis_prevailing_ignores_minimum_and_needs_a_figure():
    rule = {"basis": "prevailing"}
    result = compute_floor(rule, isco_code="9211", day=DAY, prevailing=[pw("9211", "12.00")], minimum=[mw("15.00")])
    assert result.floor_amount == Decimal("12.00")
    with pytest.raises(FloorError) as exc:
        compute_floor(rule, isco_code="9211", day=DAY, minimum=[mw("15.00")])
    assert exc.value.field == "isco"


def test_basis_minimum_and_missing_figures():
    result = compute_floor({"basis": "minimum", "minimum_wage_premium_percent": 5}, isco_code="9211", day=DAY, minimum=[mw("20.00")])
    assert result.floor_amount == Decimal("21.00")
    with pytest.raises(FloorError):
        compute_floor({"basis": "higher_of"}, isco_code="9211", day=DAY)
    only = compute_floor({}, isco_code="9211", day=DAY, minimum=[mw("15.00")])
    assert "no prevailing wage is recorded" in only.explanation


def test_unit_conversion_with_documented_factors_and_overrides():
    rule = {"basis": "prevailing"}
    monthly = compute_floor(rule, isco_code="9211", day=DAY, prevailing=[pw("9211", "10.00")], unit="month")
    assert monthly.floor_amount == Decimal("1732.00")  # 10 x 8 x 5 x 4.33
    assert "8 hours a day" in monthly.explanation
    daily = compute_floor(rule, isco_code="9211", day=DAY, prevailing=[pw("9211", "1732.00", unit="month")], unit="hour")
    assert daily.floor_amount == Decimal("10.00")
    guaranteed = Conversion(hours_per_week=Decimal("40"), weeks_per_month=Decimal("4"))
    weekly = compute_floor(rule, isco_code="9211", day=DAY, prevailing=[pw("9211", "1600", unit="month")], unit="hour", conversion=guaranteed)
    assert weekly.floor_amount == Decimal("10.00")
    assert Conversion(hours_per_week=Decimal("45")).hours_in("day") == Decimal("9")


def test_check_names_the_shortfall_and_its_source():
    result = compute_floor({"basis": "higher_of"}, isco_code="9211", day=DAY, region="Ontario",
                           prevailing=[pw("9211", "16.65", region="Ontario")], minimum=[mw("15.00")])
    assert result.check(Offer(Decimal("16.65"), "CAD", "hour")) == []
    assert result.check(Offer(Decimal("14"), "CAD", "hour")) == [
        "The wage 14.00 CAD/hour is below the floor of 16.65 CAD/hour "
        "(prevailing wage for ISCO 9211 in Ontario, 2026, source: Job Bank 2026)."
    ]
    monthly = result.check(Offer(Decimal("2000"), "CAD", "month"))
    assert monthly and "2000.00 CAD/month (11.55 CAD/hour)" in monthly[0]


def test_currency_mismatch_is_an_error():
    with pytest.raises(FloorError) as exc:
        compute_floor({}, isco_code="9211", day=DAY, prevailing=[pw("9211", "16")], minimum=[mw("15", currency="USD")])
    assert exc.value.field == "currency"
    result = compute_floor({}, isco_code="9211", day=DAY, prevailing=[pw("9211", "16")])
    with pytest.raises(FloorError):
        result.check(Offer(Decimal("20"), "USD", "hour"))


def test_bad_basis_and_unit():
    with pytest.raises(FloorError):
        compute_floor({"basis": "whatever"}, isco_code="9211", day=DAY, prevailing=[pw("9211", "16")])
    with pytest.raises(FloorError):
        compute_floor({}, isco_code="9211", day=DAY, prevailing=[pw("9211", "16")], unit="year")
