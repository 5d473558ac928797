"""Changing employers, approvals, worksites, housing and inspections. One atomic function per change, each audited."""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from corridor.accounts.models import OrgKind
from corridor.core import audit
from corridor.core.access import Role, roles_of
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.employers.models import (
    MINISTRY_ROLES,
    ApprovalStatus,
    EmployerApproval,
    EmployerProfile,
    HousingInspection,
    HousingPhoto,
    HousingStatus,
    HousingUnit,
    InspectionResult,
    Worksite,
)
from corridor.programmes.models import Programme
from corridor.programmes.selectors import rule_version_in_force
from corridor.reference import codes

DEFAULT_APPROVAL_MONTHS = 24
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved by `months` calendar months, clamped to the last day of the month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def approval_months(programme: Programme, day: datetime.date) -> tuple[int, int | None]:
    """(months an approval lasts under the rules in force on `day`, that rule version's id)."""
    version = rule_version_in_force(programme=programme, day=day)
    if version is None:
        return DEFAULT_APPROVAL_MONTHS, None
    return int(version.rules.get("employer_approval_months") or DEFAULT_APPROVAL_MONTHS), version.pk


# --- who may act ---------------------------------------------------------------------------------------------


def _require_employer_member(actor, employer: EmployerProfile) -> None:
    if Role.EMPLOYER not in roles_of(actor) or actor.organisation_id != employer.organisation_id:
        raise Forbidden("Only members of this employer's organisation may do this.")


def _require_reviewer(actor, programme: Programme) -> None:
    org = getattr(actor, "organisation", None)
    if (
        not roles_of(actor) & MINISTRY_ROLES
        or org is None
        or org.kind != OrgKind.DESTINATION_MINISTRY
        or org.country != programme.destination_country
    ):
        raise Forbidden("Only officers of the destination country's labour ministry review employers for this programme.")


def _require_inspector(actor, unit: HousingUnit) -> None:
    org = getattr(actor, "organisation", None)
    if Role.LABOUR_INSPECTOR not in roles_of(actor) or org is None or org.country != unit.worksite.country:
        raise Forbidden("Only labour inspectors of the country where the housing is may record inspections.")


# --- input checks --------------------------------------------------------------------------------------------


def _text(data: dict, name: str, errors: list, *, required: bool = True, max_length: int = 300) -> str:
    value = str(data.get(name) or "").strip()
    if required and not value:
        errors.append({"field": name, "message": "This field is required."})
    elif len(value) > max_length:
        errors.append({"field": name, "message": f"Use at most {max_length} characters."})
    return value


def _check_worksite(data: dict, prefix: str, errors: list) -> dict:
    local: list = []
    clean = {
        "name": _text(data, "name", local, max_length=200),
        "address": _text(data, "address", local),
        "region": _text(data, "region", local, required=False, max_length=100),
        "country": str(data.get("country") or "").strip().upper(),
    }
    if not codes.is_country(clean["country"]):
        local.append({"field": "country", "message": f"Unknown ISO 3166-1 country code '{clean['country']}'."})
    errors.extend({"field": f"{prefix}{e['field']}", "message": e["message"]} for e in local)
    return clean


def _check_profile(data: dict, errors: list) -> dict:
    sectors = data.get("sectors") or []
    if not isinstance(sectors, list | tuple) or not sectors:
        errors.append({"field": "sectors", "message": "Name at least one ISIC Rev.4 section (A to U)."})
        sectors = []
    else:
        sectors = [str(s).strip().upper() for s in sectors]
        wrong = [s for s in sectors if not codes.is_sector(s)]
        if wrong:
            errors.append({"field": "sectors", "message": f"Unknown ISIC Rev.4 section(s): {', '.join(wrong)}."})
    email = _text(data, "contact_email", errors, max_length=254)
    if email and ("@" not in email or email.startswith("@") or email.endswith("@")):
        errors.append({"field": "contact_email", "message": "Enter a valid e-mail address."})
    return {
        "business_id": _text(data, "business_id", errors, max_length=100),
        "sectors": sorted(set(sectors)),
        "contact_name": _text(data, "contact_name", errors, max_length=200),
        "contact_phone": _text(data, "contact_phone", errors, required=False, max_length=40),
        "contact_email": email,
    }


