"""Reading job orders, the vacancy board and quota use, always restricted to what the user may see."""

from __future__ import annotations

import datetime

from django.db import models

from corridor.core.access import Role, roles_of
from corridor.core.errors import InvalidInput, NotFound
from corridor.employers.models import EmployerProfile
from corridor.joborders import services
from corridor.joborders.models import EDITABLE, ON_BOARD, JobOrder, QuotaCounter, Status
from corridor.programmes.models import Programme
from corridor.reference import codes


def job_order_list(*, user, programme: str = "", status: str = "", employer: int | None = None, q: str = "",
                   origin: str = "") -> models.QuerySet[JobOrder]:
    qs = JobOrder.objects.all().restrict(user).select_related("programme", "employer__organisation", "worksite")
    if programme:
        qs = qs.filter(programme__code=programme)
    if status:
        if status not in Status.values:
            raise InvalidInput(f"Unknown status {status!r}; one of {', '.join(Status.values)}.", field="status")
        qs = qs.filter(status=status)
    if employer:
        qs = qs.filter(employer_id=employer)
    if origin:
        qs = qs.filter(origins_index__contains=f",{origin.upper()[:2]},")
    if q:
        qs = qs.filter(models.Q(title__icontains=q[:100]) | models.Q(reference__iexact=q[:40]) | models.Q(isco_code=q[:4]))
    return qs.order_by("-updated_at", "-pk")


def job_order_get(*, user, pk: int, action: str = "view") -> JobOrder:
    order = (
        JobOrder.objects.filter(pk=pk).restrict(user, action)
        .select_related("programme", "employer__organisation", "worksite", "housing", "rule_version",
                        "submitted_by", "reviewed_by", "approved_by")
        .first()
    )
    if order is None:
        raise NotFound(f"No job order {pk} that you may see.", field="id")
    return order


def review_queue(*, user) -> models.QuerySet[JobOrder]:
    """Orders waiting for the destination ministry: submitted or reviewed (waiting for a second officer)."""
    return job_order_list(user=user).filter(status__in=[Status.SUBMITTED, Status.REVIEWED]).order_by("submitted_at", "pk")


def verification_queue(*, user) -> models.QuerySet[JobOrder]:
    """Approved orders waiting for this origin authority's verification."""
    org = getattr(user, "organisation", None)
    if org is None or Role.ORIGIN_OFFICER not in roles_of(user):
        return JobOrder.objects.none()
    return (
        job_order_list(user=user)
        .filter(status=Status.APPROVED, origins_index__contains=f",{org.country},")
        .exclude(verifications__origin_country=org.country)
        .order_by("approved_at", "pk")
    )


def actions_for(*, user, order: JobOrder) -> set[str]:
    """The workflow steps `user` may take on `order` now (the services check again)."""
    roles = roles_of(user)
    actions: set[str] = set()
    member = Role.EMPLOYER in roles and user.organisation_id == order.employer.organisation_id
    ministry = services.is_destination_ministry(user, order.programme)
    if member and order.status in EDITABLE:
        actions |= {"edit", "submit"}
    if ministry and order.status == Status.SUBMITTED:
        actions.add("review")
        if not services.four_eyes_required(order, order.rule_version):
            actions.add("approve")
    if ministry and order.status == Status.REVIEWED:
        if not (services.four_eyes_required(order, order.rule_version) and order.reviewed_by_id == user.pk):
            actions.add("approve")
    if ministry and order.status in (Status.SUBMITTED, Status.REVIEWED):
        actions.add("return")
    if order.status == Status.APPROVED and Role.ORIGIN_OFFICER in roles:
        org = user.organisation
        if org.country in order.origin_countries and not order.verifications.filter(origin_country=org.country).exists():
            if order.programme.corridors.filter(is_active=True, origin_country=org.country, competent_authority=org).exists():
                actions |= {"verify", "return"}
    if ministry and order.status in (Status.OPEN, Status.PARTLY_FILLED, Status.FILLED):
        actions.add("fill")
    if (member or ministry) and order.status in (Status.OPEN, Status.PARTLY_FILLED, Status.FILLED):
        actions.add("close")
    if (member or ministry) and order.status in (
        Status.DRAFT, Status.SUBMITTED, Status.REVIEWED, Status.RETURNED, Status.APPROVED, Status.OPEN
    ) and order.positions_filled == 0:
        actions.add("cancel")
    if "submit" in actions and Role.EMPLOYER in roles:
        actions.add("adverts")
    return actions


def preview_findings(*, order: JobOrder) -> list[dict]:
    findings, _ = services.order_findings(order)
    return [f.as_error() for f in findings]


# --- the vacancy board ---------------------------------------------------------------------------------------


