"""Reads of the deployment app, restricted to what each role may see."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts.models import OrgKind
from corridor.contracts import services as contracts
from corridor.core.access import Role, organisation_of, roles_of
from corridor.core.errors import NotFound
from corridor.deployment import journey as path
from corridor.deployment.models import DeclaredTerms, Journey, JourneyStep, Permit, SubstitutionAlert


def visibility_q(model, user, action: str) -> Q | None:
    """The worker; the employer of the job order; the origin authority of the worker's country; the destination
    ministry, labour inspectorate and (journeys and permits only: identity and permit status) immigration authority
    of the programme's country. Declarations and substitution alerts hold pay terms: the firewall keeps them from
    immigration officers whatever this says."""
    if not getattr(user, "is_authenticated", False):
        return None
    roles = roles_of(user)
    if Role.PLATFORM_ADMIN in roles:
        return Q()
    p = "" if model is Journey else "journey__"
    q = Q(**{f"{p}worker__user_id": user.pk})
    org = organisation_of(user)
    if org is None:
        return q
    destination = Q(**{f"{p}placement__job_order__programme__destination_country": org.country})
    if Role.EMPLOYER in roles:
        q |= Q(**{f"{p}placement__job_order__employer__organisation_id": org.pk})
    if Role.ORIGIN_OFFICER in roles and org.kind == OrgKind.ORIGIN_AUTHORITY:
        q |= Q(**{f"{p}worker__nationality": org.country})
    if roles & {Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER} and org.kind == OrgKind.DESTINATION_MINISTRY:
        q |= destination
    if Role.LABOUR_INSPECTOR in roles and org.kind == OrgKind.LABOUR_INSPECTORATE:
        q |= destination
    if Role.IMMIGRATION_OFFICER in roles and org.kind == OrgKind.IMMIGRATION_AUTHORITY and model in (Journey, JourneyStep, Permit):
        q |= destination
    return q


def journey_list(*, user, state: str = "", programme: str = "") -> QuerySet[Journey]:
    qs = Journey.objects.restrict(user).distinct().select_related(
        "worker", "placement__job_order__employer__organisation", "placement__job_order__programme")
    if state:
        qs = qs.filter(state=state)
    if programme:
        qs = qs.filter(placement__job_order__programme__code=programme)
    return qs


def journey_get(*, user, pk) -> Journey:
    journey = journey_list(user=user).filter(pk=pk).first()
    if journey is None:
        raise NotFound("No such journey, or not one you may see.", field="journey")
    return journey


def journeys_of_worker(*, user, worker) -> QuerySet[Journey]:
    return journey_list(user=user).filter(worker=worker)


def steps(*, user, journey: Journey) -> QuerySet[JourneyStep]:
    return JourneyStep.objects.restrict(user).filter(journey=journey).distinct().order_by("at", "pk")


def permits(*, user, journey: Journey) -> QuerySet[Permit]:
    return Permit.objects.restrict(user).filter(journey=journey).distinct()


def alerts(*, user, journey: Journey | None = None, status: str = "") -> QuerySet[SubstitutionAlert]:
    qs = SubstitutionAlert.objects.restrict(user).distinct().select_related("journey__worker", "journey__placement__job_order")
    if journey is not None:
        qs = qs.filter(journey=journey)
    if status:
        qs = qs.filter(status=status)
    return qs


def alert_get(*, user, pk) -> SubstitutionAlert:
    alert = alerts(user=user).filter(pk=pk).first()
    if alert is None:
        raise NotFound("No such alert, or not one you may see.", field="alert")
    return alert


def declarations(*, user, journey: Journey) -> QuerySet[DeclaredTerms]:
    return DeclaredTerms.objects.restrict(user).filter(journey=journey).distinct()


def what_next(journey: Journey) -> list[str]:
    """The actions that can follow from the journey's state, in the usual order."""
    return list(path.NEXT.get(journey.state, ()))


def checklist(journey: Journey, today: datetime.date | None = None) -> list[dict]:
    """The pre-departure checklist of the programme, item by item: done or what is missing."""
    today = today or timezone.localdate()
    worker = journey.worker
    order = journey.placement.job_order
    end, start = order.end_date, order.start_date
    passport = worker.documents.filter(kind__in=["passport", "national_id"]).order_by("-expires_on").first()
    medical = worker.medical_clearances.order_by("-issued_on", "-valid_until").first()
    contract = contracts.in_force(journey.placement)
    departure = journey.planned_departure
    items = [
        ("documents", passport is not None and (passport.expires_on is None or passport.expires_on >= end),
         _("A passport valid to the end of the season, %(date)s.") % {"date": end.isoformat()}),
        ("medical", medical is not None and medical.fit and medical.valid_until >= start,
         _("A medical clearance saying fit, valid on %(date)s.") % {"date": start.isoformat()}),
        ("orientation", worker.orientation_completed_on is not None, _("Pre-departure orientation completed.")),
        ("insurance", bool(journey.insurance_provider and journey.insurance_policy)
         and (journey.insurance_valid_until is None or journey.insurance_valid_until >= end),
         _("Health insurance covering the whole stay.")),
        ("contract", contract is not None, _("A contract accepted by the worker.")),
        ("travel", bool(journey.travel_booking and departure), _("Travel booked, with the planned departure date.")),
    ]
    out = [{"item": key, "done": bool(done), "needs": needs} for key, done, needs in items]
    if departure is not None:
        blockers = contracts.departure_blockers(journey.placement, departure)
        out.append({"item": "lead_time", "done": not blockers, "needs": " ".join(blockers) or
                    _("The contract reached the worker in time before departure.")})
    return out


def may_see_checklist(user, journey: Journey) -> bool:
    """The checklist's detail: the worker, the employer, the origin authority, the destination ministry."""
    from corridor.contracts.services import is_worker
    from corridor.deployment.services import is_employer, is_origin
    from corridor.selection.services import is_ministry

    return bool(Role.PLATFORM_ADMIN in roles_of(user) or is_origin(user, journey) or is_employer(user, journey)
                or is_worker(user, journey.worker) or is_ministry(user, journey.placement.job_order.programme))
