"""Reading employers, approvals, worksites, housing and inspections, always through `restrict(user)`."""

from __future__ import annotations

import datetime

from django.db import models

from corridor.core.errors import NotFound
from corridor.employers import housing
from corridor.employers.models import (
    ApprovalStatus,
    EmployerApproval,
    EmployerProfile,
    HousingInspection,
    HousingUnit,
    Worksite,
)
from corridor.programmes.models import Programme
from corridor.programmes.selectors import rule_version_in_force


def employer_list(*, user, status: str = "", programme: str = "", country: str = "") -> models.QuerySet[EmployerProfile]:
    qs = EmployerProfile.objects.all().restrict(user).select_related("organisation")
    if status or programme:
        approvals = EmployerApproval.objects.all().restrict(user)
        if status:
            approvals = approvals.filter(status=status)
        if programme:
            approvals = approvals.filter(programme__code=programme.upper())
        qs = qs.filter(pk__in=approvals.values("employer_id"))
    if country:
        qs = qs.filter(organisation__country=country.upper())
    return qs.order_by("organisation__name", "pk")


def employer_get(*, user, pk: int, action: str = "view") -> EmployerProfile:
    employer = EmployerProfile.objects.filter(pk=pk).restrict(user, action).select_related("organisation").first()
    if employer is None:
        raise NotFound(f"No employer {pk}.", field="employer_id")
    return employer


def employer_of_user(*, user) -> EmployerProfile:
    """The profile of the user's own employer organisation."""
    org_id = getattr(user, "organisation_id", None)
    employer = EmployerProfile.objects.filter(organisation_id=org_id).restrict(user, "change").first() if org_id else None
    if employer is None:
        raise NotFound("Your organisation is not registered as an employer yet.")
    return employer


def approval_list(*, user, employer: EmployerProfile | None = None, status: str = "") -> models.QuerySet[EmployerApproval]:
    qs = EmployerApproval.objects.all().restrict(user).select_related("programme", "employer__organisation", "reviewer")
    if employer is not None:
        qs = qs.filter(employer=employer)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("programme__code", "employer__organisation__name")


def review_queue(*, user) -> models.QuerySet[EmployerApproval]:
    """Applications the user may decide on, pending ones first."""
    qs = EmployerApproval.objects.all().restrict(user, "change").select_related("programme", "employer__organisation")
    pending_first = models.Case(models.When(status=ApprovalStatus.PENDING, then=0), default=1)
    return qs.order_by(pending_first, "applied_at", "pk")


def approval_get(*, user, employer: EmployerProfile, programme: Programme) -> EmployerApproval:
    approval = approval_list(user=user, employer=employer).filter(programme=programme).first()
    if approval is None:
        raise NotFound(f"{employer} has no application under {programme.code}.", field="programme")
    return approval


def employer_may_submit_job_orders(employer: EmployerProfile, programme: Programme, on_date: datetime.date) -> tuple[bool, str]:
    """Whether the employer may submit job orders under the programme on that date, and why (not)."""
    approval = EmployerApproval.objects.filter(employer=employer, programme=programme).first()
    if approval is None:
        return False, f"The employer is not approved under {programme.code}."
    status, until = approval.status, approval.restricted_until
    if status == ApprovalStatus.BANNED:
        if until is None:
            return False, f"Banned from {programme.code} without end date: {approval.reason}"
        if on_date <= until:
            return False, f"Banned from {programme.code} until {until.isoformat()}: {approval.reason}"
        return False, f"The ban ended on {until.isoformat()}; the employer must apply again."
    if status == ApprovalStatus.SUSPENDED and until is not None and on_date <= until:
        return False, f"Suspended from {programme.code} until {until.isoformat()}: {approval.reason}"
    if status in (ApprovalStatus.APPROVED, ApprovalStatus.SUSPENDED):
        if approval.valid_from and on_date < approval.valid_from:
            return False, f"The approval starts on {approval.valid_from.isoformat()}."
        if approval.valid_until and on_date > approval.valid_until:
            return False, f"The approval expired on {approval.valid_until.isoformat()}; it must be renewed."
        return True, f"Approved under {programme.code} until {approval.valid_until.isoformat() if approval.valid_until else '—'}."
    return False, f"The application under {programme.code} is {approval.get_status_display().lower()}."


def worksite_list(*, user, employer: EmployerProfile) -> models.QuerySet[Worksite]:
    return Worksite.objects.filter(employer=employer).restrict(user).order_by("name", "pk")


def worksite_get(*, user, pk: int, action: str = "view") -> Worksite:
    worksite = Worksite.objects.filter(pk=pk).restrict(user, action).select_related("employer__organisation").first()
    if worksite is None:
        raise NotFound(f"No worksite {pk}.", field="worksite_id")
    return worksite


def housing_list(*, user, employer: EmployerProfile | None = None) -> models.QuerySet[HousingUnit]:
    qs = HousingUnit.objects.all().restrict(user).select_related("worksite__employer__organisation")
    if employer is not None:
        qs = qs.filter(worksite__employer=employer)
    return qs.order_by("worksite__name", "address", "pk")


def housing_get(*, user, pk: int, action: str = "view") -> HousingUnit:
    unit = HousingUnit.objects.filter(pk=pk).restrict(user, action).select_related("worksite__employer__organisation").first()
    if unit is None:
        raise NotFound(f"No housing unit {pk}.", field="unit_id")
    return unit


def inspection_list(*, user, unit: HousingUnit | None = None) -> models.QuerySet[HousingInspection]:
    qs = HousingInspection.objects.all().restrict(user).select_related("unit", "inspector")
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs.order_by("-date", "-pk")


def housing_check(*, unit: HousingUnit, programme: Programme, day: datetime.date | None = None) -> dict:
    """The unit checked against the housing standard of the programme's rules in force; findings empty = compliant."""
    version = rule_version_in_force(programme=programme, day=day)
    standard = (version.rules if version else {}).get("housing") or {}
    facts = housing.facts(unit.beds_per_room, float(unit.floor_area_m2), unit.facilities)
    findings = housing.check_unit(facts, standard)
    return {
        "programme": programme.code,
        "rule_version": version.number if version else None,
        "standard": {k: standard.get(k) for k in ("min_area_m2_per_person", "max_persons_per_room", "required_facilities")},
        "compliant": not findings,
        "findings": [{"rule": f.rule, "message": f.message, "actual": f.actual, "required": f.required} for f in findings],
    }


def housing_for_candidate(*, unit: HousingUnit) -> dict:
    """What a candidate worker may see before departure: the unit's facts, its photos and the last inspection's result.

    Not the inspector, the notes, the employer's other units, or anything about other workers. The workers app decides
    which candidates may call this (those offered a job order housed in the unit).
    """
    last = HousingInspection.objects.filter(unit=unit).order_by("-date", "-pk").first()
    return {
        "address": unit.address,
        "worksite": unit.worksite.name,
        "region": unit.worksite.region,
        "country": unit.worksite.country,
        "rooms": unit.rooms,
        "beds_per_room": list(unit.beds_per_room),
        "capacity": unit.capacity,
        "floor_area_m2": unit.floor_area_m2,
        "facilities": list(unit.facilities),
        "charge_amount": unit.charge_amount,
        "charge_currency": unit.charge_currency,
        "photos": [p.image.url for p in unit.photos.all()],
        "last_inspection": {"date": last.date, "result": last.result} if last else None,
    }
