"""Licensing recruitment agencies, due process before a sanction, agency-employer links and workers' ratings of
agencies (fair recruitment principles 3-6; Madrid para 20-21; GB.346 para 16): one atomic, audited function per step.

Who licenses: the origin labour authority of the agency's own country. An agency applies there, for programmes that
have a corridor from that country; an officer of that authority grants or refuses, renews, and opens, decides and
(on appeal, through a second officer) reviews suspension and revocation proceedings. The destination ministry does
not license agencies: it reads the public register and the links between agencies and the employers of its
programmes. Expiry is not stored: it follows from the dates when the licence is read (see selectors.status_on).
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from corridor.accounts.models import Organisation, OrgKind
from corridor.core import audit
from corridor.core.access import Role, roles_of
from corridor.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from corridor.core.inputs import date_field
from corridor.employers.models import EmployerProfile
from corridor.programmes.models import Programme
from corridor.recruitment import selectors
from corridor.recruitment.models import (
    AgencyEmployerLink,
    AgencyLicence,
    AgencyRating,
    LicenceProceeding,
    LicenceScope,
    LicenceStatus,
    ProceedingKind,
    ProceedingStage,
    RatingStatus,
)
from corridor.recruitment.selectors import APPEAL_DAYS, RATING_DIMENSIONS, RESPONSE_DAYS_MIN
from corridor.reference import codes

MAX_AMOUNT = Decimal("999999999999.99")  # what the columns hold (14 digits, 2 decimals)
MAX_SCOPES = 50
MAX_TEXT = 5000
MAX_VALIDITY_YEARS = 10
# Programmes an agency may be licensed for: public and not closed.
LICENSABLE = selectors.LICENSABLE


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


# --- field checks ------------------------------------------------------------------------------------------------


def _text(data: dict, name: str, errors: list, *, required: bool = False, max_length: int = 200) -> str:
    raw = data.get(name)
    if raw is not None and not isinstance(raw, str | int | float | Decimal):
        errors.append({"field": name, "message": "Must be a text."})
        return ""
    value = str(raw if raw is not None else "").strip()
    if "\x00" in value:
        errors.append({"field": name, "message": "Contains a NUL character."})
        return ""
    if required and not value:
        errors.append({"field": name, "message": "This field is required."})
    elif len(value) > max_length:
        errors.append({"field": name, "message": f"Use at most {max_length} characters."})
        return ""
    return value


def _amount(data: dict, name: str, errors: list, *, positive: bool = False) -> Decimal | None:
    raw = data.get(name)
    if raw is None or isinstance(raw, bool) or str(raw).strip() == "":
        errors.append({"field": name, "message": "This field is required."})
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
        if not value.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.append({"field": name, "message": f"{str(raw)[:40]!r} is not a number."})
        return None
    if value < 0 or (positive and value == 0):
        errors.append({"field": name, "message": "Must be more than 0." if positive else "Must not be negative."})
        return None
    if value > MAX_AMOUNT:
        errors.append({"field": name, "message": f"Must be at most {MAX_AMOUNT}."})
        return None
    if value != value.quantize(Decimal("0.01")):
        errors.append({"field": name, "message": "Use at most two decimals."})
        return None
    return value


def _currency(data: dict, name: str, errors: list) -> str:
    raw = data.get(name)
    value = str(raw or "").strip().upper() if isinstance(raw, str) else ""
    if not value:
        errors.append({"field": name, "message": "This field is required (ISO 4217 code, e.g. MXN)."})
        return ""
    if not codes.is_currency(value):
        errors.append({"field": name, "message": f"Unknown ISO 4217 currency code {value[:10]!r}."})
        return ""
    return codes.normalise_currency(value) or value


def _date(data: dict, name: str, errors: list, *, required: bool = True) -> datetime.date | None:
    return date_field(data, name, errors, required=required)


def _required_text(value, name: str, *, max_length: int = MAX_TEXT, message: str = "") -> str:
    errors: list = []
    text = _text({name: value}, name, errors, required=True, max_length=max_length)
    if errors:
        if message and errors[0]["message"] == "This field is required.":
            errors[0]["message"] = message
        raise InvalidInput(errors)
    return text


# --- who may act -------------------------------------------------------------------------------------------------


def _require_agency(actor) -> Organisation:
    org = getattr(actor, "organisation", None)
    if Role.AGENCY not in roles_of(actor) or org is None or org.kind != OrgKind.RECRUITMENT_AGENCY:
        raise Forbidden("Only staff of a recruitment agency may do this.")
    return org


def _require_member(actor, licence: AgencyLicence) -> None:
    org = _require_agency(actor)
    if org.pk != licence.agency_id:
        raise Forbidden("Only staff of the agency that holds this licence may do this.")


def _require_officer(actor, licence: AgencyLicence) -> None:
    if not selectors.is_licensing_officer(actor, licence):
        raise Forbidden(
            f"Only officers of the origin labour authority of {licence.issuing_country} license agencies of that country."
        )


def _locked(model, obj):
    return model.objects.select_for_update().get(pk=obj.pk)


def _licence_snapshot(licence: AgencyLicence) -> dict:
    data = audit.snapshot(licence)
    data["scopes"] = sorted(f"{s.programme.code}/{s.origin_country}" for s in licence.scopes.select_related("programme"))
    return data


def _record_licence(actor, action: str, licence: AgencyLicence, before: dict | None, reason: str = "") -> None:
    audit.record(actor=actor, action=action, subject=licence, before=before, after=_licence_snapshot(licence),
                 reason=reason, organisation_id=licence.agency_id)


# --- applying for a licence --------------------------------------------------------------------------------------


def _clean_scopes(raw, agency: Organisation, errors: list) -> list[tuple[Programme, str]]:
    """Requested scopes: a list of {"programme": code, "origin_country": CC} (or of programme codes, for the agency's
    own country). Each origin country must be the agency's country and a corridor of the programme."""
    if raw in (None, "", []):
        errors.append({"field": "scopes", "message": "Name at least one programme the agency will recruit for."})
        return []
    if isinstance(raw, str):
        raw = [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]
    if not isinstance(raw, list | tuple):
        errors.append({"field": "scopes", "message": "Must be a list of programmes and origin countries."})
        return []
    if len(raw) > MAX_SCOPES:
        errors.append({"field": "scopes", "message": f"At most {MAX_SCOPES} scopes."})
        return []
    clean: list[tuple[Programme, str]] = []
    for index, item in enumerate(raw):
        field = f"scopes[{index}]"
        if isinstance(item, str):
            item = {"programme": item, "origin_country": agency.country}
        if not isinstance(item, dict):
            errors.append({"field": field, "message": "Must be an object with programme and origin_country."})
            continue
        code = item.get("programme")
        origin = item.get("origin_country") or agency.country
        if not isinstance(code, str) or not code.strip() or len(code) > 30 or "\x00" in code:
            errors.append({"field": f"{field}.programme", "message": "Give a programme code."})
            continue
        if not isinstance(origin, str) or not codes.is_country(origin.strip()):
            errors.append({"field": f"{field}.origin_country", "message": f"Unknown ISO 3166 country code {str(origin)[:10]!r}."})
            continue
        code, origin = code.strip().upper(), codes.normalise_country(origin.strip()) or origin.strip().upper()
        programme = Programme.objects.filter(code=code, status__in=LICENSABLE).first()
        if programme is None:
            errors.append({"field": f"{field}.programme", "message": f"No active programme {code!r}."})
            continue
        if origin != agency.country:
            errors.append({
                "field": f"{field}.origin_country",
                "message": f"An agency of {agency.country} is licensed by its own country's authority, for workers from "
                           f"{agency.country} only, not {origin}.",
            })
            continue
        if not programme.corridors.filter(origin_country=origin, is_active=True).exists():
            errors.append({
                "field": f"{field}.origin_country",
                "message": f"{origin} is not an open corridor of programme {code}.",
            })
            continue
        if (programme, origin) in clean:
            errors.append({"field": field, "message": f"{code}/{origin} is named twice."})
            continue
        clean.append((programme, origin))
    return clean


