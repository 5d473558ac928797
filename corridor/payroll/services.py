"""Writes of the payroll app: payslips checked on arrival, and the worker's disputes (docs/payroll.md)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction

from corridor.contracts.models import Contract
from corridor.contracts.services import in_force, is_employer_of, is_worker
from corridor.core import audit
from corridor.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from corridor.core.inputs import date_field
from corridor.deployment import journey as path
from corridor.deployment.models import Journey
from corridor.payroll import checks, notices
from corridor.payroll.models import DisputeStatus, Payslip, PayslipDispute
from corridor.programmes.rulebook import RuleSet
from corridor.programmes.selectors import rule_version_in_force
from corridor.wages.floor import FloorError

EMPLOYED = (path.EMPLOYED, path.CHANGING_EMPLOYER)
MAX_HOURS = Decimal("2000")
MAX_MONEY = Decimal("10000000")


def floor_facts(order) -> tuple:
    """What the programme's wage floor for a job order depends on, besides the day (a cache key for pay runs)."""
    return (order.programme_id, order.worksite.country, order.worksite.region, order.isco_code, order.sector)


def floor_result(programme, facts: tuple, day: datetime.date) -> tuple[Decimal, str] | None:
    """The programme's wage floor per hour and its currency for an occupation and place (`floor_facts`) on `day`,
    when one can be computed."""
    from corridor.wages.selectors import wage_floor_for

    _programme_id, country, region, isco_code, sector = facts
    try:
        result = wage_floor_for(programme=programme, country=country, region=region, isco_code=isco_code, sector=sector,
                                on_date=day, unit="hour")
    except (DomainError, FloorError):
        return None
    return result.floor_amount, result.currency


def _floor_hourly(contract: Contract, day: datetime.date) -> Decimal | None:
    """The programme's wage floor per hour for the contract's occupation and place, when one can be computed in the
    contract's currency."""
    order = contract.placement.job_order
    found = floor_result(order.programme, floor_facts(order), day)
    return found[0] if found is not None and found[1] == contract.content["pay"]["currency"] else None


def terms_from(pay: dict, rules: RuleSet | None, floor: Decimal | None) -> checks.Terms:
    """The checks' terms from the locked contract's pay, the rules of the version in force and the wage floor."""
    deductions = rules.deductions if rules else None
    return checks.Terms(
        currency=pay["currency"], unit=pay["unit"], amount=Decimal(str(pay["amount"])),
        hours_per_week=Decimal(str(pay["hours_per_week"])), overtime_percent=Decimal(str(pay["overtime_rate_percent"])),
        night_percent=Decimal(str(pay.get("night_rate_percent") or 100)),
        floor_hourly=floor,
        allowed_types=tuple(deductions.allowed_types) if deductions else ("tax", "social_security"),
        caps_percent={k: Decimal(str(v)) for k, v in (deductions.caps_percent if deductions else {}).items()},
        total_cap_percent=Decimal(str(deductions.total_cap_percent)) if deductions and deductions.total_cap_percent is not None else None,
        net_floor_percent=Decimal(str(deductions.net_pay_floor_percent)) if deductions and deductions.net_pay_floor_percent is not None else None,
    )


def terms_of(contract: Contract, day: datetime.date) -> checks.Terms:
    """The checks' terms from the locked contract and the rule version in force on `day`."""
    version = rule_version_in_force(programme=contract.placement.job_order.programme, day=day)
    rules = RuleSet.model_validate(version.rules) if version else None
    return terms_from(contract.content["pay"], rules, _floor_hourly(contract, day))


def _number(data: dict, name: str, errors: list, *, required: bool = True, limit: Decimal = MAX_MONEY) -> Decimal | None:
    raw = data.get(name)
    if raw is None or str(raw).strip() == "":
        if required:
            errors.append({"field": name, "message": "This is required."})
        return None
    try:
        value = checks.parse_amount(raw, name)
    except ValueError:
        errors.append({"field": name, "message": "Give a number."})
        return None
    if value < 0:
        errors.append({"field": name, "message": "Cannot be negative."})
        return None
    if value > limit:
        errors.append({"field": name, "message": f"At most {limit}."})
        return None
    return value.quantize(Decimal("0.01"))


