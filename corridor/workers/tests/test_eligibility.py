"""Eligibility: every criterion of the programme's rules, alone (plain Python) and as sentences in the worker's
language (with the database)."""

import datetime

import pytest

from corridor.programmes.rulebook import RuleSet
from corridor.workers.eligibility import (
    DocumentFact,
    Facts,
    LanguageFact,
    MedicalFact,
    age_on,
    check,
    language_expiry,
    level_meets,
)

D = datetime.date
TODAY = D(2027, 2, 1)
START, END = D(2027, 5, 1), D(2027, 10, 31)
RULES = {
    "stay": {"max_months_per_stay": 6, "season_window": {"start_month": 5, "end_month": 10}},
    "age": {"min": 18, "max": 45},
    "eligible_occupations": ["92", "6111"],
    "language": {"language": "es", "test": "", "min_level": "A2", "validity_months": 24},
}


def facts(**changes) -> Facts:
    values = {
        "date_of_birth": D(1990, 6, 15),
        "status": "work_ready",
        "occupations": ("9211",),
        "language_results": (LanguageFact("es", "DELE", "B1", D(2026, 1, 10)),),
        "medical": (MedicalFact(True, D(2026, 12, 1), D(2027, 11, 30)),),
        "documents": (DocumentFact("passport", D(2031, 1, 1)),),
    }
    values.update(changes)
    return Facts(**values)


def codes(worker: Facts, rules=None, **kwargs) -> list[str]:
    return [u.code for u in check(worker, rules or RULES, season_start=START, season_end=END, today=TODAY, **kwargs)]


def test_a_worker_meeting_everything_is_eligible():
    assert check(facts(), RULES, season_start=START, season_end=END, today=TODAY) == []


def test_the_rules_may_be_a_ruleset_object():
    assert codes(facts(), RuleSet.model_validate(RULES)) == []
    assert codes(facts(date_of_birth=D(1970, 1, 1)), RuleSet.model_validate(RULES)) == ["age_above_max"]


def test_every_unmet_criterion_is_listed_not_only_the_first():
    worker = Facts(date_of_birth=D(1975, 1, 1), status="registered", banned_until=TODAY, deployed=True)
    assert codes(worker) == ["not_verified", "age_above_max", "language_missing", "occupation_missing",
                             "medical_missing", "document_missing", "excluded", "deployed"]


# --- age ---------------------------------------------------------------------------------------------------------


def test_age_counts_completed_years():
    assert age_on(D(1982, 5, 1), D(2027, 5, 1)) == 45
    assert age_on(D(1982, 5, 2), D(2027, 5, 1)) == 44
    assert age_on(D(2000, 2, 29), D(2027, 2, 28)) == 26


@pytest.mark.parametrize("born, expected", [
    (D(1981, 5, 2), []),  # 45 on the first day of the season: still eligible
    (D(1981, 5, 1), ["age_above_max"]),  # 46 that very day
    (D(2009, 5, 1), []),  # 18 that day
    (D(2009, 5, 2), ["age_below_min"]),  # 18 a day too late
])
def test_age_on_the_first_day_of_the_season_with_boundaries(born, expected):
    assert codes(facts(date_of_birth=born)) == expected


def test_age_params_say_the_limit_the_age_and_the_day():
    unmet = check(facts(date_of_birth=D(1980, 1, 1)), RULES, season_start=START, season_end=END, today=TODAY)
    assert unmet[0].params == {"max": 45, "age": 47, "on": START, "future": True}


def test_no_maximum_age_when_the_rules_set_none():
    rules = {**RULES, "age": {"min": 18}}
    assert codes(facts(date_of_birth=D(1940, 1, 1)), rules) == []


# --- language ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("level, required, expected", [
    ("B1", "A2", True), ("A2", "A2", True), ("A1", "A2", False), ("C2", "B2", True), ("CEFR B2", "B1", True),
    ("b1", "B2", False), ("150", "140", True), ("139.5", "140", False), ("200 points", "180", True),
    ("12,5", "12", True), ("pass", "pass", True), ("passed", "pass", True), ("fail", "pass", False),
    ("180", "pass", True), ("150", "B1", None), ("B1", "150", None), ("fail", "", False), ("B2", "", True),
])
def test_levels_are_compared_where_comparable(level, required, expected):
    assert level_meets(level, required) is expected


