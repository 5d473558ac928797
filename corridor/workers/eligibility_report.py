"""A worker's eligibility for a programme, explained in the worker's language.

`eligibility_report(worker=, programme=)` finds the programme's rule version in force, the season the worker would
go for (the next season window from `on_date`, or the rule version's dates when the programme has no window), reads
the worker's profile, runs the plain criteria of `corridor.workers.eligibility` and turns every unmet criterion
into a sentence, e.g. "You must be at most 45 years old on 1 May 2027; you will be 47."
"""

from __future__ import annotations

import calendar
import datetime

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from corridor.core.errors import NotFound
from corridor.programmes.models import RuleVersion
from corridor.programmes.selectors import rule_version_in_force
from corridor.reference.codes import language_name
from corridor.reference.selectors import isco_titles
from corridor.workers import eligibility
from corridor.workers.models import IdentityDocument, LanguageResult, MedicalClearance, WorkerOccupation


def facts_of(worker) -> eligibility.Facts:
    """What the eligibility criteria need to know of `worker`, read in four queries."""
    return eligibility.Facts(
        date_of_birth=worker.date_of_birth,
        status=worker.status,
        banned_until=worker.banned_until,
        deployed=worker.deployed,
        occupations=tuple(WorkerOccupation.objects.filter(worker_id=worker.pk).values_list("isco_code", flat=True)),
        language_results=tuple(
            eligibility.LanguageFact(language=r[0], test=r[1], level=r[2], taken_on=r[3], valid_until=r[4])
            for r in LanguageResult.objects.filter(worker_id=worker.pk).values_list(
                "language", "test", "level", "taken_on", "valid_until")
        ),
        medical=tuple(
            eligibility.MedicalFact(fit=m[0], issued_on=m[1], valid_until=m[2])
            for m in MedicalClearance.objects.filter(worker_id=worker.pk).values_list("fit", "issued_on", "valid_until")
        ),
        documents=tuple(
            eligibility.DocumentFact(kind=d[0], expires_on=d[1])
            for d in IdentityDocument.objects.filter(worker_id=worker.pk).values_list("kind", "expires_on")
        ),
    )


