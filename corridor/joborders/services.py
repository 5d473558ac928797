"""Changing job orders: one atomic, audited function per step of the workflow, and the quota bookkeeping.

Input is checked in two layers. `clean_order_input` checks each field on its own (formats, known codes, the
employer's own worksite and housing) and raises InvalidInput naming every field at fault. `order_findings` then checks
the whole job order against the programme's rules in force for its season (`checks.py`): wage floor, season and stay,
occupation and sector, deductions, housing, travel costs, labour-market test. Submission and approval refuse an order
with findings; the findings are the error list, each naming the field.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from corridor.accounts.models import OrgKind
from corridor.core import audit
from corridor.core.access import Role, roles_of
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.inputs import date_field
from corridor.employers import housing as housing_core
from corridor.employers.models import MINISTRY_ROLES, EmployerProfile, HousingStatus, HousingUnit, Worksite
from corridor.employers.selectors import employer_may_submit_job_orders
from corridor.joborders import checks
from corridor.joborders.models import (
    EDITABLE,
    UNDER_REVIEW,
    JobOrder,
    LabourMarketAdvert,
    OriginVerification,
    QuotaCounter,
    Status,
    WageUnit,
)
from corridor.programmes.models import InstitutionalDesign, Programme, ProgrammeStatus, RuleVersion
from corridor.programmes.selectors import rule_version_in_force
from corridor.reference import codes
from corridor.reference.models import EscoOccupation, IscoGroup
from corridor.reference.selectors import isco_code_exists, isco_for_national_code
from corridor.wages import floor as floor_core
from corridor.wages.selectors import wage_floor_for

REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
MAX_DEDUCTIONS = 20
MAX_ADVERTS = 20
MAX_NAMED = 200
WAGE_UNITS = frozenset(WageUnit.values)
ORDER_FIELDS = (
    "title", "origin_countries", "isco_code", "esco_uri", "national_classification", "national_code", "sector",
    "positions", "start_date", "end_date", "worksite", "wage_amount", "wage_currency", "wage_unit", "hours_per_week",
    "overtime_rate_percent", "deductions", "housing", "outbound_travel_worker_percent", "return_travel_worker_percent",
    "named_workers", "language", "language_level", "min_experience_months", "description", "description_language",
    "translations", "open_to_transfers",
)


def new_reference() -> str:
    return "JO-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


# --- who may act -------------------------------------------------------------------------------------------------


def require_employer_member(actor, employer: EmployerProfile) -> None:
    if Role.EMPLOYER not in roles_of(actor) or actor.organisation_id != employer.organisation_id:
        raise Forbidden("Only members of this employer's organisation may do this.")


def is_destination_ministry(actor, programme: Programme) -> bool:
    org = getattr(actor, "organisation", None)
    if Role.PLATFORM_ADMIN in roles_of(actor):
        return True
    return bool(
        roles_of(actor) & MINISTRY_ROLES
        and org is not None
        and org.kind == OrgKind.DESTINATION_MINISTRY
        and org.country == programme.destination_country
    )


def _require_ministry(actor, programme: Programme) -> None:
    if not is_destination_ministry(actor, programme):
        raise Forbidden("Only officers of the destination country's labour ministry may do this.")


def _require_status(order: JobOrder, allowed, action: str) -> None:
    if order.status not in allowed:
        names = ", ".join(str(Status(s).label) for s in sorted(allowed))
        raise Conflict(
            f"A job order that is {str(Status(order.status).label).lower()} cannot be {action}; it must be: {names}.",
            field="status",
        )


# --- field checks ------------------------------------------------------------------------------------------------


def _decimal(data: dict, name: str, errors: list, *, minimum: Decimal | None = None, maximum: Decimal | None = None,
             required: bool = True, default: Decimal | None = None) -> Decimal | None:
    raw = data.get(name)
    if raw is None or str(raw).strip() == "":
        if required and default is None:
            errors.append({"field": name, "message": "This field is required."})
        return default
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
        if not value.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.append({"field": name, "message": f"{raw!r} is not a number."})
        return None
    if minimum is not None and value < minimum:
        errors.append({"field": name, "message": f"Must be at least {minimum}."})
    elif maximum is not None and value > maximum:
        errors.append({"field": name, "message": f"Must be at most {maximum}."})
    return value


def _integer(data: dict, name: str, errors: list, *, minimum: int, maximum: int, default: int | None = None) -> int | None:
    raw = data.get(name)
    if raw is None or str(raw).strip() == "":
        if default is None:
            errors.append({"field": name, "message": "This field is required."})
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        errors.append({"field": name, "message": f"{raw!r} is not a whole number."})
        return None
    if not minimum <= value <= maximum:
        errors.append({"field": name, "message": f"Must be between {minimum} and {maximum}."})
        return None
    return value


def _date(data: dict, name: str, errors: list) -> datetime.date | None:
    return date_field(data, name, errors)


def _text(data: dict, name: str, errors: list, *, required: bool = False, max_length: int = 200) -> str:
    value = str(data.get(name) or "").strip()
    if "\x00" in value:
        errors.append({"field": name, "message": "Contains a NUL character."})
        return ""
    if required and not value:
        errors.append({"field": name, "message": "This field is required."})
    elif len(value) > max_length:
        errors.append({"field": name, "message": f"Use at most {max_length} characters."})
    return value


def _list(data: dict, name: str, errors: list) -> list:
    raw = data.get(name)
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        return [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]
    if isinstance(raw, list | tuple):
        return list(raw)
    errors.append({"field": name, "message": "Must be a list."})
    return []


def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in {"1", "true", "yes", "y", "on", "oui", "sí", "si"}


class Lookups:
    """Reference lookups, cached for a bulk import (one query per kind instead of one per row)."""

    def __init__(self, *, bulk: bool = False):
        self.bulk = bulk
        self._isco: set[str] | None = None
        self._esco: dict[str, str] | None = None
        self._national: dict[tuple[str, str], str | None] = {}

    def isco_exists(self, code: str) -> bool:
        if self.bulk:
            if self._isco is None:
                self._isco = set(IscoGroup.objects.values_list("code", flat=True))
            return code in self._isco
        return isco_code_exists(code)

    def esco_isco(self, uri: str) -> str | None:
        if self.bulk:
            if self._esco is None:
                self._esco = dict(EscoOccupation.objects.values_list("uri", "isco_group__code"))
            return self._esco.get(uri)
        return EscoOccupation.objects.filter(uri=uri).values_list("isco_group__code", flat=True).first()

    def national_isco(self, system: str, national: str) -> str | None:
        """The ISCO-08 code a national code maps to; in bulk, each pair is looked up once."""
        key = (system.strip().upper(), national.strip())
        if not self.bulk or key not in self._national:
            group = isco_for_national_code(system, national)
            self._national[key] = group.code if group is not None else None
        return self._national[key]


def _clean_occupation(data: dict, errors: list, lookups: Lookups) -> dict:
    isco = str(data.get("isco_code") or "").strip()
    esco = str(data.get("esco_uri") or "").strip()
    system = str(data.get("national_classification") or "").strip()
    national = str(data.get("national_code") or "").strip()
    if esco:
        esco_isco = lookups.esco_isco(esco)
        if esco_isco is None:
            errors.append({"field": "esco_uri", "message": f"Unknown ESCO occupation {esco!r}."})
        elif isco and not esco_isco.startswith(isco) and isco != esco_isco:
            errors.append({"field": "esco_uri", "message": f"The ESCO occupation belongs to ISCO-08 {esco_isco}, not {isco}."})
        elif not isco:
            isco = esco_isco
    if national or system:
        if not (national and system):
            errors.append({"field": "national_code", "message": "Give both the national classification and the code."})
        else:
            group = lookups.national_isco(system, national)
            if group is None:
                errors.append(
                    {"field": "national_code", "message": f"{system} code {national!r} is not in the crosswalk to ISCO-08."}
                )
            elif isco and isco != group:
                errors.append({"field": "national_code", "message": f"{system} {national} maps to ISCO-08 {group}, not {isco}."})
            elif not isco:
                isco = group
    if not isco:
        if not any(e["field"] in ("esco_uri", "national_code") for e in errors):
            errors.append({"field": "isco_code", "message": "Give the occupation: an ISCO-08 code, an ESCO occupation or a national code."})
    elif not (isco.isascii() and isco.isdigit() and len(isco) == 4):
        errors.append({"field": "isco_code", "message": f"{isco!r} is not an ISCO-08 unit group (4 digits)."})
    elif not lookups.isco_exists(isco):
        errors.append({"field": "isco_code", "message": f"Unknown ISCO-08 code {isco!r}."})
    return {"isco_code": isco, "esco_uri": esco, "national_classification": system, "national_code": national}


def _clean_deductions(data: dict, errors: list) -> list[dict]:
    raw = data.get("deductions")
    if raw in (None, ""):
        return []
    if isinstance(raw, str):  # "housing:120; food:80" in a file or a form
        items = []
        for part in raw.replace("\n", ";").split(";"):
            if part.strip():
                kind, _, amount = part.partition(":")
                items.append({"type": kind.strip(), "amount": amount.strip()})
        raw = items
    if not isinstance(raw, list | tuple):
        errors.append({"field": "deductions", "message": "Must be a list of {type, amount}."})
        return []
    if len(raw) > MAX_DEDUCTIONS:
        errors.append({"field": "deductions", "message": f"At most {MAX_DEDUCTIONS} deductions."})
        return []
    clean = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            errors.append({"field": f"deductions[{index}]", "message": "Must be an object with type and amount."})
            continue
        kind = str(item.get("type") or "").strip().lower().replace(" ", "_")
        if not kind:
            errors.append({"field": f"deductions[{index}].type", "message": "Every deduction needs a type."})
        local: list = []
        amount = _decimal({"amount": item.get("amount")}, "amount", local, minimum=Decimal(0))
        errors.extend({"field": f"deductions[{index}].{e['field']}", "message": e["message"]} for e in local)
        if kind and amount is not None:
            clean.append({"type": kind, "amount": str(amount.quantize(Decimal("0.01")))})
    return clean


def _clean_adverts(raw, errors: list) -> list[dict] | None:
    if raw is None:
        return None
    if not isinstance(raw, list | tuple):
        errors.append({"field": "adverts", "message": "Must be a list of adverts."})
        return None
    if len(raw) > MAX_ADVERTS:
        errors.append({"field": "adverts", "message": f"At most {MAX_ADVERTS} adverts."})
        return None
    clean = []
    for index, item in enumerate(raw):
        local: list = []
        item = item if isinstance(item, dict) else {}
        advert = {
            "channel": _text(item, "channel", local, required=True),
            "start_date": _date(item, "start_date", local),
            "end_date": _date(item, "end_date", local),
            "local_applicants": _integer(item, "local_applicants", local, minimum=0, maximum=1_000_000, default=0),
            "local_hires": _integer(item, "local_hires", local, minimum=0, maximum=1_000_000, default=0),
            "url": _text(item, "url", local, max_length=200),
        }
        if advert["start_date"] and advert["end_date"] and advert["end_date"] < advert["start_date"]:
            local.append({"field": "end_date", "message": "The advert cannot end before it starts."})
        if (advert["local_hires"] or 0) > (advert["local_applicants"] or 0):
            local.append({"field": "local_hires", "message": "There cannot be more local hires than local applicants."})
        if advert["url"] and not advert["url"].startswith(("http://", "https://")):
            local.append({"field": "url", "message": "The link must start with http:// or https://."})
        errors.extend({"field": f"adverts[{index}].{e['field']}", "message": e["message"]} for e in local)
        clean.append(advert)
    return clean


def clean_order_input(data: dict, employer: EmployerProfile, programme: Programme, *, lookups: Lookups | None = None,
                      worksites: dict | None = None, units: dict | None = None) -> tuple[dict, list[dict]]:
    """Each field of a job order checked on its own: (clean values, errors naming their field)."""
    lookups = lookups or Lookups()
    errors: list[dict] = []
    clean: dict[str, Any] = {"title": _text(data, "title", errors, required=True)}
    origins = []
    for code in _list(data, "origin_countries", errors):
        iso = codes.normalise_country(str(code))
        if iso is None:
            errors.append({"field": "origin_countries", "message": f"Unknown country code {code!r}."})
        elif iso not in origins:
            origins.append(iso)
    if not origins and not any(e["field"] == "origin_countries" for e in errors):
        errors.append({"field": "origin_countries", "message": "Name at least one origin country."})
    clean["origin_countries"] = origins
    clean.update(_clean_occupation(data, errors, lookups))
    sector = str(data.get("sector") or "").strip().upper() or (employer.sectors[0] if len(employer.sectors or []) == 1 else "")
    if not codes.is_sector(sector):
        errors.append({"field": "sector", "message": f"{sector!r} is not an ISIC Rev.4 section (A to U)." if sector else "This field is required."})
    clean["sector"] = sector
    clean["positions"] = _integer(data, "positions", errors, minimum=1, maximum=100_000)
    clean["start_date"] = _date(data, "start_date", errors)
    clean["end_date"] = _date(data, "end_date", errors)
    if clean["start_date"] and clean["end_date"] and clean["end_date"] <= clean["start_date"]:
        errors.append({"field": "end_date", "message": "The end date must be after the start date."})
    worksite = data.get("worksite")
    worksite_id = getattr(worksite, "pk", worksite)
    site = None
    try:
        worksite_id = int(worksite_id) if worksite_id not in (None, "") else None
    except (TypeError, ValueError):
        worksite_id = None
        errors.append({"field": "worksite", "message": f"{worksite!r} is not a worksite number."})
    if worksite_id is None:
        if not any(e["field"] == "worksite" for e in errors):
            errors.append({"field": "worksite", "message": "Choose one of the employer's worksites."})
    else:
        site = worksites.get(worksite_id) if worksites is not None else Worksite.objects.filter(pk=worksite_id, employer=employer).first()
        if site is None or site.employer_id != employer.pk:
            errors.append({"field": "worksite", "message": f"Worksite {worksite_id} is not one of this employer's worksites."})
            site = None
        elif site.country != programme.destination_country:
            errors.append({"field": "worksite", "message": f"The worksite is in {site.country}, not in the programme's country."})
    clean["worksite"] = site
    clean["wage_amount"] = _decimal(data, "wage_amount", errors, minimum=Decimal("0.01"), maximum=Decimal("9999999999"))
    currency = codes.normalise_currency(str(data.get("wage_currency") or "").strip())
    if currency is None:
        errors.append({"field": "wage_currency", "message": f"Unknown ISO 4217 currency {data.get('wage_currency')!r}."})
    clean["wage_currency"] = currency or ""
    unit = str(data.get("wage_unit") or "").strip().lower()
    if unit not in WAGE_UNITS:
        errors.append({"field": "wage_unit", "message": f"The wage unit must be one of {', '.join(WageUnit.values)}."})
    clean["wage_unit"] = unit
    clean["hours_per_week"] = _decimal(data, "hours_per_week", errors, minimum=Decimal("0.5"), maximum=Decimal(84))
    clean["overtime_rate_percent"] = _decimal(
        data, "overtime_rate_percent", errors, minimum=Decimal(0), maximum=Decimal(500), default=Decimal(150)
    )
    clean["deductions"] = _clean_deductions(data, errors)
    housing = data.get("housing")
    housing_id = getattr(housing, "pk", housing)
    clean["housing"] = None
    if housing_id not in (None, ""):
        try:
            housing_id = int(housing_id)
            unit_obj = units.get(housing_id) if units is not None else HousingUnit.objects.filter(pk=housing_id).select_related("worksite").first()
        except (TypeError, ValueError):
            unit_obj = None
        if unit_obj is None or unit_obj.worksite.employer_id != employer.pk:
            errors.append({"field": "housing", "message": f"Housing unit {housing_id} is not one of this employer's units."})
        else:
            clean["housing"] = unit_obj
    for name in ("outbound_travel_worker_percent", "return_travel_worker_percent"):
        clean[name] = _decimal(data, name, errors, minimum=Decimal(0), maximum=Decimal(100), default=Decimal(0))
    named = [str(w).strip() for w in _list(data, "named_workers", errors) if str(w).strip()]
    if len(named) > MAX_NAMED:
        errors.append({"field": "named_workers", "message": f"At most {MAX_NAMED} named workers."})
    clean["named_workers"] = named[:MAX_NAMED]
    language = str(data.get("language") or "").strip()
    if language and not codes.is_language(language):
        errors.append({"field": "language", "message": f"Unknown ISO 639 language code {language!r}."})
    clean["language"] = codes.normalise_language(language) or "" if language else ""
    clean["language_level"] = _text(data, "language_level", errors, max_length=40)
    clean["min_experience_months"] = _integer(data, "min_experience_months", errors, minimum=0, maximum=600, default=0)
    clean["description"] = _text(data, "description", errors, max_length=5000)
    description_language = str(data.get("description_language") or "en").strip()
    if not codes.is_language(description_language):
        errors.append({"field": "description_language", "message": f"Unknown ISO 639 language code {description_language!r}."})
    clean["description_language"] = codes.normalise_language(description_language) or "en"
    translations = data.get("translations") or {}
    clean["translations"] = {}
    if not isinstance(translations, dict):
        errors.append({"field": "translations", "message": "Must map language codes to texts."})
    else:
        for lang, text in translations.items():
            code = codes.normalise_language(str(lang))
            if code is None:
                errors.append({"field": f"translations.{lang}", "message": f"Unknown ISO 639 language code {lang!r}."})
            elif not isinstance(text, str) or len(text) > 5000 or "\x00" in text:
                errors.append({"field": f"translations.{lang}", "message": "Must be a text of at most 5000 characters."})
            elif text.strip():
                clean["translations"][code] = text.strip()
    clean["open_to_transfers"] = _bool(data.get("open_to_transfers"))
    if "adverts" in data:
        clean["adverts"] = _clean_adverts(data.get("adverts"), errors)
    return clean, errors


# --- whole-order checks ------------------------------------------------------------------------------------------


def _housing_facts(unit: HousingUnit | None, rules: dict) -> checks.Housing | None:
    if unit is None:
        return None
    facts = housing_core.facts(unit.beds_per_room, float(unit.floor_area_m2), unit.facilities)
    findings = housing_core.check_unit(facts, rules.get("housing") or {})
    return checks.Housing(
        capacity=facts.capacity,
        findings=tuple((f.rule, f.message) for f in findings),
        offered=unit.status == HousingStatus.OFFERED,
        charge=Decimal(unit.charge_amount),
        charge_currency=unit.charge_currency,
    )


def _as_core(order: JobOrder, adverts) -> checks.Order:
    return checks.Order(
        isco_code=order.isco_code,
        sector=order.sector,
        origin_countries=tuple(order.origin_countries),
        positions=order.positions,
        start=order.start_date,
        end=order.end_date,
        wage_amount=Decimal(order.wage_amount),
        wage_currency=order.wage_currency,
        wage_unit=order.wage_unit,
        hours_per_week=Decimal(order.hours_per_week),
        overtime_rate_percent=Decimal(order.overtime_rate_percent),
        deductions=tuple(checks.Deduction(d["type"], Decimal(str(d["amount"]))) for d in order.deductions or []),
        outbound_travel_worker_percent=Decimal(order.outbound_travel_worker_percent),
        return_travel_worker_percent=Decimal(order.return_travel_worker_percent),
        adverts=tuple(
            checks.Advert(a.channel, a.start_date, a.end_date, a.local_applicants, a.local_hires) for a in adverts
        ),
        named_workers=tuple(order.named_workers or []),
        has_housing=order.housing_id is not None,
    )


def corridor_origins(programme: Programme) -> frozenset[str]:
    return frozenset(programme.corridors.filter(is_active=True).values_list("origin_country", flat=True))


def order_findings(order: JobOrder, *, today: datetime.date | None = None, version: RuleVersion | None = None,
                   origins: frozenset[str] | None = None, floor_cache: dict | None = None,
                   adverts=None) -> tuple[list[checks.Finding], RuleVersion | None]:
    """Every rule of the programme (rules in force on the start date) that the order breaks, and that version.

    `floor_cache`, a dict shared over a bulk check, keeps each wage floor and housing assessment computed."""
    today = today or timezone.localdate()
    version = version or rule_version_in_force(programme=order.programme, day=order.start_date)
    if version is None:
        return [checks.Finding("start_date", "rule_version", f"No rules of {order.programme.code} are in force on "
                               f"{order.start_date.isoformat()}; choose dates within the programme's validity.")], None
    rules = version.rules or {}
    floor_error, shortfalls = "", ()
    site = order.worksite
    key = (order.isco_code, site.country, site.region, order.sector, order.start_date, order.wage_unit, version.pk)
    try:
        if floor_cache is not None and key in floor_cache:
            result = floor_cache[key]
        else:
            result = wage_floor_for(
                programme=order.programme, country=site.country, region=site.region, isco_code=order.isco_code,
                sector=order.sector, on_date=order.start_date, unit=order.wage_unit,
            )
            if floor_cache is not None:
                floor_cache[key] = result
        shortfalls = tuple(result.check(floor_core.Offer(Decimal(order.wage_amount), order.wage_currency, order.wage_unit)))
    except InvalidInput as exc:
        floor_error = "The wage floor cannot be computed: " + "; ".join(e["message"] for e in exc.as_errors())
    except floor_core.FloorError as exc:
        floor_error = exc.message
    housing_key = ("housing", order.housing_id, version.pk)  # in a bulk check, each unit is assessed once
    if floor_cache is not None and housing_key in floor_cache:
        housing = floor_cache[housing_key]
    else:
        housing = _housing_facts(order.housing, rules)
        if floor_cache is not None:
            floor_cache[housing_key] = housing
    context = checks.Context(
        today=today,
        corridor_origins=origins if origins is not None else corridor_origins(order.programme),
        floor_shortfalls=shortfalls,
        floor_error=floor_error,
        housing=housing,
    )
    adverts = adverts if adverts is not None else list(order.adverts.all()) if order.pk else []
    return checks.check_order(_as_core(order, adverts), rules, context), version


def wage_floor_label(order: JobOrder) -> str:
    """The floor the order's wage is compared with, for display; empty when none can be computed."""
    try:
        result = wage_floor_for(
            programme=order.programme, country=order.worksite.country, region=order.worksite.region,
            isco_code=order.isco_code, sector=order.sector, on_date=order.start_date, unit=order.wage_unit,
        )
    except (InvalidInput, floor_core.FloorError):
        return ""
    return f"{result.label} ({result.explanation})"


