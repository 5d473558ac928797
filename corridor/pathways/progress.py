"""A worker's progress towards a programme's pathway to a longer-term status. Plain Python, no Django.

GB.346 para 23 and 45 (pathways to other statuses), Madrid para 27 and 31. The programme's rule (`RuleSet.pathway`)
says how many completed seasons and/or months at destination a worker needs; every requirement that is set must be
met.

- Seasons: the caller passes the number of completed seasons (the selection app's season records).
- Months: the time between arrival and return of each stay (or today, while the stay goes on). Stays are given as
  (start, end) date intervals, end None for a stay that goes on. A day counts once however many intervals cover it,
  so overlapping stays and a chain of journeys with successive employers (one ends the day the next begins) are
  never counted twice. An interval covers the days from its start up to, not including, its end (the day of return
  is not a day at destination; a stay from 1 March to 1 April is 31 days).
- Whole months: days / 30.44 (the mean length of a Gregorian month), rounded down. A worker has M months when they
  have at least ceil(M x 30.44) days. Calendar months are not used: chained stays across employers would otherwise
  be cut into partial months at every change.
- The date of eligibility: when a requirement is missing and the current stay (if any) would meet it by the end of
  the contract, the first day on which it is met; for seasons, the season completed at the contract's end (the
  caller says whether the current stay will add a season). None when it cannot be computed or would come too late.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

DAYS_PER_MONTH = 30.44
NEAR_SEASONS = 1  # "nearly eligible": at most one season missing ...
NEAR_MONTHS = 3  # ... and at most three months missing (or eligible by the end of the current contract).

Interval = tuple[datetime.date, datetime.date | None]


class ProgressError(ValueError):
    """An input the progress cannot be computed from; `field` names it."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Progress:
    enabled: bool
    target_status: str
    seasons: int
    seasons_required: int | None
    days: int
    months: int
    months_required: int | None
    eligible: bool
    missing: dict = field(default_factory=dict)  # {"seasons": n, "months": n}: what is still needed
    eligible_on: datetime.date | None = None

    @property
    def near(self) -> bool:
        """Not yet eligible, but close: eligible by the end of the current contract, or at most one season and three
        months short."""
        if not self.enabled or self.eligible:
            return False
        if self.eligible_on is not None:
            return True
        return self.missing.get("seasons", 0) <= NEAR_SEASONS and self.missing.get("months", 0) <= NEAR_MONTHS

    def as_dict(self) -> dict:
        return {"enabled": self.enabled, "target_status": self.target_status, "seasons": self.seasons,
                "seasons_required": self.seasons_required, "days": self.days, "months": self.months,
                "months_required": self.months_required, "eligible": self.eligible, "near": self.near,
                "missing": dict(self.missing),
                "eligible_on": self.eligible_on.isoformat() if self.eligible_on else None}


def _checked(intervals: Iterable[Interval], today: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    out = []
    for i, pair in enumerate(intervals):
        try:
            start, end = pair
        except (TypeError, ValueError):
            raise ProgressError(f"intervals.{i}", "Give a (start, end) pair.") from None
        if not isinstance(start, datetime.date) or (end is not None and not isinstance(end, datetime.date)):
            raise ProgressError(f"intervals.{i}", "Start and end must be dates (end may be empty).")
        if isinstance(start, datetime.datetime) or isinstance(end, datetime.datetime):
            start = start.date() if isinstance(start, datetime.datetime) else start
            end = end.date() if isinstance(end, datetime.datetime) else end
        stop = today if end is None else min(end, today)
        if end is not None and end < start:
            raise ProgressError(f"intervals.{i}", "The stay ends before it starts.")
        if stop > start:
            out.append((start, stop))
    return out


def merge(intervals: Iterable[Interval], today: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The stays as disjoint half-open intervals [start, end), ended today at the latest, touching ones joined."""
    merged: list[list[datetime.date]] = []
    for start, end in sorted(_checked(intervals, today)):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def days_at_destination(intervals: Iterable[Interval], today: datetime.date) -> int:
    """Days covered by at least one stay, up to today; each day once."""
    return sum((end - start).days for start, end in merge(intervals, today))


def whole_months(days: int) -> int:
    """Whole months in `days`: days / 30.44, rounded down."""
    if days <= 0:
        return 0
    months = math.floor(days / DAYS_PER_MONTH)
    # Guard against floating error at the boundary: M months need exactly ceil(M x 30.44) days.
    while days_for_months(months + 1) <= days:
        months += 1
    while months > 0 and days_for_months(months) > days:
        months -= 1
    return months


def days_for_months(months: int) -> int:
    """The fewest days that make `months` whole months."""
    return math.ceil(round(months * DAYS_PER_MONTH, 6))


def _rule(rule: dict | None) -> tuple[bool, int | None, int | None, str]:
    rule = rule or {}
    if not isinstance(rule, dict):
        raise ProgressError("rule", "The pathway rule must be an object.")
    enabled = bool(rule.get("enabled"))
    seasons, months = rule.get("seasons_required"), rule.get("months_required")
    for name, value in (("seasons_required", seasons), ("months_required", months)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ProgressError(f"rule.{name}", "Must be a whole number of at least 1, or empty.")
    return enabled, seasons, months, str(rule.get("target_status") or "")


def compute(*, intervals: Iterable[Interval], seasons: int, rule: dict | None, today: datetime.date,
            contract_end: datetime.date | None = None, ongoing_adds_season: bool = False) -> Progress:
    """The worker's progress under `rule` (the programme's `pathway` rules as a dict) on `today`.

    `contract_end` is the end of the contract of the stay that goes on (if any); `ongoing_adds_season` says whether
    completing that stay will add a completed season (no season is recorded yet for it)."""
    if isinstance(seasons, bool) or not isinstance(seasons, int) or seasons < 0:
        raise ProgressError("seasons", "Must be a whole number, 0 or more.")
    enabled, seasons_required, months_required, target = _rule(rule)
    intervals = list(intervals)
    days = days_at_destination(intervals, today)
    months = whole_months(days)
    missing: dict[str, int] = {}
    if seasons_required is not None and seasons < seasons_required:
        missing["seasons"] = seasons_required - seasons
    if months_required is not None and months < months_required:
        missing["months"] = months_required - months
    has_requirement = seasons_required is not None or months_required is not None
    eligible = enabled and has_requirement and not missing
    eligible_on = None
    ongoing = any(end is None or end > today for _, end in intervals)
    if enabled and has_requirement and missing and ongoing and contract_end is not None and contract_end > today:
        eligible_on = _eligible_on(missing, days, months_required, today, contract_end, ongoing_adds_season)
    return Progress(enabled=enabled, target_status=target, seasons=seasons, seasons_required=seasons_required,
                    days=days, months=months, months_required=months_required, eligible=eligible, missing=missing,
                    eligible_on=eligible_on)


def _eligible_on(missing: dict, days: int, months_required: int | None, today: datetime.date,
                 contract_end: datetime.date, adds_season: bool) -> datetime.date | None:
    """The first day on which every missing requirement is met if the current stay goes on to the contract's end."""
    dates = []
    if "months" in missing:
        needed = days_for_months(months_required) - days
        # Each further day at destination adds one day; on day `today + needed` the days counted reach the need.
        day = today + datetime.timedelta(days=needed)
        if day > contract_end:
            return None
        dates.append(day)
    if "seasons" in missing:
        if missing["seasons"] > 1 or not adds_season:
            return None
        dates.append(contract_end)
    return max(dates) if dates else None
