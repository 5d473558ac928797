"""Organisations, users, roles scoped per programme, and API tokens for system-to-system exchange."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.core.access import (
    OFFICIAL_ROLES,
    Category,
    RestrictedManager,
    RestrictedQuerySet,
    Role,
    roles_of,
)
from corridor.core.scope import programme_ids_for


class OrgKind(models.TextChoices):
    DESTINATION_MINISTRY = "destination_ministry", _("Destination labour ministry")
    ORIGIN_AUTHORITY = "origin_authority", _("Origin labour authority")
    IMMIGRATION_AUTHORITY = "immigration_authority", _("Immigration authority")
    LABOUR_INSPECTORATE = "labour_inspectorate", _("Labour inspectorate")
    EMPLOYER = "employer", _("Employer")
    RECRUITMENT_AGENCY = "recruitment_agency", _("Recruitment agency")
    TRADE_UNION = "trade_union", _("Trade union")
    EMPLOYERS_ORGANISATION = "employers_organisation", _("Employers' organisation")
    RESEARCH = "research", _("Research institution")
    PLATFORM = "platform", _("Platform operator")


# The roles a member of each kind of organisation may hold.
ROLES_BY_KIND: dict[str, frozenset[str]] = {
    OrgKind.DESTINATION_MINISTRY: frozenset({Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER}),
    OrgKind.ORIGIN_AUTHORITY: frozenset({Role.ORIGIN_OFFICER}),
    OrgKind.IMMIGRATION_AUTHORITY: frozenset({Role.IMMIGRATION_OFFICER}),
    OrgKind.LABOUR_INSPECTORATE: frozenset({Role.LABOUR_INSPECTOR}),
    OrgKind.EMPLOYER: frozenset({Role.EMPLOYER}),
    OrgKind.RECRUITMENT_AGENCY: frozenset({Role.AGENCY}),
    OrgKind.TRADE_UNION: frozenset({Role.UNION}),
    OrgKind.EMPLOYERS_ORGANISATION: frozenset({Role.EMPLOYERS_ORG}),
    OrgKind.RESEARCH: frozenset({Role.RESEARCHER}),
    OrgKind.PLATFORM: frozenset({Role.PLATFORM_ADMIN}),
}
# Roles held by a person in their own right, without an organisation.
ROLES_WITHOUT_ORGANISATION = frozenset({Role.WORKER})


class OrganisationQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        if action == "view":
            # The directory of organisations taking part in programmes is public information.
            return self
        if Role.PLATFORM_ADMIN in roles_of(user):
            return self
        return self.none()


class Organisation(models.Model):
    data_category = Category.ORGANISATION

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=40, choices=OrgKind.choices)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code."))
    registration_number = models.CharField(_("registration number"), max_length=100, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(OrganisationQuerySet)()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "country", "name"], name="organisation_unique_name_per_kind"),
            models.CheckConstraint(condition=models.Q(kind__in=OrgKind.values), name="organisation_kind_valid"),
            models.CheckConstraint(condition=models.Q(country__regex=r"^[A-Z]{2}$"), name="organisation_country_iso2"),
        ]

    def __str__(self) -> str:
        return self.name


class UserQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if Role.PLATFORM_ADMIN in roles_of(user):
            return self
        if action == "view" and user.organisation_id and user.is_org_admin:
            return self.filter(models.Q(pk=user.pk) | models.Q(organisation_id=user.organisation_id))
        return self.filter(pk=user.pk)


class UserManagerRestricted(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in: an official, an employer's or agency's staff member, a worker, a researcher."""

    data_category = Category.ACCOUNT

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="members", verbose_name=_("organisation")
    )
    language = models.CharField(_("preferred language"), max_length=12, default="en")
    is_org_admin = models.BooleanField(
        _("organisation administrator"), default=False, help_text=_("May manage the organisation's API tokens.")
    )

    objects = UserManagerRestricted()

    def role_set(self) -> frozenset[str]:
        """The roles this user holds in any scope (cached on the instance)."""
        cached = getattr(self, "_corridor_roles", None)
        if cached is None:
            cached = frozenset(self.role_assignments.values_list("role", flat=True))
            if self.is_superuser:
                cached = cached | {Role.PLATFORM_ADMIN}
            self._corridor_roles = cached
        return cached

    def programme_ids(self) -> set[int]:
        """Ids of the programmes this user takes part in (cached on the instance)."""
        cached = getattr(self, "_corridor_programmes", None)
        if cached is None:
            cached = programme_ids_for(self)
            self._corridor_programmes = cached
        return cached

    def forget_cached_access(self) -> None:
        for name in ("_corridor_roles", "_corridor_programmes"):
            self.__dict__.pop(name, None)

    @property
    def needs_second_factor(self) -> bool:
        return bool(self.role_set() & OFFICIAL_ROLES)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def primary_role(self) -> str | None:
        order = [r.value for r in Role]
        roles = sorted(self.role_set(), key=order.index)
        return roles[0] if roles else None


class RoleAssignmentQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if Role.PLATFORM_ADMIN in roles_of(user):
            return self
        return self.filter(user=user) if action == "view" else self.none()


class RoleAssignment(models.Model):
    """A role held by a user, for one programme or (programme empty) for every programme of their organisation."""

    data_category = Category.ACCOUNT

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=40, choices=Role.choices)
    programme = models.ForeignKey(
        "programmes.Programme", null=True, blank=True, on_delete=models.CASCADE, related_name="role_assignments"
    )
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(RoleAssignmentQuerySet)()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="role_assignment_role_valid"),
            models.UniqueConstraint(
                fields=["user", "role"], condition=models.Q(programme__isnull=True), name="role_unique_org_wide"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "programme"],
                condition=models.Q(programme__isnull=False),
                name="role_unique_per_programme",
            ),
        ]

    def __str__(self) -> str:
        scope = self.programme.code if self.programme_id else "all programmes"
        return f"{self.user.username}: {self.role} ({scope})"


SCOPES = {
    "programmes:read": _("Read programmes, corridors and rules"),
    "programmes:write": _("Create and change programmes, corridors and rules"),
    "organisations:read": _("Read the organisation directory"),
    "reference:read": _("Read reference data and occupation search"),
    "reference:write": _("Import occupation crosswalks"),
    "audit:read": _("Read audit history"),
    "employers:read": _("Read employers, worksites and housing"),
    "employers:write": _("Register and vet employers, worksites and housing"),
    "wages:read": _("Read prevailing and minimum wages"),
    "wages:write": _("Import prevailing and minimum wages"),
    "vacancies:read": _("Read vacancy reports and their aggregates"),
    "vacancies:write": _("Report and withdraw vacancies"),
    "joborders:read": _("Read job orders, the review queues and quota use"),
    "joborders:write": _("Draft, submit, review, approve and verify job orders"),
    "selection:read": _("Read selection rounds, runs, outcomes, nominations and appeals (as the acting user may)"),
    "selection:write": _("Open and run selection rounds, rank job orders, nominate, appeal and decide appeals"),
    "costs:read": _("Read the recruitment-cost ledger, refund orders and SDG 10.7.1 figures (as the acting user may)"),
    "costs:write": _("Record recruitment costs and earnings, name debtors, record refunds and deposit draws"),
    "workers:read": _("Read workers' profiles, consents and eligibility (as the acting user may)"),
    "workers:write": _("Register workers, record their documents and verify them"),
    "agencies:read": _("Read agency licences, proceedings, agency-employer links and ratings"),
    "agencies:write": _("Apply for and decide agency licences, take the steps of proceedings, record links, moderate ratings"),
    "contracts:read": _("Read contract templates, placements and contracts (as the acting user may)"),
    "contracts:write": _("Set contract templates, make and confirm placements, generate, sign, approve, answer, amend and revoke contracts"),
    "deployment:read": _("Read journeys, pre-departure checklists, permits and substitution alerts (as the acting user may)"),
    "deployment:write": _("Open journeys, record pre-departure steps, permits, travel, arrival, declared terms, alerts' "
                          "resolution and returns"),
    "payroll:read": _("Read payslips, their findings and disputes (as the acting user may)"),
    "payroll:write": _("Submit payslips (the employer) and dispute them (the worker)"),
    "notifications:read": _("Read the notifications of the acting user and their role in the organisation"),
    "notifications:write": _("Mark notifications read"),
    "mobility:read": _("Read transfer openings and change-of-employer applications (as the acting user may)"),
    "mobility:write": _("Open job orders to transfers, apply to change employer, accept or decline applications"),
    "returns:read": _("Read returns, end-of-stay payouts, season evaluations, overstay and retaliation flags"),
    "returns:write": _("Record returns and payouts, evaluate seasons, review flags"),
    "pathways:read": _("Read pathway progress, skills certificates and reintegration referrals"),
    "pathways:write": _("Issue skills certificates and record reintegration referrals"),
}


class ApiTokenQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if Role.PLATFORM_ADMIN in roles_of(user):
            return self
        if user.organisation_id and user.is_org_admin:
            return self.filter(organisation_id=user.organisation_id)
        return self.none()


class ApiToken(models.Model):
    """A revocable, scoped key with which another system acts for an organisation. Only a hash is stored."""

    data_category = Category.ACCOUNT

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    acting_user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="api_tokens", help_text="The account whose rights the token uses."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedManager.from_queryset(ApiTokenQuerySet)()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name}: {self.name} ({self.prefix})"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
