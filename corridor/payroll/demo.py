"""Demo payslips of the Canadian seasonal programme, submitted through the services by the employers of the journeys
of corridor/deployment/demo.py:

- sel_mx_06, employed at Fraser Valley Berry Farms (employer user employer_bc) since 39 days ago: a short first pay
  period from his arrival and a full fortnight, both lawful; then a fortnight from which a 250.00 "recruitment fee"
  was deducted for the agency in Mexico. The checks catch it (the programme allows no such deduction; the worker is
  owed it back) and the worker disputes that payslip;
- sel_mx_08, the past season (he has returned): every fortnight paid at the lower wage the employer declared at
  destination (16.75 an hour instead of the contract's 18.25), so each payslip is underpaid and shows the arrears.
  Payslips are only taken while the worker is employed, so these are submitted during his season:
  corridor/deployment/demo.py calls `past_season` between his arrival and his return, with the clock of each pay day.

Running it twice changes nothing: `build` does nothing once sel_mx_06 has payslips.
"""

from __future__ import annotations

import contextlib
import datetime
from decimal import ROUND_HALF_UP, Decimal
from unittest import mock

from django.db import transaction
from django.utils import timezone

from corridor.accounts.models import User
from corridor.contracts.services import in_force, is_employer_of
from corridor.deployment.models import DeclaredTerms, Journey
from corridor.payroll import services
from corridor.payroll.models import Payslip
from corridor.programmes.models import Programme

CENT = Decimal("0.01")
METHOD = "Direct deposit to the worker's Canadian bank account"


@contextlib.contextmanager
def _clock(days_ago: int):
    """The services' clock set `days_ago` days back."""
    at = timezone.now() - datetime.timedelta(days=days_ago)
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def _day(days_from_today: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days_from_today)


def _share(amount: Decimal, percent: str) -> Decimal:
    return (amount * Decimal(percent) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def _submit(journey: Journey, employer: User, *, start: int, end: int, paid: int, hours: str, rate: Decimal,
            extra: tuple = ()) -> Payslip:
    """One payslip for days `start`..`end` (days from today), paid on day `paid` and submitted that day: the hours at
    `rate`, income tax and CPP/EI withheld, and any `extra` deductions (type, amount, evidence)."""
    gross = (Decimal(hours) * rate).quantize(CENT)
    deductions = [("tax", _share(gross, "10"), "Income tax withheld, CRA remittance"),
                  ("social_security", _share(gross, "7.2"), "CPP and EI contributions, CRA remittance"),
                  *extra]
    net = gross - sum(amount for _, amount, _ in deductions)
    dates = {"period_start": _day(start).isoformat(), "period_end": _day(end).isoformat(),
             "pay_date": _day(paid).isoformat()}  # from today, before the clock is set back
    with _clock(-paid):
        return services.payslip_submit(
            actor=employer, journey=journey, **dates, currency="CAD", gross=str(gross), net=str(net), ordinary_hours=hours,
            deductions=[{"type": t, "amount": str(a), "evidence": e} for t, a, e in deductions],
            payment_method=METHOD, stated_rate=str(rate), stated_unit="hour",
        )


def past_season(journey: Journey, employer: User) -> None:
    """sel_mx_08's fortnights, paid at the wage the employer declared at destination (16.75 an hour against the
    contract's 18.25): called by the deployment demo
    while he is employed (arrived 99 days ago, back 7 days ago)."""
    declaration = DeclaredTerms.objects.filter(journey=journey).order_by("-pk").first()
    wage = (declaration.facts or {}).get("wage_amount") if declaration else None
    if journey.payslips.exists() or in_force(journey.placement) is None or not wage:
        return
    declared = Decimal(str(wage))
    for first in (-98, -84, -70, -56, -42, -28):
        _submit(journey, employer, start=first, end=first + 13, paid=first + 17, hours="80", rate=declared)


def _this_season(journey: Journey, employer: User) -> None:
    rate = Decimal(str(in_force(journey.placement).content["pay"]["amount"]))
    arrived = (journey.arrived_on - timezone.localdate()).days
    _submit(journey, employer, start=arrived, end=-29, paid=-25, hours="72", rate=rate)
    _submit(journey, employer, start=-28, end=-15, paid=-11, hours="80", rate=rate)
    slip = _submit(journey, employer, start=-14, end=-1, paid=0, hours="80", rate=rate, extra=(
        ("recruitment_fee", Decimal("250.00"), "Placement fee of the recruitment agency in Mexico, second instalment"),))
    worker = journey.worker.user
    if worker is not None:
        services.dispute_raise(actor=worker, payslip=slip, reason=(
            "250 dollars were taken from my pay for the agency in Mexico. I was told at the labour office that "
            "workers pay nothing for their recruitment. I want it back."))


@transaction.atomic
def build(orgs: dict, users: dict) -> None:
    sag = Programme.objects.filter(code="CA-SAG").first()
    if sag is None:
        return
    journey = (Journey.objects.filter(placement__job_order__programme=sag, worker__user__username="sel_mx_06",
                                      state="employed", arrived_on__isnull=False)
               .select_related("worker__user", "placement__job_order__employer").first())
    employer = users.get("employer_bc") or User.objects.filter(username="employer_bc").first()
    if journey is None or employer is None or journey.payslips.exists() or in_force(journey.placement) is None \
            or not is_employer_of(employer, journey.placement.job_order):
        return
    if (timezone.localdate() - journey.arrived_on).days < 30:
        return
    _this_season(journey, employer)
