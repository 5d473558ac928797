"""The contract's items as sentences in a language: the worker's, beside the destination's."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from corridor.reference.codes import country_name


def _unit(unit: str) -> str:
    return {
        "hour": _("per hour"), "day": _("per day"), "week": _("per week"), "month": _("per month"),
        "piece": _("per piece"),
    }.get(unit, unit)


def _policy(change: dict) -> str:
    policy = change.get("policy")
    days = change.get("grace_period_days") or 0
    if policy == "free":
        text = _("You may change employer freely, without anybody's permission.")
    elif policy == "within_sector":
        text = _("You may change employer within the same sector, without anybody's permission.")
    elif policy == "limited":
        text = _("You may change employer up to %(n)s times.") % {"n": change.get("max_changes") or 0}
    else:
        text = _("The programme's rules do not allow a change of employer; the labour authority can still move you "
                 "if your rights are violated.")
    return text + " " + _("After a job ends you keep your lawful stay for %(days)s days to find another employer.") % {
        "days": days}


def _deductions(content: dict) -> str:
    items = content["deductions"]["items"]
    limits = content["deductions"]["limits"]
    if items:
        listed = "; ".join(f"{d['type']}: {d['amount']} {content['pay']['currency']}" for d in items)
        text = _("Planned deductions each month: %(list)s.") % {"list": listed}
    else:
        text = _("No deductions are planned.")
    if limits.get("total_cap_percent") is not None:
        text += " " + _("All deductions together never exceed %(p)s%% of your gross pay.") % {"p": limits["total_cap_percent"]}
    if limits.get("net_pay_floor_percent") is not None:
        text += " " + _("You always receive at least %(p)s%% of your gross pay.") % {"p": limits["net_pay_floor_percent"]}
    text += " " + _("No other deduction may be made without your written agreement and the law's permission.")
    return text


def _housing(content: dict) -> str:
    housing = content["housing"]
    if housing.get("provided") != "yes":
        return _("Housing is not provided by the employer; you choose where you live.")
    return _("Housing offered at %(address)s for %(amount)s %(currency)s a month. You may choose other accommodation.") % {
        "address": housing.get("address"), "amount": housing.get("charge_amount"), "currency": housing.get("charge_currency"),
    }


def _travel(content: dict) -> str:
    t = content["travel"]
    out, back = str(t["outbound_worker_percent"]), str(t["return_worker_percent"])
    if out in ("0", "0.0") and back in ("0", "0.0"):
        return _("The employer pays your travel to the workplace and your return journey.")
    return _("You pay %(out)s%% of the outbound journey and %(back)s%% of the return journey; the employer pays the "
             "rest.") % {"out": out, "back": back}


def items(content: dict) -> list[dict]:
    """Every item of the contract as (key, title, text), in the active language."""
    w, e, work, pay, d = content["worker"], content["employer"], content["work"], content["pay"], content["duration"]
    return [
        {"key": "parties", "title": _("The parties"), "text": _(
            "Worker: %(worker)s (%(id)s), born %(born)s, national of %(country)s. Employer: %(employer)s (%(business)s), "
            "%(address)s.") % {"worker": w["name"], "id": w["public_id"], "born": w["date_of_birth"],
                               "country": country_name(w["nationality"]) or w["nationality"], "employer": e["name"],
                               "business": e.get("business_id") or "", "address": e["address"]}},
        {"key": "work", "title": _("The work"), "text": _("%(title)s. %(description)s") % {
            "title": work["title"], "description": work["description"]}},
        {"key": "place", "title": _("Place of work"), "text": _("%(site)s, %(address)s, %(region)s, %(country)s.") % {
            "site": work["worksite"], "address": work["address"], "region": work.get("region") or "",
            "country": country_name(work["country"]) or work["country"]}},
        {"key": "occupation", "title": _("Occupation"), "text": _("%(occupation)s (ISCO-08 %(code)s).") % {
            "occupation": work["occupation"], "code": work["isco_code"]}},
        {"key": "pay", "title": _("Pay for normal hours"), "text": _(
            "%(amount)s %(currency)s %(unit)s, for %(hours)s guaranteed hours a week.") % {
            "amount": pay["amount"], "currency": pay["currency"], "unit": _unit(pay["unit"]), "hours": pay["hours_per_week"]}},
        {"key": "overtime", "title": _("Overtime"), "text": _(
            "Hours beyond the normal hours are paid at %(rate)s%% of the ordinary rate.") % {"rate": pay["overtime_rate_percent"]}},
        {"key": "night_and_holidays", "title": _("Night work and holidays"), "text": _(
            "Night work is paid at %(rate)s%% of the ordinary rate. %(holidays)s") % {
            "rate": pay["night_rate_percent"], "holidays": pay["holiday_pay"]}},
        {"key": "payment", "title": _("How you are paid"), "text": _("%(method)s, %(period)s, with a payslip each time.") % {
            "method": pay["payment_method"], "period": pay["pay_period"]}},
        {"key": "allowances", "title": _("Bonuses and allowances"), "text": content["allowances"]},
        {"key": "deductions", "title": _("Deductions and their limits"), "text": _deductions(content)},
        {"key": "food", "title": _("Food"), "text": content["food"]},
        {"key": "housing", "title": _("Housing"), "text": _housing(content)},
        {"key": "duration", "title": _("Duration"), "text": _("From %(start)s to %(end)s.") % {
            "start": d["start"], "end": d["end"]}},
        {"key": "renewal_and_notice", "title": _("Renewal and notice"), "text": _("%(renewal)s Notice: %(days)s days.") % {
            "renewal": d["renewal"], "days": d["notice_days"]}},
        {"key": "entry_and_stay", "title": _("Entry and stay"), "text": content["entry_and_stay"]},
        {"key": "travel", "title": _("Travel and the return journey"), "text": _travel(content)},
        {"key": "termination", "title": _("Grounds for termination"), "text": content["termination"]},
        {"key": "equal_treatment", "title": _("Equal treatment"), "text": _(
            "You receive the same pay, hours, overtime, holidays, safety and social protection as national workers "
            "doing the same work (ILO Convention 97, Article 6).")},
        {"key": "no_fees", "title": _("No recruitment fees"), "text": _(
            "You pay no recruitment fee or related cost to anybody, in your country or here. If anybody asks you for "
            "money for this job, report it: it will be refunded.")},
        {"key": "employer_change", "title": _("Changing employer"), "text": _policy(content["employer_change"])},
        {"key": "complaints", "title": _("Where to complain"), "text": content["complaints"]},
    ]


def render(content: dict, language: str) -> list[dict]:
    """The items in `language` (the platform's closest interface language)."""
    try:
        code = translation.get_supported_language_variant(language or "en")
    except LookupError:
        code = "en"
    with translation.override(code):
        return items(content)


def side_by_side(content: dict, worker_language: str, destination_language: str) -> list[dict]:
    """Each item in the worker's language and in the destination's, for the two-column contract."""
    mine = render(content, worker_language)
    theirs = render(content, destination_language)
    return [{"key": a["key"], "title": a["title"], "text": a["text"], "title_destination": b["title"],
             "text_destination": b["text"]} for a, b in zip(mine, theirs, strict=True)]


def what_changes(contract_changes: list[dict], before: dict, after: dict, language: str) -> list[dict]:
    """For an amendment: each changed item, as it was and as it would be, in `language`."""
    keys = [c["item"] for c in contract_changes]
    old = {i["key"]: i for i in render(before, language)}
    new = {i["key"]: i for i in render(after, language)}
    return [{"key": k, "title": new[k]["title"] if k in new else k, "before": old.get(k, {}).get("text", ""),
             "after": new.get(k, {}).get("text", "")} for k in keys]