def clean_application(agency: Organisation, data: dict) -> tuple[dict, list[tuple[Programme, str]], list[dict]]:
    """Check every field of an application; return (fields, scopes, errors) with every problem listed."""
    errors: list[dict] = []
    fields = {
        "ownership": _text(data, "ownership", errors, required=True, max_length=MAX_TEXT),
        "capital_amount": _amount(data, "capital_amount", errors),
        "capital_currency": _currency(data, "capital_currency", errors),
        "deposit_amount": _amount(data, "deposit_amount", errors, positive=True),
        "deposit_currency": _currency(data, "deposit_currency", errors),
        "bond_reference": _text(data, "bond_reference", errors, max_length=100),
    }
    scopes = _clean_scopes(data.get("scopes"), agency, errors)
    return fields, scopes, errors


@transaction.atomic
def licence_apply(*, actor, today: datetime.date | None = None, **data: Any) -> AgencyLicence:
    """A recruitment agency applies to the origin authority of its country: ownership, capital, guarantee deposit or
    bond, and the programmes it will recruit for. One application or licence at a time."""
    agency = _require_agency(actor)
    agency = Organisation.objects.select_for_update().get(pk=agency.pk)
    fields, scopes, errors = clean_application(agency, data)
    if errors:
        raise InvalidInput(errors)
    day = _today(today)
    if AgencyLicence.objects.filter(agency=agency, status=LicenceStatus.APPLIED).exists():
        raise Conflict("This agency already has an application waiting for a decision.", field="status")
    current = selectors.with_current_status(AgencyLicence.objects.filter(agency=agency), day).filter(
        current_status__in=[LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED]
    ).first()
    if current is not None:
        raise Conflict(
            f"This agency holds licence {current.number} (valid until {current.valid_until.isoformat()}); ask the "
            "authority to renew it instead of applying again.",
            field="status",
        )
    licence = AgencyLicence.objects.create(agency=agency, issuing_country=agency.country, status=LicenceStatus.APPLIED, **fields)
    LicenceScope.objects.bulk_create([LicenceScope(licence=licence, programme=p, origin_country=o) for p, o in scopes])
    _record_licence(actor, "licence.apply", licence, None)
    return licence


