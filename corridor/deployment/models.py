"""The worker's journey from placement to return: pre-departure, permits, travel, arrival, substitution alerts."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from corridor.core.access import Category, RestrictedManager, RestrictedQuerySet
from corridor.deployment import journey as path


class DeploymentQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        from corridor.deployment.selectors import visibility_q

        q = visibility_q(self.model, user, action)
        return self.none() if q is None else self.filter(q)


class State(models.TextChoices):
    SELECTED = path.SELECTED, pgettext_lazy("journey state", "Selected")
    CONTRACTED = path.CONTRACTED, _("Contract accepted")
    CLEARED = path.CLEARED, _("Cleared for departure")
    PERMIT_ISSUED = path.PERMIT_ISSUED, _("Permit issued")
    TRAVELLED = path.TRAVELLED, _("Travelled")
    EMPLOYED = path.EMPLOYED, _("Employed")
    CHANGING_EMPLOYER = path.CHANGING_EMPLOYER, _("Changing employer")
    RETURNED = path.RETURNED, _("Returned")
    OVERSTAYED = path.OVERSTAYED, _("Stayed beyond the permit")
    STATUS_CHANGED = path.STATUS_CHANGED, _("Transferred to another status")
    WITHDRAWN = path.WITHDRAWN, _("Withdrawn")
    MOVED = path.MOVED, _("Moved to another employer")


class Journey(models.Model):
    """One placement's way from selection to return. `state` changes only through the services, one audited step at
    a time (`JourneyStep`), as `corridor/deployment/journey.py` allows."""

    data_category = Category.WORKER_IDENTITY

    placement = models.OneToOneField("contracts.Placement", on_delete=models.PROTECT, related_name="journey")
    worker = models.ForeignKey("workers.Worker", on_delete=models.PROTECT, related_name="journeys")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.SELECTED)
    state_since = models.DateTimeField()
    planned_departure = models.DateField(_("planned departure"), null=True, blank=True)
    insurance_provider = models.CharField(_("health insurance provider"), max_length=200, blank=True)
    insurance_policy = models.CharField(_("policy number"), max_length=100, blank=True)
    insurance_valid_until = models.DateField(_("insurance valid until"), null=True, blank=True)
    travel_booking = models.CharField(_("travel booking reference"), max_length=100, blank=True)
    departed_on = models.DateField(_("departed on"), null=True, blank=True)
    arrived_on = models.DateField(_("arrived on"), null=True, blank=True)
    arrival_confirmed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    welfare_contact_name = models.CharField(_("welfare contact"), max_length=200, blank=True)
    welfare_contact_phone = models.CharField(_("welfare contact's phone"), max_length=40, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    returned_as_agreed = models.BooleanField(null=True, blank=True)
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_journey",
                                    help_text="The journey with the previous employer, when the worker changed employer.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(DeploymentQuerySet)()

    class Meta:
        ordering = ["-state_since", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=State.values), name="journey_state_valid"),
            models.CheckConstraint(
                condition=~Q(state__in=[State.TRAVELLED, State.EMPLOYED, State.CHANGING_EMPLOYER, State.RETURNED])
                | Q(departed_on__isnull=False),
                name="journey_travelled_has_departure",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[State.EMPLOYED, State.CHANGING_EMPLOYER]) | Q(arrived_on__isnull=False)
                & ~Q(welfare_contact_name=""),
                name="journey_employed_arrived_with_welfare_contact",
            ),
            models.CheckConstraint(condition=Q(arrived_on__isnull=True) | Q(arrived_on__gte=models.F("departed_on")),
                                   name="journey_arrival_after_departure"),
            models.CheckConstraint(condition=~Q(state=State.RETURNED) | Q(returned_on__isnull=False),
                                   name="journey_returned_dated"),
        ]

    def __str__(self) -> str:
        return f"journey {self.pk}"


class JourneyStep(models.Model):
    """One transition of a journey, with who took it and why."""

    data_category = Category.WORKER_IDENTITY

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    at = models.DateTimeField()
    actor = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)

    objects = RestrictedManager.from_queryset(DeploymentQuerySet)()

    class Meta:
        ordering = ["journey_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state} -> {self.to_state}"


class PermitKind(models.TextChoices):
    VISA = "visa", _("Visa")
    WORK_PERMIT = "work_permit", _("Work permit")
    RESIDENCE_PERMIT = "residence_permit", _("Residence permit")


class Entries(models.TextChoices):
    SINGLE = "single", _("Single entry")
    MULTIPLE = "multiple", _("Multiple entries")


class Permit(models.Model):
    """A visa or permit recorded by the immigration authority."""

    data_category = Category.PERMIT

    journey = models.ForeignKey(Journey, on_delete=models.PROTECT, related_name="permits")
    kind = models.CharField(_("kind"), max_length=20, choices=PermitKind.choices)
    number = models.CharField(_("number"), max_length=60)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    entries = models.CharField(_("entries"), max_length=10, choices=Entries.choices)
    employer_name = models.CharField(_("employer named on the permit"), max_length=200, blank=True)
    isco_code = models.CharField(_("occupation on the permit (ISCO-08)"), max_length=4, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(DeploymentQuerySet)()

    class Meta:
        ordering = ["-valid_from", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("valid_from")), name="permit_dates_ordered"),
            models.CheckConstraint(condition=Q(kind__in=PermitKind.values), name="permit_kind_valid"),
            models.CheckConstraint(condition=Q(entries__in=Entries.values), name="permit_entries_valid"),
            models.UniqueConstraint(fields=["kind", "number"], name="permit_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class AlertSource(models.TextChoices):
    DECLARED = "declared", _("Terms declared by the employer at destination")
    PERMIT = "permit", _("Conditions on the permit")
    PAY_RUN = "pay_run", _("A pay run")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class DeclaredTerms(models.Model):
    """What the employer declares at destination: the contract it presents to the authorities."""

    data_category = Category.WAGE

    journey = models.ForeignKey(Journey, on_delete=models.PROTECT, related_name="declarations")
    facts = models.JSONField()
    declared_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    declared_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(DeploymentQuerySet)()

    class Meta:
        ordering = ["-declared_at", "-pk"]

    def __str__(self) -> str:
        return f"declaration {self.pk}"


class SubstitutionAlert(models.Model):
    """A difference between the locked contract and what is declared or shown at destination (principle 8)."""

    data_category = Category.WAGE

    journey = models.ForeignKey(Journey, on_delete=models.PROTECT, related_name="alerts")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source"), max_length=10, choices=AlertSource.choices)
    field = models.CharField(_("item"), max_length=30)
    contract_value = models.CharField(_("in the contract"), max_length=200, blank=True)
    declared_value = models.CharField(_("declared"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    raised_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)

    objects = RestrictedManager.from_queryset(DeploymentQuerySet)()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=AlertStatus.values), name="alert_status_valid"),
            models.CheckConstraint(condition=Q(source__in=AlertSource.values), name="alert_source_valid"),
            models.CheckConstraint(
                condition=Q(status=AlertStatus.OPEN) | (Q(resolved_at__isnull=False) & ~Q(resolution="")),
                name="alert_resolved_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"substitution alert {self.pk}: {self.field}"
