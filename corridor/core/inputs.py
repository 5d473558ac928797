"""Reading one field of a service's input: the same rules and messages everywhere. Plain Python, no Django."""

from __future__ import annotations

import datetime

MIN_YEAR, MAX_YEAR = 1900, 2200


def date_field(data: dict, name: str, errors: list, *, required: bool = True) -> datetime.date | None:
    """`data[name]` as a date (a date, a datetime or an ISO text, of which the first 10 characters count), or None
    with an error naming the field appended to `errors`: missing when required, not a date, or a year outside
    1900-2200 (what a slip of the keyboard gives)."""
    raw = data.get(name)
    if isinstance(raw, datetime.datetime):
        raw = raw.date()
    if isinstance(raw, datetime.date):
        value = raw
    elif raw is None or str(raw).strip() == "":
        if required:
            errors.append({"field": name, "message": "This field is required."})
        return None
    else:
        try:
            value = datetime.date.fromisoformat(str(raw).strip()[:10])
        except ValueError:
            errors.append({"field": name, "message": f"{str(raw)[:40]!r} is not a date (YYYY-MM-DD)."})
            return None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        errors.append({"field": name, "message": f"Give a year between {MIN_YEAR} and {MAX_YEAR}."})
        return None
    return value
