"""Writes of the returns app: each is one atomic, audited action (docs/returns.md).

- `return_register`: the origin authority registers a worker's return (date, evidence, early-return reason); the
  journey ends 'returned' through deployment's `return_record` in the same transaction, which writes the season
  record of recall by rule. `return_details_add` adds the same details to a return the journey already records.
- `payout_record`, `payout_confirm`: end-of-stay payouts, confirmed (or not) by the worker.
- `overstay_scan`, `overstay_flag_resolve`: the daily prompt to check a journey whose permit ended without a return.
- `employer_evaluate`, `worker_evaluate`, `evaluation_respond`: season-end evaluations both ways.
- `retaliation_scan`, `retaliation_decide`: the possible-retaliation flag of recall by rule.
- `daily`: what `corridor returns-daily` runs.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from corridor.accounts.models import OrgKind
from corridor.accounts.selectors import labour_inspectorates, origin_authorities, role_organisations
from corridor.contracts import services as contracts
from corridor.core import audit, notify
from corridor.core.access import Category, Role, organisation_of, roles_of
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.inputs import date_field
from corridor.deployment import journey as path
from corridor.deployment import services as dp
from corridor.deployment.models import Journey, Permit, SubstitutionAlert
from corridor.payroll.models import PayslipDispute
from corridor.programmes.rulebook import RuleSet
from corridor.programmes.selectors import rule_version_in_force
from corridor.returns.models import (
    PROTECTED_REASONS,
    EarlyReason,
    EmployerEvaluation,
    FlagStatus,
    OverstayFlag,
    OverstayResolution,
    Payout,
    PayoutKind,
    PayoutStatus,
    RetaliationFlag,
    RetaliationStatus,
    ReturnRecord,
    WorkerEvaluation,
)
from corridor.selection.models import (
    Nomination,
    NominationStatus,
    Preference,
    RoundStatus,
    SeasonRecord,
    SelectionRound,
)
from corridor.selection.services import is_ministry
from corridor.workers.models import ConsentPurpose, Worker, consent_q

MAX_TEXT = 4000
MAX_EVIDENCE = 500
MAX_MONEY = Decimal("10000000")
EVALUATION_WINDOW_DAYS = 30
IN_STAY = (path.TRAVELLED, path.EMPLOYED, path.CHANGING_EMPLOYER)
AFTER_DEPARTURE = IN_STAY + (path.RETURNED, path.OVERSTAYED, path.STATUS_CHANGED, path.MOVED)
PDF_MAGIC, JPEG_MAGIC, PNG_MAGIC = b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"
EVIDENCE_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
WORKER_SCORES = ("pay", "housing", "safety", "respect", "would_return")
EMPLOYER_SCORES = ("skills", "reliability", "would_rehire")


# --- who may act -------------------------------------------------------------------------------------------------


def _programme(journey: Journey):
    return journey.placement.job_order.programme


def is_inspector(actor, programme) -> bool:
    org = organisation_of(actor)
    return bool(Role.LABOUR_INSPECTOR in roles_of(actor) and org is not None
                and org.kind == OrgKind.LABOUR_INSPECTORATE and org.country == programme.destination_country)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


def _text(value: Any, name: str, errors: list, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = str(value if value is not None else "").strip()
    if required and not text:
        errors.append({"field": name, "message": "This is required."})
    elif len(text) > limit:
        errors.append({"field": name, "message": f"At most {limit} characters."})
    return text[:limit]


def _locked(journey: Journey) -> Journey:
    return Journey.objects.select_for_update(of=("self",)).select_related(
        "worker__user", "placement__job_order__programme", "placement__job_order__employer__organisation",
    ).get(pk=journey.pk)


# --- facts of a journey ------------------------------------------------------------------------------------------


def contract_end(journey: Journey) -> datetime.date:
    """The end date of the worker's contract: the accepted contract's, else the job order's."""
    contract = contracts.in_force(journey.placement)
    end = ((contract.content or {}).get("duration") or {}).get("end") if contract is not None else None
    try:
        return datetime.date.fromisoformat(str(end)[:10]) if end else journey.placement.job_order.end_date
    except ValueError:
        return journey.placement.job_order.end_date


def journey_chain(journey: Journey) -> list[Journey]:
    """The journey and those with the worker's previous employers (`previous`), newest first."""
    chain, seen = [], set()
    current = journey
    while current is not None and current.pk not in seen:
        chain.append(current)
        seen.add(current.pk)
        current = current.previous
    return chain


def latest_permit(journey: Journey) -> Permit | None:
    """The permit that ends last, of the journey or of its previous journeys."""
    ids = [j.pk for j in journey_chain(journey)]
    return Permit.objects.filter(journey_id__in=ids).order_by("-valid_until", "-valid_from", "-pk").first()


