"""The rulebook alone: parsing, consistency errors naming the rule, and warnings citing ILO principles."""

import copy

import pytest

from corridor.programmes import rulebook
from corridor.programmes.presets import PRESETS


def base() -> dict:
    return rulebook.plain_defaults()


def fields(issues):
    return {i.field for i in issues}


def test_defaults_are_valid_and_protective():
    verdict = rulebook.validate_rules(base())
    assert verdict.ok, verdict.errors
    rules = verdict.rules
    assert rules.fees.workers_pay_nothing is True
    assert rules.employer_change.policy == "free"
    assert rules.recall.requires_compliant_return is True


@pytest.mark.parametrize("key", sorted(PRESETS))
def test_every_preset_is_valid(key):
    verdict = rulebook.validate_rules(copy.deepcopy(PRESETS[key].rules))
    assert verdict.ok, verdict.errors


def test_age_min_above_max_is_refused_naming_the_field():
    data = base() | {"age": {"min": 40, "max": 30}}
    verdict = rulebook.validate_rules(data)
    assert not verdict.ok
    assert "age.max" in fields(verdict.errors)
    assert "below the minimum age" in verdict.errors[0].message


def test_age_under_ilo_minimum_is_refused():
    verdict = rulebook.validate_rules(base() | {"age": {"min": 14}})
    assert "age.min" in fields(verdict.errors)


def test_negative_quota_is_refused():
    data = base() | {"quotas": {"annual": -5}}
    verdict = rulebook.validate_rules(data)
    assert "quotas.annual" in fields(verdict.errors)
    data = base() | {"quotas": {"per_origin": {"MX": -1}}}
    verdict = rulebook.validate_rules(data)
    assert "quotas.per_origin.MX" in fields(verdict.errors)


def test_unknown_codes_are_refused_through_lookups():
    lookups = rulebook.Lookups(
        isco=lambda c: c in {"9211"}, country=lambda c: c in {"MX"}, language=lambda c: c == "es", currency=lambda c: c == "USD", sector=lambda c: c == "A"
    )
    data = base() | {
        "eligible_occupations": ["9211", "9999"],
        "eligible_sectors": ["Z"],
        "quotas": {"per_origin": {"XX": 10}},
        "language": {"language": "zz"},
        "fees": {"workers_pay_nothing": False, "lawful_exceptions": [{"category": "medical", "max_amount": 10, "currency": "EUX", "justification": "Medical check before departure"}]},
    }
    verdict = rulebook.validate_rules(data, lookups)
    assert {"eligible_occupations.1", "eligible_sectors.0", "quotas.per_origin.XX", "language.language", "fees.lawful_exceptions.0.currency"} <= fields(verdict.errors)


def test_unknown_rule_and_wrong_type_are_refused():
    verdict = rulebook.validate_rules(base() | {"stay": {"max_months_per_stay": "six"}, "colour": "blue"})
    assert {"stay.max_months_per_stay", "colour"} <= fields(verdict.errors)
    verdict = rulebook.validate_rules(["not", "a", "dict"])
    assert fields(verdict.errors) == {"rules"}


def test_missing_stay_is_required():
    verdict = rulebook.validate_rules({})
    assert "stay" in fields(verdict.errors)


def test_limited_policy_needs_a_maximum():
    verdict = rulebook.validate_rules(base() | {"employer_change": {"policy": "limited"}})
    assert "employer_change.max_changes" in fields(verdict.errors)


def test_deduction_cap_for_a_type_not_allowed_is_refused():
    verdict = rulebook.validate_rules(base() | {"deductions": {"allowed_types": ["tax"], "caps_percent": {"housing": 10}}})
    assert "deductions.caps_percent.housing" in fields(verdict.errors)


def test_stay_longer_than_the_season_window_is_refused():
    data = base() | {"stay": {"max_months_per_stay": 8, "season_window": {"start_month": 4, "end_month": 9}}}
    verdict = rulebook.validate_rules(data)
    assert "stay.max_months_per_stay" in fields(verdict.errors)


def test_season_window_may_wrap_around_the_new_year():
    data = base() | {"stay": {"max_months_per_stay": 6, "season_window": {"start_month": 10, "end_month": 3}}}
    assert rulebook.validate_rules(data).ok


def test_no_employer_change_is_allowed_with_a_warning_citing_principle_12():
    verdict = rulebook.validate_rules(base() | {"employer_change": {"policy": "not_allowed"}})
    assert verdict.ok
    warning = next(w for w in verdict.warnings if w.field == "employer_change.policy")
    assert "principle 12" in warning.principle


def test_worker_paid_fees_are_allowed_with_a_warning_citing_principle_7():
    data = base() | {
        "fees": {
            "workers_pay_nothing": False,
            "lawful_exceptions": [{"category": "administrative", "max_amount": 50, "currency": "USD", "justification": "Passport issuance fee"}],
        }
    }
    verdict = rulebook.validate_rules(data)
    assert verdict.ok
    assert any("principle 7" in w.principle for w in verdict.warnings)


def test_recall_at_employer_discretion_is_warned():
    verdict = rulebook.validate_rules(base() | {"recall": {"enabled": True, "requires_compliant_return": False}})
    assert "recall.requires_compliant_return" in fields(verdict.warnings)


def test_protective_defaults_have_no_principle_warnings_except_deduction_caps():
    verdict = rulebook.validate_rules(base())
    assert fields(verdict.warnings) <= {"deductions.total_cap_percent"}