def board(*, user=None, programme: str = "", origin: str = "", isco: str = "", region: str = "", month: str = "",
          transfers: bool = False, q: str = "") -> models.QuerySet[JobOrder]:
    """Open job orders as workers see them (public): filterable by programme, origin country, occupation group,
    region, a month the job covers, and whether workers changing employer may apply."""
    qs = (
        JobOrder.objects.all().restrict(user, "board")
        .select_related("programme", "employer__organisation", "worksite", "housing")
        .filter(programme__status="active")
    )
    errors = []
    if programme:
        qs = qs.filter(programme__code=programme[:30])
    if origin:
        iso = codes.normalise_country(origin)
        if iso is None:
            errors.append({"field": "origin", "message": f"Unknown country code {origin!r}."})
        else:
            qs = qs.filter(origins_index__contains=f",{iso},")
    if isco:
        if not (isco.isascii() and isco.isdigit() and 1 <= len(isco) <= 4):
            errors.append({"field": "isco", "message": f"{isco!r} is not an ISCO-08 code (1 to 4 digits)."})
        else:
            qs = qs.filter(isco_code__startswith=isco)
    if region:
        qs = qs.filter(worksite__region__iexact=region[:100])
    if month:
        try:
            first = datetime.date.fromisoformat(f"{month[:7]}-01")
        except ValueError:
            errors.append({"field": "month", "message": f"{month!r} is not a month (YYYY-MM)."})
        else:
            qs = qs.filter(start_date__lt=services.checks.add_months(first, 1), end_date__gte=first)
    if transfers:
        qs = qs.filter(open_to_transfers=True)
    if q:
        qs = qs.filter(models.Q(title__icontains=q[:100]) | models.Q(employer__organisation__name__icontains=q[:100]))
    if errors:
        raise InvalidInput(errors)
    return qs.order_by("start_date", "pk")


def board_get(*, reference: str, user=None) -> JobOrder:
    order = (
        JobOrder.objects.filter(reference=reference[:40]).restrict(user, "board")
        .select_related("programme", "employer__organisation", "worksite", "housing").first()
    )
    if order is None:
        raise NotFound(f"No open job order {reference!r}.", field="reference")
    return order


def board_regions() -> list[str]:
    return sorted(
        set(JobOrder.objects.all().restrict(None, "board").exclude(worksite__region="").values_list("worksite__region", flat=True))
    )


def travel_split(order: JobOrder) -> dict:
    return {
        "outbound_employer_percent": float(100 - order.outbound_travel_worker_percent),
        "outbound_worker_percent": float(order.outbound_travel_worker_percent),
        "return_employer_percent": float(100 - order.return_travel_worker_percent),
        "return_worker_percent": float(order.return_travel_worker_percent),
    }


# --- quotas --------------------------------------------------------------------------------------------------


def quota_use(*, user, programme: Programme, year: int | None = None) -> list[QuotaCounter]:
    qs = QuotaCounter.objects.filter(programme=programme).restrict(user)
    if year is not None:
        qs = qs.filter(year=year)
    return list(qs.order_by("year", "scope", "key"))


def employer_of(*, user) -> EmployerProfile | None:
    if Role.EMPLOYER not in roles_of(user):
        return None
    return EmployerProfile.objects.filter(organisation_id=user.organisation_id).first()


def on_board(order: JobOrder) -> bool:
    return order.status in ON_BOARD


# --- aggregates for social partners and researchers ----------------------------------------------------------

SUMMARY_ROLES = frozenset({Role.UNION, Role.EMPLOYERS_ORG, Role.RESEARCHER})
MIN_EMPLOYERS_PER_CELL = 3


def job_order_summary(*, user, programme: Programme, year: int | None = None) -> dict:
    """Positions asked, approved and filled per occupation group (ISCO-08 sub-major, 2 digits) for a programme.

    The destination ministry sees every line; trade unions, employers' organisations and researchers of the
    destination country see only lines with at least three employers, so that no single employer's orders show.
    Drafts are never counted."""
    from corridor.core.errors import Forbidden

    roles = roles_of(user)
    org = getattr(user, "organisation", None)
    full = services.is_destination_ministry(user, programme)
    partner = bool(roles & SUMMARY_ROLES) and org is not None and org.country == programme.destination_country
    if not (full or partner):
        raise Forbidden("Only the destination ministry and the social partners of the programme's country see these figures.")
    qs = JobOrder.objects.filter(programme=programme).exclude(status=Status.DRAFT)
    if year is not None:
        qs = qs.filter(start_date__year=year)
    lines: dict[str, dict] = {}
    approved_states = {Status.APPROVED, Status.OPEN, Status.PARTLY_FILLED, Status.FILLED, Status.CLOSED}
    for isco, status, positions, filled, employer_id in qs.values_list("isco_code", "status", "positions", "positions_filled", "employer_id"):
        line = lines.setdefault(isco[:2], {"isco": isco[:2], "orders": 0, "asked": 0, "approved": 0, "filled": 0, "employers": set()})
        line["orders"] += 1
        line["asked"] += positions
        line["approved"] += positions if status in approved_states else 0
        line["filled"] += filled
        line["employers"].add(employer_id)
    from corridor.reference.selectors import isco_titles

    titles = isco_titles(list(lines))
    out, suppressed = [], 0
    for key in sorted(lines):
        line = lines[key]
        count = len(line.pop("employers"))
        if not full and count < MIN_EMPLOYERS_PER_CELL:
            suppressed += 1
            continue
        out.append({**line, "title": titles.get(key, ""), "employers": count})
    return {"programme": programme.code, "year": year, "lines": out, "suppressed_lines": suppressed,
            "min_employers_per_line": None if full else MIN_EMPLOYERS_PER_CELL}
