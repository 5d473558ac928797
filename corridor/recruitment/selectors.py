"""Reading agency licences, proceedings, agency-employer links and ratings, always restricted to the reader; and the
licence checks other parts of the platform ask before an agency acts (Madrid para 20-21; GB.346 para 16).

A licence's status on a day follows from what was decided and from its dates (computed on read, never by a nightly
job): a licence granted as active is "expired" once its validity ended, and a suspension ends by itself on the day
after the date it ran until.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Avg, Case, Count, F, Q, Value, When
from django.utils import timezone

from corridor.core.access import Role, roles_of
from corridor.core.errors import Forbidden, InvalidInput, NotFound
from corridor.employers.models import ApprovalStatus, EmployerProfile
from corridor.programmes.models import Programme, ProgrammeStatus
from corridor.recruitment.models import (
    AgencyEmployerLink,
    AgencyLicence,
    AgencyRating,
    LicenceProceeding,
    LicenceStatus,
    ProceedingStage,
    RatingStatus,
)

# Public aggregates of ratings are shown only over at least this many counted ratings.
RATING_THRESHOLD = 5
RATING_DIMENSIONS = ("fees", "information", "contract_honesty", "treatment")
# Due process: the agency has at least this many days to respond to a notice, and this many to appeal a decision.
RESPONSE_DAYS_MIN = 14
APPEAL_DAYS = 30
GRANTED = (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED, LicenceStatus.REVOKED, LicenceStatus.EXPIRED)


def _today(on_date: datetime.date | None) -> datetime.date:
    return on_date or timezone.localdate()


# --- the status of a licence on a day ----------------------------------------------------------------------------


def status_on(licence: AgencyLicence, on_date: datetime.date | None = None) -> str:
    """The licence's status on `on_date`: what was decided, with expiry and the end of a suspension from the dates."""
    day = _today(on_date)
    status = licence.status
    if status in (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED) and licence.valid_until and day > licence.valid_until:
        return LicenceStatus.EXPIRED
    if status == LicenceStatus.SUSPENDED and licence.suspended_until and day > licence.suspended_until:
        return LicenceStatus.ACTIVE
    return status


def with_current_status(qs: models.QuerySet, on_date: datetime.date | None = None) -> models.QuerySet:
    """Annotate `current_status`: the same rule as `status_on`, in the database, so that lists can filter on it."""
    day = _today(on_date)
    return qs.annotate(
        current_status=Case(
            When(status__in=[LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED], valid_until__lt=day, then=Value(LicenceStatus.EXPIRED.value)),
            When(status=LicenceStatus.SUSPENDED, suspended_until__lt=day, then=Value(LicenceStatus.ACTIVE.value)),
            default=F("status"),
            output_field=models.CharField(),
        )
    )


def _in_force(licence: AgencyLicence, day: datetime.date) -> bool:
    return (
        status_on(licence, day) == LicenceStatus.ACTIVE
        and licence.valid_from is not None
        and licence.valid_from <= day <= licence.valid_until
    )


def active_licence(agency, on_date: datetime.date | None = None) -> AgencyLicence | None:
    """The agency's licence in force on `on_date` (active, within its validity, not suspended), or None.

    An internal check used by services of the platform (no reader: the answer is a fact about the agency, not data
    shown to anyone)."""
    day = _today(on_date)
    candidates = (
        AgencyLicence.objects.filter(agency=agency, status__in=[LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED],
                                     valid_from__lte=day, valid_until__gte=day)
        .order_by("-valid_until", "-pk")
    )
    return next((licence for licence in candidates if _in_force(licence, day)), None)


def latest_granted(agency) -> AgencyLicence | None:
    return AgencyLicence.objects.filter(agency=agency, status__in=GRANTED).order_by("-valid_until", "-pk").first()