def _refuse(findings: list[checks.Finding]) -> None:
    if findings:
        raise InvalidInput([f.as_error() for f in findings])


# --- creating and editing ----------------------------------------------------------------------------------------


def _snapshot(order: JobOrder) -> dict:
    return audit.snapshot(order, exclude=("check_report", "updated_at", "created_at", "origins_index"))


def _apply(order: JobOrder, clean: dict) -> None:
    for name in ORDER_FIELDS:
        if name in clean:
            setattr(order, name, clean[name])
    order.origins_index = "," + ",".join(order.origin_countries) + ","


def _replace_adverts(order: JobOrder, adverts: list[dict] | None) -> None:
    if adverts is None:
        return
    order.adverts.all().delete()
    LabourMarketAdvert.objects.bulk_create([LabourMarketAdvert(job_order=order, **a) for a in adverts])


def _require_programme_open(programme: Programme) -> None:
    if programme.status != ProgrammeStatus.ACTIVE:
        raise InvalidInput(f"Programme {programme.code} is not active; job orders can be made only under active programmes.", field="programme")


@transaction.atomic
def job_order_create(*, actor, employer: EmployerProfile, programme: Programme, **data: Any) -> JobOrder:
    """An employer drafts a job order (checked field by field; the rules are checked on submission)."""
    require_employer_member(actor, employer)
    _require_programme_open(programme)
    clean, errors = clean_order_input(data, employer, programme)
    if errors:
        raise InvalidInput(errors)
    adverts = clean.pop("adverts", None)
    order = JobOrder(employer=employer, programme=programme, reference=new_reference())
    _apply(order, clean)
    order.save()
    _replace_adverts(order, adverts)
    audit.record(actor=actor, action="job_order.create", subject=order, after=_snapshot(order),
                 programme_id=programme.pk, organisation_id=employer.organisation_id)
    return order


