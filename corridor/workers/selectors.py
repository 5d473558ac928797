"""Reading the work-ready pool, always through `restrict(user)`: a worker's own record, the origin authority's
nationals, the workers who consented to an agency or to the employers of a programme."""

from __future__ import annotations

import datetime

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.accounts.models import Organisation, OrgKind
from corridor.core import audit
from corridor.core.errors import InvalidInput, NotFound
from corridor.core.models import AuditEvent
from corridor.programmes.models import Programme, ProgrammeStatus
from corridor.reference import codes
from corridor.workers import services
from corridor.workers.models import (
    Consent,
    DuplicateFlag,
    IdentityDocument,
    LanguageResult,
    MedicalClearance,
    PoolStatus,
    Worker,
    WorkerContact,
    WorkerOccupation,
)

# The parts of a profile, by the name the API and the pages use.
PARTS = {
    "documents": IdentityDocument,
    "languages": LanguageResult,
    "occupations": WorkerOccupation,
    "medical": MedicalClearance,
}
PART_LABELS = {model._meta.label_lower for model in PARTS.values()} | {
    Consent._meta.label_lower, WorkerContact._meta.label_lower,
}
MAX_ID = 2**31 - 1


def worker_list(*, user, status: str = "", nationality: str = "", q: str = "") -> models.QuerySet[Worker]:
    """The workers `user` may see, filtered by pool status, nationality and a search on names or identifier."""
    qs = Worker.objects.all().restrict(user)
    errors = []
    if status:
        if status == "excluded":
            qs = qs.filter(banned_until__gte=timezone.localdate())
        elif status == "unconfirmed":
            qs = qs.filter(confirmed_at__isnull=True)
        elif status in PoolStatus.values:
            qs = qs.filter(status=status)
        else:
            allowed = ", ".join([*PoolStatus.values, "excluded", "unconfirmed"])
            errors.append({"field": "status", "message": f"Unknown status {status[:20]!r}; one of {allowed}."})
    if nationality:
        country = codes.normalise_country(nationality)
        if country is None:
            errors.append({"field": "nationality", "message": f"Unknown country code {nationality[:10]!r}."})
        else:
            qs = qs.filter(nationality=country)
    if errors:
        raise InvalidInput(errors)
    q = (q or "").strip()[:100].replace("\x00", "")
    if q:
        key = services.name_key(q, "")
        search = Q(public_id__iexact=q) | Q(given_names__icontains=q) | Q(family_names__icontains=q)
        if key:
            search |= Q(name_key__contains=key)
        qs = qs.filter(search)
    return qs.order_by("family_names", "given_names", "pk")


def worker_get(*, user, public_id: str, action: str = "view") -> Worker:
    worker = (
        Worker.objects.filter(public_id=(public_id or "").strip().upper()[:12]).restrict(user, action)
        .select_related("user", "registered_by_organisation", "verified_by").first()
    )
    if worker is None:
        if action != "view" and Worker.objects.filter(public_id=(public_id or "").upper()[:12]).restrict(user).exists():
            from corridor.core.errors import Forbidden

            raise Forbidden(_("You may see this worker's profile but not change it."))
        raise NotFound(_("No worker %(id)s that you may see.") % {"id": (public_id or "")[:12]}, field="public_id")
    return worker


