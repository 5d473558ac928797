"""Sentences that explain a selection outcome to the worker, in the active language."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from corridor.reference.codes import language_name
from corridor.selection import priority
from corridor.workers import eligibility
from corridor.workers.eligibility_report import message

DATE_KEYS = {"on", "expired_on", "season_start", "season_end", "issued_on", "valid_until", "expires_on", "until"}
STATUS_NAMES = {"s": "selected", "n": "not_selected", "r": "not_reached", "i": "ineligible"}


def tier_label(tier: int | None) -> str:
    return {
        priority.TIER_NAMED: _("named for recall by the employer, with the worker's consent"),
        priority.TIER_RECALL: _("returning worker (recall by rule)"),
        priority.TIER_PASSED_OVER: _("moved up after being passed over"),
        priority.TIER_POINTS: _("points"),
    }.get(tier, "—")


def _dates(params: dict) -> dict:
    out = {}
    for key, value in params.items():
        if key in DATE_KEYS and isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                pass
        out[key] = value
    return out


def reason_text(code: str, params: dict) -> str:
    """One unmet criterion as a sentence."""
    if code == "job_language":
        return _("The job order asks for %(language)s at level %(level)s or above; no such result is recorded.") % {
            "language": language_name(params.get("language", "")) or params.get("language", ""),
            "level": params.get("level") or _("any"),
        }
    if code == "job_experience":
        return _("The job order asks for %(months)d months of experience in its occupation; your profile shows "
                 "%(years)s years.") % {"months": params.get("months", 0), "years": params.get("years", 0)}
    if code == "no_selection_consent":
        return _("You have not given (or have withdrawn) your consent to take part in selection for this programme.")
    if code == "selected_elsewhere":
        return _("You already hold a place from another round of this programme.")
    if code == "no_positions_left":
        return _("Every position of this job order was already taken in an earlier round.")
    if code == "job_order_closed":
        return _("This job order closed or was withdrawn before the run.")
    return message(eligibility.Unmet(code, "", _dates(params)))


def priority_text(tier: int | None, points, lottery: int | None = None) -> str:
    if tier is None:
        return "—"
    text = _("%(tier)s, %(points)s points") % {"tier": tier_label(tier), "points": _points(points)}
    if lottery is not None:
        text += _(", lottery number %(lottery)s") % {"lottery": lottery}
    return text


def _points(value) -> str:
    number = Decimal(str(value)).quantize(Decimal("0.01"))
    return f"{number.normalize():f}" if number == number.to_integral() else f"{number:f}"


def entry_sentence(entry: dict, *, shortlist: bool) -> str:
    """Why one ranked job order turned out as it did."""
    status = entry["status"]
    if status == "selected":
        if shortlist:
            return _("You are on this job order's shortlist; the employer chooses from it and gives a reason.")
        return _("You obtained this job order.")
    if status == "not_reached":
        return _("Not needed: you obtained a job order you ranked higher.")
    if status == "ineligible":
        return " ".join(reason_text(code, params) for code, params in entry["reasons"]) or _("Not eligible.")
    cut = entry.get("cutoff")
    if cut is None:
        return _("Not obtained although places were left: the programme's cap for your group was reached.")
    mine = (entry["tier"], -priority.points_key(entry["points"]), entry["lottery"])
    theirs = (cut["tier"], -priority.points_key(cut["points"]), cut["lottery"])
    if mine < theirs:
        return _("Not obtained: the workers admitted below your priority hold places reserved under the programme's "
                 "targets, or the cap for your group was reached.")
    return _("Not obtained: the last worker admitted had priority %(cutoff)s; yours was %(mine)s.") % {
        "cutoff": priority_text(cut["tier"], cut["points"], cut["lottery"]),
        "mine": priority_text(entry["tier"], entry["points"], entry["lottery"]),
    }
