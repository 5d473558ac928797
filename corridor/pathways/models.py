"""Pathways to a longer-term status, skills certificates and reintegration referrals (docs/pathways.md)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from corridor.core.access import Category, RestrictedManager, RestrictedQuerySet


class PathwaysQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        from corridor.pathways.selectors import visibility_q

        q = visibility_q(self.model, user, action)
        return self.none() if q is None else self.filter(q)


class PathwayStatus(models.Model):
    """A worker's progress towards one programme's pathway, as last computed (`services.refresh`). Eligibility is not
    wage data: the immigration authority of the destination may see it, since granting the status is its business."""

    data_category = Category.WORKER_IDENTITY

    worker = models.ForeignKey("workers.Worker", on_delete=models.CASCADE, related_name="pathway_statuses")
    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="+")
    rule_version = models.ForeignKey("programmes.RuleVersion", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    target_status = models.CharField(_("status the pathway leads to"), max_length=200, blank=True)
    seasons = models.PositiveIntegerField(_("seasons completed"), default=0)
    seasons_required = models.PositiveIntegerField(null=True, blank=True)
    months = models.PositiveIntegerField(_("months at destination"), default=0)
    months_required = models.PositiveIntegerField(null=True, blank=True)
    eligible = models.BooleanField(_("eligible"), default=False)
    near = models.BooleanField(_("nearly eligible"), default=False)
    eligible_since = models.DateField(_("eligible since"), null=True, blank=True)
    eligible_on = models.DateField(_("eligible on, if the current stay goes on"), null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField()

    objects = RestrictedManager.from_queryset(PathwaysQuerySet)()

    class Meta:
        ordering = ["programme_id", "-eligible", "-near", "worker__family_names", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "programme"], name="pathway_status_once"),
            models.CheckConstraint(condition=Q(eligible=False) | Q(eligible_since__isnull=False),
                                   name="pathway_eligible_has_date"),
            models.CheckConstraint(condition=Q(eligible=False) | Q(near=False), name="pathway_eligible_not_near"),
        ]

    def __str__(self) -> str:
        return f"pathway {self.worker_id}/{self.programme_id}"


class CertificateStatus(models.TextChoices):
    ATTESTED = "attested", _("Attested by the employer")
    ISSUED = "issued", _("Issued")
    REVOKED = "revoked", _("Revoked")


LOCKED = (CertificateStatus.ISSUED, CertificateStatus.REVOKED)


class HoursSource(models.TextChoices):
    PAYSLIPS = "payslips", _("Sum of the payslips' hours")
    DECLARED = "declared", _("Declared by the employer")


class SkillsCertificate(models.Model):
    """What a worker did in one season, attested by the employer and issued by the origin authority or the destination
    ministry (GB.346 para 34; Madrid para 33). Once issued, `content` is locked under `content_hash` and the
    `verification_code` checks it publicly; a revoked certificate says so when checked."""

    data_category = Category.WORKER_IDENTITY

    worker = models.ForeignKey("workers.Worker", on_delete=models.PROTECT, related_name="skills_certificates")
    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="+")
    journey = models.ForeignKey("deployment.Journey", on_delete=models.PROTECT, related_name="skills_certificates")
    status = models.CharField(_("status"), max_length=10, choices=CertificateStatus.choices,
                              default=CertificateStatus.ATTESTED)
    employer_name = models.CharField(_("employer"), max_length=200)
    isco_code = models.CharField(_("occupation (ISCO-08)"), max_length=4)
    esco_uri = models.CharField(_("occupation (ESCO)"), max_length=200, blank=True)
    occupation = models.CharField(_("occupation"), max_length=200)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    hours_worked = models.DecimalField(_("hours worked"), max_digits=7, decimal_places=1)
    hours_source = models.CharField(_("hours counted from"), max_length=10, choices=HoursSource.choices)
    tasks = models.TextField(_("tasks and skills"))
    worker_language = models.CharField(max_length=8, default="en")
    attested_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    attested_at = models.DateTimeField()
    issued_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    issuer_name = models.CharField(_("issued by"), max_length=200, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    content = models.JSONField(null=True, blank=True, help_text="What the certificate says, locked at issue.")
    content_hash = models.CharField(max_length=64, blank=True)
    verification_code = models.CharField(max_length=20, null=True, blank=True, unique=True)
    revoked_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(_("reason for revoking"), blank=True)

    objects = RestrictedManager.from_queryset(PathwaysQuerySet)()

    class Meta:
        ordering = ["-end_date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CertificateStatus.values), name="certificate_status_valid"),
            models.CheckConstraint(condition=Q(hours_source__in=HoursSource.values), name="certificate_hours_source"),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="certificate_dates_ordered"),
            models.CheckConstraint(condition=Q(hours_worked__gte=0), name="certificate_hours_not_negative"),
            models.CheckConstraint(condition=Q(isco_code__regex=r"^[0-9]{1,4}$"), name="certificate_isco_digits"),
            models.CheckConstraint(
                condition=Q(status=CertificateStatus.ATTESTED)
                | (Q(content__isnull=False) & ~Q(content_hash="") & Q(verification_code__isnull=False)
                   & Q(issued_at__isnull=False)),
                name="certificate_issued_is_locked"),
            models.CheckConstraint(
                condition=~Q(status=CertificateStatus.REVOKED) | (Q(revoked_at__isnull=False)
                                                                  & ~Q(revocation_reason="")),
                name="certificate_revoked_with_reason"),
            models.UniqueConstraint(fields=["journey"], condition=~Q(status=CertificateStatus.REVOKED),
                                    name="certificate_one_per_journey"),
        ]

    def __str__(self) -> str:
        return f"skills certificate {self.verification_code or self.pk}"


class ReferralKind(models.TextChoices):
    JOB_PLACEMENT = "job_placement", _("Job placement")
    TRAINING = "training", _("Training or recognition of skills")
    BUSINESS = "business", _("Business start-up or micro-credit")
    FINANCIAL_LITERACY = "financial_literacy", _("Financial literacy")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    OTHER = "other", _("Other")


class ReferralOutcome(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")


class Referral(models.Model):
    """The origin authority refers a returned worker, who consents, to a reintegration service (Madrid para 33;
    GB.346 para 35)."""

    data_category = Category.WORKER_IDENTITY

    worker = models.ForeignKey("workers.Worker", on_delete=models.CASCADE, related_name="reintegration_referrals")
    journey = models.ForeignKey("deployment.Journey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("service"), max_length=20, choices=ReferralKind.choices)
    provider = models.CharField(_("provider"), max_length=200)
    referred_on = models.DateField(_("referred on"))
    consent = models.BooleanField(_("the worker consents"))
    note = models.TextField(_("note"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=ReferralOutcome.choices,
                               default=ReferralOutcome.IN_PROGRESS)
    outcome_note = models.TextField(_("about the outcome"), blank=True)
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(PathwaysQuerySet)()

    class Meta:
        ordering = ["-referred_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(consent=True), name="referral_needs_consent"),
            models.CheckConstraint(condition=Q(kind__in=ReferralKind.values), name="referral_kind_valid"),
            models.CheckConstraint(condition=Q(outcome__in=ReferralOutcome.values), name="referral_outcome_valid"),
            models.CheckConstraint(condition=Q(outcome=ReferralOutcome.IN_PROGRESS) | Q(outcome_on__isnull=False),
                                   name="referral_outcome_dated"),
        ]

    def __str__(self) -> str:
        return f"referral {self.pk}"