def licence_problem(licence: AgencyLicence | None, agency, day: datetime.date) -> str:
    """Why `licence` does not let the agency act on `day` ("" when it does)."""
    name = getattr(agency, "name", str(agency))
    if licence is None:
        pending = AgencyLicence.objects.filter(agency=agency, status=LicenceStatus.APPLIED).exists()
        if pending:
            return f"{name} has applied for a licence, but it has not been granted yet."
        return f"{name} holds no recruitment agency licence."
    status = status_on(licence, day)
    number = licence.number
    reason = f": {licence.status_reason}" if licence.status_reason else ""
    if status == LicenceStatus.REVOKED:
        return f"Licence {number} was revoked{reason}"
    if status == LicenceStatus.SUSPENDED:
        until = f" until {licence.suspended_until.isoformat()}" if licence.suspended_until else ""
        return f"Licence {number} is suspended{until}{reason}"
    if status == LicenceStatus.EXPIRED:
        return f"Licence {number} expired on {licence.valid_until.isoformat()}."
    if licence.valid_from and day < licence.valid_from:
        return f"Licence {number} is valid only from {licence.valid_from.isoformat()}."
    if status != LicenceStatus.ACTIVE:
        return f"Licence {number} is not active."
    return ""


def agency_may_act(agency, programme, origin_country: str, on_date: datetime.date | None = None) -> tuple[bool, str]:
    """Whether the agency may recruit for `programme` (a Programme or its code) in `origin_country` on `on_date`.

    True only with an active licence valid on that day, not suspended, whose scopes name that programme and that
    origin country. The reason names what is missing, e.g. "Licence MX-2026-001 does not cover programme KR-EPS."
    """
    day = _today(on_date)
    origin = str(origin_country or "").strip().upper()
    code = programme if isinstance(programme, str) else getattr(programme, "code", str(programme))
    licence = active_licence(agency, day)
    if licence is None:
        return False, licence_problem(latest_granted(agency), agency, day)
    scopes = list(licence.scopes.select_related("programme"))
    for_programme = [s for s in scopes if s.programme.code == code]
    if not for_programme:
        return False, f"Licence {licence.number} does not cover programme {code}."
    if not any(s.origin_country == origin for s in for_programme):
        return False, f"Licence {licence.number} does not cover origin country {origin or '?'} for programme {code}."
    return True, f"Licence {licence.number} covers programme {code} from {origin} until {licence.valid_until.isoformat()}."


def agency_may_register_workers(agency, origin_country: str, on_date: datetime.date | None = None) -> tuple[bool, str]:
    """For the worker pool: an agency registers workers of `origin_country` on their behalf only with a licence in
    force that covers that origin country for at least one programme."""
    day = _today(on_date)
    origin = str(origin_country or "").strip().upper()
    licence = active_licence(agency, day)
    if licence is None:
        return False, licence_problem(latest_granted(agency), agency, day)
    if not licence.scopes.filter(origin_country=origin).exists():
        return False, f"Licence {licence.number} does not cover workers from {origin or '?'} for any programme."
    return True, f"Licence {licence.number} covers workers from {origin}."


# --- licences ----------------------------------------------------------------------------------------------------


def licence_list(*, user, action: str = "view", status: str = "", country: str = "", q: str = "",
                 on_date: datetime.date | None = None) -> models.QuerySet[AgencyLicence]:
    """Licences and applications the user may see (the agency's own, or those of the authority's country)."""
    qs = with_current_status(AgencyLicence.objects.all().restrict(user, action), on_date).select_related("agency")
    if status:
        if status not in LicenceStatus.values:
            raise InvalidInput(f"Unknown status {status!r}; one of {', '.join(LicenceStatus.values)}.", field="status")
        qs = qs.filter(current_status=status)
    if country:
        qs = qs.filter(issuing_country=country.strip().upper()[:2])
    if q:
        q = q.strip()[:100]
        qs = qs.filter(Q(agency__name__icontains=q) | Q(number__iexact=q))
    return qs.prefetch_related("scopes__programme").order_by("-applied_at", "-pk")


def licence_get(*, user, pk: int, action: str = "view") -> AgencyLicence:
    licence = (
        with_current_status(AgencyLicence.objects.filter(pk=pk).restrict(user, action))
        .select_related("agency", "decided_by")
        .prefetch_related("scopes__programme")
        .first()
    )
    if licence is None:
        raise NotFound(f"No licence {pk} that you may see.", field="id")
    return licence


