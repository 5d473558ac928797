"""Writing audit events. Services call `record` inside their transaction, so the event and the change
commit together or not at all."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile

from corridor.core.models import AuditEvent


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_safe(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def snapshot(instance: models.Model, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The concrete field values of `instance`, in a form that JSON can hold."""
    data = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        data[field.attname] = _json_safe(field.value_from_object(instance))
    return data


def diff(before: dict | None, after: dict | None) -> dict[str, tuple[Any, Any]]:
    """The keys whose values differ between two snapshots."""
    before, after = before or {}, after or {}
    return {k: (before.get(k), after.get(k)) for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}


def record(
    *,
    actor,
    action: str,
    subject: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    programme_id: int | None = None,
    organisation_id: int | None = None,
    rule_version_id: int | None = None,
    via: str | None = None,
) -> AuditEvent:
    """Append one audit event about `subject`; `actor` is a user or None for the system."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_label=(actor.get_username() if is_user else "system"),
        via=via or getattr(actor, "_corridor_via", None) or ("web" if is_user else "system"),
        action=action,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        subject_label=str(subject)[:300],
        subject_category=str(getattr(subject, "data_category", "")),
        programme_ref=programme_id,
        organisation_ref=organisation_id,
        before=_json_safe(before) if before is not None else None,
        after=_json_safe(after) if after is not None else None,
        reason=reason or "",
        rule_version_ref=rule_version_id,
    )
