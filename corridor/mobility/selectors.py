"""Reads of the change of employer, restricted to what each role may see (docs/mobility.md).

Openings hold pay terms and applications hold the cause of a change (which may be abuse): the firewall keeps both from
immigration officers whatever this says. Immigration sees only that a worker is changing employer and until when the
stay stays lawful (`changes_in_progress`, built on the journeys it may see)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from corridor.accounts.models import OrgKind
from corridor.contracts.models import Contract, ContractStatus
from corridor.core.access import Role, organisation_of, roles_of
from corridor.core.errors import NotFound
from corridor.deployment import journey as path
from corridor.deployment import selectors as journey_selectors
from corridor.deployment.models import Journey
from corridor.employers.models import ApprovalStatus, EmployerApproval
from corridor.mobility.models import (
    EMPLOYER_CAUSED,
    ApplicationStatus,
    Cause,
    GraceNotice,
    OpeningStatus,
    Release,
    TransferApplication,
    TransferOpening,
)
from corridor.programmes.rulebook import EmployerChange, EmployerChangePolicy, RuleSet
from corridor.programmes.selectors import rule_version_in_force

AT_DESTINATION = (path.EMPLOYED, path.CHANGING_EMPLOYER)
TAKEN = (ApplicationStatus.ACCEPTED, ApplicationStatus.COMPLETED)


def _ministry(roles, org) -> bool:
    return bool(roles & {Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER} and org.kind == OrgKind.DESTINATION_MINISTRY)


def _inspector(roles, org) -> bool:
    return bool(Role.LABOUR_INSPECTOR in roles and org.kind == OrgKind.LABOUR_INSPECTORATE)


def visibility_q(model, user, action: str) -> Q | None:
    """Openings: workers at destination in the programme, the employer, the destination ministry and inspectorate,
    the origin authorities of the programme. Applications: the worker, the new employer (never the old one), the
    worker's origin authority, the destination ministry and inspectorate. Releases: the worker, the origin authority,
    the ministry and the inspectorate. Grace notices: those, and the immigration authority of the destination."""
    if not getattr(user, "is_authenticated", False):
        return None
    roles = roles_of(user)
    if Role.PLATFORM_ADMIN in roles:
        return Q()
    org = organisation_of(user)
    if model is TransferOpening:
        programmes = Journey.objects.filter(worker__user_id=user.pk, state__in=AT_DESTINATION).values(
            "placement__job_order__programme_id")
        q = Q(job_order__programme_id__in=programmes) | Q(applications__worker__user_id=user.pk)
        if org is None:
            return q
        if Role.EMPLOYER in roles:
            q |= Q(job_order__employer__organisation_id=org.pk)
        if _ministry(roles, org) or _inspector(roles, org):
            q |= Q(job_order__programme__destination_country=org.country)
        if Role.ORIGIN_OFFICER in roles and org.kind == OrgKind.ORIGIN_AUTHORITY:
            q |= Q(job_order__programme__corridors__competent_authority_id=org.pk)
        return q
    if model is TransferApplication:
        q = Q(worker__user_id=user.pk)
        if org is None:
            return q
        if Role.EMPLOYER in roles:
            q |= Q(opening__job_order__employer__organisation_id=org.pk)
        if Role.ORIGIN_OFFICER in roles and org.kind == OrgKind.ORIGIN_AUTHORITY:
            q |= Q(worker__nationality=org.country)
        if _ministry(roles, org) or _inspector(roles, org):
            q |= Q(opening__job_order__programme__destination_country=org.country)
        return q
    if model in (Release, GraceNotice):
        q = Q(journey__worker__user_id=user.pk)
        if org is None:
            return q
        if Role.ORIGIN_OFFICER in roles and org.kind == OrgKind.ORIGIN_AUTHORITY:
            q |= Q(journey__worker__nationality=org.country)
        destination = Q(journey__placement__job_order__programme__destination_country=org.country)
        if _ministry(roles, org) or _inspector(roles, org):
            q |= destination
        if model is GraceNotice and Role.IMMIGRATION_OFFICER in roles and org.kind == OrgKind.IMMIGRATION_AUTHORITY:
            q |= destination
        return q
    return None


# --- rules -------------------------------------------------------------------------------------------------------


def change_rules(programme, day: datetime.date | None = None) -> EmployerChange:
    """The programme's employer_change rules in force on `day` (today by default)."""
    version = rule_version_in_force(programme=programme, day=day or timezone.localdate())
    return RuleSet.model_validate(version.rules).employer_change if version else EmployerChange()