def decision_queue(*, user) -> models.QuerySet[AgencyLicence]:
    """Applications waiting for this origin authority's decision, oldest first."""
    org = getattr(user, "organisation", None)
    if org is None or Role.ORIGIN_OFFICER not in roles_of(user) or org.kind != "origin_authority":
        return AgencyLicence.objects.none()
    return licence_list(user=user).filter(status=LicenceStatus.APPLIED, issuing_country=org.country).order_by("applied_at", "pk")


def own_licences(*, user) -> models.QuerySet[AgencyLicence]:
    """The signed-in agency's applications and licences, newest first."""
    org = getattr(user, "organisation", None)
    if org is None or Role.AGENCY not in roles_of(user):
        return AgencyLicence.objects.none()
    return licence_list(user=user).filter(agency_id=org.pk)


def is_licensing_officer(user, licence: AgencyLicence) -> bool:
    """An officer of the origin labour authority of the agency's country: the one body that licenses it."""
    org = getattr(user, "organisation", None)
    return bool(
        Role.ORIGIN_OFFICER in roles_of(user)
        and org is not None
        and org.kind == "origin_authority"
        and org.country == licence.issuing_country
    )


# --- the public register -----------------------------------------------------------------------------------------


def register(*, q: str = "", country: str = "", status: str = "", on_date: datetime.date | None = None):
    """Every licence ever granted, as the public sees it: anyone may read it, signed in or not."""
    qs = with_current_status(AgencyLicence.objects.all().restrict(None, "register"), on_date).select_related("agency")
    q = (q or "").strip()[:100]
    if "\x00" in q:
        raise InvalidInput("Contains a NUL character.", field="q")
    if q:
        qs = qs.filter(Q(agency__name__icontains=q) | Q(number__iexact=q) | Q(number__istartswith=q))
    country = (country or "").strip().upper()
    if country:
        if not (len(country) == 2 and country.isascii() and country.isalpha()):
            raise InvalidInput(f"{country[:10]!r} is not a country code (two letters).", field="country")
        qs = qs.filter(issuing_country=country)
    if status:
        if status not in GRANTED:
            raise InvalidInput(f"Unknown status {status[:20]!r}; one of {', '.join(GRANTED)}.", field="status")
        qs = qs.filter(current_status=status)
    return qs.prefetch_related("scopes__programme").order_by("agency__name", "-valid_until", "pk")


def register_entry(*, number: str, on_date: datetime.date | None = None) -> AgencyLicence:
    licence = register(on_date=on_date).filter(number=(number or "").strip()[:40]).first()
    if licence is None:
        raise NotFound(f"No licence {number[:40]!r} on the register.", field="number")
    return licence


# --- proceedings -------------------------------------------------------------------------------------------------


def proceeding_list(*, user, licence: AgencyLicence | None = None, open_only: bool = False) -> models.QuerySet[LicenceProceeding]:
    qs = LicenceProceeding.objects.all().restrict(user).select_related("licence__agency", "opened_by")
    if licence is not None:
        qs = qs.filter(licence=licence)
    if open_only:
        qs = qs.filter(stage__in=[ProceedingStage.NOTICE, ProceedingStage.DECIDED, ProceedingStage.APPEALED])
    return qs.order_by("-notice_at", "-pk")


def proceeding_get(*, user, pk: int, action: str = "view") -> LicenceProceeding:
    proceeding = (
        LicenceProceeding.objects.filter(pk=pk).restrict(user, "view")
        .select_related("licence__agency", "opened_by", "decided_by", "appeal_decided_by").first()
    )
    if proceeding is None:
        raise NotFound(f"No proceeding {pk} that you may see.", field="id")
    return proceeding


