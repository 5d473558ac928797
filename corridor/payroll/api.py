"""Payslips through /api/v1/payslips (scopes `payroll:read`, `payroll:write`; docs/api.md).

Payslips are wage data: every route refuses immigration officers before any input is read. The employer submits the
payslip of a worker it employs and gets it back with the findings of the checks made against the locked contract and
the programme's rules; the worker, the origin authority of the worker's country, the destination ministry and the
labour inspectorate read them (the selectors decide); the worker disputes a payslip. The services answer 403, 404,
409 (the worker is not employed now, or the period is already submitted) or 422 naming the field.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from corridor.core.access import Category
from corridor.core.api_auth import ApiAccess
from corridor.core.errors import NotFound
from corridor.core.pagination import Pagination
from corridor.deployment import selectors as journey_selectors
from corridor.payroll import selectors, services
from corridor.payroll.models import Payslip

MAX_ID = 2**31 - 1
MAX_TEXT = 4000

router = Router(tags=["payslips"], auth=ApiAccess(category=Category.WAGE, scope="payroll"))

# Amounts and hours are taken as given (a string, a number or nothing): the service parses them and names the field.
Fact = str | int | float | None


# --- schemas -----------------------------------------------------------------------------------------------------


class DeductionIn(Schema):
    type: Fact = Field(None, description="A deduction type of the programme (tax, social_security, housing...) "
                                         "or any other word, which the checks then judge.")
    amount: Fact = None
    evidence: Fact = Field(None, description="A reference to the evidence (receipt, tax notice).")


class PayslipIn(Schema):
    journey: int = Field(..., ge=1, description="The journey of a worker the employer employs now.")
    period_start: Fact = Field(None, description="YYYY-MM-DD.")
    period_end: Fact = Field(None, description="YYYY-MM-DD.")
    pay_date: Fact = Field(None, description="YYYY-MM-DD.")
    currency: Fact = Field(None, description="ISO 4217.")
    gross: Fact = None
    net: Fact = None
    ordinary_hours: Fact = None
    overtime_hours: Fact = None
    night_hours: Fact = None
    holiday_hours: Fact = None
    deductions: list[DeductionIn] | None = Field(None, max_length=50)
    payment_method: Fact = None
    stated_rate: Fact = Field(None, description="The rate printed on the payslip, if any.")
    stated_unit: Fact = Field(None, description="hour, day, week, month or piece.")


class DisputeIn(Schema):
    reason: str = Field("", max_length=MAX_TEXT)


class DeductionOut(Schema):
    type: str
    amount: str
    evidence: str


class FindingOut(Schema):
    code: str
    rule: str
    message: str
    amounts: dict[str, Any]
    arrears: str


class DisputeOut(Schema):
    id: int
    payslip: int
    reason: str
    status: str
    raised_at: datetime.datetime

    @staticmethod
    def resolve_payslip(obj):
        return obj.payslip_id


class WorkerRef(Schema):
    public_id: str
    name: str


class PayslipOut(Schema):
    id: int
    journey: int
    contract: int
    worker: WorkerRef
    employer: str
    period_start: datetime.date
    period_end: datetime.date
    pay_date: datetime.date
    currency: str
    gross: Decimal
    net: Decimal
    ordinary_hours: Decimal
    overtime_hours: Decimal
    night_hours: Decimal
    holiday_hours: Decimal
    deductions: list[DeductionOut]
    payment_method: str
    stated_rate: Decimal | None
    stated_unit: str
    findings: list[FindingOut] = Field(..., description="The checks' findings; empty when the payslip is lawful.")
    arrears: Decimal = Field(..., description="What the worker is owed on this payslip.")
    due: Decimal = Field(..., description="The gross pay due under the contract and the programme's floor.")
    submitted_at: datetime.datetime

    @staticmethod
    def resolve_journey(obj):
        return obj.journey_id

    @staticmethod
    def resolve_contract(obj):
        return obj.contract_id

    @staticmethod
    def resolve_worker(obj):
        w = obj.journey.worker
        return {"public_id": w.public_id, "name": f"{w.given_names} {w.family_names}"}

    @staticmethod
    def resolve_employer(obj):
        return obj.journey.placement.job_order.employer.organisation.name


class PayslipDetailOut(PayslipOut):
    disputes: list[DisputeOut]

    @staticmethod
    def resolve_disputes(obj):
        return obj.dispute_list


# --- helpers -----------------------------------------------------------------------------------------------------


def _payslip(request, payslip_id: int) -> Payslip:
    if payslip_id > MAX_ID:
        raise NotFound(_("No such payslip, or not one you may see."), field="payslip")
    return selectors.payslip_get(user=request.user, pk=payslip_id)


def _detail(request, payslip: Payslip) -> Payslip:
    payslip = selectors.payslip_get(user=request.user, pk=payslip.pk)
    payslip.dispute_list = list(selectors.disputes(user=request.user, payslip=payslip))
    return payslip


# --- routes ------------------------------------------------------------------------------------------------------


@router.post("", response={201: PayslipDetailOut},
             summary="Submit a payslip (the employer); answers it with the findings of the checks")
def payslip_submit(request, payload: PayslipIn):
    if payload.journey > MAX_ID:
        raise NotFound(_("No such journey, or not one you may see."), field="journey")
    journey = journey_selectors.journey_get(user=request.user, pk=payload.journey)
    data = payload.dict(exclude={"journey"})
    data["deductions"] = data.get("deductions") or []
    payslip = services.payslip_submit(actor=request.user, journey=journey, **data)
    return Status(201, _detail(request, payslip))


@router.get("", response=list[PayslipOut], summary="Payslips you may see, newest period first")
@paginate(Pagination)
def payslip_list(
    request,
    journey: int | None = Query(None, ge=1, le=MAX_ID, description="Only this journey's payslips."),
    with_findings: bool = Query(False, description="Only payslips the checks found something on."),
):
    journey_obj = journey_selectors.journey_get(user=request.user, pk=journey) if journey is not None else None
    return selectors.payslip_list(user=request.user, journey=journey_obj, with_findings=with_findings).select_related(
        "journey__placement__job_order__employer__organisation")


@router.get("/{int:payslip_id}", response=PayslipDetailOut, summary="One payslip, its findings and its disputes")
def payslip_get(request, payslip_id: int):
    return _detail(request, _payslip(request, payslip_id))


@router.post("/{int:payslip_id}/disputes", response={201: DisputeOut}, summary="Dispute a payslip (the worker)")
def dispute_raise(request, payslip_id: int, payload: DisputeIn):
    dispute = services.dispute_raise(actor=request.user, payslip=_payslip(request, payslip_id), reason=payload.reason)
    return Status(201, dispute)
