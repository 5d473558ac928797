"""Priorities of the selection round: lottery numbers, the published points score and the tiers (plain Python)."""

import datetime
import hashlib

import pytest

from corridor.programmes.rulebook import Points
from corridor.selection import priority
from corridor.selection.priority import WorkerPoints

DAY = datetime.date(2027, 3, 15)
CONFIG = Points().model_dump()


def parts(worker=None, *, isco="9211", language="en", config=None, on=DAY):
    return priority.score(worker or WorkerPoints(), isco=isco, language=language, config=CONFIG if config is None else config,
                          on=on)


# --- lottery -----------------------------------------------------------------------------------------------------


def test_lottery_is_deterministic_and_follows_the_published_recipe():
    seed = "ab" * 32
    n = priority.lottery_number(seed, "W-123")
    assert n == priority.lottery_number(seed, "W-123")
    digest = hashlib.sha256(f"{seed}:W-123".encode()).digest()
    assert n == int.from_bytes(digest[:8], "big") >> 1


def test_lottery_depends_on_seed_and_worker_and_stays_in_range():
    seeds = [f"{i:064x}" for i in range(20)]
    numbers = [priority.lottery_number(s, "W-1") for s in seeds]
    assert len(set(numbers)) == len(numbers)
    numbers = [priority.lottery_number(seeds[0], f"W-{i}") for i in range(2000)]
    assert len(set(numbers)) == len(numbers)
    assert all(0 <= n < 2**63 for n in numbers)
    # Halved: the top bit is never set, so the numbers fit a signed 64-bit column; both halves of the range occur.
    assert any(n >= 2**62 for n in numbers) and any(n < 2**62 for n in numbers)


# --- language ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("level", "expected"), [
    ("A1", 1), ("a2", 2), ("B1", 3), ("B2", 4), ("C1", 5), ("C2", 6), ("CEFR B2", 4),
    ("pass", 1), ("Passed", 1), ("180", 1), ("TOPIK 3", 1),
    ("", 0), ("fail", 0), ("none", 0), (None, 0),
])
def test_language_level(level, expected):
    assert priority.language_level(level) == expected


def test_language_points_per_level_for_the_job_orders_language_only():
    worker = WorkerPoints(language_levels={"en": 4, "fr": 6})
    assert parts(worker, language="en")["language"] == 8.0
    assert parts(worker, language="fr")["language"] == 12.0
    assert parts(worker, language="es")["language"] == 0.0
    assert parts(worker, language="")["language"] == 0.0
    assert parts(worker, language="en", config={**CONFIG, "language_per_level": 3})["language"] == 12.0


# --- experience --------------------------------------------------------------------------------------------------


def test_experience_matched_by_occupation_prefix_and_capped():
    worker = WorkerPoints(experience={"9211": 4, "9212": 7.5, "7112": 30})
    assert parts(worker, isco="9211")["experience"] == 4.0
    assert parts(worker, isco="921")["experience"] == 7.5  # best of the unit groups under 921
    assert parts(worker, isco="9213")["experience"] == 0.0
    assert parts(worker, isco="7112")["experience"] == 10.0  # capped at experience_max_years
    capped = {**CONFIG, "experience_max_years": 3, "experience_per_year": 2}
    assert parts(worker, isco="9212", config=capped)["experience"] == 6.0
    # Experience in a broader group does not count for a narrower job occupation.
    assert parts(WorkerPoints(experience={"92": 5}), isco="9211")["experience"] == 0.0
    assert parts(worker, isco="")["experience"] == 0.0


# --- skills test -------------------------------------------------------------------------------------------------


def test_skills_test_scaled_to_its_maximum():
    assert parts(WorkerPoints(skills={"9211": 75}))["skills_test"] == 7.5
    assert parts(WorkerPoints(skills={"9211": 100}))["skills_test"] == 10.0
    assert parts(WorkerPoints(skills={"9211": 150}))["skills_test"] == 10.0
    assert parts(WorkerPoints(skills={"9211": 40, "92": 90}))["skills_test"] == 9.0  # a test of the wider group counts
    assert parts(WorkerPoints(skills={"7112": 100}))["skills_test"] == 0.0
    assert parts(WorkerPoints(skills={"9211": 50}), config={**CONFIG, "skills_test_max": 20})["skills_test"] == 10.0


# --- waiting -----------------------------------------------------------------------------------------------------


