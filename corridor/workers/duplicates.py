"""The same person registered twice: detection, the origin authority's queue, merge and dismissal.

- `detect_for(worker)` runs inside the registration transaction (after the worker's documents are saved): it
  compares the worker with the records of the same nationality found by blocking (a date of birth equal, with day
  and month swapped or one digit away, through the indexed `date_of_birth`; the same document number through the
  indexed `number_key`), scores each pair (`matching.score`) and flags those at `matching.THRESHOLD` or more,
  leaving alone pairs already flagged (whatever was decided) and merged records.
- `duplicate_merge(actor=, flag=, keep=)`: an officer of the origin authority of the workers' country keeps one
  record. The other becomes "merged" (pointing to the one kept) and stays, with its audit trail, as history. Its
  documents, test results, occupations, medical clearances, consents, contact (if the kept record has none), sign-in
  account (likewise) and whatever other parts of the platform hold about it move to the kept record; an exclusion
  or a deployment carries over. Each item moved is an audit event. Other open flags of the merged record are
  re-pointed to the kept record, or closed when the kept record is already flagged with the same worker.
- `duplicate_dismiss(actor=, flag=, note=)`: not the same person; the pair is never flagged again.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from corridor.core import audit
from corridor.core.access import Role, roles_of
from corridor.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from corridor.workers import matching
from corridor.workers.models import (
    Consent,
    DuplicateFlag,
    DuplicateStatus,
    IdentityDocument,
    LanguageResult,
    MedicalClearance,
    PoolStatus,
    Worker,
    WorkerContact,
    WorkerOccupation,
)

THRESHOLD = matching.THRESHOLD
MAX_CANDIDATES = 5000  # records scored for one worker; blocking keeps it far below
NOTE_MAX = 2000


# --- detection ---------------------------------------------------------------------------------------------------


def person_of(worker: Worker, documents=None) -> matching.Person:
    """The matching view of a worker; `documents` are (kind, number) pairs (read from the database if None)."""
    if documents is None:
        documents = list(IdentityDocument.objects.filter(worker_id=worker.pk).values_list("kind", "number_key")) if worker.pk else []
    return matching.Person.of(
        worker.given_names, worker.family_names, worker.date_of_birth, worker.nationality, worker.sex,
        documents=documents, ref=worker.pk, key=worker.name_key or None,
    )


def pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):
        return datetime.date.fromisoformat(value)
    return value


def detect_for(worker: Worker, *, actor=None) -> list[DuplicateFlag]:
    """Flag the records that may be the same person as `worker`; return the flags created (best first)."""
    if worker.pk is None or worker.status == PoolStatus.MERGED or not worker.date_of_birth:
        return []
    born = _as_date(worker.date_of_birth)
    own_documents = list(IdentityDocument.objects.filter(worker_id=worker.pk).values_list("kind", "number_key"))
    keys = sorted({key for _kind, key in own_documents if key})
    fields = ("pk", "given_names", "family_names", "name_key", "date_of_birth", "nationality", "sex")
    base = Worker.objects.filter(nationality=worker.nationality).exclude(pk=worker.pk).exclude(status=PoolStatus.MERGED)
    # Two indexed queries rather than one with OR, which the database could only answer by reading every record.
    candidates = {
        c.pk: c for c in base.filter(date_of_birth__in=sorted(matching.dob_variants(born))).only(*fields).order_by("pk")[:MAX_CANDIDATES]
    }
    if keys:
        holders = IdentityDocument.objects.filter(number_key__in=keys).values_list("worker_id", flat=True)
        for c in base.filter(pk__in=list(holders[:MAX_CANDIDATES])).only(*fields):
            candidates[c.pk] = c
    candidates = [candidates[pk] for pk in sorted(candidates)]
    if not candidates:
        return []
    documents: dict[int, list] = {}
    for worker_id, kind, key in IdentityDocument.objects.filter(worker_id__in=[c.pk for c in candidates]).values_list(
        "worker_id", "kind", "number_key"
    ):
        documents.setdefault(worker_id, []).append((kind, key))
    flagged = {
        pair(a, b) for a, b in DuplicateFlag.objects.filter(Q(first_id=worker.pk) | Q(second_id=worker.pk)).values_list(
            "first_id", "second_id"
        )
    }
    me = person_of(worker, own_documents)
    created = []
    for candidate in candidates:
        key = pair(worker.pk, candidate.pk)
        if key in flagged:
            continue
        value, reasons = matching.score(me, person_of(candidate, documents.get(candidate.pk, [])))
        if value < THRESHOLD:
            continue
        flag = DuplicateFlag.objects.create(first_id=key[0], second_id=key[1], score=Decimal(str(value)), reasons=reasons)
        flagged.add(key)
        audit.record(
            actor=actor, action="worker.duplicate.flag", subject=flag,
            after={"first": key[0], "second": key[1], "score": value, "reasons": reasons},
            reason=_("Possible duplicate registration, for the origin authority to review."),
            organisation_id=getattr(actor, "organisation_id", None) if actor is not None else None,
        )
        created.append(flag)
    created.sort(key=lambda f: (-f.score, f.pk))
    return created


# --- who may decide ----------------------------------------------------------------------------------------------


def is_origin_officer_of(user, country: str) -> bool:
    """An officer of the origin authority of `country`: the one who verifies, merges and dismisses its nationals."""
    org = getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None
    return (
        org is not None and Role.ORIGIN_OFFICER in roles_of(user) and Role.IMMIGRATION_OFFICER not in roles_of(user)
        and org.kind == "origin_authority" and org.country == country
    )


def _require_officer(actor, flag: DuplicateFlag) -> None:
    first, second = flag.first, flag.second
    if not (is_origin_officer_of(actor, first.nationality) and is_origin_officer_of(actor, second.nationality)):
        raise Forbidden(_("Only officers of the origin authority of the workers' country decide on possible "
                          "duplicates."))


# --- reads -------------------------------------------------------------------------------------------------------


def duplicate_list(*, user, status: str | None = DuplicateStatus.OPEN) -> models.QuerySet[DuplicateFlag]:
    """The possible duplicates `user` may review (the origin authority's nationals), best scores first."""
    qs = DuplicateFlag.objects.restrict(user).select_related("first", "second", "decided_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-score", "pk")


def duplicate_get(*, user, pk: int) -> DuplicateFlag:
    flag = DuplicateFlag.objects.restrict(user).select_related("first", "second", "decided_by").filter(pk=pk).first()
    if flag is None:
        raise NotFound(_("There is no possible duplicate %(n)s that you may see.") % {"n": pk})
    return flag


def side_by_side(flag: DuplicateFlag) -> dict:
    """What the two records hold, for the officer's comparison (identity, documents, results, occupations,
    medical clearances, consents, and whether each has a contact and a sign-in account)."""
    out = {}
    for name, worker in (("first", flag.first), ("second", flag.second)):
        out[name] = {
            "worker": worker,
            "documents": list(IdentityDocument.objects.filter(worker=worker).order_by("kind", "pk")),
            "language_results": list(LanguageResult.objects.filter(worker=worker).order_by("-taken_on", "pk")),
            "occupations": list(WorkerOccupation.objects.filter(worker=worker).order_by("isco_code")),
            "medical": list(MedicalClearance.objects.filter(worker=worker).order_by("-issued_on", "pk")),
            "consents": list(Consent.objects.filter(worker=worker).order_by("-given_at", "pk")),
            "has_contact": WorkerContact.objects.filter(worker=worker).exists(),
            "has_account": worker.user_id is not None,
        }
    return out


# --- merge -------------------------------------------------------------------------------------------------------


def _locked_flag(flag) -> DuplicateFlag:
    pk = flag.pk if isinstance(flag, DuplicateFlag) else flag
    found = DuplicateFlag.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise NotFound(_("There is no possible duplicate %(n)s.") % {"n": pk})
    # The two records, locked in a fixed order so that two merges cannot deadlock.
    workers = {w.pk: w for w in Worker.objects.select_for_update().filter(pk__in=[found.first_id, found.second_id]).order_by("pk")}
    found.first, found.second = workers[found.first_id], workers[found.second_id]
    return found


def _keep_id(flag: DuplicateFlag, keep) -> int:
    if isinstance(keep, Worker):
        value = keep.pk
    elif isinstance(keep, int) and not isinstance(keep, bool):
        value = keep
    else:
        text = str(keep or "").strip()[:40]
        value = next((w.pk for w in (flag.first, flag.second) if w.public_id == text), None)
        if value is None and text.isdigit():
            value = int(text)
    if value not in (flag.first_id, flag.second_id):
        raise InvalidInput(_("Choose which of the two records to keep: %(a)s or %(b)s.")
                           % {"a": flag.first.public_id, "b": flag.second.public_id}, field="keep")
    return value


def _move(actor, item, field_name: str, merged: Worker, kept: Worker, organisation_id) -> None:
    setattr(item, f"{field_name}_id", kept.pk)
    item.save(update_fields=[field_name])
    audit.record(
        actor=actor, action="worker.merge.move", subject=item,
        before={field_name: merged.pk}, after={field_name: kept.pk},
        reason=_("Moved from %(from)s to %(to)s, which it was merged into.") % {"from": merged.public_id, "to": kept.public_id},
        organisation_id=organisation_id,
    )


def _left(actor, item, merged: Worker, kept: Worker, why: str, organisation_id) -> None:
    audit.record(
        actor=actor, action="worker.merge.keep", subject=item, after={"worker": merged.pk},
        reason=_("Left with %(from)s (merged into %(to)s): %(why)s") % {"from": merged.public_id, "to": kept.public_id, "why": why},
        organisation_id=organisation_id,
    )


def _move_own_parts(actor, merged: Worker, kept: Worker, org_id) -> dict[str, int]:
    moved = {"documents": 0, "language_results": 0, "occupations": 0, "medical_clearances": 0, "consents": 0,
             "contact": 0, "account": 0}
    held = {(d.kind, d.number_key) for d in IdentityDocument.objects.filter(worker=kept)}
    for document in IdentityDocument.objects.filter(worker=merged).order_by("pk"):
        if (document.kind, document.number_key) in held:
            _left(actor, document, merged, kept, _("the kept record holds the same document"), org_id)
            continue
        _move(actor, document, "worker", merged, kept, org_id)
        held.add((document.kind, document.number_key))
        moved["documents"] += 1
    results = {(r.language, r.test, r.level, r.taken_on) for r in LanguageResult.objects.filter(worker=kept)}
    for result in LanguageResult.objects.filter(worker=merged).order_by("pk"):
        if (result.language, result.test, result.level, result.taken_on) in results:
            _left(actor, result, merged, kept, _("the kept record holds the same result"), org_id)
            continue
        _move(actor, result, "worker", merged, kept, org_id)
        moved["language_results"] += 1
    occupations = {o.isco_code: o for o in WorkerOccupation.objects.filter(worker=kept)}
    for occupation in WorkerOccupation.objects.filter(worker=merged).order_by("pk"):
        same = occupations.get(occupation.isco_code)
        if same is None:
            _move(actor, occupation, "worker", merged, kept, org_id)
            moved["occupations"] += 1
            continue
        if occupation.years_experience > same.years_experience or (occupation.skills and not same.skills):
            before = audit.snapshot(same)
            same.years_experience = max(same.years_experience, occupation.years_experience)
            same.skills = same.skills or occupation.skills
            same.esco_uri = same.esco_uri or occupation.esco_uri
            same.save(update_fields=["years_experience", "skills", "esco_uri"])
            audit.record(actor=actor, action="worker.merge.combine", subject=same, before=before, after=audit.snapshot(same),
                         reason=_("Completed from the same occupation of %(from)s.") % {"from": merged.public_id},
                         organisation_id=org_id)
        _left(actor, occupation, merged, kept, _("the kept record has the same occupation"), org_id)
    for clearance in MedicalClearance.objects.filter(worker=merged).order_by("pk"):
        _move(actor, clearance, "worker", merged, kept, org_id)
        moved["medical_clearances"] += 1
    valid = {(c.purpose, c.programme_id, c.agency_id) for c in Consent.objects.filter(worker=kept, withdrawn_at__isnull=True)}
    for consent in Consent.objects.filter(worker=merged).order_by("pk"):
        key = (consent.purpose, consent.programme_id, consent.agency_id)
        if consent.withdrawn_at is None and key in valid:
            _left(actor, consent, merged, kept, _("the kept record holds the same consent"), org_id)
            continue
        _move(actor, consent, "worker", merged, kept, org_id)
        if consent.withdrawn_at is None:
            valid.add(key)
        moved["consents"] += 1
    contact = WorkerContact.objects.filter(worker=merged).first()
    if contact is not None:
        if WorkerContact.objects.filter(worker=kept).exists():
            _left(actor, contact, merged, kept, _("the kept record has its own contact"), org_id)
        else:
            _move(actor, contact, "worker", merged, kept, org_id)
            moved["contact"] = 1
    return moved


def _move_other_parts(actor, merged: Worker, kept: Worker, org_id) -> int:
    """Whatever other parts of the platform hold about the merged record (costs, ratings, earnings, ...): each row
    moves unless the kept record already has its own (a unique constraint), in which case it stays as history."""
    handled = {IdentityDocument, LanguageResult, WorkerOccupation, MedicalClearance, Consent, WorkerContact,
               DuplicateFlag, Worker}
    moved = 0
    for relation in Worker._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
            continue
        model = relation.related_model
        if model in handled:
            continue
        name = relation.field.name
        manager = model._base_manager
        for item in manager.filter(**{name: merged}).order_by("pk"):
            if relation.one_to_one and manager.filter(**{name: kept}).exists():
                _left(actor, item, merged, kept, _("the kept record has its own"), org_id)
                continue
            try:
                with transaction.atomic():
                    _move(actor, item, name, merged, kept, org_id)
                moved += 1
            except IntegrityError:
                setattr(item, f"{name}_id", merged.pk)
                _left(actor, item, merged, kept, _("the kept record holds the same"), org_id)
    return moved


def _repoint_flags(actor, decided: DuplicateFlag, merged: Worker, kept: Worker, now, org_id) -> tuple[int, int]:
    """Other open flags of the merged record: to the kept record, or closed when that pair is flagged already."""
    repointed = closed = 0
    flagged = {
        pair(a, b) for a, b in DuplicateFlag.objects.filter(Q(first=kept) | Q(second=kept)).values_list("first_id", "second_id")
    }
    others = (
        DuplicateFlag.objects.select_for_update()
        .filter(Q(first=merged) | Q(second=merged), status=DuplicateStatus.OPEN).exclude(pk=decided.pk).order_by("pk")
    )
    for flag in others:
        other = flag.second_id if flag.first_id == merged.pk else flag.first_id
        before = audit.snapshot(flag)
        new = pair(kept.pk, other)
        if other == kept.pk or new in flagged:
            flag.status, flag.decided_by, flag.decided_at = DuplicateStatus.MERGED, actor, now
            flag.note = _("Closed: %(from)s was merged into %(to)s, which is already compared with this record.") % {
                "from": merged.public_id, "to": kept.public_id}
            flag.save(update_fields=["status", "decided_by", "decided_at", "note"])
            audit.record(actor=actor, action="worker.duplicate.close", subject=flag, before=before, after=audit.snapshot(flag),
                         reason=flag.note, organisation_id=org_id)
            closed += 1
            continue
        flag.first_id, flag.second_id = new
        flag.note = (flag.note + "\n" if flag.note else "") + _("Moved from %(from)s, merged into %(to)s.") % {
            "from": merged.public_id, "to": kept.public_id}
        flag.save(update_fields=["first", "second", "note"])
        flagged.add(new)
        audit.record(actor=actor, action="worker.duplicate.repoint", subject=flag, before=before, after=audit.snapshot(flag),
                     reason=_("Re-pointed to the kept record %(to)s.") % {"to": kept.public_id}, organisation_id=org_id)
        repointed += 1
    return repointed, closed


def _combine_worker(merged: Worker, kept: Worker) -> list[str]:
    """What the kept record takes from the merged one: an exclusion and a deployment carry over (a merge must not
    lift either), and blank facts are filled in."""
    changed = []
    if merged.banned_until and (kept.banned_until is None or merged.banned_until > kept.banned_until):
        kept.banned_until = merged.banned_until
        kept.ban_reason = merged.ban_reason or kept.ban_reason
        changed += ["banned_until", "ban_reason"]
    if merged.deployed and not kept.deployed:
        kept.deployed = True
        changed.append("deployed")
    for name in ("region_of_origin", "education", "orientation_completed_on", "confirmed_at"):
        if not getattr(kept, name) and getattr(merged, name):
            setattr(kept, name, getattr(merged, name))
            changed.append(name)
    return changed


def duplicate_merge(*, actor, flag, keep) -> Worker:
    """Keep one of the two records of `flag` (`keep`: the worker, its identifier or its public identifier) and
    merge the other into it. Returns the kept worker."""
    with transaction.atomic():
        flag = _locked_flag(flag)
        _require_officer(actor, flag)
        if flag.status != DuplicateStatus.OPEN:
            raise Conflict(_("This possible duplicate was already decided (%(status)s).") % {"status": flag.get_status_display()})
        keep_id = _keep_id(flag, keep)
        kept, merged = (flag.first, flag.second) if keep_id == flag.first_id else (flag.second, flag.first)
        if PoolStatus.MERGED in (kept.status, merged.status):
            raise Conflict(_("One of the two records was already merged into another; the flag can only be dismissed."))
        now = timezone.now()
        org_id = getattr(actor, "organisation_id", None)

        moved = _move_own_parts(actor, merged, kept, org_id)
        kept_before = audit.snapshot(kept)
        changed = _combine_worker(merged, kept)
        if merged.user_id is not None:
            user_id = merged.user_id
            if kept.user_id is None:
                Worker.objects.filter(pk=merged.pk).update(user=None)
                merged.user_id = None
                kept.user_id = user_id
                changed.append("user")
                moved["account"] = 1
            else:
                audit.record(actor=actor, action="worker.merge.keep", subject=merged, after={"user": user_id},
                             reason=_("Both records have a sign-in account; the merged record keeps its own."),
                             organisation_id=org_id)
        if changed:
            kept.save(update_fields=[*changed, "updated_at"])
            audit.record(actor=actor, action="worker.merge.combine", subject=kept, before=kept_before,
                         after=audit.snapshot(kept), reason=_("Completed from %(from)s, merged into it.") % {"from": merged.public_id},
                         organisation_id=org_id)
        moved["other"] = _move_other_parts(actor, merged, kept, org_id)
        chained = 0
        for earlier in Worker.objects.select_for_update().filter(merged_into=merged).order_by("pk"):
            _move(actor, earlier, "merged_into", merged, kept, org_id)
            chained += 1
        repointed, closed = _repoint_flags(actor, flag, merged, kept, now, org_id)

        merged_before = audit.snapshot(merged)
        merged.status, merged.merged_into = PoolStatus.MERGED, kept
        merged.save(update_fields=["status", "merged_into", "updated_at"])
        summary = {**moved, "earlier_merges": chained, "flags_repointed": repointed, "flags_closed": closed}
        audit.record(actor=actor, action="worker.merge", subject=merged, before=merged_before, after={**audit.snapshot(merged), "moved": summary},
                     reason=_("Same person as %(to)s; merged into it.") % {"to": kept.public_id}, organisation_id=org_id)
        flag_before = audit.snapshot(flag)
        flag.status, flag.decided_by, flag.decided_at = DuplicateStatus.MERGED, actor, now
        flag.note = _("Kept %(kept)s; %(merged)s merged into it.") % {"kept": kept.public_id, "merged": merged.public_id}
        flag.save(update_fields=["status", "decided_by", "decided_at", "note"])
        audit.record(actor=actor, action="worker.duplicate.merge", subject=flag, before=flag_before, after={**audit.snapshot(flag), "moved": summary},
                     reason=flag.note, organisation_id=org_id)
    kept.refresh_from_db()
    return kept


def duplicate_dismiss(*, actor, flag, note: str = "") -> DuplicateFlag:
    """Not the same person: the flag is closed with the officer's note and the pair is not flagged again."""
    note = str(note or "").replace("\x00", "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(_("Keep the note under %(n)d characters.") % {"n": NOTE_MAX}, field="note")
    with transaction.atomic():
        flag = _locked_flag(flag)
        _require_officer(actor, flag)
        if flag.status != DuplicateStatus.OPEN:
            raise Conflict(_("This possible duplicate was already decided (%(status)s).") % {"status": flag.get_status_display()})
        before = audit.snapshot(flag)
        flag.status, flag.decided_by, flag.decided_at = DuplicateStatus.DISMISSED, actor, timezone.now()
        flag.note = note
        flag.save(update_fields=["status", "decided_by", "decided_at", "note"])
        audit.record(actor=actor, action="worker.duplicate.dismiss", subject=flag, before=before, after=audit.snapshot(flag),
                     reason=note or _("Not the same person."), organisation_id=getattr(actor, "organisation_id", None))
    return flag