def worker_of_user(*, user) -> Worker | None:
    """The signed-in worker's own record, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Worker.objects.filter(user=user).restrict(user).exclude(status=PoolStatus.MERGED).first()


def may_change(*, user, worker: Worker) -> bool:
    return services.may_change(user, worker)


def unconfirmed_list(*, user) -> models.QuerySet[Worker]:
    """Registrations the user's organisation made on workers' behalf that the workers have not confirmed yet."""
    org_id = getattr(user, "organisation_id", None)
    if not org_id:
        return Worker.objects.none()
    return (
        Worker.objects.filter(registered_by_organisation_id=org_id, confirmed_at__isnull=True)
        .exclude(status=PoolStatus.MERGED).restrict(user).order_by("-created_at", "pk")
    )


def contact_get(*, user, worker: Worker) -> WorkerContact | None:
    return WorkerContact.objects.filter(worker=worker).restrict(user).first()


def part_list(*, user, worker: Worker, part: str) -> models.QuerySet:
    return PARTS[part].objects.filter(worker=worker).restrict(user)


def part_get(*, user, worker: Worker, part: str, pk: int, action: str = "view"):
    model = PARTS.get(part)
    if model is None or not 0 < pk <= MAX_ID:
        raise NotFound(_("No such item."), field="id")
    item = model.objects.filter(worker=worker, pk=pk).restrict(user, action).first()
    if item is None:
        raise NotFound(_("No such item on this profile that you may see."), field="id")
    return item


def consent_list(*, user, worker: Worker) -> models.QuerySet[Consent]:
    return Consent.objects.filter(worker=worker).restrict(user).select_related("programme", "agency").order_by("-given_at", "-pk")


def consent_get(*, user, worker: Worker, pk: int) -> Consent:
    consent = Consent.objects.filter(worker=worker, pk=pk).restrict(user).first() if 0 < pk <= MAX_ID else None
    if consent is None:
        raise NotFound(_("No such consent on this profile."), field="consent")
    return consent


def document_scan_response(*, user, document: IdentityDocument):
    """The scan as a download for those who may see the document; never a public media URL."""
    from django.http import FileResponse

    if not IdentityDocument.objects.filter(pk=document.pk).restrict(user).exists():
        raise NotFound(_("No such document that you may see."), field="id")
    if not document.file:
        raise NotFound(_("No scan is attached to this document."), field="file")
    extension = services.SCAN_TYPES.get(document.content_type, ("bin", ""))[0]
    response = FileResponse(
        document.file.open("rb"), content_type=document.content_type or "application/octet-stream", as_attachment=True,
        filename=f"{document.worker.public_id.lower()}-{document.kind}-{document.pk}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def programme_choice(*, user, code: str) -> Programme:
    from corridor.programmes.selectors import programme_get

    return programme_get(user=user, code=(code or "")[:30])


def agency_choice(*, user, agency_id) -> Organisation:
    try:
        pk = int(agency_id)
    except (TypeError, ValueError):
        raise InvalidInput(_("Choose an agency."), field="agency") from None
    agency = (
        Organisation.objects.filter(pk=pk, kind=OrgKind.RECRUITMENT_AGENCY).restrict(user).first() if 0 < pk <= MAX_ID else None
    )
    if agency is None:
        raise NotFound(_("No such recruitment agency."), field="agency")
    return agency


def agencies_for(*, user, worker: Worker) -> list[Organisation]:
    """Recruitment agencies a worker may consent to: those the licence register lets act for the worker's country."""
    agencies = Organisation.objects.filter(kind=OrgKind.RECRUITMENT_AGENCY, is_active=True).restrict(user).order_by("name")
    return [a for a in agencies[:200] if services.agency_may_act(a, worker.nationality)[0]]


def programmes_for(*, user, worker: Worker) -> models.QuerySet[Programme]:
    """Active programmes with an open corridor from the worker's country."""
    return (
        Programme.objects.filter(status=ProgrammeStatus.ACTIVE, corridors__is_active=True,
                                 corridors__origin_country=worker.nationality)
        .restrict(user).distinct().order_by("code")
    )


def eligibility(*, worker: Worker, programme: Programme, on_date: datetime.date | None = None,
                language: str | None = None) -> dict | None:
    """Whether the worker meets the programme's rules (the rule version in force), with every unmet criterion in
    `language`; None when the eligibility module is not installed."""
    try:
        from corridor.workers.eligibility_report import eligibility_report
    except ImportError:
        return None
    return eligibility_report(worker=worker, programme=programme, on_date=on_date, language=language or worker.language)


