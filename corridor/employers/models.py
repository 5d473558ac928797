"""Employers, their worksites, their approval per programme (GB.346 para 17, 20) and the housing they offer (para 33).

Who sees what is decided in each queryset's `visible_to`; inspections are labour-inspection data and sit behind
the immigration firewall.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from corridor.core.access import Category, RestrictedManager, RestrictedQuerySet, Role, roles_of

MINISTRY_ROLES = frozenset({Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER})


def _org_country(user) -> str | None:
    org = getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None
    return org.country if org is not None else None


def _own_org(user) -> int | None:
    if not getattr(user, "is_authenticated", False) or Role.EMPLOYER not in roles_of(user):
        return None
    return user.organisation_id


def employer_filter(user, action: str, prefix: str = "") -> models.Q | None:
    """The rows (reached through `prefix` to an EmployerProfile) that `user` may `action`; None means none.

    Employers: their own organisation, to view and change. Destination ministries: employers that applied to a
    programme of their country. Labour inspectors: employers in their country. Everyone else: nothing.
    """
    roles = roles_of(user)
    if Role.PLATFORM_ADMIN in roles:
        return models.Q()
    q = None
    own = _own_org(user)
    if own:
        q = models.Q(**{f"{prefix}organisation_id": own})
    if action != "view":
        return q
    country = _org_country(user)
    if country and roles & MINISTRY_ROLES:
        q2 = models.Q(**{f"{prefix}approvals__programme__destination_country": country})
        q = q2 if q is None else q | q2
    if country and Role.LABOUR_INSPECTOR in roles:
        q2 = models.Q(**{f"{prefix}organisation__country": country})
        q = q2 if q is None else q | q2
    return q


def _apply(qs, q):
    return qs.none() if q is None else qs.filter(q).distinct()


class EmployerQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        q = employer_filter(user, action)
        country = _org_country(user)
        if action == "view" and country and Role.IMMIGRATION_OFFICER in roles_of(user):
            # Immigration sees who the employer is and whether it is approved, nothing more.
            q2 = models.Q(approvals__programme__destination_country=country)
            q = q2 if q is None else q | q2
        return _apply(self, q)


class EmployerProfile(models.Model):
    """An employer organisation's record on the platform."""

    data_category = Category.ORGANISATION

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="employer_profile", verbose_name=_("organisation")
    )
    business_id = models.CharField(_("business identifier"), max_length=100)
    sectors = models.JSONField(_("sectors (ISIC Rev.4 sections)"), default=list)
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"))
    trusted = models.BooleanField(_("trusted employer"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedManager.from_queryset(EmployerQuerySet)()

    class Meta:
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return self.organisation.name


class WorksiteQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        return _apply(self, employer_filter(user, action, "employer__"))


class Worksite(models.Model):
    data_category = Category.ORGANISATION

    employer = models.ForeignKey(EmployerProfile, on_delete=models.CASCADE, related_name="worksites")
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2)

    objects = RestrictedManager.from_queryset(WorksiteQuerySet)()

    class Meta:
        ordering = ["employer_id", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(country__regex=r"^[A-Z]{2}$"), name="worksite_country_iso2"),
        ]

    def __str__(self) -> str:
        return f"{self.employer}: {self.name}"


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    BANNED = "banned", _("Banned")
    EXPIRED = "expired", _("Expired")


class ApprovalQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        roles = roles_of(user)
        country = _org_country(user)
        if action == "change":
            if Role.PLATFORM_ADMIN in roles:
                return self
            if country and roles & MINISTRY_ROLES and user.organisation.kind == "destination_ministry":
                return self.filter(programme__destination_country=country)
            return self.none()
        q = employer_filter(user, action, "employer__")
        if country and roles & (MINISTRY_ROLES | {Role.IMMIGRATION_OFFICER}):
            q2 = models.Q(programme__destination_country=country)
            q = q2 if q is None else q | q2
        return _apply(self, q)


