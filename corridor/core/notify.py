"""Sending notifications: to a person, or to the holders of a role in an organisation.

Messages are written in English with named parameters and marked with `gettext_noop` at the call site, so that they
are translated when read, into the reader's language. Sending is part of the caller's transaction: a state change
and the notices about it are written together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from corridor.core.models import TRANSLATED, Notification


@dataclass(frozen=True)
class Notice:
    """One message, to `users` and to the holders of `role` in each of `organisation_ids`."""

    kind: str
    message: str
    category: str
    params: dict = field(default_factory=dict)
    link: str = ""
    subject: object | None = None
    programme_id: int | None = None
    # Parameters that are themselves English messages (marked with gettext_noop), translated when read as well.
    translated: tuple[str, ...] = ()


def _subject(notice: Notice) -> tuple[str, str]:
    subject = notice.subject
    if subject is None:
        return "", ""
    return subject._meta.label_lower, str(subject.pk)


def send(notice: Notice, *, users: Iterable = (), organisations: Iterable[tuple[int, str]] = ()) -> list[Notification]:
    """Write `notice` for each user and each (organisation id, role) pair; duplicates are dropped."""
    return send_many([(notice, users, organisations)])


def send_many(batch: Iterable[tuple[Notice, Iterable, Iterable[tuple[int, str]]]]) -> list[Notification]:
    """Write many notices in one database round trip (the bulk pay-run path sends thousands at once)."""
    rows: list[Notification] = []
    for notice, users, organisations in batch:
        subject_type, subject_id = _subject(notice)
        common = {"category": str(notice.category), "kind": notice.kind, "message": notice.message,
                  "params": {k: str(v) for k, v in notice.params.items()}
                  | ({TRANSLATED: ",".join(notice.translated)} if notice.translated else {}), "link": notice.link,
                  "subject_type": subject_type, "subject_id": subject_id, "programme_ref": notice.programme_id}
        seen_users: set[int] = set()
        for user in users:
            if user is None:
                continue
            uid = user if isinstance(user, int) else user.pk
            if uid in seen_users:
                continue
            seen_users.add(uid)
            rows.append(Notification(user_id=uid, **common))
        for org_id, role in dict.fromkeys(organisations):
            if org_id is None or not role:
                continue
            rows.append(Notification(organisation_ref=org_id, role=str(role), **common))
    return Notification.objects.bulk_create(rows, batch_size=2000)


def mark_read(*, actor, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the actor's own notifications read (all of them when no ids are given); returns how many changed."""
    from django.utils import timezone

    qs = Notification.objects.filter(user=actor, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
