"""The plain-Python housing check: each rule, the figures in the message, and no Django import."""

import ast
from pathlib import Path

from corridor.employers import housing

STANDARD = {"min_area_m2_per_person": 7.5, "max_persons_per_room": 4, "required_facilities": ["kitchen", "Hot water"]}


def test_a_compliant_unit_has_no_findings():
    unit = housing.facts([2, 2], 40, ["Kitchen", "hot_water"])
    assert housing.check_unit(unit, STANDARD) == []


def test_area_per_person_below_the_minimum_gives_the_figures():
    (finding,) = housing.check_unit(housing.facts([2, 2], 28, ["kitchen", "hot water"]), STANDARD)
    assert finding.rule == "housing.min_area_m2_per_person"
    assert finding.message.startswith("7.0 m² per person is below the programme's minimum of 7.5 m²")
    assert (finding.actual, finding.required) == (7.0, 7.5)


def test_a_value_just_below_the_limit_is_not_shown_as_equal():
    (finding,) = housing.check_unit(housing.facts([4], 29.9, ["kitchen", "hot water"]), STANDARD)
    assert finding.message.startswith("7.47 m² per person")


def test_each_overcrowded_room_is_named():
    findings = housing.check_unit(housing.facts([5, 2, 6], 200, ["kitchen", "hot water"]), STANDARD)
    assert [f.message for f in findings] == [
        "Bedroom 1 has 5 beds; the programme allows at most 4 people per room.",
        "Bedroom 3 has 6 beds; the programme allows at most 4 people per room.",
    ]


def test_missing_facilities_are_listed():
    (finding,) = housing.check_unit(housing.facts([1], 10, ["kitchen"]), STANDARD)
    assert finding.rule == "housing.required_facilities"
    assert "Hot water" in finding.message


def test_a_unit_without_beds_and_an_empty_standard():
    assert [f.rule for f in housing.check_unit(housing.facts([0], 10), STANDARD)][0] == "housing.capacity"
    assert housing.check_unit(housing.facts([9], 1), {}) == []
    assert housing.check_unit(housing.facts([9], 1), None) == []


def test_the_core_imports_nothing_from_django():
    tree = ast.parse(Path(housing.__file__).read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not any(name.startswith(("django", "corridor")) for name in names)
