"""Changing the recruitment-cost ledger: one atomic, audited function per state change (fair recruitment principle 7;
the ILO definition of recruitment fees and related costs, 2018; guideline 6.2; SDG indicator 10.7.1).

Who records a cost:
- the worker, for themselves (source "worker"); the worker can always record, whoever was paid;
- a recruitment agency (source "agency"), only under a licence in force on the day of payment that covers the
  programme and the worker's nationality, and only for a worker who consented to it;
- a labour inspector of the programme's destination or of the worker's country (source "inspector");
- an employer (source "employer"), for its own employer profile and a worker whose profile it may see.

Every entry is assessed (`fees.assess`) against the fee policy of the programme's rule version in force on the day
of payment (no programme, or no version in force that day: principle 7 alone). A violation gets a refund order in the
same transaction, due in REFUND_DAYS days, owed by the agency named and/or the employer named; where an agency is
named and it recruits for exactly one employer under the programme (AgencyEmployerLink), that employer answers
jointly. Where nobody can be named yet (a worker who paid "a man in the village"), the entry is recorded as a
violation all the same and the refund order is created when the worker, the origin authority or an inspector names
the agency or employer (`cost_name_debtor`).

A refund order is closed when the debtor pays (`refund_mark_paid`: recorded by the origin authority, an inspector or
the worker) or, once past due, by a draw on the agency's guarantee deposit (`refund_draw_from_deposit`: the origin
authority that licensed the agency). A deposit is never drawn below zero: when it is short, what is there is drawn,
`amount_recovered` grows and the rest of the order stays open.

Contesting an entry (an agency disputing what a worker recorded) is not part of this module: the agency tells the
origin authority or the inspector, whose own findings are recorded as entries of their own.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import ROUND_DOWN, ROUND_UP, Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from corridor.accounts.models import Organisation, OrgKind
from corridor.core import audit
from corridor.core.access import Role, organisation_of, roles_of
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.employers.models import EmployerProfile
from corridor.programmes.models import Programme
from corridor.programmes.selectors import rule_version_in_force
from corridor.recruitment import fees
from corridor.recruitment.models import (
    WORKER_BORNE,
    AgencyEmployerLink,
    AgencyLicence,
    CostCategory,
    CostEntry,
    CostSource,
    FirstEarnings,
    LicenceStatus,
    Payer,
    RefundOrder,
    RefundStatus,
)
from corridor.recruitment.selectors import active_licence, agency_may_act
from corridor.reference import codes
from corridor.workers.models import Worker

REFUND_DAYS = 30
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # what the columns hold (12 digits, 2 decimals)
MAX_RATE = Decimal("1000000")
MAX_RATES = 20
MAX_NOTE = 5000
EARLIEST = datetime.date(1950, 1, 1)
RECEIPT_TYPES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


# --- field checks ------------------------------------------------------------------------------------------------


def _text(value, name: str, errors: list, *, max_length: int = 200, required: bool = False) -> str:
    if value is not None and not isinstance(value, str | int | float | Decimal):
        errors.append({"field": name, "message": "Must be a text."})
        return ""
    text = str(value if value is not None else "").strip()
    if "\x00" in text:
        errors.append({"field": name, "message": "Contains a NUL character."})
        return ""
    if required and not text:
        errors.append({"field": name, "message": "This field is required."})
    elif len(text) > max_length:
        errors.append({"field": name, "message": f"Use at most {max_length} characters."})
        return ""
    return text


def _amount(value, name: str, errors: list, *, maximum: Decimal = MAX_AMOUNT, places: Decimal = CENT) -> Decimal | None:
    if value is None or isinstance(value, bool) or str(value).strip() == "":
        errors.append({"field": name, "message": "This field is required: give the amount paid."})
        return None
    if not isinstance(value, str | int | float | Decimal):
        errors.append({"field": name, "message": "Must be a number."})
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", "."))
        if not amount.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.append({"field": name, "message": f"{str(value)[:40]!r} is not a number."})
        return None
    if amount <= 0:
        errors.append({"field": name, "message": "Must be more than 0."})
        return None
    if amount > maximum:
        errors.append({"field": name, "message": f"Must be at most {maximum}."})
        return None
    if amount != amount.quantize(places):
        errors.append({"field": name, "message": f"Use at most {abs(places.as_tuple().exponent)} decimals."})
        return None
    return amount


def _currency(value, name: str, errors: list) -> str:
    code = value.strip().upper() if isinstance(value, str) else ""
    if not code:
        errors.append({"field": name, "message": "This field is required: give the currency (ISO 4217 code, e.g. MXN)."})
        return ""
    if not codes.is_currency(code):
        errors.append({"field": name, "message": f"Unknown ISO 4217 currency code {code[:10]!r}."})
        return ""
    return codes.normalise_currency(code) or code


def _date(value, name: str, errors: list, *, today: datetime.date, required: bool = True) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        if value is None or str(value).strip() == "":
            if required:
                errors.append({"field": name, "message": "This field is required."})
            return None
        try:
            value = datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            errors.append({"field": name, "message": f"{str(value)[:40]!r} is not a date (YYYY-MM-DD)."})
            return None
    if value > today:
        errors.append({"field": name, "message": "Cannot be in the future."})
        return None
    if value < EARLIEST:
        errors.append({"field": name, "message": f"Must be on or after {EARLIEST.isoformat()}."})
        return None
    return value


def _choice(value, name: str, choices, errors: list) -> str:
    text = value.strip().lower() if isinstance(value, str) else ""
    if not text:
        errors.append({"field": name, "message": "This field is required."})
        return ""
    if text not in choices.values:
        errors.append({"field": name, "message": f"Unknown value {text[:30]!r}; one of {', '.join(choices.values)}."})
        return ""
    return text


def receipt_type(upload, errors: list, name: str = "receipt") -> tuple[str, str] | None:
    """The receipt's content type and file extension from its first bytes (PDF, JPEG or PNG), or an error."""
    if upload is None:
        return None
    size = getattr(upload, "size", None)
    if size is None or not hasattr(upload, "read"):
        errors.append({"field": name, "message": "Not a file."})
        return None
    limit = settings.CORRIDOR_MAX_UPLOAD_BYTES
    if size > limit:
        errors.append({"field": name, "message": f"The receipt is larger than {limit // (1024 * 1024)} MiB."})
        return None
    if size == 0:
        errors.append({"field": name, "message": "The file is empty."})
        return None
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for magic, content_type, extension in RECEIPT_TYPES:
        if head.startswith(magic):
            return content_type, extension
    errors.append({"field": name, "message": "The receipt must be a PDF, a JPEG photo or a PNG image."})
    return None


