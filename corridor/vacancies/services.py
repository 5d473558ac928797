"""Reporting and withdrawing vacancies. One atomic function per change, each audited."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from corridor.core import audit
from corridor.core.access import roles_of
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.programmes.models import Programme, ProgrammeStatus
from corridor.reference.selectors import isco_code_exists
from corridor.vacancies import aggregate
from corridor.vacancies.models import REPORTER_ROLES, VacancyKind, VacancyReport

MAX_VACANCIES = 100_000
MAX_MONTHS_UNFILLED = 240
MAX_MONTHS_AHEAD = 24  # how far ahead an emerging need may be reported
EARLIEST_PERIOD = datetime.date(2000, 1, 1)
REGION_MAX = 100
NOTE_MAX = 2000


def may_report(user, programme: Programme) -> bool:
    """Employers, the destination ministry and the social partners of the programme's destination country."""
    org = getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None
    return bool(roles_of(user) & REPORTER_ROLES) and org is not None and org.country == programme.destination_country


def _require_reporter(actor, programme: Programme) -> None:
    if not roles_of(actor) & REPORTER_ROLES:
        raise Forbidden(
            "Only employers, the destination labour ministry, employers' organisations and trade unions report vacancies."
        )
    if not may_report(actor, programme):
        raise Forbidden(
            f"Programme {programme.code} recruits for {programme.destination_country}; only organisations of that "
            "country report vacancies for it.",
            field="programme",
        )


# --- input checks --------------------------------------------------------------------------------------------


