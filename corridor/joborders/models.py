"""Job orders (GB.346 para 14, 17, 20; Madrid para 13, 20, 24), the labour-market test behind them and the quotas
their approvals draw on.

A job order is an employer's request for workers under one programme. Its life: draft -> submitted -> reviewed ->
approved (waiting for the origin authorities where the programme has an agreement with them) -> open -> partly
filled / filled -> closed, or returned to the employer with reasons, or cancelled. Who sees which job order is decided
in `JobOrderQuerySet.visible_to`; the open ones are public on the vacancy board (action "board").
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from corridor.core.access import (
    Category,
    RestrictedManager,
    RestrictedQuerySet,
    Role,
    organisation_of,
    roles_of,
)
from corridor.employers.models import MINISTRY_ROLES


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Reviewed")
    RETURNED = "returned", _("Returned to the employer")
    APPROVED = "approved", _("Approved, awaiting origin verification")
    OPEN = "open", _("Open for selection")
    PARTLY_FILLED = "partly_filled", _("Partly filled")
    FILLED = "filled", _("Filled")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


EDITABLE = frozenset({Status.DRAFT, Status.RETURNED})
UNDER_REVIEW = frozenset({Status.SUBMITTED, Status.REVIEWED})
ON_BOARD = frozenset({Status.OPEN, Status.PARTLY_FILLED})
HOLDS_QUOTA = frozenset({Status.APPROVED, Status.OPEN, Status.PARTLY_FILLED, Status.FILLED})
FINAL = frozenset({Status.CLOSED, Status.CANCELLED})
VISIBLE_TO_ORIGIN = frozenset({Status.APPROVED, Status.OPEN, Status.PARTLY_FILLED, Status.FILLED, Status.CLOSED})


class WageUnit(models.TextChoices):
    HOUR = "hour", _("per hour")
    DAY = "day", _("per day")
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")



def job_order_filter(user, action: str, prefix: str = "") -> models.Q | None:
    """The job orders (reached through `prefix`) that `user` may `action`; None means none.

    Everyone: open and partly filled orders on the board. Employers: their own, to view and change. Destination
    ministries: every order of their country's programmes once submitted. Labour inspectors: orders at worksites of
    their country once submitted. Origin authorities: orders open to their country, of programmes where they are the
    competent authority, from approval on.
    """
    p = prefix
    if action == "board":
        return models.Q(**{f"{p}status__in": list(ON_BOARD)})
    roles = roles_of(user)
    if Role.PLATFORM_ADMIN in roles:
        return models.Q()
    org = organisation_of(user)
    if org is None:
        return None
    q = None

    def add(extra):
        nonlocal q
        q = extra if q is None else q | extra

    if Role.EMPLOYER in roles:
        add(models.Q(**{f"{p}employer__organisation_id": org.pk}))
    if action != "view":
        return q
    not_draft = ~models.Q(**{f"{p}status": Status.DRAFT})
    if roles & MINISTRY_ROLES and org.kind == "destination_ministry":
        add(models.Q(**{f"{p}programme__destination_country": org.country}) & not_draft)
    if Role.LABOUR_INSPECTOR in roles:
        add(models.Q(**{f"{p}worksite__country": org.country}) & not_draft)
    if Role.ORIGIN_OFFICER in roles:
        add(
            models.Q(
                **{
                    f"{p}programme__corridors__competent_authority_id": org.pk,
                    f"{p}programme__corridors__origin_country": org.country,
                    f"{p}origins_index__contains": f",{org.country},",
                    f"{p}status__in": list(VISIBLE_TO_ORIGIN),
                }
            )
        )
    return q


class JobOrderQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        q = job_order_filter(user, action)
        return self.none() if q is None else self.filter(q).distinct()


class JobOrder(models.Model):
    data_category = Category.ORGANISATION

    reference = models.CharField(_("reference"), max_length=40, unique=True, null=True, blank=True)
    employer = models.ForeignKey("employers.EmployerProfile", on_delete=models.PROTECT, related_name="job_orders")
    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="job_orders")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(_("job title"), max_length=200)
    origin_countries = models.JSONField(_("accepted origin countries"), default=list)
    origins_index = models.CharField(max_length=200, default=",", editable=False, help_text="',MX,JM,' for filtering.")
    isco_code = models.CharField(_("occupation (ISCO-08)"), max_length=4)
    esco_uri = models.CharField(_("occupation (ESCO)"), max_length=200, blank=True)
    national_classification = models.CharField(_("national classification"), max_length=40, blank=True)
    national_code = models.CharField(_("national occupation code"), max_length=40, blank=True)
    sector = models.CharField(_("sector (ISIC Rev.4 section)"), max_length=1)
    positions = models.PositiveIntegerField(_("positions"))
    positions_filled = models.PositiveIntegerField(_("positions filled"), default=0)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    worksite = models.ForeignKey("employers.Worksite", on_delete=models.PROTECT, related_name="job_orders")
    wage_amount = models.DecimalField(_("wage"), max_digits=12, decimal_places=2)
    wage_currency = models.CharField(_("currency"), max_length=3)
    wage_unit = models.CharField(_("wage unit"), max_length=10, choices=WageUnit.choices)
    hours_per_week = models.DecimalField(_("guaranteed hours per week"), max_digits=5, decimal_places=2)
    overtime_rate_percent = models.DecimalField(
        # xgettext:no-python-format
        _("overtime rate (% of the ordinary rate)"), max_digits=5, decimal_places=1, default=150
    )
    deductions = models.JSONField(_("planned deductions"), default=list, help_text="[{type, amount per month}]")
    housing = models.ForeignKey(
        "employers.HousingUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="job_orders",
        verbose_name=_("housing unit"),
    )
    outbound_travel_worker_percent = models.DecimalField(
        _("share of outbound travel paid by the worker (%)"), max_digits=5, decimal_places=1, default=0
    )
    return_travel_worker_percent = models.DecimalField(
        _("share of return travel paid by the worker (%)"), max_digits=5, decimal_places=1, default=0
    )
    named_workers = models.JSONField(_("named returning workers"), default=list, blank=True)
    language = models.CharField(_("required language"), max_length=3, blank=True)
    language_level = models.CharField(_("required language level"), max_length=40, blank=True)
    min_experience_months = models.PositiveIntegerField(_("experience required (months)"), default=0)
    description = models.TextField(_("description"), blank=True)
    description_language = models.CharField(_("language of the description"), max_length=3, default="en")
    translations = models.JSONField(_("translated descriptions"), default=dict, blank=True)
    open_to_transfers = models.BooleanField(_("open to workers changing employer"), default=False)
    # The review trail.
    rule_version = models.ForeignKey("programmes.RuleVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    check_report = models.JSONField(default=list, blank=True)
    submitted_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    approved_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_note = models.TextField(_("approval note"), blank=True)
    four_eyes = models.BooleanField(default=False, help_text="Whether the approver had to differ from the reviewer.")
    returned_reasons = models.JSONField(default=list, blank=True)
    cancel_reason = models.TextField(blank=True)
    quota_year = models.PositiveIntegerField(null=True, blank=True)
    quota_held = models.PositiveIntegerField(default=0, help_text="Positions reserved in the quota counters.")
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedManager.from_queryset(JobOrderQuerySet)()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["programme", "status"]),
            models.Index(fields=["status", "start_date"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="job_order_status_valid"),
            models.CheckConstraint(condition=models.Q(positions__gte=1), name="job_order_positions_positive"),
            models.CheckConstraint(
                condition=models.Q(positions_filled__lte=models.F("positions")), name="job_order_filled_within_positions"
            ),
            models.CheckConstraint(condition=models.Q(end_date__gt=models.F("start_date")), name="job_order_dates_ordered"),
            models.CheckConstraint(condition=models.Q(wage_amount__gt=0), name="job_order_wage_positive"),
            models.CheckConstraint(condition=models.Q(hours_per_week__gt=0), name="job_order_hours_positive"),
            models.CheckConstraint(condition=models.Q(wage_unit__in=WageUnit.values), name="job_order_wage_unit_valid"),
            models.CheckConstraint(condition=models.Q(wage_currency__regex=r"^[A-Z]{3}$"), name="job_order_currency_iso"),
            models.CheckConstraint(condition=models.Q(isco_code__regex=r"^[0-9]{1,4}$"), name="job_order_isco_digits"),
            models.CheckConstraint(
                condition=models.Q(outbound_travel_worker_percent__gte=0, outbound_travel_worker_percent__lte=100)
                & models.Q(return_travel_worker_percent__gte=0, return_travel_worker_percent__lte=100),
                name="job_order_travel_share_percent",
            ),
            # Four eyes: where the programme asks for it, the approver is never the reviewer (nor the submitter).
            models.CheckConstraint(
                condition=~models.Q(four_eyes=True, approved_by=models.F("reviewed_by")),
                name="job_order_four_eyes",
            ),
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True) | ~models.Q(approved_by=models.F("submitted_by")),
                name="job_order_approver_not_submitter",
            ),
            models.CheckConstraint(condition=models.Q(quota_held__lte=models.F("positions")), name="job_order_quota_within_positions"),
        ]

    def __str__(self) -> str:
        return f"{self.reference or _('draft')}: {self.title}"

    @property
    def positions_open(self) -> int:
        return self.positions - self.positions_filled

    def description_in(self, language: str) -> tuple[str, str]:
        """(text, language) of the description in `language` where translated, else the original."""
        base = (language or "").split("-")[0].lower()
        if base and base in (self.translations or {}):
            return self.translations[base], base
        return self.description, self.description_language


class AdvertQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        q = job_order_filter(user, action, "job_order__")
        if action == "board" or q is None:
            return self.none()
        return self.filter(q).distinct()


class LabourMarketAdvert(models.Model):
    """Evidence of the labour-market test: where and when the vacancy was advertised locally, and to what effect."""

    data_category = Category.ORGANISATION

    job_order = models.ForeignKey(JobOrder, on_delete=models.CASCADE, related_name="adverts")
    channel = models.CharField(_("where it was advertised"), max_length=200)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    local_applicants = models.PositiveIntegerField(_("local applicants"), default=0)
    local_hires = models.PositiveIntegerField(_("local hires"), default=0)
    url = models.URLField(_("link to the advert"), blank=True)

    objects = RestrictedManager.from_queryset(AdvertQuerySet)()

    class Meta:
        ordering = ["start_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="advert_dates_ordered"),
            models.CheckConstraint(
                condition=models.Q(local_hires__lte=models.F("local_applicants")), name="advert_hires_within_applicants"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} ({self.start_date} to {self.end_date})"


class VerificationQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        q = job_order_filter(user, "view" if action == "view" else action, "job_order__")
        return self.none() if q is None or action == "board" else self.filter(q).distinct()


class OriginVerification(models.Model):
    """An origin authority's verification of an approved job order for workers of its country."""

    data_category = Category.ORGANISATION

    job_order = models.ForeignKey(JobOrder, on_delete=models.CASCADE, related_name="verifications")
    origin_country = models.CharField(max_length=2)
    authority = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    verified_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    objects = RestrictedManager.from_queryset(VerificationQuerySet)()

    class Meta:
        ordering = ["verified_at"]
        constraints = [
            models.UniqueConstraint(fields=["job_order", "origin_country"], name="verification_one_per_origin"),
        ]

    def __str__(self) -> str:
        return f"{self.job_order_id} verified for {self.origin_country}"


class QuotaQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        """Quota use is programme-level aggregate data: officials of the programme's countries and social partners."""
        if action != "view":
            return self.none()
        roles = roles_of(user)
        if Role.PLATFORM_ADMIN in roles:
            return self
        org = organisation_of(user)
        if org is None:
            return self.none()
        if roles & (MINISTRY_ROLES | {Role.UNION, Role.EMPLOYERS_ORG, Role.LABOUR_INSPECTOR, Role.RESEARCHER}):
            return self.filter(programme__destination_country=org.country)
        if Role.ORIGIN_OFFICER in roles:
            return self.filter(programme__corridors__competent_authority_id=org.pk).distinct()
        return self.none()


class QuotaScope(models.TextChoices):
    PROGRAMME = "programme", _("Whole programme")
    ORIGIN = "origin", _("Origin country")
    SECTOR = "sector", _("Sector")


class QuotaCounter(models.Model):
    """Positions approved against one quota of a programme in a year. `used` never exceeds `limit` (a database
    constraint); approvals lock the counters they draw on, so parallel approvals cannot overshoot."""

    data_category = Category.PROGRAMME

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="quota_counters")
    year = models.PositiveIntegerField()
    scope = models.CharField(max_length=10, choices=QuotaScope.choices)
    key = models.CharField(max_length=2, blank=True, help_text="Origin country or ISIC section; empty for the programme.")
    limit = models.PositiveIntegerField()
    used = models.PositiveIntegerField(default=0)

    objects = RestrictedManager.from_queryset(QuotaQuerySet)()

    class Meta:
        ordering = ["programme_id", "year", "scope", "key"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "year", "scope", "key"], name="quota_counter_unique"),
            models.CheckConstraint(condition=models.Q(used__lte=models.F("limit")), name="quota_never_exceeded"),
            models.CheckConstraint(condition=models.Q(scope__in=QuotaScope.values), name="quota_scope_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.year} {self.scope} {self.key}: {self.used}/{self.limit}"

    @property
    def remaining(self) -> int:
        return self.limit - self.used