def grace_until(journey: Journey) -> datetime.date | None:
    """For a worker changing employer: the last day of the programme's grace period to find a new employer."""
    if journey.state != path.CHANGING_EMPLOYER:
        return None
    started = timezone.localdate(journey.state_since)
    version = rule_version_in_force(programme=_programme(journey), day=started)
    days = RuleSet.model_validate(version.rules).employer_change.grace_period_days if version else 0
    return started + datetime.timedelta(days=days)


def recall_standing(*, early: bool, reason: str, late: bool) -> tuple[bool, str]:
    """Whether a return counts as "returned as agreed" for recall by rule, and why (the rule of docs/returns.md)."""
    if late:
        return False, "Returned after the permit (and any grace period) ended: not counted as returned as agreed."
    if not early:
        return True, "Returned at or after the end of the contract, within the permit: returned as agreed."
    label = str(EarlyReason(reason).label) if reason in EarlyReason.values else reason
    if reason in PROTECTED_REASONS:
        return True, (f"An early return for a reason the worker is not to be punished for ({label}): counted as "
                      "returned as agreed; recall priority is kept.")
    return False, f"An early return for this reason ({label}): not counted as returned as agreed."


def evidence_type(upload) -> str:
    """The evidence file's content type from its first bytes (PDF, JPEG or PNG), or InvalidInput."""
    limit = settings.CORRIDOR_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise InvalidInput(f"The file is larger than {limit // (1024 * 1024)} MiB.", field="evidence_file")
    head = upload.read(len(PNG_MAGIC))
    upload.seek(0)
    if head.startswith(PDF_MAGIC):
        return "application/pdf"
    if head.startswith(JPEG_MAGIC):
        return "image/jpeg"
    if head.startswith(PNG_MAGIC):
        return "image/png"
    raise InvalidInput("The file must be a PDF, JPEG or PNG.", field="evidence_file")


# --- the return --------------------------------------------------------------------------------------------------


@dataclass
class _Details:
    evidence: str
    upload: Any
    content_type: str
    reason: str
    reason_text: str
    note: str


def _details(data: dict, errors: list) -> _Details:
    evidence = _text(data.get("evidence"), "evidence", errors, limit=MAX_EVIDENCE)
    upload = data.get("evidence_file")
    content_type = ""
    if upload is not None:
        try:
            content_type = evidence_type(upload)
        except InvalidInput as exc:
            errors.extend(exc.as_errors())
    reason = str(data.get("early_reason") or "").strip()
    if reason and reason not in EarlyReason.values:
        errors.append({"field": "early_reason", "message": f"Choose one of {', '.join(EarlyReason.values)}."})
    reason_text = _text(data.get("early_reason_text"), "early_reason_text", errors, required=False,
                        limit=MAX_EVIDENCE)
    note = _text(data.get("note"), "note", errors, required=False)
    return _Details(evidence, upload, content_type, reason, reason_text, note)


def _standing(journey: Journey, day: datetime.date, d: _Details, errors: list) -> tuple[bool, bool, bool, str]:
    """(early, late, counts as agreed, explanation); an early return without its reason adds an error."""
    early = day < contract_end(journey)
    if early and not d.reason:
        errors.append({"field": "early_reason", "message": "The worker returned before the end of the contract "
                       f"({contract_end(journey).isoformat()}): choose the reason."})
    if early and d.reason == EarlyReason.OTHER and not d.reason_text:
        errors.append({"field": "early_reason_text", "message": "Say what the reason was."})
    if not early:
        d.reason, d.reason_text = "", ""
    permit = latest_permit(journey)
    grace = grace_until(journey)
    late = bool(permit is not None and day > permit.valid_until and not (grace and day <= grace))
    agreed, why = recall_standing(early=early, reason=d.reason, late=late)
    return early, late, agreed, why


def _create_record(actor, journey: Journey, day: datetime.date, d: _Details, early: bool, late: bool, agreed: bool,
                   why: str) -> ReturnRecord:
    record = ReturnRecord(journey=journey, returned_on=day, evidence=d.evidence, early=early, early_reason=d.reason,
                          early_reason_text=d.reason_text, late=late, counts_as_agreed=agreed, explanation=why,
                          note=d.note, recorded_by=actor)
    if d.upload is not None:
        record.evidence_content_type, record.evidence_size = d.content_type, d.upload.size
        record.evidence_file.save(f"return-{journey.pk}.{EVIDENCE_TYPES[d.content_type]}", d.upload, save=False)
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise Conflict("This journey's return is already registered.", field="journey") from None
    _close_overstay_flag(actor, journey, "The return was registered.")
    audit.record(actor=actor, action="return.register", subject=record,
                 after=audit.snapshot(record, exclude=("evidence_file",)), reason=why,
                 programme_id=journey.placement.job_order.programme_id)
    return record