def _locked(order: JobOrder) -> JobOrder:
    return JobOrder.objects.select_for_update(of=("self",)).select_related("programme", "employer", "worksite", "housing").get(pk=order.pk)


@transaction.atomic
def job_order_update(*, actor, order: JobOrder, **data: Any) -> JobOrder:
    """Change a draft or returned job order; fields not given keep their value."""
    order = _locked(order)
    require_employer_member(actor, order.employer)
    _require_status(order, EDITABLE, "changed")
    merged = {name: getattr(order, name) for name in ORDER_FIELDS}
    merged.update({k: v for k, v in data.items() if k in ORDER_FIELDS or k == "adverts"})
    clean, errors = clean_order_input(merged, order.employer, order.programme)
    if errors:
        raise InvalidInput(errors)
    before = _snapshot(order)
    adverts = clean.pop("adverts", None)
    _apply(order, clean)
    order.save()
    _replace_adverts(order, adverts)
    audit.record(actor=actor, action="job_order.update", subject=order, before=before, after=_snapshot(order),
                 programme_id=order.programme_id, organisation_id=order.employer.organisation_id)
    return order


@transaction.atomic
def advert_add(*, actor, order: JobOrder, **data: Any) -> LabourMarketAdvert:
    """Add evidence of local advertising to a draft or returned job order."""
    order = _locked(order)
    require_employer_member(actor, order.employer)
    _require_status(order, EDITABLE, "changed")
    errors: list[dict] = []
    adverts = _clean_adverts([data], errors)
    if errors:
        raise InvalidInput([{**e, "field": e["field"].removeprefix("adverts[0].")} for e in errors])
    advert = LabourMarketAdvert.objects.create(job_order=order, **adverts[0])
    audit.record(actor=actor, action="job_order.advert_add", subject=order, after={"advert": adverts[0]},
                 programme_id=order.programme_id, organisation_id=order.employer.organisation_id)
    return advert


