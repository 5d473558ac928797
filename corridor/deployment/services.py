"""Writes of the deployment app: each step of the worker's journey is one atomic, audited action (docs/deployment.md)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts.models import OrgKind
from corridor.contracts import services as contracts
from corridor.contracts.models import Contract, Placement, PlacementStatus
from corridor.core import audit
from corridor.core.access import Role, organisation_of, roles_of
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.inputs import date_field
from corridor.deployment import journey as path
from corridor.deployment import selectors, substitution
from corridor.deployment.models import (
    AlertSource,
    AlertStatus,
    DeclaredTerms,
    Entries,
    Journey,
    JourneyStep,
    Permit,
    PermitKind,
    SubstitutionAlert,
)
from corridor.selection.models import SeasonRecord
from corridor.selection.services import is_ministry

MAX_TEXT = 4000


# --- who may act -------------------------------------------------------------------------------------------------


def is_origin(actor, journey: Journey) -> bool:
    return contracts.is_origin_authority_for(actor, journey.worker, journey.placement.job_order.programme)


def is_employer(actor, journey: Journey) -> bool:
    return contracts.is_employer_of(actor, journey.placement.job_order)


def is_immigration(actor, journey: Journey) -> bool:
    org = organisation_of(actor)
    return bool(Role.IMMIGRATION_OFFICER in roles_of(actor) and org is not None
                and org.kind == OrgKind.IMMIGRATION_AUTHORITY
                and org.country == journey.placement.job_order.programme.destination_country)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


def _text(value: Any, name: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = str(value if value is not None else "").strip()
    if required and not text:
        raise InvalidInput("This is required.", field=name)
    if len(text) > limit:
        raise InvalidInput(f"At most {limit} characters.", field=name)
    return text


def _date(data: dict, name: str, errors: list, *, required: bool = True) -> datetime.date | None:
    return date_field(data, name, errors, required=required)


def _locked(journey: Journey) -> Journey:
    return Journey.objects.select_for_update().select_related(
        "worker", "placement__job_order__programme", "placement__job_order__employer__organisation",
    ).get(pk=journey.pk)


def _step(actor, journey: Journey, action: str, note: str = "") -> Journey:
    """Move the journey by `action` (refused with the actions possible now), record the step and the audit event."""
    try:
        target = path.step(journey.state, action)
    except path.TransitionRefused as exc:
        raise Conflict(str(exc), field="state") from None
    before = audit.snapshot(journey)
    now = timezone.now()
    JourneyStep.objects.create(journey=journey, action=action, from_state=journey.state, to_state=target, at=now,
                               actor=actor if getattr(actor, "is_authenticated", False) else None, note=note)
    journey.state, journey.state_since = target, now
    journey.save()
    audit.record(actor=actor, action=f"journey.{action}", subject=journey, before=before, after=audit.snapshot(journey),
                 reason=note, programme_id=journey.placement.job_order.programme_id)
    return journey


# --- start -------------------------------------------------------------------------------------------------------


@transaction.atomic
def journey_start(*, actor, placement: Placement) -> Journey:
    """Open the journey of a confirmed placement (the origin authority or the destination ministry); if the worker
    has already accepted the contract, the journey moves on to 'contracted' at once."""
    placement = Placement.objects.select_for_update().select_related("worker", "job_order__programme").get(pk=placement.pk)
    programme = placement.job_order.programme
    _require(contracts.is_origin_authority_for(actor, placement.worker, programme) or is_ministry(actor, programme),
             "Only the worker's origin authority or the destination ministry opens a journey.")
    if placement.status != PlacementStatus.CONFIRMED:
        raise Conflict("The placement must be confirmed by the worker and the employer first.", field="placement")
    if Journey.objects.filter(placement=placement).exists():
        raise Conflict("This placement already has a journey.", field="placement")
    now = timezone.now()
    journey = Journey.objects.create(placement=placement, worker=placement.worker, state=path.SELECTED, state_since=now)
    JourneyStep.objects.create(journey=journey, action="start", from_state="", to_state=path.SELECTED, at=now, actor=actor)
    audit.record(actor=actor, action="journey.start", subject=journey, after=audit.snapshot(journey),
                 programme_id=programme.pk)
    if contracts.in_force(placement) is not None:
        journey = _step(actor, journey, "contract_accepted", "The worker accepted the contract.")
    return journey


@transaction.atomic
def contract_accepted(*, actor, journey: Journey) -> Journey:
    """Record that the worker has accepted the contract (checked against the contracts)."""
    journey = _locked(journey)
    _require(is_origin(actor, journey) or is_employer(actor, journey) or contracts.is_worker(actor, journey.worker),
             "Only the worker, the employer or the origin authority records this.")
    if contracts.in_force(journey.placement) is None:
        raise Conflict("The worker has not accepted a contract yet.", field="contract")
    return _step(actor, journey, "contract_accepted", "The worker accepted the contract.")


# --- pre-departure -----------------------------------------------------------------------------------------------


@transaction.atomic
def predeparture_update(*, actor, journey: Journey, **data: Any) -> Journey:
    """The origin authority records insurance, the travel booking and the planned departure."""
    journey = _locked(journey)
    _require(is_origin(actor, journey), "Only the worker's origin authority records pre-departure steps.")
    if journey.state in path.FINAL or journey.state in (path.TRAVELLED, path.EMPLOYED, path.CHANGING_EMPLOYER):
        raise Conflict("The worker has already left; pre-departure steps are closed.", field="state")
    errors: list = []
    values: dict = {}
    for name, limit in (("insurance_provider", 200), ("insurance_policy", 100), ("travel_booking", 100)):
        if name in data:
            value = str(data.get(name) or "").strip()
            if len(value) > limit:
                errors.append({"field": name, "message": f"At most {limit} characters."})
            values[name] = value
    for name in ("insurance_valid_until", "planned_departure"):
        if name in data:
            values[name] = _date(data, name, errors, required=False)
    if values.get("planned_departure") and values["planned_departure"] < timezone.localdate():
        errors.append({"field": "planned_departure", "message": "The planned departure is in the past."})
    if errors:
        raise InvalidInput(errors)
    if not values:
        raise InvalidInput("Give at least one of insurance, travel booking or planned departure.", field="planned_departure")
    before = audit.snapshot(journey)
    for name, value in values.items():
        setattr(journey, name, value)
    journey.save()
    audit.record(actor=actor, action="journey.predeparture", subject=journey, before=before,
                 after=audit.snapshot(journey), programme_id=journey.placement.job_order.programme_id)
    return journey


@transaction.atomic
def clear_departure(*, actor, journey: Journey) -> Journey:
    """The origin authority clears the worker for departure once every checklist item is done."""
    journey = _locked(journey)
    _require(is_origin(actor, journey), "Only the worker's origin authority clears a departure.")
    if journey.state == path.SELECTED and contracts.in_force(journey.placement) is not None:
        journey = _step(actor, journey, "contract_accepted", "The worker accepted the contract.")
    items = selectors.checklist(journey)
    missing = [i for i in items if not i["done"]]
    if journey.planned_departure is None:
        missing.append({"item": "travel", "needs": _("Record the planned departure date.")})
    if missing:
        raise InvalidInput([{"field": f"checklist.{i['item']}", "message": i["needs"]} for i in missing])
    return _step(actor, journey, "clear_departure", "Every pre-departure item is done.")


# --- permit ------------------------------------------------------------------------------------------------------


def _contract(journey: Journey) -> Contract:
    contract = contracts.in_force(journey.placement)
    if contract is None:
        raise Conflict("The worker has no accepted contract; a permit cannot be recorded.", field="contract")
    return contract


def _raise_alerts(journey: Journey, contract: Contract, source: str, found: list[dict]) -> list[SubstitutionAlert]:
    return [SubstitutionAlert.objects.create(journey=journey, contract=contract, source=source, field=d["field"],
                                             contract_value=d["contract"][:200], declared_value=d["declared"][:200])
            for d in found]


def alerts_from_pay_run(found: list[tuple[int, int, dict]]) -> list[SubstitutionAlert]:
    """Substitution alerts with source "pay_run" from payslips whose stated terms differ from the locked contract
    (called by corridor/payroll inside its transaction): `found` holds (journey id, contract id, {field, contract,
    declared}). One alert per journey, item and stated value, written in bulk; none when the same one is still open."""
    wanted: dict[tuple, tuple] = {}
    for journey_id, contract_id, d in found:
        key = (journey_id, d["field"], str(d["declared"])[:200])
        wanted.setdefault(key, (contract_id, str(d["contract"])[:200]))
    if not wanted:
        return []
    open_ = set(SubstitutionAlert.objects.filter(
        journey_id__in={k[0] for k in wanted}, source=AlertSource.PAY_RUN, status=AlertStatus.OPEN,
    ).values_list("journey_id", "field", "declared_value"))
    return SubstitutionAlert.objects.bulk_create(
        [SubstitutionAlert(journey_id=journey_id, contract_id=contract_id, source=AlertSource.PAY_RUN, field=item,
                           contract_value=agreed, declared_value=declared)
         for (journey_id, item, declared), (contract_id, agreed) in wanted.items()
         if (journey_id, item, declared) not in open_],
        batch_size=2000,
    )


@transaction.atomic
def permit_record(*, actor, journey: Journey, **data: Any) -> Permit:
    """The immigration authority records the visa or permit. Only for a worker cleared for departure, with an
    accepted contract; permit conditions that depart from the contract raise substitution alerts."""
    journey = _locked(journey)
    _require(is_immigration(actor, journey), "Only the destination's immigration authority records permits.")
    contract = _contract(journey)
    errors: list = []
    kind = str(data.get("kind") or "").strip()
    if kind not in PermitKind.values:
        errors.append({"field": "kind", "message": f"Choose one of {', '.join(PermitKind.values)}."})
    number = str(data.get("number") or "").strip()
    if not number or len(number) > 60:
        errors.append({"field": "number", "message": "Give the permit number (at most 60 characters)."})
    valid_from = _date(data, "valid_from", errors)
    valid_until = _date(data, "valid_until", errors)
    if valid_from and valid_until and valid_until < valid_from:
        errors.append({"field": "valid_until", "message": "The permit ends before it starts."})
    entries = str(data.get("entries") or "").strip()
    if entries not in Entries.values:
        errors.append({"field": "entries", "message": f"Choose one of {', '.join(Entries.values)}."})
    employer_name = str(data.get("employer_name") or "").strip()[:200]
    isco = str(data.get("isco_code") or "").strip()
    if isco and (not isco.isdigit() or len(isco) > 4):
        errors.append({"field": "isco_code", "message": "An ISCO-08 code has 1 to 4 digits."})
    conditions = str(data.get("conditions") or "").strip()
    if len(conditions) > MAX_TEXT:
        errors.append({"field": "conditions", "message": f"At most {MAX_TEXT} characters."})
    if errors:
        raise InvalidInput(errors)
    if Permit.objects.filter(kind=kind, number=number).exists():
        raise Conflict(f"A {kind} numbered {number} is already recorded.", field="number")
    _step(actor, journey, "issue_permit", f"{kind} {number}")
    permit = Permit.objects.create(journey=journey, kind=kind, number=number, valid_from=valid_from,
                                   valid_until=valid_until, entries=entries, employer_name=employer_name,
                                   isco_code=isco, conditions=conditions, recorded_by=actor)
    declared = {"end_date": None}
    content = contract.content
    if valid_until and valid_until.isoformat() < content["duration"]["end"]:
        declared["end_date"] = valid_until.isoformat()
    if isco:
        declared["isco_code"] = isco
    found = substitution.differences(content, declared)
    if employer_name and employer_name.casefold() != str(content["employer"]["name"]).casefold():
        found.append({"field": "employer", "contract": content["employer"]["name"], "declared": employer_name})
    _raise_alerts(journey, contract, AlertSource.PERMIT, found)
    audit.record(actor=actor, action="permit.record", subject=permit, after=audit.snapshot(permit),
                 programme_id=journey.placement.job_order.programme_id)
    return permit


# --- travel, arrival, declared terms -----------------------------------------------------------------------------


@transaction.atomic
def departure_record(*, actor, journey: Journey, departed_on: Any) -> Journey:
    """The origin authority records the departure; refused when the contract reached the worker later than the
    programme's lead time before this date."""
    journey = _locked(journey)
    _require(is_origin(actor, journey), "Only the worker's origin authority records the departure.")
    if journey.state not in path.ACTIONS["depart"][0]:
        raise Conflict(str(path.TransitionRefused(journey.state, "depart")), field="state")
    errors: list = []
    day = _date({"departed_on": departed_on}, "departed_on", errors)
    if errors:
        raise InvalidInput(errors)
    if day > timezone.localdate():
        raise InvalidInput("The departure date is in the future.", field="departed_on")
    blockers = contracts.departure_blockers(journey.placement, day)
    if blockers:
        raise Conflict(" ".join(blockers), field="departed_on")
    journey.departed_on = day
    return _step(actor, journey, "depart", f"Departed on {day.isoformat()}.")


