"""Licensed recruitment agencies and the recruitment-cost ledger (fair recruitment principles 3-7; the 2018 ILO
definition of recruitment fees and related costs; Madrid para 20-21; GB.346 para 16; SDG 10.7.1).

An agency acts only under a valid licence for the programmes and origin countries it names; suspension and
revocation follow due process (notice, time to respond, decision, appeal). The cost ledger records what workers and
their families paid, what agencies declared and what inspectors found, and what employers paid; every worker-borne
cost is checked against the programme's fee policy and, when it breaks it, becomes a violation with a refund order.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from corridor.core.access import (
    Category,
    RestrictedManager,
    RestrictedQuerySet,
    Role,
    organisation_of,
    roles_of,
)


class LicenceStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    REFUSED = "refused", _("Refused")


LICENSING_ROLES = frozenset({Role.ORIGIN_OFFICER, Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER})


class LicenceQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        """The public register (action "register") shows every licence that was ever granted; the details (capital,
        deposit, ownership) are for the agency itself and the licensing authority of its country."""
        if action == "register":
            return self.exclude(status__in=[LicenceStatus.APPLIED, LicenceStatus.REFUSED])
        roles = roles_of(user)
        if Role.PLATFORM_ADMIN in roles:
            return self
        org = organisation_of(user)
        if org is None:
            return self.none()
        q = Q(agency_id=org.pk) if Role.AGENCY in roles else None
        if roles & LICENSING_ROLES and org.kind in ("origin_authority", "destination_ministry"):
            q2 = Q(issuing_country=org.country)
            q = q2 if q is None else q | q2
        if action != "view" and q is not None and Role.AGENCY in roles and not roles & LICENSING_ROLES:
            q = Q(agency_id=org.pk, status=LicenceStatus.APPLIED)
        return self.none() if q is None else self.filter(q)


class AgencyLicence(models.Model):
    data_category = Category.ORGANISATION

    agency = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="licences")
    number = models.CharField(_("licence number"), max_length=40, unique=True, null=True, blank=True)
    issuing_country = models.CharField(_("issued by (country)"), max_length=2)
    status = models.CharField(_("status"), max_length=10, choices=LicenceStatus.choices, default=LicenceStatus.APPLIED)
    status_reason = models.TextField(_("reason"), blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    suspended_until = models.DateField(_("suspended until"), null=True, blank=True)
    ownership = models.TextField(_("owners and managers"))
    capital_amount = models.DecimalField(_("paid-up capital"), max_digits=14, decimal_places=2)
    capital_currency = models.CharField(_("currency"), max_length=3)
    deposit_amount = models.DecimalField(_("guarantee deposit or bond"), max_digits=14, decimal_places=2)
    deposit_currency = models.CharField(_("deposit currency"), max_length=3)
    deposit_balance = models.DecimalField(_("deposit balance"), max_digits=14, decimal_places=2, default=0)
    bond_reference = models.CharField(_("bank guarantee or bond reference"), max_length=100, blank=True)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(LicenceQuerySet)()

    class Meta:
        ordering = ["issuing_country", "number", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=LicenceStatus.values), name="licence_status_valid"),
            models.CheckConstraint(condition=Q(capital_amount__gte=0) & Q(deposit_amount__gte=0), name="licence_amounts_positive"),
            models.CheckConstraint(condition=Q(deposit_balance__gte=0), name="licence_deposit_never_negative"),
            models.CheckConstraint(
                condition=Q(status__in=[LicenceStatus.APPLIED, LicenceStatus.REFUSED]) | Q(number__isnull=False, valid_until__isnull=False),
                name="licence_granted_has_number_and_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or _('application')} ({self.agency})"


class ScopeQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        return self.filter(licence__in=AgencyLicence.objects.all().restrict(user, action))


class LicenceScope(models.Model):
    """A programme and an origin country the licence covers: the agency may act only there."""

    data_category = Category.ORGANISATION

    licence = models.ForeignKey(AgencyLicence, on_delete=models.CASCADE, related_name="scopes")
    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="+")
    origin_country = models.CharField(max_length=2)

    objects = RestrictedManager.from_queryset(ScopeQuerySet)()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["licence", "programme", "origin_country"], name="licence_scope_once")]

    def __str__(self) -> str:
        return f"{self.programme_id}/{self.origin_country}"


class ProceedingStage(models.TextChoices):
    NOTICE = "notice", _("Notice given, awaiting the agency's response")
    DECIDED = "decided", _("Decided")
    APPEALED = "appealed", _("Under appeal")
    CLOSED = "closed", _("Closed")


class ProceedingKind(models.TextChoices):
    SUSPENSION = "suspension", _("Suspension")
    REVOCATION = "revocation", _("Revocation")


class ProceedingQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        licences = AgencyLicence.objects.all().restrict(user, action)
        return self.filter(licence__in=licences)


class LicenceProceeding(models.Model):
    """Due process before a licence is suspended or revoked: notice, the agency's response, a decision, an appeal."""

    data_category = Category.ORGANISATION

    licence = models.ForeignKey(AgencyLicence, on_delete=models.CASCADE, related_name="proceedings")
    kind = models.CharField(max_length=12, choices=ProceedingKind.choices)
    stage = models.CharField(max_length=10, choices=ProceedingStage.choices, default=ProceedingStage.NOTICE)
    grounds = models.TextField(_("grounds"))
    notice_at = models.DateTimeField(auto_now_add=True)
    respond_by = models.DateField(_("respond by"))
    response = models.TextField(_("the agency's response"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10, blank=True, help_text="upheld or dismissed")
    decision_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    sanction_until = models.DateField(null=True, blank=True)
    appeal_by = models.DateField(_("appeal by"), null=True, blank=True)
    appeal = models.TextField(_("appeal"), blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    appeal_decision = models.CharField(max_length=10, blank=True, help_text="upheld or overturned")
    appeal_reason = models.TextField(blank=True)
    appeal_decided_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    appeal_decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    licence_before = models.JSONField(
        default=dict, blank=True, help_text="The licence's status, suspension date and reason before an upheld decision, restored if overturned."
    )

    objects = RestrictedManager.from_queryset(ProceedingQuerySet)()

    class Meta:
        ordering = ["-notice_at"]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=ProceedingStage.values), name="proceeding_stage_valid"),
            models.CheckConstraint(condition=Q(kind__in=ProceedingKind.values), name="proceeding_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.licence_id}: {self.stage}"


class LinkQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        roles = roles_of(user)
        if Role.PLATFORM_ADMIN in roles:
            return self
        org = organisation_of(user)
        if org is None:
            return self.none()
        q = Q(pk__in=[])
        if Role.AGENCY in roles:
            q |= Q(agency_id=org.pk)
        if action == "view" and Role.EMPLOYER in roles:
            q |= Q(employer__organisation_id=org.pk)
        if action == "view" and roles & (LICENSING_ROLES | {Role.LABOUR_INSPECTOR}):
            q |= Q(agency__country=org.country) | Q(employer__organisation__country=org.country)
        return self.filter(q)


class AgencyEmployerLink(models.Model):
    """An agency recruits for an employer under a programme: both are jointly liable for what the workers paid."""

    data_category = Category.ORGANISATION

    agency = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="employer_links")
    employer = models.ForeignKey("employers.EmployerProfile", on_delete=models.PROTECT, related_name="agency_links")
    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="+")
    since = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")

    objects = RestrictedManager.from_queryset(LinkQuerySet)()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "employer", "programme"], name="agency_employer_link_once")]

    def __str__(self) -> str:
        return f"{self.agency_id} for {self.employer_id} in {self.programme_id}"


