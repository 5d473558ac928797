"""The aggregation core on plain rows: grouping by ISCO level and region, latest report per organisation,
small-cell suppression, the shortage suggestion, the median and the CSV."""

import csv
import datetime
import io

import pytest

from corridor.vacancies.aggregate import Line, Row, aggregate, group_code, parse_month, to_csv

JAN, FEB, MAR = (datetime.date(2026, m, 1) for m in (1, 2, 3))


def row(isco="9211", region="Ontario", kind="unfilled", period=MAR, vacancies=5, months=None, reporter=1):
    return Row(isco, region, kind, period, vacancies, months, reporter)


def by_key(lines):
    return {(line.isco_code, line.region): line for line in lines}


def test_parse_month_and_group_code():
    assert parse_month("2026-03") == MAR
    assert parse_month(" 2026-12 ") == datetime.date(2026, 12, 1)
    assert [parse_month(t) for t in ("2026-13", "2026-00", "2026-3", "26-03", "", "2026-03-01", "0000-01")] == [None] * 7
    assert group_code("9211", 2) == "92" and group_code("92", 4) == "92"


def test_groups_by_isco_level_and_region():
    rows = [
        row("9211", "Ontario", vacancies=5, reporter=1),
        row("9212", "Ontario", vacancies=7, reporter=2),
        row("9211", "Québec", vacancies=3, reporter=3),
        row("6111", "Ontario", kind="emerging", vacancies=4, reporter=1),
    ]
    unit = by_key(aggregate(rows, isco_level=4))
    assert set(unit) == {("9211", "Ontario"), ("9212", "Ontario"), ("9211", "Québec"), ("6111", "Ontario")}
    minor = by_key(aggregate(rows, isco_level=3))
    assert minor[("921", "Ontario")].unfilled == 12 and minor[("921", "Ontario")].reporters == 2
    assert minor[("611", "Ontario")].emerging == 4 and minor[("611", "Ontario")].unfilled == 0
    major = aggregate(rows, isco_level=1, by_region=False)
    assert [(line.isco_code, line.region, line.unfilled, line.emerging, line.reporters) for line in major] == [
        ("6", "", 0, 4, 1),
        ("9", "", 15, 0, 3),
    ]


def test_regions_match_whatever_their_case_and_the_whole_country_comes_first():
    lines = aggregate([row(region="ontario", reporter=1), row(region=" Ontario", reporter=2), row(region="", reporter=3)], isco_level=4)
    assert [(line.region, line.reporters) for line in lines] == [("", 1), ("ontario", 2)]


def test_only_the_latest_report_of_each_organisation_counts():
    rows = [
        row(period=MAR, vacancies=9, reporter=1),
        row(period=JAN, vacancies=12, reporter=1),
        row(period=FEB, vacancies=11, reporter=1),
        row(period=JAN, vacancies=4, reporter=2),
    ]
    (line,) = aggregate(rows, isco_level=4)
    assert line.unfilled == 9 + 4 and line.reporters == 2


def test_small_cells_are_suppressed_for_restricted_readers_only():
    rows = [row(reporter=1, vacancies=30), row(reporter=2, vacancies=20), row("6111", reporter=1), row("6111", reporter=2), row("6111", reporter=3)]
    full = by_key(aggregate(rows, isco_level=4))
    assert full[("9211", "Ontario")].unfilled == 50 and not full[("9211", "Ontario")].suppressed
    restricted = by_key(aggregate(rows, isco_level=4, suppress=True))
    small = restricted[("9211", "Ontario")]
    assert small == Line("9211", "Ontario", None, None, None, None, False, True)
    assert restricted[("6111", "Ontario")].unfilled == 15 and restricted[("6111", "Ontario")].reporters == 3
    # Two reports from one organisation still make one reporter.
    (line,) = aggregate([row(reporter=7), row(region="Ontario", kind="emerging", reporter=7), row(reporter=8)], isco_level=4, suppress=True)
    assert line.suppressed


def test_shortage_is_suggested_from_the_threshold_and_three_organisations_reporting_unfilled():
    three = [row(reporter=r, vacancies=4) for r in (1, 2, 3)]
    assert aggregate(three, isco_level=4)[0].suggest_shortage  # 12 >= 10
    assert not aggregate(three, isco_level=4, threshold=13)[0].suggest_shortage
    # One organisation with many vacancies is not enough.
    assert not aggregate([row(vacancies=500)], isco_level=4)[0].suggest_shortage
    # Emerging needs of a third organisation do not make the unfilled ones a shortage.
    mixed = [row(reporter=1, vacancies=20), row(reporter=2, vacancies=20), row(kind="emerging", reporter=3, vacancies=20)]
    line = aggregate(mixed, isco_level=4)[0]
    assert line.reporters == 3 and not line.suggest_shortage


def test_median_months_unfilled_over_unfilled_reports_that_give_one():
    rows = [row(reporter=1, months=2), row(reporter=2, months=9), row(reporter=3, months=4), row(reporter=4), row(kind="emerging", reporter=5)]
    assert aggregate(rows, isco_level=4)[0].median_months_unfilled == 4.0
    rows.append(row(reporter=6, months=5))
    assert aggregate(rows, isco_level=4)[0].median_months_unfilled == 4.5
    assert aggregate([row(kind="emerging")], isco_level=4)[0].median_months_unfilled is None


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        aggregate([row()], isco_level=5)
    with pytest.raises(ValueError):
        aggregate([row(kind="filled")], isco_level=4)
    assert aggregate([], isco_level=2) == []


def test_csv_has_a_header_empty_suppressed_cells_and_no_formulas():
    lines = [
        Line("9211", "=cmd()", 47, 0, 3, 4.0, True, False),
        Line("6113", "Ontario", None, None, None, None, False, True),
    ]
    text = to_csv(lines, titles={"9211": "Crop farm labourers"})
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:3] == ["isco_code", "isco_title", "region"]
    assert table[1] == ["9211", "Crop farm labourers", "'=cmd()", "47", "0", "3", "4", "yes", "no"]
    assert table[2] == ["6113", "", "Ontario", "", "", "", "", "no", "yes"]
