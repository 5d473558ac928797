"""Assessing one recruitment cost against a programme's fee policy. Plain Python, no Django.

Sources: ILO General principles and operational guidelines for fair recruitment (2019), principle 7 (no recruitment
fees or related costs charged to or borne by workers) and guideline 6.2 (the full extent of costs is transparent to
those who pay them); the ILO definition of recruitment fees and related costs (2018): recruitment fees, seven kinds
of related costs, and illegitimate costs that are never allowed; C181 Art 7 (private employment agencies charge no
fees to workers; exceptions only per Art 7(2), listed, in the interest of the workers, after consulting the social
partners).

`assess(entry, policy)` takes the `fees` part of a programme rule version (`programmes/rulebook.py`):

    {"workers_pay_nothing": bool,
     "lawful_exceptions": [{"category", "max_amount", "currency", "justification"}, ...]}

The rules, in the order they apply:

1. A cost paid by an employer or an agency is recorded and is never a violation (guideline 6.2).
2. An illegitimate cost (bribe, kickback, deposit, collateral) borne by the worker or the family is always a
   violation, for its full amount, whatever the programme lists.
3. Where the programme lists a lawful exception for the entry's category (only possible when `workers_pay_nothing`
   is false: the rulebook refuses exceptions next to a "workers pay nothing" policy, and this module ignores them
   there), a payment in the exception's currency is lawful up to its maximum, counting what the same worker already
   paid under it (`Entry.already_excepted`); the excess is a violation. A payment in another currency cannot be
   compared with the maximum (no exchange rate is assumed) and is a violation.
4. A recruitment fee borne by the worker is a violation (principle 7; C181 Art 7). A policy that lets workers pay
   related costs does not cover recruitment fees.
5. A related cost borne by the worker is a violation where the programme says workers pay nothing (and where there
   is no programme: principle 7 applies as if it said so); where the programme lets workers pay related costs, it is
   recorded as allowed by the programme's policy, with a note that principle 7 asks for more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

PRINCIPLE_7 = "ILO General principles for fair recruitment, principle 7"
C181_ART_7 = "C181 Art 7"
C181_ART_7_2 = "C181 Art 7(2)"
DEFINITION_2018 = "ILO definition of recruitment fees and related costs (2018)"
GUIDELINE_6_2 = "ILO operational guidelines for fair recruitment, guideline 6.2"

RECRUITMENT_FEE = "recruitment_fee"
ILLEGITIMATE = "illegitimate"
RELATED_COSTS = ("medical", "insurance", "tests", "training", "equipment", "travel", "administrative")
CATEGORIES = (RECRUITMENT_FEE, *RELATED_COSTS, ILLEGITIMATE)
WORKER_BORNE = ("worker", "family")
PAYERS = (*WORKER_BORNE, "employer", "agency")

# The rulebook's names for categories where they differ from the ledger's.
POLICY_NAMES = {"travel": frozenset({"travel", "travel_lodging", "travel_and_lodging"})}

CATEGORY_WORDS = {
    RECRUITMENT_FEE: "recruitment fee",
    "medical": "medical examination",
    "insurance": "insurance",
    "tests": "skills, qualification or language test",
    "training": "training or orientation",
    "equipment": "equipment",
    "travel": "travel and lodging",
    "administrative": "administrative cost",
    ILLEGITIMATE: "bribe, kickback, deposit or collateral",
}
PAYER_WORDS = {"worker": "the worker", "family": "the worker's family", "employer": "the employer", "agency": "the agency"}


class Outcome(StrEnum):
    NOT_BORNE_BY_WORKER = "not_borne_by_worker"  # paid by an employer or an agency
    ILLEGITIMATE = "illegitimate"
    EXCEPTION = "lawful_exception"  # within a listed exception
    EXCEPTION_EXCEEDED = "exception_exceeded"  # over the exception's maximum: the excess is a violation
    EXCEPTION_CURRENCY = "exception_other_currency"
    RECRUITMENT_FEE = "recruitment_fee"
    RELATED_COST = "related_cost"
    ALLOWED_BY_POLICY = "allowed_by_policy"


@dataclass(frozen=True)
class Entry:
    category: str
    payer: str
    amount: Decimal
    currency: str
    # What the same worker already paid, lawfully, under the same exception (same programme, category, currency).
    already_excepted: Decimal = ZERO


@dataclass(frozen=True)
class Assessment:
    violation: bool
    amount_in_violation: Decimal
    lawful_amount: Decimal
    finding: str
    principle: str
    outcome: str
    exception_justification: str = ""


@dataclass(frozen=True)
class _Exception:
    category: str
    max_amount: Decimal
    currency: str
    justification: str


NO_PROGRAMME_POLICY: Mapping = {"workers_pay_nothing": True, "lawful_exceptions": []}


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount.quantize(CENT, ROUND_HALF_UP)} {currency}"


def _decimal(value) -> Decimal:
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"{value!r} is not an amount") from exc
    if not result.is_finite():
        raise ValueError(f"{value!r} is not an amount")
    return result


def _exceptions(policy: Mapping) -> list[_Exception]:
    found = []
    for item in policy.get("lawful_exceptions") or []:
        if not isinstance(item, Mapping):
            continue
        try:
            found.append(
                _Exception(
                    category=str(item.get("category", "")).strip().lower(),
                    max_amount=_decimal(item.get("max_amount", 0)),
                    currency=str(item.get("currency", "")).strip().upper(),
                    justification=str(item.get("justification", "")).strip(),
                )
            )
        except ValueError:
            continue  # a malformed exception covers nothing
    return found


def _covers(exception: _Exception, category: str) -> bool:
    return exception.category in POLICY_NAMES.get(category, frozenset({category}))


def assess(entry: Entry, policy: Mapping | None) -> Assessment:
    """The finding for one cost entry under `policy` (a rule version's `fees`; None or empty: principle 7 alone)."""
    if entry.category not in CATEGORIES:
        raise ValueError(f"unknown category {entry.category!r}")
    if entry.payer not in PAYERS:
        raise ValueError(f"unknown payer {entry.payer!r}")
    amount = _decimal(entry.amount).quantize(CENT, ROUND_HALF_UP)
    if amount <= 0:
        raise ValueError("the amount must be positive")
    currency = str(entry.currency).strip().upper()
    policy = policy if isinstance(policy, Mapping) and policy else NO_PROGRAMME_POLICY
    what = CATEGORY_WORDS[entry.category]
    paid = f"{what.capitalize()} of {_money(amount, currency)} paid by {PAYER_WORDS[entry.payer]}"

    def lawful(outcome: Outcome, finding: str, principle: str, justification: str = "") -> Assessment:
        return Assessment(False, ZERO, amount, finding, principle, outcome.value, justification)

    def violation(outcome: Outcome, excess: Decimal, finding: str, principle: str, justification: str = "") -> Assessment:
        return Assessment(True, excess, amount - excess, finding, principle, outcome.value, justification)

    # 1. Paid by an employer or an agency: transparency, never a violation.
    if entry.payer not in WORKER_BORNE:
        return lawful(
            Outcome.NOT_BORNE_BY_WORKER,
            f"{paid}: not borne by the worker. Recorded so that the full cost of recruitment is known to those who "
            f"pay it ({GUIDELINE_6_2}).",
            GUIDELINE_6_2,
        )

    # 2. Illegitimate costs are never allowed.
    if entry.category == ILLEGITIMATE:
        return violation(
            Outcome.ILLEGITIMATE, amount,
            f"{paid}: illegitimate costs are never allowed, whoever demands them ({PRINCIPLE_7}; {DEFINITION_2018}). "
            f"The full amount is to be refunded.",
            f"{PRINCIPLE_7}; {DEFINITION_2018}",
        )

    workers_pay_nothing = policy.get("workers_pay_nothing", True) is not False
    fee_principle = f"{PRINCIPLE_7}; {C181_ART_7}" if entry.category == RECRUITMENT_FEE else f"{PRINCIPLE_7}; {DEFINITION_2018}"

    # 3. A listed lawful exception for this category (only where workers do not pay nothing).
    listed = [] if workers_pay_nothing else [e for e in _exceptions(policy) if _covers(e, entry.category)]
    if listed:
        same_currency = [e for e in listed if e.currency == currency]
        if not same_currency:
            currencies = ", ".join(sorted({e.currency for e in listed}))
            return violation(
                Outcome.EXCEPTION_CURRENCY, amount,
                f"{paid}: the programme allows workers to pay a {what} only up to a maximum in {currencies}; a payment "
                f"in {currency} cannot be shown to be within it, so it is treated as charged to the worker "
                f"({fee_principle}). The full amount is to be refunded unless shown to be within the maximum.",
                fee_principle,
            )
        exception = max(same_currency, key=lambda e: e.max_amount)
        room = max(exception.max_amount - _decimal(entry.already_excepted), ZERO).quantize(CENT, ROUND_HALF_UP)
        basis = f"{C181_ART_7_2}; programme exception: {exception.justification}"
        if amount <= room:
            return lawful(
                Outcome.EXCEPTION,
                f"{paid}: within the programme's listed exception for this cost (at most "
                f"{_money(exception.max_amount, currency)} per worker). Justification: {exception.justification}",
                basis,
                exception.justification,
            )
        excess = amount - room
        return violation(
            Outcome.EXCEPTION_EXCEEDED, excess,
            f"{paid}: the programme allows at most {_money(exception.max_amount, currency)} per worker for this cost"
            + (f", of which {_money(exception.max_amount - room, currency)} was already paid" if room < exception.max_amount else "")
            + f"; the excess of {_money(excess, currency)} breaks {PRINCIPLE_7} and is to be refunded.",
            f"{fee_principle}; {basis}",
            exception.justification,
        )

    # 4. Recruitment fees: no policy lets workers pay them.
    if entry.category == RECRUITMENT_FEE:
        return violation(
            Outcome.RECRUITMENT_FEE, amount,
            f"{paid}: no recruitment fees may be charged to or borne by workers ({PRINCIPLE_7}; {C181_ART_7}). "
            f"The full amount is to be refunded.",
            fee_principle,
        )

    # 5. Related costs: a violation unless the programme lets workers pay them.
    if workers_pay_nothing:
        return violation(
            Outcome.RELATED_COST, amount,
            f"{paid}: related recruitment costs may not be charged to or borne by workers ({PRINCIPLE_7}; "
            f"{DEFINITION_2018}). The full amount is to be refunded.",
            fee_principle,
        )
    return lawful(
        Outcome.ALLOWED_BY_POLICY,
        f"{paid}: the programme's fee policy lets workers bear this related cost, so it is not a violation of the "
        f"programme's rules; {PRINCIPLE_7} asks that workers bear no related costs at all.",
        f"Programme fee policy; compare {PRINCIPLE_7}",
    )
