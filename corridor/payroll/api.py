"""Payslips through /api/v1/payslips (scopes `payroll:read`, `payroll:write`; docs/api.md).

Payslips are wage data: every route refuses immigration officers before any input is read. The employer submits the
payslip of a worker it employs and gets it back with the findings of the checks made against the locked contract and
the programme's rules; the worker, the origin authority of the worker's country, the destination ministry and the
labour inspectorate read them (the selectors decide); the worker disputes a payslip. The services answer 403, 404,
409 (the worker is not employed now, or the period is already submitted) or 422 naming the field.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from corridor.core import tabular
from corridor.core.access import Category
from corridor.core.api_auth import ApiAccess
from corridor.core.errors import DomainError, InvalidInput, NotFound
from corridor.core.pagination import Pagination
from corridor.deployment import selectors as journey_selectors
from corridor.payroll import imports, selectors, services
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


class PayslipImportOut(Schema):
    filename: str
    dry_run: bool
    committed: bool
    encoding: str
    rows: int
    valid: int
    saved: int
    with_findings: int
    findings: dict[str, int] = Field(..., description="Findings by code over the pay run.")
    arrears: dict[str, str] = Field(..., description="Arrears owed over the pay run, by currency.")
    digest: str = Field(..., description="SHA-256 of the payslips written (also in the pay run's audit event).")
    ok: bool
    columns: dict[str, str]
    header: list[str]
    errors: list[dict] = Field(..., description="{row, field, message}; the header is row 1.")
    preview: list[dict]


class FileTooLarge(DomainError):
    status = 413
    title = "Payload too large"


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


TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _dry_run(request: HttpRequest, default: bool) -> bool:
    raw = request.POST.get("dry_run") if request.POST else None
    raw = raw if raw is not None else request.GET.get("dry_run")
    if raw is None or raw.strip() == "":
        return default
    if raw.strip().lower() in TRUE:
        return True
    if raw.strip().lower() in FALSE:
        return False
    raise InvalidInput("Say true or false.", field="dry_run")


@router.post(
    "/import", response={200: PayslipImportOut, 201: PayslipImportOut},
    summary="Upload a pay run (CSV or XLSX): every payslip or none",
    description=(
        "The employer's pay run, one payslip a row (columns in docs/payroll.md: worker, period_start, period_end, "
        "pay_date, currency, gross, net, the hours, deductions as `type:amount:evidence;...`, payment_method, "
        "stated_rate, stated_unit). Send a multipart form with `file` (and optionally `mapping` and `dry_run`), or "
        "the CSV itself as the body (Content-Type text/csv) with `?dry_run=`. `dry_run` is true by default: the "
        "report (200) says what the checks find and nothing is saved; with false the payslips are saved (201), or "
        "none with 422 listing each error with its row and field. `?format=csv` answers the errors as CSV."
    ),
)
def payslip_import(request: HttpRequest, file: File[UploadedFile] = None,
                   format: str = Query("json", pattern="^(json|csv)$")):
    limit = tabular.MAX_BYTES
    if file is not None:
        if file.size is not None and file.size > limit:
            raise FileTooLarge(f"The file is larger than {limit / (1024 * 1024):g} MiB; split it.", field="file")
        data, filename = file.read(limit + 1), file.name or ""
    else:
        content_type = (request.content_type or "").lower()
        if content_type.startswith("multipart/") or content_type == "application/x-www-form-urlencoded":
            raise InvalidInput("Attach the pay run as `file`.", field="file")
        data, filename = request.body, "payslips.csv"
        if len(data) > limit:
            raise FileTooLarge(f"The body is larger than {limit / (1024 * 1024):g} MiB; split it.", field="file")
    dry_run = _dry_run(request, True)
    mapping = _mapping((request.POST.get("mapping") or "") if request.POST else "")
    try:
        report = imports.payslip_import(actor=request.user, data=data, filename=filename, mapping=mapping or None,
                                        dry_run=dry_run)
    except InvalidInput as exc:
        if format != "csv":
            raise
        return _csv(exc.as_errors(), 422)
    if format == "csv":
        return _csv(report.errors, 200 if dry_run else 201)
    return Status(200 if dry_run else 201, report.as_dict())


def _mapping(text: str) -> dict | str | None:
    """A JSON object {"our_field": "Their column"}, or lines "our_field = Their column"."""
    text = text.strip()
    if not text.startswith("{"):
        return text or None
    try:
        mapping = json.loads(text)
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise InvalidInput('Give the mapping as a JSON object of our field names to your column headers, e.g. '
                           '{"worker": "Employee ID"}.', field="mapping")
    return mapping


def _csv(errors: list[dict], status: int) -> HttpResponse:
    response = HttpResponse(tabular.write_report(errors), content_type="text/csv; charset=utf-8", status=status)
    response["Content-Disposition"] = 'attachment; filename="payslip-import-report.csv"'
    return response