# --- employers and worksites ---------------------------------------------------------------------------------


@transaction.atomic
def employer_register(*, actor, worksites: list[dict] | None = None, **data: Any) -> EmployerProfile:
    """An employer organisation's member registers it: the profile and its worksites, all or nothing."""
    org = getattr(actor, "organisation", None)
    if Role.EMPLOYER not in roles_of(actor) or org is None or org.kind != OrgKind.EMPLOYER:
        raise Forbidden("Only members of an employer organisation can register it as an employer.")
    if EmployerProfile.objects.filter(organisation=org).exists():
        raise Conflict(f"{org.name} is already registered.", field="organisation")
    errors: list[dict] = []
    clean = _check_profile(data, errors)
    sites = [_check_worksite(w or {}, f"worksites[{i}].", errors) for i, w in enumerate(worksites or [])]
    if errors:
        raise InvalidInput(errors)
    profile = EmployerProfile.objects.create(organisation=org, **clean)
    audit.record(actor=actor, action="employer.register", subject=profile, after=audit.snapshot(profile), organisation_id=org.pk)
    for site in sites:
        worksite = Worksite.objects.create(employer=profile, **site)
        audit.record(actor=actor, action="worksite.create", subject=worksite, after=audit.snapshot(worksite), organisation_id=org.pk)
    return profile


ACCOUNT_FIELDS = ("organisation_name", "country", "username", "password", "first_name", "last_name", "email", "language")


@transaction.atomic
def employer_sign_up(*, worksites: list[dict] | None = None, **data: Any) -> EmployerProfile:
    """Self-registration of a new employer, without an account yet: the organisation, a first account that
    administers it, the employer profile and its worksites, all or nothing. Every field is checked before anything
    is written, so that all problems are reported at once. The employer then applies to programmes and is vetted."""
    from corridor.accounts import services as account_services

    errors: list[dict] = account_services.check_new_account(
        username=data.get("username") or "", password=data.get("password") or "", email=data.get("contact_email") or "",
        language=data.get("language") or "en",
    )
    profile_data = {k: v for k, v in data.items() if k not in ACCOUNT_FIELDS}
    _check_profile(profile_data, errors)
    sites = worksites or []
    if not sites:
        errors.append({"field": "worksites", "message": "Give at least one worksite."})
    country = str(data.get("country") or "").strip().upper()
    for i, site in enumerate(sites):
        clean = _check_worksite(site or {}, f"worksites[{i}].", errors)
        if clean["country"] and country and clean["country"] != country:
            errors.append({"field": f"worksites[{i}].country", "message": "A worksite must be in the employer's country."})
    business_id = str(data.get("business_id") or "").strip()
    if business_id and country and EmployerProfile.objects.filter(business_id__iexact=business_id, organisation__country=country).exists():
        errors.append({"field": "business_id", "message": "An employer with this business identifier is already registered."})
    errors += account_services.check_new_employer_organisation(name=data.get("organisation_name") or "", country=country)
    if errors:
        raise InvalidInput(errors)
    user = account_services.employer_account_sign_up(
        organisation_name=data.get("organisation_name") or "", country=country, registration_number=business_id,
        username=data.get("username") or "", password=data.get("password") or "", first_name=data.get("first_name") or "",
        last_name=data.get("last_name") or "", email=data.get("contact_email") or "", language=data.get("language") or "en",
    )
    return employer_register(actor=user, worksites=sites, **profile_data)


