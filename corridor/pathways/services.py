"""Writes of the pathways app (docs/pathways.md): pathway status per worker and programme, skills certificates
(attested by the employer, issued by the origin authority or the destination ministry, revocable with a reason), and
reintegration referrals by the origin authority."""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_noop

from corridor.accounts.selectors import origin_authorities
from corridor.contracts.clauses import content_hash
from corridor.contracts.services import CODE_ALPHABET, is_employer_of, is_origin_authority_for, is_worker
from corridor.core import audit, notify
from corridor.core.access import Category, Role, roles_of
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.inputs import date_field
from corridor.deployment import journey as path
from corridor.deployment.models import Journey
from corridor.pathways import progress as core
from corridor.pathways import selectors
from corridor.pathways.models import (
    CertificateStatus,
    HoursSource,
    PathwayStatus,
    Referral,
    ReferralKind,
    ReferralOutcome,
    SkillsCertificate,
)
from corridor.selection.models import SeasonRecord
from corridor.selection.services import is_ministry
from corridor.workers.models import Worker
from corridor.workers.services import is_origin_officer_for

MAX_TEXT = 4000
MAX_HOURS = Decimal("5000")
# A season can be attested once it has ended with an arrival: returned, moved to another employer, or ended otherwise.
ENDED = (path.RETURNED, path.MOVED, path.STATUS_CHANGED, path.OVERSTAYED)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


