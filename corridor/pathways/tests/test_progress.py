"""The plain progress arithmetic: days counted once, whole months of 30.44 days, eligibility and its date."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.pathways import progress as p

D = datetime.date
TODAY = D(2026, 11, 29)
RULE = {"enabled": True, "seasons_required": 2, "months_required": 6, "target_status": "Permanent residence"}


def test_no_stay_no_days():
    assert p.days_at_destination([], TODAY) == 0
    assert p.compute(intervals=[], seasons=0, rule=RULE, today=TODAY).months == 0


def test_a_stay_counts_from_arrival_up_to_the_return():
    assert p.days_at_destination([(D(2026, 3, 1), D(2026, 4, 1))], TODAY) == 31


def test_a_chain_of_journeys_counts_each_day_once():
    chained = [(D(2026, 3, 1), D(2026, 4, 10)), (D(2026, 4, 10), D(2026, 6, 1))]
    assert p.days_at_destination(chained, TODAY) == (D(2026, 6, 1) - D(2026, 3, 1)).days
    assert p.merge(chained, TODAY) == [(D(2026, 3, 1), D(2026, 6, 1))]


def test_overlapping_stays_count_each_day_once():
    overlapping = [(D(2026, 3, 1), D(2026, 5, 1)), (D(2026, 4, 1), D(2026, 6, 1)), (D(2026, 3, 10), D(2026, 3, 20))]
    assert p.days_at_destination(overlapping, TODAY) == (D(2026, 6, 1) - D(2026, 3, 1)).days


def test_a_stay_that_goes_on_counts_up_to_today_and_not_beyond():
    assert p.days_at_destination([(D(2026, 11, 1), None)], TODAY) == 28
    assert p.days_at_destination([(D(2026, 11, 1), D(2027, 2, 1))], TODAY) == 28
    assert p.days_at_destination([(D(2027, 1, 1), None)], TODAY) == 0


@pytest.mark.parametrize("days, months", [(0, 0), (30, 0), (31, 1), (60, 1), (61, 2), (182, 5), (183, 6),
                                          (365, 11), (366, 12), (-5, 0)])
def test_whole_months_are_days_over_30_44_rounded_down(days, months):
    assert p.whole_months(days) == months


def test_eligible_only_when_every_requirement_set_is_met():
    stay = [(TODAY - datetime.timedelta(days=190), TODAY - datetime.timedelta(days=5))]
    result = p.compute(intervals=stay, seasons=2, rule=RULE, today=TODAY)
    assert (result.eligible, result.missing, result.months, result.days) == (True, {}, 6, 185)
    short = p.compute(intervals=stay, seasons=1, rule=RULE, today=TODAY)
    assert (short.eligible, short.missing, short.near) == (False, {"seasons": 1}, True)
    seasons_only = p.compute(intervals=[], seasons=2, rule={**RULE, "months_required": None}, today=TODAY)
    assert seasons_only.eligible and seasons_only.months_required is None


def test_no_pathway_no_eligibility():
    result = p.compute(intervals=[(D(2020, 1, 1), D(2025, 1, 1))], seasons=9, rule={"enabled": False}, today=TODAY)
    assert not result.enabled and not result.eligible and not result.near
    assert not p.compute(intervals=[], seasons=5, rule=None, today=TODAY).eligible
    assert not p.compute(intervals=[], seasons=5, rule={"enabled": True}, today=TODAY).eligible


def test_the_date_of_eligibility_if_the_current_stay_goes_on():
    arrived = TODAY - datetime.timedelta(days=100)
    result = p.compute(intervals=[(arrived, None)], seasons=2, rule=RULE, today=TODAY,
                       contract_end=TODAY + datetime.timedelta(days=120))
    assert result.missing == {"months": 3} and not result.eligible
    assert result.eligible_on == arrived + datetime.timedelta(days=183)
    on_the_day = p.compute(intervals=[(arrived, None)], seasons=2, rule=RULE, today=result.eligible_on)
    day_before = p.compute(intervals=[(arrived, None)], seasons=2, rule=RULE,
                           today=result.eligible_on - datetime.timedelta(days=1))
    assert on_the_day.eligible and not day_before.eligible


def test_no_date_when_the_contract_ends_too_early_or_seasons_are_missing():
    arrived = TODAY - datetime.timedelta(days=100)
    early = p.compute(intervals=[(arrived, None)], seasons=2, rule=RULE, today=TODAY,
                      contract_end=TODAY + datetime.timedelta(days=30))
    assert early.eligible_on is None
    two_short = p.compute(intervals=[(arrived, None)], seasons=0, rule=RULE, today=TODAY,
                          contract_end=TODAY + datetime.timedelta(days=200), ongoing_adds_season=True)
    assert two_short.eligible_on is None and two_short.missing["seasons"] == 2


def test_a_season_completed_at_the_contract_end_dates_eligibility():
    arrived = TODAY - datetime.timedelta(days=200)
    end = TODAY + datetime.timedelta(days=40)
    result = p.compute(intervals=[(arrived, None)], seasons=1, rule=RULE, today=TODAY, contract_end=end,
                       ongoing_adds_season=True)
    assert result.missing == {"seasons": 1} and result.eligible_on == end
    assert p.compute(intervals=[(arrived, None)], seasons=1, rule=RULE, today=TODAY, contract_end=end,
                     ongoing_adds_season=False).eligible_on is None


def test_near_means_at_most_one_season_and_three_months_short():
    stay = [(TODAY - datetime.timedelta(days=100), TODAY - datetime.timedelta(days=1))]
    assert p.compute(intervals=stay, seasons=1, rule=RULE, today=TODAY).near  # 1 season, 3 months short
    assert not p.compute(intervals=stay, seasons=0, rule=RULE, today=TODAY).near
    assert not p.compute(intervals=[], seasons=1, rule=RULE, today=TODAY).near  # 6 months short


@pytest.mark.parametrize("intervals, field", [
    ([(D(2026, 5, 1), D(2026, 4, 1))], "intervals.0"),
    ([("2026-01-01", None)], "intervals.0"),
    ([(D(2026, 1, 1),)], "intervals.0"),
])
def test_bad_intervals_are_named(intervals, field):
    with pytest.raises(p.ProgressError) as exc:
        p.compute(intervals=intervals, seasons=0, rule=RULE, today=TODAY)
    assert exc.value.field == field


@pytest.mark.parametrize("rule, seasons, field", [
    ({**RULE, "seasons_required": 0}, 0, "rule.seasons_required"),
    ({**RULE, "months_required": "6"}, 0, "rule.months_required"),
    ("yes", 0, "rule"),
    (RULE, -1, "seasons"),
])
def test_bad_rules_and_counts_are_named(rule, seasons, field):
    with pytest.raises(p.ProgressError) as exc:
        p.compute(intervals=[], seasons=seasons, rule=rule, today=TODAY)
    assert exc.value.field == field


# --- property-style: months are never counted twice --------------------------------------------------------------

BASE = D(2020, 1, 1)
spans = st.lists(st.tuples(st.integers(0, 2500), st.integers(0, 400), st.booleans()), max_size=12)


def _intervals(raw):
    out = []
    for offset, length, open_ended in raw:
        start = BASE + datetime.timedelta(days=offset)
        out.append((start, None if open_ended else start + datetime.timedelta(days=length)))
    return out


def _brute(intervals, today):
    days = set()
    for start, end in intervals:
        stop = today if end is None else min(end, today)
        day = start
        while day < stop:
            days.add(day)
            day += datetime.timedelta(days=1)
    return len(days)


@settings(max_examples=150, deadline=None)
@given(spans, st.integers(0, 3000))
def test_days_equal_the_distinct_days_covered(raw, today_offset):
    today = BASE + datetime.timedelta(days=today_offset)
    intervals = _intervals(raw)
    assert p.days_at_destination(intervals, today) == _brute(intervals, today)


@settings(max_examples=150, deadline=None)
@given(spans, st.integers(0, 3000), st.data())
def test_repeating_or_splitting_a_stay_into_a_chain_changes_nothing(raw, today_offset, data):
    today = BASE + datetime.timedelta(days=today_offset)
    intervals = _intervals(raw)
    before = p.compute(intervals=intervals, seasons=0, rule=RULE, today=today)
    doubled = intervals + intervals
    assert p.compute(intervals=doubled, seasons=0, rule=RULE, today=today).months == before.months
    chained = []
    for start, end in intervals:
        if end is None or (end - start).days < 2:
            chained.append((start, end))
            continue
        cut = start + datetime.timedelta(days=data.draw(st.integers(1, (end - start).days - 1)))
        chained += [(start, cut), (cut, end)]  # the move to a new employer: one journey ends, the next begins
    after = p.compute(intervals=chained, seasons=0, rule=RULE, today=today)
    assert (after.days, after.months) == (before.days, before.months)


@settings(max_examples=150, deadline=None)
@given(spans, st.integers(0, 3000))
def test_months_never_exceed_the_sum_of_the_stays(raw, today_offset):
    today = BASE + datetime.timedelta(days=today_offset)
    intervals = _intervals(raw)
    total = sum(((today if e is None else min(e, today)) - s).days for s, e in intervals
                if (today if e is None else min(e, today)) > s)
    result = p.compute(intervals=intervals, seasons=0, rule=RULE, today=today)
    assert result.days <= total
    assert result.months == int(result.days // 30.44)