def next_step(worker: Worker) -> str:
    """What the worker should do next, in one plain sentence."""
    today = timezone.localdate()
    if worker.banned_until is not None and worker.banned_until >= today:
        return _("You are excluded from programmes until %(date)s. Reason given: %(reason)s") % {
            "date": worker.banned_until.isoformat(), "reason": worker.ban_reason or "—",
        }
    if worker.status == PoolStatus.MERGED:
        return _("This record was merged into another one by the origin authority.")
    if worker.confirmed_at is None:
        return _("Confirm this registration: the worker signs in with the identifier, phone number and date of birth.")
    if worker.status == PoolStatus.REGISTERED:
        if not worker.documents.exists():
            return _("Add your passport or identity card. Then the origin authority can verify your registration.")
        return _("Wait for the origin authority to verify your identity documents. You can add your skills meanwhile.")
    if worker.status == PoolStatus.VERIFIED:
        missing = [m["message"] for m in services.work_ready_missing(worker) if m["field"] != "status"]
        if missing:
            return _("To become work-ready: %(missing)s") % {"missing": " ".join(missing)}
        return _("Everything is in order: the origin authority can now mark you work-ready.")
    if not any(c.valid for c in worker.consents.filter(withdrawn_at__isnull=True)):
        return _("You are work-ready. Give consent to the programmes you want to be considered for.")
    return _("You are work-ready. The programmes you consented to can consider you; watch for job offers.")


def _rows(qs, exclude=()) -> list[dict]:
    return [audit.snapshot(row, exclude=tuple(exclude)) for row in qs]


def audit_about(*, worker: Worker) -> models.QuerySet[AuditEvent]:
    """Audit events about the worker's records: the worker, every part of the profile (removed ones too, found by the
    worker named in their snapshot) and the duplicate flags naming the worker. Read for the worker's own data export:
    the history of their records is theirs to see, whoever made the change."""
    pk = worker.pk
    flags = [str(f) for f in DuplicateFlag.objects.filter(Q(first=worker) | Q(second=worker)).values_list("pk", flat=True)]
    return AuditEvent.objects.filter(
        Q(subject_type=Worker._meta.label_lower, subject_id=str(pk))
        | Q(subject_type__in=sorted(PART_LABELS), after__worker_id=pk)
        | Q(subject_type__in=sorted(PART_LABELS), before__worker_id=pk)
        | Q(subject_type=DuplicateFlag._meta.label_lower, subject_id__in=flags)
    ).order_by("occurred_at", "pk")


def export_data(*, worker: Worker, user) -> dict:
    """Everything held about the worker, as JSON-ready data (the service records the download)."""
    contact = WorkerContact.objects.filter(worker=worker).restrict(user).first()
    flags = DuplicateFlag.objects.filter(Q(first=worker) | Q(second=worker)).order_by("pk")
    data = {
        "generated_at": timezone.now().isoformat(),
        "identity": audit.snapshot(worker, exclude=("name_key",)),
        "account": {"username": worker.user.username, "language": worker.user.language} if worker.user_id else None,
        "contact": audit.snapshot(contact, exclude=("id", "worker")) if contact else None,
        "documents": _rows(worker.documents.order_by("pk"), exclude=("number_key",)),
        "language_results": _rows(worker.language_results.order_by("pk")),
        "occupations": _rows(worker.occupations.order_by("pk")),
        "medical_clearances": _rows(worker.medical_clearances.order_by("pk")),
        "consents": _rows(worker.consents.order_by("pk")),
        "duplicate_flags": [
            {"id": f.pk, "score": str(f.score), "reasons": f.reasons, "status": f.status,
             "created_at": f.created_at.isoformat(), "decided_at": f.decided_at.isoformat() if f.decided_at else None}
            for f in flags
        ],
        "audit_events": [
            {"at": e.occurred_at.isoformat(), "action": e.action, "by": e.actor_label, "via": e.via, "record": e.subject_type,
             "record_id": e.subject_id, "reason": e.reason, "before": e.before, "after": e.after}
            for e in audit_about(worker=worker)
        ],
    }
    if apps.is_installed("corridor.recruitment"):
        cost_entry = apps.get_model("recruitment", "CostEntry")
        data["recruitment_costs"] = _rows(cost_entry.objects.filter(worker=worker).order_by("pk"))
    return data
