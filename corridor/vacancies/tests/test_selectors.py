"""The aggregate read from the database: open reports of the programme within the months, by role."""

import datetime

import pytest

from corridor.core.access import Role
from corridor.core.errors import InvalidInput
from corridor.vacancies import selectors, services
from corridor.vacancies.tests.conftest import LAST_MONTH, THIS_MONTH

pytestmark = pytest.mark.django_db

MONTH = LAST_MONTH.strftime("%Y-%m")


@pytest.fixture
def reports(programme, make_user, report):
    """9211 Ontario by three employers (30 unfilled), 6111 Ontario by one employer, one withdrawn report."""
    employers = [make_user(Role.EMPLOYER, country="CA") for _ in range(3)]
    for user, vacancies, months in zip(employers, (10, 12, 8), (2, 6, 3), strict=True):
        report(user, vacancies=vacancies, months_unfilled=months)
    report(employers[0], isco_code="6111", vacancies=5)
    withdrawn = report(employers[1], isco_code="6111", vacancies=900)
    services.vacancy_report_withdraw(actor=employers[1], report=withdrawn, reason="Wrong.")
    return employers


def _lines(result):
    return {(line.isco_code, line.region): line for line in result.lines}


def test_the_ministry_reads_every_line(reports, ministry, programme):
    result = selectors.vacancy_aggregate(user=ministry, programme=programme, period_from=MONTH, period_to=MONTH)
    lines = _lines(result)
    assert not result.suppressed_view and result.period_from == LAST_MONTH == result.period_to
    shortage = lines[("9211", "Ontario")]
    assert (shortage.unfilled, shortage.reporters, shortage.median_months_unfilled, shortage.suggest_shortage) == (30, 3, 3.0, True)
    assert lines[("6111", "Ontario")].unfilled == 5  # the withdrawn 900 is not counted
    assert result.titles["9211"] == "Crop farm labourers"


def test_social_partners_read_suppressed_lines(reports, union, programme):
    result = selectors.vacancy_aggregate(user=union, programme=programme, period_from=MONTH, period_to=MONTH)
    lines = _lines(result)
    assert result.suppressed_view
    assert lines[("9211", "Ontario")].unfilled == 30
    single = lines[("6111", "Ontario")]
    assert single.suppressed and single.unfilled is None and single.reporters is None
    assert "6111" in result.csv() and ",5," not in result.csv()


def test_months_level_region_and_breakdown(reports, ministry, programme, report, make_user):
    report(make_user(Role.EMPLOYER, country="CA"), region="Québec", period=THIS_MONTH.strftime("%Y-%m"), vacancies=4)
    this_month = selectors.vacancy_aggregate(user=ministry, programme=programme, period_from=THIS_MONTH, period_to=THIS_MONTH)
    assert list(_lines(this_month)) == [("9211", "Québec")]
    # Defaults: the 12 months up to this one and the 12 ahead, where emerging needs are.
    report(make_user(Role.EMPLOYER, country="CA"), kind="emerging", months_unfilled=None, period=selectors._shift(THIS_MONTH, 12))
    default = selectors.vacancy_aggregate(user=ministry, programme=programme)
    assert (default.period_from, default.period_to) == (selectors._shift(THIS_MONTH, -11), selectors._shift(THIS_MONTH, 12))
    assert len(default.lines) == 3 and _lines(default)[("9211", "Ontario")].emerging == 12
    until = selectors.vacancy_aggregate(user=ministry, programme=programme, period_to=MONTH)
    assert (until.period_from, until.period_to) == (selectors._shift(LAST_MONTH, -11), LAST_MONTH)
    national = selectors.vacancy_aggregate(user=ministry, programme=programme, isco_level=1, by_region=False)
    assert [(line.isco_code, line.region, line.unfilled) for line in national.lines] == [("6", "", 5), ("9", "", 34)]
    quebec = selectors.vacancy_aggregate(user=ministry, programme=programme, region="québec")
    assert [line.unfilled for line in quebec.lines] == [4]
    assert default.filename.startswith("vacancies-ca-sag-") and default.filename.endswith("-isco4.csv")


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"period_from": "2026-13"}, "from"),
        ({"period_to": "May"}, "to"),
        ({"period_from": "2026-05", "period_to": "2026-01"}, "from"),
        ({"isco_level": 5}, "isco_level"),
        ({"isco_level": 0}, "isco_level"),
        ({"threshold": 0}, "threshold"),
        ({"region": "r" * 101}, "region"),
    ],
)
def test_bad_filters_name_their_field(programme, ministry, kwargs, field):
    with pytest.raises(InvalidInput) as exc:
        selectors.vacancy_aggregate(user=ministry, programme=programme, **kwargs)
    assert field in {e["field"] for e in exc.value.errors}


def test_a_date_may_be_given_for_the_months(programme, ministry):
    result = selectors.vacancy_aggregate(
        user=ministry, programme=programme, period_from=datetime.date(2026, 1, 15), period_to=datetime.date(2026, 2, 3)
    )
    assert (result.period_from, result.period_to) == (datetime.date(2026, 1, 1), datetime.date(2026, 2, 1))
