"""The rules of a programme as sentences a worker or an employer can read, in the reader's language."""

from __future__ import annotations

import calendar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from corridor.programmes.rulebook import RuleSet
from corridor.reference import codes

DEDUCTION_LABELS = {
    "tax": gettext_lazy("income tax"),
    "social_security": gettext_lazy("social security contributions"),
    "housing": gettext_lazy("housing"),
    "food": gettext_lazy("food"),
    "transport": gettext_lazy("local transport"),
    "insurance": gettext_lazy("insurance"),
    "travel_advance": gettext_lazy("repayment of a travel advance"),
    "equipment": gettext_lazy("equipment"),
    "union_dues": gettext_lazy("union dues"),
    "savings": gettext_lazy("savings you chose"),
}
FEE_LABELS = {
    "recruitment_fee": gettext_lazy("recruitment fee"),
    "medical": gettext_lazy("medical examination"),
    "insurance": gettext_lazy("insurance"),
    "tests": gettext_lazy("skills or language tests"),
    "training": gettext_lazy("training and orientation"),
    "equipment": gettext_lazy("equipment"),
    "travel_lodging": gettext_lazy("travel and lodging"),
    "administrative": gettext_lazy("administrative costs"),
}


def _label(labels: dict, key: str) -> str:
    return str(labels.get(key, key.replace("_", " ")))


def _month(n: int) -> str:
    return _(calendar.month_name[n])


def _percent(x: float) -> str:
    return f"{x:g}%"