def _close_overstay_flag(actor, journey: Journey, note: str) -> None:
    flag = OverstayFlag.objects.select_for_update().filter(journey=journey, status=FlagStatus.OPEN).first()
    if flag is None:
        return
    before = audit.snapshot(flag)
    flag.status, flag.resolution, flag.resolution_note = FlagStatus.RESOLVED, OverstayResolution.RETURNED, note
    flag.resolved_by, flag.resolved_at = actor, timezone.now()
    flag.save()
    audit.record(actor=actor, action="overstay_flag.resolve", subject=flag, before=before, after=audit.snapshot(flag),
                 reason=note, programme_id=journey.placement.job_order.programme_id)


@transaction.atomic
def return_register(*, actor, journey: Journey, **data: Any) -> ReturnRecord:
    """The origin authority registers the return: `returned_on`, `evidence` (required text), `evidence_file`
    (optional PDF/JPEG/PNG), and for a return before the contract's end `early_reason` (and `early_reason_text`
    for "other"); `note`. The journey ends 'returned' and the season record is written with the recall standing of
    `recall_standing`. Errors of deployment's checks (a return before the arrival or in the future) are named on
    `returned_on`; nothing is saved unless everything is."""
    journey = _locked(journey)
    _require(dp.is_origin(actor, journey), "Only the worker's origin authority registers the return.")
    if ReturnRecord.objects.filter(journey=journey).exists():
        raise Conflict("This journey's return is already registered.", field="journey")
    if journey.state not in path.ACTIONS["return"][0]:
        raise Conflict(str(path.TransitionRefused(journey.state, "return")), field="state")
    errors: list = []
    day = date_field(data, "returned_on", errors)
    d = _details(data, errors)
    early = late = agreed = False
    why = ""
    if day is not None:
        early, late, agreed, why = _standing(journey, day, d, errors)
        try:
            with transaction.atomic():
                dp.return_record(actor=actor, journey=journey, returned_on=day, as_agreed=agreed,
                                 note=d.note or why)
        except InvalidInput as exc:
            errors = exc.as_errors() + errors
    if errors:
        raise InvalidInput(errors)
    journey.refresh_from_db()
    return _create_record(actor, journey, day, d, early, late, agreed, why)


@transaction.atomic
def return_details_add(*, actor, journey: Journey, **data: Any) -> ReturnRecord:
    """For a journey whose return is recorded already (deployment's `return_record`) but has no return record: add
    the evidence and any early-return reason. The recall standing follows the same rule; when it differs from what
    was recorded, the journey and the season record are corrected, and the correction audited."""
    journey = _locked(journey)
    _require(dp.is_origin(actor, journey), "Only the worker's origin authority registers the return.")
    if journey.state != path.RETURNED or journey.returned_on is None:
        raise Conflict("The journey has no recorded return; register the return itself.", field="state")
    if ReturnRecord.objects.filter(journey=journey).exists():
        raise Conflict("This journey's return is already registered.", field="journey")
    errors: list = []
    d = _details(data, errors)
    early, late, agreed, why = _standing(journey, journey.returned_on, d, errors)
    if errors:
        raise InvalidInput(errors)
    if journey.returned_as_agreed != agreed:
        before = audit.snapshot(journey)
        journey.returned_as_agreed = agreed
        journey.save(update_fields=["returned_as_agreed"])
        order = journey.placement.job_order
        SeasonRecord.objects.filter(worker=journey.worker, programme=order.programme, year=order.start_date.year,
                                    employer=order.employer).update(returned_as_agreed=agreed)
        audit.record(actor=actor, action="journey.return_standing", subject=journey, before=before,
                     after=audit.snapshot(journey), reason=why, programme_id=order.programme_id)
    return _create_record(actor, journey, journey.returned_on, d, early, late, agreed, why)


# --- payouts -----------------------------------------------------------------------------------------------------