def approval_status(employer, programme) -> str | None:
    """The employer's approval status in the programme today ('expired' once the approval's end has passed)."""
    approval = EmployerApproval.objects.filter(employer=employer, programme=programme).first()
    if approval is None:
        return None
    if approval.status == ApprovalStatus.APPROVED and approval.valid_until and approval.valid_until < timezone.localdate():
        return ApprovalStatus.EXPIRED
    return approval.status


def stay_chain(journey: Journey) -> list[Journey]:
    """The journey and every journey before it in the same stay (through `Journey.previous`)."""
    chain, seen = [], set()
    while journey is not None and journey.pk not in seen:
        chain.append(journey)
        seen.add(journey.pk)
        journey = journey.previous
    return chain


def changes_counted(journey: Journey) -> int:
    """Completed changes of the worker's own choice in this stay: the only ones a 'limited' policy counts."""
    return TransferApplication.objects.filter(journey__in=[j.pk for j in stay_chain(journey)],
                                              status=ApplicationStatus.COMPLETED, cause=Cause.OWN_CHOICE).count()


def released(journey: Journey) -> Release | None:
    return Release.objects.filter(journey=journey).first()


def current_journeys(worker) -> QuerySet[Journey]:
    """The worker's journeys at destination now (employed or changing employer)."""
    return Journey.objects.filter(worker=worker, state__in=AT_DESTINATION).select_related(
        "placement__job_order__programme", "placement__job_order__employer__organisation", "previous").order_by("-pk")


def grace(journey: Journey, today: datetime.date | None = None) -> dict | None:
    """For a worker changing employer: until when the stay stays lawful, and how many days are left."""
    if journey.state != path.CHANGING_EMPLOYER:
        return None
    today = today or timezone.localdate()
    started = timezone.localtime(journey.state_since).date()
    days = change_rules(journey.placement.job_order.programme, started).grace_period_days
    end = started + datetime.timedelta(days=days)
    return {"started": started, "days": days, "end": end, "days_left": max((end - today).days, 0), "ended": end < today}


# --- openings ----------------------------------------------------------------------------------------------------


def opening_list(*, user, status: str = "", programme: str = "") -> QuerySet[TransferOpening]:
    qs = TransferOpening.objects.restrict(user).distinct().select_related(
        "job_order__employer__organisation", "job_order__programme", "job_order__worksite").annotate(
        taken=Count("applications", filter=Q(applications__status__in=TAKEN), distinct=True))
    if status:
        qs = qs.filter(status=status)
    if programme:
        qs = qs.filter(job_order__programme__code=programme)
    return qs


def opening_get(*, user, pk) -> TransferOpening:
    opening = opening_list(user=user).filter(pk=pk).first()
    if opening is None:
        raise NotFound("No such opening, or not one you may see.", field="opening")
    return opening


