"""Reading wage figures and computing a programme's wage floor from them."""

from __future__ import annotations

import datetime

from django.db import models

from corridor.core.errors import InvalidInput
from corridor.programmes.selectors import programme_get, rule_version_in_force
from corridor.reference import codes
from corridor.wages import floor
from corridor.wages.models import MinimumWage, PrevailingWage


def prevailing_wage_list(
    *, user, country: str = "", region: str = "", isco: str = "", year: int | None = None
) -> models.QuerySet[PrevailingWage]:
    """Prevailing wages, filtered; `isco` matches the group and the groups below it."""
    qs = PrevailingWage.objects.all().restrict(user).select_related("source")
    if country:
        qs = qs.filter(country=country.strip().upper())
    if region:
        qs = qs.filter(region__iexact=region.strip())
    if isco:
        qs = qs.filter(isco_code__startswith=isco.strip())
    if year:
        qs = qs.filter(year=year)
    return qs


def minimum_wage_list(
    *, user, country: str = "", region: str = "", sector: str = "", on_date: datetime.date | None = None
) -> models.QuerySet[MinimumWage]:
    """Minimum wages, filtered; `on_date` keeps those in force that day."""
    qs = MinimumWage.objects.all().restrict(user).select_related("source")
    if country:
        qs = qs.filter(country=country.strip().upper())
    if region:
        qs = qs.filter(region__iexact=region.strip())
    if sector:
        qs = qs.filter(sector=sector.strip().upper())
    if on_date:
        qs = qs.filter(valid_from__lte=on_date).filter(
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=on_date)
        )
    return qs


def _source_label(source) -> str:
    return str(source)


def wage_floor_for(
    *,
    user=None,
    programme,
    country: str,
    region: str = "",
    isco_code: str,
    sector: str = "",
    on_date: datetime.date,
    unit: str | None = None,
) -> floor.FloorResult:
    """The floor of `programme` (its object or code) for an occupation and place on a day, under the rule
    version in force that day. Raises NotFound for an unknown programme, InvalidInput naming the field otherwise."""
    if isinstance(programme, str):
        programme = programme_get(user=user, code=programme)
    errors = []
    iso = codes.normalise_country(country)
    if iso is None:
        errors.append({"field": "country", "message": f"{country!r} is not an ISO 3166-1 alpha-2 country code."})
    if not (isinstance(isco_code, str) and isco_code.isascii() and isco_code.isdigit() and 1 <= len(isco_code) <= 4):
        errors.append({"field": "isco", "message": f"{isco_code!r} is not an ISCO-08 code (1 to 4 digits)."})
    sector = (sector or "").strip().upper()
    if sector and not codes.is_sector(sector):
        errors.append({"field": "sector", "message": f"{sector!r} is not an ISIC Rev.4 section (A to U)."})
    if errors:
        raise InvalidInput(errors)
    version = rule_version_in_force(programme=programme, day=on_date)
    if version is None:
        raise InvalidInput(
            [{"field": "date", "message": f"No rule version of {programme.code} is in force on {on_date.isoformat()}."}]
        )
    rule = (version.rules or {}).get("wage_floor") or {}
    prevailing = [
        floor.PrevailingFigure(
            amount=w.amount, currency=w.currency, unit=w.unit, isco_code=w.isco_code, year=w.year,
            region=w.region, source=_source_label(w.source),
        )
        for w in PrevailingWage.objects.filter(country=iso, year__lte=on_date.year)
        .filter(isco_code__in=[isco_code[:n] for n in range(1, len(isco_code) + 1)])
        .restrict(user)
        .select_related("source")
    ]
    minimum = [
        floor.MinimumFigure(
            amount=w.amount, currency=w.currency, unit=w.unit, valid_from=w.valid_from, valid_until=w.valid_until,
            region=w.region, sector=w.sector, source=_source_label(w.source),
        )
        for w in minimum_wage_list(user=user, country=iso, on_date=on_date)
    ]
    try:
        return floor.compute_floor(
            rule, isco_code=isco_code, day=on_date, prevailing=prevailing, minimum=minimum,
            region=(region or "").strip(), sector=sector, unit=unit,
        )
    except floor.FloorError as exc:
        raise InvalidInput([{"field": exc.field, "message": exc.message}]) from exc