def test_a_result_below_the_level_is_unmet():
    assert codes(facts(language_results=(LanguageFact("es", "DELE", "A1", D(2026, 1, 10)),))) == ["language_level_low"]


def test_a_result_in_another_language_does_not_count():
    assert codes(facts(language_results=(LanguageFact("fr", "DELF", "C1", D(2026, 1, 10)),))) == ["language_missing"]


def test_a_score_against_a_cefr_level_is_not_comparable():
    unmet = codes(facts(language_results=(LanguageFact("es", "SIELE", "610", D(2026, 1, 10)),)))
    assert unmet == ["language_level_not_comparable"]


def test_the_programme_validity_counts_from_the_day_the_test_was_taken():
    # Taken 2025-05-01 with 24 months' validity: counts until 2027-04-30, the day before the season starts.
    old = LanguageFact("es", "DELE", "B2", D(2025, 5, 1))
    assert language_expiry(old, 24) == D(2027, 4, 30)
    assert codes(facts(language_results=(old,))) == ["language_expired"]
    assert codes(facts(language_results=(LanguageFact("es", "DELE", "B2", D(2025, 5, 2)),))) == []


def test_the_result_own_end_of_validity_counts_too():
    result = LanguageFact("es", "DELE", "B2", D(2026, 6, 1), valid_until=D(2027, 4, 1))
    assert codes(facts(language_results=(result,))) == ["language_expired"]


def test_any_one_good_result_is_enough():
    results = (LanguageFact("es", "DELE", "A1", D(2026, 9, 1)), LanguageFact("es", "DELE", "B1", D(2026, 1, 1)))
    assert codes(facts(language_results=results)) == []


def test_a_named_test_must_be_the_one_taken():
    rules = {**RULES, "language": {"language": "ko", "test": "EPS-TOPIK", "min_level": "pass", "validity_months": 24}}
    assert codes(facts(language_results=(LanguageFact("ko", "EPS TOPIK", "pass", D(2026, 1, 1)),)), rules) == []
    assert codes(facts(language_results=(LanguageFact("ko", "TOPIK I", "pass", D(2026, 1, 1)),)), rules) == ["language_other_test"]


# --- occupation, medical, documents, exclusion, deployment, status -------------------------------------------------


def test_occupation_matches_by_prefix():
    assert codes(facts(occupations=("9213",))) == []
    assert codes(facts(occupations=("6111",))) == []
    assert codes(facts(occupations=("7112",))) == ["occupation_not_eligible"]
    assert codes(facts(occupations=())) == ["occupation_missing"]
    assert codes(facts(occupations=("7112",)), {**RULES, "eligible_occupations": []}) == []


def test_occupations_wanted_narrow_the_eligible_ones():
    assert codes(facts(occupations=("9211",)), occupations_wanted=["6111"]) == ["occupation_not_eligible"]
    assert codes(facts(occupations=("9211",)), occupations_wanted=["921"]) == []


def test_medical_clearance_must_be_fit_and_valid_on_the_first_day():
    assert codes(facts(medical=(MedicalFact(True, D(2026, 5, 1), D(2027, 5, 1)),))) == []
    assert codes(facts(medical=(MedicalFact(True, D(2026, 4, 30), D(2027, 4, 30)),))) == ["medical_expired"]
    assert codes(facts(medical=())) == ["medical_missing"]


def test_the_latest_medical_clearance_decides():
    earlier_fit = MedicalFact(True, D(2026, 1, 1), D(2027, 12, 31))
    later_unfit = MedicalFact(False, D(2026, 11, 1), D(2027, 12, 31))
    assert codes(facts(medical=(earlier_fit, later_unfit))) == ["medical_not_fit"]


def test_a_travel_document_valid_through_the_last_day_of_the_season():
    assert codes(facts(documents=(DocumentFact("passport", END),))) == []
    assert codes(facts(documents=(DocumentFact("passport", END - datetime.timedelta(days=1)),))) == ["document_expires"]
    assert codes(facts(documents=(DocumentFact("national_id", None),))) == []
    assert codes(facts(documents=(DocumentFact("birth_certificate", None),))) == ["document_missing"]
    both = (DocumentFact("passport", D(2027, 6, 1)), DocumentFact("passport", D(2032, 6, 1)))
    assert codes(facts(documents=both)) == []


