"""Placements, the programme's contract template, and contract versions locked against substitution."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from corridor.core.access import Category, RestrictedManager, RestrictedQuerySet


class ContractsQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        from corridor.contracts.selectors import visibility_q

        q = visibility_q(self.model, user, action)
        return self.none() if q is None else self.filter(q)


class ContractTemplate(models.Model):
    """What the programme fixes for every contract beyond the job order: the R86 items a job order does not hold."""

    data_category = Category.PROGRAMME

    programme = models.OneToOneField("programmes.Programme", on_delete=models.CASCADE, related_name="contract_template")
    night_rate_percent = models.DecimalField(
        # xgettext:no-python-format
        _("night work rate (% of the ordinary rate)"), max_digits=5, decimal_places=1
    )
    holiday_pay = models.TextField(_("public holidays and paid leave"))
    payment_method = models.CharField(_("how pay is paid"), max_length=300)
    pay_period = models.CharField(_("pay period"), max_length=100)
    allowances = models.TextField(_("bonuses and allowances"))
    food = models.TextField(_("food"))
    renewal = models.TextField(_("renewal"))
    notice_days = models.PositiveIntegerField(_("notice (days)"))
    entry_and_stay = models.TextField(_("conditions of entry and stay"))
    termination = models.TextField(_("grounds for termination"))
    complaints = models.TextField(_("where to complain"))
    destination_language = models.CharField(_("language of the destination"), max_length=8)
    updated_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedManager.from_queryset(ContractsQuerySet)()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(night_rate_percent__gte=100), name="contract_template_night_rate_min"),
        ]

    def __str__(self) -> str:
        return f"contract template of {self.programme_id}"


class PlacementStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed by the worker and the employer")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


LIVE_PLACEMENT = [PlacementStatus.PROPOSED, PlacementStatus.CONFIRMED]


class Placement(models.Model):
    """A worker placed at a job order by a published selection run (or an employer's pick from a shortlist)."""

    data_category = Category.WORKER_IDENTITY

    worker = models.ForeignKey("workers.Worker", on_delete=models.PROTECT, related_name="placements")
    job_order = models.ForeignKey("joborders.JobOrder", on_delete=models.PROTECT, related_name="placements")
    outcome = models.OneToOneField("selection.Outcome", null=True, blank=True, on_delete=models.PROTECT, related_name="placement")
    status = models.CharField(_("status"), max_length=10, choices=PlacementStatus.choices, default=PlacementStatus.PROPOSED)
    worker_confirmed_at = models.DateTimeField(null=True, blank=True)
    employer_confirmed_at = models.DateTimeField(null=True, blank=True)
    employer_confirmed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(ContractsQuerySet)()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PlacementStatus.values), name="placement_status_valid"),
            models.UniqueConstraint(fields=["worker", "job_order"], condition=Q(status__in=LIVE_PLACEMENT),
                                    name="placement_live_once"),
            models.CheckConstraint(
                condition=~Q(status=PlacementStatus.CONFIRMED)
                | Q(worker_confirmed_at__isnull=False, employer_confirmed_at__isnull=False),
                name="placement_confirmed_by_both",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[PlacementStatus.DECLINED, PlacementStatus.CANCELLED]) | ~Q(reason=""),
                name="placement_ended_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"placement {self.pk}"


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed by the employer")
    ISSUED = "issued", _("Approved and delivered to the worker")
    ACCEPTED = "accepted", _("Accepted by the worker")
    REJECTED = "rejected", _("Not accepted by the worker")
    SUPERSEDED = "superseded", _("Replaced by an amendment")
    REVOKED = "revoked", _("Revoked")


LOCKED = [ContractStatus.ISSUED, ContractStatus.ACCEPTED, ContractStatus.REJECTED, ContractStatus.SUPERSEDED,
          ContractStatus.REVOKED]


class Contract(models.Model):
    """One version of a placement's contract. From approval on, its content, hash and code never change (a database
    trigger refuses it); an amendment is a new version."""

    data_category = Category.WORKER_IDENTITY

    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="contracts")
    version = models.PositiveIntegerField()
    status = models.CharField(_("status"), max_length=12, choices=ContractStatus.choices, default=ContractStatus.DRAFT)
    content = models.JSONField()
    content_hash = models.CharField(max_length=64, blank=True)
    verification_code = models.CharField(max_length=16, unique=True, null=True, blank=True)
    worker_language = models.CharField(max_length=8)
    destination_language = models.CharField(max_length=8)
    changes = models.JSONField(default=list, blank=True, help_text="What this version changes against the one before.")
    reason = models.TextField(_("reason for the amendment"), blank=True)
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by")
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    signed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    locked_at = models.DateTimeField(_("approved, locked and delivered"), null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_via = models.CharField(max_length=10, blank=True)
    answer_note = models.TextField(blank=True)
    revoked_reason = models.TextField(blank=True)

    objects = RestrictedManager.from_queryset(ContractsQuerySet)()

    class Meta:
        ordering = ["placement_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "version"], name="contract_version_once"),
            models.CheckConstraint(condition=Q(version__gte=1), name="contract_version_positive"),
            models.CheckConstraint(condition=Q(status__in=ContractStatus.values), name="contract_status_valid"),
            models.CheckConstraint(
                condition=~Q(status__in=LOCKED)
                | (Q(locked_at__isnull=False, verification_code__isnull=False) & Q(content_hash__regex=r"^[0-9a-f]{64}$")),
                name="contract_locked_has_hash_and_code",
            ),
            models.CheckConstraint(condition=~Q(status__in=[ContractStatus.SIGNED, *LOCKED]) | Q(signed_at__isnull=False),
                                   name="contract_signed_dated"),
            models.CheckConstraint(
                condition=~Q(status__in=[ContractStatus.ACCEPTED, ContractStatus.REJECTED]) | Q(answered_at__isnull=False),
                name="contract_answer_dated",
            ),
            # At most one version in force (issued or accepted) per placement.
            models.UniqueConstraint(fields=["placement"], condition=Q(status=ContractStatus.ACCEPTED),
                                    name="contract_one_accepted"),
        ]

    def __str__(self) -> str:
        return f"contract {self.placement_id} v{self.version}"