# --- deciding ----------------------------------------------------------------------------------------------------


def _validity(data: dict, errors: list, *, day: datetime.date, after: datetime.date | None = None):
    valid_from = _date(data, "valid_from", errors, required=False) or day
    valid_until = _date(data, "valid_until", errors)
    if valid_from and valid_until:
        if valid_until < valid_from:
            errors.append({"field": "valid_until", "message": "Must be on or after the first day of validity."})
        elif valid_until < day:
            errors.append({"field": "valid_until", "message": "Must not be in the past."})
        elif valid_until > valid_from + datetime.timedelta(days=366 * MAX_VALIDITY_YEARS):
            errors.append({"field": "valid_until", "message": f"A licence is granted for at most {MAX_VALIDITY_YEARS} years."})
        if after is not None and valid_until <= after:
            errors.append({"field": "valid_until", "message": f"Must be after the current end of validity ({after.isoformat()})."})
    return valid_from, valid_until


def _next_number(country: str, year: int) -> str:
    prefix = f"{country}-{year}-"
    taken = AgencyLicence.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    seq = max((int(n[len(prefix):]) for n in taken if n[len(prefix):].isdigit()), default=0) + 1
    return f"{prefix}{seq:03d}"


@transaction.atomic
def licence_grant(*, actor, licence: AgencyLicence, today: datetime.date | None = None, note: str = "",
                  **data: Any) -> AgencyLicence:
    """The origin authority grants an application: a licence number "<country>-<year>-<seq>", the validity, and the
    deposit balance set to the deposit lodged."""
    licence = _locked(AgencyLicence, licence)
    _require_officer(actor, licence)
    if licence.status != LicenceStatus.APPLIED:
        raise Conflict(f"Only an application waiting for a decision can be granted; this one is {licence.status}.", field="status")
    day = _today(today)
    errors: list[dict] = []
    valid_from, valid_until = _validity(data, errors, day=day)
    note = _text({"note": note}, "note", errors, max_length=MAX_TEXT)
    if errors:
        raise InvalidInput(errors)
    before = _licence_snapshot(licence)
    licence.status = LicenceStatus.ACTIVE
    licence.valid_from, licence.valid_until = valid_from, valid_until
    licence.deposit_balance = licence.deposit_amount
    licence.status_reason = note
    licence.decided_by, licence.decided_at = actor, timezone.now()
    for _attempt in range(5):  # two officers granting at once: the unique number decides, the second retries
        licence.number = _next_number(licence.issuing_country, valid_from.year)
        try:
            with transaction.atomic():
                licence.save()
            break
        except IntegrityError:
            continue
    else:
        raise Conflict("Could not give the licence a number; try again.", field="number")
    _record_licence(actor, "licence.grant", licence, before, reason=note)
    return licence


