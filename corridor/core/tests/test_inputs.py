"""One reader for date fields in every service."""

import datetime

import pytest

from corridor.core.inputs import date_field


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2027-05-03", datetime.date(2027, 5, 3)),
        (" 2027-05-03T10:00:00 ", datetime.date(2027, 5, 3)),
        (datetime.datetime(2027, 5, 3, 9, 0), datetime.date(2027, 5, 3)),
        (datetime.date(2027, 5, 3), datetime.date(2027, 5, 3)),
    ],
)
def test_reads_dates(raw, expected):
    errors = []
    assert date_field({"day": raw}, "day", errors) == expected and errors == []


@pytest.mark.parametrize(
    ("raw", "words"),
    [("", "required"), (None, "required"), ("2027-13-01", "not a date"), ("tomorrow", "not a date"), ("0027-05-03", "between 1900")],
)
def test_names_the_field_when_wrong(raw, words):
    errors = []
    assert date_field({"day": raw}, "day", errors) is None
    assert errors[0]["field"] == "day" and words in errors[0]["message"]


def test_optional_dates_may_be_empty():
    errors = []
    assert date_field({}, "day", errors, required=False) is None and errors == []