def _organisation(value, name: str, errors: list, *, kind: str) -> Organisation | None:
    if value is None or value == "":
        return None
    if isinstance(value, Organisation):
        org = value
    else:
        try:
            org = Organisation.objects.filter(pk=int(value)).first()
        except (TypeError, ValueError, OverflowError):
            org = None
    if org is None or org.kind != kind:
        errors.append({"field": name, "message": f"No recruitment agency {str(getattr(value, 'pk', value))[:20]!r}."})
        return None
    return org


def _employer(value, name: str, errors: list) -> EmployerProfile | None:
    if value is None or value == "":
        return None
    if isinstance(value, EmployerProfile):
        return value
    try:
        found = EmployerProfile.objects.select_related("organisation").filter(pk=int(value)).first()
    except (TypeError, ValueError, OverflowError):
        found = None
    if found is None:
        errors.append({"field": name, "message": f"No employer {str(value)[:20]!r}."})
    return found


# --- who may act -------------------------------------------------------------------------------------------------



def is_own_worker(actor, worker: Worker) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and worker.user_id and worker.user_id == actor.pk)


def is_origin_officer(actor, worker: Worker) -> bool:
    """An officer of the origin labour authority of the worker's country."""
    org = organisation_of(actor)
    return bool(org and Role.ORIGIN_OFFICER in roles_of(actor) and org.kind == OrgKind.ORIGIN_AUTHORITY and org.country == worker.nationality)


