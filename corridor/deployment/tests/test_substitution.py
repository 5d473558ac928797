"""Contract substitution, plain: what is declared at destination against the locked contract."""

from __future__ import annotations

import pytest

from corridor.deployment.substitution import FIELDS, differences

CONTRACT = {
    "work": {"isco_code": "9211", "worksite": "Orchard"},
    "pay": {"amount": "18.00", "currency": "CAD", "unit": "hour", "hours_per_week": "40"},
    "deductions": {"items": [{"type": "tax", "amount": "200"}, {"type": "housing", "amount": "50.50"}]},
    "housing": {"charge_amount": "0"},
    "duration": {"start": "2027-05-03", "end": "2027-10-29"},
}


def fields(found):
    return [d["field"] for d in found]


def test_nothing_declared_nothing_found():
    assert differences(CONTRACT, {}) == []


def test_the_same_terms_raise_nothing():
    same = {"wage_amount": "18", "wage_currency": "CAD", "wage_unit": "hour", "hours_per_week": "40.0",
            "isco_code": "9211", "worksite": "Orchard", "start_date": "2027-05-03", "end_date": "2027-10-29",
            "housing_charge": "0", "deductions_total": "250.50"}
    assert differences(CONTRACT, same) == []


def test_a_lower_wage_is_a_difference():
    found = differences(CONTRACT, {"wage_amount": "16.50"})
    assert found == [{"field": "wage_amount", "contract": "18.00", "declared": "16.50"}]


def test_a_higher_wage_is_not():
    assert differences(CONTRACT, {"wage_amount": "19.25"}) == []


def test_other_currency_or_unit_is_a_difference():
    assert fields(differences(CONTRACT, {"wage_currency": "USD", "wage_unit": "week"})) == ["wage_currency", "wage_unit"]


@pytest.mark.parametrize("hours", ["48", "32"])
def test_different_hours_either_way(hours):
    assert differences(CONTRACT, {"hours_per_week": hours}) == [
        {"field": "hours_per_week", "contract": "40", "declared": hours}]


def test_another_occupation():
    assert fields(differences(CONTRACT, {"isco_code": "9333"})) == ["isco_code"]


def test_worksite_compared_without_case_or_spaces():
    assert differences(CONTRACT, {"worksite": "  ORCHARD "}) == []
    assert fields(differences(CONTRACT, {"worksite": "Greenhouse 4"})) == ["worksite"]


def test_dates():
    found = differences(CONTRACT, {"start_date": "2027-05-10", "end_date": "2027-09-30"})
    assert fields(found) == ["start_date", "end_date"]
    assert found[1] == {"field": "end_date", "contract": "2027-10-29", "declared": "2027-09-30"}


def test_housing_charge_higher_only():
    assert fields(differences(CONTRACT, {"housing_charge": "120"})) == ["housing_charge"]
    contract = {**CONTRACT, "housing": {"charge_amount": "100"}}
    assert differences(contract, {"housing_charge": "80"}) == []


def test_deductions_total_higher_only():
    found = differences(CONTRACT, {"deductions_total": "300"})
    assert found == [{"field": "deductions_total", "contract": "250.50", "declared": "300"}]
    assert differences(CONTRACT, {"deductions_total": "100"}) == []


def test_deductions_without_items_count_as_zero():
    contract = {**CONTRACT, "deductions": {"items": []}}
    assert fields(differences(contract, {"deductions_total": "1"})) == ["deductions_total"]
    assert differences(contract, {"deductions_total": "0"}) == []


def test_undeclared_or_empty_facts_are_not_compared():
    assert differences(CONTRACT, {"wage_amount": None, "hours_per_week": "", "start_date": None}) == []
    assert differences({}, {}) == []


def test_unknown_facts_are_ignored():
    assert differences(CONTRACT, {"bonus": "0", "employer": "Someone else"}) == []


def test_a_fact_missing_from_the_contract_differs():
    found = differences({"pay": {}}, {"wage_amount": "18"})
    assert found == [{"field": "wage_amount", "contract": "", "declared": "18"}]


def test_a_non_number_declared_against_a_number_differs():
    assert fields(differences(CONTRACT, {"wage_amount": "eighteen"})) == ["wage_amount"]


def test_every_field_has_a_path_and_a_way_to_compare():
    for name, (where, how) in FIELDS.items():
        assert "." in where, name
        assert how in {"at_least", "at_most", "same", "same_number", "same_text", "deductions_at_most"}
