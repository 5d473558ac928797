"""The plain-Python rule checks of a job order, without a database."""

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from corridor.joborders import checks

D = datetime.date


def order(**changes):
    base = dict(
        isco_code="9211", sector="A", origin_countries=("MX",), positions=4, start=D(2027, 5, 1), end=D(2027, 10, 31),
        wage_amount=Decimal("18"), wage_currency="CAD", wage_unit="hour", hours_per_week=Decimal("40"),
        overtime_rate_percent=Decimal("150"),
    )
    base.update(changes)
    return checks.Order(**base)


CONTEXT = checks.Context(today=D(2027, 3, 1), corridor_origins=frozenset({"MX", "JM"}))


def rules_of(findings):
    return [f.rule for f in findings]


def test_a_compliant_order_has_no_findings():
    assert checks.check_order(order(), {"stay": {"max_months_per_stay": 8}, "labour_market_test": {"required": False}}, CONTEXT) == []


def test_season_window_wraps_round_the_year():
    rules = {"stay": {"season_window": {"start_month": 11, "end_month": 4}}, "labour_market_test": {"required": False}}
    assert checks.check_order(order(start=D(2027, 11, 15), end=D(2028, 3, 31)), rules, CONTEXT) == []
    found = checks.check_order(order(start=D(2028, 2, 1), end=D(2028, 6, 30)), rules, CONTEXT)
    assert rules_of(found) == ["stay.season_window"]
    assert "May, June" in found[0].message and found[0].field == "end_date"


def test_deduction_caps_use_the_monthly_gross():
    rules = {
        "deductions": {"allowed_types": ["housing", "tax"], "caps_percent": {"housing": 5}, "total_cap_percent": 30,
                       "net_pay_floor_percent": 75},
        "labour_market_test": {"required": False},
    }
    gross = checks.monthly_gross(order())
    assert gross == Decimal("3117.60")  # 18 x 40 x 4.33
    ok = order(deductions=(checks.Deduction("housing", Decimal("155")),))
    assert checks.check_order(ok, rules, CONTEXT) == []
    over = order(deductions=(checks.Deduction("housing", Decimal("156")), checks.Deduction("tax", Decimal("800"))))
    assert set(rules_of(checks.check_order(over, rules, CONTEXT))) == {
        "deductions.caps_percent.housing", "deductions.total_cap_percent", "deductions.net_pay_floor_percent",
    }


def test_housing_charge_counts_as_a_deduction():
    rules = {"deductions": {"allowed_types": ["housing"], "caps_percent": {"housing": 5}}, "labour_market_test": {"required": False}}
    context = checks.Context(today=D(2027, 3, 1), corridor_origins=frozenset({"MX"}),
                             housing=checks.Housing(capacity=4, charge=Decimal("300"), charge_currency="CAD"))
    assert rules_of(checks.check_order(order(), rules, context)) == ["deductions.caps_percent.housing"]


def test_shortage_list_exempts_from_the_labour_market_test():
    rules = {"labour_market_test": {"required": True, "min_advertising_days": 14, "shortage_list_exempt": True,
                                    "shortage_occupations": ["921"]}}
    assert checks.check_order(order(), rules, CONTEXT) == []
    assert rules_of(checks.check_order(order(isco_code="6111"), rules, CONTEXT)) == ["labour_market_test.min_advertising_days"]


def test_travel_exception_allows_a_worker_share():
    rules = {"fees": {"workers_pay_nothing": True, "lawful_exceptions": [{"category": "travel", "max_amount": 100, "currency": "CAD",
                                                                           "justification": "Agreed share"}]},
             "labour_market_test": {"required": False}}
    assert checks.check_order(order(outbound_travel_worker_percent=Decimal(10)), rules, CONTEXT) == []
    rules["fees"]["lawful_exceptions"] = []
    found = checks.check_order(order(outbound_travel_worker_percent=Decimal(10)), rules, CONTEXT)
    assert found[0].principle.startswith("ILO fair recruitment principle 7")


def test_quota_keys_cover_programme_each_origin_and_sector():
    rules = {"quotas": {"annual": 100, "per_origin": {"MX": 60, "JM": 40}, "per_sector": {"A": 80}}}
    keys = checks.quota_keys(rules, origin_countries=["MX", "JM", "GT"], sector="A")
    assert keys == [("programme", "", 100), ("origin", "JM", 40), ("origin", "MX", 60), ("sector", "A", 80)]
    assert checks.quota_keys({}, origin_countries=["MX"], sector="A") == []


spans = st.tuples(st.integers(0, 60), st.integers(0, 20)).map(
    lambda t: checks.Advert("x", D(2027, 1, 1) + datetime.timedelta(days=t[0]), D(2027, 1, 1) + datetime.timedelta(days=t[0] + t[1]))
)


@given(st.lists(spans, max_size=6), st.integers(0, 90))
def test_covered_days_counts_each_day_once(adverts, cutoff):
    until = D(2027, 1, 1) + datetime.timedelta(days=cutoff)
    days = set()
    for a in adverts:
        day = a.start
        while day <= min(a.end, until):
            days.add(day)
            day += datetime.timedelta(days=1)
    assert checks.covered_days(adverts, until) == len(days)