def is_inspector_for(actor, worker: Worker, programme: Programme | None) -> bool:
    """A labour inspector of the programme's destination country or of the worker's country."""
    org = organisation_of(actor)
    if not (org and Role.LABOUR_INSPECTOR in roles_of(actor) and org.kind == OrgKind.LABOUR_INSPECTORATE):
        return False
    return org.country == worker.nationality or (programme is not None and org.country == programme.destination_country)


def recording_source(actor, worker: Worker) -> str | None:
    """As whom `actor` records a cost for `worker` (a CostSource), or None when they may not."""
    if is_own_worker(actor, worker):
        return CostSource.WORKER
    roles, org = roles_of(actor), organisation_of(actor)
    if org is None:
        return None
    if Role.AGENCY in roles and org.kind == OrgKind.RECRUITMENT_AGENCY:
        return CostSource.AGENCY
    if Role.LABOUR_INSPECTOR in roles and org.kind == OrgKind.LABOUR_INSPECTORATE:
        return CostSource.INSPECTOR
    if Role.EMPLOYER in roles and org.kind == OrgKind.EMPLOYER:
        return CostSource.EMPLOYER
    return None


def may_settle(actor, entry: CostEntry) -> bool:
    """Who records that a refund was paid or names who owes it: the worker, the origin authority of the worker's
    country, a labour inspector of the programme's destination or the worker's country."""
    return is_own_worker(actor, entry.worker) or is_origin_officer(actor, entry.worker) or is_inspector_for(
        actor, entry.worker, entry.programme
    )


def may_draw(actor, order: RefundOrder) -> bool:
    """The origin authority of the agency's country, which holds its guarantee deposit."""
    org = organisation_of(actor)
    agency = order.debtor_agency
    return bool(
        agency is not None and org and Role.ORIGIN_OFFICER in roles_of(actor)
        and org.kind == OrgKind.ORIGIN_AUTHORITY and org.country == agency.country
    )


def _worker_visible(actor, worker: Worker) -> bool:
    return Worker.objects.filter(pk=worker.pk).restrict(actor).exists()


# --- assessment and refund orders --------------------------------------------------------------------------------


def policy_for(programme: Programme | None, day: datetime.date):
    """The fee policy and rule version that apply to a payment on `day` (principle 7 alone without either)."""
    if programme is None:
        return dict(fees.NO_PROGRAMME_POLICY), None
    version = rule_version_in_force(programme=programme, day=day)
    if version is None:
        return dict(fees.NO_PROGRAMME_POLICY), None
    return (version.rules or {}).get("fees") or {}, version


def _already_excepted(worker: Worker, programme: Programme | None, category: str, currency: str) -> Decimal:
    """What the worker already paid lawfully under the programme's exception for this category and currency."""
    if programme is None:
        return Decimal(0)
    totals = CostEntry.objects.filter(
        worker=worker, programme=programme, category=category, currency=currency, payer__in=list(WORKER_BORNE)
    ).aggregate(paid=Sum("amount"), unlawful=Sum("amount_in_violation"))
    return (totals["paid"] or Decimal(0)) - (totals["unlawful"] or Decimal(0))


