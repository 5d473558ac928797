"""Writes of the contracts app: placements, the programme's contract template, contract versions (docs/contracts.md).

A contract goes: draft (generated from the job order and the template) -> signed by the employer -> approved by
the origin authority, which locks it (content hash, verification code) and delivers it to the worker -> accepted
(or not) by the worker. An amendment is a new version that goes the same way; the version in force stays in force
until the worker accepts the new one.
"""

from __future__ import annotations

import copy
import datetime
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from corridor.contracts import clauses
from corridor.contracts.models import (
    LIVE_PLACEMENT,
    Contract,
    ContractStatus,
    ContractTemplate,
    Placement,
    PlacementStatus,
)
from corridor.core import audit
from corridor.core.access import Role, organisation_of, roles_of
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.inputs import date_field
from corridor.joborders.models import JobOrder
from corridor.programmes.models import Programme
from corridor.programmes.rulebook import RuleSet, SelectionMode
from corridor.programmes.selectors import rule_version_in_force
from corridor.reference.selectors import isco_titles
from corridor.selection.models import Outcome, PickStatus, RunStatus, SelectionRun
from corridor.selection.services import is_ministry, is_programme_admin
from corridor.workers.models import PoolStatus, Worker
from corridor.workers.services import is_origin_officer_for

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U
MAX_TEXT = 4000
ANSWER_CHANNELS = ("web", "api", "sms", "office")
AMENDABLE = {
    "pay.amount": "decimal", "pay.hours_per_week": "decimal", "pay.overtime_rate_percent": "decimal",
    "duration.start": "date", "duration.end": "date", "duration.notice_days": "int",
    "housing.charge_amount": "decimal", "work.description": "text", "allowances": "text", "food": "text",
}


def new_code() -> str:
    """A verification code such as CT-7KQ2-M9XD: 40 random bits, not guessable in any useful number of tries."""
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"CT-{body[:4]}-{body[4:]}"


# --- who may act -------------------------------------------------------------------------------------------------


def is_employer_of(actor, order: JobOrder) -> bool:
    org = organisation_of(actor)
    return bool(Role.EMPLOYER in roles_of(actor) and org is not None and order.employer.organisation_id == org.pk)


def is_origin_authority_for(actor, worker: Worker, programme: Programme) -> bool:
    """An officer of the worker's origin authority, when it is the competent authority of the programme's corridor."""
    return is_origin_officer_for(actor, worker.nationality) and programme.corridors.filter(
        origin_country=worker.nationality, competent_authority=organisation_of(actor), is_active=True).exists()


def is_worker(actor, worker: Worker) -> bool:
    return worker.user_id is not None and worker.user_id == getattr(actor, "pk", None)