@transaction.atomic
def employer_update(*, actor, employer: EmployerProfile, **data: Any) -> EmployerProfile:
    """Change the profile's business identifier, sectors or contact details."""
    _require_employer_member(actor, employer)
    employer = EmployerProfile.objects.select_for_update().get(pk=employer.pk)
    merged = {k: getattr(employer, k) for k in ("business_id", "sectors", "contact_name", "contact_phone", "contact_email")}
    merged.update({k: v for k, v in data.items() if k in merged})
    errors: list[dict] = []
    clean = _check_profile(merged, errors)
    if errors:
        raise InvalidInput(errors)
    before = audit.snapshot(employer)
    for key, value in clean.items():
        setattr(employer, key, value)
    employer.save()
    audit.record(
        actor=actor, action="employer.update", subject=employer, before=before, after=audit.snapshot(employer),
        organisation_id=employer.organisation_id,
    )
    return employer


@transaction.atomic
def worksite_create(*, actor, employer: EmployerProfile, **data: Any) -> Worksite:
    _require_employer_member(actor, employer)
    errors: list[dict] = []
    clean = _check_worksite(data, "", errors)
    if errors:
        raise InvalidInput(errors)
    worksite = Worksite.objects.create(employer=employer, **clean)
    audit.record(
        actor=actor, action="worksite.create", subject=worksite, after=audit.snapshot(worksite),
        organisation_id=employer.organisation_id,
    )
    return worksite


# --- approvals -----------------------------------------------------------------------------------------------


def _locked_approval(employer: EmployerProfile, programme: Programme) -> EmployerApproval:
    approval = EmployerApproval.objects.select_for_update().filter(employer=employer, programme=programme).first()
    if approval is None:
        raise Conflict(f"{employer} has not applied to programme {programme.code}.", field="programme")
    return approval


def _decide(actor, approval: EmployerApproval, action: str, before: dict, reason: str = "", rule_version_id=None):
    approval.reviewer = actor
    approval.decided_at = timezone.now()
    approval.save()
    audit.record(
        actor=actor, action=action, subject=approval, before=before, after=audit.snapshot(approval), reason=reason,
        programme_id=approval.programme_id, organisation_id=approval.employer.organisation_id, rule_version_id=rule_version_id,
    )
    return approval


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give the reason; the employer is told it.", field="reason")
    return reason


def _vetting(approval: EmployerApproval, vetting: dict | None) -> None:
    for key in ("documents_checked", "finances", "compliance_history"):
        if vetting and vetting.get(key) is not None:
            setattr(approval, key, str(vetting[key]).strip())


@transaction.atomic
def employer_apply(*, actor, employer: EmployerProfile, programme: Programme) -> EmployerApproval:
    """Apply for approval under a programme of the employer's country; again after a rejection, an expiry or a ban's end."""
    _require_employer_member(actor, employer)
    if programme.destination_country != employer.organisation.country:
        raise InvalidInput(
            f"Programme {programme.code} recruits for {programme.destination_country}; the employer is in "
            f"{employer.organisation.country}.",
            field="programme",
        )
    approval = EmployerApproval.objects.select_for_update().filter(employer=employer, programme=programme).first()
    before = audit.snapshot(approval) if approval else None
    if approval is None:
        approval = EmployerApproval(employer=employer, programme=programme)
    elif approval.status in (ApprovalStatus.REJECTED, ApprovalStatus.EXPIRED) or (
        approval.status == ApprovalStatus.BANNED and approval.restricted_until and approval.restricted_until < timezone.localdate()
    ):
        approval.reason = ""
        approval.valid_from = approval.valid_until = approval.restricted_until = None
    else:
        raise Conflict(f"The application under {programme.code} is {approval.get_status_display().lower()}.", field="status")
    approval.status = ApprovalStatus.PENDING
    approval.save()
    audit.record(
        actor=actor, action="employer.apply", subject=approval, before=before, after=audit.snapshot(approval),
        programme_id=programme.pk, organisation_id=employer.organisation_id,
    )
    return approval