@transaction.atomic
def arrival_confirm(*, actor, journey: Journey, arrived_on: Any, welfare_contact_name: Any,
                    welfare_contact_phone: Any = "") -> Journey:
    """The employer confirms the worker's arrival and names a welfare contact; the worker is then employed."""
    journey = _locked(journey)
    _require(is_employer(actor, journey), "Only the employer confirms the arrival.")
    errors: list = []
    day = _date({"arrived_on": arrived_on}, "arrived_on", errors)
    name = str(welfare_contact_name or "").strip()
    if not name or len(name) > 200:
        errors.append({"field": "welfare_contact_name", "message": "Name the welfare contact (at most 200 characters)."})
    phone = str(welfare_contact_phone or "").strip()
    if len(phone) > 40:
        errors.append({"field": "welfare_contact_phone", "message": "At most 40 characters."})
    if day and journey.departed_on and day < journey.departed_on:
        errors.append({"field": "arrived_on", "message": "The arrival is before the departure."})
    if day and day > timezone.localdate():
        errors.append({"field": "arrived_on", "message": "The arrival date is in the future."})
    if errors:
        raise InvalidInput(errors)
    journey.arrived_on, journey.arrival_confirmed_by = day, actor
    journey.welfare_contact_name, journey.welfare_contact_phone = name, phone
    return _step(actor, journey, "confirm_arrival", f"Arrived on {day.isoformat()}; a welfare contact was named.")