def _whole_number(value: Any, name: str, errors: list, *, required: bool, low: int, high: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.append({"field": name, "message": "This field is required."})
        return None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        digits = text[1:] if text[:1] == "-" else text
        # Long digit strings are out of range anyway; int() is not asked to read them.
        number = int(text[:12]) if digits.isascii() and digits.isdigit() and len(text) <= 12 else None
        if number is None and digits.isascii() and digits.isdigit():
            errors.append({"field": name, "message": f"Enter a number from {low} to {high:,}."})
            return None
    if number is None:
        errors.append({"field": name, "message": "Enter a whole number."})
        return None
    if not low <= number <= high:
        errors.append({"field": name, "message": f"Enter a number from {low} to {high:,}."})
        return None
    return number


def _month(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return None
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    if len(text) == 10:
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            return None
    return aggregate.parse_month(text)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _check_period(value: Any, kind: str, errors: list) -> datetime.date | None:
    if value is None or not str(value).strip():
        errors.append({"field": "period", "message": "This field is required."})
        return None
    period = _month(value)
    if period is None:
        errors.append({"field": "period", "message": "Enter the month as YYYY-MM."})
        return None
    if period.day != 1:
        errors.append({"field": "period", "message": "Give the month (the first day of the month), e.g. 2026-03."})
        return None
    this_month = timezone.localdate().replace(day=1)
    latest = this_month if kind == VacancyKind.UNFILLED else _add_months(this_month, MAX_MONTHS_AHEAD)
    if period < EARLIEST_PERIOD:
        errors.append({"field": "period", "message": f"Give a month from {EARLIEST_PERIOD:%Y-%m} on."})
    elif period > latest:
        if kind == VacancyKind.UNFILLED:
            errors.append({"field": "period", "message": "Unfilled vacancies are reported for this month or a past one."})
        else:
            errors.append({"field": "period", "message": f"Report emerging needs at most {MAX_MONTHS_AHEAD} months ahead."})
    return period


def _check_report(data: dict, errors: list) -> dict:
    kind = str(data.get("kind") or "").strip()
    if kind not in VacancyKind.values:
        errors.append({"field": "kind", "message": f"Choose one of: {', '.join(VacancyKind.values)}."})
    isco_code = str(data.get("isco_code") or "").strip()
    if not isco_code:
        errors.append({"field": "isco_code", "message": "This field is required."})
    elif not isco_code_exists(isco_code):
        errors.append({"field": "isco_code", "message": f"'{isco_code[:10]}' is not an ISCO-08 group code (1 to 4 digits)."})
    region = " ".join(str(data.get("region") or "").split())
    if len(region) > REGION_MAX:
        errors.append({"field": "region", "message": f"Use at most {REGION_MAX} characters."})
    period = _check_period(data.get("period"), kind, errors)
    vacancies = _whole_number(data.get("vacancies"), "vacancies", errors, required=True, low=1, high=MAX_VACANCIES)
    months = _whole_number(data.get("months_unfilled"), "months_unfilled", errors, required=False, low=0, high=MAX_MONTHS_UNFILLED)
    if months is not None and kind == VacancyKind.EMERGING:
        errors.append({"field": "months_unfilled", "message": "Leave this empty for an emerging need; it applies to unfilled vacancies."})
    note = str(data.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        errors.append({"field": "note", "message": f"Use at most {NOTE_MAX} characters."})
    return {
        "kind": kind,
        "isco_code": isco_code,
        "region": region,
        "period": period,
        "vacancies": vacancies,
        "months_unfilled": months,
        "note": note,
    }


# --- reports -------------------------------------------------------------------------------------------------


@transaction.atomic
def vacancy_report_create(*, actor, programme: Programme, **data: Any) -> VacancyReport:
    """Report unfilled vacancies or an emerging need for one occupation, region and month of a programme.

    Every input is checked and all problems are raised together. A second open report of the same organisation for
    the same occupation, region, kind and month is a conflict: withdraw the first to correct it.
    """
    _require_reporter(actor, programme)
    errors: list[dict] = []
    if programme.status == ProgrammeStatus.CLOSED:
        errors.append({"field": "programme", "message": f"Programme {programme.code} is closed."})
    clean = _check_report(data, errors)
    if errors:
        raise InvalidInput(errors)
    organisation = actor.organisation
    duplicate = VacancyReport.objects.select_for_update().filter(
        programme=programme, organisation=organisation, withdrawn_at__isnull=True,
        **{k: clean[k] for k in ("isco_code", "region", "kind", "period")},
    )
    if duplicate.exists():
        raise Conflict(
            f"{organisation.name} already reported this occupation, region and kind for {clean['period']:%Y-%m}; "
            "withdraw that report to correct it.",
            field="period",
        )
    report = VacancyReport.objects.create(
        programme=programme, organisation=organisation, reported_by=actor, country=programme.destination_country, **clean
    )
    audit.record(
        actor=actor, action="vacancy_report.create", subject=report, after=audit.snapshot(report),
        programme_id=programme.pk, organisation_id=organisation.pk,
    )
    return report


@transaction.atomic
def vacancy_report_withdraw(*, actor, report: VacancyReport, reason: str) -> VacancyReport:
    """The reporting organisation withdraws a report; it is kept, marked withdrawn, and left out of aggregates."""
    if not roles_of(actor) & REPORTER_ROLES or getattr(actor, "organisation_id", None) != report.organisation_id:
        raise Forbidden("Only the organisation that made a report may withdraw it.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give the reason for withdrawing the report.", field="reason")
    if len(reason) > NOTE_MAX:
        raise InvalidInput(f"Use at most {NOTE_MAX} characters.", field="reason")
    report = VacancyReport.objects.select_for_update().get(pk=report.pk)
    if report.withdrawn_at is not None:
        raise Conflict(f"The report was already withdrawn on {report.withdrawn_at:%Y-%m-%d}.", field="status")
    before = audit.snapshot(report)
    report.withdrawn_at = timezone.now()
    report.withdrawal_reason = reason
    report.save(update_fields=["withdrawn_at", "withdrawal_reason"])
    audit.record(
        actor=actor, action="vacancy_report.withdraw", subject=report, before=before, after=audit.snapshot(report),
        reason=reason, programme_id=report.programme_id, organisation_id=report.organisation_id,
    )
    return report