@transaction.atomic
def licence_refuse(*, actor, licence: AgencyLicence, reason: str) -> AgencyLicence:
    """The origin authority refuses an application, saying why."""
    licence = _locked(AgencyLicence, licence)
    _require_officer(actor, licence)
    if licence.status != LicenceStatus.APPLIED:
        raise Conflict(f"Only an application waiting for a decision can be refused; this one is {licence.status}.", field="status")
    reason = _required_text(reason, "reason", message="Say why the application is refused.")
    before = _licence_snapshot(licence)
    licence.status = LicenceStatus.REFUSED
    licence.status_reason = reason
    licence.decided_by, licence.decided_at = actor, timezone.now()
    licence.save()
    _record_licence(actor, "licence.refuse", licence, before, reason=reason)
    return licence


@transaction.atomic
def licence_renew(*, actor, licence: AgencyLicence, today: datetime.date | None = None, note: str = "",
                  **data: Any) -> AgencyLicence:
    """The origin authority renews a licence (active, suspended or expired; never revoked): a new end of validity.
    A suspension in force stays in force; an expired licence becomes active again from the new first day."""
    licence = _locked(AgencyLicence, licence)
    _require_officer(actor, licence)
    day = _today(today)
    current = selectors.status_on(licence, day)
    if current not in (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED, LicenceStatus.EXPIRED):
        raise Conflict(f"A licence that is {current} cannot be renewed.", field="status")
    errors: list[dict] = []
    expired = current == LicenceStatus.EXPIRED
    if "valid_from" not in data or not data.get("valid_from"):
        data = {**data, "valid_from": day if expired else licence.valid_from}
    valid_from, valid_until = _validity(data, errors, day=day, after=licence.valid_until)
    note = _text({"note": note}, "note", errors, max_length=MAX_TEXT)
    if errors:
        raise InvalidInput(errors)
    before = _licence_snapshot(licence)
    licence.valid_from, licence.valid_until = valid_from, valid_until
    licence.decided_by, licence.decided_at = actor, timezone.now()
    licence.save()
    _record_licence(actor, "licence.renew", licence, before, reason=note)
    return licence


# --- due process -------------------------------------------------------------------------------------------------


def _proceeding_snapshot(proceeding: LicenceProceeding) -> dict:
    return audit.snapshot(proceeding)


def _record_proceeding(actor, action: str, proceeding: LicenceProceeding, before: dict | None, reason: str = "") -> None:
    audit.record(actor=actor, action=action, subject=proceeding, before=before, after=_proceeding_snapshot(proceeding),
                 reason=reason, organisation_id=proceeding.licence.agency_id)


def _stage_conflict(proceeding: LicenceProceeding, step: str, needed: str) -> Conflict:
    label = str(ProceedingStage(proceeding.stage).label).lower()
    return Conflict(f"This proceeding cannot be {step} now: it is at the stage “{label}”; {needed}", field="stage")


