"""Reads of the pathways app, restricted to what each role may see."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from corridor.accounts.models import OrgKind
from corridor.core.access import Role, organisation_of, roles_of
from corridor.core.errors import NotFound
from corridor.deployment import journey as path
from corridor.deployment.models import Journey
from corridor.pathways import progress as core
from corridor.pathways.models import CertificateStatus, PathwayStatus, Referral, SkillsCertificate
from corridor.programmes.models import Programme
from corridor.programmes.selectors import rule_version_in_force
from corridor.selection.models import SeasonRecord
from corridor.workers.models import Worker

AT_DESTINATION = (path.EMPLOYED, path.CHANGING_EMPLOYER)


def _normal(code: str) -> str:
    text = "".join(ch for ch in str(code or "").upper() if ch.isalnum())
    return text.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def visibility_q(model, user, action: str) -> Q | None:
    """The worker sees their own rows. Pathway status: the origin authority of the worker's country, the destination
    ministry and the destination's immigration authority (eligibility is its business; it holds no wage data).
    Certificates: the origin authority, the destination ministry and the employer of the season. Referrals: the origin
    authority of the worker's country only."""
    if not getattr(user, "is_authenticated", False):
        return None
    roles = roles_of(user)
    if Role.PLATFORM_ADMIN in roles:
        return Q()
    q = Q(worker__user_id=user.pk)
    org = organisation_of(user)
    if org is None:
        return q
    if Role.ORIGIN_OFFICER in roles and org.kind == OrgKind.ORIGIN_AUTHORITY:
        q |= Q(worker__nationality=org.country)
    if model is Referral:
        return q
    destination = Q(programme__destination_country=org.country)
    if roles & {Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER} and org.kind == OrgKind.DESTINATION_MINISTRY:
        q |= destination
    if model is PathwayStatus and Role.IMMIGRATION_OFFICER in roles and org.kind == OrgKind.IMMIGRATION_AUTHORITY:
        q |= destination
    if model is SkillsCertificate and Role.EMPLOYER in roles:
        q |= Q(journey__placement__job_order__employer__organisation_id=org.pk)
    return q


# --- pathway status ----------------------------------------------------------------------------------------------


def status_list(*, user, programme: str = "", show: str = "", country: str = "") -> QuerySet[PathwayStatus]:
    """Statuses the user may see. `show`: "eligible", "near", "both" (eligible or near) or "" (all)."""
    qs = PathwayStatus.objects.restrict(user).distinct().select_related("worker", "programme")
    if programme:
        qs = qs.filter(programme__code=programme)
    if show == "eligible":
        qs = qs.filter(eligible=True)
    elif show == "near":
        qs = qs.filter(near=True)
    elif show == "both":
        qs = qs.filter(Q(eligible=True) | Q(near=True))
    if country:
        qs = qs.filter(worker__nationality=country.upper()[:2])
    return qs.order_by("programme__code", "-eligible", "-near", "worker__family_names", "worker__given_names", "pk")


# --- certificates ------------------------------------------------------------------------------------------------


def certificate_list(*, user, status: str = "", worker=None) -> QuerySet[SkillsCertificate]:
    qs = SkillsCertificate.objects.restrict(user).distinct().select_related("worker", "programme", "journey")
    if status:
        qs = qs.filter(status=status)
    if worker is not None:
        qs = qs.filter(worker=worker)
    return qs


def certificate_get(*, user, pk) -> SkillsCertificate:
    cert = certificate_list(user=user).filter(pk=pk).first()
    if cert is None:
        raise NotFound("No such certificate, or not one you may see.", field="certificate")
    return cert


def verify(code: str) -> dict | None:
    """What an issued certificate says, for anyone holding its code; None when no issued or revoked certificate has
    this code (the caller answers every such code alike). Only the certificate's own content, never wages."""
    key = _normal(str(code or "")[:60])
    if not (key.startswith("SC") and len(key) == 10):
        return None
    formatted = f"SC-{key[2:6]}-{key[6:]}"
    cert = SkillsCertificate.objects.filter(verification_code=formatted,
                                            status__in=(CertificateStatus.ISSUED, CertificateStatus.REVOKED)).first()
    if cert is None:
        return None
    content = dict(cert.content or {})
    return {
        "code": cert.verification_code, "current": cert.status == CertificateStatus.ISSUED, "status": cert.status,
        "revoked_on": cert.revoked_at.date().isoformat() if cert.revoked_at else None,
        "revocation_reason": cert.revocation_reason if cert.status == CertificateStatus.REVOKED else "",
        "content_hash": cert.content_hash, **{k: content.get(k) for k in CONTENT_FIELDS},
    }


