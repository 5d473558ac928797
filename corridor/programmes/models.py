"""Programmes (GB.346 para 9-10), their corridors and their versioned rules (para 11-24)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from corridor.core.access import Category, RestrictedManager, RestrictedQuerySet, Role, roles_of


class InstitutionalDesign(models.TextChoices):
    UNILATERAL = "unilateral", _("Unilateral")
    BILATERAL = "bilateral", _("Bilateral")
    MULTILATERAL = "multilateral", _("Multilateral or regional")


class ProgrammeCategory(models.TextChoices):
    SEASONAL = "seasonal", _("Seasonal")
    CIRCULAR = "circular", _("Circular")
    YOUNG_PROFESSIONALS = "young_professionals", _("Young professionals")
    GENERAL_BLMA = "general_blma", _("General bilateral labour migration agreement")
    POSTED_WORKERS = "posted_workers", _("Posted workers")
    CROSS_BORDER = "cross_border", _("Cross-border")
    WORKING_HOLIDAY = "working_holiday", _("Working holiday")
    INTRA_COMPANY = "intra_company", _("Intra-company transfer")
    OTHER = "other", _("Other")


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


PUBLIC_STATUSES = (ProgrammeStatus.ACTIVE, ProgrammeStatus.SUSPENDED, ProgrammeStatus.CLOSED)


class ProgrammeQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        roles = roles_of(user)
        if Role.PLATFORM_ADMIN in roles:
            return self
        if action == "view":
            # Programmes and their rules are public once active: workers read them before they apply.
            public = models.Q(status__in=PUBLIC_STATUSES)
            if getattr(user, "is_authenticated", False):
                public |= models.Q(pk__in=user.programme_ids())
            return self.filter(public)
        if Role.MINISTRY_ADMIN in roles and getattr(user, "is_authenticated", False):
            return self.filter(pk__in=user.programme_ids(), owner_id=user.organisation_id)
        return self.none()


class Programme(models.Model):
    data_category = Category.PROGRAMME

    code = models.CharField(_("code"), max_length=30, unique=True, help_text=_("Short unique code, e.g. SAG-2027."))
    name = models.CharField(_("name"), max_length=200)
    institutional_design = models.CharField(_("institutional design"), max_length=20, choices=InstitutionalDesign.choices)
    category = models.CharField(_("category"), max_length=30, choices=ProgrammeCategory.choices)
    destination_country = models.CharField(_("destination country"), max_length=2)
    owner = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="programmes_owned",
        verbose_name=_("administering ministry"),
    )
    status = models.CharField(_("status"), max_length=20, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT)
    description = models.TextField(_("description"), blank=True)
    agreement_title = models.CharField(_("legal basis: agreement or law"), max_length=300, blank=True)
    agreement_signed_on = models.DateField(_("signed on"), null=True, blank=True)
    agreement_valid_from = models.DateField(_("valid from"), null=True, blank=True)
    agreement_valid_until = models.DateField(_("valid until"), null=True, blank=True)
    agreement_document = models.FileField(_("agreement document"), upload_to="agreements/", blank=True)
    preset = models.CharField(_("started from preset"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedManager.from_queryset(ProgrammeQuerySet)()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^[A-Z0-9][A-Z0-9-]{1,29}$"), name="programme_code_format"),
            models.CheckConstraint(condition=models.Q(destination_country__regex=r"^[A-Z]{2}$"), name="programme_destination_iso2"),
            models.CheckConstraint(condition=models.Q(institutional_design__in=InstitutionalDesign.values), name="programme_design_valid"),
            models.CheckConstraint(condition=models.Q(category__in=ProgrammeCategory.values), name="programme_category_valid"),
            models.CheckConstraint(condition=models.Q(status__in=ProgrammeStatus.values), name="programme_status_valid"),
            models.CheckConstraint(
                condition=models.Q(agreement_valid_until__isnull=True)
                | models.Q(agreement_valid_from__isnull=True)
                | models.Q(agreement_valid_until__gte=models.F("agreement_valid_from")),
                name="programme_agreement_dates_ordered",
                violation_error_message="The agreement cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"


class CorridorQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        visible = Programme.objects.all().restrict(user, action)
        return self.filter(programme__in=visible)


class ProgrammeCorridor(models.Model):
    """One origin country of a programme, with the authority that is competent for it there."""

    data_category = Category.PROGRAMME

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="corridors")
    origin_country = models.CharField(_("origin country"), max_length=2)
    competent_authority = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="corridors", verbose_name=_("competent authority")
    )
    is_active = models.BooleanField(_("active"), default=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = RestrictedManager.from_queryset(CorridorQuerySet)()

    class Meta:
        ordering = ["programme__code", "origin_country"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "origin_country"], name="corridor_unique_origin_per_programme"),
            models.CheckConstraint(condition=models.Q(origin_country__regex=r"^[A-Z]{2}$"), name="corridor_origin_iso2"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code}: {self.origin_country}"


class RuleVersionQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        visible = Programme.objects.all().restrict(user, action)
        return self.filter(programme__in=visible)

    def effective_on(self, day):
        """The versions in force on `day` (at most one per programme)."""
        return self.filter(effective_from__lte=day).filter(
            models.Q(effective_until__isnull=True) | models.Q(effective_until__gte=day)
        )


class RuleVersion(models.Model):
    """One version of a programme's rules, in force from one date to another. Decisions cite the version."""

    data_category = Category.PROGRAMME

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="rule_versions")
    number = models.PositiveIntegerField()
    effective_from = models.DateField(_("in force from"))
    effective_until = models.DateField(_("in force until"), null=True, blank=True)
    rules = models.JSONField()
    warnings = models.JSONField(default=list, help_text="ILO principles that the rules are stricter than.")
    note = models.TextField(_("what changed and why"), blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(RuleVersionQuerySet)()

    class Meta:
        ordering = ["programme__code", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="rule_version_unique_number"),
            models.UniqueConstraint(fields=["programme", "effective_from"], name="rule_version_unique_start"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="rule_version_number_positive"),
            models.CheckConstraint(
                condition=models.Q(effective_until__isnull=True) | models.Q(effective_until__gte=models.F("effective_from")),
                name="rule_version_dates_ordered",
                violation_error_message="A rule version cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} rules v{self.number}"