@transaction.atomic
def employer_approve(
    *, actor, employer: EmployerProfile, programme: Programme, vetting: dict | None = None, valid_from: datetime.date | None = None
) -> EmployerApproval:
    """Approve a pending application for the period the programme's rules set (`employer_approval_months`)."""
    _require_reviewer(actor, programme)
    approval = _locked_approval(employer, programme)
    if approval.status != ApprovalStatus.PENDING:
        raise Conflict(f"Only a pending application can be approved; this one is {approval.status}.", field="status")
    before = audit.snapshot(approval)
    start = valid_from or timezone.localdate()
    months, version_id = approval_months(programme, start)
    _vetting(approval, vetting)
    approval.status = ApprovalStatus.APPROVED
    approval.reason = ""
    approval.valid_from, approval.valid_until = start, add_months(start, months) - datetime.timedelta(days=1)
    approval.restricted_until = None
    return _decide(actor, approval, "employer.approve", before, rule_version_id=version_id)


@transaction.atomic
def employer_reject(*, actor, employer: EmployerProfile, programme: Programme, reason: str, vetting: dict | None = None):
    _require_reviewer(actor, programme)
    reason = _reason(reason)
    approval = _locked_approval(employer, programme)
    if approval.status != ApprovalStatus.PENDING:
        raise Conflict(f"Only a pending application can be rejected; this one is {approval.status}.", field="status")
    before = audit.snapshot(approval)
    _vetting(approval, vetting)
    approval.status, approval.reason = ApprovalStatus.REJECTED, reason
    return _decide(actor, approval, "employer.reject", before, reason)


# Called inside the suspension or ban's transaction: fn(actor, employer, programme, reason). The change-of-employer
# app installs the release of the employer's workers in the programme (docs/mobility.md).
_sanction_listeners: list = []


def register_sanction_listener(fn) -> None:
    if fn not in _sanction_listeners:
        _sanction_listeners.append(fn)


def _after_sanction(actor, employer: EmployerProfile, programme: Programme, reason: str) -> None:
    for fn in list(_sanction_listeners):
        fn(actor, employer, programme, reason)


@transaction.atomic
def employer_suspend(*, actor, employer: EmployerProfile, programme: Programme, reason: str, until: datetime.date | None):
    """Suspend an approved employer until a date: it may not submit job orders meanwhile."""
    _require_reviewer(actor, programme)
    reason = _reason(reason)
    if until is None:
        raise InvalidInput("A suspension needs an end date; use a ban for an open-ended exclusion.", field="until")
    if until <= timezone.localdate():
        raise InvalidInput("The suspension must end after today.", field="until")
    approval = _locked_approval(employer, programme)
    if approval.status != ApprovalStatus.APPROVED:
        raise Conflict(f"Only an approved employer can be suspended; this one is {approval.status}.", field="status")
    before = audit.snapshot(approval)
    approval.status, approval.reason, approval.restricted_until = ApprovalStatus.SUSPENDED, reason, until
    approval = _decide(actor, approval, "employer.suspend", before, reason)
    _after_sanction(actor, employer, programme, reason)
    return approval


@transaction.atomic
def employer_ban(*, actor, employer: EmployerProfile, programme: Programme, reason: str, until: datetime.date | None = None):
    """Exclude an employer from the programme, until a date or (until=None) without end."""
    _require_reviewer(actor, programme)
    reason = _reason(reason)
    if until is not None and until <= timezone.localdate():
        raise InvalidInput("The ban must end after today, or have no end date.", field="until")
    approval = EmployerApproval.objects.select_for_update().filter(employer=employer, programme=programme).first()
    before = audit.snapshot(approval) if approval else None
    if approval is None:
        approval = EmployerApproval(employer=employer, programme=programme)
    elif approval.status == ApprovalStatus.BANNED:
        raise Conflict("The employer is already banned from this programme.", field="status")
    approval.status, approval.reason, approval.restricted_until = ApprovalStatus.BANNED, reason, until
    approval = _decide(actor, approval, "employer.ban", before, reason)
    _after_sanction(actor, employer, programme, reason)
    return approval