def proceeding_actions(*, user, proceeding: LicenceProceeding, today: datetime.date | None = None) -> set[str]:
    """The steps `user` may take on `proceeding` now (the services check again)."""
    day = _today(today)
    licence = proceeding.licence
    officer = is_licensing_officer(user, licence)
    member = Role.AGENCY in roles_of(user) and getattr(user, "organisation_id", None) == licence.agency_id
    actions: set[str] = set()
    if proceeding.stage == ProceedingStage.NOTICE:
        if member and proceeding.responded_at is None and day <= proceeding.respond_by:
            actions.add("respond")
        if officer and (proceeding.responded_at is not None or day > proceeding.respond_by):
            actions.add("decide")
    if proceeding.stage == ProceedingStage.DECIDED and proceeding.decision == "upheld" and proceeding.decided_at:
        if member and day <= appeal_deadline(proceeding):
            actions.add("appeal")
    if proceeding.stage == ProceedingStage.APPEALED and officer and proceeding.decided_by_id != getattr(user, "pk", None):
        actions.add("decide_appeal")
    return actions


def appeal_deadline(proceeding: LicenceProceeding) -> datetime.date:
    """The last day the agency may appeal: set when the decision was taken (30 days after it)."""
    if proceeding.appeal_by:
        return proceeding.appeal_by
    decided = timezone.localdate(proceeding.decided_at) if proceeding.decided_at else timezone.localdate()
    return decided + datetime.timedelta(days=APPEAL_DAYS)


# --- agency-employer links ---------------------------------------------------------------------------------------


def link_list(*, user, agency=None, employer=None) -> models.QuerySet[AgencyEmployerLink]:
    qs = AgencyEmployerLink.objects.all().restrict(user).select_related("agency", "employer__organisation", "programme")
    if agency is not None:
        qs = qs.filter(agency=agency)
    if employer is not None:
        qs = qs.filter(employer=employer)
    return qs.order_by("agency__name", "employer__organisation__name", "programme__code")


def link_get(*, user, pk: int, action: str = "view") -> AgencyEmployerLink:
    link = AgencyEmployerLink.objects.filter(pk=pk).restrict(user, action).select_related(
        "agency", "employer__organisation", "programme").first()
    if link is None:
        raise NotFound(f"No agency-employer link {pk} that you may see.", field="id")
    return link


def jointly_liable_agencies(employer, programme=None, on_date: datetime.date | None = None) -> list:
    """The agencies recorded as recruiting for `employer` (under `programme`, if given) on `on_date`: they answer
    jointly with the employer for what the workers paid. An internal fact for the ledger, not a page."""
    day = _today(on_date)
    qs = AgencyEmployerLink.objects.filter(employer=employer, since__lte=day).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
    if programme is not None:
        qs = qs.filter(programme=programme)
    return [link.agency for link in qs.select_related("agency")]


# --- ratings -----------------------------------------------------------------------------------------------------


def _refuse_immigration(user) -> None:
    if Role.IMMIGRATION_OFFICER in roles_of(user):
        raise Forbidden("Workers' ratings of agencies are not shown to immigration authorities.")


def rating_list(*, user, agency=None, status: str = "") -> models.QuerySet[AgencyRating]:
    """Rating rows: the worker's own, and those an origin authority moderates. Never immigration."""
    _refuse_immigration(user)
    qs = AgencyRating.objects.all().restrict(user).select_related("agency", "worker")
    if agency is not None:
        qs = qs.filter(agency=agency)
    if status:
        if status not in RatingStatus.values:
            raise InvalidInput(f"Unknown status {status[:20]!r}; one of {', '.join(RatingStatus.values)}.", field="status")
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def rating_get(*, user, pk: int) -> AgencyRating:
    _refuse_immigration(user)
    rating = AgencyRating.objects.filter(pk=pk).restrict(user).select_related("agency", "worker").first()
    if rating is None:
        raise NotFound(f"No rating {pk} that you may see.", field="id")
    return rating


def moderation_queue(*, user) -> models.QuerySet[AgencyRating]:
    org = getattr(user, "organisation", None)
    if org is None or Role.ORIGIN_OFFICER not in roles_of(user) or org.kind != "origin_authority":
        return AgencyRating.objects.none()
    return rating_list(user=user, status=RatingStatus.PENDING).filter(agency__country=org.country).order_by("created_at", "pk")


