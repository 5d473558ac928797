"""The recruitment-cost ledger through /api/v1/recruitment-costs (scopes `costs:read`, `costs:write`).

Recruitment-cost and earnings data are behind the immigration firewall: ApiAccess refuses holders of the immigration
role before any input is read. Amounts, currencies and dates are passed as text to the services, which name every
field at fault at once. A receipt travels inside the JSON body as base64 (PDF, JPEG or PNG, checked by its first
bytes); it is served back only through `/{id}/receipt` to those who may see the entry.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from corridor.core.access import Category
from corridor.core.api_auth import ApiAccess
from corridor.core.errors import InvalidInput, NotFound
from corridor.core.pagination import Pagination
from corridor.programmes.selectors import programme_get
from corridor.recruitment import ledger, ledger_selectors
from corridor.recruitment.models import CostEntry, RefundOrder

MAX_ID = 2**31 - 1
# Base64 grows a file by a third; the request body limit (DATA_UPLOAD_MAX_MEMORY_SIZE) bounds it as well.
MAX_RECEIPT_CHARS = 14 * 1024 * 1024

router = Router(tags=["recruitment costs"], auth=ApiAccess(category=Category.RECRUITMENT_COST, scope="costs"))


# --- schemas -----------------------------------------------------------------------------------------------------


class ReceiptIn(Schema):
    filename: str = Field("", max_length=200)
    content_base64: str = Field(..., max_length=MAX_RECEIPT_CHARS, description="The file, base64-encoded.")


class CostIn(Schema):
    worker: str = Field("", max_length=12, description="The worker's identifier; your own record if you are the worker.")
    programme: str = Field("", max_length=30, description="Programme code, e.g. CA-SAG; empty if none.")
    category: str = Field("", max_length=20, description="recruitment_fee, medical, insurance, tests, training, equipment, travel, administrative or illegitimate.")
    payer: str = Field("", max_length=10, description="worker, family, employer or agency.")
    amount: str | None = Field(None, max_length=40)
    currency: str = Field("", max_length=10, description="ISO 4217 code.")
    paid_on: str = Field("", max_length=10, description="YYYY-MM-DD.")
    agency: int | None = Field(None, ge=1, le=MAX_ID, description="The agency involved (organisation id).")
    employer: int | None = Field(None, ge=1, le=MAX_ID, description="The employer involved (employer profile id).")
    paid_to: str = Field("", max_length=200)
    note: str = Field("", max_length=5000)
    receipt: ReceiptIn | None = None


class DebtorIn(Schema):
    agency: int | None = Field(None, ge=1, le=MAX_ID)
    employer: int | None = Field(None, ge=1, le=MAX_ID)


class PaidIn(Schema):
    paid_on: str = Field("", max_length=10, description="YYYY-MM-DD.")
    evidence: str = Field("", max_length=2000, description="How the refund was paid (transfer reference, witness).")


class DrawIn(Schema):
    exchange_rate: str | None = Field(None, max_length=40, description="Deposit currency per refund currency, if they differ.")


class EarningsIn(Schema):
    worker: str = Field("", max_length=12)
    programme: str = Field(..., min_length=1, max_length=30)
    amount: str | None = Field(None, max_length=40)
    currency: str = Field("", max_length=10)
    month: str = Field("", max_length=10, description="YYYY-MM-DD (any day of the month).")
    rates: dict[str, str] | None = Field(None, description="{currency: value of one unit in the earnings currency}.")


class PartyOut(Schema):
    id: int
    name: str


class RefundOut(Schema):
    id: int
    cost_id: int
    amount: Decimal
    amount_recovered: Decimal
    currency: str
    due_on: datetime.date
    status: str
    debtor_agency: PartyOut | None
    debtor_employer: PartyOut | None
    settled_on: datetime.date | None
    note: str
    overdue: bool

    @staticmethod
    def resolve_debtor_agency(obj):
        return {"id": obj.debtor_agency_id, "name": obj.debtor_agency.name} if obj.debtor_agency_id else None

    @staticmethod
    def resolve_debtor_employer(obj):
        e = obj.debtor_employer
        return {"id": e.pk, "name": e.organisation.name} if e else None

    @staticmethod
    def resolve_overdue(obj):
        from django.utils import timezone

        return obj.status == "open" and obj.due_on < timezone.localdate()


class CostOut(Schema):
    id: int
    worker: str
    programme: str | None
    category: str
    payer: str
    amount: Decimal
    currency: str
    paid_on: datetime.date
    agency: PartyOut | None
    employer: PartyOut | None
    paid_to: str
    source: str
    note: str
    violation: bool
    amount_in_violation: Decimal
    finding: str
    rule_version: int | None
    has_receipt: bool
    refund: RefundOut | None
    actions: list[str]
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_worker(obj):
        return obj.worker.public_id

    @staticmethod
    def resolve_programme(obj):
        return obj.programme.code if obj.programme_id else None

    @staticmethod
    def resolve_agency(obj):
        return {"id": obj.agency_id, "name": obj.agency.name} if obj.agency_id else None

    @staticmethod
    def resolve_employer(obj):
        return {"id": obj.employer_id, "name": obj.employer.organisation.name} if obj.employer_id else None

    @staticmethod
    def resolve_rule_version(obj):
        return obj.rule_version.number if obj.rule_version_id else None

    @staticmethod
    def resolve_has_receipt(obj):
        return bool(obj.receipt)

    @staticmethod
    def resolve_refund(obj):
        return ledger_selectors.refund_of(obj)

    @staticmethod
    def resolve_actions(obj, context):
        return sorted(ledger_selectors.entry_actions(user=context["request"].user, entry=obj))


class MoneyOut(Schema):
    currency: str
    amount: Decimal


class AgencyLineOut(Schema):
    agency_id: int | None
    agency: str
    entries: int
    violations: int
    worker_borne: int
    in_violation: list[MoneyOut]
    open_refunds: int
    overdue_refunds: int


class EarningsOut(Schema):
    id: int
    worker: str
    programme: str
    month: datetime.date
    amount: Decimal
    currency: str
    rates: dict[str, str]

    @staticmethod
    def resolve_worker(obj):
        return obj.worker.public_id

    @staticmethod
    def resolve_programme(obj):
        return obj.programme.code


class GroupOut(Schema):
    sex: str
    workers: int | None
    mean: Decimal | None
    median: Decimal | None
    suppressed: bool


class SdgRowOut(Schema):
    worker: str
    sex: str
    costs: list[MoneyOut]
    cost_in_earnings_currency: Decimal | None
    earnings: Decimal
    currency: str
    month: datetime.date
    ratio: Decimal | None
    excluded_reason: str


class SdgOut(Schema):
    programme: str
    year: int
    workers: int | None = Field(..., description="Workers in the indicator (costs and earnings known, comparable).")
    workers_with_earnings: int | None
    workers_without_earnings_yet: int
    excluded_no_rate: int | None
    mean: Decimal | None = Field(..., description="Mean of the per-worker ratios cost / monthly earnings (months of earnings).")
    median: Decimal | None
    suppressed: bool
    share_paid_anything_percent: Decimal | None
    by_sex: list[GroupOut]
    min_cell: int
    rows: list[SdgRowOut] | None = Field(..., description="Per worker, only for the programme's authorities.")


# --- helpers -----------------------------------------------------------------------------------------------------


def _programme(request, code: str):
    code = (code or "").strip().upper()
    if not code:
        return None
    try:
        return programme_get(user=request.user, code=code[:30])
    except NotFound:
        raise InvalidInput(f"No programme {code[:30]!r}.", field="programme") from None


def _worker(request, public_id: str):
    if not public_id:
        worker = ledger_selectors.own_worker(request.user)
        if worker is None:
            raise InvalidInput("Give the worker's identifier.", field="worker")
        return worker
    return ledger_selectors.worker_for_cost(user=request.user, public_id=public_id)


def _receipt(receipt: ReceiptIn | None):
    if receipt is None:
        return None
    try:
        content = base64.b64decode(receipt.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("The receipt is not valid base64.", field="receipt") from None
    return ContentFile(content, name=receipt.filename or "receipt")


def _entry(request, entry_id: int) -> CostEntry:
    return ledger_selectors.cost_get(user=request.user, pk=entry_id)


def _order(request, order_id: int) -> RefundOrder:
    return ledger_selectors.refund_get(user=request.user, pk=order_id)


# --- entries -----------------------------------------------------------------------------------------------------


@router.get("", response=list[CostOut], summary="Cost entries you may see")
@paginate(Pagination)
def cost_list(
    request,
    programme: str = Query("", max_length=30),
    agency: int | None = Query(None, ge=1, le=MAX_ID),
    violation: bool | None = Query(None),
    source: str = Query("", max_length=10),
    payer: str = Query("", max_length=10),
    category: str = Query("", max_length=20),
    worker: str = Query("", max_length=12),
    nationality: str = Query("", max_length=2),
    refund: str = Query("", max_length=10, description="open, paid, drawn, cancelled, or none (nobody named yet)."),
):
    return ledger_selectors.cost_list(
        user=request.user, programme=programme, agency=agency, violation=violation, source=source, payer=payer,
        category=category, worker=worker, nationality=nationality, refund=refund,
    )


@router.post("", response={201: CostOut}, summary="Record a cost (worker, agency, inspector or employer)")
def cost_create(request, payload: CostIn):
    worker = _worker(request, payload.worker)
    programme = _programme(request, payload.programme)
    data = payload.dict(exclude={"worker", "programme", "receipt"})
    entry = ledger.cost_record(actor=request.user, worker=worker, programme=programme, receipt=_receipt(payload.receipt), **data)
    return Status(201, _entry(request, entry.pk))


@router.get("/mine", response=list[CostOut], summary="What I paid (the signed-in worker)")
@paginate(Pagination)
def cost_mine(request):
    return ledger_selectors.my_costs(user=request.user)


@router.get("/by-agency", response=list[AgencyLineOut], summary="Entries, violations and refunds per agency")
def by_agency(request, programme: str = Query("", max_length=30)):
    return ledger_selectors.agency_summary(user=request.user, programme=programme)


@router.get("/refunds", response=list[RefundOut], summary="Refund orders you may see")
@paginate(Pagination)
def refund_list(
    request,
    status: str = Query("", max_length=10),
    overdue: bool = Query(False, description="Only open orders past their due date."),
    agency: int | None = Query(None, ge=1, le=MAX_ID),
    programme: str = Query("", max_length=30),
):
    return ledger_selectors.refund_list(user=request.user, status=status, overdue=overdue, agency=agency, programme=programme)


@router.get("/refunds/{int:order_id}", response=RefundOut, summary="One refund order")
def refund_detail(request, order_id: int):
    return _order(request, order_id)


@router.post("/refunds/{int:order_id}/paid", response=RefundOut, summary="Record that the refund was paid")
def refund_paid(request, order_id: int, payload: PaidIn):
    return ledger.refund_mark_paid(actor=request.user, order=_order(request, order_id), paid_on=payload.paid_on, evidence=payload.evidence)


@router.post("/refunds/{int:order_id}/draw", response=RefundOut, summary="Draw an overdue refund from the agency's deposit")
def refund_draw(request, order_id: int, payload: DrawIn):
    order = ledger.refund_draw_from_deposit(actor=request.user, order=_order(request, order_id), exchange_rate=payload.exchange_rate)
    return _order(request, order.pk)


@router.post("/earnings", response={201: EarningsOut}, summary="Record first monthly earnings at destination (SDG 10.7.1)")
def earnings_record(request, payload: EarningsIn):
    worker = _worker(request, payload.worker)
    programme = _programme(request, payload.programme)
    if programme is None:
        raise InvalidInput("Name the programme.", field="programme")
    record = ledger.earnings_record(
        actor=request.user, worker=worker, programme=programme, amount=payload.amount, currency=payload.currency,
        month=payload.month, rates=payload.rates,
    )
    return Status(201, record)


@router.get("/sdg-10-7-1", response=SdgOut, summary="SDG indicator 10.7.1 for a programme and year")
def sdg_1071(request, programme: str = Query(..., min_length=1, max_length=30), year: int = Query(..., ge=1950, le=2200)):
    found = _programme(request, programme)
    return ledger_selectors.sdg_1071(user=request.user, programme=found, year=year)


@router.get("/{int:entry_id}", response=CostOut, summary="One cost entry with its finding and refund order")
def cost_detail(request, entry_id: int):
    return _entry(request, entry_id)


@router.get("/{int:entry_id}/receipt", summary="The entry's receipt (PDF, JPEG or PNG)")
def cost_receipt(request, entry_id: int):
    return ledger_selectors.receipt_response(user=request.user, pk=entry_id)


@router.post("/{int:entry_id}/debtor", response=CostOut, summary="Name the agency or employer that was paid")
def cost_debtor(request, entry_id: int, payload: DebtorIn):
    entry = ledger.cost_name_debtor(actor=request.user, entry=_entry(request, entry_id), agency=payload.agency, employer=payload.employer)
    return _entry(request, entry.pk)