@transaction.atomic
def employer_renew(*, actor, employer: EmployerProfile, programme: Programme, vetting: dict | None = None) -> EmployerApproval:
    """Renew an approval (approved, expired, or suspended after the suspension ended) for a new period from today."""
    _require_reviewer(actor, programme)
    approval = _locked_approval(employer, programme)
    today = timezone.localdate()
    suspension_over = approval.status == ApprovalStatus.SUSPENDED and approval.restricted_until and approval.restricted_until < today
    if approval.status not in (ApprovalStatus.APPROVED, ApprovalStatus.EXPIRED) and not suspension_over:
        raise Conflict(f"Only an approved or expired approval can be renewed; this one is {approval.status}.", field="status")
    before = audit.snapshot(approval)
    months, version_id = approval_months(programme, today)
    _vetting(approval, vetting)
    approval.status, approval.reason, approval.restricted_until = ApprovalStatus.APPROVED, "", None
    approval.valid_from, approval.valid_until = today, add_months(today, months) - datetime.timedelta(days=1)
    return _decide(actor, approval, "employer.renew", before, rule_version_id=version_id)


@transaction.atomic
def employer_set_trusted(*, actor, employer: EmployerProfile, programme: Programme, trusted: bool, reason: str = "") -> EmployerProfile:
    """Mark an approved employer as trusted (or no longer), as a reviewer of one of its programmes."""
    _require_reviewer(actor, programme)
    if not EmployerApproval.objects.filter(employer=employer, programme=programme).exists():
        raise Conflict(f"{employer} has not applied to programme {programme.code}.", field="programme")
    employer = EmployerProfile.objects.select_for_update().get(pk=employer.pk)
    before = audit.snapshot(employer)
    employer.trusted = bool(trusted)
    employer.save(update_fields=["trusted", "updated_at"])
    audit.record(
        actor=actor, action="employer.trusted", subject=employer, before=before, after=audit.snapshot(employer),
        reason=reason, programme_id=programme.pk, organisation_id=employer.organisation_id,
    )
    return employer


# --- housing -------------------------------------------------------------------------------------------------


def _check_unit(data: dict) -> dict:
    errors: list[dict] = []
    clean: dict[str, Any] = {"address": _text(data, "address", errors)}
    beds = data.get("beds_per_room")
    if not isinstance(beds, list | tuple) or not beds or not all(isinstance(b, int) and not isinstance(b, bool) and 0 <= b <= 50 for b in beds):
        errors.append({"field": "beds_per_room", "message": "List the number of beds in each bedroom (whole numbers, 0 to 50)."})
        beds = []
    clean["beds_per_room"], clean["rooms"] = list(beds), len(beds)
    try:
        area = Decimal(str(data.get("floor_area_m2")))
        if not area.is_finite() or area <= 0 or area >= Decimal("1000000"):
            raise InvalidOperation
        clean["floor_area_m2"] = area.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors.append({"field": "floor_area_m2", "message": "Give the floor area in square metres, more than 0."})
    facilities = data.get("facilities") or []
    if not isinstance(facilities, list | tuple) or not all(isinstance(f, str) and 0 < len(f.strip()) <= 100 for f in facilities):
        errors.append({"field": "facilities", "message": "List the facilities as short texts."})
        facilities = []
    clean["facilities"] = sorted({f.strip() for f in facilities})
    try:
        charge = Decimal(str(data.get("charge_amount", 0)))
        if not charge.is_finite() or charge < 0 or charge >= Decimal("100000000"):
            raise InvalidOperation
        clean["charge_amount"] = charge.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors.append({"field": "charge_amount", "message": "Give the monthly charge as an amount of 0 or more."})
    currency = str(data.get("charge_currency") or "").strip().upper()
    if not codes.is_currency(currency):
        errors.append({"field": "charge_currency", "message": f"Unknown ISO 4217 currency code '{currency}'."})
    clean["charge_currency"] = currency
    status = data.get("status", HousingStatus.OFFERED)
    if status not in HousingStatus.values:
        errors.append({"field": "status", "message": f"Choose one of {', '.join(HousingStatus.values)}."})
    clean["status"] = status
    if errors:
        raise InvalidInput(errors)
    return clean


