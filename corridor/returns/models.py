"""The end of the stay and the return (ILO/IOM Madrid para 31-38; ILO GB.346 para 18, 46): the return with its
evidence, end-of-stay payouts confirmed by the worker, the daily overstay prompt, season-end evaluations both ways and
the possible-retaliation flag of recall by rule (docs/returns.md)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from corridor.core.access import Category, RestrictedManager, RestrictedQuerySet


class ReturnsQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        from corridor.returns.selectors import visibility_q

        q = visibility_q(self.model, user, action)
        return self.none() if q is None else self.filter(q)


class EarlyReason(models.TextChoices):
    ILLNESS = "illness", _("Illness or injury")
    FAMILY_EMERGENCY = "family_emergency", _("Family emergency")
    EMPLOYER_CLOSURE = "employer_closure", _("The employer closed or ran out of work")
    ABUSE = "abuse", _("Abuse or ill treatment")
    WORKER_CHOICE = "worker_choice", _("The worker's own choice")
    DISMISSAL = "dismissal", _("Dismissal")
    OTHER = "other", _("Other (say what)")


# An early return for one of these reasons still counts as "returned as agreed" for recall by rule: the worker is not
# punished for what was beyond their control or for leaving abuse (docs/returns.md).
PROTECTED_REASONS = frozenset({EarlyReason.ILLNESS, EarlyReason.FAMILY_EMERGENCY, EarlyReason.EMPLOYER_CLOSURE,
                               EarlyReason.ABUSE, EarlyReason.DISMISSAL})


class ReturnRecord(models.Model):
    """The return of one journey as the origin authority registered it: the date, the evidence and, for an early
    return, the reason. Held apart from the journey (which the immigration authority sees) because a reason such as
    abuse is labour-protection information."""

    data_category = Category.WORKER_IDENTITY

    journey = models.OneToOneField("deployment.Journey", on_delete=models.PROTECT, related_name="return_record")
    returned_on = models.DateField(_("returned on"))
    evidence = models.CharField(_("evidence of the return"), max_length=500,
                                help_text=_("e.g. exit stamp seen, passport page 12; or a boarding pass reference."))
    evidence_file = models.FileField(_("evidence file"), upload_to="returns/", blank=True)
    evidence_content_type = models.CharField(max_length=20, blank=True)
    evidence_size = models.PositiveIntegerField(default=0)
    early = models.BooleanField(_("early return"), default=False)
    early_reason = models.CharField(_("reason for the early return"), max_length=20, choices=EarlyReason.choices,
                                    blank=True)
    early_reason_text = models.CharField(_("the reason in words"), max_length=500, blank=True)
    late = models.BooleanField(_("returned after the permit ended"), default=False)
    counts_as_agreed = models.BooleanField(_("counts as returned as agreed"))
    explanation = models.TextField(_("why it counts so for recall"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(ReturnsQuerySet)()

    class Meta:
        ordering = ["-returned_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["journey"], name="return_record_once_per_journey"),
            models.CheckConstraint(condition=~Q(evidence=""), name="return_record_has_evidence"),
            models.CheckConstraint(condition=Q(early_reason="") | Q(early_reason__in=EarlyReason.values),
                                   name="return_record_reason_valid"),
            models.CheckConstraint(condition=(Q(early=True) & ~Q(early_reason="")) | (Q(early=False) & Q(early_reason="")),
                                   name="return_record_early_has_reason"),
            models.CheckConstraint(condition=~Q(early_reason=EarlyReason.OTHER) | ~Q(early_reason_text=""),
                                   name="return_record_other_reason_said"),
            models.CheckConstraint(condition=Q(evidence_file="") | ~Q(evidence_content_type=""),
                                   name="return_record_file_typed"),
        ]

    def __str__(self) -> str:
        return f"return of journey {self.journey_id}"


class PayoutKind(models.TextChoices):
    FINAL_PAY = "final_pay", _("Final pay")
    SAVINGS = "savings", _("End-of-service savings scheme payout")
    INSURANCE = "insurance", _("Insurance payout (e.g. departure guarantee insurance)")


class PayoutStatus(models.TextChoices):
    RECORDED = "recorded", _("Recorded, waiting for the worker")
    RECEIVED = "received", _("Received, as the worker confirmed")
    NOT_RECEIVED = "not_received", _("Not received, the worker says")


class Payout(models.Model):
    """A sum owed at the end of the stay, recorded when transferred and confirmed (or not) by the worker."""

    data_category = Category.WAGE

    journey = models.ForeignKey("deployment.Journey", on_delete=models.PROTECT, related_name="payouts")
    kind = models.CharField(_("kind"), max_length=12, choices=PayoutKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    transferred_on = models.DateField(_("transferred on"))
    reference = models.CharField(_("transfer reference"), max_length=100)
    status = models.CharField(_("status"), max_length=12, choices=PayoutStatus.choices, default=PayoutStatus.RECORDED)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    worker_note = models.TextField(_("the worker's words"), blank=True)

    objects = RestrictedManager.from_queryset(ReturnsQuerySet)()

    class Meta:
        ordering = ["-transferred_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PayoutKind.values), name="payout_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=PayoutStatus.values), name="payout_status_valid"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive"),
            models.CheckConstraint(condition=Q(status=PayoutStatus.RECORDED) | Q(answered_at__isnull=False),
                                   name="payout_answer_dated"),
            models.CheckConstraint(condition=~Q(reference=""), name="payout_has_reference"),
            models.UniqueConstraint(fields=["journey", "kind", "reference"], name="payout_reference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"


class FlagStatus(models.TextChoices):
    OPEN = "open", _("Open: to be checked")
    RESOLVED = "resolved", _("Resolved")


class OverstayResolution(models.TextChoices):
    RETURNED = "returned", _("The worker returned")
    PERMIT_RENEWED = "permit_renewed", _("The permit was renewed or extended")
    GRACE_PERIOD = "grace_period", _("In the grace period of a change of employer")
    OVERSTAY_CONFIRMED = "overstay_confirmed", _("Stay beyond the permit confirmed")


class OverstayFlag(models.Model):
    """A prompt to check: the journey's latest permit has ended and no return is registered. Not a finding."""

    data_category = Category.PERMIT

    journey = models.OneToOneField("deployment.Journey", on_delete=models.PROTECT, related_name="overstay_flag")
    permit = models.ForeignKey("deployment.Permit", on_delete=models.PROTECT, related_name="+")
    permit_ended_on = models.DateField(_("permit ended on"))
    raised_on = models.DateField(_("raised on"))
    status = models.CharField(_("status"), max_length=10, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    resolution = models.CharField(_("resolution"), max_length=20, choices=OverstayResolution.choices, blank=True)
    resolution_note = models.TextField(_("note"), blank=True)
    resolved_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedManager.from_queryset(ReturnsQuerySet)()

    class Meta:
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["journey"], name="overstay_flag_once_per_journey"),
            models.CheckConstraint(condition=Q(status__in=FlagStatus.values), name="overstay_flag_status_valid"),
            models.CheckConstraint(condition=Q(raised_on__gt=F("permit_ended_on")), name="overstay_flag_after_permit"),
            models.CheckConstraint(
                condition=(Q(status=FlagStatus.OPEN) & Q(resolution="") & Q(resolved_at__isnull=True))
                | (Q(status=FlagStatus.RESOLVED) & Q(resolution__in=OverstayResolution.values)
                   & Q(resolved_at__isnull=False)),
                name="overstay_flag_resolved_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"overstay flag {self.pk}"


class EmployerEvaluation(models.Model):
    """The worker's evaluation of the employer at the end of the season. The employer never sees it by name: only
    the aggregate of at least three (selectors.employer_aggregate). Labour-protection data, firewalled."""

    data_category = Category.COMPLAINT

    journey = models.OneToOneField("deployment.Journey", on_delete=models.PROTECT, related_name="employer_evaluation")
    employer = models.ForeignKey("employers.EmployerProfile", on_delete=models.PROTECT, related_name="+")
    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="+")
    pay = models.PositiveSmallIntegerField(_("pay"))
    housing = models.PositiveSmallIntegerField(_("housing"))
    safety = models.PositiveSmallIntegerField(_("safety"))
    respect = models.PositiveSmallIntegerField(_("respect"))
    would_return = models.PositiveSmallIntegerField(_("would return"))
    comment = models.TextField(_("comment"), blank=True)
    submitted_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(ReturnsQuerySet)()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["journey"], name="employer_evaluation_once_per_journey"),
            models.CheckConstraint(
                condition=Q(pay__gte=1, pay__lte=5, housing__gte=1, housing__lte=5, safety__gte=1, safety__lte=5,
                            respect__gte=1, respect__lte=5, would_return__gte=1, would_return__lte=5),
                name="employer_evaluation_scores_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"evaluation of an employer {self.pk}"


class WorkerEvaluation(models.Model):
    """The employer's evaluation of the worker at the end of the season, shown to the worker (who may answer in
    their own words) and to officials. It never changes recall by rule (docs/returns.md)."""

    data_category = Category.COMPLAINT

    journey = models.OneToOneField("deployment.Journey", on_delete=models.PROTECT, related_name="worker_evaluation")
    skills = models.PositiveSmallIntegerField(_("skills"))
    reliability = models.PositiveSmallIntegerField(_("reliability"))
    would_rehire = models.PositiveSmallIntegerField(_("would re-hire"))
    comment = models.TextField(_("comment"), blank=True)
    submitted_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    worker_response = models.TextField(_("the worker's response"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedManager.from_queryset(ReturnsQuerySet)()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["journey"], name="worker_evaluation_once_per_journey"),
            models.CheckConstraint(
                condition=Q(skills__gte=1, skills__lte=5, reliability__gte=1, reliability__lte=5,
                            would_rehire__gte=1, would_rehire__lte=5),
                name="worker_evaluation_scores_1_5",
            ),
            models.CheckConstraint(condition=Q(worker_response="") | Q(responded_at__isnull=False),
                                   name="worker_evaluation_response_dated"),
        ]

    def __str__(self) -> str:
        return f"evaluation of a worker {self.pk}"


class RetaliationStatus(models.TextChoices):
    OPEN = "open", _("Open: to be reviewed")
    DISMISSED = "dismissed", _("Dismissed, with reasons")
    REFERRED = "referred", _("Referred for inspection")


class RetaliationFlag(models.Model):
    """A possible retaliation: the employer named workers for recall in a later round but not this worker, who with
    that employer in an earlier season disputed a payslip or had a substitution alert. For the labour inspectorate
    only; never shown to the employer or to immigration."""

    data_category = Category.COMPLAINT

    worker = models.ForeignKey("workers.Worker", on_delete=models.PROTECT, related_name="+")
    employer = models.ForeignKey("employers.EmployerProfile", on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey("selection.SelectionRound", on_delete=models.PROTECT, related_name="+")
    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="+")
    journey = models.ForeignKey("deployment.Journey", on_delete=models.PROTECT, related_name="+",
                                help_text="The earlier season with the employer.")
    season_year = models.PositiveIntegerField(_("season"))
    grounds = models.JSONField(default=list, help_text="[{kind, id, on, text}]: what the worker raised that season.")
    named_count = models.PositiveIntegerField(_("workers the employer named in the round"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=RetaliationStatus.choices,
                              default=RetaliationStatus.OPEN)
    decision = models.TextField(_("decision and reasons"), blank=True)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    raised_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(ReturnsQuerySet)()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "employer", "round"], name="retaliation_flag_once"),
            models.CheckConstraint(condition=Q(status__in=RetaliationStatus.values), name="retaliation_status_valid"),
            models.CheckConstraint(
                condition=Q(status=RetaliationStatus.OPEN) | (~Q(decision="") & Q(decided_at__isnull=False)),
                name="retaliation_decided_with_reasons",
            ),
        ]

    def __str__(self) -> str:
        return f"retaliation flag {self.pk}"
