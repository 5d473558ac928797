"""Placements and contracts through /api/v1/contracts (scopes `contracts:read`, `contracts:write`), and the public
verification of codes at /api/v1/verify (docs/api.md).

Contract templates are programme data, read by every signed-in user and set by the programme administrator.
Placements are worker identity data; contracts hold pay terms (wage data), so immigration authorities are refused
them before any input is read. Who sees a placement or a contract is decided by the selectors (the worker, the
employer of the job order, the origin authority of the worker's country, the destination ministry); who may act by
the services, which answer 403, 404, 409 or 422 naming the field. The public verification shows non-personal facts
only, answers every unknown code with the same message and is rate-limited per client address.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from corridor.contracts import selectors, services, wording
from corridor.contracts.models import LOCKED, Contract, ContractStatus, Placement, PlacementStatus
from corridor.core.access import Category
from corridor.core.api_auth import ApiAccess
from corridor.core.errors import InvalidInput, NotFound, RateLimited
from corridor.core.pagination import Pagination
from corridor.programmes.selectors import programme_get
from corridor.selection import selectors as selection_selectors

MAX_ID = 2**31 - 1
MAX_TEXT = services.MAX_TEXT
VERIFY_RATE = "30/m"

router = Router(tags=["contracts"], auth=ApiAccess(category=Category.WORKER_IDENTITY, scope="contracts"))
TEMPLATES = ApiAccess(category=Category.PROGRAMME, scope="contracts")
# A contract holds the worker's pay terms: wage data, behind the firewall.
CONTRACTS = ApiAccess(category=Category.WAGE, scope="contracts")

verify_router = Router(
    tags=["verification"], auth=ApiAccess(category=Category.ORGANISATION, scope="contracts", anonymous_read=True)
)


# --- schemas: input ----------------------------------------------------------------------------------------------


class TemplateIn(Schema):
    night_rate_percent: str | int | float | None = Field(None, description="Night work rate, % of the ordinary rate (100 to 1000).")
    holiday_pay: str = Field("", max_length=MAX_TEXT, description="Public holidays and paid leave.")
    payment_method: str = Field("", max_length=300, description="How pay is paid, e.g. bank transfer.")
    pay_period: str = Field("", max_length=100, description="e.g. every two weeks.")
    allowances: str = Field("", max_length=MAX_TEXT, description="Bonuses and allowances.")
    food: str = Field("", max_length=MAX_TEXT)
    renewal: str = Field("", max_length=MAX_TEXT)
    notice_days: str | int | None = Field(None, description="Notice in days, 0 to 365.")
    entry_and_stay: str = Field("", max_length=MAX_TEXT, description="Conditions of entry and stay.")
    termination: str = Field("", max_length=MAX_TEXT, description="Grounds for termination.")
    complaints: str = Field("", max_length=MAX_TEXT, description="Where the worker complains.")
    destination_language: str = Field("", max_length=8, description="ISO 639 code of the destination's language.")


class ReasonIn(Schema):
    reason: str = Field("", max_length=MAX_TEXT)


class AnswerIn(Schema):
    accept: bool
    via: str = Field("api", max_length=10, description="web, api, sms or office.")
    note: str = Field("", max_length=MAX_TEXT)


class AmendIn(Schema):
    changes: dict[str, str | int | float | None] = Field(
        ..., max_length=len(services.AMENDABLE),
        description="Item paths and their new values, e.g. {\"pay.amount\": \"19.50\"}; amendable paths: "
                    + ", ".join(sorted(services.AMENDABLE)) + ".")
    reason: str = Field("", max_length=MAX_TEXT)


# --- schemas: output ---------------------------------------------------------------------------------------------


class TemplateOut(Schema):
    programme: str
    night_rate_percent: str
    holiday_pay: str
    payment_method: str
    pay_period: str
    allowances: str
    food: str
    renewal: str
    notice_days: int
    entry_and_stay: str
    termination: str
    complaints: str
    destination_language: str
    updated_at: datetime.datetime

    @staticmethod
    def resolve_programme(obj):
        return obj.programme.code

    @staticmethod
    def resolve_night_rate_percent(obj):
        return str(obj.night_rate_percent)


class WorkerRef(Schema):
    public_id: str
    name: str
    nationality: str
    language: str


class JobOrderRef(Schema):
    reference: str
    title: str
    employer: str
    start_date: datetime.date
    end_date: datetime.date


class PlacementOut(Schema):
    id: int
    programme: str
    status: str
    worker: WorkerRef
    job_order: JobOrderRef
    outcome: int | None
    worker_confirmed_at: datetime.datetime | None
    employer_confirmed_at: datetime.datetime | None
    reason: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_programme(obj):
        return obj.job_order.programme.code

    @staticmethod
    def resolve_worker(obj):
        w = obj.worker
        return {"public_id": w.public_id, "name": f"{w.given_names} {w.family_names}", "nationality": w.nationality,
                "language": w.language or ""}

    @staticmethod
    def resolve_job_order(obj):
        o = obj.job_order
        return {"reference": o.reference, "title": o.title, "employer": o.employer.organisation.name,
                "start_date": o.start_date, "end_date": o.end_date}

    @staticmethod
    def resolve_outcome(obj):
        return obj.outcome_id


class ContractOut(Schema):
    id: int
    placement: int
    version: int
    status: str
    content_hash: str = Field(..., description="SHA-256 of the content, set when the contract is approved and locked.")
    verification_code: str | None = Field(..., description="The code for the public verification, e.g. CT-7KQ2-M9XD.")
    worker_language: str
    destination_language: str
    reason: str = Field(..., description="Why an amendment was made.")
    supersedes: int | None = Field(..., description="The version this one replaced when the worker accepted it.")
    created_at: datetime.datetime
    signed_at: datetime.datetime | None
    locked_at: datetime.datetime | None = Field(..., description="Approved, locked and delivered to the worker.")
    answered_at: datetime.datetime | None
    answered_via: str
    revoked_reason: str

    @staticmethod
    def resolve_placement(obj):
        return obj.placement_id

    @staticmethod
    def resolve_supersedes(obj):
        return obj.supersedes_id


class ItemOut(Schema):
    key: str
    title: str
    text: str
    title_destination: str
    text_destination: str


class ChangeOut(Schema):
    key: str
    title: str
    before: str
    after: str
    title_destination: str
    before_destination: str
    after_destination: str


class ContractDetailOut(ContractOut):
    content: dict
    answer_note: str
    items: list[ItemOut] = Field(..., description="Every item in the worker's language beside the destination's.")
    changes: list[dict] = Field(..., description="For an amendment: the changed paths with old and new values.")
    amends: int | None = Field(..., description="For an amendment: the version it amends.")
    what_changes: list[ChangeOut] = Field(..., description="For an amendment: each changed item as it was and as it "
                                                           "would be, in the worker's language beside the destination's.")


class VerifyOut(Schema):
    kind: str = Field(..., description="contract, job_order or agency_licence.")
    code: str
    genuine: bool
    current: bool = Field(..., description="In force today (false: superseded, revoked, expired, closed...).")
    status: str
    programme: str | None = None
    programme_name: str | None = None
    employer: str | None = None
    occupation: str | None = None
    isco_code: str | None = None
    place: str | None = None
    start: str | None = None
    end: str | None = None
    wage: str | None = None
    hours_per_week: str | None = None
    version: int | None = None
    content_hash: str | None = None
    approved_on: str | None = None
    job_order: str | None = None
    positions: int | None = None
    agency: str | None = None
    issuing_country: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    suspended_until: str | None = None


# --- helpers -----------------------------------------------------------------------------------------------------


def _placement(request, placement_id: int) -> Placement:
    if placement_id > MAX_ID:
        raise NotFound(_("No such placement, or not one you may see."), field="placement")
    return selectors.placement_get(user=request.user, pk=placement_id)


def _contract(request, contract_id: int) -> Contract:
    if contract_id > MAX_ID:
        raise NotFound(_("No such contract, or not one you may see."), field="contract")
    return selectors.contract_get(user=request.user, pk=contract_id)


def _amended(request, contract: Contract) -> Contract | None:
    """The version an amendment amends: the one it replaced once accepted; before that, the latest version in force
    (accepted, or delivered) below it."""
    if not contract.changes:
        return None
    earlier = [c for c in selectors.contract_list(user=request.user, placement=contract.placement)
               if c.version < contract.version]
    if contract.supersedes_id is not None:
        return next((c for c in earlier if c.pk == contract.supersedes_id), None)
    for statuses in ([ContractStatus.ACCEPTED], [ContractStatus.ISSUED], LOCKED):
        found = next((c for c in earlier if c.status in statuses), None)
        if found is not None:
            return found
    return None


def _detail(request, contract: Contract) -> Contract:
    """The contract with its items side by side and, for an amendment, what it changes (for ContractDetailOut)."""
    content = contract.content
    worker_lang, dest_lang = contract.worker_language, contract.destination_language
    base = _amended(request, contract)
    what: list[dict] = []
    if base is not None:
        mine = wording.what_changes(contract.changes, base.content, content, worker_lang)
        theirs = wording.what_changes(contract.changes, base.content, content, dest_lang)
        what = [{**a, "title_destination": b["title"], "before_destination": b["before"], "after_destination": b["after"]}
                for a, b in zip(mine, theirs, strict=True)]
    contract.items = wording.side_by_side(content, worker_lang, dest_lang)
    contract.amends = base.version if base is not None else None
    contract.what_changes = what
    return contract


# --- templates ---------------------------------------------------------------------------------------------------


@router.put("/templates/{programme_code}", response=TemplateOut, auth=TEMPLATES,
            summary="Set the programme's contract template (programme administrator)")
def template_put(request, programme_code: str, payload: TemplateIn):
    programme = programme_get(user=request.user, code=programme_code[:30])
    return services.template_set(actor=request.user, programme=programme, **payload.dict())


@router.get("/templates/{programme_code}", response=TemplateOut, auth=TEMPLATES,
            summary="The programme's contract template")
def template_get(request, programme_code: str):
    programme = programme_get(user=request.user, code=programme_code[:30])
    template = selectors.template_of(programme=programme)
    if template is None:
        raise NotFound(_("Programme %(code)s has no contract template yet.") % {"code": programme.code}, field="template")
    return template


# --- placements --------------------------------------------------------------------------------------------------


@router.post("/runs/{int:run_id}/placements", response={201: list[PlacementOut]},
             summary="Make placements from a published selection run")
def placements_from_run(request, run_id: int):
    if run_id > MAX_ID:
        raise NotFound(_("No such selection run, or not one you may see."), field="run")
    run = selection_selectors.run_get(user=request.user, pk=run_id)
    made = services.placements_from_run(actor=request.user, run=run)
    return Status(201, list(selectors.placement_list(user=request.user).filter(pk__in=[p.pk for p in made])))


@router.get("/placements", response=list[PlacementOut], summary="Placements you may see")
@paginate(Pagination)
def placement_list(
    request,
    status: str = Query("", max_length=10, description="proposed, confirmed, declined or cancelled."),
    programme: str = Query("", max_length=30, description="Programme code."),
):
    if status and status not in PlacementStatus.values:
        raise InvalidInput(_("Unknown status; use one of %(list)s.") % {"list": ", ".join(PlacementStatus.values)},
                           field="status")
    return selectors.placement_list(user=request.user, status=status, programme=programme.upper())


@router.get("/placements/{int:placement_id}", response=PlacementOut, summary="One placement")
def placement_get(request, placement_id: int):
    return _placement(request, placement_id)


@router.post("/placements/{int:placement_id}/confirm", response=PlacementOut,
             summary="Confirm a placement (the worker, the employer)")
def placement_confirm(request, placement_id: int):
    placement = services.placement_confirm(actor=request.user, placement=_placement(request, placement_id))
    return selectors.placement_get(user=request.user, pk=placement.pk)


@router.post("/placements/{int:placement_id}/decline", response=PlacementOut,
             summary="Decline a proposed placement, with a reason")
def placement_decline(request, placement_id: int, payload: ReasonIn):
    placement = services.placement_decline(actor=request.user, placement=_placement(request, placement_id),
                                           reason=payload.reason)
    return selectors.placement_get(user=request.user, pk=placement.pk)


# --- contracts ---------------------------------------------------------------------------------------------------


@router.post("/placements/{int:placement_id}/contract", response={201: ContractDetailOut}, auth=CONTRACTS,
             summary="Generate the standard contract of a confirmed placement")
def contract_generate(request, placement_id: int):
    contract = services.contract_generate(actor=request.user, placement=_placement(request, placement_id))
    return Status(201, _detail(request, selectors.contract_get(user=request.user, pk=contract.pk)))


@router.get("/placements/{int:placement_id}/contracts", response=list[ContractOut], auth=CONTRACTS,
            summary="The placement's contract versions you may see, latest first")
def contract_list(request, placement_id: int):
    return list(selectors.contract_list(user=request.user, placement=_placement(request, placement_id)))


@router.get("/{int:contract_id}", response=ContractDetailOut, auth=CONTRACTS,
            summary="One contract version: content, items side by side, and what an amendment changes")
def contract_get(request, contract_id: int):
    return _detail(request, _contract(request, contract_id))


def _after(request, contract: Contract) -> Contract:
    return _detail(request, selectors.contract_get(user=request.user, pk=contract.pk))


@router.post("/{int:contract_id}/sign", response=ContractDetailOut, auth=CONTRACTS, summary="Sign (the employer)")
def contract_sign(request, contract_id: int):
    return _after(request, services.contract_sign(actor=request.user, contract=_contract(request, contract_id)))


@router.post("/{int:contract_id}/approve", response=ContractDetailOut, auth=CONTRACTS,
             summary="Approve, lock and deliver (the origin authority)")
def contract_approve(request, contract_id: int):
    return _after(request, services.contract_approve(actor=request.user, contract=_contract(request, contract_id)))


@router.post("/{int:contract_id}/answer", response=ContractDetailOut, auth=CONTRACTS,
             summary="Accept or not (the worker)")
def contract_answer(request, contract_id: int, payload: AnswerIn):
    contract = services.contract_answer(actor=request.user, contract=_contract(request, contract_id),
                                        accept=payload.accept, via=payload.via, note=payload.note)
    return _after(request, contract)


@router.post("/{int:contract_id}/amend", response={201: ContractDetailOut}, auth=CONTRACTS,
             summary="Amend a delivered contract: a new version")
def contract_amend(request, contract_id: int, payload: AmendIn):
    amendment = services.contract_amend(actor=request.user, contract=_contract(request, contract_id),
                                        changes=payload.changes, reason=payload.reason)
    return Status(201, _after(request, amendment))


@router.post("/{int:contract_id}/revoke", response=ContractDetailOut, auth=CONTRACTS,
             summary="Revoke (the origin authority, the destination ministry)")
def contract_revoke(request, contract_id: int, payload: ReasonIn):
    contract = services.contract_revoke(actor=request.user, contract=_contract(request, contract_id),
                                        reason=payload.reason)
    return _after(request, contract)


# --- public verification -----------------------------------------------------------------------------------------


@verify_router.get("/{code}", response=VerifyOut, summary="Check a contract, job order or licence code (public)")
def verify(request, code: str):
    """Whether a code is genuine and current, with non-personal facts only. Every code that does not name a
    current document is answered alike; at most 30 look-ups a minute from one address."""
    from django_ratelimit.core import is_ratelimited

    if is_ratelimited(request, group="verify", key="ip", rate=VERIFY_RATE, increment=True):
        raise RateLimited(_("Too many look-ups from this address; try again in a minute."))
    facts = selectors.verify(code[:60])
    if facts is None:
        raise NotFound(_("No current document has this code."), field="code")
    return facts