@transaction.atomic
def proceeding_open(*, actor, licence: AgencyLicence, kind: str, grounds: str, respond_by,
                    today: datetime.date | None = None) -> LicenceProceeding:
    """The origin authority gives notice that it means to suspend or revoke a licence: the grounds and a date by which
    the agency may respond (at least 14 days away). Nothing changes for the licence until a decision."""
    licence = _locked(AgencyLicence, licence)
    _require_officer(actor, licence)
    day = _today(today)
    errors: list[dict] = []
    if kind not in ProceedingKind.values:
        errors.append({"field": "kind", "message": f"Must be one of {', '.join(ProceedingKind.values)}."})
    grounds = _text({"grounds": grounds}, "grounds", errors, required=True, max_length=MAX_TEXT)
    respond_by = _date({"respond_by": respond_by}, "respond_by", errors)
    if respond_by is not None and respond_by < day + datetime.timedelta(days=RESPONSE_DAYS_MIN):
        errors.append({
            "field": "respond_by",
            "message": f"Give the agency at least {RESPONSE_DAYS_MIN} days to respond: "
                       f"{(day + datetime.timedelta(days=RESPONSE_DAYS_MIN)).isoformat()} or later.",
        })
    if errors:
        raise InvalidInput(errors)
    current = selectors.status_on(licence, day)
    if current not in (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED):
        raise Conflict(f"A proceeding is opened only against an active or suspended licence; this one is {current}.", field="status")
    if kind == ProceedingKind.SUSPENSION and current == LicenceStatus.SUSPENDED:
        raise Conflict("This licence is already suspended; open a revocation proceeding if that is the aim.", field="kind")
    if LicenceProceeding.objects.filter(licence=licence, stage__in=[ProceedingStage.NOTICE, ProceedingStage.APPEALED]).exists():
        raise Conflict("Another proceeding on this licence is still open; finish it first.", field="licence")
    proceeding = LicenceProceeding.objects.create(
        licence=licence, kind=kind, stage=ProceedingStage.NOTICE, grounds=grounds, respond_by=respond_by, opened_by=actor
    )
    _record_proceeding(actor, "licence.proceeding_open", proceeding, None, reason=grounds)
    return proceeding


@transaction.atomic
def proceeding_respond(*, actor, proceeding: LicenceProceeding, response: str,
                       today: datetime.date | None = None) -> LicenceProceeding:
    """The agency answers the notice, once, on or before the date given."""
    proceeding = _locked(LicenceProceeding, proceeding)
    _require_member(actor, proceeding.licence)
    response = _required_text(response, "response", message="Write the agency's response.")
    day = _today(today)
    if proceeding.stage != ProceedingStage.NOTICE:
        raise _stage_conflict(proceeding, "answered", "the agency responds while the notice is pending.")
    if proceeding.responded_at is not None:
        raise Conflict("The agency has already responded to this notice.", field="response")
    if day > proceeding.respond_by:
        raise Conflict(f"The time to respond ended on {proceeding.respond_by.isoformat()}.", field="response")
    before = _proceeding_snapshot(proceeding)
    proceeding.response, proceeding.responded_at = response, timezone.now()
    proceeding.save()
    _record_proceeding(actor, "licence.proceeding_respond", proceeding, before)
    return proceeding


def _apply_sanction(proceeding: LicenceProceeding, licence: AgencyLicence, reason: str, until: datetime.date | None) -> None:
    proceeding.licence_before = {
        "status": licence.status,
        "suspended_until": licence.suspended_until.isoformat() if licence.suspended_until else None,
        "status_reason": licence.status_reason,
    }
    if proceeding.kind == ProceedingKind.SUSPENSION:
        licence.status, licence.suspended_until = LicenceStatus.SUSPENDED, until
    else:
        licence.status, licence.suspended_until = LicenceStatus.REVOKED, None
    licence.status_reason = reason