def _last_day(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def season_of(rules: dict, version: RuleVersion, on_date: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) of the season a worker would go for, seen from `on_date`: the next season window of
    the rules starting on or after `on_date`; without a window (or with one spanning the whole year), from `on_date`
    (or the version's start, if later) for the longest stay, within the version's end."""
    stay = rules.get("stay") or {}
    window = stay.get("season_window") or {}
    start_month, end_month = int(window.get("start_month") or 1), int(window.get("end_month") or 12)
    if window and (end_month - start_month) % 12 + 1 < 12:  # a window of the whole year is no window
        start = datetime.date(on_date.year, start_month, 1)
        if start < on_date:
            start = datetime.date(on_date.year + 1, start_month, 1)
        end = _last_day(start.year + (1 if end_month < start_month else 0), end_month)
        return start, end
    start = max(on_date, version.effective_from)
    months = int(stay.get("max_months_per_stay") or 12)
    end = eligibility.add_months(start, months) - datetime.timedelta(days=1)
    if version.effective_until is not None and version.effective_until >= start:
        end = min(end, version.effective_until)
    return start, end


def _version_for(programme, on_date: datetime.date) -> RuleVersion:
    version = rule_version_in_force(programme=programme, day=on_date)
    if version is None:
        version = RuleVersion.objects.filter(programme=programme, effective_from__gt=on_date).order_by("effective_from").first()
    if version is None:
        raise NotFound(_("Programme %(code)s has no rules in force on %(date)s or later.")
                       % {"code": programme.code, "date": on_date.isoformat()}, field="programme")
    return version


def _interface_language(code: str | None) -> str:
    """The platform's interface language closest to `code` (English when the platform does not speak it), so that
    a sentence and the dates in it are in one language."""
    try:
        return translation.get_supported_language_variant(code or "en")
    except LookupError:
        return "en"


def _day(value) -> str:
    return formats.date_format(value, "j F Y") if isinstance(value, datetime.date) else str(value)


def _language(code: str) -> str:
    return language_name(code) or code


def _occupations(codes: list[str], titles: dict[str, str]) -> str:
    return ", ".join(f"{c} {titles[c]}" if c in titles else c for c in codes)


def message(unmet: eligibility.Unmet, titles: dict[str, str] | None = None) -> str:
    """The sentence saying what `unmet` means for the worker, in the active language."""
    p = unmet.params
    titles = titles or {}
    code = unmet.code
    if code == "age_above_max":
        text = (_("You must be at most %(max)d years old on %(date)s; you will be %(age)d.") if p.get("future") else
                _("You must be at most %(max)d years old on %(date)s; you are %(age)d."))
        return text % {"max": p["max"], "date": _day(p["on"]), "age": p["age"]}
    if code == "age_below_min":
        text = (_("You must be at least %(min)d years old on %(date)s; you will be %(age)d.") if p.get("future") else
                _("You must be at least %(min)d years old on %(date)s; you are %(age)d."))
        return text % {"min": p["min"], "date": _day(p["on"]), "age": p["age"]}
    values = {
        "language": _language(p.get("language", "")), "test": p.get("test", ""), "level": p.get("level", ""),
        "result_test": p.get("result_test", ""), "result_level": p.get("result_level", ""),
    }
    if code == "language_missing":
        if values["test"] and values["level"]:
            return _("The programme asks for a %(test)s result in %(language)s, at least %(level)s; none is recorded "
                     "in your profile.") % values
        if values["level"]:
            return _("The programme asks for a result in %(language)s, at least %(level)s; none is recorded in your "
                     "profile.") % values
        return _("The programme asks for a language result in %(language)s; none is recorded in your profile.") % values
    if code == "language_other_test":
        return _("Your %(language)s result is from %(result_test)s; the programme asks for %(test)s.") % values
    if code == "language_level_low":
        return _("Your %(language)s level is %(result_level)s; the programme asks for at least %(level)s.") % values
    if code == "language_level_not_comparable":
        return _("Your %(language)s result (%(result_level)s) cannot be compared with the level asked for "
                 "(%(level)s); the origin authority will check it.") % values
    if code == "language_expired":
        return _("Your %(language)s result counts until %(until)s, before the season starts on %(start)s; take the "
                 "test again.") % {**values, "until": _day(p["expired_on"]), "start": _day(p["season_start"])}
    if code == "occupation_missing":
        return _("No occupation is recorded in your profile; the programme recruits for: %(eligible)s.") % {
            "eligible": _occupations(p["eligible"], titles)}
    if code == "occupation_not_eligible":
        return _("Your occupations (%(yours)s) are not among those the programme recruits for: %(eligible)s.") % {
            "yours": _occupations(p["occupations"], titles), "eligible": _occupations(p["eligible"], titles)}
    if code == "medical_missing":
        return _("A medical clearance saying you are fit for the work, valid on %(start)s, is needed; none is "
                 "recorded.") % {"start": _day(p["season_start"])}
    if code == "medical_not_fit":
        return _("Your latest medical clearance (of %(date)s) says you are not fit for the work.") % {
            "date": _day(p["issued_on"])}
    if code == "medical_expired":
        return _("Your medical clearance is valid until %(until)s, before the season starts on %(start)s; renew "
                 "it.") % {"until": _day(p["valid_until"]), "start": _day(p["season_start"])}
    if code == "document_missing":
        return _("A passport or national identity card valid until %(end)s is needed; none is recorded.") % {
            "end": _day(p["season_end"])}
    if code == "document_expires":
        return _("Your identity document expires on %(date)s, before the season ends on %(end)s; renew it.") % {
            "date": _day(p["expires_on"]), "end": _day(p["season_end"])}
    if code == "excluded":
        return _("You are excluded from programmes until %(date)s.") % {"date": _day(p["until"])}
    if code == "deployed":
        return _("You are working abroad under a programme now.")
    if code == "not_verified":
        return _("The origin authority has not verified your registration yet.")
    if code == "merged":
        return _("This record was merged into another record of yours; use that one.")
    return code


def eligibility_report(*, worker, programme, on_date: datetime.date | None = None, language: str | None = None,
                       occupations_wanted: list[str] | None = None) -> dict:
    """Whether `worker` is eligible for `programme`'s next season, and every criterion not met, as sentences in
    `language` (the worker's own by default)."""
    today = timezone.localdate()
    on_date = on_date or today
    version = _version_for(programme, on_date)
    start, end = season_of(version.rules or {}, version, on_date)
    at_start = rule_version_in_force(programme=programme, day=start)
    if at_start is not None and at_start.pk != version.pk:
        version = at_start
        start, end = season_of(version.rules or {}, version, on_date)
    unmet = eligibility.check(facts_of(worker), version.rules or {}, season_start=start, season_end=end, today=today,
                              occupations_wanted=occupations_wanted)
    codes = {c for u in unmet for key in ("eligible", "occupations") for c in u.params.get(key, [])}
    with translation.override(_interface_language(language or worker.language)):
        titles = isco_titles(codes) if codes else {}
        items = [{"code": u.code, "field": u.field, "message": str(message(u, titles))} for u in unmet]
    return {
        "eligible": not unmet,
        "programme": programme.code,
        "rule_version": version.number,
        "season_start": start,
        "season_end": end,
        "unmet": items,
    }