DECLARABLE = tuple(substitution.FIELDS)


@transaction.atomic
def terms_declare(*, actor, journey: Journey, **facts: Any) -> list[SubstitutionAlert]:
    """The employer declares the terms it applies at destination; each departure from the locked contract raises
    an alert for the origin authority and the labour inspectorate, shown to the worker."""
    journey = _locked(journey)
    _require(is_employer(actor, journey), "Only the employer declares its terms.")
    if journey.state not in (path.TRAVELLED, path.EMPLOYED, path.CHANGING_EMPLOYER):
        raise Conflict("Terms are declared once the worker has travelled.", field="state")
    contract = _contract(journey)
    unknown = [k for k in facts if k not in DECLARABLE]
    if unknown:
        raise InvalidInput([{"field": k, "message": f"Unknown item; declare among {', '.join(DECLARABLE)}."} for k in unknown])
    clean = {k: str(v).strip()[:200] for k, v in facts.items() if v not in (None, "")}
    if not clean:
        raise InvalidInput("Declare at least one item.", field="wage_amount")
    DeclaredTerms.objects.create(journey=journey, facts=clean, declared_by=actor)
    alerts = _raise_alerts(journey, contract, AlertSource.DECLARED, substitution.differences(contract.content, clean))
    audit.record(actor=actor, action="journey.terms_declare", subject=journey, after={"declared": clean,
                 "alerts": [a.pk for a in alerts]}, programme_id=journey.placement.job_order.programme_id)
    return alerts