@transaction.atomic
def proceeding_decide(*, actor, proceeding: LicenceProceeding, decision: str, reason: str, sanction_until=None,
                      today: datetime.date | None = None) -> LicenceProceeding:
    """The origin authority decides, after the agency responded or the time to respond ended: upheld (the licence is
    suspended until a date, or revoked, with the reason) or dismissed (nothing changes)."""
    proceeding = _locked(LicenceProceeding, proceeding)
    licence = _locked(AgencyLicence, proceeding.licence)
    _require_officer(actor, licence)
    day = _today(today)
    errors: list[dict] = []
    if decision not in ("upheld", "dismissed"):
        errors.append({"field": "decision", "message": "Must be upheld or dismissed."})
    reason = _text({"reason": reason}, "reason", errors, required=True, max_length=MAX_TEXT)
    until = None
    if decision == "upheld" and proceeding.kind == ProceedingKind.SUSPENSION:
        until = _date({"sanction_until": sanction_until}, "sanction_until", errors)
        if until is not None and until <= day:
            errors.append({"field": "sanction_until", "message": "A suspension runs until a date after today."})
    if errors:
        raise InvalidInput(errors)
    if proceeding.stage != ProceedingStage.NOTICE:
        raise _stage_conflict(proceeding, "decided", "a decision follows the notice, once.")
    if proceeding.responded_at is None and day <= proceeding.respond_by:
        raise Conflict(
            f"Wait for the agency's response or for the time to respond to end ({proceeding.respond_by.isoformat()}) "
            "before deciding.",
            field="decision",
        )
    before = _proceeding_snapshot(proceeding)
    licence_before = _licence_snapshot(licence)
    proceeding.decision, proceeding.decision_reason = decision, reason
    proceeding.decided_by, proceeding.decided_at = actor, timezone.now()
    proceeding.sanction_until = until
    if decision == "upheld":
        proceeding.stage = ProceedingStage.DECIDED
        proceeding.appeal_by = day + datetime.timedelta(days=APPEAL_DAYS)
        _apply_sanction(proceeding, licence, reason, until)
        licence.save()
        _record_licence(actor, f"licence.{'suspend' if proceeding.kind == ProceedingKind.SUSPENSION else 'revoke'}",
                        licence, licence_before, reason=reason)
    else:
        proceeding.stage = ProceedingStage.CLOSED
    proceeding.save()
    _record_proceeding(actor, "licence.proceeding_decide", proceeding, before, reason=reason)
    return proceeding


@transaction.atomic
def proceeding_appeal(*, actor, proceeding: LicenceProceeding, appeal: str,
                      today: datetime.date | None = None) -> LicenceProceeding:
    """The agency appeals an upheld decision within 30 days; the sanction stays in force meanwhile."""
    proceeding = _locked(LicenceProceeding, proceeding)
    _require_member(actor, proceeding.licence)
    appeal = _required_text(appeal, "appeal", message="Write the grounds of the appeal.")
    day = _today(today)
    if proceeding.stage != ProceedingStage.DECIDED or proceeding.decision != "upheld":
        raise _stage_conflict(proceeding, "appealed", "only an upheld decision can be appealed.")
    deadline = selectors.appeal_deadline(proceeding)
    if day > deadline:
        raise Conflict(f"The time to appeal ({APPEAL_DAYS} days) ended on {deadline.isoformat()}.", field="appeal")
    before = _proceeding_snapshot(proceeding)
    proceeding.appeal, proceeding.appealed_at = appeal, timezone.now()
    proceeding.stage = ProceedingStage.APPEALED
    proceeding.save()
    _record_proceeding(actor, "licence.proceeding_appeal", proceeding, before)
    return proceeding


@transaction.atomic
def proceeding_decide_appeal(*, actor, proceeding: LicenceProceeding, decision: str, reason: str) -> LicenceProceeding:
    """A second officer (four eyes: not the one who decided) decides the appeal: upheld (the sanction stands) or
    overturned (the licence returns to its status before the decision)."""
    proceeding = _locked(LicenceProceeding, proceeding)
    licence = _locked(AgencyLicence, proceeding.licence)
    _require_officer(actor, licence)
    errors: list[dict] = []
    if decision not in ("upheld", "overturned"):
        errors.append({"field": "decision", "message": "Must be upheld or overturned."})
    reason = _text({"reason": reason}, "reason", errors, required=True, max_length=MAX_TEXT)
    if errors:
        raise InvalidInput(errors)
    if proceeding.stage != ProceedingStage.APPEALED:
        raise _stage_conflict(proceeding, "decided on appeal", "an appeal is decided after the agency appealed.")
    if proceeding.decided_by_id == actor.pk:
        raise Forbidden("Four eyes: the officer who decided the proceeding cannot decide the appeal against it.")
    before = _proceeding_snapshot(proceeding)
    proceeding.appeal_decision, proceeding.appeal_reason = decision, reason
    proceeding.appeal_decided_by, proceeding.appeal_decided_at = actor, timezone.now()
    proceeding.stage = ProceedingStage.CLOSED
    if decision == "overturned":
        licence_before = _licence_snapshot(licence)
        previous = proceeding.licence_before or {}
        licence.status = previous.get("status") or LicenceStatus.ACTIVE
        until = previous.get("suspended_until")
        licence.suspended_until = datetime.date.fromisoformat(until) if until else None
        licence.status_reason = previous.get("status_reason") or ""
        licence.save()
        _record_licence(actor, "licence.restore", licence, licence_before, reason=reason)
    proceeding.save()
    _record_proceeding(actor, "licence.proceeding_decide_appeal", proceeding, before, reason=reason)
    return proceeding


