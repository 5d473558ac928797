"""The vacancy demo data: what it builds, and that building it twice changes nothing."""

import pytest

from corridor.accounts.models import OrgKind
from corridor.core.access import Role
from corridor.core.models import AuditEvent
from corridor.vacancies import demo, selectors
from corridor.vacancies.models import VacancyReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def inputs(make_user, make_org, programme):
    users = {
        "employer": make_user(Role.EMPLOYER, country="CA"),
        "employers_org": make_user(Role.EMPLOYERS_ORG, country="CA"),
        "union": make_user(Role.UNION, country="CA"),
        "ministry_officer": make_user(Role.MINISTRY_OFFICER, country="CA"),
    }
    make_user(Role.EMPLOYER, organisation=make_org(OrgKind.EMPLOYER, "CA"), username=demo.SECOND_EMPLOYER_USER)
    return {}, users, {"CA-SAG": programme}


def _counts():
    return [VacancyReport.objects.count(), VacancyReport.objects.filter(withdrawn_at__isnull=False).count(), AuditEvent.objects.count()]


def test_build_is_idempotent_and_shows_every_case(inputs, make_user):
    orgs, users, programmes = inputs
    demo.build(orgs, users, programmes)
    first = _counts()
    demo.build(orgs, users, programmes)
    assert _counts() == first
    assert first[:2] == [len(demo.REPORTS) + 1, 1]
    ministry = selectors.vacancy_aggregate(user=users["ministry_officer"], programme=programmes["CA-SAG"], period_to=demo._month(3))
    suggested = {(line.isco_code, line.region) for line in ministry.lines if line.suggest_shortage}
    assert suggested == {("9211", "Ontario"), ("6112", "Ontario")}
    union = selectors.vacancy_aggregate(user=users["union"], programme=programmes["CA-SAG"], period_to=demo._month(3))
    assert any(line.suppressed for line in union.lines) and any(not line.suppressed for line in union.lines)
    # The withdrawn figure of 140 is not counted.
    ontario = next(line for line in ministry.lines if (line.isco_code, line.region) == ("9211", "Ontario"))
    assert ontario.unfilled == 14 + 8 + 25


def test_build_without_the_second_employer_skips_its_reports(make_user, programme):
    users = {"employer": make_user(Role.EMPLOYER, country="CA")}
    demo.build({}, users, {"CA-SAG": programme})
    assert VacancyReport.objects.count() == sum(1 for r in demo.REPORTS if r[0] == "employer") + 1
