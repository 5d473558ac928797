"""Aggregating vacancy reports into lines per occupation and region, with small-cell suppression. No Django here.

Input rows are single reports; the output is one `Line` per ISCO-08 group (cut to the chosen level) and region, or per
group alone for national totals. Rules, in the order they apply:

1. Vacancies are a stock, not a flow: when the rows span several months, only each organisation's most recent report
   for the same occupation, region and kind counts, so that a vacancy reported open in three successive months is
   counted once.
2. A line adds up the vacancies of each kind, counts the distinct reporting organisations, and takes the median of
   `months_unfilled` over its unfilled reports that give one (each report counts once, whatever its size).
3. `suggest_shortage` is set when the line's unfilled vacancies reach `threshold` and at least `min_reporters`
   distinct organisations reported unfilled vacancies in it: one employer alone never puts an occupation on the list.
4. With `suppress=True` (social partners and researchers), a line reported by fewer than `min_reporters`
   organisations keeps its occupation and region but shows no figures, so that no single employer's figures are
   exposed. Ministries and platform administrators read every figure.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

UNFILLED = "unfilled"
EMERGING = "emerging"
KINDS = (UNFILLED, EMERGING)
ISCO_LEVELS = (1, 2, 3, 4)
MIN_REPORTERS = 3
DEFAULT_THRESHOLD = 10

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Row:
    """One report as the aggregation needs it; `reporter` identifies the reporting organisation."""

    isco_code: str
    region: str
    kind: str
    period: datetime.date
    vacancies: int
    months_unfilled: int | None
    reporter: int


@dataclass(frozen=True)
class Line:
    """One aggregated line. When `suppressed`, every figure is None and `suggest_shortage` False."""

    isco_code: str
    region: str  # "" = reports about the whole country, or every region when lines are national totals
    unfilled: int | None
    emerging: int | None
    reporters: int | None
    median_months_unfilled: float | None
    suggest_shortage: bool
    suppressed: bool


@dataclass
class _Group:
    region_label: str
    unfilled: int = 0
    emerging: int = 0
    reporters: set = field(default_factory=set)
    unfilled_reporters: set = field(default_factory=set)
    months: list = field(default_factory=list)


def parse_month(text: str) -> datetime.date | None:
    """The first day of the month written as YYYY-MM, or None if `text` is not one."""
    match = _MONTH.match((text or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1 <= year):
        return None
    return datetime.date(year, month, 1)


def group_code(isco_code: str, level: int) -> str:
    """The ISCO-08 group of `isco_code` at `level` digits; a code reported at a broader level stays as it is."""
    return isco_code[:level]


def _latest(rows: Iterable[Row]) -> list[Row]:
    """Each organisation's most recent row per (occupation, region, kind)."""
    latest: dict[tuple, Row] = {}
    for row in rows:
        key = (row.reporter, row.isco_code, row.region.strip().casefold(), row.kind)
        kept = latest.get(key)
        if kept is None or row.period > kept.period:
            latest[key] = row
    return list(latest.values())


def aggregate(
    rows: Iterable[Row],
    *,
    isco_level: int,
    by_region: bool = True,
    threshold: int = DEFAULT_THRESHOLD,
    suppress: bool = False,
    min_reporters: int = MIN_REPORTERS,
) -> list[Line]:
    """Lines ordered by occupation code, then region (the whole country first)."""
    if isco_level not in ISCO_LEVELS:
        raise ValueError(f"isco_level must be 1 to 4, not {isco_level!r}")
    groups: dict[tuple[str, str], _Group] = {}
    # Most recent first, so that a region's label is its latest spelling.
    for row in sorted(_latest(rows), key=lambda r: r.period, reverse=True):
        if row.kind not in KINDS:
            raise ValueError(f"unknown kind {row.kind!r}")
        region = row.region.strip() if by_region else ""
        key = (group_code(row.isco_code, isco_level), region.casefold())
        group = groups.setdefault(key, _Group(region_label=region))
        group.reporters.add(row.reporter)
        if row.kind == UNFILLED:
            group.unfilled += row.vacancies
            group.unfilled_reporters.add(row.reporter)
            if row.months_unfilled is not None:
                group.months.append(row.months_unfilled)
        else:
            group.emerging += row.vacancies
    lines = []
    for (code, _region), group in sorted(groups.items()):
        if suppress and len(group.reporters) < min_reporters:
            lines.append(Line(code, group.region_label, None, None, None, None, False, True))
            continue
        lines.append(
            Line(
                isco_code=code,
                region=group.region_label,
                unfilled=group.unfilled,
                emerging=group.emerging,
                reporters=len(group.reporters),
                median_months_unfilled=float(statistics.median(group.months)) if group.months else None,
                suggest_shortage=group.unfilled >= threshold and len(group.unfilled_reporters) >= min_reporters,
                suppressed=False,
            )
        )
    return lines


CSV_COLUMNS = (
    "isco_code",
    "isco_title",
    "region",
    "unfilled_vacancies",
    "emerging_needs",
    "reporting_organisations",
    "median_months_unfilled",
    "suggest_shortage",
    "suppressed",
)


def _cell(value) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def to_csv(lines: Iterable[Line], *, titles: Mapping[str, str] | None = None) -> str:
    """The lines as CSV with a header row; suppressed figures are empty cells."""
    titles = titles or {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for line in lines:
        writer.writerow(
            [
                _cell(line.isco_code),
                _cell(titles.get(line.isco_code, "")),
                _cell(line.region),
                _cell(line.unfilled),
                _cell(line.emerging),
                _cell(line.reporters),
                _cell(line.median_months_unfilled),
                _cell(line.suggest_shortage),
                _cell(line.suppressed),
            ]
        )
    return out.getvalue()
