"""The fee-policy core: every branch of `fees.assess`, and properties over any input (plain Python, no database)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridor.recruitment import fees
from corridor.recruitment.fees import Entry, Outcome, assess

PAY_NOTHING = {"workers_pay_nothing": True, "lawful_exceptions": []}
MEDICAL_EXCEPTION = {
    "workers_pay_nothing": False,
    "lawful_exceptions": [
        {"category": "medical", "max_amount": 100, "currency": "USD", "justification": "Pre-departure medical examination at a public clinic, agreed with the social partners."},
        {"category": "travel_lodging", "max_amount": 50.5, "currency": "MXN", "justification": "Bus fare to the capital for the interview."},
        {"category": "recruitment_fee", "max_amount": 200, "currency": "USD", "justification": "Placement fee capped by national law after tripartite consultation."},
    ],
}
POLICY_ALLOWS_COSTS = {"workers_pay_nothing": False, "lawful_exceptions": []}


def entry(category="recruitment_fee", payer="worker", amount="350", currency="USD", already="0"):
    return Entry(category=category, payer=payer, amount=Decimal(amount), currency=currency, already_excepted=Decimal(already))


@pytest.mark.parametrize("payer", ["employer", "agency"])
@pytest.mark.parametrize("category", fees.CATEGORIES)
def test_costs_paid_by_employers_and_agencies_are_recorded_never_violations(payer, category):
    result = assess(entry(category, payer), PAY_NOTHING)
    assert not result.violation
    assert result.amount_in_violation == 0
    assert result.lawful_amount == Decimal("350.00")
    assert result.outcome == Outcome.NOT_BORNE_BY_WORKER
    assert "guideline 6.2" in result.principle
    assert "not borne by the worker" in result.finding


def test_a_recruitment_fee_paid_by_the_worker_is_a_violation_citing_principle_7_and_c181():
    result = assess(entry("recruitment_fee", "worker", "350", "USD"), PAY_NOTHING)
    assert result.violation
    assert result.amount_in_violation == Decimal("350.00")
    assert result.outcome == Outcome.RECRUITMENT_FEE
    assert result.principle == "ILO General principles for fair recruitment, principle 7; C181 Art 7"
    assert "350.00 USD" in result.finding and "principle 7" in result.finding


@pytest.mark.parametrize("category", fees.RELATED_COSTS)
def test_related_costs_borne_by_the_family_are_violations_where_workers_pay_nothing(category):
    result = assess(entry(category, "family", "12.5", "MXN"), PAY_NOTHING)
    assert result.violation
    assert result.amount_in_violation == Decimal("12.50")
    assert result.outcome == Outcome.RELATED_COST
    assert "principle 7" in result.principle and "C181" not in result.principle
    assert "the worker's family" in result.finding


@pytest.mark.parametrize("policy", [None, {}, PAY_NOTHING])
def test_without_a_programme_policy_principle_7_applies_as_if_workers_pay_nothing(policy):
    assert assess(entry("medical", "worker"), policy).violation


@pytest.mark.parametrize("policy", [PAY_NOTHING, MEDICAL_EXCEPTION, POLICY_ALLOWS_COSTS])
def test_illegitimate_costs_are_always_violations(policy):
    result = assess(entry("illegitimate", "worker", "80"), policy)
    assert result.violation and result.amount_in_violation == Decimal("80.00")
    assert result.outcome == Outcome.ILLEGITIMATE
    assert "never allowed" in result.finding


def test_an_illegitimate_cost_cannot_be_excepted_even_if_listed():
    policy = {"workers_pay_nothing": False, "lawful_exceptions": [
        {"category": "illegitimate", "max_amount": 1000, "currency": "USD", "justification": "Listed by mistake."}]}
    assert assess(entry("illegitimate", "worker", "10"), policy).violation


def test_a_listed_exception_within_its_maximum_is_lawful_citing_its_justification():
    result = assess(entry("medical", "worker", "100", "USD"), MEDICAL_EXCEPTION)
    assert not result.violation
    assert result.outcome == Outcome.EXCEPTION
    assert result.exception_justification.startswith("Pre-departure medical examination")
    assert "C181 Art 7(2)" in result.principle and "Pre-departure medical" in result.principle
    assert "Justification: Pre-departure" in result.finding


def test_the_excess_over_an_exception_is_the_violation():
    result = assess(entry("medical", "worker", "130", "USD"), MEDICAL_EXCEPTION)
    assert result.violation
    assert result.outcome == Outcome.EXCEPTION_EXCEEDED
    assert result.amount_in_violation == Decimal("30.00")
    assert result.lawful_amount == Decimal("100.00")
    assert "excess of 30.00 USD" in result.finding


def test_earlier_payments_under_the_same_exception_count_against_its_maximum():
    result = assess(entry("medical", "worker", "60", "USD", already="70"), MEDICAL_EXCEPTION)
    assert result.violation and result.amount_in_violation == Decimal("30.00")
    assert "70.00 USD was already paid" in result.finding
    spent = assess(entry("medical", "worker", "5", "USD", already="100"), MEDICAL_EXCEPTION)
    assert spent.violation and spent.amount_in_violation == Decimal("5.00")


def test_an_exception_in_another_currency_does_not_cover_the_payment():
    result = assess(entry("medical", "worker", "10", "MXN"), MEDICAL_EXCEPTION)
    assert result.violation and result.amount_in_violation == Decimal("10.00")
    assert result.outcome == Outcome.EXCEPTION_CURRENCY
    assert "USD" in result.finding and "MXN" in result.finding


def test_the_rulebook_name_for_travel_matches_the_ledger_category():
    assert assess(entry("travel", "worker", "50.50", "MXN"), MEDICAL_EXCEPTION).outcome == Outcome.EXCEPTION
    assert assess(entry("travel", "worker", "50.51", "MXN"), MEDICAL_EXCEPTION).amount_in_violation == Decimal("0.01")


def test_a_listed_recruitment_fee_exception_c181_art_7_2_is_honoured_up_to_its_maximum():
    assert not assess(entry("recruitment_fee", "worker", "200", "USD"), MEDICAL_EXCEPTION).violation
    over = assess(entry("recruitment_fee", "worker", "350", "USD"), MEDICAL_EXCEPTION)
    assert over.violation and over.amount_in_violation == Decimal("150.00")
    assert "C181 Art 7" in over.principle


def test_a_policy_allowing_related_costs_never_allows_recruitment_fees():
    assert assess(entry("recruitment_fee", "worker"), POLICY_ALLOWS_COSTS).violation
    result = assess(entry("insurance", "worker", "40", "CAD"), POLICY_ALLOWS_COSTS)
    assert not result.violation
    assert result.outcome == Outcome.ALLOWED_BY_POLICY
    assert "principle 7 asks" in result.finding


def test_unlisted_related_costs_are_allowed_where_the_policy_lets_workers_pay():
    result = assess(entry("equipment", "worker", "40", "USD"), MEDICAL_EXCEPTION)
    assert not result.violation and result.outcome == Outcome.ALLOWED_BY_POLICY


def test_exceptions_next_to_a_workers_pay_nothing_policy_are_ignored():
    policy = {**MEDICAL_EXCEPTION, "workers_pay_nothing": True}
    assert assess(entry("medical", "worker", "10", "USD"), policy).violation


def test_malformed_exceptions_cover_nothing():
    policy = {"workers_pay_nothing": False, "lawful_exceptions": ["medical", {"category": "medical", "max_amount": "lots", "currency": "USD"}]}
    assert assess(entry("recruitment_fee", "worker"), policy).violation


@pytest.mark.parametrize(
    "bad", [entry("gift", "worker"), entry("medical", "cousin"), entry(amount="0"), entry(amount="-1")], ids=["category", "payer", "zero", "negative"]
)
def test_bad_entries_are_refused(bad):
    with pytest.raises(ValueError):
        assess(bad, PAY_NOTHING)


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2)
currencies = st.sampled_from(["USD", "MXN", "CAD", "EUR"])
policies = st.sampled_from([None, PAY_NOTHING, MEDICAL_EXCEPTION, POLICY_ALLOWS_COSTS])


@given(category=st.sampled_from(fees.CATEGORIES), payer=st.sampled_from(["employer", "agency"]), amount=amounts,
       currency=currencies, policy=policies)
def test_property_employer_or_agency_paid_is_never_a_violation(category, payer, amount, currency, policy):
    result = assess(Entry(category, payer, amount, currency), policy)
    assert not result.violation and result.amount_in_violation == 0


@given(payer=st.sampled_from(fees.WORKER_BORNE), amount=amounts, currency=currencies, policy=policies,
       already=st.decimals(min_value=0, max_value=1000, places=2))
def test_property_illegitimate_worker_borne_is_always_a_violation_for_the_full_amount(payer, amount, currency, policy, already):
    result = assess(Entry("illegitimate", payer, amount, currency, already), policy)
    assert result.violation and result.amount_in_violation == amount


@given(category=st.sampled_from(fees.CATEGORIES), payer=st.sampled_from(fees.PAYERS), amount=amounts,
       currency=currencies, policy=policies, already=st.decimals(min_value=0, max_value=1000, places=2))
def test_property_the_parts_add_up_and_a_violation_has_an_amount(category, payer, amount, currency, policy, already):
    result = assess(Entry(category, payer, amount, currency, already), policy)
    assert result.amount_in_violation + result.lawful_amount == amount
    assert 0 <= result.amount_in_violation <= amount
    assert result.violation == (result.amount_in_violation > 0)
    assert result.finding and result.principle