def _clean(data: dict) -> tuple[checks.Payslip, dict]:
    errors: list = []
    start = date_field(data, "period_start", errors)
    end = date_field(data, "period_end", errors)
    paid = date_field(data, "pay_date", errors)
    currency = str(data.get("currency") or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        errors.append({"field": "currency", "message": "Give an ISO 4217 currency code."})
    gross = _number(data, "gross", errors)
    net = _number(data, "net", errors)
    hours = {name: _number(data, name, errors, required=False, limit=MAX_HOURS) or Decimal(0)
             for name in ("ordinary_hours", "overtime_hours", "night_hours", "holiday_hours")}
    if gross is not None and net is not None and net > gross:
        errors.append({"field": "net", "message": "Net pay cannot be larger than gross pay."})
    method = str(data.get("payment_method") or "").strip()
    if not method or len(method) > 100:
        errors.append({"field": "payment_method", "message": "Say how the pay was paid (at most 100 characters)."})
    raw = data.get("deductions") or []
    if not isinstance(raw, list) or len(raw) > 50:
        errors.append({"field": "deductions", "message": "Give a list of at most 50 deductions."})
        raw = []
    items = []
    for i, d in enumerate(raw):
        if not isinstance(d, dict):
            errors.append({"field": f"deductions.{i}", "message": "Each deduction is an object {type, amount, evidence}."})
            continue
        kind = str(d.get("type") or "").strip()[:40]
        amount = _number(d, "amount", sub := [])
        errors.extend({"field": f"deductions.{i}.{e['field']}", "message": e["message"]} for e in sub)
        evidence = str(d.get("evidence") or "").strip()[:200]
        if not kind:
            errors.append({"field": f"deductions.{i}.type", "message": "Every deduction needs its type."})
        items.append({"type": kind, "amount": str(amount or 0), "evidence": evidence})
    stated = _number(data, "stated_rate", errors, required=False)
    unit = str(data.get("stated_unit") or "").strip()
    if unit and unit not in ("hour", "day", "week", "month", "piece"):
        errors.append({"field": "stated_unit", "message": "Use hour, day, week, month or piece."})
    if errors:
        raise InvalidInput(errors)
    slip = checks.Payslip(
        period_start=start, period_end=end, pay_date=paid, currency=currency, gross=gross, net=net,
        deductions=tuple(checks.Deduction(d["type"], Decimal(d["amount"]), bool(d["evidence"])) for d in items),
        stated_rate=stated, stated_unit=unit, **hours,
    )
    bad = checks.validate(slip)
    if bad:
        raise InvalidInput([{"field": f, "message": m} for f, m in bad])
    return slip, {"deductions": items, "payment_method": method, **hours}


@transaction.atomic
def payslip_submit(*, actor, journey: Journey, **data: Any) -> Payslip:
    """The employer submits a payslip of a worker it employs; the checks run at once and their findings are stored
    with the payslip, for the worker, the origin authority and the labour inspectorate to see."""
    journey = Journey.objects.select_for_update().select_related(
        "worker", "placement__job_order__programme", "placement__job_order__employer__organisation",
        "placement__job_order__worksite",
    ).get(pk=journey.pk)
    if not is_employer_of(actor, journey.placement.job_order):
        raise Forbidden("Only the worker's employer submits payslips.")
    if journey.state not in EMPLOYED:
        raise Conflict("This worker is not employed by your organisation now; no payslip can be submitted.",
                       field="journey")
    contract = in_force(journey.placement)
    if contract is None:
        raise Conflict("The worker has no accepted contract to check the payslip against.", field="journey")
    slip, extra = _clean(data)
    if Payslip.objects.filter(journey=journey, period_start=slip.period_start, period_end=slip.period_end).exists():
        raise Conflict("A payslip for this period is already submitted; correct it by a new period or a dispute.",
                       field="period_start")
    result = checks.check(slip, terms_of(contract, slip.period_end))
    payslip = Payslip.objects.create(
        journey=journey, contract=contract, period_start=slip.period_start, period_end=slip.period_end,
        pay_date=slip.pay_date, currency=slip.currency, gross=slip.gross, net=slip.net,
        ordinary_hours=extra["ordinary_hours"], overtime_hours=extra["overtime_hours"], night_hours=extra["night_hours"],
        holiday_hours=extra["holiday_hours"], deductions=extra["deductions"], payment_method=extra["payment_method"],
        stated_rate=slip.stated_rate, stated_unit=slip.stated_unit,
        findings=[{"code": f.code, "rule": f.rule, "message": f.message, "amounts": f.amounts,
                   "arrears": checks.money(f.arrears)} for f in result.findings],
        arrears=Decimal(checks.money(result.arrears)), due=Decimal(checks.money(result.due)), submitted_by=actor,
    )
    audit.record(actor=actor, action="payslip.submit", subject=payslip, after=audit.snapshot(payslip),
                 reason=f"{len(result.findings)} findings; arrears {checks.money(result.arrears)}",
                 programme_id=journey.placement.job_order.programme_id,
                 organisation_id=journey.placement.job_order.employer.organisation_id)
    if payslip.findings:
        order = journey.placement.job_order
        notices.send(flagged=[notices.Flagged(
            payslip_id=payslip.pk, journey_id=journey.pk, contract_id=contract.pk, worker_user_id=journey.worker.user_id,
            worker_ref=journey.worker.public_id, nationality=journey.worker.nationality, programme_id=order.programme_id,
            destination=order.programme.destination_country, period_start=slip.period_start.isoformat(),
            period_end=slip.period_end.isoformat(), currency=slip.currency, arrears=result.arrears,
            findings=payslip.findings,
        )], employer=order.employer.organisation.name, payslips=1)
    return payslip


@transaction.atomic
def dispute_raise(*, actor, payslip: Payslip, reason: Any) -> PayslipDispute:
    """The worker disputes a payslip, in their own words."""
    payslip = Payslip.objects.select_related("journey__worker", "journey__placement__job_order").get(pk=payslip.pk)
    if not is_worker(actor, payslip.journey.worker):
        raise Forbidden("Only the worker disputes their payslip.")
    text = str(reason or "").strip()
    if not text:
        raise InvalidInput("Say what is wrong.", field="reason")
    if len(text) > 4000:
        raise InvalidInput("At most 4000 characters.", field="reason")
    if payslip.disputes.filter(status=DisputeStatus.OPEN).exists():
        raise Conflict("A dispute about this payslip is already open.", field="payslip")
    dispute = PayslipDispute.objects.create(payslip=payslip, reason=text, raised_by=actor)
    audit.record(actor=actor, action="payslip.dispute", subject=dispute, after=audit.snapshot(dispute),
                 programme_id=payslip.journey.placement.job_order.programme_id)
    return dispute