# --- agency-employer links ---------------------------------------------------------------------------------------


@transaction.atomic
def link_record(*, actor, employer, programme, since=None, today: datetime.date | None = None) -> AgencyEmployerLink:
    """The agency records that it recruits for an employer under a programme, which it may do only where its licence
    covers that programme for its own country. Both answer jointly for what the workers paid."""
    agency = _require_agency(actor)
    day = _today(today)
    errors: list[dict] = []
    if not isinstance(employer, EmployerProfile):
        try:
            employer = EmployerProfile.objects.select_related("organisation").get(pk=int(employer))
        except (TypeError, ValueError, EmployerProfile.DoesNotExist):
            errors.append({"field": "employer", "message": f"No employer {str(employer)[:20]!r}."})
            employer = None
    if not isinstance(programme, Programme):
        programme = Programme.objects.filter(code=str(programme or "").strip().upper()[:30]).first()
        if programme is None:
            errors.append({"field": "programme", "message": "No such programme."})
    start = _date({"since": since}, "since", errors, required=False) or day
    if errors:
        raise InvalidInput(errors)
    if not employer.approvals.filter(programme=programme).exists():
        raise InvalidInput(f"{employer} takes no part in programme {programme.code}.", field="employer")
    allowed, why = selectors.agency_may_act(agency, programme, agency.country, day)
    if not allowed:
        raise InvalidInput(why, field="programme")
    if AgencyEmployerLink.objects.filter(agency=agency, employer=employer, programme=programme).exists():
        raise Conflict(f"The link with {employer} under {programme.code} is already recorded.", field="employer")
    link = AgencyEmployerLink.objects.create(agency=agency, employer=employer, programme=programme, since=start, created_by=actor)
    audit.record(actor=actor, action="agency_link.record", subject=link, after=audit.snapshot(link),
                 programme_id=programme.pk, organisation_id=agency.pk)
    return link


@transaction.atomic
def link_end(*, actor, link: AgencyEmployerLink, ended_on=None, today: datetime.date | None = None) -> AgencyEmployerLink:
    """The agency records the end of its work for the employer; liability for what happened before remains."""
    link = _locked(AgencyEmployerLink, link)
    org = _require_agency(actor)
    if org.pk != link.agency_id:
        raise Forbidden("Only the agency of this link may end it.")
    if link.ended_on is not None:
        raise Conflict(f"This link already ended on {link.ended_on.isoformat()}.", field="ended_on")
    errors: list[dict] = []
    end = _date({"ended_on": ended_on}, "ended_on", errors, required=False) or _today(today)
    if end and end < link.since:
        errors.append({"field": "ended_on", "message": f"Must be on or after {link.since.isoformat()}."})
    if errors:
        raise InvalidInput(errors)
    before = audit.snapshot(link)
    link.ended_on = end
    link.save()
    audit.record(actor=actor, action="agency_link.end", subject=link, before=before, after=audit.snapshot(link),
                 programme_id=link.programme_id, organisation_id=link.agency_id)
    return link


# --- ratings -----------------------------------------------------------------------------------------------------


def _score(data: dict, name: str, errors: list) -> int | None:
    raw = data.get(name)
    if raw is None or isinstance(raw, bool) or str(raw).strip() == "":
        errors.append({"field": name, "message": "Choose a score from 1 to 5."})
        return None
    try:
        value = int(str(raw).strip())
    except ValueError:
        errors.append({"field": name, "message": "Choose a score from 1 to 5."})
        return None
    if not 1 <= value <= 5:
        errors.append({"field": name, "message": "Choose a score from 1 to 5."})
        return None
    return value