class EmployerApproval(models.Model):
    """An employer's approval to recruit under one programme, with the vetting behind it."""

    data_category = Category.ORGANISATION

    employer = models.ForeignKey(EmployerProfile, on_delete=models.CASCADE, related_name="approvals")
    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="employer_approvals")
    status = models.CharField(_("status"), max_length=20, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING)
    reason = models.TextField(_("reason"), blank=True)
    valid_from = models.DateField(_("approved from"), null=True, blank=True)
    valid_until = models.DateField(_("approved until"), null=True, blank=True)
    restricted_until = models.DateField(
        _("suspension or ban ends on"), null=True, blank=True, help_text=_("Empty for a ban without end date.")
    )
    documents_checked = models.TextField(_("documents checked"), blank=True)
    finances = models.TextField(_("financial standing"), blank=True)
    compliance_history = models.TextField(_("compliance history"), blank=True)
    reviewer = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    applied_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedManager.from_queryset(ApprovalQuerySet)()

    class Meta:
        ordering = ["programme__code", "employer_id"]
        constraints = [
            models.UniqueConstraint(fields=["employer", "programme"], name="employer_approval_one_per_programme"),
            models.CheckConstraint(condition=models.Q(status__in=ApprovalStatus.values), name="employer_approval_status_valid"),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="employer_approval_dates_ordered",
                violation_error_message="An approval cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employer} in {self.programme.code}: {self.status}"


class HousingStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class HousingQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        return _apply(self, employer_filter(user, action, "worksite__employer__"))


class HousingUnit(models.Model):
    """Housing that an employer offers at a worksite."""

    data_category = Category.ORGANISATION

    worksite = models.ForeignKey(Worksite, on_delete=models.PROTECT, related_name="housing_units")
    address = models.CharField(_("address"), max_length=300)
    rooms = models.PositiveIntegerField(_("bedrooms"))
    beds_per_room = models.JSONField(_("beds in each bedroom"), default=list)
    floor_area_m2 = models.DecimalField(_("floor area (m²)"), max_digits=8, decimal_places=2)
    facilities = models.JSONField(_("facilities"), default=list)
    charge_amount = models.DecimalField(_("charge to the worker per month"), max_digits=10, decimal_places=2, default=0)
    charge_currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=20, choices=HousingStatus.choices, default=HousingStatus.OFFERED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedManager.from_queryset(HousingQuerySet)()

    class Meta:
        ordering = ["worksite_id", "address"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rooms__gte=1), name="housing_rooms_positive"),
            models.CheckConstraint(condition=models.Q(floor_area_m2__gt=0), name="housing_area_positive"),
            models.CheckConstraint(condition=models.Q(charge_amount__gte=0), name="housing_charge_not_negative"),
            models.CheckConstraint(condition=models.Q(charge_currency__regex=r"^[A-Z]{3}$"), name="housing_currency_iso"),
            models.CheckConstraint(condition=models.Q(status__in=HousingStatus.values), name="housing_status_valid"),
        ]

    def __str__(self) -> str:
        return self.address

    @property
    def capacity(self) -> int:
        """The number of beds: the most workers the unit may house."""
        return sum(int(b) for b in self.beds_per_room or [])


class PhotoQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        return _apply(self, employer_filter(user, action, "unit__worksite__employer__"))


class HousingPhoto(models.Model):
    data_category = Category.ORGANISATION

    unit = models.ForeignKey(HousingUnit, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to="housing/")
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(PhotoQuerySet)()

    class Meta:
        ordering = ["unit_id", "uploaded_at"]

    def __str__(self) -> str:
        return f"Photo of {self.unit}"


class InspectionResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    CONDITIONAL = "conditional", _("Pass with conditions")


class InspectionQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        roles = roles_of(user)
        if Role.PLATFORM_ADMIN in roles:
            return self
        if action != "view":
            return self.filter(inspector=user) if Role.LABOUR_INSPECTOR in roles else self.none()
        # Employers read the inspections of their own housing; ministries and inspectors those they may see.
        return _apply(self, employer_filter(user, action, "unit__worksite__employer__"))


class HousingInspection(models.Model):
    """A labour inspector's visit to a housing unit. Labour-protection data: behind the immigration firewall."""

    data_category = Category.INSPECTION

    unit = models.ForeignKey(HousingUnit, on_delete=models.CASCADE, related_name="inspections")
    date = models.DateField(_("date of inspection"))
    result = models.CharField(_("result"), max_length=20, choices=InspectionResult.choices)
    inspector = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(InspectionQuerySet)()

    class Meta:
        ordering = ["unit_id", "-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(result__in=InspectionResult.values), name="housing_inspection_result_valid"),
        ]

    def __str__(self) -> str:
        return f"Inspection of {self.unit} on {self.date}"