def test_waiting_whole_months_capped():
    ready = WorkerPoints(work_ready_since=datetime.date(2026, 12, 16))
    assert parts(ready)["waiting"] == 1.0  # 16 Dec to 15 Mar: 2 whole months, x 0.5
    assert priority.whole_months(datetime.date(2026, 12, 16), DAY) == 2
    assert priority.whole_months(datetime.date(2026, 12, 15), DAY) == 3
    assert priority.whole_months(datetime.date(2027, 4, 1), DAY) == 0
    assert parts(WorkerPoints(work_ready_since=datetime.date(2020, 1, 1)))["waiting"] == 12.0  # 24 months cap x 0.5
    assert parts(WorkerPoints(work_ready_since=datetime.date(2020, 1, 1)),
                 config={**CONFIG, "waiting_max_months": 6, "waiting_per_month": 1})["waiting"] == 6.0
    assert parts(WorkerPoints(work_ready_since=None))["waiting"] == 0.0
    assert parts(WorkerPoints(work_ready_since=datetime.date(2028, 1, 1)))["waiting"] == 0.0


# --- first time from an under-represented region -----------------------------------------------------------------


def test_first_time_bonus_only_for_listed_regions_case_insensitive():
    config = {**CONFIG, "underrepresented_regions": ["Oaxaca", " chiapas "]}
    assert parts(WorkerPoints(region="oaxaca", first_time=True), config=config)["first_time_underrepresented"] == 5.0
    assert parts(WorkerPoints(region="CHIAPAS ", first_time=True), config=config)["first_time_underrepresented"] == 5.0
    assert parts(WorkerPoints(region="Jalisco", first_time=True), config=config)["first_time_underrepresented"] == 0.0
    assert parts(WorkerPoints(region="Oaxaca", first_time=False), config=config)["first_time_underrepresented"] == 0.0
    assert parts(WorkerPoints(region="", first_time=True), config=config)["first_time_underrepresented"] == 0.0
    assert parts(WorkerPoints(region="Oaxaca", first_time=True))["first_time_underrepresented"] == 0.0  # none listed


def test_score_accepts_the_points_model_and_totals():
    config = Points(underrepresented_regions=["Oaxaca"])
    worker = WorkerPoints(language_levels={"en": 3}, experience={"9211": 2}, skills={"9211": 55},
                          work_ready_since=datetime.date(2026, 3, 15), region="Oaxaca")
    got = priority.score(worker, isco="9211", language="en", config=config, on=DAY)
    assert got == {"language": 6.0, "experience": 2.0, "skills_test": 5.5, "waiting": 6.0,
                   "first_time_underrepresented": 5.0}
    assert set(got) == set(priority.POINT_PARTS)
    assert priority.total(got) == 24.5
    assert priority.score(WorkerPoints(), isco="9211", language="en", config={}, on=DAY) == dict.fromkeys(
        priority.POINT_PARTS, 0.0)


# --- order and tiers ---------------------------------------------------------------------------------------------


def test_sort_key_orders_tier_then_points_then_lottery():
    keys = [priority.sort_key(4, 10.0, 5), priority.sort_key(2, 0.0, 9), priority.sort_key(4, 10.0, 1),
            priority.sort_key(4, 12.5, 99), priority.sort_key(1, 0.0, 100)]
    assert sorted(keys) == [(1, 0, 100), (2, 0, 9), (4, -1250, 99), (4, -1000, 1), (4, -1000, 5)]
    # Points compare exactly in hundredths: float noise does not break ties.
    assert priority.points_key(0.1 + 0.2) == priority.points_key(0.3) == 30


@pytest.mark.parametrize(("named", "recalled", "passed_over", "moves_up_after", "tier"), [
    (True, True, 5, 2, priority.TIER_NAMED),
    (True, False, 0, None, priority.TIER_NAMED),
    (False, True, 5, 2, priority.TIER_RECALL),
    (False, False, 2, 2, priority.TIER_PASSED_OVER),
    (False, False, 3, 2, priority.TIER_PASSED_OVER),
    (False, False, 1, 2, priority.TIER_POINTS),
    (False, False, 9, None, priority.TIER_POINTS),  # matching programmes have no passed-over tier
    (False, False, 0, None, priority.TIER_POINTS),
])
def test_tier_of(named, recalled, passed_over, moves_up_after, tier):
    assert priority.tier_of(named=named, recalled=recalled, passed_over=passed_over, moves_up_after=moves_up_after) == tier
    assert priority.TIERS == (1, 2, 3, 4)
