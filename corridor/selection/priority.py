"""A worker's priority at a job order, from the programme's rule version. Plain Python, no Django.

Priority comes in tiers (docs/selection.md), best first:

1. named for recall by the job order's employer, with the worker's consent;
2. recalled by rule: the worker completed a season in the programme and returned as agreed, whatever the employer
   thinks of them;
3. in employer-shortlist programmes only: passed over by employers `passed_over_moves_up_after` times or more;
4. everybody else.

Within a tier the published points score decides (higher first), and ties go to the lower lottery number. Each worker
draws one lottery number per round from the seed published before the run: the first 8 bytes of
SHA-256("<seed>:<worker identifier>"), read as a big-endian integer and halved (0 <= n < 2**63).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from corridor.workers.eligibility import PASSED, cefr_level

TIER_NAMED = 1
TIER_RECALL = 2
TIER_PASSED_OVER = 3
TIER_POINTS = 4
TIERS = (TIER_NAMED, TIER_RECALL, TIER_PASSED_OVER, TIER_POINTS)

POINT_PARTS = ("language", "experience", "skills_test", "waiting", "first_time_underrepresented")


@dataclass(frozen=True)
class WorkerPoints:
    """What the points score needs to know of a worker."""

    language_levels: Mapping[str, int] = field(default_factory=dict)  # language -> best level, CEFR A1 = 1 ... C2 = 6
    experience: Mapping[str, float] = field(default_factory=dict)  # ISCO-08 unit group -> years
    skills: Mapping[str, float] = field(default_factory=dict)  # ISCO-08 code tested -> best score, 0-100
    work_ready_since: datetime.date | None = None
    first_time: bool = True
    region: str = ""


def language_level(level: str) -> int:
    """Points levels of one language result: its CEFR level (1-6), 1 for a pass or a score, 0 otherwise."""
    cefr = cefr_level(level)
    if cefr is not None:
        return cefr
    text = str(level or "").strip().casefold()
    if text in PASSED or any(ch.isdigit() for ch in text):
        return 1
    return 0


def lottery_number(seed: str, worker: str) -> int:
    """The worker's lottery number in the round drawn from `seed`; lower numbers win ties."""
    digest = hashlib.sha256(f"{seed}:{worker}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def whole_months(start: datetime.date, end: datetime.date) -> int:
    """Whole months from `start` to `end` (0 when `end` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)
    return max(0, months)


def _rule(config: Mapping | object, name: str, default):
    if type(config) is dict:  # the common case, without the slower abstract-class check
        return config.get(name, default)
    if isinstance(config, Mapping):
        return config.get(name, default)
    return getattr(config, name, default)


def _matches(code: str, wanted: str) -> bool:
    return bool(wanted) and code.startswith(wanted)


def score(worker: WorkerPoints, *, isco: str, language: str, config: Mapping | object, on: datetime.date) -> dict[str, float]:
    """The points of each part of the score for a job order in occupation `isco` asking for `language`, on the day
    of the run; `config` is the rule version's `selection.points`. The total is `sum(parts.values())`."""
    parts = dict.fromkeys(POINT_PARTS, 0.0)
    if language:
        parts["language"] = worker.language_levels.get(language, 0) * float(_rule(config, "language_per_level", 2))
    years = max((y for code, y in worker.experience.items() if _matches(code, isco)), default=0.0)
    years = min(float(years), float(_rule(config, "experience_max_years", 10)))
    parts["experience"] = years * float(_rule(config, "experience_per_year", 1))
    tested = max((s for code, s in worker.skills.items() if _matches(code, isco) or _matches(isco, code)), default=0.0)
    parts["skills_test"] = min(float(tested), 100.0) / 100.0 * float(_rule(config, "skills_test_max", 10))
    if worker.work_ready_since is not None:
        months = min(whole_months(worker.work_ready_since, on), int(_rule(config, "waiting_max_months", 24)))
        parts["waiting"] = months * float(_rule(config, "waiting_per_month", 0.5))
    regions = {str(r).strip().casefold() for r in _rule(config, "underrepresented_regions", []) or []}
    if worker.first_time and worker.region.strip().casefold() in regions:
        parts["first_time_underrepresented"] = float(_rule(config, "first_time_underrepresented", 5))
    return {k: round(v, 2) for k, v in parts.items()}


def total(parts: Mapping[str, float]) -> float:
    return round(sum(parts.values()), 2)


def points_key(points: float) -> int:
    """Points as an integer in hundredths, so that priorities compare exactly."""
    return int(round(points * 100))


def sort_key(tier: int, points: float, lottery: int) -> tuple[int, int, int]:
    """The order of priority at a job order: lower keys come first."""
    return (tier, -points_key(points), lottery)


def tier_of(*, named: bool, recalled: bool, passed_over: int, moves_up_after: int | None) -> int:
    """The tier of a worker at a job order (moves_up_after is None outside shortlist programmes)."""
    if named:
        return TIER_NAMED
    if recalled:
        return TIER_RECALL
    if moves_up_after is not None and passed_over >= moves_up_after:
        return TIER_PASSED_OVER
    return TIER_POINTS