@transaction.atomic
def alert_resolve(*, actor, alert: SubstitutionAlert, resolution: Any) -> SubstitutionAlert:
    alert = SubstitutionAlert.objects.select_for_update().select_related(
        "journey__worker", "journey__placement__job_order__programme").get(pk=alert.pk)
    org = organisation_of(actor)
    inspector = bool(Role.LABOUR_INSPECTOR in roles_of(actor) and org is not None
                     and org.country == alert.journey.placement.job_order.programme.destination_country)
    _require(is_origin(actor, alert.journey) or inspector, "Only the origin authority or the labour inspectorate resolves alerts.")
    if alert.status != AlertStatus.OPEN:
        raise Conflict("This alert is already resolved.", field="status")
    text = _text(resolution, "resolution")
    before = audit.snapshot(alert)
    alert.status, alert.resolution, alert.resolved_by, alert.resolved_at = AlertStatus.RESOLVED, text, actor, timezone.now()
    alert.save()
    audit.record(actor=actor, action="substitution_alert.resolve", subject=alert, before=before,
                 after=audit.snapshot(alert), reason=text)
    return alert


# --- during the stay, and the end --------------------------------------------------------------------------------


@transaction.atomic
def employer_change_start(*, actor, journey: Journey, note: Any = "") -> Journey:
    """The worker starts changing employer (as the programme allows; the move itself is the mobility part)."""
    journey = _locked(journey)
    _require(contracts.is_worker(actor, journey.worker), "Only the worker starts a change of employer.")
    return _step(actor, journey, "start_employer_change", _text(note, "note", required=False))


