"""Demo data for vacancy monitoring: a dozen reports for CA-SAG by two employers, the employers' council, the union
and the ministry, so that the aggregate shows suggested shortages, suppressed lines and a withdrawn report.

Called by the demo with the organisations, users and programmes it built; every report is looked up by its
organisation, occupation, region, kind and month first, so that building the demo twice changes nothing. Months are
counted from the current one, like the rest of the demo's dates.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from corridor.accounts.models import User
from corridor.vacancies import services
from corridor.vacancies.models import VacancyReport

# The second employer's account, made by the employers demo (which this app may not import).
SECOND_EMPLOYER_USER = "employer_lakeshore"

# (reporter, months from now, kind, ISCO-08, region, vacancies, months unfilled, note)
REPORTS = [
    ("employer", 0, "unfilled", "9211", "Ontario", 14, 4, "Harvest labourers for the apple season."),
    ("lakeshore", 0, "unfilled", "9211", "Ontario", 8, 6, "Pickers for the greenhouse tomato harvest."),
    ("employers_org", -1, "unfilled", "9211", "Ontario", 25, 3, "Survey of members in the Niagara and Essex regions."),
    ("employer", -1, "unfilled", "6112", "Ontario", 3, 5, "Experienced pruners; none applied at the posted wage."),
    ("employers_org", -1, "unfilled", "6112", "Ontario", 6, 2, "Orchard crew leaders."),
    ("ministry_officer", -2, "unfilled", "6112", "Ontario", 4, 7, "Provincial job bank: postings open for more than six months."),
    ("lakeshore", 0, "unfilled", "6113", "Ontario", 5, 3, "Greenhouse growers with irrigation experience."),
    ("union", 2, "emerging", "6113", "Ontario", 12, None, "Two greenhouse complexes open in Leamington in the spring."),
    ("employer", 1, "emerging", "9321", "Ontario", 10, None, "Second packing line at the Niagara-on-the-Lake packing house."),
    ("employers_org", -1, "unfilled", "9211", "Québec", 30, 2, "Strawberry and vegetable farms, Montérégie."),
    ("ministry_officer", -2, "unfilled", "6121", "", 15, 8, "National job bank: livestock and dairy workers."),
    ("ministry_officer", 3, "emerging", "9211", "", 40, None, "Projected from this season's planting intentions."),
]
# A report with a typing error, withdrawn by the employer that made it.
WITHDRAWN = ("employer", -1, "unfilled", "9211", "Ontario", 140, 4, "Harvest labourers.", "Typing error: 14, not 140.")


def _month(months: int) -> datetime.date:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _report(user: User, programme, months: int, kind: str, isco: str, region: str, vacancies: int, unfilled, note: str):
    period = _month(months)
    existing = VacancyReport.objects.filter(
        programme=programme, organisation_id=user.organisation_id, isco_code=isco, region=region, kind=kind, period=period
    ).first()
    if existing:
        return existing
    return services.vacancy_report_create(
        actor=user, programme=programme, kind=kind, isco_code=isco, region=region, period=period,
        vacancies=vacancies, months_unfilled=unfilled, note=note,
    )


@transaction.atomic
def build(orgs: dict, users: dict, programmes: dict) -> None:
    """Vacancy reports for the demo; `programmes` maps codes to Programme objects and must hold "CA-SAG"."""
    sag = programmes["CA-SAG"]
    reporters = dict(users)
    lakeshore = User.objects.filter(username=SECOND_EMPLOYER_USER).first()
    if lakeshore is not None:
        reporters["lakeshore"] = lakeshore
    for who, months, kind, isco, region, vacancies, unfilled, note in REPORTS:
        if who in reporters:
            _report(reporters[who], sag, months, kind, isco, region, vacancies, unfilled, note)
    who, months, kind, isco, region, vacancies, unfilled, note, reason = WITHDRAWN
    if who in reporters:
        report = _report(reporters[who], sag, months, kind, isco, region, vacancies, unfilled, note)
        if report.withdrawn_at is None:
            services.vacancy_report_withdraw(actor=reporters[who], report=report, reason=reason)