# --- the workflow ------------------------------------------------------------------------------------------------


def _findings_report(findings: list[checks.Finding]) -> list[dict]:
    return [f.as_error() for f in findings]


def _record(actor, action: str, order: JobOrder, before: dict, reason: str = "", version_id=None) -> None:
    audit.record(actor=actor, action=action, subject=order, before=before, after=_snapshot(order), reason=reason,
                 programme_id=order.programme_id, organisation_id=order.employer.organisation_id,
                 rule_version_id=version_id or order.rule_version_id)


@transaction.atomic
def job_order_submit(*, actor, order: JobOrder, today: datetime.date | None = None) -> JobOrder:
    """The employer submits a draft (or a returned order, corrected) for review. Refused with every finding listed
    when the order breaks a rule, and refused while the employer is not approved, suspended or banned."""
    order = _locked(order)
    require_employer_member(actor, order.employer)
    _require_status(order, EDITABLE, "submitted")
    _require_programme_open(order.programme)
    today = today or timezone.localdate()
    allowed, why = employer_may_submit_job_orders(order.employer, order.programme, today)
    if not allowed:
        raise InvalidInput(why, field="employer")
    findings, version = order_findings(order, today=today)
    _refuse(findings)
    before = _snapshot(order)
    order.status = Status.SUBMITTED
    order.submitted_by, order.submitted_at = actor, timezone.now()
    order.rule_version = version
    order.check_report = []
    order.returned_reasons = []
    order.reviewed_by = order.reviewed_at = None
    order.save()
    _record(actor, "job_order.submit", order, before)
    return order


