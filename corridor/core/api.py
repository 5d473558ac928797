"""The audit trail through the API: history of one record, or the events the caller may read."""

from __future__ import annotations

import datetime

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from corridor.core import selectors
from corridor.core.access import Category
from corridor.core.api_auth import ApiAccess
from corridor.core.pagination import Pagination

router = Router(tags=["audit"], auth=ApiAccess(category=Category.AUDIT, scope="audit"))


class AuditEventOut(Schema):
    id: int
    occurred_at: datetime.datetime
    actor: str = Field(..., alias="actor_label")
    via: str
    action: str
    subject_type: str
    subject_id: str
    subject_label: str
    before: dict | None
    after: dict | None
    reason: str
    rule_version_ref: int | None


@router.get("/events", response=list[AuditEventOut], summary="Audit events you may read, newest first")
@paginate(Pagination)
def audit_events(request, subject_type: str = "", subject_id: str = "", action: str = ""):
    qs = selectors.audit_event_list(user=request.auth)
    if subject_type:
        qs = qs.filter(subject_type=subject_type.lower())
    if subject_id:
        qs = qs.filter(subject_id=subject_id)
    if action:
        qs = qs.filter(action__startswith=action)
    return qs


notifications_router = Router(tags=["notifications"], auth=ApiAccess(category=Category.ACCOUNT, scope="notifications"))


class NotificationOut(Schema):
    id: int
    created_at: datetime.datetime
    kind: str = Field(..., description="e.g. payslip.findings, transfer.accepted, return.overdue")
    text: str = Field(..., description="The message in the caller's language (Accept-Language or their preference).")
    link: str
    subject_type: str
    subject_id: str
    personal: bool = Field(..., description="True when addressed to the caller; false when to their role in their organisation.")
    read_at: datetime.datetime | None

    @staticmethod
    def resolve_personal(obj) -> bool:
        return obj.user_id is not None


class ReadIn(Schema):
    ids: list[int] | None = Field(None, description="Notifications to mark read; omitted: all of the caller's.")


@notifications_router.get("", response=list[NotificationOut], summary="Your notifications, newest first")
@paginate(Pagination)
def notifications(request, unread: bool = False, kind: str = ""):
    qs = selectors.notification_list(user=request.auth)
    if unread:
        qs = qs.filter(read_at__isnull=True, user=request.auth)
    if kind:
        qs = qs.filter(kind__startswith=kind)
    return qs


@notifications_router.post("/read", response=dict, summary="Mark your notifications read")
def notifications_read(request, payload: ReadIn):
    from corridor.core import notify

    return {"marked": notify.mark_read(actor=request.auth, notification_ids=payload.ids)}
