"""The audit trail: one append-only event for every state change, with who, what, when, before, after, why."""

from django.conf import settings
from django.db import models

from corridor.core.access import (
    FIREWALLED_FROM_IMMIGRATION,
    OFFICIAL_ROLES,
    Category,
    RestrictedManager,
    RestrictedQuerySet,
    Role,
    is_firewalled,
    roles_of,
)


class AuditEventQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        if action != "view" or not getattr(user, "is_authenticated", False):
            return self.none()
        roles = roles_of(user)
        if Role.PLATFORM_ADMIN in roles:
            return self
        own = models.Q(actor=user)
        if roles & OFFICIAL_ROLES:
            # Officials see the history of the programmes they work on and of their own organisation.
            own |= models.Q(programme_ref__in=user.programme_ids())
            if user.organisation_id:
                own |= models.Q(organisation_ref=user.organisation_id)
        return self.filter(own)

    def restrict(self, user, action: str = "view"):
        qs = super().restrict(user, action)
        # The firewall also covers the history of labour-protection data.
        blocked = [c for c in FIREWALLED_FROM_IMMIGRATION if is_firewalled(user, c)]
        return qs.exclude(subject_category__in=blocked) if blocked else qs

    def delete(self):
        raise PermissionError("Audit events are append-only.")

    def update(self, **kwargs):
        raise PermissionError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One state change. Rows are never updated or deleted (database triggers refuse it)."""

    data_category = Category.AUDIT

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=200, help_text="Who acted, as shown at the time (kept if renamed).")
    via = models.CharField(max_length=20, default="web", help_text="web, api, token, command or system.")
    action = models.CharField(max_length=100, db_index=True)
    subject_type = models.CharField(max_length=100)
    subject_id = models.CharField(max_length=64)
    subject_label = models.CharField(max_length=300, blank=True)
    subject_category = models.CharField(max_length=40)
    programme_ref = models.BigIntegerField(null=True, blank=True, db_index=True)
    organisation_ref = models.BigIntegerField(null=True, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    rule_version_ref = models.BigIntegerField(null=True, blank=True, help_text="Rule version a decision used.")

    objects = RestrictedManager.from_queryset(AuditEventQuerySet)()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]
        constraints = [
            models.CheckConstraint(condition=~models.Q(action=""), name="audit_action_not_empty"),
            models.CheckConstraint(condition=~models.Q(subject_type=""), name="audit_subject_type_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.subject_label}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")


TRANSLATED = "__translated"


class NotificationQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        mine = models.Q(user=user)
        if user.organisation_id:
            roles = roles_of(user)
            mine |= models.Q(user__isnull=True, organisation_ref=user.organisation_id, role__in=list(roles))
        return self.filter(mine)

    def restrict(self, user, action: str = "view"):
        qs = self.visible_to(user, action)
        blocked = [c for c in FIREWALLED_FROM_IMMIGRATION if is_firewalled(user, c)]
        return qs.exclude(category__in=blocked) if blocked else qs


class Notification(models.Model):
    """A message to one person (`user`) or to the holders of one role in one organisation. The text is stored as
    an English message with named parameters and translated when it is read, so each reader gets it in their own
    language."""

    data_category = Category.ACCOUNT

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="notifications")
    organisation_ref = models.BigIntegerField(null=True, blank=True, db_index=True)
    role = models.CharField(max_length=40, blank=True)
    programme_ref = models.BigIntegerField(null=True, blank=True)
    category = models.CharField(max_length=40, help_text="The data category of what the message is about.")
    kind = models.CharField(max_length=60)
    message = models.TextField()
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True)
    subject_type = models.CharField(max_length=100, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedManager.from_queryset(NotificationQuerySet)()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["organisation_ref", "role"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | (models.Q(organisation_ref__isnull=False) & ~models.Q(role="")),
                name="notification_has_recipient",
            ),
            models.CheckConstraint(condition=~models.Q(message=""), name="notification_message_not_empty"),
        ]

    def __str__(self) -> str:
        return f"notification {self.pk} ({self.kind})"

    @property
    def text(self) -> str:
        """The message in the active language, with its parameters."""
        from django.utils.translation import gettext

        params = dict(self.params or {})
        for name in filter(None, params.pop(TRANSLATED, "").split(",")):
            if name in params:
                params[name] = gettext(params[name])
        try:
            return gettext(self.message) % params if params else gettext(self.message)
        except (KeyError, ValueError, TypeError):
            return self.message
