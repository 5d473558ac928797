"""Selection rounds, workers' preferences, recall, runs and their outcomes, appeals (docs/selection.md)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from corridor.core.access import Category, RestrictedManager, RestrictedQuerySet


class RoundStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("selection round", "Open")
    CLOSED = "closed", pgettext_lazy("selection round", "Closed")


class RunKind(models.TextChoices):
    DRY = "dry", _("Dry run")
    PUBLISHED = "published", _("Published")


class RunStatus(models.TextChoices):
    DRY = "dry", _("Dry run (not published)")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded by a re-run")


class NominationStatus(models.TextChoices):
    AWAITING = "awaiting", _("Waiting for the worker's consent")
    CONSENTED = "consented", _("Consented by the worker")
    DECLINED = "declined", _("Declined by the worker")
    WITHDRAWN = "withdrawn", _("Withdrawn by the employer")


class PickStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the employer")
    PICKED = "picked", _("Picked by the employer")
    PASSED_OVER = "passed_over", _("Passed over")


class AppealStatus(models.TextChoices):
    LODGED = "lodged", pgettext_lazy("appeal", "Lodged")
    UPHELD = "upheld", pgettext_lazy("appeal", "Upheld")
    DISMISSED = "dismissed", pgettext_lazy("appeal", "Dismissed")


class SelectionQuerySet(RestrictedQuerySet):
    """Visibility is decided in selectors.py, where the rules of each model live together."""

    def visible_to(self, user, action: str):
        from corridor.selection.selectors import visibility_q

        q = visibility_q(self.model, user, action)
        return self.none() if q is None else self.filter(q)


class SelectionRound(models.Model):
    """A round of selection for a programme, for one corridor (origin country) or for all of them."""

    data_category = Category.PROGRAMME

    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="selection_rounds")
    number = models.PositiveIntegerField(_("round"))
    origin_country = models.CharField(_("corridor (origin country)"), max_length=2, blank=True,
                                      help_text=_("Empty: every corridor of the programme."))
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    seed = models.CharField(_("lottery seed"), max_length=64, help_text=_("Published when the round opens."))
    preferences_close_on = models.DateField(_("preferences close on"), null=True, blank=True)
    running_since = models.DateTimeField(null=True, blank=True, help_text="Set while a run is being computed.")
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = RestrictedManager.from_queryset(SelectionQuerySet)()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "origin_country", "number"], name="selection_round_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="selection_round_number_positive"),
            models.CheckConstraint(condition=Q(status__in=RoundStatus.values), name="selection_round_status_valid"),
            models.CheckConstraint(condition=Q(seed__regex=r"^[0-9a-f]{32,64}$"), name="selection_round_seed_hex"),
            models.CheckConstraint(condition=Q(origin_country="") | Q(origin_country__regex=r"^[A-Z]{2}$"),
                                   name="selection_round_origin_code"),
            models.CheckConstraint(condition=Q(status=RoundStatus.OPEN) | Q(closed_at__isnull=False),
                                   name="selection_round_closed_dated"),
        ]

    def __str__(self) -> str:
        corridor = f" {self.origin_country}" if self.origin_country else ""
        return f"{self.programme.code}{corridor} round {self.number}"


class Preference(models.Model):
    """A job order a worker ranked in a round; rank 1 is the worker's first choice."""

    data_category = Category.WORKER_IDENTITY

    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="preferences")
    worker = models.ForeignKey("workers.Worker", on_delete=models.CASCADE, related_name="selection_preferences")
    job_order = models.ForeignKey("joborders.JobOrder", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(_("rank"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(SelectionQuerySet)()

    class Meta:
        ordering = ["round_id", "worker_id", "rank"]
        indexes = [models.Index(fields=["round", "worker", "rank"])]
        constraints = [
            models.UniqueConstraint(fields=["round", "worker", "job_order"], name="preference_job_once"),
            models.UniqueConstraint(fields=["round", "worker", "rank"], name="preference_rank_once"),
            models.CheckConstraint(condition=Q(rank__gte=1, rank__lte=50), name="preference_rank_range"),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} #{self.rank} {self.job_order_id}"


class Nomination(models.Model):
    """An employer names a worker for recall to one of its job orders; it counts only with the worker's consent."""

    data_category = Category.WORKER_IDENTITY

    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="nominations")
    job_order = models.ForeignKey("joborders.JobOrder", on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey("workers.Worker", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=NominationStatus.choices,
                              default=NominationStatus.AWAITING)
    nominated_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    nominated_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedManager.from_queryset(SelectionQuerySet)()

    class Meta:
        ordering = ["-nominated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "job_order", "worker"], name="nomination_once"),
            models.CheckConstraint(condition=Q(status__in=NominationStatus.values), name="nomination_status_valid"),
            models.CheckConstraint(
                condition=Q(status=NominationStatus.AWAITING) | Q(answered_at__isnull=False), name="nomination_answer_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"nomination {self.pk}"


class SeasonRecord(models.Model):
    """A season a worker completed in a programme, and whether they returned as agreed: the basis of recall by rule."""

    data_category = Category.WORKER_IDENTITY

    worker = models.ForeignKey("workers.Worker", on_delete=models.CASCADE, related_name="season_records")
    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("season (year)"))
    employer = models.ForeignKey("employers.EmployerProfile", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("employer"))
    completed = models.BooleanField(_("season completed"), default=True)
    returned_as_agreed = models.BooleanField(_("returned as agreed"), default=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(SelectionQuerySet)()

    class Meta:
        ordering = ["-year", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "programme", "year"], name="season_record_once"),
            models.CheckConstraint(condition=Q(year__gte=1990, year__lte=2200), name="season_record_year_range"),
        ]

    def __str__(self) -> str:
        return f"season {self.year}"


class SkillsTest(models.Model):
    """A skills test result for an occupation, recorded by the origin authority; it counts in the points score."""

    data_category = Category.WORKER_IDENTITY

    worker = models.ForeignKey("workers.Worker", on_delete=models.CASCADE, related_name="skills_tests")
    isco_code = models.CharField(_("occupation tested (ISCO-08)"), max_length=4)
    test = models.CharField(_("test"), max_length=200)
    score = models.DecimalField(_("score (0-100)"), max_digits=5, decimal_places=2)
    taken_on = models.DateField(_("taken on"))
    recorded_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(SelectionQuerySet)()

    class Meta:
        ordering = ["-taken_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="skills_test_score_range"),
            models.CheckConstraint(condition=Q(isco_code__regex=r"^[0-9]{1,4}$"), name="skills_test_isco_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.test} {self.score}"


class SelectionRun(models.Model):
    """One computation of a round. A published run is immutable; a re-run supersedes it."""

    data_category = Category.PROGRAMME

    round = models.ForeignKey(SelectionRound, on_delete=models.PROTECT, related_name="runs")
    kind = models.CharField(_("kind"), max_length=10, choices=RunKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=RunStatus.choices)
    mode = models.CharField(_("selection mode"), max_length=20)
    rule_version = models.ForeignKey("programmes.RuleVersion", on_delete=models.PROTECT, related_name="+")
    seed = models.CharField(max_length=64)
    inputs_hash = models.CharField(_("inputs snapshot (SHA-256)"), max_length=64)
    code_version = models.CharField(_("code version"), max_length=80)
    summary = models.JSONField(default=dict)
    reason = models.TextField(_("reason"), blank=True)
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    started_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedManager.from_queryset(SelectionQuerySet)()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RunKind.values), name="selection_run_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=RunStatus.values), name="selection_run_status_valid"),
            models.CheckConstraint(
                condition=(Q(kind=RunKind.DRY, status=RunStatus.DRY, published_at__isnull=True)
                           | Q(kind=RunKind.PUBLISHED, status__in=[RunStatus.PUBLISHED, RunStatus.SUPERSEDED],
                               published_at__isnull=False)),
                name="selection_run_kind_status",
            ),
            models.CheckConstraint(condition=Q(inputs_hash__regex=r"^[0-9a-f]{64}$"), name="selection_run_hash_hex"),
            # One published run in force per round.
            models.UniqueConstraint(fields=["round"], condition=Q(status=RunStatus.PUBLISHED),
                                    name="selection_run_one_published"),
            models.CheckConstraint(condition=Q(finished_at__gte=F("started_at")), name="selection_run_times_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.get_kind_display().lower()} {self.started_at:%Y-%m-%d %H:%M}"


class RunJobOrder(models.Model):
    """A job order in a run: positions offered, workers selected and the cutoff."""

    data_category = Category.PROGRAMME

    run = models.ForeignKey(SelectionRun, on_delete=models.CASCADE, related_name="job_orders")
    job_order = models.ForeignKey("joborders.JobOrder", on_delete=models.PROTECT, related_name="+")
    positions = models.PositiveIntegerField()
    capacity = models.PositiveIntegerField(help_text="Positions, or candidates on the shortlist in shortlist mode.")
    selected = models.PositiveIntegerField(default=0)
    applicants = models.PositiveIntegerField(default=0)
    cutoff_tier = models.PositiveSmallIntegerField(null=True, blank=True)
    cutoff_points = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    cutoff_lottery = models.BigIntegerField(null=True, blank=True)

    objects = RestrictedManager.from_queryset(SelectionQuerySet)()

    class Meta:
        ordering = ["run_id", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "job_order"], name="run_job_order_once"),
            models.CheckConstraint(condition=Q(selected__lte=F("capacity")), name="run_job_order_within_capacity"),
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} job order {self.job_order_id}"


class Outcome(models.Model):
    """What a run gave one worker, and why: `details` lists each ranked job order with its status and priority."""

    data_category = Category.WORKER_IDENTITY

    run = models.ForeignKey(SelectionRun, on_delete=models.CASCADE, related_name="outcomes")
    worker = models.ForeignKey("workers.Worker", on_delete=models.CASCADE, related_name="selection_outcomes")
    job_order = models.ForeignKey("joborders.JobOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    choice = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Rank of the job order obtained.")
    lottery = models.BigIntegerField()
    details = models.JSONField(default=list)
    pick = models.CharField(max_length=12, choices=PickStatus.choices, blank=True)
    pick_reason = models.TextField(blank=True)
    picked_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    picked_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedManager.from_queryset(SelectionQuerySet)()

    class Meta:
        ordering = ["run_id", "worker_id"]
        indexes = [models.Index(fields=["worker", "run"]), models.Index(fields=["run", "job_order"])]
        constraints = [
            models.UniqueConstraint(fields=["run", "worker"], name="outcome_once_per_run"),
            models.CheckConstraint(condition=Q(job_order__isnull=True) | Q(choice__isnull=False), name="outcome_choice_set"),
            models.CheckConstraint(condition=Q(pick="") | Q(pick__in=PickStatus.values), name="outcome_pick_valid"),
            models.CheckConstraint(
                condition=~Q(pick__in=[PickStatus.PICKED, PickStatus.PASSED_OVER]) | ~Q(pick_reason=""),
                name="outcome_pick_reasoned",
            ),
        ]

    def __str__(self) -> str:
        return f"outcome {self.pk} of run {self.run_id}"


class Appeal(models.Model):
    """A worker's appeal against a published outcome, decided with reasons."""

    data_category = Category.WORKER_IDENTITY

    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="appeals")
    grounds = models.TextField(_("grounds"))
    status = models.CharField(_("status"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.LODGED)
    lodged_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    lodged_at = models.DateTimeField(auto_now_add=True)
    decision = models.TextField(_("decision and reasons"), blank=True)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedManager.from_queryset(SelectionQuerySet)()

    class Meta:
        ordering = ["-lodged_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=AppealStatus.values), name="appeal_status_valid"),
            models.CheckConstraint(
                condition=Q(status=AppealStatus.LODGED) | (Q(decided_at__isnull=False) & ~Q(decision="")),
                name="appeal_decided_with_reasons",
            ),
            models.UniqueConstraint(fields=["outcome"], condition=Q(status=AppealStatus.LODGED),
                                    name="appeal_one_open_per_outcome"),
        ]

    def __str__(self) -> str:
        return f"appeal {self.pk}"