def joint_employer(agency: Organisation, programme: Programme | None, day: datetime.date) -> EmployerProfile | None:
    """The employer an agency recruits for under the programme on `day`, when there is exactly one (joint liability).
    With several, the refund order names the agency alone and the origin authority names the employer."""
    if programme is None:
        return None
    employers = set(
        AgencyEmployerLink.objects.filter(agency=agency, programme=programme, since__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .values_list("employer_id", flat=True)
    )
    if len(employers) != 1:
        return None
    return EmployerProfile.objects.get(pk=employers.pop())


def _open_refund(actor, entry: CostEntry, today: datetime.date) -> RefundOrder | None:
    """The refund order for a violation, once someone can be named to pay it; None otherwise."""
    if not entry.violation or entry.amount_in_violation <= 0 or RefundOrder.objects.filter(cost=entry).exists():
        return None
    agency, employer = entry.agency, entry.employer
    joint = ""
    if agency is not None and employer is None:
        employer = joint_employer(agency, entry.programme, entry.paid_on)
        if employer is not None:
            joint = f"{employer} answers jointly with {agency} (they are linked under {entry.programme.code})."
    if agency is None and employer is None:
        return None
    order = RefundOrder.objects.create(
        cost=entry, amount=entry.amount_in_violation, currency=entry.currency,
        due_on=today + datetime.timedelta(days=REFUND_DAYS), debtor_agency=agency, debtor_employer=employer, note=joint,
    )
    audit.record(
        actor=actor, action="refund.order", subject=order, after=audit.snapshot(order), reason=entry.finding,
        programme_id=entry.programme_id, organisation_id=agency.pk if agency else employer.organisation_id,
        rule_version_id=entry.rule_version_id,
    )
    return order


# --- recording a cost --------------------------------------------------------------------------------------------


@transaction.atomic
def cost_record(
    *,
    actor,
    worker: Worker,
    programme: Programme | None = None,
    category: str,
    payer: str,
    amount,
    currency,
    paid_on,
    agency=None,
    employer=None,
    paid_to: str = "",
    note: str = "",
    receipt=None,
    today: datetime.date | None = None,
) -> CostEntry:
    """Record one payment, assess it against the programme's fee policy, and order a refund for a violation."""
    day = _today(today)
    if not isinstance(worker, Worker):
        raise InvalidInput("No such worker.", field="worker")
    source = recording_source(actor, worker)
    if source is None:
        raise Forbidden(
            "Costs are recorded by the worker, a licensed agency, a labour inspector or an employer.", field="worker"
        )
    if programme is not None and not isinstance(programme, Programme):
        raise InvalidInput("No such programme.", field="programme")
    errors: list[dict] = []
    category = _choice(category, "category", CostCategory, errors)
    payer = _choice(payer, "payer", Payer, errors)
    value = _amount(amount, "amount", errors)
    currency = _currency(currency, "currency", errors)
    paid_on = _date(paid_on, "paid_on", errors, today=day)
    paid_to = _text(paid_to, "paid_to", errors, max_length=200)
    note = _text(note, "note", errors, max_length=MAX_NOTE)
    agency = _organisation(agency, "agency", errors, kind=OrgKind.RECRUITMENT_AGENCY)
    employer = _employer(employer, "employer", errors)
    kind = receipt_type(receipt, errors)
    own = organisation_of(actor)

    if source == CostSource.AGENCY:
        if agency is not None and agency.pk != own.pk:
            errors.append({"field": "agency", "message": "An agency declares only what it charged or paid itself."})
        agency = own
        if programme is None:
            errors.append({"field": "programme", "message": "Name the programme you recruited for: an agency acts only under its licence."})
        elif paid_on is not None:
            allowed, why = agency_may_act(own, programme, worker.nationality, paid_on)
            if not allowed:
                field = "agency" if active_licence(own, paid_on) is None else "programme"
                errors.append({"field": field, "message": f"Outside the agency's licence on {paid_on.isoformat()}: {why}"})
        if not _worker_visible(actor, worker):
            raise Forbidden("This worker has not consented to your agency acting for them.", field="worker")
    elif source == CostSource.EMPLOYER:
        profile = EmployerProfile.objects.filter(organisation=own).first()
        if profile is None:
            raise Forbidden("Register your employer profile first.", field="employer")
        if employer is not None and employer.pk != profile.pk:
            errors.append({"field": "employer", "message": "An employer declares costs for its own profile only."})
        employer = profile
        if not _worker_visible(actor, worker):
            raise Forbidden("You may record costs only for workers whose profile you may see.", field="worker")
    elif source == CostSource.INSPECTOR and not is_inspector_for(actor, worker, programme):
        raise Forbidden(
            "Labour inspectors record costs for the programmes of their country or for workers of their country.",
            field="programme" if programme is not None else "worker",
        )
    if errors:
        raise InvalidInput(errors)

    # One worker's entries are assessed one at a time: what was already paid under an exception counts.
    Worker.objects.select_for_update().filter(pk=worker.pk).first()
    policy, version = policy_for(programme, paid_on)
    assessment = fees.assess(
        fees.Entry(category=category, payer=payer, amount=value, currency=currency,
                   already_excepted=_already_excepted(worker, programme, category, currency)),
        policy,
    )
    finding = assessment.finding
    if programme is not None and version is None:
        finding += f" No rule version of {programme.code} was in force on {paid_on.isoformat()}: principle 7 applied."
    entry = CostEntry(
        worker=worker, programme=programme, category=category, payer=payer, agency=agency, employer=employer,
        paid_to=paid_to, amount=value, currency=currency, paid_on=paid_on, source=source, note=note,
        violation=assessment.violation, amount_in_violation=assessment.amount_in_violation, finding=finding,
        rule_version=version, recorded_by=actor,
    )
    if kind is not None:
        entry.receipt_type = kind[0]
        entry.receipt.save(f"{secrets.token_hex(16)}.{kind[1]}", receipt, save=False)
    entry.save()
    audit.record(
        actor=actor, action="cost.record", subject=entry, after=audit.snapshot(entry), reason=assessment.principle,
        programme_id=programme.pk if programme else None,
        organisation_id=agency.pk if agency else (employer.organisation_id if employer else None),
        rule_version_id=version.pk if version else None,
    )
    _open_refund(actor, entry, day)
    return entry


@transaction.atomic
def cost_name_debtor(*, actor, entry: CostEntry, agency=None, employer=None, today: datetime.date | None = None) -> CostEntry:
    """Name the agency and/or employer that was paid (the worker, the origin authority or an inspector); a violation
    then gets its refund order, or an open order gains the newly named debtor."""
    entry = CostEntry.objects.select_for_update(of=("self",)).select_related("worker", "programme").get(pk=entry.pk)
    if not may_settle(actor, entry):
        raise Forbidden("The worker, the origin authority or a labour inspector names who was paid.")
    errors: list[dict] = []
    agency = _organisation(agency, "agency", errors, kind=OrgKind.RECRUITMENT_AGENCY)
    employer = _employer(employer, "employer", errors)
    if agency is None and employer is None and not errors:
        errors.append({"field": "agency", "message": "Name the agency or the employer (or both)."})
    if errors:
        raise InvalidInput(errors)
    if agency is not None and entry.agency_id not in (None, agency.pk):
        raise Conflict(f"This entry already names {entry.agency} as the agency.", field="agency")
    if employer is not None and entry.employer_id not in (None, employer.pk):
        raise Conflict(f"This entry already names {entry.employer} as the employer.", field="employer")
    before = audit.snapshot(entry)
    entry.agency = agency or entry.agency
    entry.employer = employer or entry.employer
    entry.save(update_fields=["agency", "employer"])
    audit.record(
        actor=actor, action="cost.name_debtor", subject=entry, before=before, after=audit.snapshot(entry),
        programme_id=entry.programme_id, organisation_id=entry.agency_id,
    )
    order = RefundOrder.objects.select_for_update().filter(cost=entry).first()
    if order is None:
        _open_refund(actor, entry, _today(today))
    elif order.status == RefundStatus.OPEN:
        before = audit.snapshot(order)
        order.debtor_agency = order.debtor_agency or entry.agency
        order.debtor_employer = order.debtor_employer or entry.employer
        order.save(update_fields=["debtor_agency", "debtor_employer"])
        audit.record(actor=actor, action="refund.debtor", subject=order, before=before, after=audit.snapshot(order),
                     programme_id=entry.programme_id)
    return entry


# --- refund orders -----------------------------------------------------------------------------------------------


def _locked_order(order: RefundOrder) -> RefundOrder:
    return (
        RefundOrder.objects.select_for_update(of=("self",))
        .select_related("cost__worker", "cost__programme", "debtor_agency", "debtor_employer")
        .get(pk=order.pk)
    )


def _require_open(order: RefundOrder, step: str) -> None:
    if order.status != RefundStatus.OPEN:
        raise Conflict(f"This refund order is {RefundStatus(order.status).label.lower()}; it cannot be {step}.", field="status")


@transaction.atomic
def refund_mark_paid(*, actor, order: RefundOrder, paid_on, evidence: str, today: datetime.date | None = None) -> RefundOrder:
    """The debtor paid the worker back: recorded by the origin authority, a labour inspector or the worker."""
    order = _locked_order(order)
    if not may_settle(actor, order.cost):
        raise Forbidden("The origin authority, a labour inspector or the worker records that a refund was paid.")
    _require_open(order, "marked paid")
    errors: list[dict] = []
    day = _date(paid_on, "paid_on", errors, today=_today(today))
    if day is not None and day < order.cost.paid_on:
        errors.append({"field": "paid_on", "message": f"Must be on or after the payment it refunds ({order.cost.paid_on.isoformat()})."})
    evidence = _text(evidence, "evidence", errors, max_length=2000, required=True)
    if errors:
        raise InvalidInput(errors)
    before = audit.snapshot(order)
    order.status = RefundStatus.PAID
    order.settled_on = day
    order.settled_by = actor
    order.note = "\n".join(filter(None, [order.note, f"Paid on {day.isoformat()}: {evidence}"]))
    order.save()
    audit.record(
        actor=actor, action="refund.paid", subject=order, before=before, after=audit.snapshot(order), reason=evidence,
        programme_id=order.cost.programme_id, organisation_id=order.debtor_agency_id,
    )
    return order


@transaction.atomic
def refund_draw_from_deposit(*, actor, order: RefundOrder, exchange_rate=None, today: datetime.date | None = None) -> RefundOrder:
    """Pay an unpaid refund past its due date out of the agency's guarantee deposit (the origin authority that holds
    it). Never below zero: a short deposit gives what it holds and the rest of the order stays open.

    `exchange_rate`: units of the deposit's currency per unit of the refund's, when the two differ (stated by the
    officer and kept in the audit trail)."""
    order = _locked_order(order)
    day = _today(today)
    if order.debtor_agency_id is None:
        raise Conflict("Only a refund owed by an agency can be drawn from a guarantee deposit.", field="debtor_agency")
    if not may_draw(actor, order):
        raise Forbidden("Only the origin authority that licensed the agency draws on its guarantee deposit.")
    _require_open(order, "drawn from the deposit")
    if day <= order.due_on:
        raise Conflict(f"The refund is due by {order.due_on.isoformat()}; the deposit can be drawn only after that.", field="due_on")
    licence = (
        AgencyLicence.objects.select_for_update()
        .filter(agency=order.debtor_agency, issuing_country=actor.organisation.country)
        .exclude(status__in=[LicenceStatus.APPLIED, LicenceStatus.REFUSED])
        .filter(deposit_balance__gt=0)
        .order_by("-valid_until", "-pk")
        .first()
    )
    if licence is None:
        raise Conflict(f"{order.debtor_agency}'s guarantee deposit holds nothing to draw.", field="deposit_balance")
    rate = Decimal(1)
    if licence.deposit_currency != order.currency:
        errors: list[dict] = []
        rate = _amount(exchange_rate, "exchange_rate", errors, maximum=MAX_RATE, places=Decimal("0.000001"))
        if errors:
            errors[0]["message"] = (
                f"The deposit is held in {licence.deposit_currency} and the refund is in {order.currency}: give the "
                f"exchange rate ({licence.deposit_currency} per {order.currency}). " + errors[0]["message"]
            )
            raise InvalidInput(errors)
    remaining = order.amount - order.amount_recovered
    needed = (remaining * rate).quantize(CENT, ROUND_UP)
    drawn = min(licence.deposit_balance, needed)
    recovered = remaining if drawn == needed else min(remaining, (drawn / rate).quantize(CENT, ROUND_DOWN))
    licence_before, before = audit.snapshot(licence), audit.snapshot(order)
    licence.deposit_balance -= drawn
    licence.save(update_fields=["deposit_balance"])
    order.amount_recovered += recovered
    text = f"{drawn} {licence.deposit_currency} drawn from the guarantee deposit of licence {licence.number} on {day.isoformat()}"
    if rate != 1:
        text += f" at {rate} {licence.deposit_currency} per {order.currency}"
    if order.amount_recovered >= order.amount:
        order.status = RefundStatus.DRAWN
        order.settled_on = day
        order.settled_by = actor
    else:
        text += f"; {order.amount - order.amount_recovered} {order.currency} still owed"
    order.note = "\n".join(filter(None, [order.note, text + "."]))
    order.save()
    audit.record(
        actor=actor, action="licence.deposit_draw", subject=licence, before=licence_before, after=audit.snapshot(licence),
        reason=text, organisation_id=licence.agency_id, programme_id=order.cost.programme_id,
    )
    audit.record(
        actor=actor, action="refund.draw", subject=order, before=before, after=audit.snapshot(order), reason=text,
        programme_id=order.cost.programme_id, organisation_id=licence.agency_id,
    )
    return order


# --- first earnings at destination (SDG 10.7.1) ------------------------------------------------------------------


def _rates(raw, earnings_currency: str, errors: list) -> dict[str, str]:
    if raw in (None, "", {}):
        return {}
    if not isinstance(raw, dict):
        errors.append({"field": "rates", "message": "Must be an object {currency: rate}."})
        return {}
    if len(raw) > MAX_RATES:
        errors.append({"field": "rates", "message": f"At most {MAX_RATES} rates."})
        return {}
    clean = {}
    for key, value in raw.items():
        local: list = []
        code = _currency(key, f"rates.{str(key)[:10]}", local)
        rate = _amount(value, f"rates.{str(key)[:10]}", local, maximum=MAX_RATE, places=Decimal("0.000001"))
        errors.extend(local)
        if code and code == earnings_currency:
            errors.append({"field": f"rates.{code}", "message": "No rate is needed for the earnings currency itself."})
        elif code and rate is not None:
            clean[code] = str(rate)
    return clean


@transaction.atomic
def earnings_record(*, actor, worker: Worker, programme: Programme, amount, currency, month, rates=None,
                    today: datetime.date | None = None) -> FirstEarnings:
    """Record (or correct) the worker's monthly earnings in the first job at destination under `programme`: the
    worker, the origin authority of the worker's country or a labour inspector. One record per worker and programme."""
    if not isinstance(worker, Worker):
        raise InvalidInput("No such worker.", field="worker")
    if not isinstance(programme, Programme):
        raise InvalidInput("Name the programme.", field="programme")
    if not (is_own_worker(actor, worker) or is_origin_officer(actor, worker) or is_inspector_for(actor, worker, programme)):
        raise Forbidden("The worker, the origin authority or a labour inspector records earnings at destination.")
    errors: list[dict] = []
    value = _amount(amount, "amount", errors)
    currency = _currency(currency, "currency", errors)
    day = _date(month, "month", errors, today=_today(today))
    rates = _rates(rates, currency, errors) if currency else {}
    if errors:
        raise InvalidInput(errors)
    first = day.replace(day=1)
    existing = FirstEarnings.objects.select_for_update().filter(worker=worker, programme=programme).first()
    before = audit.snapshot(existing) if existing else None
    record = existing or FirstEarnings(worker=worker, programme=programme)
    record.amount, record.currency, record.month, record.rates, record.recorded_by = value, currency, first, rates, actor
    record.save()
    audit.record(
        actor=actor, action="earnings.correct" if existing else "earnings.record", subject=record, before=before,
        after=audit.snapshot(record), programme_id=programme.pk,
    )
    return record