def four_eyes_required(order: JobOrder, version: RuleVersion | None) -> bool:
    """Whether approval needs a second officer: where the programme asks for it, unless the employer is trusted
    (a shorter review; the checks all still run)."""
    rules = (version.rules if version else {}) or {}
    return bool(rules.get("four_eyes_approval", True)) and not order.employer.trusted


@transaction.atomic
def job_order_review(*, actor, order: JobOrder, note: str = "", today: datetime.date | None = None) -> JobOrder:
    """A destination ministry officer reviews a submitted order: the checks run again and their report is kept."""
    order = _locked(order)
    _require_ministry(actor, order.programme)
    _require_status(order, {Status.SUBMITTED}, "reviewed")
    findings, version = order_findings(order, today=today)
    before = _snapshot(order)
    order.status = Status.REVIEWED
    order.reviewed_by, order.reviewed_at = actor, timezone.now()
    order.review_note = (note or "").strip()[:5000]
    order.check_report = _findings_report(findings)
    order.rule_version = version or order.rule_version
    order.save()
    _record(actor, "job_order.review", order, before, reason=order.review_note)
    return order


def verification_needed(order: JobOrder) -> set[str]:
    """The origin countries whose competent authority must verify the order before it opens."""
    if order.programme.institutional_design == InstitutionalDesign.UNILATERAL:
        return set()
    with_authority = set(
        order.programme.corridors.filter(is_active=True, competent_authority__isnull=False).values_list("origin_country", flat=True)
    )
    return with_authority & set(order.origin_countries)