@transaction.atomic
def rating_submit(*, actor, agency, comment: str = "", **scores: Any) -> AgencyRating:
    """A worker rates an agency that recruited or registered them (fees, information, honesty of the contract,
    treatment; 1-5). One rating per worker and agency: a second submission replaces the first and goes back to
    moderation."""
    worker = selectors.own_worker(actor)
    if worker is None:
        raise Forbidden("Only a worker with a profile in the pool rates agencies.")
    if not isinstance(agency, Organisation):
        agency = Organisation.objects.filter(pk=agency if isinstance(agency, int) else -1, kind=OrgKind.RECRUITMENT_AGENCY).first()
        if agency is None:
            raise NotFound("No such recruitment agency.", field="agency")
    if agency.kind != OrgKind.RECRUITMENT_AGENCY:
        raise NotFound("No such recruitment agency.", field="agency")
    errors: list[dict] = []
    clean = {d: _score(scores, d, errors) for d in RATING_DIMENSIONS}
    comment = _text({"comment": comment}, "comment", errors, max_length=2000)
    if errors:
        raise InvalidInput(errors)
    if not selectors.worker_may_rate(worker, agency):
        raise Forbidden(f"You can rate {agency.name} once it has recruited or registered you.")
    existing = AgencyRating.objects.select_for_update().filter(worker=worker, agency=agency).first()
    before = audit.snapshot(existing) if existing else None
    if existing is None:
        try:
            with transaction.atomic():
                rating = AgencyRating.objects.create(worker=worker, agency=agency, comment=comment, **clean)
        except IntegrityError as exc:  # the same worker submitting twice at once
            raise Conflict("Your rating of this agency was just saved; reload the page.", field="agency") from exc
    else:
        rating = existing
        for name, value in clean.items():
            setattr(rating, name, value)
        rating.comment = comment
        rating.status = RatingStatus.PENDING
        rating.moderated_by = rating.moderated_at = None
        rating.moderation_note = ""
        rating.updated_at = timezone.now()
        rating.save()
    audit.record(actor=actor, action="agency_rating.submit" if existing is None else "agency_rating.update", subject=rating,
                 before=before, after=audit.snapshot(rating), organisation_id=agency.pk)
    return rating


@transaction.atomic
def rating_moderate(*, actor, rating: AgencyRating, decision: str, note: str = "") -> AgencyRating:
    """An officer of the origin authority of the agency's country publishes a rating (its scores are then counted in
    the public aggregate) or rejects it with a note. Comments are never published."""
    rating = AgencyRating.objects.select_for_update().select_related("agency").get(pk=rating.pk)
    org = getattr(actor, "organisation", None)
    if not (Role.ORIGIN_OFFICER in roles_of(actor) and org is not None and org.kind == OrgKind.ORIGIN_AUTHORITY
            and org.country == rating.agency.country):
        raise Forbidden(f"Only officers of the origin labour authority of {rating.agency.country} moderate ratings of its agencies.")
    errors: list[dict] = []
    if decision not in ("publish", "reject"):
        errors.append({"field": "decision", "message": "Must be publish or reject."})
    note = _text({"note": note}, "note", errors, required=decision == "reject", max_length=2000)
    if errors:
        raise InvalidInput(errors)
    if rating.status != RatingStatus.PENDING:
        raise Conflict(f"This rating was already moderated ({rating.status}).", field="status")
    before = audit.snapshot(rating)
    rating.status = RatingStatus.PUBLISHED if decision == "publish" else RatingStatus.REJECTED
    rating.moderated_by, rating.moderated_at = actor, timezone.now()
    rating.moderation_note = note
    rating.save()
    audit.record(actor=actor, action=f"agency_rating.{decision}", subject=rating, before=before, after=audit.snapshot(rating),
                 reason=note, organisation_id=rating.agency_id)
    return rating


# --- for the worker pool -----------------------------------------------------------------------------------------


def agency_worker_check(agency_org, origin_country: str, on_date: datetime.date | None = None) -> tuple[bool, str]:
    """Registered with the worker pool at start-up: an agency registers workers on their behalf only with a licence
    in force that covers their origin country for at least one programme."""
    return selectors.agency_may_register_workers(agency_org, origin_country, on_date)
