"""Reading the audit trail, restricted to what the user may see."""

from django.db import models

from corridor.core.access import OFFICIAL_ROLES, Role, roles_of
from corridor.core.errors import Forbidden
from corridor.core.models import AuditEvent

HISTORY_ROLES = OFFICIAL_ROLES - {Role.IMMIGRATION_OFFICER}


def audit_history_for(*, user, subject: models.Model, whole_programme: bool = False) -> models.QuerySet[AuditEvent]:
    """The events about `subject`, newest first, for a user who may see it and read histories.

    With `whole_programme`, `subject` is a programme and the events of everything filed under it are included.
    """
    if not roles_of(user) & HISTORY_ROLES:
        raise Forbidden("Your role cannot read the history of this record.")
    model = type(subject)
    if not model._default_manager.all().restrict(user).filter(pk=subject.pk).exists():
        raise Forbidden("You cannot see this record.")
    about = models.Q(subject_type=model._meta.label_lower, subject_id=str(subject.pk))
    if whole_programme:
        about |= models.Q(programme_ref=subject.pk)
    return AuditEvent.objects.filter(about).restrict(user)


def audit_event_list(*, user) -> models.QuerySet[AuditEvent]:
    """Every audit event the user may read."""
    return AuditEvent.objects.all().restrict(user).select_related("actor")


def notification_list(*, user) -> models.QuerySet:
    """The notifications addressed to the user or to a role they hold in their organisation, newest first."""
    from corridor.core.models import Notification

    return Notification.objects.all().restrict(user)


def unread_count(*, user) -> int:

    if not getattr(user, "is_authenticated", False):
        return 0
    return notification_list(user=user).filter(read_at__isnull=True, user=user).count()