def _amount(raw: Any, errors: list) -> Decimal | None:
    if raw is None or str(raw).strip() == "":
        errors.append({"field": "amount", "message": "This is required."})
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        errors.append({"field": "amount", "message": "Give a number."})
        return None
    if not value.is_finite() or value <= 0:
        errors.append({"field": "amount", "message": "Give an amount above zero."})
        return None
    if value > MAX_MONEY:
        errors.append({"field": "amount", "message": f"At most {MAX_MONEY}."})
        return None
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def payout_record(*, actor, journey: Journey, **data: Any) -> Payout:
    """The employer, the origin authority or the destination ministry records a payout transferred to the worker:
    `kind` (final_pay, savings, insurance), `amount`, `currency`, `transferred_on`, `reference`. The worker is told
    and asked to confirm receipt."""
    journey = _locked(journey)
    programme = _programme(journey)
    _require(dp.is_employer(actor, journey) or dp.is_origin(actor, journey) or is_ministry(actor, programme),
             "Only the employer, the worker's origin authority or the destination ministry records payouts.")
    if journey.state not in AFTER_DEPARTURE:
        raise Conflict("The worker has not travelled; there is no end-of-stay payout yet.", field="journey")
    errors: list = []
    kind = str(data.get("kind") or "").strip()
    if kind not in PayoutKind.values:
        errors.append({"field": "kind", "message": f"Choose one of {', '.join(PayoutKind.values)}."})
    amount = _amount(data.get("amount"), errors)
    currency = str(data.get("currency") or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        errors.append({"field": "currency", "message": "Give an ISO 4217 currency code."})
    day = date_field(data, "transferred_on", errors)
    if day is not None and day > timezone.localdate():
        errors.append({"field": "transferred_on", "message": "The transfer date is in the future."})
    reference = _text(data.get("reference"), "reference", errors, limit=100)
    if errors:
        raise InvalidInput(errors)
    if Payout.objects.filter(journey=journey, kind=kind, reference=reference).exists():
        raise Conflict(f"A {kind} payout with reference {reference} is already recorded.", field="reference")
    payout = Payout.objects.create(journey=journey, kind=kind, amount=amount, currency=currency, transferred_on=day,
                                   reference=reference, recorded_by=actor)
    audit.record(actor=actor, action="payout.record", subject=payout, after=audit.snapshot(payout),
                 programme_id=programme.pk, organisation_id=journey.placement.job_order.employer.organisation_id)
    notify.send(notify.Notice(
        kind="returns.payout_recorded", category=Category.WAGE, subject=payout, programme_id=programme.pk,
        message=gettext_noop("A payout of %(amount)s %(currency)s (%(kind)s) was sent to you on %(date)s. Please "
                             "say whether you received it."),
        params={"amount": amount, "currency": currency, "kind": PayoutKind(kind).label, "date": day.isoformat()},
        link="/returns/me/"), users=[journey.worker.user])
    return payout


@transaction.atomic
def payout_confirm(*, actor, payout: Payout, received: Any, note: Any = "") -> Payout:
    """The worker confirms receipt of a payout, or says it was not received: then the labour inspectorate and the
    origin authority are told."""
    payout = Payout.objects.select_for_update(of=("self",)).select_related(
        "journey__worker", "journey__placement__job_order__programme").get(pk=payout.pk)
    journey = payout.journey
    _require(contracts.is_worker(actor, journey.worker), "Only the worker confirms a payout.")
    if payout.status != PayoutStatus.RECORDED:
        raise Conflict("You have already answered about this payout.", field="received")
    errors: list = []
    if isinstance(received, bool):
        got = received
    elif str(received).strip().lower() in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        got = str(received).strip().lower() in ("1", "true", "yes", "on")
    else:
        errors.append({"field": "received", "message": "Say whether you received it."})
        got = False
    words = _text(note, "note", errors, required=False)
    if errors:
        raise InvalidInput(errors)
    before = audit.snapshot(payout)
    payout.status = PayoutStatus.RECEIVED if got else PayoutStatus.NOT_RECEIVED
    payout.answered_at, payout.worker_note = timezone.now(), words
    payout.save()
    programme = _programme(journey)
    audit.record(actor=actor, action="payout.confirm", subject=payout, before=before, after=audit.snapshot(payout),
                 reason=words, programme_id=programme.pk)
    if not got:
        notify.send(notify.Notice(
            kind="returns.payout_not_received", category=Category.WAGE, subject=payout, programme_id=programme.pk,
            message=gettext_noop("Worker %(worker)s says the %(kind)s of %(amount)s %(currency)s recorded by "
                                 "%(employer)s (reference %(reference)s) was not received."),
            params={"worker": journey.worker.public_id, "kind": PayoutKind(payout.kind).label,
                    "amount": payout.amount, "currency": payout.currency, "reference": payout.reference,
                    "employer": journey.placement.job_order.employer.organisation.name},
            link=f"/returns/payouts/?status={PayoutStatus.NOT_RECEIVED}"),
            organisations=labour_inspectorates(programme.destination_country, programme.pk)
            + origin_authorities(journey.worker.nationality, programme.pk))
    return payout


# --- the overstay prompt -----------------------------------------------------------------------------------------


@dataclass
class OverstayScan:
    day: datetime.date
    flagged: list[OverstayFlag] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (journey id, reason)


def _officials(programme, worker) -> list[tuple[int, str]]:
    country = programme.destination_country
    return (role_organisations(Role.IMMIGRATION_OFFICER, country=country, programme_id=programme.pk,
                               kind=OrgKind.IMMIGRATION_AUTHORITY)
            + role_organisations(Role.MINISTRY_OFFICER, country=country, programme_id=programme.pk,
                                 kind=OrgKind.DESTINATION_MINISTRY)
            + role_organisations(Role.MINISTRY_ADMIN, country=country, programme_id=programme.pk,
                                 kind=OrgKind.DESTINATION_MINISTRY)
            + origin_authorities(worker.nationality, programme.pk))


def overstay_scan(*, day: datetime.date | None = None) -> OverstayScan:
    """Flag each journey still in the stay (travelled, employed, changing employer) whose latest permit (its own or
    a previous journey's) ended before `day` with no return registered. A worker in the grace period of a change of
    employer is not flagged; the reason is reported. One flag per journey: running it again changes nothing."""
    day = day or timezone.localdate()
    result = OverstayScan(day=day)
    journeys = (Journey.objects.filter(state__in=IN_STAY, return_record__isnull=True, overstay_flag__isnull=True)
                .select_related("worker__user", "placement__job_order__programme").order_by("pk"))
    for journey in journeys.iterator(chunk_size=500):
        permit = latest_permit(journey)
        if permit is None:
            result.skipped.append((journey.pk, "No permit is recorded for this journey."))
            continue
        if permit.valid_until >= day:
            continue
        grace = grace_until(journey)
        if grace is not None and grace >= day:
            result.skipped.append((journey.pk, f"In the grace period of a change of employer until {grace.isoformat()}; "
                                               f"the permit ended on {permit.valid_until.isoformat()}."))
            continue
        flag = _raise_overstay_flag(journey, permit, day)
        if flag is not None:
            result.flagged.append(flag)
    return result


@transaction.atomic
def _raise_overstay_flag(journey: Journey, permit: Permit, day: datetime.date) -> OverstayFlag | None:
    try:
        with transaction.atomic():
            flag = OverstayFlag.objects.create(journey=journey, permit=permit, permit_ended_on=permit.valid_until,
                                               raised_on=day)
    except IntegrityError:
        return None
    programme = _programme(journey)
    audit.record(actor=None, action="overstay_flag.raise", subject=flag, after=audit.snapshot(flag),
                 reason="The latest permit ended and no return is registered: a prompt to check, not a finding.",
                 programme_id=programme.pk)
    params = {"worker": journey.worker.public_id, "date": permit.valid_until.isoformat()}
    batch = [(notify.Notice(
        kind="returns.overstay_flag", category=Category.PERMIT, subject=flag, programme_id=programme.pk,
        message=gettext_noop("The permit of worker %(worker)s ended on %(date)s and no return is registered. This is "
                             "a prompt to check (a return not yet registered, a renewal, a change of employer), not "
                             "a finding."),
        params=params, link=f"/returns/overstay/{flag.pk}/"), [], _officials(programme, journey.worker))]
    if journey.worker.user_id:
        batch.append((notify.Notice(
            kind="returns.permit_ended", category=Category.PERMIT, subject=flag, programme_id=programme.pk,
            message=gettext_noop("Your permit ended on %(date)s. If you have already gone home, or your permit was "
                                 "renewed, please tell your origin authority or the liaison office so that they can "
                                 "record it. If you are changing employer, you may have the right to stay during a "
                                 "grace period: contact the liaison office or the labour inspectorate for free advice "
                                 "before you do anything else."),
            params=params, link="/returns/me/"), [journey.worker.user_id], []))
    notify.send_many(batch)
    return flag


@transaction.atomic
def overstay_flag_resolve(*, actor, flag: OverstayFlag, resolution: Any, note: Any) -> OverstayFlag:
    """An official resolves the prompt: the worker returned (registered first by the origin authority), the permit
    was renewed, the worker is in the grace period of a change of employer, or (the immigration authority only)
    the stay beyond the permit is confirmed, which ends the journey 'overstayed' through deployment."""
    flag = OverstayFlag.objects.select_for_update(of=("self",)).select_related(
        "journey__worker", "journey__placement__job_order__programme").get(pk=flag.pk)
    journey = flag.journey
    programme = _programme(journey)
    immigration = dp.is_immigration(actor, journey)
    _require(immigration or is_ministry(actor, programme) or dp.is_origin(actor, journey),
             "Only the immigration authority, the destination ministry or the origin authority resolves this flag.")
    if flag.status != FlagStatus.OPEN:
        raise Conflict("This flag is already resolved.", field="status")
    errors: list = []
    choice = str(resolution or "").strip()
    if choice not in OverstayResolution.values:
        errors.append({"field": "resolution", "message": f"Choose one of {', '.join(OverstayResolution.values)}."})
    text = _text(note, "note", errors)
    if errors:
        raise InvalidInput(errors)
    if choice == OverstayResolution.RETURNED and journey.state != path.RETURNED:
        raise Conflict("No return is registered for this journey: the origin authority registers it first.",
                       field="resolution")
    if choice == OverstayResolution.GRACE_PERIOD and journey.state != path.CHANGING_EMPLOYER:
        raise Conflict("The worker is not changing employer.", field="resolution")
    if choice in (OverstayResolution.PERMIT_RENEWED, OverstayResolution.OVERSTAY_CONFIRMED) and not immigration:
        raise Forbidden("Only the immigration authority records a renewed permit or a stay beyond the permit.")
    if choice == OverstayResolution.OVERSTAY_CONFIRMED:
        dp.overstay_record(actor=actor, journey=journey, note=text)
    before = audit.snapshot(flag)
    flag.status, flag.resolution, flag.resolution_note = FlagStatus.RESOLVED, choice, text
    flag.resolved_by, flag.resolved_at = actor, timezone.now()
    flag.save()
    audit.record(actor=actor, action="overstay_flag.resolve", subject=flag, before=before, after=audit.snapshot(flag),
                 reason=text, programme_id=programme.pk)
    return flag


# --- evaluations -------------------------------------------------------------------------------------------------


def evaluation_window(journey: Journey, day: datetime.date | None = None) -> str:
    """Why an evaluation cannot be given now, or "" when it can: after the return (or the end of the stay with this
    employer), or within the last 30 days of the contract."""
    day = day or timezone.localdate()
    if journey.state in (path.RETURNED, path.MOVED):
        return ""
    end = contract_end(journey)
    if journey.state in IN_STAY and end - datetime.timedelta(days=EVALUATION_WINDOW_DAYS) <= day:
        return ""
    return (f"Evaluations open in the last {EVALUATION_WINDOW_DAYS} days of the contract (it ends on "
            f"{end.isoformat()}) or after the return.")


def _scores(data: dict, names: tuple[str, ...], errors: list) -> dict[str, int]:
    out = {}
    for name in names:
        raw = data.get(name)
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            value = 0
        if isinstance(raw, bool) or not 1 <= value <= 5:
            errors.append({"field": name, "message": "Give a score from 1 to 5."})
        out[name] = value
    return out


@transaction.atomic
def employer_evaluate(*, actor, journey: Journey, **data: Any) -> EmployerEvaluation:
    """The worker evaluates the employer (pay, housing, safety, respect, would return: 1 to 5; a comment). Once per
    journey. The employer never sees it by name: only the aggregate of at least three."""
    journey = _locked(journey)
    _require(contracts.is_worker(actor, journey.worker), "Only the worker evaluates their employer.")
    closed = evaluation_window(journey)
    if closed:
        raise Conflict(closed, field="journey")
    if EmployerEvaluation.objects.filter(journey=journey).exists():
        raise Conflict("You have already evaluated this employer for this season.", field="journey")
    errors: list = []
    scores = _scores(data, WORKER_SCORES, errors)
    comment = _text(data.get("comment"), "comment", errors, required=False)
    if errors:
        raise InvalidInput(errors)
    order = journey.placement.job_order
    evaluation = EmployerEvaluation.objects.create(journey=journey, employer=order.employer, programme=order.programme,
                                                   comment=comment, submitted_by=actor, **scores)
    audit.record(actor=actor, action="evaluation.employer", subject=evaluation, after=audit.snapshot(evaluation),
                 programme_id=order.programme_id)
    return evaluation


@transaction.atomic
def worker_evaluate(*, actor, journey: Journey, **data: Any) -> WorkerEvaluation:
    """The employer evaluates the worker (skills, reliability, would re-hire: 1 to 5; a comment). Once per journey.
    The worker sees it and may answer; it never changes the worker's season record or recall by rule."""
    journey = _locked(journey)
    _require(dp.is_employer(actor, journey), "Only the worker's employer evaluates the worker.")
    closed = evaluation_window(journey)
    if closed:
        raise Conflict(closed, field="journey")
    if WorkerEvaluation.objects.filter(journey=journey).exists():
        raise Conflict("You have already evaluated this worker for this season.", field="journey")
    errors: list = []
    scores = _scores(data, EMPLOYER_SCORES, errors)
    comment = _text(data.get("comment"), "comment", errors, required=False)
    if errors:
        raise InvalidInput(errors)
    evaluation = WorkerEvaluation.objects.create(journey=journey, comment=comment, submitted_by=actor, **scores)
    order = journey.placement.job_order
    audit.record(actor=actor, action="evaluation.worker", subject=evaluation, after=audit.snapshot(evaluation),
                 programme_id=order.programme_id, organisation_id=order.employer.organisation_id)
    if journey.worker.user_id:
        notify.send(notify.Notice(
            kind="returns.evaluated", category=Category.COMPLAINT, subject=evaluation, programme_id=order.programme_id,
            message=gettext_noop("%(employer)s evaluated your season. You can read it and answer in your own words. "
                                 "An evaluation never takes away your priority for recall."),
            params={"employer": order.employer.organisation.name}, link="/returns/me/"),
            users=[journey.worker.user_id])
    return evaluation


@transaction.atomic
def evaluation_respond(*, actor, evaluation: WorkerEvaluation, response: Any) -> WorkerEvaluation:
    """The worker answers the employer's evaluation in their own words (once)."""
    evaluation = WorkerEvaluation.objects.select_for_update(of=("self",)).select_related(
        "journey__worker", "journey__placement__job_order").get(pk=evaluation.pk)
    _require(contracts.is_worker(actor, evaluation.journey.worker), "Only the worker answers this evaluation.")
    if evaluation.worker_response:
        raise Conflict("You have already answered this evaluation.", field="response")
    errors: list = []
    text = _text(response, "response", errors)
    if errors:
        raise InvalidInput(errors)
    before = audit.snapshot(evaluation)
    evaluation.worker_response, evaluation.responded_at = text, timezone.now()
    evaluation.save(update_fields=["worker_response", "responded_at"])
    audit.record(actor=actor, action="evaluation.respond", subject=evaluation, before=before,
                 after=audit.snapshot(evaluation), programme_id=evaluation.journey.placement.job_order.programme_id)
    return evaluation


# --- possible retaliation ----------------------------------------------------------------------------------------

# Each source gives, for a journey, what the worker raised against the employer that season: [{kind, id, on, text}].
# The complaints app registers its own source here when it comes (register_grounds_source).
_GROUNDS: list[Callable[[Journey], list[dict]]] = []


def register_grounds_source(fn: Callable[[Journey], list[dict]]) -> None:
    if fn not in _GROUNDS:
        _GROUNDS.append(fn)


def _disputes(journey: Journey) -> list[dict]:
    return [{"kind": "payslip_dispute", "id": d.pk, "on": timezone.localdate(d.raised_at).isoformat(),
             "text": f"Disputed the payslip of {d.payslip.period_start.isoformat()} to {d.payslip.period_end.isoformat()}."}
            for d in PayslipDispute.objects.filter(payslip__journey=journey).select_related("payslip").order_by("pk")]


def _alerts(journey: Journey) -> list[dict]:
    return [{"kind": "substitution_alert", "id": a.pk, "on": timezone.localdate(a.raised_at).isoformat(),
             "text": f"Substitution alert on {a.field}: contract {a.contract_value}, declared {a.declared_value}."}
            for a in SubstitutionAlert.objects.filter(journey=journey).order_by("pk")]


register_grounds_source(_disputes)
register_grounds_source(_alerts)


def grounds_of(journey: Journey) -> list[dict]:
    found: list[dict] = []
    for source in _GROUNDS:
        found.extend(source(journey))
    return found


def _scan_round(rnd: SelectionRound) -> list[RetaliationFlag]:
    named = (Nomination.objects.filter(round=rnd).exclude(status=NominationStatus.WITHDRAWN)
             .values_list("job_order__employer_id", "worker_id"))
    by_employer: dict[int, set[int]] = {}
    for employer_id, worker_id in named:
        by_employer.setdefault(employer_id, set()).add(worker_id)
    if not by_employer:
        return []
    taking_part = set(Preference.objects.filter(round=rnd).values_list("worker_id", flat=True))
    programme = rnd.programme
    created: list[RetaliationFlag] = []
    seasons = (Journey.objects.filter(placement__job_order__programme=programme,
                                      placement__job_order__employer_id__in=list(by_employer),
                                      departed_on__isnull=False, placement__created_at__lt=rnd.created_at)
               .exclude(placement__outcome__run__round=rnd)
               .select_related("worker", "placement__job_order__employer__organisation").order_by("pk"))
    for journey in seasons:
        order = journey.placement.job_order
        worker = journey.worker
        if worker.pk in by_employer[order.employer_id]:
            continue
        grounds = grounds_of(journey)
        if not grounds:
            continue
        in_pool = worker.pk in taking_part or Worker.objects.filter(pk=worker.pk).filter(
            consent_q("", purpose=ConsentPurpose.SELECTION, programme_id=programme.pk)).exists()
        if not in_pool:
            continue
        flag = _raise_retaliation_flag(rnd, journey, grounds, len(by_employer[order.employer_id]))
        if flag is not None:
            created.append(flag)
    return created


def _raise_retaliation_flag(rnd: SelectionRound, journey: Journey, grounds: list[dict], named: int):
    order = journey.placement.job_order
    try:
        with transaction.atomic():
            flag = RetaliationFlag.objects.create(
                worker=journey.worker, employer=order.employer, round=rnd, programme=rnd.programme, journey=journey,
                season_year=order.start_date.year, grounds=grounds, named_count=named)
            audit.record(actor=None, action="retaliation_flag.raise", subject=flag, after=audit.snapshot(flag),
                         reason="The employer named workers for recall but not this worker, who raised something "
                                "with the employer in an earlier season: a prompt to review, not a finding.",
                         programme_id=rnd.programme_id)
            notify.send(notify.Notice(
                kind="returns.retaliation_flag", category=Category.COMPLAINT, subject=flag, programme_id=rnd.programme_id,
                message=gettext_noop("Possible retaliation: %(employer)s named %(named)s worker(s) for recall in "
                                     "round %(round)s but not worker %(worker)s, who in the %(season)s season "
                                     "disputed a payslip or had a substitution alert with them. Please review."),
                params={"employer": order.employer.organisation.name, "named": named, "round": rnd.number,
                        "worker": journey.worker.public_id, "season": order.start_date.year},
                link=f"/returns/retaliation/{flag.pk}/"),
                organisations=labour_inspectorates(rnd.programme.destination_country, rnd.programme_id))
    except IntegrityError:
        return None
    return flag


@transaction.atomic
def retaliation_scan(*, actor, rnd: SelectionRound) -> list[RetaliationFlag]:
    """The destination ministry (or the daily run, actor None) scans a round's nominations for possible
    retaliation. Returns the new flags; running it again adds none for the same worker, employer and round."""
    rnd = SelectionRound.objects.select_related("programme").get(pk=rnd.pk)
    if actor is not None:
        _require(is_ministry(actor, rnd.programme) or is_inspector(actor, rnd.programme),
                 "Only the destination ministry or the labour inspectorate scans a round.")
    return _scan_round(rnd)


@transaction.atomic
def retaliation_decide(*, actor, flag: RetaliationFlag, decision: Any, reason: Any) -> RetaliationFlag:
    """The labour inspectorate dismisses the flag with reasons, or refers it for inspection."""
    flag = RetaliationFlag.objects.select_for_update(of=("self",)).select_related("programme").get(pk=flag.pk)
    _require(is_inspector(actor, flag.programme), "Only the labour inspectorate reviews retaliation flags.")
    if flag.status != RetaliationStatus.OPEN:
        raise Conflict("This flag is already decided.", field="status")
    errors: list = []
    choice = {"dismiss": RetaliationStatus.DISMISSED, "refer": RetaliationStatus.REFERRED}.get(
        str(decision or "").strip())
    if choice is None:
        errors.append({"field": "decision", "message": "Choose dismiss or refer."})
    text = _text(reason, "reason", errors)
    if errors:
        raise InvalidInput(errors)
    before = audit.snapshot(flag)
    flag.status, flag.decision, flag.decided_by, flag.decided_at = choice, text, actor, timezone.now()
    flag.save()
    audit.record(actor=actor, action="retaliation_flag.decide", subject=flag, before=before,
                 after=audit.snapshot(flag), reason=text, programme_id=flag.programme_id)
    return flag


# --- the daily run -----------------------------------------------------------------------------------------------

RECENT_ROUND_DAYS = 60


def daily(*, day: datetime.date | None = None) -> dict:
    """What `corridor returns-daily` runs: the overstay scan, then the retaliation scan of every open round and of
    rounds closed in the last 60 days. Safe to run more than once a day."""
    day = day or timezone.localdate()
    scan = overstay_scan(day=day)
    since = timezone.now() - datetime.timedelta(days=RECENT_ROUND_DAYS)
    rounds = (SelectionRound.objects.filter(nominations__isnull=False).distinct()
              .filter(Q(status=RoundStatus.OPEN) | Q(closed_at__gte=since)).select_related("programme").order_by("pk"))
    flags: list[RetaliationFlag] = []
    for rnd in rounds:
        flags.extend(retaliation_scan(actor=None, rnd=rnd))
    return {"day": day, "overstay_flags": scan.flagged, "skipped": scan.skipped, "retaliation_flags": flags}
