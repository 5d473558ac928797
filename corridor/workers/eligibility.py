"""Is a worker eligible for a programme's season? Plain Python, no Django.

`check(worker, rules, season_start=, season_end=, today=)` answers every criterion the worker does not meet, not
only the first, each as an `Unmet` with a code, the profile field concerned and the figures a message needs. The
criteria come from the programme's rule version (`corridor.programmes.rulebook.RuleSet`; `rules` is its JSON form):

- age on the first day of the season within `age.min` and `age.max`;
- `language`: a result in the language, of the named test if one is named, at `min_level` or above (CEFR levels
  A1 < A2 < B1 < B2 < C1 < C2 compared as levels, scores as numbers, "pass" as passed), still valid on the first day
  of the season (its own `valid_until`, and `validity_months` from the day it was taken);
- an occupation among `eligible_occupations` (ISCO-08 codes; a worker's code matches when it starts with one);
- a medical clearance, the latest one, saying fit and valid on the first day of the season;
- a passport or national identity card valid through the last day of the season;
- not excluded from programmes (`banned_until` today or later), not currently deployed;
- verified by the origin authority or work-ready (a registered record is not yet verified; a merged one is gone).

`corridor.workers.eligibility_report` turns the answers into sentences in the worker's language.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

CEFR = ("A1", "A2", "B1", "B2", "C1", "C2")
PASSED = {"pass", "passed", "yes", "ok", "success", "successful", "admitted"}
FAILED = {"fail", "failed", "no", "not passed"}
TRAVEL_DOCUMENTS = ("passport", "national_id")
READY_STATUSES = ("verified", "work_ready")


@dataclass(frozen=True)
class LanguageFact:
    language: str
    test: str
    level: str
    taken_on: datetime.date
    valid_until: datetime.date | None = None


@dataclass(frozen=True)
class MedicalFact:
    fit: bool
    issued_on: datetime.date
    valid_until: datetime.date


@dataclass(frozen=True)
class DocumentFact:
    kind: str
    expires_on: datetime.date | None


@dataclass(frozen=True)
class Facts:
    """What eligibility needs to know of a worker."""

    date_of_birth: datetime.date
    status: str = "registered"
    banned_until: datetime.date | None = None
    deployed: bool = False
    occupations: tuple[str, ...] = ()
    language_results: tuple[LanguageFact, ...] = ()
    medical: tuple[MedicalFact, ...] = ()
    documents: tuple[DocumentFact, ...] = ()


@dataclass(frozen=True)
class Unmet:
    """One criterion not met: `code` says which, `field` the part of the profile, `params` the figures."""

    code: str
    field: str
    params: dict = field(default_factory=dict)


def age_on(born: datetime.date, day: datetime.date) -> int:
    """Completed years of age on `day`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the last day of the month where it has fewer days)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def _key(text: str) -> str:
    return re.sub(r"[\s_\-.]+", "", str(text or "")).casefold()


def _number(text: str) -> float | None:
    match = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*(?:points?|pts?|/\s*\d+)?\s*", str(text or ""), flags=re.IGNORECASE)
    return float(match.group(1).replace(",", ".")) if match else None


def _cefr(text: str) -> int | None:
    match = re.search(r"\b([ABC][12])\b", str(text or "").upper())
    return CEFR.index(match.group(1)) if match else None


def cefr_level(text: str) -> int | None:
    """A CEFR level as a number, A1 = 1 ... C2 = 6; None when the text names no CEFR level."""
    index = _cefr(text)
    return None if index is None else index + 1


def level_meets(level: str, required: str) -> bool | None:
    """Whether `level` reaches `required`: True, False, or None when the two cannot be compared (a score against a
    CEFR level)."""
    required = str(required or "").strip()
    level = str(level or "").strip()
    if not required:
        return level.casefold() not in FAILED
    if required.casefold() in PASSED:
        if level.casefold() in FAILED or not level:
            return False
        return True
    want, have = _cefr(required), _cefr(level)
    if want is not None:
        return None if have is None else have >= want
    want_n, have_n = _number(required), _number(level)
    if want_n is not None:
        return None if have_n is None else have_n >= want_n
    return None if level.casefold() in PASSED else _key(level) == _key(required)


def language_expiry(result: LanguageFact, validity_months: int | None) -> datetime.date | None:
    """The last day the result counts: its own end of validity and the programme's validity, the earlier one."""
    ends = [d for d in (result.valid_until,) if d is not None]
    if validity_months:
        ends.append(add_months(result.taken_on, int(validity_months)) - datetime.timedelta(days=1))
    return min(ends) if ends else None


def _rule(rules: Mapping, name: str, default=None):
    value = rules.get(name) if type(rules) is dict or isinstance(rules, Mapping) else getattr(rules, name, None)
    return default if value is None else value