class CostCategory(models.TextChoices):
    """The 2018 ILO definition: recruitment fees, the seven kinds of related costs, and illegitimate costs."""

    RECRUITMENT_FEE = "recruitment_fee", _("Recruitment fee")
    MEDICAL = "medical", _("Medical examination")
    INSURANCE = "insurance", _("Insurance")
    TESTS = "tests", _("Skills, qualification or language tests")
    TRAINING = "training", _("Training and orientation")
    EQUIPMENT = "equipment", _("Equipment (tools, uniforms, safety gear)")
    TRAVEL = "travel", _("Travel and lodging")
    ADMINISTRATIVE = "administrative", _("Administrative (documents, visas, permits)")
    ILLEGITIMATE = "illegitimate", _("Bribe, kickback, deposit or collateral")


class Payer(models.TextChoices):
    WORKER = "worker", _("The worker")
    FAMILY = "family", _("The worker's family")
    EMPLOYER = "employer", _("The employer")
    AGENCY = "agency", _("The agency")


class CostSource(models.TextChoices):
    WORKER = "worker", _("Recorded by the worker")
    AGENCY = "agency", _("Declared by the agency")
    INSPECTOR = "inspector", _("Found by an inspector")
    EMPLOYER = "employer", _("Declared by the employer")


WORKER_BORNE = frozenset({Payer.WORKER, Payer.FAMILY})


class CostQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        """Recruitment-cost data (behind the immigration firewall): the worker; the origin authority of the worker's
        country; labour inspectors of the programme's destination or the worker's origin; the agency and the employer
        named as payee or payer; the destination ministry of the programme."""
        roles = roles_of(user)
        if Role.PLATFORM_ADMIN in roles:
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        q = Q(worker__user_id=user.pk)
        org = organisation_of(user)
        if org is not None and action == "view":
            if Role.ORIGIN_OFFICER in roles:
                q |= Q(worker__nationality=org.country)
            if Role.LABOUR_INSPECTOR in roles:
                q |= Q(programme__destination_country=org.country) | Q(worker__nationality=org.country)
            if roles & {Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER}:
                q |= Q(programme__destination_country=org.country)
            if Role.AGENCY in roles:
                q |= Q(agency_id=org.pk)
            if Role.EMPLOYER in roles:
                q |= Q(employer__organisation_id=org.pk)
        return self.filter(q)


class CostEntry(models.Model):
    data_category = Category.RECRUITMENT_COST

    worker = models.ForeignKey("workers.Worker", on_delete=models.PROTECT, related_name="costs")
    programme = models.ForeignKey("programmes.Programme", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("what it paid for"), max_length=16, choices=CostCategory.choices)
    payer = models.CharField(_("paid by"), max_length=10, choices=Payer.choices)
    agency = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency involved")
    )
    employer = models.ForeignKey(
        "employers.EmployerProfile", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("employer involved")
    )
    paid_to = models.CharField(_("paid to"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    paid_on = models.DateField(_("paid on"))
    source = models.CharField(_("recorded"), max_length=10, choices=CostSource.choices)
    receipt = models.FileField(_("receipt"), upload_to="receipts/", blank=True)
    receipt_type = models.CharField(max_length=40, blank=True)
    note = models.TextField(_("note"), blank=True)
    violation = models.BooleanField(default=False)
    amount_in_violation = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, help_text="The part of the amount that breaks the fee policy (to refund)."
    )
    finding = models.TextField(blank=True, help_text="Why the entry breaks (or meets) the fee policy, citing the principle.")
    rule_version = models.ForeignKey("programmes.RuleVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(CostQuerySet)()

    class Meta:
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="cost_amount_positive"),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="cost_currency_iso"),
            models.CheckConstraint(condition=Q(category__in=CostCategory.values), name="cost_category_valid"),
            models.CheckConstraint(condition=Q(payer__in=Payer.values), name="cost_payer_valid"),
            models.CheckConstraint(condition=Q(source__in=CostSource.values), name="cost_source_valid"),
            # An illegitimate cost borne by a worker is always a violation, whatever anyone types.
            models.CheckConstraint(
                condition=~Q(category=CostCategory.ILLEGITIMATE, payer__in=sorted(WORKER_BORNE), violation=False),
                name="cost_illegitimate_is_violation",
            ),
            models.CheckConstraint(
                condition=Q(amount_in_violation__gte=0, amount_in_violation__lte=models.F("amount")),
                name="cost_violation_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.amount} {self.currency}"

    @property
    def worker_borne(self) -> bool:
        return self.payer in WORKER_BORNE


class RefundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAID = "paid", _("Refunded")
    DRAWN = "drawn", _("Paid from the agency's guarantee deposit")
    CANCELLED = "cancelled", _("Cancelled on appeal")


class RefundQuerySet(CostQuerySet):
    def visible_to(self, user, action: str):
        entries = CostEntry.objects.all().restrict(user, action)
        return self.filter(cost__in=entries)


class RefundOrder(models.Model):
    """What a violation costs the agency and/or the employer: the worker gets the money back by a date."""

    data_category = Category.RECRUITMENT_COST

    cost = models.OneToOneField(CostEntry, on_delete=models.PROTECT, related_name="refund")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    due_on = models.DateField()
    debtor_agency = models.ForeignKey("accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    debtor_employer = models.ForeignKey("employers.EmployerProfile", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=RefundStatus.choices, default=RefundStatus.OPEN)
    amount_recovered = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, help_text="Drawn so far from the agency's guarantee deposit."
    )
    settled_on = models.DateField(null=True, blank=True)
    settled_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(RefundQuerySet)()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=RefundStatus.values), name="refund_status_valid"),
            models.CheckConstraint(
                condition=Q(debtor_agency__isnull=False) | Q(debtor_employer__isnull=False), name="refund_has_debtor"
            ),
            models.CheckConstraint(
                condition=Q(amount_recovered__gte=0, amount_recovered__lte=models.F("amount")), name="refund_recovered_within_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"refund {self.amount} {self.currency} ({self.status})"


class RatingStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    PUBLISHED = "published", _("Counted")
    REJECTED = "rejected", _("Not counted")


class RatingQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        """A rating row is seen by the worker who gave it and by the moderators (origin authority of the agency's
        country); the public sees only aggregates over at least five counted ratings."""
        roles = roles_of(user)
        if Role.PLATFORM_ADMIN in roles:
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        q = Q(worker__user_id=user.pk)
        org = organisation_of(user)
        if org is not None and Role.ORIGIN_OFFICER in roles:
            q |= Q(agency__country=org.country)
        return self.filter(q)


class AgencyRating(models.Model):
    data_category = Category.WORKER_IDENTITY

    worker = models.ForeignKey("workers.Worker", on_delete=models.CASCADE, related_name="agency_ratings")
    agency = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="ratings")
    fees = models.PositiveSmallIntegerField(_("fees: charged nothing"))
    information = models.PositiveSmallIntegerField(_("information given"))
    contract_honesty = models.PositiveSmallIntegerField(_("honesty about the contract"))
    treatment = models.PositiveSmallIntegerField(_("how I was treated"))
    comment = models.TextField(_("comment"), blank=True)
    status = models.CharField(max_length=10, choices=RatingStatus.choices, default=RatingStatus.PENDING)
    moderated_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderation_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedManager.from_queryset(RatingQuerySet)()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "agency"], name="rating_once_per_agency"),
            models.CheckConstraint(
                condition=Q(fees__gte=1, fees__lte=5, information__gte=1, information__lte=5, contract_honesty__gte=1,
                            contract_honesty__lte=5, treatment__gte=1, treatment__lte=5),
                name="rating_scores_1_to_5",
            ),
            models.CheckConstraint(condition=Q(status__in=RatingStatus.values), name="rating_status_valid"),
        ]

    def __str__(self) -> str:
        return f"rating of {self.agency_id} by {self.worker_id}"


class EarningsQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        """Pay data (behind the immigration firewall): the worker; the origin authority of the worker's country; labour
        inspectors of the programme's destination or the worker's origin; the destination ministry of the programme."""
        roles = roles_of(user)
        if Role.PLATFORM_ADMIN in roles:
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        q = Q(worker__user_id=user.pk)
        org = organisation_of(user)
        if org is not None and action == "view":
            if Role.ORIGIN_OFFICER in roles:
                q |= Q(worker__nationality=org.country)
            if Role.LABOUR_INSPECTOR in roles:
                q |= Q(programme__destination_country=org.country) | Q(worker__nationality=org.country)
            if roles & {Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER}:
                q |= Q(programme__destination_country=org.country)
        return self.filter(q)


class FirstEarnings(models.Model):
    """A worker's monthly earnings in the first job at destination under a programme, for SDG indicator 10.7.1
    (recruitment cost borne by the worker as a proportion of monthly earnings at destination). Until payroll exists,
    recorded by the worker, the origin authority or a labour inspector. `rates` converts the worker's costs into the
    earnings currency: {currency: value of one unit in the earnings currency}, as stated by whoever records them."""

    data_category = Category.WAGE

    worker = models.ForeignKey("workers.Worker", on_delete=models.PROTECT, related_name="first_earnings")
    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"), help_text="First day of the month the earnings are for.")
    amount = models.DecimalField(_("monthly earnings"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    rates = models.JSONField(_("exchange rates"), default=dict, blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    objects = RestrictedManager.from_queryset(EarningsQuerySet)()

    class Meta:
        ordering = ["programme_id", "worker_id"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "programme"], name="first_earnings_once_per_programme"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="first_earnings_amount_positive"),
            models.CheckConstraint(condition=Q(currency__regex=r"^[A-Z]{3}$"), name="first_earnings_currency_iso"),
        ]

    def __str__(self) -> str:
        return f"first earnings of {self.worker_id} in {self.programme_id}: {self.amount} {self.currency}"