def _quota_keys(order: JobOrder, version: RuleVersion | None) -> list[tuple[str, str, int]]:
    return checks.quota_keys((version.rules if version else {}) or {}, origin_countries=order.origin_countries, sector=order.sector)


def _reserve(order: JobOrder, keys: list[tuple[str, str, int]], year: int, count: int) -> None:
    """Draw `count` positions from each quota counter in `keys`, or raise Conflict naming the exhausted quota.

    Counters are created if missing (without a race: INSERT .. ON CONFLICT DO NOTHING), then locked in a fixed
    order, so that parallel approvals wait for each other instead of overshooting or deadlocking. The database
    constraint `used <= limit` is the last guard."""
    if not keys or count <= 0:
        return
    QuotaCounter.objects.bulk_create(
        [QuotaCounter(programme_id=order.programme_id, year=year, scope=s, key=k, limit=lim) for s, k, lim in keys],
        ignore_conflicts=True,
    )
    wanted = {(s, k): lim for s, k, lim in keys}
    counters = list(
        QuotaCounter.objects.select_for_update()
        .filter(programme_id=order.programme_id, year=year, scope__in={s for s, _, _ in keys})
        .order_by("pk")
    )
    for counter in counters:
        limit = wanted.get((counter.scope, counter.key))
        if limit is None:
            continue
        if counter.limit != limit:  # the rules changed the quota: the counter follows, never below what is used
            counter.limit = max(limit, counter.used)
            QuotaCounter.objects.filter(pk=counter.pk).update(limit=counter.limit)
        if counter.used + count > counter.limit:
            what = {"programme": f"{order.programme.code}'s annual quota", "origin": f"the quota for origin {counter.key}",
                    "sector": f"the quota for sector {counter.key}"}[counter.scope]
            raise Conflict(
                f"Quota exhausted: {what} for {year} has {counter.limit - counter.used} of {counter.limit} positions "
                f"left; this job order needs {count}.",
                field="positions",
            )
    for counter in counters:
        if (counter.scope, counter.key) in wanted:
            QuotaCounter.objects.filter(pk=counter.pk).update(used=F("used") + count)