def describe(rules: dict | RuleSet) -> list[dict]:
    """Sections of sentences: [{"key": ..., "title": ..., "sentences": [...]}, ...]."""
    r = rules if isinstance(rules, RuleSet) else RuleSet.model_validate(rules)
    sections: list[dict] = []

    def section(key: str, title: str, sentences: list[str]) -> None:
        sentences = [s for s in sentences if s]
        if sentences:
            sections.append({"key": key, "title": title, "sentences": sentences})

    s = r.stay
    stay = [
        ngettext("You may stay up to %(n)d month at a time.", "You may stay up to %(n)d months at a time.", s.max_months_per_stay)
        % {"n": s.max_months_per_stay}
    ]
    if s.max_total_months:
        stay.append(_("In total you may stay up to %(n)d months.") % {"n": s.max_total_months})
    if s.max_months_in_period and s.period_months:
        stay.append(_("You may work at most %(m)d months in any %(p)d months.") % {"m": s.max_months_in_period, "p": s.period_months})
    if s.season_window and not (s.season_window.start_month == 1 and s.season_window.end_month == 12):
        stay.append(_("The season runs from %(a)s to %(b)s.") % {"a": _month(s.season_window.start_month), "b": _month(s.season_window.end_month)})
    rn = r.renewal
    if rn.renewable:
        stay.append(ngettext("Your permit can be renewed %(n)d time.", "Your permit can be renewed up to %(n)d times.", rn.max_renewals) % {"n": rn.max_renewals})
    else:
        stay.append(_("Your permit cannot be renewed."))
    if rn.multiple_entry:
        stay.append(_("You may leave and re-enter the country during your permit."))
    if rn.reentry_without_retest:
        stay.append(_("If you return for another stay, you do not need to take the tests again."))
    section("stay", _("How long you can stay"), stay)

    ec = r.employer_change
    change = {
        "free": _("You may change employer freely, without your employer's permission."),
        "within_sector": _("You may change to another employer in the same sector, without your employer's permission."),
        "limited": ngettext(
            "You may change employer up to %(n)d time. Changes because your employer closed or abused you do not count.",
            "You may change employer up to %(n)d times. Changes because your employer closed or abused you do not count.",
            ec.max_changes or 0,
        )
        % {"n": ec.max_changes or 0},
        "not_allowed": _("This programme does not allow you to change employer."),
    }[ec.policy]
    change_sentences = [change]
    if ec.policy != "not_allowed":
        change_sentences.append(
            ngettext(
                "If your job ends, you keep your lawful stay for %(n)d day while you look for a new employer.",
                "If your job ends, you keep your lawful stay for %(n)d days while you look for a new employer.",
                ec.grace_period_days,
            )
            % {"n": ec.grace_period_days}
        )
    section("employer_change", _("Changing employer"), change_sentences)

    who = []
    if r.age.max is not None:
        who.append(_("You must be between %(a)d and %(b)d years old when the season starts.") % {"a": r.age.min, "b": r.age.max})
    else:
        who.append(_("You must be at least %(a)d years old when the season starts.") % {"a": r.age.min})
    if r.eligible_occupations:
        from corridor.reference.selectors import isco_titles

        titles = isco_titles(r.eligible_occupations)
        who.append(_("Occupations (ISCO-08): %(list)s.") % {"list": "; ".join(f"{c} {titles.get(c, '')}".strip() for c in r.eligible_occupations)})
    if r.eligible_sectors:
        who.append(_("Sectors: %(list)s.") % {"list": ", ".join(f"{c} {codes.SECTORS.get(c, '')}" for c in r.eligible_sectors)})
    if r.language:
        lang = codes.language_name(r.language.language) or r.language.language
        text = _("You need %(lang)s") % {"lang": lang}
        if r.language.min_level:
            text += " " + _("at level %(level)s") % {"level": r.language.min_level}
        if r.language.test:
            text += " " + _("(test: %(test)s)") % {"test": r.language.test}
        if r.language.validity_months:
            text += "; " + _("a result is valid for %(n)d months") % {"n": r.language.validity_months}
        who.append(text + ".")
    if r.family.accompaniment_allowed:
        who.append(_("Your family may come with you.") + (" " + r.family.conditions if r.family.conditions else ""))
    else:
        who.append(_("Family members cannot come with you under this programme."))
    section("who", _("Who can apply"), who)

    money = []
    if r.fees.workers_pay_nothing:
        money.append(_("You pay nothing to be recruited: no fees and no costs. If anyone asks you to pay, report it; you will be refunded."))
    else:
        money.append(_("You pay no recruitment fee. Only these costs may be charged to you, up to the amount shown:"))
        for ex in r.fees.lawful_exceptions:
            money.append(f"{_label(FEE_LABELS, ex.category)}: {ex.max_amount:g} {ex.currency} ({ex.justification})")
    wf = r.wage_floor
    floor = {
        "prevailing": _("Your pay is at least the wage paid to local workers in the same job and region."),
        "minimum": _("Your pay is at least the legal minimum wage."),
        "higher_of": _("Your pay is at least the higher of the legal minimum wage and the wage paid to local workers in the same job."),
    }[wf.basis]
    money.append(floor)
    if wf.minimum_wage_premium_percent:
        money.append(_("It is at least the minimum wage plus %(p)s.") % {"p": _percent(wf.minimum_wage_premium_percent)})
    gh = r.guaranteed_hours
    if gh.hours and gh.period_weeks:
        money.append(
            ngettext(
                "You are offered or paid at least %(h)s hours every week.",
                "You are offered or paid at least %(h)s hours every %(w)d weeks.",
                gh.period_weeks,
            )
            % {"h": f"{gh.hours:g}", "w": gh.period_weeks}
        )
    if gh.share_of_contract_percent:
        money.append(_("You are paid for at least %(p)s of the working time in your contract.") % {"p": _percent(gh.share_of_contract_percent)})
    d = r.deductions
    money.append(_("Only these deductions may be taken from your pay: %(list)s.") % {"list": ", ".join(_label(DEDUCTION_LABELS, t) for t in d.allowed_types) or _("none")})
    for t, cap in d.caps_percent.items():
        money.append(_("%(type)s: at most %(p)s of your gross pay.") % {"type": _label(DEDUCTION_LABELS, t).capitalize(), "p": _percent(cap)})
    if d.total_cap_percent is not None:
        money.append(_("All deductions together: at most %(p)s of your gross pay.") % {"p": _percent(d.total_cap_percent)})
    if d.net_pay_floor_percent is not None:
        money.append(_("You always receive at least %(p)s of your gross pay.") % {"p": _percent(d.net_pay_floor_percent)})
    if r.wage_guarantee_deposit_months:
        money.append(_("Your employer deposits %(n)s months of your wages as a guarantee before you start.") % {"n": f"{r.wage_guarantee_deposit_months:g}"})
    section("money", _("Pay, fees and deductions"), money)

    h = r.housing
    housing = []
    if h.employer_must_provide:
        housing.append(_("Your employer provides housing; you may choose other housing."))
    if h.min_area_m2_per_person:
        housing.append(_("At least %(a)s m² of floor space per person.") % {"a": f"{h.min_area_m2_per_person:g}"})
    if h.max_persons_per_room:
        housing.append(_("At most %(n)d people per bedroom.") % {"n": h.max_persons_per_room})
    if h.required_facilities:
        housing.append(_("Required facilities: %(list)s.") % {"list": ", ".join(f.replace("_", " ") for f in h.required_facilities)})
    section("housing", _("Housing"), housing)

    contract = [
        ngettext(
            "You receive your contract in a language you understand at least %(n)d day before you leave. Nobody may change it without your agreement.",
            "You receive your contract in a language you understand at least %(n)d days before you leave. Nobody may change it without your agreement.",
            r.contract_delivery_lead_days,
        )
        % {"n": r.contract_delivery_lead_days}
    ]
    section("contract", _("Your contract"), contract)

    nxt = []
    if r.recall.enabled:
        if r.recall.requires_compliant_return:
            nxt.append(_("If you complete your season and return home as agreed, you get priority next season, whatever your employer thinks."))
        else:
            nxt.append(_("Workers from past seasons get priority next season."))
        if r.recall.named_by_employer_allowed:
            nxt.append(_("An employer may also ask for you by name, if you agree."))
    p = r.pathway
    if p.enabled:
        need = []
        if p.seasons_required:
            need.append(ngettext("%(n)d season", "%(n)d seasons", p.seasons_required) % {"n": p.seasons_required})
        if p.months_required:
            need.append(ngettext("%(n)d month", "%(n)d months", p.months_required) % {"n": p.months_required})
        nxt.append(_("After %(need)s you may apply for: %(status)s.") % {"need": _(" or ").join(need), "status": p.target_status or _("a more stable status")})
    section("next", _("Next seasons and longer stays"), nxt)

    sel = r.selection
    how = []
    if sel.mode == "matching":
        how.append(_("You rank up to %(k)d job offers. Selection follows published rules and a public lottery for ties; you will see why you were or were not selected.") % {"k": sel.max_preferences})
    else:
        how.append(_("Employers choose among %(k)d eligible candidates per position, in priority order; each choice and its reason are recorded.") % {"k": sel.shortlist_per_position})
    section("selection", _("How workers are selected"), how)

    emp = []
    lmt = r.labour_market_test
    if lmt.required:
        emp.append(_("Employers must advertise each job locally for at least %(n)d days first.") % {"n": lmt.min_advertising_days})
        if lmt.shortage_list_exempt:
            emp.append(_("Occupations on the shortage list are exempt from local advertising."))
    if r.four_eyes_approval:
        emp.append(_("Each job order is approved by an officer other than the one who reviewed it."))
    emp.append(_("Employer approval lasts %(n)d months.") % {"n": r.employer_approval_months})
    q = r.quotas
    if q.annual is not None:
        emp.append(_("At most %(n)s workers a year.") % {"n": f"{q.annual:,}"})
    for c, n in q.per_origin.items():
        emp.append(_("From %(country)s: at most %(n)s a year.") % {"country": codes.country_name(c) or c, "n": f"{n:,}"})
    for c, n in q.per_sector.items():
        emp.append(_("Sector %(sector)s: at most %(n)s a year.") % {"sector": c, "n": f"{n:,}"})
    section("employers", _("Employers and quotas"), emp)
    return sections