def openings_for_worker(*, user, journey: Journey, employer_caused: bool = False) -> QuerySet[TransferOpening]:
    """The openings a worker at destination may apply to: open, not past their date, in the worker's programme, of
    another employer approved in it; as the programme's policy allows. A change brought about by the employer
    (closure, abuse, sanction) is never held to the sector or refused by the policy."""
    order = journey.placement.job_order
    programme = order.programme
    policy = change_rules(programme).policy
    employer_caused = employer_caused or released(journey) is not None
    qs = opening_list(user=user, status=OpeningStatus.OPEN).filter(
        job_order__programme=programme, ends_on__gte=timezone.localdate()).exclude(job_order__employer=order.employer)
    approved = EmployerApproval.objects.filter(programme=programme, status=ApprovalStatus.APPROVED).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate())).values("employer_id")
    qs = qs.filter(job_order__employer_id__in=approved)
    if employer_caused:
        return qs
    if policy == EmployerChangePolicy.NOT_ALLOWED:
        return qs.none()
    if policy == EmployerChangePolicy.WITHIN_SECTOR:
        qs = qs.filter(job_order__sector=order.sector)
    return qs


def orders_to_open(*, user) -> list:
    """The employer's job orders that may be opened to transfers (those holding quota: approved to closed)."""
    from corridor.joborders.models import HOLDS_QUOTA, JobOrder

    if not user.organisation_id:
        return []
    return list(JobOrder.objects.restrict(user).filter(
        employer__organisation_id=user.organisation_id, status__in=list(HOLDS_QUOTA)).select_related("programme"))


def positions_left(opening: TransferOpening) -> int:
    taken = getattr(opening, "taken", None)
    if taken is None:
        taken = opening.applications.filter(status__in=TAKEN).count()
    return max(opening.positions - taken, 0)


# --- applications ------------------------------------------------------------------------------------------------


def application_list(*, user, status: str = "", opening: TransferOpening | None = None) -> QuerySet[TransferApplication]:
    qs = TransferApplication.objects.restrict(user).distinct().select_related(
        "worker", "journey__placement__job_order__employer__organisation", "opening__job_order__employer__organisation",
        "opening__job_order__programme", "placement", "new_journey").annotate(
        # Whether the worker has accepted the new contract (the move can then be completed), in the same query.
        contract_in_force=Exists(Contract.objects.filter(placement=OuterRef("placement"), status=ContractStatus.ACCEPTED)))
    if status:
        qs = qs.filter(status=status)
    if opening is not None:
        qs = qs.filter(opening=opening)
    return qs


def application_get(*, user, pk) -> TransferApplication:
    application = application_list(user=user).filter(pk=pk).first()
    if application is None:
        raise NotFound("No such application, or not one you may see.", field="application")
    return application


def may_see_cause(user, application: TransferApplication) -> bool:
    """The cause of a change (it may be abuse) is for the worker, the origin authority, the destination ministry and
    the labour inspectorate; never for an employer, and immigration never reaches applications at all."""
    roles = roles_of(user)
    if Role.IMMIGRATION_OFFICER in roles:
        return False
    if Role.PLATFORM_ADMIN in roles or application.worker.user_id == getattr(user, "pk", None):
        return True
    org = organisation_of(user)
    if org is None:
        return False
    if Role.ORIGIN_OFFICER in roles and org.kind == OrgKind.ORIGIN_AUTHORITY:
        return org.country == application.worker.nationality
    country = application.opening.job_order.programme.destination_country
    return (_ministry(roles, org) or _inspector(roles, org)) and org.country == country


def employer_caused(application: TransferApplication) -> bool:
    return application.cause in EMPLOYER_CAUSED


# --- changes in progress -----------------------------------------------------------------------------------------


OFFICIAL_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER, Role.ORIGIN_OFFICER,
                            Role.IMMIGRATION_OFFICER, Role.LABOUR_INSPECTOR})


def changes_in_progress(*, user, today: datetime.date | None = None) -> list[dict]:
    """Workers changing employer that the user may see, each with the end of the grace period (soonest first). Only
    identity and the lawful-stay date: no pay, no cause."""
    journeys = journey_selectors.journey_list(user=user, state=path.CHANGING_EMPLOYER)
    rows = [{"journey": j, "grace": grace(j, today)} for j in journeys]
    return sorted(rows, key=lambda r: (r["grace"]["end"], r["journey"].pk))
