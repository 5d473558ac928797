"""The standard contract's content, language-neutral. Plain Python, no Django.

A contract is a JSON object of facts taken from the job order, the programme's rules and contract template, the
employer and the worker (`build`). Every item of the ILO Model Agreement annexed to R86 (Art 22), plus equal
treatment (C97 Art 6), the ban on recruitment fees (fair recruitment principle 7), the right to change employer and
where to complain, must be present: `missing` names the items a content lacks, and the platform refuses to issue a
contract with any missing. `changes` lists the items an amendment changes, for the worker to see before accepting.
The wording of each item in a language is in `corridor/contracts/wording.py`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

SCHEMA = 1

# Each item: (key, the content paths that must hold a value, where it comes from).
ITEMS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("parties", ("worker.name", "worker.public_id", "worker.date_of_birth", "worker.nationality", "employer.name",
                 "employer.address"), "R86 Model Agreement Art 22(a) (identity of the parties)"),
    ("work", ("work.title", "work.description", "work.sector"), "R86 Art 22(b) (nature of the work)"),
    ("place", ("work.worksite", "work.address", "work.country"), "R86 Art 22(b) (place of work)"),
    ("occupation", ("work.isco_code", "work.occupation"), "R86 Art 22(c) (occupation)"),
    ("pay", ("pay.amount", "pay.currency", "pay.unit", "pay.hours_per_week"), "R86 Art 22(d) (pay for normal hours)"),
    ("overtime", ("pay.overtime_rate_percent",), "R86 Art 22(d) (overtime)"),
    ("night_and_holidays", ("pay.night_rate_percent", "pay.holiday_pay"), "R86 Art 22(d) (night work, holidays)"),
    ("payment", ("pay.payment_method", "pay.pay_period"), "R86 Art 22(d) (how pay is paid)"),
    ("allowances", ("allowances",), "R86 Art 22(e) (bonuses and allowances)"),
    ("deductions", ("deductions.items", "deductions.limits"), "R86 Art 22(f) (deductions and their limits); C95 Art 8"),
    ("food", ("food",), "R86 Art 22(g) (food, if provided)"),
    ("housing", ("housing.provided",), "GB.346 para 33 (housing)"),
    ("duration", ("duration.start", "duration.end"), "R86 Art 22(h) (duration)"),
    ("renewal_and_notice", ("duration.renewal", "duration.notice_days"), "R86 Art 22(h) (renewal, notice)"),
    ("entry_and_stay", ("entry_and_stay",), "R86 Art 22(i) (conditions of entry and stay)"),
    ("travel", ("travel.outbound_worker_percent", "travel.return_worker_percent"),
     "R86 Art 22(j) (travel and the return journey); fair recruitment principle 7"),
    ("termination", ("termination",), "R86 Art 22(k) (grounds for termination)"),
    ("equal_treatment", ("equal_treatment",), "C97 Art 6"),
    ("no_fees", ("no_fees",), "Fair recruitment principle 7; C181 Art 7"),
    ("employer_change", ("employer_change.policy", "employer_change.grace_period_days"),
     "Fair recruitment principle 12; GB.346 para 29-31"),
    ("complaints", ("complaints",), "Fair recruitment principle 13; Madrid para 37"),
)
ITEM_KEYS = tuple(key for key, _, _ in ITEMS)


def _get(content: Mapping, path: str) -> Any:
    value: Any = content
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return False


def missing(content: Mapping) -> list[tuple[str, str]]:
    """The items `content` lacks, as (item key, content path) pairs; an empty list: complete."""
    out = []
    for key, paths, _source in ITEMS:
        for path in paths:
            if _empty(_get(content, path)):
                out.append((key, path))
    return out


def canonical(content: Mapping) -> str:
    """The text that is hashed: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(content: Mapping) -> str:
    return hashlib.sha256(canonical(content).encode("utf-8")).hexdigest()


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flat(v, f"{prefix}{k}."))
        return out
    return {prefix[:-1]: value}