UNIT_FIELDS = ("address", "beds_per_room", "floor_area_m2", "facilities", "charge_amount", "charge_currency", "status")


@transaction.atomic
def housing_unit_create(*, actor, worksite: Worksite, **data: Any) -> HousingUnit:
    _require_employer_member(actor, worksite.employer)
    unit = HousingUnit.objects.create(worksite=worksite, **_check_unit(data))
    audit.record(
        actor=actor, action="housing.create", subject=unit, after=audit.snapshot(unit),
        organisation_id=worksite.employer.organisation_id,
    )
    return unit


@transaction.atomic
def housing_unit_update(*, actor, unit: HousingUnit, **data: Any) -> HousingUnit:
    _require_employer_member(actor, unit.worksite.employer)
    unit = HousingUnit.objects.select_for_update().get(pk=unit.pk)
    merged = {k: getattr(unit, k) for k in UNIT_FIELDS}
    merged.update({k: v for k, v in data.items() if k in UNIT_FIELDS and v is not None})
    clean = _check_unit(merged)
    before = audit.snapshot(unit)
    for key, value in clean.items():
        setattr(unit, key, value)
    unit.save()
    audit.record(
        actor=actor, action="housing.update", subject=unit, before=before, after=audit.snapshot(unit),
        organisation_id=unit.worksite.employer.organisation_id,
    )
    return unit


def photo_type(upload) -> str:
    """The photo's content type from its first bytes (JPEG or PNG), or InvalidInput."""
    if upload is None:
        raise InvalidInput("Choose a photo.", field="photo")
    if upload.size > settings.CORRIDOR_MAX_UPLOAD_BYTES:
        raise InvalidInput(f"The photo is larger than {settings.CORRIDOR_MAX_UPLOAD_BYTES // (1024 * 1024)} MiB.", field="photo")
    head = upload.read(len(PNG_MAGIC))
    upload.seek(0)
    if head.startswith(JPEG_MAGIC):
        return "image/jpeg"
    if head.startswith(PNG_MAGIC):
        return "image/png"
    raise InvalidInput("The photo must be a JPEG or PNG image.", field="photo")


@transaction.atomic
def housing_photo_add(*, actor, unit: HousingUnit, upload) -> HousingPhoto:
    _require_employer_member(actor, unit.worksite.employer)
    content_type = photo_type(upload)
    photo = HousingPhoto(unit=unit, content_type=content_type, size=upload.size)
    extension = "jpg" if content_type == "image/jpeg" else "png"
    photo.image.save(f"unit-{unit.pk}.{extension}", upload, save=False)
    photo.save()
    audit.record(
        actor=actor, action="housing.photo", subject=photo, after=audit.snapshot(photo),
        organisation_id=unit.worksite.employer.organisation_id,
    )
    return photo


@transaction.atomic
def housing_inspection_record(
    *, actor, unit: HousingUnit, date: datetime.date, result: str, notes: str = "", programme: Programme | None = None
) -> HousingInspection:
    """A labour inspector records a visit to a housing unit of their country."""
    _require_inspector(actor, unit)
    errors = []
    if result not in InspectionResult.values:
        errors.append({"field": "result", "message": f"Choose one of {', '.join(InspectionResult.values)}."})
    if date is None or date > timezone.localdate():
        errors.append({"field": "date", "message": "Give the date of the visit; it cannot be in the future."})
    if result in (InspectionResult.FAIL, InspectionResult.CONDITIONAL) and not (notes or "").strip():
        errors.append({"field": "notes", "message": "Say what was found and what must change."})
    if errors:
        raise InvalidInput(errors)
    inspection = HousingInspection.objects.create(unit=unit, date=date, result=result, inspector=actor, notes=(notes or "").strip())
    audit.record(
        actor=actor, action="housing.inspection", subject=inspection, after=audit.snapshot(inspection),
        programme_id=programme.pk if programme else None, organisation_id=unit.worksite.employer.organisation_id,
    )
    return inspection