def rating_aggregates(agency_ids) -> dict[int, dict]:
    """Public aggregates per agency: averages per dimension and the count, only over at least five counted ratings.

    Below the threshold the entry says so and shows nothing else (not even the count), so that no single worker's
    scores can be read off the register."""
    ids = list(agency_ids)
    rows = (
        AgencyRating.objects.filter(agency_id__in=ids, status=RatingStatus.PUBLISHED)
        .values("agency_id")
        .annotate(count=Count("pk"), **{f"avg_{d}": Avg(d) for d in RATING_DIMENSIONS})
    )
    found = {row["agency_id"]: row for row in rows}
    result = {}
    for agency_id in ids:
        row = found.get(agency_id)
        if row is None or row["count"] < RATING_THRESHOLD:
            result[agency_id] = {"shown": False, "count": None, "averages": None}
        else:
            averages = {d: round(float(row[f"avg_{d}"]), 1) for d in RATING_DIMENSIONS}
            result[agency_id] = {"shown": True, "count": row["count"], "averages": averages}
    return result


def rating_aggregate(agency) -> dict:
    return rating_aggregates([agency.pk])[agency.pk]


def own_worker(user):
    """The signed-in worker's own record, or None."""
    from corridor.workers.models import Worker

    if not getattr(user, "is_authenticated", False) or Role.WORKER not in roles_of(user):
        return None
    return Worker.objects.filter(user=user).first()


def worker_may_rate(worker, agency) -> bool:
    """A worker rates an agency that recruited or registered them: a valid consent to the agency, a cost entry
    naming it, or a registration by it."""
    from corridor.recruitment.models import CostEntry
    from corridor.workers.models import ConsentPurpose

    if worker is None or agency is None:
        return False
    if worker.registered_by_organisation_id == agency.pk:
        return True
    now = timezone.now()
    if worker.consents.filter(purpose=ConsentPurpose.AGENCY, agency=agency, withdrawn_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    ).exists():
        return True
    return CostEntry.objects.filter(worker=worker, agency=agency).exists()


def agencies_to_rate(*, user) -> list:
    """The agencies the signed-in worker may rate, each with the worker's rating if one exists."""
    from corridor.accounts.models import Organisation
    from corridor.recruitment.models import CostEntry
    from corridor.workers.models import ConsentPurpose

    worker = own_worker(user)
    if worker is None:
        return []
    now = timezone.now()
    ids = set(
        worker.consents.filter(purpose=ConsentPurpose.AGENCY, agency__isnull=False, withdrawn_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now)).values_list("agency_id", flat=True)
    )
    ids |= set(CostEntry.objects.filter(worker=worker, agency__isnull=False).values_list("agency_id", flat=True))
    if worker.registered_by_organisation_id:
        ids.add(worker.registered_by_organisation_id)
    agencies = Organisation.objects.filter(pk__in=ids, kind="recruitment_agency").order_by("name")
    ratings = {r.agency_id: r for r in AgencyRating.objects.filter(worker=worker)}
    return [(agency, ratings.get(agency.pk)) for agency in agencies]


LICENSABLE = (ProgrammeStatus.ACTIVE, ProgrammeStatus.SUSPENDED)


def licensable_programmes(agency) -> models.QuerySet[Programme]:
    """Programmes an agency may ask to be licensed for: running, with an open corridor from its country."""
    return Programme.objects.filter(
        status__in=LICENSABLE, corridors__origin_country=agency.country, corridors__is_active=True
    ).distinct().order_by("code")


def link_choices(agency) -> tuple[list, list]:
    """Employers approved under the programmes the agency's licence covers today, and those programmes."""
    licence = active_licence(agency)
    if licence is None:
        return [], []
    programmes = list(Programme.objects.filter(pk__in=licence.scopes.values("programme_id")).order_by("code"))
    employers = list(
        EmployerProfile.objects.filter(approvals__programme__in=programmes, approvals__status=ApprovalStatus.APPROVED)
        .select_related("organisation").distinct().order_by("organisation__name")
    )
    return employers, programmes
