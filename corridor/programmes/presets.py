"""Starting points for new programmes, modelled on real schemes.

Figures come from the project's standards digest (docs/rulebook.md, section "Presets"), which draws on public
programme documentation: Korea's Employment Permit System (E-9), Canada's Seasonal Agricultural Worker Program,
Australia's Pacific Australia Labour Mobility scheme, New Zealand's Recognised Seasonal Employer scheme and
Spain's collective hiring in origin (GECCO) with Morocco. A preset is a template to adapt, not a legal text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    key: str
    name: str
    institutional_design: str
    category: str
    destination_country: str
    summary: str
    rules: dict


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in [
        Preset(
            key="kr-eps",
            name="Employment Permit System-like scheme (Korea E-9)",
            institutional_design="bilateral",
            category="general_blma",
            destination_country="KR",
            summary=(
                "Government-to-government recruitment from origin countries under MOUs, yearly quota, language test, "
                "employer picks from three candidates per post, stay of 3 years plus one extension, up to 3 changes "
                "of workplace (closures do not count), 3 months to find a new employer."
            ),
            rules={
                "stay": {"max_months_per_stay": 36, "max_total_months": 58},
                "renewal": {"renewable": True, "max_renewals": 1, "multiple_entry": True, "reentry_without_retest": True},
                "employer_change": {"policy": "limited", "max_changes": 3, "grace_period_days": 90},
                "age": {"min": 18, "max": 39},
                "eligible_sectors": ["A", "C", "F"],
                "language": {"language": "ko", "test": "EPS-TOPIK", "min_level": "pass", "validity_months": 24},
                "quotas": {"annual": 165000},
                "fees": {"workers_pay_nothing": True},
                "wage_floor": {"basis": "higher_of", "minimum_wage_premium_percent": 0},
                "deductions": {
                    "allowed_types": ["tax", "social_security", "housing", "food", "insurance"],
                    "caps_percent": {"housing": 8, "food": 12},
                    "total_cap_percent": 30,
                    "net_pay_floor_percent": 70,
                },
                "housing": {"min_area_m2_per_person": 5, "max_persons_per_room": 4, "employer_must_provide": False},
                "contract_delivery_lead_days": 30,
                "recall": {"enabled": True, "requires_compliant_return": True, "named_by_employer_allowed": True},
                "pathway": {"enabled": True, "months_required": 48, "target_status": "Skilled worker residence (points-based)"},
                "wage_guarantee_deposit_months": 1,
                "selection": {"mode": "employer_shortlist", "shortlist_per_position": 3, "max_preferences": 10},
                "labour_market_test": {"required": True, "min_advertising_days": 14},
                "four_eyes_approval": True,
                "employer_approval_months": 36,
            },
        ),
        Preset(
            key="ca-sawp",
            name="Seasonal agricultural worker programme (Canada SAWP-like)",
            institutional_design="bilateral",
            category="seasonal",
            destination_country="CA",
            summary=(
                "Labour-market test per job offer, bilateral agreements with origin governments, 240 hours in 6 weeks "
                "to 8 months per season, employer pays return travel, inspected employer housing, capped deductions, "
                "named returning workers, evaluations both ways at season end."
            ),
            rules={
                "stay": {"max_months_per_stay": 8, "season_window": {"start_month": 1, "end_month": 12}},
                "renewal": {"renewable": True, "max_renewals": 10, "multiple_entry": True},
                "employer_change": {"policy": "within_sector", "grace_period_days": 60},
                "age": {"min": 18},
                "eligible_occupations": ["6111", "9211", "9212", "9213"],
                "eligible_sectors": ["A"],
                "fees": {"workers_pay_nothing": True},
                "wage_floor": {"basis": "higher_of"},
                "guaranteed_hours": {"hours": 240, "period_weeks": 6},
                "deductions": {
                    "allowed_types": ["tax", "social_security", "housing", "travel_advance", "insurance"],
                    "caps_percent": {"housing": 5, "travel_advance": 10},
                    "total_cap_percent": 35,
                    "net_pay_floor_percent": 65,
                },
                "housing": {
                    "min_area_m2_per_person": 7.5,
                    "max_persons_per_room": 4,
                    "required_facilities": ["kitchen", "laundry", "heating", "toilets"],
                    "employer_must_provide": True,
                },
                "contract_delivery_lead_days": 21,
                "recall": {"enabled": True, "requires_compliant_return": True, "named_by_employer_allowed": True},
                "pathway": {"enabled": False},
                "selection": {"mode": "matching", "max_preferences": 10},
                "labour_market_test": {"required": True, "min_advertising_days": 28},
                "four_eyes_approval": True,
                "employer_approval_months": 12,
            },
        ),
        Preset(
            key="au-palm",
            name="Pacific labour mobility scheme (Australia PALM-like)",
            institutional_design="multilateral",
            category="seasonal",
            destination_country="AU",
            summary=(
                "Approved employers, short-term stays of up to 9 months a year on a 4-year multi-entry visa, an "
                "accommodation plan per recruitment, at least 120 hours per 4 weeks offered or paid, net-pay "
                "guarantee, welfare contact."
            ),
            rules={
                "stay": {"max_months_per_stay": 9, "max_total_months": 36, "max_months_in_period": 9, "period_months": 12},
                "renewal": {"renewable": True, "max_renewals": 3, "multiple_entry": True},
                "employer_change": {"policy": "free", "grace_period_days": 60},
                "age": {"min": 21},
                "eligible_sectors": ["A", "C", "I", "Q"],
                "fees": {"workers_pay_nothing": True},
                "wage_floor": {"basis": "higher_of"},
                "guaranteed_hours": {"hours": 120, "period_weeks": 4},
                "deductions": {
                    "allowed_types": ["tax", "social_security", "housing", "transport", "travel_advance", "insurance"],
                    "caps_percent": {"housing": 20, "transport": 5, "travel_advance": 10},
                    "total_cap_percent": 40,
                    "net_pay_floor_percent": 60,
                },
                "housing": {"min_area_m2_per_person": 6, "max_persons_per_room": 2, "employer_must_provide": True},
                "contract_delivery_lead_days": 14,
                "recall": {"enabled": True, "requires_compliant_return": True, "named_by_employer_allowed": True},
                "selection": {"mode": "matching", "max_preferences": 10},
                "labour_market_test": {"required": True, "min_advertising_days": 14},
                "four_eyes_approval": True,
                "employer_approval_months": 36,
            },
        ),
        Preset(
            key="nz-rse",
            name="Recognised seasonal employer scheme (New Zealand RSE-like)",
            institutional_design="unilateral",
            category="seasonal",
            destination_country="NZ",
            summary=(
                "Recognised employers obtain an agreement to recruit per season; visas for up to 7 months in 11; "
                "yearly cap of 20,750; pay at least the minimum wage plus 10% and at least 30 hours a week; "
                "deductions only for actual, verifiable costs; employer pays half the return airfare."
            ),
            rules={
                "stay": {"max_months_per_stay": 7, "max_months_in_period": 7, "period_months": 11},
                "renewal": {"renewable": True, "max_renewals": 10, "multiple_entry": False},
                "employer_change": {"policy": "within_sector", "grace_period_days": 30},
                "age": {"min": 18},
                "eligible_sectors": ["A"],
                "quotas": {"annual": 20750},
                "fees": {"workers_pay_nothing": True},
                "wage_floor": {"basis": "higher_of", "minimum_wage_premium_percent": 10},
                "guaranteed_hours": {"hours": 30, "period_weeks": 1},
                "deductions": {
                    "allowed_types": ["tax", "social_security", "housing", "transport", "travel_advance"],
                    "total_cap_percent": 35,
                    "net_pay_floor_percent": 65,
                },
                "housing": {"min_area_m2_per_person": 6, "max_persons_per_room": 3, "employer_must_provide": False},
                "contract_delivery_lead_days": 14,
                "recall": {"enabled": True, "requires_compliant_return": True, "named_by_employer_allowed": True},
                "selection": {"mode": "matching", "max_preferences": 10},
                "labour_market_test": {"required": True, "min_advertising_days": 14},
                "four_eyes_approval": False,
                "employer_approval_months": 24,
            },
        ),
        Preset(
            key="es-ma-circular",
            name="Circular seasonal scheme (Spain-Morocco collective hiring in origin-like)",
            institutional_design="bilateral",
            category="circular",
            destination_country="ES",
            summary=(
                "Collective hiring in origin, a 4-year authorisation to work up to 9 months a year with a commitment "
                "to return, last season's return checked before the next, at least 85% of usual working time "
                "guaranteed, housing provided. Adapted here to allow a change of employer within the sector, "
                "which the original scheme did not."
            ),
            rules={
                "stay": {
                    "max_months_per_stay": 9,
                    "max_total_months": 36,
                    "max_months_in_period": 9,
                    "period_months": 12,
                },
                "renewal": {"renewable": True, "max_renewals": 3, "multiple_entry": True},
                "employer_change": {"policy": "within_sector", "grace_period_days": 60},
                "age": {"min": 18, "max": 55},
                "eligible_occupations": ["9211", "6111", "6112"],
                "eligible_sectors": ["A"],
                "language": {"language": "es", "test": "", "min_level": "A1", "validity_months": 48},
                "quotas": {"annual": 15000, "per_origin": {"MA": 15000}},
                "fees": {"workers_pay_nothing": True},
                "wage_floor": {"basis": "higher_of"},
                "guaranteed_hours": {"share_of_contract_percent": 85},
                "deductions": {
                    "allowed_types": ["tax", "social_security", "food", "transport"],
                    "caps_percent": {"food": 10, "transport": 5},
                    "total_cap_percent": 30,
                    "net_pay_floor_percent": 70,
                },
                "housing": {
                    "min_area_m2_per_person": 6,
                    "max_persons_per_room": 4,
                    "required_facilities": ["kitchen", "toilets", "showers", "drinking_water"],
                    "employer_must_provide": True,
                },
                "contract_delivery_lead_days": 21,
                "recall": {"enabled": True, "requires_compliant_return": True, "named_by_employer_allowed": True},
                "pathway": {"enabled": True, "seasons_required": 4, "target_status": "Multi-year residence and work permit"},
                "selection": {"mode": "matching", "max_preferences": 10},
                "labour_market_test": {"required": True, "min_advertising_days": 14, "shortage_list_exempt": True},
                "four_eyes_approval": True,
                "employer_approval_months": 48,
            },
        ),
    ]
}