def _text(value: Any, name: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = str(value if value is not None else "").strip()
    if required and not text:
        raise InvalidInput("This field is required.", field=name)
    if len(text) > limit:
        raise InvalidInput(f"At most {limit} characters.", field=name)
    return text


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    return None


# --- pathway progress --------------------------------------------------------------------------------------------


@transaction.atomic
def refresh(worker: Worker, *, actor=None, today: datetime.date | None = None) -> list[PathwayStatus]:
    """Recompute the worker's pathway status in every programme they took part in. A worker who becomes eligible is
    told once, in their language, what they may apply for. Call it when a return is recorded or a season record
    written; `corridor pathways-refresh` calls it for everyone."""
    today = today or timezone.localdate()
    now = timezone.now()
    out = []
    for programme in selectors.programmes_of(worker):
        result, version = selectors.progress_of(worker, programme, today)
        status = PathwayStatus.objects.select_for_update().filter(worker=worker, programme=programme).first()
        before = audit.snapshot(status) if status else None
        was_eligible = bool(status and status.eligible)
        if status is None:
            status = PathwayStatus(worker=worker, programme=programme)
        status.rule_version = version
        status.target_status = result.target_status[:200]
        status.seasons, status.seasons_required = result.seasons, result.seasons_required
        status.months, status.months_required = result.months, result.months_required
        status.eligible, status.near, status.eligible_on = result.eligible, result.near, result.eligible_on
        if result.eligible and not was_eligible:
            status.eligible_since = today
        elif not result.eligible:
            status.eligible_since = None
        status.computed_at = now
        status.save()
        if status.eligible != was_eligible or before is None:
            audit.record(actor=actor, action="pathway.eligible" if status.eligible else "pathway.progress",
                         subject=status, before=before, after=audit.snapshot(status),
                         reason=_explain(result), programme_id=programme.pk,
                         rule_version_id=version.pk if version else None)
        if status.eligible and status.notified_at is None and worker.user_id:
            notify.send(notify.Notice(
                kind="pathway.eligible", category=Category.WORKER_IDENTITY,
                message=gettext_noop("You are eligible to apply for %(status)s (programme %(programme)s). "
                                     "Your origin authority can help you apply."),
                params={"status": status.target_status or programme.name, "programme": programme.code},
                link="/pathways/me/", subject=status, programme_id=programme.pk), users=[worker.user_id])
            status.notified_at = now
            status.save(update_fields=["notified_at"])
        out.append(status)
    return out


def _explain(result: core.Progress) -> str:
    if not result.enabled:
        return "The programme's rules in force offer no pathway."
    parts = [f"{result.seasons} of {result.seasons_required} seasons" if result.seasons_required else "",
             f"{result.months} of {result.months_required} months" if result.months_required else ""]
    facts = ", ".join(p for p in parts if p)
    return f"{'Eligible' if result.eligible else 'Not yet eligible'}: {facts}."


def refresh_all(*, actor=None, today: datetime.date | None = None) -> dict:
    """Refresh every worker who has a stay or a season in a programme; returns counts."""
    ids = set(Journey.objects.filter(arrived_on__isnull=False).values_list("worker_id", flat=True))
    ids |= set(SeasonRecord.objects.values_list("worker_id", flat=True))
    ids |= set(PathwayStatus.objects.values_list("worker_id", flat=True))
    counts = {"workers": 0, "eligible": 0, "near": 0, "notified": 0}
    since = timezone.now()
    for worker in Worker.objects.filter(pk__in=ids).order_by("pk").iterator(chunk_size=500):
        statuses = refresh(worker, actor=actor, today=today)
        counts["workers"] += 1
        counts["eligible"] += sum(1 for s in statuses if s.eligible)
        counts["near"] += sum(1 for s in statuses if s.near)
        counts["notified"] += sum(1 for s in statuses if s.notified_at and s.notified_at >= since)
    return counts


# --- skills certificates -----------------------------------------------------------------------------------------


def new_code() -> str:
    """A certificate's verification code such as SC-7KQ2-M9XD (40 random bits, as contracts' codes)."""
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"SC-{body[:4]}-{body[4:]}"


def may_issue(actor, certificate: SkillsCertificate) -> bool:
    """The origin authority of the worker's country (competent for the programme) or the destination ministry."""
    return bool(Role.PLATFORM_ADMIN in roles_of(actor)
                or is_origin_authority_for(actor, certificate.worker, certificate.programme)
                or is_ministry(actor, certificate.programme))


def payslip_hours(journey: Journey) -> Decimal | None:
    """The hours on the season's payslips (ordinary, overtime, night and holiday), or None without payslips."""
    from corridor.payroll.models import Payslip

    slips = Payslip.objects.filter(journey=journey)
    if not slips.exists():
        return None
    sums = slips.aggregate(o=Sum("ordinary_hours"), v=Sum("overtime_hours"), n=Sum("night_hours"),
                           h=Sum("holiday_hours"))
    return sum((v or Decimal(0) for v in sums.values()), Decimal(0)).quantize(Decimal("0.1"))


def _hours(value: Any, errors: list) -> Decimal | None:
    if value is None or str(value).strip() == "":
        errors.append({"field": "hours_worked", "message": "There are no payslips for this season: declare the "
                                                           "hours worked."})
        return None
    try:
        hours = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        errors.append({"field": "hours_worked", "message": "Give a number of hours."})
        return None
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS:
        errors.append({"field": "hours_worked", "message": f"Give a number of hours above 0 and at most {MAX_HOURS}."})
        return None
    return hours.quantize(Decimal("0.1"))


def _occupation(isco_code: str, fallback: str) -> str:
    from corridor.reference.models import IscoGroup

    group = IscoGroup.objects.filter(code=isco_code).first()
    return group.title if group is not None else fallback


@transaction.atomic
def certificate_attest(*, actor, journey: Journey, tasks: Any, hours_worked: Any = None, start_date: Any = None,
                       end_date: Any = None) -> SkillsCertificate:
    """The employer attests a season that has ended: the occupation of the job order, the hours worked (the sum of
    the payslips' hours when there are payslips, else as declared), the tasks and skills, the dates."""
    journey = Journey.objects.select_for_update(of=("self",)).select_related(
        "worker", "placement__job_order__programme", "placement__job_order__employer__organisation").get(pk=journey.pk)
    order = journey.placement.job_order
    _require(is_employer_of(actor, order), "Only the worker's employer for this season attests it.")
    if journey.state not in ENDED or journey.arrived_on is None:
        raise Conflict("A season is attested once it has ended, after the worker arrived.", field="journey")
    if SkillsCertificate.objects.filter(journey=journey).exclude(status=CertificateStatus.REVOKED).exists():
        raise Conflict("This season already has a certificate.", field="journey")
    errors: list = []
    last = selectors.stay_end(journey) or timezone.localdate()
    first = selectors.stay_start(journey)
    start = date_field({"start_date": start_date}, "start_date", errors, required=False) or first
    end = date_field({"end_date": end_date}, "end_date", errors, required=False) or last
    if not errors:
        if start < first:
            errors.append({"field": "start_date", "message": "The season with this employer started on "
                                                             f"{first.isoformat()}."})
        if end > last:
            errors.append({"field": "end_date", "message": f"The season ended on {last.isoformat()}."})
        if end < start:
            errors.append({"field": "end_date", "message": "The end is before the start."})
    hours = payslip_hours(journey)
    source = HoursSource.PAYSLIPS
    if hours is None:
        hours, source = _hours(hours_worked, errors), HoursSource.DECLARED
    text = str(tasks if tasks is not None else "").strip()
    if not text:
        errors.append({"field": "tasks", "message": "Describe the tasks done and the skills shown."})
    elif len(text) > MAX_TEXT:
        errors.append({"field": "tasks", "message": f"At most {MAX_TEXT} characters."})
    if errors:
        raise InvalidInput(errors)
    cert = SkillsCertificate.objects.create(
        worker=journey.worker, programme=order.programme, journey=journey, employer_name=order.employer.organisation.name,
        isco_code=order.isco_code, esco_uri=order.esco_uri, occupation=_occupation(order.isco_code, order.title)[:200],
        start_date=start, end_date=end, hours_worked=hours, hours_source=source, tasks=text,
        worker_language=journey.worker.language or "en", attested_by=actor, attested_at=timezone.now())
    audit.record(actor=actor, action="skills_certificate.attest", subject=cert, after=audit.snapshot(cert),
                 programme_id=order.programme_id)
    notify.send(notify.Notice(
        kind="skills_certificate.attested", category=Category.WORKER_IDENTITY,
        message=gettext_noop("The employer %(employer)s attested a season of %(worker)s: a skills certificate waits "
                             "to be issued."),
        params={"employer": cert.employer_name, "worker": journey.worker.public_id},
        link=f"/pathways/certificates/{cert.pk}/", subject=cert, programme_id=order.programme_id),
        organisations=origin_authorities(journey.worker.nationality, order.programme_id))
    return cert


def certificate_content(cert: SkillsCertificate, issuer: str, issued_on: datetime.date) -> dict:
    worker = cert.worker
    return {
        "worker_name": worker.full_name, "worker_id": worker.public_id, "programme": cert.programme.code,
        "programme_name": cert.programme.name, "employer": cert.employer_name, "isco_code": cert.isco_code,
        "esco_uri": cert.esco_uri, "occupation": cert.occupation, "start": cert.start_date.isoformat(),
        "end": cert.end_date.isoformat(), "hours_worked": str(cert.hours_worked), "tasks": cert.tasks,
        "issuer": issuer, "issued_on": issued_on.isoformat(),
    }


@transaction.atomic
def certificate_issue(*, actor, certificate: SkillsCertificate) -> SkillsCertificate:
    """The origin authority or the destination ministry issues the attested certificate: its content is locked under
    a hash and gets a public verification code."""
    cert = SkillsCertificate.objects.select_for_update(of=("self",)).select_related("worker", "programme").get(pk=certificate.pk)
    _require(may_issue(actor, cert), "Only the worker's origin authority or the destination ministry issues "
                                     "certificates.")
    if cert.status != CertificateStatus.ATTESTED:
        raise Conflict("Only an attested certificate can be issued; this one is already "
                       f"{cert.get_status_display().lower()}.", field="status")
    before = audit.snapshot(cert)
    now = timezone.now()
    issuer = getattr(getattr(actor, "organisation", None), "name", "") or "Corridor"
    cert.content = certificate_content(cert, issuer, timezone.localdate(now))
    cert.content_hash = content_hash(cert.content)
    cert.issuer_name, cert.issued_by, cert.issued_at = issuer[:200], actor, now
    cert.status = CertificateStatus.ISSUED
    for _attempt in range(5):
        cert.verification_code = new_code()
        try:
            with transaction.atomic():
                cert.save()
            break
        except IntegrityError:  # the same code drawn twice: draw again
            continue
    else:  # pragma: no cover - 40 random bits
        raise Conflict("Could not draw a unique verification code; try again.", field="verification_code")
    audit.record(actor=actor, action="skills_certificate.issue", subject=cert, before=before,
                 after=audit.snapshot(cert), programme_id=cert.programme_id)
    if cert.worker.user_id:
        notify.send(notify.Notice(
            kind="skills_certificate.issued", category=Category.WORKER_IDENTITY,
            message=gettext_noop("Your skills certificate for %(occupation)s is issued (code %(code)s). You can "
                                 "download it."),
            params={"occupation": cert.occupation, "code": cert.verification_code}, link="/pathways/me/",
            subject=cert, programme_id=cert.programme_id), users=[cert.worker.user_id])
    return cert


@transaction.atomic
def certificate_revoke(*, actor, certificate: SkillsCertificate, reason: Any) -> SkillsCertificate:
    """Revoke an issued certificate, with a reason; the public verification then says it is revoked."""
    cert = SkillsCertificate.objects.select_for_update(of=("self",)).select_related("worker", "programme").get(pk=certificate.pk)
    _require(may_issue(actor, cert), "Only the worker's origin authority or the destination ministry revokes "
                                     "certificates.")
    if cert.status != CertificateStatus.ISSUED:
        raise Conflict("Only an issued certificate can be revoked.", field="status")
    text = _text(reason, "reason")
    before = audit.snapshot(cert)
    cert.status, cert.revoked_by, cert.revoked_at, cert.revocation_reason = (
        CertificateStatus.REVOKED, actor, timezone.now(), text)
    cert.save(update_fields=["status", "revoked_by", "revoked_at", "revocation_reason"])
    audit.record(actor=actor, action="skills_certificate.revoke", subject=cert, before=before,
                 after=audit.snapshot(cert), reason=text, programme_id=cert.programme_id)
    if cert.worker.user_id:
        notify.send(notify.Notice(
            kind="skills_certificate.revoked", category=Category.WORKER_IDENTITY,
            message=gettext_noop("Your skills certificate %(code)s was revoked: %(reason)s"),
            params={"code": cert.verification_code, "reason": text[:300]}, link="/pathways/me/", subject=cert,
            programme_id=cert.programme_id), users=[cert.worker.user_id])
    return cert


def may_download(user, cert: SkillsCertificate) -> bool:
    return cert.status != CertificateStatus.ATTESTED and (is_worker(user, cert.worker) or may_issue(user, cert))


# --- reintegration referrals -------------------------------------------------------------------------------------


@transaction.atomic
def referral_create(*, actor, worker: Worker, kind: Any, provider: Any, referred_on: Any, consent: Any,
                    note: Any = "") -> Referral:
    """The origin authority refers a returned worker, with their consent, to a reintegration service."""
    _require(is_origin_officer_for(actor, worker.nationality),
             "Only the origin authority of the worker's country refers workers to reintegration services.")
    returned = (Journey.objects.filter(worker=worker, state=path.RETURNED).order_by("-returned_on", "-pk").first())
    errors: list = []
    kind = str(kind or "").strip()
    if kind not in ReferralKind.values:
        errors.append({"field": "kind", "message": f"Use one of {', '.join(ReferralKind.values)}."})
    name = str(provider if provider is not None else "").strip()
    if not name or len(name) > 200:
        errors.append({"field": "provider", "message": "Name the service provider (at most 200 characters)."})
    day = date_field({"referred_on": referred_on}, "referred_on", errors)
    if day and day > timezone.localdate():
        errors.append({"field": "referred_on", "message": "The referral date is in the future."})
    elif day and returned is not None and returned.returned_on and day < returned.returned_on:
        errors.append({"field": "referred_on", "message": "The referral is before the worker's return."})
    if _bool(consent) is not True:
        errors.append({"field": "consent", "message": "The worker's consent is required for a referral."})
    remark = str(note if note is not None else "").strip()
    if len(remark) > MAX_TEXT:
        errors.append({"field": "note", "message": f"At most {MAX_TEXT} characters."})
    if returned is None:
        errors.append({"field": "worker", "message": "Only a worker who has returned is referred to reintegration "
                                                     "services."})
    if errors:
        raise InvalidInput(errors)
    referral = Referral.objects.create(worker=worker, journey=returned, kind=kind, provider=name, referred_on=day,
                                       consent=True, note=remark, recorded_by=actor)
    audit.record(actor=actor, action="referral.create", subject=referral, after=audit.snapshot(referral),
                 programme_id=returned.placement.job_order.programme_id)
    if worker.user_id:
        notify.send(notify.Notice(
            kind="referral.created", category=Category.WORKER_IDENTITY,
            message=gettext_noop("You were referred to %(provider)s for support after your return."),
            params={"provider": name}, link="/pathways/me/", subject=referral), users=[worker.user_id])
    return referral


@transaction.atomic
def referral_outcome(*, actor, referral: Referral, outcome: Any, note: Any = "", outcome_on: Any = None) -> Referral:
    """The origin authority records how the referral went: in progress, completed or declined."""
    referral = Referral.objects.select_for_update(of=("self",)).select_related("worker").get(pk=referral.pk)
    _require(is_origin_officer_for(actor, referral.worker.nationality),
             "Only the origin authority of the worker's country records the outcome.")
    errors: list = []
    outcome = str(outcome or "").strip()
    if outcome not in ReferralOutcome.values:
        errors.append({"field": "outcome", "message": f"Use one of {', '.join(ReferralOutcome.values)}."})
    day = date_field({"outcome_on": outcome_on}, "outcome_on", errors, required=False)
    if outcome != ReferralOutcome.IN_PROGRESS:
        day = day or timezone.localdate()
        if day < referral.referred_on:
            errors.append({"field": "outcome_on", "message": "The outcome is before the referral."})
        elif day > timezone.localdate():
            errors.append({"field": "outcome_on", "message": "The outcome date is in the future."})
    else:
        day = None
    remark = str(note if note is not None else "").strip()
    if len(remark) > MAX_TEXT:
        errors.append({"field": "note", "message": f"At most {MAX_TEXT} characters."})
    if errors:
        raise InvalidInput(errors)
    before = audit.snapshot(referral)
    referral.outcome, referral.outcome_on, referral.outcome_note = outcome, day, remark
    referral.save(update_fields=["outcome", "outcome_on", "outcome_note"])
    audit.record(actor=actor, action="referral.outcome", subject=referral, before=before,
                 after=audit.snapshot(referral), reason=remark)
    return referral
