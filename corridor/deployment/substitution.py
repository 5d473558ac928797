"""Contract substitution: what is declared at destination against the locked contract. Plain Python, no Django.

Fair recruitment principle 8: the terms a worker agreed to before leaving are the terms at destination. Each fact the
employer declares (the contract presented, later each pay run) and the conditions on the permit are compared with
the locked contract; every difference is an alert for the origin authority and the labour inspectorate, shown to the
worker as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

# field -> (path in the contract content, how to compare)
FIELDS: dict[str, tuple[str, str]] = {
    "wage_amount": ("pay.amount", "at_least"),
    "wage_currency": ("pay.currency", "same"),
    "wage_unit": ("pay.unit", "same"),
    "hours_per_week": ("pay.hours_per_week", "same_number"),
    "isco_code": ("work.isco_code", "same"),
    "worksite": ("work.worksite", "same_text"),
    "start_date": ("duration.start", "same"),
    "end_date": ("duration.end", "same"),
    "housing_charge": ("housing.charge_amount", "at_most"),
    "deductions_total": ("deductions.items", "deductions_at_most"),
}


def _get(content: Mapping, path: str) -> Any:
    value: Any = content
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _number(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _deductions_total(items: Any) -> Decimal:
    total = Decimal(0)
    for item in items or []:
        amount = _number(item.get("amount") if isinstance(item, Mapping) else None)
        if amount is not None:
            total += amount
    return total


def differences(contract: Mapping, declared: Mapping) -> list[dict]:
    """Every declared fact that departs from the contract: lower pay, different hours, occupation, worksite or dates,
    a higher housing charge or higher deductions. Facts not declared are not compared."""
    found = []
    for name, (path, how) in FIELDS.items():
        if name not in declared or declared[name] in (None, ""):
            continue
        agreed, stated = _get(contract, path), declared[name]
        if how == "deductions_at_most":
            agreed_total, stated_total = _deductions_total(agreed), _number(stated)
            if stated_total is not None and stated_total > agreed_total:
                found.append({"field": name, "contract": str(agreed_total), "declared": str(stated_total)})
            continue
        if how in ("at_least", "at_most", "same_number"):
            a, s = _number(agreed), _number(stated)
            if a is None or s is None:
                differs = str(agreed) != str(stated)
            elif how == "at_least":
                differs = s < a
            elif how == "at_most":
                differs = s > a
            else:
                differs = s != a
        elif how == "same_text":
            differs = str(agreed or "").strip().casefold() != str(stated).strip().casefold()
        else:
            differs = str(agreed or "").strip() != str(stated).strip()
        if differs:
            found.append({"field": name, "contract": "" if agreed is None else str(agreed), "declared": str(stated)})
    return found
