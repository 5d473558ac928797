"""Vacancy reports (GB.346 para 48): unfilled vacancies and emerging needs by occupation and region, reported by
employers, the destination labour ministry and the social partners, to feed the programme's shortage-occupation list.

Reports are organisation data: the reporting organisation reads its own, the destination ministry reads every report
of its country's programmes. Social partners and researchers read aggregates only (`selectors.vacancy_aggregate`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from corridor.core.access import Category, RestrictedManager, RestrictedQuerySet, Role, roles_of

MINISTRY_ROLES = frozenset({Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER})
# Who may report vacancies, for a programme whose destination is their organisation's country.
REPORTER_ROLES = frozenset({Role.EMPLOYER, Role.EMPLOYERS_ORG, Role.UNION}) | MINISTRY_ROLES


class VacancyKind(models.TextChoices):
    UNFILLED = "unfilled", _("Unfilled vacancy")
    EMERGING = "emerging", _("Emerging need")


def _org_country(user) -> str | None:
    org = getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None
    return org.country if org is not None else None


class VacancyReportQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        """The reporting organisation's members (view and change); the destination ministry (view); admins (view)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        roles = roles_of(user)
        if action == "view" and Role.PLATFORM_ADMIN in roles:
            return self
        q = None
        if user.organisation_id and roles & REPORTER_ROLES:
            q = models.Q(organisation_id=user.organisation_id)
        country = _org_country(user)
        if action == "view" and country and roles & MINISTRY_ROLES:
            q2 = models.Q(programme__destination_country=country)
            q = q2 if q is None else q | q2
        return self.none() if q is None else self.filter(q)


class VacancyReport(models.Model):
    """One organisation's figure for one occupation, region and month under one programme."""

    data_category = Category.ORGANISATION

    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="vacancy_reports")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="vacancy_reports", verbose_name=_("reporting organisation")
    )
    reported_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by"))
    kind = models.CharField(_("kind"), max_length=20, choices=VacancyKind.choices)
    isco_code = models.CharField(_("occupation (ISCO-08 code)"), max_length=4)
    region = models.CharField(_("region"), max_length=100, blank=True, help_text=_("Empty for the whole country."))
    country = models.CharField(_("country"), max_length=2, help_text=_("The programme's destination country."))
    period = models.DateField(_("month"), help_text=_("The first day of the month the figure is about."))
    vacancies = models.PositiveIntegerField(_("vacancies"))
    months_unfilled = models.PositiveSmallIntegerField(
        _("months unfilled"), null=True, blank=True, help_text=_("For unfilled vacancies: how long they have been open.")
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    objects = RestrictedManager.from_queryset(VacancyReportQuerySet)()

    class Meta:
        ordering = ["-period", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(vacancies__gte=1), name="vacancy_report_vacancies_positive"),
            models.CheckConstraint(
                condition=models.Q(months_unfilled__isnull=True) | models.Q(months_unfilled__gte=0),
                name="vacancy_report_months_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(kind=VacancyKind.UNFILLED) | models.Q(months_unfilled__isnull=True),
                name="vacancy_report_months_only_unfilled",
                violation_error_message="Months unfilled apply to unfilled vacancies only.",
            ),
            models.CheckConstraint(condition=models.Q(kind__in=VacancyKind.values), name="vacancy_report_kind_valid"),
            models.CheckConstraint(condition=models.Q(country__regex=r"^[A-Z]{2}$"), name="vacancy_report_country_iso2"),
            models.CheckConstraint(condition=models.Q(isco_code__regex=r"^[0-9]{1,4}$"), name="vacancy_report_isco_format"),
            models.CheckConstraint(condition=models.Q(period__day=1), name="vacancy_report_period_first_of_month"),
            # One open figure per organisation, occupation, region, kind and month: a correction withdraws the old one.
            models.UniqueConstraint(
                fields=["programme", "organisation", "isco_code", "region", "kind", "period"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="vacancy_report_one_open_per_cell",
            ),
        ]
        indexes = [models.Index(fields=["programme", "period"], name="vacancy_report_prog_period")]

    def __str__(self) -> str:
        where = self.region or self.country
        return f"{self.get_kind_display()}: {self.vacancies} × ISCO {self.isco_code}, {where}, {self.period:%Y-%m}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None