def _text(value: Any, name: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = str(value if value is not None else "").strip()
    if required and not text:
        raise InvalidInput("This is required.", field=name)
    if len(text) > limit:
        raise InvalidInput(f"At most {limit} characters.", field=name)
    return text


def _record(actor, action: str, subject, before=None, reason: str = "", programme_id=None, organisation_id=None) -> None:
    audit.record(actor=actor, action=action, subject=subject, before=before, after=audit.snapshot(subject),
                 reason=reason, programme_id=programme_id, organisation_id=organisation_id)


# --- the programme's template ------------------------------------------------------------------------------------

TEMPLATE_TEXTS = ("holiday_pay", "payment_method", "pay_period", "allowances", "food", "renewal", "entry_and_stay",
                  "termination", "complaints")


@transaction.atomic
def template_set(*, actor, programme: Programme, **data: Any) -> ContractTemplate:
    """The programme administrator sets the contract template: the items every contract of the programme shares."""
    if not is_programme_admin(actor, programme):
        raise Forbidden("Only the programme administrator sets the contract template.")
    errors, clean = [], {}
    for name in TEMPLATE_TEXTS:
        limit = 300 if name == "payment_method" else 100 if name == "pay_period" else MAX_TEXT
        value = str(data.get(name) or "").strip()
        if not value:
            errors.append({"field": name, "message": "This is required."})
        elif len(value) > limit:
            errors.append({"field": name, "message": f"At most {limit} characters."})
        clean[name] = value
    try:
        rate = Decimal(str(data.get("night_rate_percent", "")).strip())
        if not rate.is_finite() or rate < 100 or rate > 1000:
            raise InvalidOperation
        clean["night_rate_percent"] = rate.quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        errors.append({"field": "night_rate_percent", "message": "Give the night work rate as a percentage of the ordinary rate, 100 to 1000."})
    try:
        notice = int(str(data.get("notice_days", "")).strip())
        if not 0 <= notice <= 365:
            raise ValueError
        clean["notice_days"] = notice
    except (TypeError, ValueError):
        errors.append({"field": "notice_days", "message": "Give the notice in days, 0 to 365."})
    language = str(data.get("destination_language") or "").strip().lower()
    if not language or len(language) > 8 or not language.replace("-", "").isalpha():
        errors.append({"field": "destination_language", "message": "Give the destination's language as an ISO 639 code, e.g. en."})
    clean["destination_language"] = language
    if errors:
        raise InvalidInput(errors)
    existing = ContractTemplate.objects.filter(programme=programme).first()
    before = audit.snapshot(existing) if existing else None
    template, _created = ContractTemplate.objects.update_or_create(programme=programme, defaults={**clean, "updated_by": actor})
    _record(actor, "contract_template.set", template, before, programme_id=programme.pk)
    return template


# --- placements --------------------------------------------------------------------------------------------------


def _placeable(outcome: Outcome) -> None:
    if outcome.job_order_id is None:
        raise Conflict("This worker was not selected in the run.", field="outcome")
    if outcome.run.status != RunStatus.PUBLISHED:
        raise Conflict("Only outcomes of the published run in force become placements.", field="outcome")
    if outcome.run.mode == SelectionMode.EMPLOYER_SHORTLIST and outcome.pick != PickStatus.PICKED:
        raise Conflict("In shortlist programmes only the workers the employer picked become placements.", field="outcome")


@transaction.atomic
def placements_from_run(*, actor, run: SelectionRun) -> list[Placement]:
    """Every worker the published run selected (or the employer picked) becomes a proposed placement, once."""
    run = SelectionRun.objects.select_related("round__programme").get(pk=run.pk)
    programme = run.round.programme
    from corridor.selection.services import may_run

    if not may_run(actor, run.round):
        raise Forbidden("Only the programme administrator or the round's origin authority makes placements.")
    if run.status != RunStatus.PUBLISHED:
        raise Conflict("Only the published run in force makes placements.", field="run")
    outcomes = Outcome.objects.filter(run=run, job_order__isnull=False, placement__isnull=True).select_related("run", "worker")
    if run.mode == SelectionMode.EMPLOYER_SHORTLIST:
        outcomes = outcomes.filter(pick=PickStatus.PICKED)
    made = []
    for outcome in outcomes:
        if Placement.objects.filter(worker=outcome.worker, job_order_id=outcome.job_order_id, status__in=LIVE_PLACEMENT).exists():
            continue
        placement = Placement.objects.create(worker=outcome.worker, job_order_id=outcome.job_order_id, outcome=outcome,
                                             created_by=actor)
        made.append(placement)
    audit.record(actor=actor, action="placement.from_run", subject=run, after={"placements": [p.pk for p in made]},
                 programme_id=programme.pk)
    return made


def _locked_placement(placement: Placement) -> Placement:
    return Placement.objects.select_for_update().select_related(
        "worker", "job_order__employer__organisation", "job_order__programme").get(pk=placement.pk)


@transaction.atomic
def placement_confirm(*, actor, placement: Placement) -> Placement:
    """The worker and the employer each confirm the placement; it is confirmed once both have."""
    placement = _locked_placement(placement)
    if placement.status != PlacementStatus.PROPOSED:
        raise Conflict(f"This placement is {placement.get_status_display().lower()}; it cannot be confirmed.", field="status")
    before = audit.snapshot(placement)
    now = timezone.now()
    if is_worker(actor, placement.worker):
        if placement.worker_confirmed_at is not None:
            raise Conflict("You have already confirmed this placement.", field="status")
        placement.worker_confirmed_at = now
    elif is_employer_of(actor, placement.job_order):
        if placement.employer_confirmed_at is not None:
            raise Conflict("Your organisation has already confirmed this placement.", field="status")
        placement.employer_confirmed_at, placement.employer_confirmed_by = now, actor
    else:
        raise Forbidden("Only the worker and the employer confirm a placement.")
    if placement.worker_confirmed_at and placement.employer_confirmed_at:
        placement.status = PlacementStatus.CONFIRMED
    placement.save()
    _record(actor, "placement.confirm", placement, before, programme_id=placement.job_order.programme_id)
    return placement


@transaction.atomic
def placement_decline(*, actor, placement: Placement, reason: Any) -> Placement:
    """The worker or the employer declines a proposed placement, with a reason; the worker keeps their place in the
    pool and the position can be offered again."""
    placement = _locked_placement(placement)
    if not (is_worker(actor, placement.worker) or is_employer_of(actor, placement.job_order)):
        raise Forbidden("Only the worker and the employer decline a placement.")
    if placement.status != PlacementStatus.PROPOSED:
        raise Conflict(f"This placement is {placement.get_status_display().lower()}; it cannot be declined.", field="status")
    why = _text(reason, "reason")
    before = audit.snapshot(placement)
    placement.status, placement.reason = PlacementStatus.DECLINED, why
    placement.save(update_fields=["status", "reason"])
    _record(actor, "placement.decline", placement, before, reason=why, programme_id=placement.job_order.programme_id)
    return placement


# --- contracts ---------------------------------------------------------------------------------------------------


def _sources(placement: Placement) -> dict:
    """The plain facts a contract is built from."""
    order = placement.job_order
    worker = placement.worker
    programme = order.programme
    version = rule_version_in_force(programme=programme, day=order.start_date) or rule_version_in_force(programme=programme)
    if version is None:
        raise Conflict(f"Programme {programme.code} has no rules in force.", field="programme")
    template = ContractTemplate.objects.filter(programme=programme).first()
    if template is None:
        raise Conflict(f"Programme {programme.code} has no contract template yet; the programme administrator sets it.",
                       field="template")
    rules = RuleSet.model_validate(version.rules).model_dump(mode="json")
    document = worker.documents.filter(kind="passport").order_by("-expires_on").first()
    head = order.employer.worksites.order_by("pk").first()
    site = order.worksite
    housing = order.housing
    return {
        "programme": {"code": programme.code, "name": programme.name, "destination_country": programme.destination_country},
        "worker": {"name": f"{worker.given_names} {worker.family_names}", "public_id": worker.public_id,
                   "date_of_birth": worker.date_of_birth.isoformat(), "nationality": worker.nationality,
                   "document": f"{document.kind} {document.number}" if document else ""},
        "employer": {"name": order.employer.organisation.name, "business_id": order.employer.business_id,
                     "address": f"{head.address}, {head.country}" if head and head.address.strip() else "",
                     "contact": order.employer.contact_name},
        "job": {
            "reference": order.reference, "title": order.title, "description": order.description, "sector": order.sector,
            "worksite": site.name, "address": site.address, "region": site.region, "country": site.country,
            "isco_code": order.isco_code, "occupation": isco_titles([order.isco_code]).get(order.isco_code, ""),
            "wage_amount": str(order.wage_amount), "wage_currency": order.wage_currency, "wage_unit": order.wage_unit,
            "hours_per_week": str(order.hours_per_week), "overtime_rate_percent": str(order.overtime_rate_percent),
            "deductions": [{"type": str(d.get("type", "")), "amount": str(d.get("amount", ""))} for d in order.deductions or []],
            "housing": {"address": housing.address, "charge_amount": str(housing.charge_amount),
                        "charge_currency": housing.charge_currency} if housing else None,
            "start_date": order.start_date.isoformat(), "end_date": order.end_date.isoformat(),
            "outbound_travel_worker_percent": str(order.outbound_travel_worker_percent),
            "return_travel_worker_percent": str(order.return_travel_worker_percent),
        },
        "rules": rules,
        "template": {
            "night_rate_percent": str(template.night_rate_percent), "holiday_pay": template.holiday_pay,
            "payment_method": template.payment_method, "pay_period": template.pay_period,
            "allowances": template.allowances, "food": template.food, "renewal": template.renewal,
            "notice_days": template.notice_days, "entry_and_stay": template.entry_and_stay,
            "termination": template.termination, "complaints": template.complaints,
        },
        "destination_language": template.destination_language,
    }


def _require_complete(content: dict) -> None:
    gaps = clauses.missing(content)
    if gaps:
        raise InvalidInput([{"field": f"contract.{path}", "message": f"The contract's item '{key}' has no value for "
                             f"'{path}'; complete the job order or the programme's contract template."}
                            for key, path in gaps])


def _require_employer_or_ministry(actor, placement: Placement) -> None:
    if not (is_employer_of(actor, placement.job_order) or is_ministry(actor, placement.job_order.programme)):
        raise Forbidden("Only the employer or the destination ministry prepares the contract.")


@transaction.atomic
def contract_generate(*, actor, placement: Placement) -> Contract:
    """The standard contract, generated from the job order, the programme's rules and its template, in the worker's
    language beside the destination's. Refused, with every missing item named, when a source lacks a fact."""
    placement = _locked_placement(placement)
    _require_employer_or_ministry(actor, placement)
    if placement.status != PlacementStatus.CONFIRMED:
        raise Conflict("The worker and the employer confirm the placement before a contract is prepared.", field="status")
    if placement.contracts.exists():
        raise Conflict("This placement already has a contract; change it by an amendment.", field="placement")
    src = _sources(placement)
    content = clauses.build(worker=src["worker"], employer=src["employer"], job=src["job"], rules=src["rules"],
                            template=src["template"], programme=src["programme"])
    _require_complete(content)
    contract = Contract.objects.create(
        placement=placement, version=1, content=content, worker_language=placement.worker.language or "en",
        destination_language=src["destination_language"], created_by=actor,
    )
    _record(actor, "contract.generate", contract, programme_id=placement.job_order.programme_id,
            organisation_id=placement.job_order.employer.organisation_id)
    return contract


def _locked_contract(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().select_related(
        "placement__worker", "placement__job_order__employer__organisation", "placement__job_order__programme",
    ).get(pk=contract.pk)


def _value(kind: str, raw: Any, path: str):
    if kind == "decimal":
        try:
            value = Decimal(str(raw).strip())
            if not value.is_finite() or value < 0 or value > Decimal("1e9"):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            raise InvalidInput("Give a number of 0 or more.", field=f"changes.{path}") from None
        return str(value)
    if kind == "int":
        try:
            value = int(str(raw).strip())
            if not 0 <= value <= 3650:
                raise ValueError
        except (TypeError, ValueError):
            raise InvalidInput("Give a whole number.", field=f"changes.{path}") from None
        return value
    if kind == "date":
        errors: list = []
        day = date_field({f"changes.{path}": raw}, f"changes.{path}", errors)
        if errors:
            raise InvalidInput(errors)
        return day.isoformat()
    return _text(raw, f"changes.{path}")


def _set(content: dict, path: str, value: Any) -> None:
    node = content
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


@transaction.atomic
def contract_amend(*, actor, contract: Contract, changes: Any, reason: Any) -> Contract:
    """An amendment: a new draft version with the changed items, to be signed, approved and accepted by the worker
    like the first. The version in force stays in force meanwhile."""
    contract = _locked_contract(contract)
    placement = contract.placement
    _require_employer_or_ministry(actor, placement)
    if contract.status not in (ContractStatus.ISSUED, ContractStatus.ACCEPTED):
        raise Conflict("Only a contract delivered to the worker is amended; change a draft by generating it again.",
                       field="status")
    if placement.contracts.filter(version__gt=contract.version).exclude(
            status__in=[ContractStatus.REJECTED, ContractStatus.REVOKED]).exists():
        raise Conflict("An amendment of this contract is already under way.", field="status")
    why = _text(reason, "reason")
    if not isinstance(changes, dict) or not changes:
        raise InvalidInput("Say what changes: an object of item paths and new values.", field="changes")
    unknown = [p for p in changes if p not in AMENDABLE]
    if unknown:
        raise InvalidInput([{"field": f"changes.{p}", "message": f"'{p}' cannot be amended; amendable items: "
                             f"{', '.join(sorted(AMENDABLE))}."} for p in unknown])
    content = copy.deepcopy(contract.content)
    for path, raw in changes.items():
        _set(content, path, _value(AMENDABLE[path], raw, path))
    start, end = content["duration"]["start"], content["duration"]["end"]
    if end <= start:
        raise InvalidInput("The end date must be after the start date.", field="changes.duration.end")
    diff = clauses.changes(contract.content, content)
    if not diff:
        raise InvalidInput("Nothing changes against the version in force.", field="changes")
    _require_complete(content)
    latest = placement.contracts.order_by("-version").first()
    amendment = Contract.objects.create(
        placement=placement, version=latest.version + 1, content=content, worker_language=contract.worker_language,
        destination_language=contract.destination_language, changes=diff, reason=why, supersedes=None, created_by=actor,
    )
    _record(actor, "contract.amend", amendment, reason=why, programme_id=placement.job_order.programme_id,
            organisation_id=placement.job_order.employer.organisation_id)
    return amendment


@transaction.atomic
def contract_sign(*, actor, contract: Contract) -> Contract:
    contract = _locked_contract(contract)
    if not is_employer_of(actor, contract.placement.job_order):
        raise Forbidden("Only the employer signs its contracts.")
    if contract.status != ContractStatus.DRAFT:
        raise Conflict("Only a draft is signed.", field="status")
    before = audit.snapshot(contract)
    contract.status, contract.signed_by, contract.signed_at = ContractStatus.SIGNED, actor, timezone.now()
    contract.save(update_fields=["status", "signed_by", "signed_at"])
    _record(actor, "contract.sign", contract, before, programme_id=contract.placement.job_order.programme_id)
    return contract


@transaction.atomic
def contract_approve(*, actor, contract: Contract) -> Contract:
    """The origin authority approves the signed contract: it is locked (content hash, verification code) and
    delivered to the worker, who can read it in their language from now on."""
    contract = _locked_contract(contract)
    placement = contract.placement
    if not is_origin_authority_for(actor, placement.worker, placement.job_order.programme):
        raise Forbidden("Only the origin authority of the worker's country approves the contract.")
    if contract.status != ContractStatus.SIGNED:
        raise Conflict("The employer signs the contract before it is approved.", field="status")
    _require_complete(contract.content)
    before = audit.snapshot(contract)
    contract.content_hash = clauses.content_hash(contract.content)
    contract.approved_by, contract.locked_at, contract.status = actor, timezone.now(), ContractStatus.ISSUED
    for _attempt in range(5):
        contract.verification_code = new_code()
        try:
            with transaction.atomic():
                contract.save(update_fields=["content_hash", "approved_by", "locked_at", "status", "verification_code"])
            break
        except IntegrityError:
            continue
    else:
        raise Conflict("Could not draw a unique verification code; try again.", field="verification_code")
    _record(actor, "contract.approve", contract, before, reason=f"Locked: {contract.content_hash}; code {contract.verification_code}",
            programme_id=placement.job_order.programme_id)
    return contract


@transaction.atomic
def contract_answer(*, actor, contract: Contract, accept: Any, via: Any = "web", note: Any = "") -> Contract:
    """The worker accepts the delivered contract (or an amendment after seeing what it changes), or does not; time
    and channel are recorded. Accepting an amendment replaces the version in force."""
    contract = _locked_contract(contract)
    if not is_worker(actor, contract.placement.worker):
        raise Forbidden("Only the worker accepts their contract.")
    if contract.status != ContractStatus.ISSUED:
        raise Conflict("Only a contract delivered to you and not yet answered can be accepted.", field="status")
    channel = str(via or "web").strip().lower()
    if channel not in ANSWER_CHANNELS:
        raise InvalidInput(f"Unknown channel; use one of {', '.join(ANSWER_CHANNELS)}.", field="via")
    remark = _text(note, "note", required=False)
    if contract.placement.contracts.filter(version__gt=contract.version, status=ContractStatus.ACCEPTED).exists():
        raise Conflict("A later version of this contract is already in force.", field="status")
    before = audit.snapshot(contract)
    if isinstance(accept, bool):
        accepted = accept
    elif str(accept).strip().lower() in ("1", "true", "yes", "on"):
        accepted = True
    elif str(accept).strip().lower() in ("0", "false", "no", "off"):
        accepted = False
    else:
        raise InvalidInput("Say yes (accept) or no (do not accept).", field="accept")
    if accepted:
        # Earlier versions accepted or delivered and never answered give way to this one.
        for old in contract.placement.contracts.select_for_update().filter(
                version__lt=contract.version, status__in=[ContractStatus.ACCEPTED, ContractStatus.ISSUED]).order_by("version"):
            old.status = ContractStatus.SUPERSEDED
            old.save(update_fields=["status"])
            contract.supersedes = old
        contract.status = ContractStatus.ACCEPTED
    else:
        contract.status = ContractStatus.REJECTED
    contract.answered_at, contract.answered_via, contract.answer_note = timezone.now(), channel, remark
    contract.save(update_fields=["status", "answered_at", "answered_via", "answer_note", "supersedes"])
    _record(actor, "contract.accept" if accepted else "contract.reject", contract, before, reason=remark,
            programme_id=contract.placement.job_order.programme_id)
    return contract


@transaction.atomic
def contract_revoke(*, actor, contract: Contract, reason: Any) -> Contract:
    """The origin authority or the destination ministry revokes a contract (fraud, cancelled job order...); its code
    then verifies as revoked."""
    contract = _locked_contract(contract)
    placement = contract.placement
    programme = placement.job_order.programme
    if not (is_origin_authority_for(actor, placement.worker, programme) or is_ministry(actor, programme)):
        raise Forbidden("Only the origin authority or the destination ministry revokes a contract.")
    if contract.status in (ContractStatus.REVOKED, ContractStatus.SUPERSEDED):
        raise Conflict("This contract is no longer in force.", field="status")
    why = _text(reason, "reason")
    before = audit.snapshot(contract)
    if contract.status == ContractStatus.DRAFT or contract.status == ContractStatus.SIGNED:
        raise Conflict("A contract not yet approved is not revoked; it is simply not approved.", field="status")
    contract.status, contract.revoked_reason = ContractStatus.REVOKED, why
    contract.save(update_fields=["status", "revoked_reason"])
    _record(actor, "contract.revoke", contract, before, reason=why, programme_id=programme.pk)
    return contract


def in_force(placement: Placement) -> Contract | None:
    return placement.contracts.filter(status=ContractStatus.ACCEPTED).first()


def departure_blockers(placement: Placement, departure: datetime.date) -> list[str]:
    """Why the worker may not depart on `departure` yet: the contract must be accepted, and delivered at least the
    programme's lead time before departure (C97 Annex I Art 6; fair recruitment principle 8)."""
    contract = in_force(placement)
    if contract is None:
        return ["The worker has not accepted a contract."]
    version = rule_version_in_force(programme=placement.job_order.programme, day=departure)
    lead = RuleSet.model_validate(version.rules).contract_delivery_lead_days if version else 14
    first = placement.contracts.filter(locked_at__isnull=False).order_by("locked_at").values_list("locked_at", flat=True).first()
    delivered = timezone.localtime(first).date() if first else None
    if delivered is None or (departure - delivered).days < lead:
        return [f"The contract must reach the worker at least {lead} days before departure; it was delivered on "
                f"{delivered.isoformat() if delivered else '—'}, departure is {departure.isoformat()}."]
    if placement.worker.status == PoolStatus.MERGED:
        return ["This worker record was merged into another one."]
    return []
