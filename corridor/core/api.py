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