CONTENT_FIELDS = ("worker_name", "worker_id", "programme", "programme_name", "employer", "isco_code", "esco_uri",
                  "occupation", "start", "end", "hours_worked", "tasks", "issuer", "issued_on")


# --- referrals ---------------------------------------------------------------------------------------------------


def referral_list(*, user, worker=None, outcome: str = "") -> QuerySet[Referral]:
    qs = Referral.objects.restrict(user).distinct().select_related("worker")
    if worker is not None:
        qs = qs.filter(worker=worker)
    if outcome:
        qs = qs.filter(outcome=outcome)
    return qs


def referral_get(*, user, pk) -> Referral:
    referral = referral_list(user=user).filter(pk=pk).first()
    if referral is None:
        raise NotFound("No such referral, or not one you may see.", field="referral")
    return referral


# --- progress ----------------------------------------------------------------------------------------------------


def stay_end(journey: Journey) -> datetime.date | None:
    """The last day (exclusive) of a journey's stay at destination under the programme, None while it goes on."""
    if journey.state in AT_DESTINATION:
        return None
    if journey.state == path.RETURNED and journey.returned_on:
        return journey.returned_on
    return timezone.localdate(journey.state_since) if journey.state_since else journey.arrived_on


def stay_start(journey: Journey) -> datetime.date | None:
    """The first day of a journey's own stay: the arrival, or for a journey that continues another with a new
    employer (which keeps the original arrival), the day the previous journey ended."""
    start = journey.arrived_on
    previous = journey.previous if journey.previous_id else None
    if start is not None and previous is not None and previous.arrived_on is not None:
        end = stay_end(previous)
        if end is not None and end > start:
            return end
    return start


def progress_of(worker: Worker, programme: Programme, today: datetime.date | None = None):
    """(progress, rule version) of `worker` under the pathway rule of `programme` in force on `today`."""
    today = today or timezone.localdate()
    journeys = list(Journey.objects.filter(worker=worker, placement__job_order__programme=programme,
                                           arrived_on__isnull=False).select_related("placement__job_order"))
    intervals = [(j.arrived_on, stay_end(j)) for j in journeys]
    seasons = SeasonRecord.objects.filter(worker=worker, programme=programme, completed=True)
    recorded_years = set(seasons.values_list("year", flat=True))
    ongoing = [j for j in journeys if j.state in AT_DESTINATION]
    contract_end = max((j.placement.job_order.end_date for j in ongoing), default=None)
    adds_season = bool(ongoing) and not any(j.placement.job_order.start_date.year in recorded_years for j in ongoing)
    version = rule_version_in_force(programme=programme, day=today)
    rule = (version.rules or {}).get("pathway") if version else None
    result = core.compute(intervals=intervals, seasons=len(recorded_years), rule=rule, today=today,
                          contract_end=contract_end, ongoing_adds_season=adds_season)
    return result, version


def programmes_of(worker: Worker) -> list[Programme]:
    """The programmes in which the worker has had a stay, a season or a pathway status."""
    ids = set(Journey.objects.filter(worker=worker, arrived_on__isnull=False)
              .values_list("placement__job_order__programme_id", flat=True))
    ids |= set(SeasonRecord.objects.filter(worker=worker).values_list("programme_id", flat=True))
    ids |= set(PathwayStatus.objects.filter(worker=worker).values_list("programme_id", flat=True))
    return list(Programme.objects.filter(pk__in=ids).order_by("code"))


def worker_progress(worker: Worker, today: datetime.date | None = None) -> list[tuple]:
    """(programme, progress, rule version) for each programme of the worker: what the worker's page and API show."""
    today = today or timezone.localdate()
    return [(programme, *progress_of(worker, programme, today)) for programme in programmes_of(worker)]