def test_an_exclusion_until_today_or_later_counts():
    assert codes(facts(banned_until=TODAY)) == ["excluded"]
    assert codes(facts(banned_until=TODAY - datetime.timedelta(days=1))) == []


def test_a_deployed_worker_is_not_eligible_again():
    assert codes(facts(deployed=True)) == ["deployed"]


@pytest.mark.parametrize("status, expected", [("registered", ["not_verified"]), ("verified", []), ("work_ready", []),
                                              ("merged", ["merged"])])
def test_status_must_be_verified_or_work_ready(status, expected):
    assert codes(facts(status=status)) == expected


# --- the report, in the worker's language --------------------------------------------------------------------------


@pytest.fixture
def window_programme(ministry_admin, mx_authority):
    from corridor.programmes import services as programme_services
    from corridor.programmes.models import ProgrammeStatus

    programme = programme_services.programme_create(
        actor=ministry_admin, code="CA-WIN", name="Window programme", institutional_design="bilateral",
        category="seasonal", destination_country="CA", rules=RULES, rules_effective_from=D(2020, 1, 1),
    )
    programme_services.corridor_add(actor=ministry_admin, programme=programme, origin_country="MX",
                                    competent_authority=mx_authority)
    programme_services.programme_set_status(actor=ministry_admin, programme=programme, status=ProgrammeStatus.ACTIVE)
    programme.refresh_from_db()
    return programme


@pytest.mark.django_db
def test_the_report_lists_every_unmet_criterion_as_a_sentence(make_worker, window_programme):
    from corridor.workers.eligibility_report import eligibility_report

    on_date = D(2027, 2, 1)
    worker = make_worker(date_of_birth=D(1980, 1, 1))
    report = eligibility_report(worker=worker, programme=window_programme, on_date=on_date, language="en")
    assert report["eligible"] is False
    assert report["season_start"] == D(2027, 5, 1) and report["season_end"] == D(2027, 10, 31)
    assert report["rule_version"] == 1
    by_code = {u["code"]: u for u in report["unmet"]}
    assert set(by_code) == {"not_verified", "age_above_max", "language_missing", "occupation_missing",
                            "medical_missing", "document_missing"}
    assert by_code["age_above_max"]["message"] == "You must be at most 45 years old on 1 May 2027; you will be 47."
    assert by_code["age_above_max"]["field"] == "date_of_birth"
    assert "Spanish" in by_code["language_missing"]["message"] and "A2" in by_code["language_missing"]["message"]
    assert "9211" not in by_code["occupation_missing"]["message"] and "92" in by_code["occupation_missing"]["message"]
    assert "31 October 2027" in by_code["document_missing"]["message"]


@pytest.mark.django_db
def test_the_report_speaks_the_worker_language(make_worker, window_programme):
    from corridor.workers.eligibility_report import eligibility_report

    worker = make_worker(date_of_birth=D(1980, 1, 1), language="es")
    report = eligibility_report(worker=worker, programme=window_programme, on_date=D(2027, 2, 1))
    age = next(u for u in report["unmet"] if u["code"] == "age_above_max")
    assert "mayo" in age["message"]  # the date, at least, is in Spanish


@pytest.mark.django_db
def test_a_complete_worker_is_eligible_and_the_rule_version_is_named(make_worker, complete, origin_officer, programme):
    from corridor.workers import services
    from corridor.workers.eligibility_report import eligibility_report

    worker = complete(make_worker())
    services.occupation_add(actor=origin_officer, worker=worker, isco_code="9211", years_experience="4")
    report = eligibility_report(worker=worker, programme=programme)
    assert report == {**report, "eligible": True, "unmet": [], "programme": "CA-SAG", "rule_version": 1}
    # A window of the whole year is no window: the season starts on the day asked about, for the longest stay.
    from django.utils import timezone

    from corridor.workers.eligibility import add_months

    today = timezone.localdate()
    assert report["season_start"] == today
    assert report["season_end"] == add_months(today, 8) - datetime.timedelta(days=1)


@pytest.mark.django_db
def test_a_programme_without_rules_in_force_is_not_found(make_worker, window_programme):
    from corridor.core.errors import NotFound
    from corridor.workers.eligibility_report import eligibility_report

    window_programme.rule_versions.update(effective_until=D(2021, 1, 1))
    with pytest.raises(NotFound):
        eligibility_report(worker=make_worker(), programme=window_programme, on_date=D(2027, 2, 1))