@transaction.atomic
def return_record(*, actor, journey: Journey, returned_on: Any, as_agreed: Any, note: Any = "") -> Journey:
    """The origin authority records the return. A season completed and a return as agreed is written to the
    worker's season record: the basis of recall by rule in the next selection rounds."""
    journey = _locked(journey)
    _require(is_origin(actor, journey), "Only the worker's origin authority records the return.")
    errors: list = []
    day = _date({"returned_on": returned_on}, "returned_on", errors)
    if day and journey.arrived_on and day < journey.arrived_on:
        errors.append({"field": "returned_on", "message": "The return is before the arrival."})
    elif day and journey.departed_on and day < journey.departed_on:
        errors.append({"field": "returned_on", "message": "The return is before the departure."})
    if day and day > timezone.localdate():
        errors.append({"field": "returned_on", "message": "The return date is in the future."})
    if not isinstance(as_agreed, bool) and str(as_agreed).strip().lower() not in ("1", "0", "true", "false", "yes", "no"):
        errors.append({"field": "as_agreed", "message": "Say whether the worker returned as agreed."})
    if errors:
        raise InvalidInput(errors)
    agreed = as_agreed if isinstance(as_agreed, bool) else str(as_agreed).strip().lower() in ("1", "true", "yes")
    remark = _text(note, "note", required=False)
    journey.returned_on, journey.returned_as_agreed = day, agreed
    journey = _step(actor, journey, "return", remark or f"Returned on {day.isoformat()}.")
    order = journey.placement.job_order
    year = order.start_date.year
    SeasonRecord.objects.update_or_create(
        worker=journey.worker, programme=order.programme, year=year,
        defaults={"employer": order.employer, "completed": True, "returned_as_agreed": agreed,
                  "note": remark or "Recorded at the return.", "recorded_by": actor},
    )
    for listener in list(_return_listeners):
        listener(actor, journey)
    return journey


# Called inside the return's transaction: fn(actor, journey). The pathways app installs the refresh of the worker's
# pathway progress (a season completed may make them eligible).
_return_listeners: list = []


def register_return_listener(fn) -> None:
    if fn not in _return_listeners:
        _return_listeners.append(fn)


@transaction.atomic
def overstay_record(*, actor, journey: Journey, note: Any) -> Journey:
    journey = _locked(journey)
    _require(is_immigration(actor, journey), "Only the immigration authority records a stay beyond the permit.")
    return _step(actor, journey, "overstay", _text(note, "note"))


@transaction.atomic
def status_change_record(*, actor, journey: Journey, note: Any) -> Journey:
    journey = _locked(journey)
    _require(is_immigration(actor, journey), "Only the immigration authority records a change of status.")
    return _step(actor, journey, "change_status", _text(note, "note"))


@transaction.atomic
def withdraw(*, actor, journey: Journey, reason: Any) -> Journey:
    """The worker (or the origin authority for them) withdraws before travelling; it costs the worker nothing."""
    journey = _locked(journey)
    _require(contracts.is_worker(actor, journey.worker) or is_origin(actor, journey),
             "Only the worker or the origin authority withdraws.")
    return _step(actor, journey, "withdraw", _text(reason, "reason"))