def _release(order: JobOrder, count: int) -> None:
    if count <= 0 or order.quota_year is None:
        return
    for scope, key in {(s, k) for s, k, _ in _quota_keys(order, order.rule_version)}:
        QuotaCounter.objects.filter(programme_id=order.programme_id, year=order.quota_year, scope=scope, key=key).update(
            used=F("used") - count
        )
    order.quota_held -= count


@transaction.atomic
def job_order_approve(*, actor, order: JobOrder, note: str = "", today: datetime.date | None = None) -> JobOrder:
    """A destination ministry officer approves: the checks must pass, four eyes where required, the quota is drawn.
    The order then waits for the origin authorities' verification, or opens at once where none is needed."""
    order = _locked(order)
    _require_ministry(actor, order.programme)
    _require_status(order, UNDER_REVIEW, "approved")
    version = rule_version_in_force(programme=order.programme, day=order.start_date)
    needs_two = four_eyes_required(order, version)
    if needs_two and order.status != Status.REVIEWED:
        raise Conflict("This programme requires a review by one officer and approval by another; review the order first.", field="status")
    if needs_two and order.reviewed_by_id == actor.pk:
        raise Forbidden("Four eyes: the officer who reviewed this job order cannot also approve it.")
    if order.submitted_by_id == actor.pk:
        raise Forbidden("The person who submitted a job order cannot approve it.")
    findings, version = order_findings(order, today=today, version=version)
    _refuse(findings)
    before = _snapshot(order)
    now = timezone.now()
    if order.status == Status.SUBMITTED:
        order.reviewed_by, order.reviewed_at = actor, now
    year = order.start_date.year
    try:
        with transaction.atomic():
            _reserve(order, _quota_keys(order, version), year, order.positions)
    except IntegrityError as exc:  # the database constraint caught what the lock should have
        raise Conflict("Quota exhausted; this job order cannot be approved now.", field="positions") from exc
    order.quota_year, order.quota_held = year, order.positions
    order.rule_version = version
    order.check_report = []
    order.approved_by, order.approved_at = actor, now
    order.four_eyes = needs_two
    order.approval_note = (note or "").strip()[:5000]
    if verification_needed(order):
        order.status = Status.APPROVED
    else:
        order.status, order.opened_at = Status.OPEN, now
    order.save()
    _record(actor, "job_order.approve", order, before, reason=order.approval_note, version_id=version.pk)
    return order


def _reasons(reasons) -> list[str]:
    if isinstance(reasons, str):
        reasons = [line for line in reasons.splitlines()]
    clean = [str(r).strip()[:1000] for r in reasons or [] if str(r).strip()]
    if not clean:
        raise InvalidInput("Give at least one reason, so that the employer knows what to correct.", field="reasons")
    return clean[:50]