def _language_unmet(worker: Facts, requirement: Mapping, season_start: datetime.date) -> list[Unmet]:
    language = str(requirement.get("language") or "").casefold()
    test = str(requirement.get("test") or "")
    required = str(requirement.get("min_level") or "")
    validity = requirement.get("validity_months")
    params = {"language": language, "test": test, "level": required}
    results = [r for r in worker.language_results if str(r.language).casefold()[:2] == language[:2]]
    if not results:
        return [Unmet("language_missing", "language_results", params)]
    problems_by_result = []
    for result in sorted(results, key=lambda r: r.taken_on, reverse=True):
        problems = []
        if test and _key(result.test) != _key(test):
            problems.append(Unmet("language_other_test", "language_results",
                                  {**params, "result_test": result.test, "result_level": result.level}))
        meets = level_meets(result.level, required)
        if meets is False:
            problems.append(Unmet("language_level_low", "language_results", {**params, "result_level": result.level}))
        elif meets is None:
            problems.append(Unmet("language_level_not_comparable", "language_results",
                                  {**params, "result_level": result.level}))
        expiry = language_expiry(result, validity)
        if expiry is not None and expiry < season_start:
            problems.append(Unmet("language_expired", "language_results",
                                  {**params, "expired_on": expiry, "season_start": season_start}))
        if not problems:
            return []
        problems_by_result.append(problems)
    # None counts: the most recent result's shortcomings (what the worker would fix by taking the test again).
    return problems_by_result[0]


def _occupation_unmet(worker: Facts, rules: Mapping, wanted: list[str] | None) -> list[Unmet]:
    eligible = [str(c) for c in _rule(rules, "eligible_occupations", []) if str(c)]
    wanted = [str(c) for c in (wanted or []) if str(c)]
    if not eligible and not wanted:
        return []
    codes = [str(c) for c in worker.occupations]
    fits = [c for c in codes if not eligible or any(c.startswith(e) for e in eligible)]
    if wanted:
        fits = [c for c in fits if any(c.startswith(w) or w.startswith(c) for w in wanted)]
    if fits:
        return []
    if not codes:
        return [Unmet("occupation_missing", "occupations", {"eligible": eligible or wanted})]
    return [Unmet("occupation_not_eligible", "occupations", {"eligible": eligible or wanted, "occupations": codes})]


def occupation_unmet(worker: Facts, rules: Mapping, wanted: list[str] | None) -> list[Unmet]:
    """The occupation criterion alone: an occupation of the worker among the rules' and matching `wanted`."""
    return _occupation_unmet(worker, rules, wanted)


def _medical_unmet(worker: Facts, season_start: datetime.date) -> list[Unmet]:
    if not worker.medical:
        return [Unmet("medical_missing", "medical_clearances", {"season_start": season_start})]
    latest = max(worker.medical, key=lambda m: (m.issued_on, m.valid_until))
    if not latest.fit:
        return [Unmet("medical_not_fit", "medical_clearances", {"issued_on": latest.issued_on})]
    if latest.valid_until < season_start:
        return [Unmet("medical_expired", "medical_clearances",
                      {"valid_until": latest.valid_until, "season_start": season_start})]
    return []


def _document_unmet(worker: Facts, season_end: datetime.date) -> list[Unmet]:
    travel = [d for d in worker.documents if d.kind in TRAVEL_DOCUMENTS]
    if not travel:
        return [Unmet("document_missing", "documents", {"season_end": season_end})]
    if any(d.expires_on is None or d.expires_on >= season_end for d in travel):
        return []
    latest = max(d.expires_on for d in travel)
    return [Unmet("document_expires", "documents", {"expires_on": latest, "season_end": season_end})]


def check(worker: Facts, rules: Mapping, *, season_start: datetime.date, season_end: datetime.date,
          today: datetime.date, occupations_wanted: list[str] | None = None) -> list[Unmet]:
    """Every criterion of `rules` that `worker` does not meet for the season from `season_start` to `season_end`
    (an empty list: eligible). `rules` is a rule version's rules (a mapping, or a RuleSet)."""
    unmet: list[Unmet] = []
    if worker.status == "merged":
        unmet.append(Unmet("merged", "status", {}))
    elif worker.status not in READY_STATUSES:
        unmet.append(Unmet("not_verified", "status", {"status": worker.status}))
    age_rule = _rule(rules, "age", {}) or {}
    if not isinstance(age_rule, Mapping):
        age_rule = {"min": getattr(age_rule, "min", None), "max": getattr(age_rule, "max", None)}
    age = age_on(worker.date_of_birth, season_start)
    minimum, maximum = age_rule.get("min"), age_rule.get("max")
    future = season_start > today
    if minimum is not None and age < int(minimum):
        unmet.append(Unmet("age_below_min", "date_of_birth",
                           {"min": int(minimum), "age": age, "on": season_start, "future": future}))
    if maximum is not None and age > int(maximum):
        unmet.append(Unmet("age_above_max", "date_of_birth",
                           {"max": int(maximum), "age": age, "on": season_start, "future": future}))
    requirement = _rule(rules, "language")
    if requirement:
        if not isinstance(requirement, Mapping):
            requirement = requirement.model_dump()
        unmet.extend(_language_unmet(worker, requirement, season_start))
    unmet.extend(_occupation_unmet(worker, rules, occupations_wanted))
    unmet.extend(_medical_unmet(worker, season_start))
    unmet.extend(_document_unmet(worker, season_end))
    if worker.banned_until is not None and worker.banned_until >= today:
        unmet.append(Unmet("excluded", "banned_until", {"until": worker.banned_until}))
    if worker.deployed:
        unmet.append(Unmet("deployed", "deployed", {}))
    return unmet
