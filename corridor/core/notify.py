"""Sending notifications: to a person, or to the holders of a role in an organisation.

Messages are written in English with named parameters and marked with `gettext_noop` at the call site, so that they
are translated when read, into the reader's language. Sending is part of the caller's transaction: a state change
and the notices about it are written together or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

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
    """The subject's type and id: from a model instance, or given as a (type, id) pair by a bulk sender."""
    subject = notice.subject
    if subject is None:
        return "", ""
    if isinstance(subject, tuple):
        return str(subject[0]), str(subject[1])
    return subject._meta.label_lower, str(subject.pk)


def send(notice: Notice, *, users: Iterable = (), organisations: Iterable[tuple[int, str]] = ()) -> int:
    """Write `notice` for each user and each (organisation id, role) pair; duplicates are dropped. Returns how many
    notifications were written."""
    return send_many([(notice, users, organisations)])


COPY_OVER = 1000  # notifications above which `send_many` writes them by COPY on PostgreSQL
COLUMNS = ("user_id", "organisation_ref", "role", "programme_ref", "category", "kind", "message", "params", "link",
           "subject_type", "subject_id")


def send_many(batch: Iterable[tuple[Notice, Iterable, Iterable[tuple[int, str]]]]) -> int:
    """Write many notices at once (a pay run sends thousands): in batches, or by COPY on PostgreSQL above
    COPY_OVER rows. Returns how many notifications were written."""
    rows: list[tuple] = []  # in the order of COLUMNS
    for notice, users, organisations in batch:
        subject_type, subject_id = _subject(notice)
        params = {k: str(v) for k, v in notice.params.items()} | (
            {TRANSLATED: ",".join(notice.translated)} if notice.translated else {})
        common = (notice.programme_id, str(notice.category), notice.kind, notice.message, params, notice.link,
                  subject_type, subject_id)
        seen_users: set[int] = set()
        for user in users:
            if user is None:
                continue
            uid = user if isinstance(user, int) else user.pk
            if uid in seen_users:
                continue
            seen_users.add(uid)
            rows.append((uid, None, "", *common))
        for org_id, role in dict.fromkeys(organisations):
            if org_id is None or not role:
                continue
            rows.append((None, org_id, str(role), *common))
    if connection.vendor == "postgresql" and len(rows) > COPY_OVER:
        _copy(rows)
    else:
        Notification.objects.bulk_create([Notification(**dict(zip(COLUMNS, row, strict=True))) for row in rows], batch_size=2000)
    return len(rows)


def _copy(rows: list[tuple]) -> None:
    """The rows by COPY, without a model instance each: the same rows `bulk_create` writes."""
    now = timezone.now().isoformat()
    dumps = json.dumps

    def text(value) -> str:
        if value is None:
            return "\\N"
        value = dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)
        if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
            value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        return value

    lines = ["\t".join(map(text, row)) + f"\t{now}\t\\N\n" for row in rows]
    table = Notification._meta.db_table
    columns = ", ".join((*COLUMNS, "created_at", "read_at"))
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for start in range(0, len(lines), 5000):
            copy.write("".join(lines[start:start + 5000]))


def mark_read(*, actor, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the actor's own notifications read (all of them when no ids are given); returns how many changed."""
    qs = Notification.objects.filter(user=actor, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