@transaction.atomic
def job_order_return(*, actor, order: JobOrder, reasons) -> JobOrder:
    """Send an order back to the employer with reasons: the destination ministry during review, or an origin
    authority instead of verifying it (the quota it held is then released)."""
    order = _locked(order)
    reasons = _reasons(reasons)
    if order.status in UNDER_REVIEW:
        _require_ministry(actor, order.programme)
    elif order.status == Status.APPROVED:
        _require_origin_authority(actor, order)
    else:
        _require_status(order, UNDER_REVIEW | {Status.APPROVED}, "returned")
    before = _snapshot(order)
    _release(order, order.quota_held)
    order.quota_year = None if order.quota_held == 0 else order.quota_year
    order.status = Status.RETURNED
    order.returned_reasons = reasons
    order.approved_by = order.approved_at = None
    order.approval_note = ""
    order.four_eyes = False
    order.verifications.all().delete()
    order.save()
    _record(actor, "job_order.return", order, before, reason="\n".join(reasons))
    return order


def _require_origin_authority(actor, order: JobOrder) -> str:
    org = getattr(actor, "organisation", None)
    if Role.ORIGIN_OFFICER not in roles_of(actor) or org is None:
        raise Forbidden("Only officers of an origin country's competent authority may verify job orders.")
    if org.country not in order.origin_countries or not order.programme.corridors.filter(
        is_active=True, origin_country=org.country, competent_authority=org
    ).exists():
        raise Forbidden("Your authority is not the competent authority of an origin country of this job order.")
    return org.country


@transaction.atomic
def job_order_verify(*, actor, order: JobOrder, note: str = "") -> JobOrder:
    """The origin authority confirms an approved order for its workers; once every origin concerned has, it opens."""
    order = _locked(order)
    country = _require_origin_authority(actor, order)
    _require_status(order, {Status.APPROVED}, "verified")
    if order.verifications.filter(origin_country=country).exists():
        raise Conflict(f"This job order is already verified for {country}.", field="status")
    before = _snapshot(order)
    OriginVerification.objects.create(job_order=order, origin_country=country, authority=actor.organisation,
                                      verified_by=actor, note=(note or "").strip()[:2000])
    done = set(order.verifications.values_list("origin_country", flat=True))
    if verification_needed(order) <= done:
        order.status, order.opened_at = Status.OPEN, timezone.now()
    order.save()
    _record(actor, "job_order.verify", order, before, reason=f"Verified for {country}. {note}".strip())
    return order


@transaction.atomic
def job_order_record_filled(*, actor, order: JobOrder, filled: int) -> JobOrder:
    """Record how many positions are filled (by the destination ministry, or by the selection run later)."""
    order = _locked(order)
    _require_ministry(actor, order.programme)
    _require_status(order, {Status.OPEN, Status.PARTLY_FILLED, Status.FILLED}, "filled")
    if not isinstance(filled, int) or isinstance(filled, bool) or not 0 <= filled <= order.positions:
        raise InvalidInput(f"Filled positions must be a whole number from 0 to {order.positions}.", field="filled")
    before = _snapshot(order)
    order.positions_filled = filled
    order.status = Status.FILLED if filled == order.positions else Status.PARTLY_FILLED if filled else Status.OPEN
    order.save()
    _record(actor, "job_order.fill", order, before)
    return order


@transaction.atomic
def job_order_close(*, actor, order: JobOrder, reason: str = "") -> JobOrder:
    """Close an open, partly filled or filled order; positions not filled go back to the quota."""
    order = _locked(order)
    if not is_destination_ministry(actor, order.programme):
        require_employer_member(actor, order.employer)
    _require_status(order, {Status.OPEN, Status.PARTLY_FILLED, Status.FILLED}, "closed")
    before = _snapshot(order)
    _release(order, order.quota_held - order.positions_filled)
    order.status, order.closed_at = Status.CLOSED, timezone.now()
    order.cancel_reason = (reason or "").strip()[:2000]
    order.save()
    _record(actor, "job_order.close", order, before, reason=order.cancel_reason)
    return order


@transaction.atomic
def job_order_cancel(*, actor, order: JobOrder, reason: str) -> JobOrder:
    """Cancel an order that has no filled position; the quota it held is released."""
    order = _locked(order)
    if not is_destination_ministry(actor, order.programme):
        require_employer_member(actor, order.employer)
    _require_status(order, {Status.DRAFT, Status.SUBMITTED, Status.REVIEWED, Status.RETURNED, Status.APPROVED, Status.OPEN}, "cancelled")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why the job order is cancelled.", field="reason")
    before = _snapshot(order)
    _release(order, order.quota_held)
    order.status, order.closed_at = Status.CANCELLED, timezone.now()
    order.cancel_reason = reason[:2000]
    order.save()
    _record(actor, "job_order.cancel", order, before, reason=order.cancel_reason)
    return order