def item_of(path: str) -> str:
    """The item a content path belongs to (the first item listing it or a path below it)."""
    for key, paths, _source in ITEMS:
        for p in paths:
            if path == p or path.startswith(p + ".") or p.startswith(path + "."):
                return key
    # A path no item lists (housing.charge_amount, worker.document...) belongs to the item of its siblings.
    parent = path.rpartition(".")[0]
    for key, paths, _source in ITEMS:
        if parent and any(p.rpartition(".")[0] == parent for p in paths):
            return key
    return "other"


def changes(before: Mapping, after: Mapping) -> list[dict]:
    """What an amendment changes: one entry per changed item, with the changed paths and their old and new values."""
    old, new = _flat(before), _flat(after)
    by_item: dict[str, list[dict]] = {}
    for path in sorted(set(old) | set(new)):
        if path in ("schema", "version") or old.get(path) == new.get(path):
            continue
        by_item.setdefault(item_of(path), []).append({"path": path, "before": old.get(path), "after": new.get(path)})
    order = {key: i for i, key in enumerate(ITEM_KEYS)}
    return [{"item": item, "fields": fields} for item, fields in sorted(by_item.items(), key=lambda kv: order.get(kv[0], 99))]


def build(*, worker: Mapping, employer: Mapping, job: Mapping, rules: Mapping, template: Mapping,
          programme: Mapping) -> dict:
    """The contract content from its sources. Each argument is a plain mapping prepared by the services; nothing
    is invented here: a source that lacks a fact leaves the item empty, and `missing` reports it."""
    deductions = rules.get("deductions") or {}
    change = rules.get("employer_change") or {}
    housing = job.get("housing")
    return {
        "schema": SCHEMA,
        "programme": {"code": programme.get("code"), "name": programme.get("name"),
                      "destination_country": programme.get("destination_country")},
        "job_order": job.get("reference"),
        "worker": {k: worker.get(k) for k in ("name", "public_id", "date_of_birth", "nationality", "document")},
        "employer": {k: employer.get(k) for k in ("name", "business_id", "address", "contact")},
        "work": {
            "title": job.get("title"), "description": job.get("description"), "sector": job.get("sector"),
            "worksite": job.get("worksite"), "address": job.get("address"), "region": job.get("region"),
            "country": job.get("country"), "isco_code": job.get("isco_code"), "occupation": job.get("occupation"),
        },
        "pay": {
            "amount": job.get("wage_amount"), "currency": job.get("wage_currency"), "unit": job.get("wage_unit"),
            "hours_per_week": job.get("hours_per_week"), "overtime_rate_percent": job.get("overtime_rate_percent"),
            "night_rate_percent": template.get("night_rate_percent"), "holiday_pay": template.get("holiday_pay"),
            "payment_method": template.get("payment_method"), "pay_period": template.get("pay_period"),
        },
        "allowances": template.get("allowances"),
        "deductions": {
            "items": list(job.get("deductions") or []),
            "limits": {
                "allowed_types": list(deductions.get("allowed_types") or []),
                "caps_percent": dict(deductions.get("caps_percent") or {}),
                "total_cap_percent": deductions.get("total_cap_percent"),
                "net_pay_floor_percent": deductions.get("net_pay_floor_percent"),
            },
        },
        "food": template.get("food"),
        "housing": {
            "provided": "yes" if housing else "no",
            "address": (housing or {}).get("address"),
            "charge_amount": (housing or {}).get("charge_amount"),
            "charge_currency": (housing or {}).get("charge_currency"),
            "free_choice": True,
        },
        "duration": {"start": job.get("start_date"), "end": job.get("end_date"), "renewal": template.get("renewal"),
                     "notice_days": template.get("notice_days")},
        "entry_and_stay": template.get("entry_and_stay"),
        "travel": {"outbound_worker_percent": job.get("outbound_travel_worker_percent"),
                   "return_worker_percent": job.get("return_travel_worker_percent")},
        "termination": template.get("termination"),
        "equal_treatment": True,
        "no_fees": True,
        "employer_change": {"policy": change.get("policy", "free"), "max_changes": change.get("max_changes"),
                            "grace_period_days": change.get("grace_period_days")},
        "complaints": template.get("complaints"),
    }
