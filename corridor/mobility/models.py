"""The worker-initiated change of employer (ILO GB.346 para 29-31; fair recruitment principle 12; C143 Art 8).

An approved employer opens one of its job orders to workers already at destination (`TransferOpening`); a worker of
the same programme applies with a cause (`TransferApplication`), without asking the current employer or any recruiter;
the new employer accepts (a confirmed placement and its contract are made) or declines with a reason; once the worker
has accepted the new contract the move is completed: the old journey ends 'moved' and a new one goes on 'employed'.
When an employer is suspended or banned, its workers are released (`Release`): their change of employer starts at
once and never counts toward the programme's limit. Rules and routes: docs/mobility.md.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from corridor.core.access import Category, RestrictedManager, RestrictedQuerySet


class MobilityQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        from corridor.mobility.selectors import visibility_q

        q = visibility_q(self.model, user, action)
        return self.none() if q is None else self.filter(q)


class OpeningStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class TransferOpening(models.Model):
    """A job order of an approved employer opened to workers already at destination, for a number of positions and
    until a date. It shows the job's pay terms to workers: kept from immigration officers (wage data)."""

    data_category = Category.WAGE

    job_order = models.ForeignKey("joborders.JobOrder", on_delete=models.PROTECT, related_name="transfer_openings")
    positions = models.PositiveIntegerField(_("positions open to workers changing employer"))
    ends_on = models.DateField(_("open until"))
    note = models.TextField(_("note for workers"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=OpeningStatus.choices, default=OpeningStatus.OPEN)
    opened_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(_("why it was closed"), blank=True)

    objects = RestrictedManager.from_queryset(MobilityQuerySet)()

    class Meta:
        ordering = ["ends_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=OpeningStatus.values), name="transfer_opening_status_valid"),
            models.CheckConstraint(condition=Q(positions__gte=1), name="transfer_opening_positions_positive"),
            models.CheckConstraint(condition=Q(status=OpeningStatus.OPEN) | Q(closed_at__isnull=False),
                                   name="transfer_opening_closed_dated"),
            # One open opening per job order: change the positions or the date by closing it and opening again.
            models.UniqueConstraint(fields=["job_order"], condition=Q(status=OpeningStatus.OPEN),
                                    name="transfer_opening_one_open_per_order"),
        ]

    def __str__(self) -> str:
        return f"transfer opening {self.pk}"


class Cause(models.TextChoices):
    OWN_CHOICE = "own_choice", _("My own choice")
    EMPLOYER_CLOSED = "employer_closed", _("My employer closed or has no more work")
    ABUSE = "abuse", _("Abuse or ill-treatment by my employer")
    EMPLOYER_SANCTIONED = "employer_sanctioned", _("My employer was suspended or banned")


# Causes the worker may give; the sanction is set by the system only (the worker's journey was released).
WORKER_CAUSES = (Cause.OWN_CHOICE, Cause.EMPLOYER_CLOSED, Cause.ABUSE)
# Causes brought about by the employer: they never count toward a limit and no sector rule blocks them.
EMPLOYER_CAUSED = frozenset({Cause.EMPLOYER_CLOSED, Cause.ABUSE, Cause.EMPLOYER_SANCTIONED})


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("Applied, waiting for the employer")
    ACCEPTED = "accepted", _("Accepted by the employer")
    DECLINED = "declined", _("Declined by the employer")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    COMPLETED = "completed", _("Move completed")


LIVE_APPLICATION = [ApplicationStatus.APPLIED, ApplicationStatus.ACCEPTED]


class TransferApplication(models.Model):
    """A worker's application to an opening. It records the cause of the change, which may be abuse by the current
    employer: complaint data, never shown to immigration officers (the firewall) nor to the new employer."""

    data_category = Category.COMPLAINT

    opening = models.ForeignKey(TransferOpening, on_delete=models.PROTECT, related_name="applications")
    worker = models.ForeignKey("workers.Worker", on_delete=models.PROTECT, related_name="transfer_applications")
    journey = models.ForeignKey("deployment.Journey", on_delete=models.PROTECT, related_name="transfer_applications",
                                help_text="The journey with the current employer when the worker applied.")
    cause = models.CharField(_("cause"), max_length=20, choices=Cause.choices)
    message = models.TextField(_("message to the employer"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.APPLIED)
    applied_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(_("reason"), blank=True)
    placement = models.OneToOneField("contracts.Placement", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="transfer_application")
    new_journey = models.OneToOneField("deployment.Journey", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="transfer_arrival")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = RestrictedManager.from_queryset(MobilityQuerySet)()

    class Meta:
        ordering = ["-applied_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ApplicationStatus.values), name="transfer_application_status_valid"),
            models.CheckConstraint(condition=Q(cause__in=Cause.values), name="transfer_application_cause_valid"),
            models.UniqueConstraint(fields=["worker", "opening"], condition=Q(status__in=LIVE_APPLICATION),
                                    name="transfer_application_live_once"),
            # A worker moves to one new employer at a time.
            models.UniqueConstraint(fields=["worker"], condition=Q(status=ApplicationStatus.ACCEPTED),
                                    name="transfer_application_one_accepted"),
            models.CheckConstraint(condition=~Q(status=ApplicationStatus.DECLINED) | (~Q(decline_reason="")
                                   & Q(decided_at__isnull=False)), name="transfer_application_declined_with_reason"),
            models.CheckConstraint(
                condition=~Q(status__in=[ApplicationStatus.ACCEPTED, ApplicationStatus.COMPLETED])
                | Q(placement__isnull=False, decided_at__isnull=False),
                name="transfer_application_accepted_has_placement",
            ),
            models.CheckConstraint(
                condition=~Q(status=ApplicationStatus.COMPLETED) | Q(new_journey__isnull=False, completed_at__isnull=False),
                name="transfer_application_completed_has_journey",
            ),
            models.CheckConstraint(condition=~Q(new_journey=F("journey")), name="transfer_application_new_journey_differs"),
        ]

    def __str__(self) -> str:
        return f"transfer application {self.pk}"


class Sanction(models.TextChoices):
    SUSPENDED = "suspended", _("Employer suspended")
    BANNED = "banned", _("Employer banned")


class Release(models.Model):
    """A worker released from an employer suspended or banned in the programme: the change of employer started at
    once and does not count toward the limit. The sanction's reason comes from labour enforcement: kept from
    immigration officers."""

    data_category = Category.INSPECTION

    journey = models.ForeignKey("deployment.Journey", on_delete=models.PROTECT, related_name="releases")
    employer = models.ForeignKey("employers.EmployerProfile", on_delete=models.PROTECT, related_name="+")
    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="+")
    sanction = models.CharField(_("sanction"), max_length=10, choices=Sanction.choices)
    reason = models.TextField(_("reason of the sanction"))
    released_at = models.DateTimeField(auto_now_add=True)
    released_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")

    objects = RestrictedManager.from_queryset(MobilityQuerySet)()

    class Meta:
        ordering = ["-released_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(sanction__in=Sanction.values), name="release_sanction_valid"),
            models.UniqueConstraint(fields=["journey"], name="release_once_per_journey"),
        ]

    def __str__(self) -> str:
        return f"release {self.pk}"


class GraceNotice(models.Model):
    """The notice that a worker's grace period to find a new employer has ended (sent once per change started).
    Nothing else happens to the worker: the notice only tells the worker and the ministry."""

    data_category = Category.WORKER_IDENTITY

    journey = models.ForeignKey("deployment.Journey", on_delete=models.PROTECT, related_name="+")
    change_started_at = models.DateTimeField()
    grace_ended_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(MobilityQuerySet)()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["journey", "change_started_at"], name="grace_notice_once_per_change"),
        ]

    def __str__(self) -> str:
        return f"grace notice {self.pk}"
