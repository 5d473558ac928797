"""Large synthetic data sets for benchmarks, written through bulk paths.

Each part of the cycle registers a generator; `corridor generate` runs them in order, sharing a context dict
(e.g. the programmes made by the first are used by the next). Generated rows are marked by their codes or
usernames (prefix G<seed>-) so that the same seed is never generated twice.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone

from corridor.accounts.models import Organisation, OrgKind, RoleAssignment, User
from corridor.core import audit
from corridor.core.access import Role
from corridor.employers.models import (
    MINISTRY_ROLES,
    ApprovalStatus,
    EmployerApproval,
    EmployerProfile,
    HousingUnit,
    Worksite,
)
from corridor.joborders import checks
from corridor.joborders.models import JobOrder, LabourMarketAdvert, OriginVerification, QuotaCounter
from corridor.joborders.models import Status as JobStatus
from corridor.programmes import rulebook
from corridor.programmes.models import (
    InstitutionalDesign,
    Programme,
    ProgrammeCorridor,
    ProgrammeStatus,
    RuleVersion,
)
from corridor.programmes.presets import PRESETS

Generator = Callable[[random.Random, int, dict], dict[str, int]]
GENERATORS: list[tuple[str, Generator]] = []


def register(name: str):
    def decorate(fn: Generator) -> Generator:
        GENERATORS.append((name, fn))
        return fn

    return decorate


DESTINATIONS = ["CA", "AU", "NZ", "KR", "ES", "DE", "IT", "GB", "JP", "AE", "SA", "QA", "IL", "PL", "FR", "US"]
ORIGINS = ["MX", "JM", "GT", "MA", "SN", "PH", "NP", "VN", "ID", "BD", "LK", "KH", "FJ", "TO", "WS", "VU", "UA", "GE", "EG", "TN", "KE", "UZ"]
FIRST = ["Ana", "Luis", "Maria", "Juan", "Fatima", "Youssef", "Sita", "Ram", "Nguyen", "Linh", "Jose", "Grace", "Tevita", "Mele", "Amina", "Omar", "Priya", "Kofi"]
LAST = ["Garcia", "Lopez", "Benali", "El Amrani", "Sharma", "Thapa", "Tran", "Pham", "Santos", "Reyes", "Fifita", "Tupou", "Diallo", "Ndiaye", "Khan", "Hossain"]


def _org_pool(kind: str, countries: list[str], prefix: str) -> dict[str, Organisation]:
    """One organisation of `kind` per country, created in bulk when missing."""
    existing = {o.country: o for o in Organisation.objects.filter(kind=kind, country__in=countries, name__startswith=prefix)}
    missing = [Organisation(name=f"{prefix} {kind} {c}", kind=kind, country=c) for c in countries if c not in existing]
    Organisation.objects.bulk_create(missing, batch_size=1000)
    return {o.country: o for o in Organisation.objects.filter(kind=kind, country__in=countries, name__startswith=prefix)}


@register("programmes")
def generate_programmes(rng: random.Random, scale: int, ctx: dict) -> dict[str, int]:
    """`scale` programmes with 1-4 corridors and two rule versions each, their ministries and authorities."""
    prefix = ctx["prefix"]
    ministries = _org_pool(OrgKind.DESTINATION_MINISTRY, DESTINATIONS, prefix)
    authorities = _org_pool(OrgKind.ORIGIN_AUTHORITY, ORIGINS, prefix)
    presets = list(PRESETS.values())
    programmes = []
    for i in range(scale):
        preset = rng.choice(presets)
        dest = rng.choice(DESTINATIONS)
        programmes.append(
            Programme(
                code=f"{prefix}-{i + 1:06d}",
                name=f"Synthetic programme {i + 1}",
                institutional_design=InstitutionalDesign.MULTILATERAL,
                category=preset.category,
                destination_country=dest,
                owner=ministries[dest],
                status=ProgrammeStatus.ACTIVE,
                preset=preset.key,
            )
        )
    Programme.objects.bulk_create(programmes, batch_size=1000)
    programmes = list(Programme.objects.filter(code__startswith=f"{prefix}-").order_by("code"))
    corridors, versions = [], []
    preset_rules = {k: rulebook.RuleSet.model_validate(p.rules).model_dump(mode="json") for k, p in PRESETS.items()}
    for p in programmes:
        for origin in rng.sample(ORIGINS, rng.randint(1, 4)):
            corridors.append(ProgrammeCorridor(programme=p, origin_country=origin, competent_authority=authorities[origin]))
        rules = preset_rules[p.preset]
        versions.append(RuleVersion(programme=p, number=1, effective_from=datetime.date(2025, 1, 1), effective_until=datetime.date(2025, 12, 31), rules=rules, note="Generated"))
        rules2 = dict(rules) | {"contract_delivery_lead_days": rng.choice([14, 21, 30])}
        versions.append(RuleVersion(programme=p, number=2, effective_from=datetime.date(2026, 1, 1), rules=rules2, note="Generated"))
    ProgrammeCorridor.objects.bulk_create(corridors, batch_size=2000)
    RuleVersion.objects.bulk_create(versions, batch_size=2000)
    ctx["programmes"] = programmes
    return {"organisations": len(ministries) + len(authorities), "programmes": len(programmes), "corridors": len(corridors), "rule_versions": len(versions)}


@register("users")
def generate_users(rng: random.Random, scale: int, ctx: dict) -> dict[str, int]:
    """Ten officials and staff per programme with organisation-wide roles (no usable password)."""
    prefix = ctx["prefix"]
    kinds = [
        (OrgKind.DESTINATION_MINISTRY, Role.MINISTRY_OFFICER, DESTINATIONS),
        (OrgKind.ORIGIN_AUTHORITY, Role.ORIGIN_OFFICER, ORIGINS),
        (OrgKind.LABOUR_INSPECTORATE, Role.LABOUR_INSPECTOR, DESTINATIONS),
        (OrgKind.EMPLOYER, Role.EMPLOYER, DESTINATIONS),
        (OrgKind.RECRUITMENT_AGENCY, Role.AGENCY, ORIGINS),
    ]
    pools = {kind: (role, _org_pool(kind, countries, prefix)) for kind, role, countries in kinds}
    users, roles = [], []
    for i in range(scale * 10):
        kind, _r, countries = kinds[i % len(kinds)]
        role, pool = pools[kind]
        org = pool[rng.choice(countries)]
        users.append(
            User(
                username=f"{prefix.lower()}-user-{i + 1:07d}",
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                organisation=org,
                password="!",
            )
        )
        roles.append(role)
    User.objects.bulk_create(users, batch_size=2000)
    created = User.objects.filter(username__startswith=f"{prefix.lower()}-user-").order_by("username").only("pk")
    RoleAssignment.objects.bulk_create([RoleAssignment(user=u, role=r) for u, r in zip(created, roles, strict=True)], batch_size=2000)
    return {"users": len(users)}



# --- employers and job orders ------------------------------------------------------------------------------------

EMPLOYERS_PER_PROGRAMME = 20
ORDERS_PER_EMPLOYER = (8, 17)  # for employers allowed to recruit; about 12 on average
CURRENCIES = {
    "CA": "CAD", "AU": "AUD", "NZ": "NZD", "KR": "KRW", "ES": "EUR", "DE": "EUR", "IT": "EUR", "GB": "GBP", "JP": "JPY",
    "AE": "AED", "SA": "SAR", "QA": "QAR", "IL": "ILS", "PL": "PLN", "FR": "EUR", "US": "USD",
}
# A typical hourly wage for the jobs generated, in the local currency (illustrative; generated wages vary above it).
HOURLY_WAGE = {
    "CA": 18, "AU": 25, "NZ": 24, "KR": 10500, "ES": 9, "DE": 13.5, "IT": 9, "GB": 12.5, "JP": 1100, "AE": 9, "SA": 8,
    "QA": 7, "IL": 33, "PL": 30, "FR": 12, "US": 16,
}
WHOLE_UNITS = {"KRW", "JPY"}
REGIONS = {
    "CA": ["Ontario", "British Columbia", "Québec"], "AU": ["Queensland", "Victoria", "New South Wales"],
    "NZ": ["Hawke's Bay", "Bay of Plenty", "Marlborough"], "KR": ["Gyeonggi-do", "Chungcheongnam-do", "Gyeongsangnam-do"],
    "ES": ["Andalucía", "Región de Murcia", "Cataluña"], "DE": ["Bayern", "Niedersachsen", "Brandenburg"],
    "IT": ["Puglia", "Sicilia", "Trentino-Alto Adige"], "GB": ["Kent", "Herefordshire", "Scotland"],
    "JP": ["Aichi", "Ibaraki", "Hokkaido"], "AE": ["Dubai", "Abu Dhabi"], "SA": ["Riyadh", "Eastern Province"],
    "QA": ["Doha"], "IL": ["Southern District", "Northern District"], "PL": ["Mazowieckie", "Wielkopolskie"],
    "FR": ["Occitanie", "Provence-Alpes-Côte d'Azur", "Grand Est"], "US": ["California", "Washington", "Florida"],
}
# ISIC section -> (ISCO-08 unit group, job title)
SECTOR_JOBS = {
    "A": [("9211", "Crop harvest"), ("9211", "Fruit picking"), ("6111", "Vegetable growing"), ("6112", "Orchard work"),
          ("6113", "Greenhouse work"), ("6121", "Dairy farm work"), ("9212", "Livestock care")],
    "C": [("9329", "Production line work"), ("8219", "Assembly"), ("7223", "Machine operation"), ("8121", "Metal processing")],
    "F": [("9313", "Building labourer"), ("7112", "Bricklaying"), ("7115", "Carpentry")],
    "I": [("9412", "Kitchen help"), ("5120", "Cook")],
    "Q": [("5322", "Home care")],
}
EMPLOYER_NAMES = ["Green Valley", "Sunrise", "Hillside", "Riverbend", "Golden Field", "Blue Ridge", "Lakeview", "Northgate",
                  "Westwind", "Cedar Creek", "Harbour", "Pioneer", "Silver Oak", "Red Rock", "Meadowbrook", "Eastfield"]
EMPLOYER_KINDS = {"A": "Farms", "C": "Manufacturing", "F": "Construction", "I": "Hospitality", "Q": "Care Services"}
STREETS = ["Station Road", "Mill Lane", "River Road", "Orchard Way", "Industrial Avenue", "Church Street", "Valley Road"]
FACILITIES = ["kitchen", "toilets", "shower", "showers", "laundry", "heating", "drinking water", "air conditioning"]
ADVERT_CHANNELS = ["Public employment service", "National job portal", "Regional newspaper", "Sector job board", "Union hiring hall"]
RETURN_REASONS = [
    "The advert ran for fewer days than the programme requires; advertise again and attach the evidence.",
    "The housing unit chosen has fewer beds than the positions; choose a larger unit or fewer positions.",
    "Say how the guaranteed hours are spread over the week.",
    "The advert offered a lower wage than this order; advertise again at the offered wage.",
]
CANCEL_REASONS = [
    "The harvest was lost to hail.",
    "Our buyer cancelled the contract.",
    "Local workers were found after all.",
    "Opened in error; replaced by another order.",
]
# Status and relative weight: most orders are past or in progress, a few still being drafted or reviewed.
ORDER_STATUSES = [
    (JobStatus.DRAFT, 8), (JobStatus.SUBMITTED, 6), (JobStatus.REVIEWED, 4), (JobStatus.RETURNED, 5),
    (JobStatus.APPROVED, 5), (JobStatus.OPEN, 18), (JobStatus.PARTLY_FILLED, 12), (JobStatus.FILLED, 17),
    (JobStatus.CLOSED, 20), (JobStatus.CANCELLED, 5),
]
APPROVAL_STATUSES = [
    (ApprovalStatus.APPROVED, 82), (ApprovalStatus.PENDING, 7), (ApprovalStatus.SUSPENDED, 4),
    (ApprovalStatus.REJECTED, 4), (ApprovalStatus.EXPIRED, 3),
]


def _weighted(rng: random.Random, pairs):
    return rng.choices([v for v, _ in pairs], weights=[w for _, w in pairs])[0]


def _target_programmes(ctx: dict) -> list[Programme]:
    """The programmes generated in this run, else every active programme (e.g. the demo's)."""
    if ctx.get("programmes"):
        return ctx["programmes"]
    return list(Programme.objects.filter(status=ProgrammeStatus.ACTIVE).order_by("code"))


def _versions(programmes) -> dict[int, list[RuleVersion]]:
    versions: dict[int, list[RuleVersion]] = defaultdict(list)
    for version in RuleVersion.objects.filter(programme__in=programmes).order_by("programme_id", "effective_from"):
        versions[version.programme_id].append(version)
    return versions


def _version_on(versions: list[RuleVersion], day: datetime.date) -> RuleVersion | None:
    found = None
    for version in versions:
        if version.effective_from <= day and (version.effective_until is None or day <= version.effective_until):
            found = version
    return found


def _members(rng: random.Random, orgs, roles, role: str, prefix: str, tag: str, per_org: int) -> dict[int, list[int]]:
    """Ids of at least `per_org` users holding one of `roles` in each organisation; the missing ones are created in
    bulk with `role` (no usable password)."""
    found: dict[int, list[int]] = defaultdict(list)
    rows = (
        RoleAssignment.objects.filter(user__organisation__in=orgs, role__in=roles, programme__isnull=True)
        .order_by("user_id").values_list("user__organisation_id", "user_id").distinct()
    )
    for org_id, user_id in rows:
        if user_id not in found[org_id]:
            found[org_id].append(user_id)
    new = [
        User(username=f"{prefix.lower()}-{tag}-{org.pk}-{n + 1}", first_name=rng.choice(FIRST), last_name=rng.choice(LAST),
             organisation=org, password="!")
        for org in sorted(orgs, key=lambda o: o.pk)
        for n in range(len(found[org.pk]), per_org)
    ]
    User.objects.bulk_create(new, batch_size=1000)
    RoleAssignment.objects.bulk_create([RoleAssignment(user=u, role=role) for u in new], batch_size=1000)
    for user in new:
        found[user.organisation_id].append(user.pk)
    return found


@register("employers")
def generate_employers(rng: random.Random, scale: int, ctx: dict) -> dict[str, int]:
    """Twenty employers per programme, in its destination country: organisation, one member, profile, one or two
    worksites with housing, and the approval under the programme (mostly approved; some pending, suspended,
    rejected or expired)."""
    prefix = ctx["prefix"]
    programmes = _target_programmes(ctx)
    if not programmes:
        return {"employers": 0}
    if EmployerProfile.objects.filter(organisation__name__startswith=f"{prefix} ").exists():
        raise ValueError(f"Employers for seed {ctx['seed']} were already generated; choose another seed.")
    today = timezone.localdate()
    versions = _versions(programmes)
    owners = Organisation.objects.filter(pk__in={p.owner_id for p in programmes})
    officers = _members(rng, owners, MINISTRY_ROLES, Role.MINISTRY_OFFICER, prefix, "officer", 2)
    plans = []
    for i in range(scale * EMPLOYERS_PER_PROGRAMME):
        programme = programmes[i % len(programmes)]
        latest = versions[programme.pk][-1].rules if versions[programme.pk] else {}
        sectors = [s for s in latest.get("eligible_sectors") or [] if s in SECTOR_JOBS] or ["A"]
        sector = rng.choice(sectors)
        country = programme.destination_country
        name = f"{prefix} {rng.choice(EMPLOYER_NAMES)} {EMPLOYER_KINDS[sector]} {i + 1:06d}"
        plans.append({"i": i, "programme": programme, "rules": latest, "sector": sector, "country": country, "name": name})
    orgs = Organisation.objects.bulk_create(
        [Organisation(name=p["name"], kind=OrgKind.EMPLOYER, country=p["country"]) for p in plans], batch_size=1000
    )
    users = User.objects.bulk_create(
        [
            User(username=f"{prefix.lower()}-employer-{p['i'] + 1:07d}", first_name=rng.choice(FIRST), last_name=rng.choice(LAST),
                 organisation=org, password="!", is_org_admin=True)
            for p, org in zip(plans, orgs, strict=True)
        ],
        batch_size=1000,
    )
    RoleAssignment.objects.bulk_create([RoleAssignment(user=u, role=Role.EMPLOYER) for u in users], batch_size=1000)
    profiles = EmployerProfile.objects.bulk_create(
        [
            EmployerProfile(
                organisation=org, business_id=f"{p['country']}-{rng.randint(10**8, 10**9 - 1)}", sectors=[p["sector"]],
                contact_name=f"{u.first_name} {u.last_name}", contact_phone=f"+{rng.randint(10, 99)} {rng.randint(10**6, 10**7 - 1)}",
                contact_email=f"{u.username}@employers.generated.invalid",
            )
            for p, org, u in zip(plans, orgs, users, strict=True)
        ],
        batch_size=1000,
    )
    sites = []
    for p, profile in zip(plans, profiles, strict=True):
        regions = REGIONS.get(p["country"], [""])
        for n in range(1 + (rng.random() < 0.3)):
            sites.append(
                Worksite(employer=profile, name=f"Site {n + 1}", address=f"{rng.randint(1, 999)} {rng.choice(STREETS)}",
                         region=rng.choice(regions), country=p["country"])
            )
    Worksite.objects.bulk_create(sites, batch_size=1000)
    plan_of = {profile.pk: p for p, profile in zip(plans, profiles, strict=True)}
    units = []
    for site in sites:
        p = plan_of[site.employer_id]
        standard = p["rules"].get("housing") or {}
        if not (standard.get("employer_must_provide") or p["sector"] == "A" or rng.random() < 0.4):
            continue
        per_room = int(standard.get("max_persons_per_room") or 4)
        beds = [rng.randint(1, per_room) for _ in range(rng.randint(2, 8))]
        if rng.random() < 0.05:  # a crowded unit now and then
            beds[0] = per_room + 2
        area_each = float(standard.get("min_area_m2_per_person") or 6) + rng.choice([-1, 0.5, 1, 1, 2, 2, 3, 5, 5, 8])
        facilities = sorted(set(standard.get("required_facilities") or []) | set(rng.sample(FACILITIES, 3)))
        currency = CURRENCIES.get(p["country"], "USD")
        charge = 0 if rng.random() < 0.6 else round(HOURLY_WAGE.get(p["country"], 15) * rng.uniform(3, 8))
        units.append(
            HousingUnit(worksite=site, address=f"{site.address}, housing", rooms=len(beds), beds_per_room=beds,
                        floor_area_m2=Decimal(str(round(sum(beds) * area_each, 1))), facilities=facilities,
                        charge_amount=Decimal(charge), charge_currency=currency)
        )
    HousingUnit.objects.bulk_create(units, batch_size=1000)
    approvals, employers = [], []
    now = timezone.now()
    for p, profile, user in zip(plans, profiles, users, strict=True):
        programme, status = p["programme"], _weighted(rng, APPROVAL_STATUSES)
        months = int(p["rules"].get("employer_approval_months") or 24)
        approval = EmployerApproval(employer=profile, programme=programme, status=status)
        if status != ApprovalStatus.PENDING:
            start = today - datetime.timedelta(days=rng.randint(0, min(360, months * 30 - 31)))
            if status == ApprovalStatus.EXPIRED:
                start = today - datetime.timedelta(days=months * 31 + rng.randint(30, 200))
            approval.reviewer_id = officers[programme.owner_id][0]
            approval.decided_at = now - datetime.timedelta(days=(today - start).days)
            approval.documents_checked = "Business registration, tax and social security certificates."
            if status == ApprovalStatus.REJECTED:
                approval.reason = "Unpaid wages found in the compliance history."
            else:
                approval.valid_from = start
                approval.valid_until = checks.add_months(start, months) - datetime.timedelta(days=1)
            if status == ApprovalStatus.SUSPENDED:
                approval.reason = "Housing found below the standard at inspection; suspended until it is fixed."
                approval.restricted_until = today + datetime.timedelta(days=rng.randint(30, 120))
        approvals.append(approval)
        employers.append({
            "profile": profile.pk, "user": user.pk, "programme": programme, "rules": p["rules"], "sector": p["sector"],
            "country": p["country"], "status": status, "officers": officers[programme.owner_id],
        })
    EmployerApproval.objects.bulk_create(approvals, batch_size=1000)
    site_units = {u.worksite_id: u for u in units}
    sites_of = defaultdict(list)
    for site in sites:
        sites_of[site.employer_id].append((site, site_units.get(site.pk)))
    for employer in employers:
        employer["sites"] = sites_of[employer["profile"]]
    ctx["employers"] = employers
    return {"employers": len(profiles), "users": len(users), "worksites": len(sites), "housing_units": len(units),
            "approvals": len(approvals)}


def _wage(rng: random.Random, country: str) -> tuple[Decimal, str, str]:
    """(amount, currency, unit): an hourly wage somewhat above the country's typical one, sometimes per month."""
    currency = CURRENCIES.get(country, "USD")
    hourly = HOURLY_WAGE.get(country, 15) * rng.uniform(1.0, 1.3)
    unit = "month" if rng.random() < 0.2 else "hour"
    amount = hourly * (173.2 if unit == "month" else 1)
    places = Decimal(1) if currency in WHOLE_UNITS or unit == "month" else Decimal("0.01")
    return Decimal(str(amount)).quantize(places), currency, unit


@register("joborders")
def generate_job_orders(rng: random.Random, scale: int, ctx: dict) -> dict[str, int]:
    """About twelve job orders per approved employer (a couple of drafts for the others), in every status with a
    realistic spread, each with its advert, review trail, origin verifications and the quota it holds."""
    employers = ctx.get("employers")
    if employers is None:
        raise ValueError("Job orders are generated for the employers of the same run: run the employers generator too.")
    prefix = ctx["prefix"]
    programmes = {e["programme"].pk: e["programme"] for e in employers}
    versions = _versions(list(programmes.values()))
    corridors: dict[int, list[ProgrammeCorridor]] = defaultdict(list)
    for corridor in ProgrammeCorridor.objects.filter(programme_id__in=programmes, is_active=True).order_by("programme_id", "origin_country"):
        corridors[corridor.programme_id].append(corridor)
    authorities = Organisation.objects.filter(pk__in={c.competent_authority_id for cs in corridors.values() for c in cs})
    verifiers = _members(rng, authorities, [Role.ORIGIN_OFFICER], Role.ORIGIN_OFFICER, prefix, "verifier", 1)
    usage: dict[tuple, list[int]] = {}  # (programme, year, scope, key) -> [limit, used]
    for counter in QuotaCounter.objects.filter(programme_id__in=programmes):
        usage[(counter.programme_id, counter.year, counter.scope, counter.key)] = [counter.limit, counter.used]
    today, now = timezone.localdate(), timezone.now()
    orders, adverts, verifications = [], [], []
    number = 0
    for employer in employers:
        programme, rules = employer["programme"], employer["rules"]
        may_recruit = employer["status"] in (ApprovalStatus.APPROVED, ApprovalStatus.SUSPENDED, ApprovalStatus.EXPIRED)
        count = rng.randint(*ORDERS_PER_EMPLOYER) if may_recruit else rng.randint(0, 2)
        origins = [c.origin_country for c in corridors[programme.pk]]
        if not origins or not employer["sites"]:
            continue
        authority_of = {c.origin_country: c.competent_authority_id for c in corridors[programme.pk]}
        eligible = [str(c) for c in rules.get("eligible_occupations") or []]
        jobs = [j for j in SECTOR_JOBS[employer["sector"]] if not eligible or any(j[0].startswith(c) for c in eligible)]
        jobs = jobs or SECTOR_JOBS[employer["sector"]]
        stay = rules.get("stay") or {}
        longest = min(int(stay.get("max_months_per_stay") or 12), int(stay.get("max_months_in_period") or 36))
        for _ in range(count):
            number += 1
            status = _weighted(rng, ORDER_STATUSES) if may_recruit else JobStatus.DRAFT
            if employer["status"] == ApprovalStatus.EXPIRED and status not in (JobStatus.CLOSED, JobStatus.CANCELLED):
                status = JobStatus.CLOSED
            if status == JobStatus.CLOSED:
                start = today - datetime.timedelta(days=rng.randint(60, 540))
            elif status in (JobStatus.FILLED, JobStatus.CANCELLED):
                start = today + datetime.timedelta(days=rng.randint(-120, 240))
            else:
                start = today + datetime.timedelta(days=rng.randint(20, 330))
            version = _version_on(versions[programme.pk], start)
            if version is None and versions[programme.pk]:
                version = versions[programme.pk][0]
                start = max(start, version.effective_from)
            end = checks.add_months(start, rng.randint(1, max(1, longest))) - datetime.timedelta(days=1)
            site, unit = rng.choice(employer["sites"])
            positions = max(1, min(60, int(rng.lognormvariate(1.9, 0.6))))
            if unit is not None:
                positions = max(1, min(positions, unit.capacity))
            isco, label = rng.choice(jobs)
            wage, currency, wage_unit = _wage(rng, employer["country"])
            chosen = sorted(rng.sample(origins, min(len(origins), rng.choice([1, 1, 1, 2, 2, 3]))))
            order = JobOrder(
                reference=f"JO-{prefix}-{number:07d}", employer_id=employer["profile"], programme=programme, status=status,
                title=f"{label}, {site.region or site.name}", origin_countries=chosen, origins_index="," + ",".join(chosen) + ",",
                isco_code=isco, sector=employer["sector"], positions=positions, start_date=start, end_date=end,
                worksite=site, housing=unit, wage_amount=wage, wage_currency=currency, wage_unit=wage_unit,
                hours_per_week=Decimal(rng.choice([38, 40, 40, 40, 44, 45, 48])),
                deductions=[{"type": "tax", "amount": str((wage * (173 if wage_unit == "hour" else 1) * Decimal("0.08")).quantize(Decimal("0.01")))}]
                if rng.random() < 0.5 else [],
                named_workers=[f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(1, min(3, positions)))]
                if rng.random() < 0.1 else [],
                open_to_transfers=rng.random() < 0.15,
                description=f"{label} at {site.address}. {positions} position{'s' if positions != 1 else ''}.",
            )
            if status != JobStatus.DRAFT:
                _trail(rng, order, employer, version, now)
            # Quota: what an approved order holds; an order that would exceed a quota stays under review.
            holds = {JobStatus.APPROVED: positions, JobStatus.OPEN: positions, JobStatus.PARTLY_FILLED: positions,
                     JobStatus.FILLED: positions}.get(status, 0)
            if status == JobStatus.PARTLY_FILLED and positions < 2:
                order.status, status = JobStatus.OPEN, JobStatus.OPEN
            order.positions_filled = {JobStatus.PARTLY_FILLED: rng.randint(1, max(1, positions - 1)), JobStatus.FILLED: positions,
                                      JobStatus.CLOSED: rng.choice([positions, positions, rng.randint(0, positions)])}.get(status, 0)
            if status == JobStatus.CLOSED:
                holds = order.positions_filled
            keys = checks.quota_keys((version.rules if version else {}) or {}, origin_countries=chosen, sector=employer["sector"])
            slots = [usage.setdefault((programme.pk, start.year, s, k), [lim, 0]) for s, k, lim in keys]
            if holds and any(slot[1] + holds > max(slot[0], slot[1]) for slot in slots):
                order.status, order.positions_filled, holds = JobStatus.REVIEWED, 0, 0
                order.approved_by_id = order.approved_at = order.opened_at = order.closed_at = None
                order.four_eyes = False
            for slot in slots:
                slot[1] += holds
            if holds:
                order.quota_year, order.quota_held = start.year, holds
            orders.append(order)
            if status != JobStatus.DRAFT or rng.random() < 0.5:
                until = (order.submitted_at.date() if order.submitted_at else today) - datetime.timedelta(days=rng.randint(1, 5))
                days = int((rules.get("labour_market_test") or {}).get("min_advertising_days") or 14) + rng.randint(0, 21)
                applicants = rng.randint(0, 12)
                adverts.append(
                    LabourMarketAdvert(job_order=order, channel=rng.choice(ADVERT_CHANNELS), start_date=until - datetime.timedelta(days=days - 1),
                                       end_date=until, local_applicants=applicants, local_hires=rng.randint(0, min(applicants, 2)))
                )
            if order.status in (JobStatus.OPEN, JobStatus.PARTLY_FILLED, JobStatus.FILLED, JobStatus.CLOSED):
                for country in chosen:
                    authority = authority_of.get(country)
                    if authority is not None:
                        verifications.append(OriginVerification(job_order=order, origin_country=country, authority_id=authority,
                                                                verified_by_id=verifiers[authority][0]))
    JobOrder.objects.bulk_create(orders, batch_size=1000)
    for row in adverts:
        row.job_order_id = row.job_order.pk
    for row in verifications:
        row.job_order_id = row.job_order.pk
    LabourMarketAdvert.objects.bulk_create(adverts, batch_size=2000)
    OriginVerification.objects.bulk_create(verifications, batch_size=2000)
    existing = {(c.programme_id, c.year, c.scope, c.key): c for c in QuotaCounter.objects.filter(programme_id__in=programmes)}
    new_counters, changed = [], []
    for (programme_id, year, scope, key), (limit, used) in usage.items():
        counter = existing.get((programme_id, year, scope, key))
        if counter is None:
            if used:
                new_counters.append(QuotaCounter(programme_id=programme_id, year=year, scope=scope, key=key, limit=limit, used=used))
        elif counter.used != used:
            counter.used, counter.limit = used, max(counter.limit, used)
            changed.append(counter)
    QuotaCounter.objects.bulk_create(new_counters, batch_size=2000)
    QuotaCounter.objects.bulk_update(changed, ["used", "limit"], batch_size=1000)
    by_status = defaultdict(int)
    for order in orders:
        by_status[order.status] += 1
    return {"job_orders": len(orders), "adverts": len(adverts), "verifications": len(verifications),
            "quota_counters": len(new_counters) + len(changed), **{f"{s}": by_status[s] for s in JobStatus.values}}


def _trail(rng: random.Random, order: JobOrder, employer: dict, version: RuleVersion | None, now: datetime.datetime) -> None:
    """The review trail of a submitted order as the workflow would have left it, dated before now."""
    status = order.status
    start = datetime.datetime.combine(order.start_date, datetime.time(9), tzinfo=datetime.UTC)
    submitted = min(now - datetime.timedelta(days=rng.randint(1, 20)), start - datetime.timedelta(days=rng.randint(45, 90)))
    order.submitted_by_id, order.submitted_at = employer["user"], submitted
    order.rule_version = version
    if status == JobStatus.SUBMITTED:
        return
    reviewer, approver = rng.sample(employer["officers"][:2], 2) if len(employer["officers"]) > 1 else (employer["officers"][0],) * 2
    step = submitted
    step = min(now, step + datetime.timedelta(days=rng.randint(1, 7)))
    order.reviewed_by_id, order.reviewed_at = reviewer, step
    if status == JobStatus.REVIEWED:
        return
    if status == JobStatus.RETURNED:
        order.returned_reasons = rng.sample(RETURN_REASONS, rng.randint(1, 2))
        return
    if status == JobStatus.CANCELLED and rng.random() < 0.5:  # cancelled while under review
        order.cancel_reason, order.closed_at = rng.choice(CANCEL_REASONS), min(now, step + datetime.timedelta(days=2))
        return
    step = min(now, step + datetime.timedelta(days=rng.randint(1, 5)))
    order.approved_by_id, order.approved_at, order.four_eyes = approver, step, approver != reviewer
    if status == JobStatus.APPROVED:
        return
    step = min(now, step + datetime.timedelta(days=rng.randint(1, 10)))
    if status == JobStatus.CANCELLED:
        order.cancel_reason, order.closed_at = rng.choice(CANCEL_REASONS), step
        return
    order.opened_at = step
    if status == JobStatus.CLOSED:
        order.closed_at = min(now, start + datetime.timedelta(days=rng.randint(0, 30)))


# --- workers -----------------------------------------------------------------------------------------------------

WORKERS_PER_PROGRAMME = 100  # `--scale N` makes N x 100 workers: --scale 10000 for a million
WORKER_BATCH = 10_000  # workers built and written at a time, so that memory stays bounded
# Names by origin region, so that records look like the people of each corridor (and the name key folds real
# variants: Mohamed / Muhammad, Youssef / Yusuf).
WORKER_NAMES = {
    "latam": (["José", "Juan", "Luis", "Carlos", "Miguel", "Jorge", "Pedro", "Rosa", "María", "Guadalupe", "Ana", "Carmen",
               "Lucía", "Sofía", "Alejandro", "Fernando", "Ricardo", "Verónica", "Marisol", "Héctor", "Andrea", "Diego"],
              ["García", "Hernández", "López", "Martínez", "González", "Pérez", "Rodríguez", "Sánchez", "Ramírez", "Cruz",
               "Flores", "Gómez", "Morales", "Reyes", "Jiménez", "Torres", "Díaz", "Vásquez", "Castillo", "Ortiz"]),
    "caribbean": (["Andre", "Marlon", "Kemar", "Shanice", "Tameka", "Devon", "Garfield", "Novelette", "Omar", "Delroy",
                   "Kimone", "Tashana", "Ricardo", "Sheldon", "Latoya", "Dwayne"],
                  ["Brown", "Williams", "Campbell", "Smith", "Thompson", "Clarke", "Morgan", "Reid", "Grant", "Gordon",
                   "Walker", "Stewart", "Francis", "Henry", "Bailey", "Lewis"]),
    "arab": (["Mohamed", "Mohammed", "Ahmed", "Youssef", "Omar", "Khalid", "Hassan", "Fatima", "Khadija", "Aicha",
              "Meriem", "Salma", "Abdelkader", "Abdelaziz", "Nadia", "Samira", "Rachid", "Mustapha", "Hamza", "Imane"],
             ["El Amrani", "Benali", "Alaoui", "Bennani", "Tazi", "Chraibi", "Haddad", "Mansour", "Saleh", "Ben Salah",
              "Trabelsi", "Gharbi", "Abdelrahman", "Hussein", "Mahmoud", "Ibrahim", "Farouk", "Nasser"]),
    "south_asia": (["Ram", "Sita", "Hari", "Gita", "Krishna", "Laxmi", "Bishnu", "Sunita", "Mohammad", "Abdul", "Rahim",
                    "Fatema", "Nasrin", "Rajesh", "Priya", "Kamal", "Nirmala", "Dinesh", "Anil", "Shirin", "Sagar"],
                   ["Thapa", "Shrestha", "Gurung", "Tamang", "Magar", "Rai", "Sharma", "Adhikari", "Hossain", "Rahman",
                    "Islam", "Akter", "Begum", "Perera", "Fernando", "Silva", "Khan", "Chowdhury", "Karki", "Poudel"]),
    "southeast_asia": (["Nguyen Van", "Tran Thi", "Le Van", "Pham Thi", "Siti", "Agus", "Dewi", "Budi", "Maria", "Jose",
                        "Ramon", "Rowena", "Sokha", "Dara", "Sreymom", "Wayan", "Joy", "Mark", "Nur", "Rizal"],
                       ["Nguyen", "Tran", "Le", "Pham", "Hoang", "Santoso", "Wijaya", "Saputra", "Santos", "Reyes",
                        "Cruz", "Bautista", "Dela Cruz", "Sok", "Chan", "Lim", "Hidayat", "Pratama"]),
    "pacific": (["Tevita", "Sione", "Mele", "Losana", "Viliami", "Ana", "Semisi", "Salote", "Iosefa", "Malia", "Pita",
                 "Litia", "Jone", "Vika", "Apisai", "Talia"],
                ["Fifita", "Tupou", "Taufa", "Vake", "Latu", "Naivalu", "Tuilagi", "Faleolo", "Kaufusi", "Havili",
                 "Ratu", "Seru", "Naqasima", "Leota", "Tamapua"]),
    "africa": (["Amadou", "Moussa", "Fatou", "Aminata", "Ibrahima", "Mariama", "Ousmane", "Awa", "John", "Grace",
                "Peter", "Mary", "Joseph", "Faith", "Kofi", "Wanjiru", "Otieno", "Achieng"],
               ["Diallo", "Ndiaye", "Diop", "Fall", "Sow", "Ba", "Sarr", "Mbaye", "Kamau", "Otieno", "Mwangi",
                "Ochieng", "Wanjiku", "Kiplagat", "Mensah"]),
    "east_europe": (["Olena", "Ivan", "Oleksandr", "Natalia", "Giorgi", "Nino", "Dmytro", "Iryna", "Levan", "Tamari",
                     "Aziz", "Dilnoza", "Bekzod", "Gulnora", "Andriy", "Mariam"],
                    ["Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Beridze", "Kapanadze", "Gelashvili",
                     "Karimov", "Yusupov", "Rakhimova", "Melnyk", "Kravchenko", "Lomidze", "Tursunov"]),
}
REGION_OF_COUNTRY = {
    "MX": "latam", "GT": "latam", "JM": "caribbean", "MA": "arab", "TN": "arab", "EG": "arab", "NP": "south_asia",
    "BD": "south_asia", "LK": "south_asia", "PH": "southeast_asia", "VN": "southeast_asia", "ID": "southeast_asia",
    "KH": "southeast_asia", "FJ": "pacific", "TO": "pacific", "WS": "pacific", "VU": "pacific", "SN": "africa",
    "KE": "africa", "UA": "east_europe", "GE": "east_europe", "UZ": "east_europe",
}
LANGUAGE_OF_COUNTRY = {
    "MX": "es", "GT": "es", "JM": "en", "MA": "ar", "TN": "ar", "EG": "ar", "NP": "ne", "BD": "bn", "LK": "si",
    "PH": "tl", "VN": "vi", "ID": "id", "KH": "km", "FJ": "fj", "TO": "to", "WS": "sm", "VU": "bi", "SN": "fr",
    "KE": "sw", "UA": "uk", "GE": "ka", "UZ": "uz",
}
DESTINATION_LANGUAGE = {"CA": "en", "AU": "en", "NZ": "en", "GB": "en", "US": "en", "KR": "ko", "ES": "es", "DE": "de",
                        "IT": "it", "FR": "fr", "JP": "ja", "PL": "pl", "IL": "he", "AE": "ar", "SA": "ar", "QA": "ar"}
WORKER_OCCUPATIONS = ["9211", "9211", "6111", "6112", "6113", "6121", "9212", "9329", "8219", "7223", "9313", "7112",
                      "7115", "9412", "5120", "5322", "8322", "9333"]
CLINICS = ["Centro de Salud", "District Hospital", "Clinique du Centre", "Medical Centre", "Polyclinic"]
# Pool status and relative weight; registered records split into confirmed and waiting for the worker.
WORKER_STATES = [("registered", 22), ("unconfirmed", 8), ("verified", 20), ("work_ready", 46), ("merged", 2),
                 ("excluded", 2)]
WORKER_CHANNELS = [("self", 30), ("origin", 35), ("agency", 10), ("import", 25)]
CEFR_LEVELS = ["A1", "A2", "A2", "B1", "B1", "B2", "C1"]


def _worker_ids(seed: int, start: int, count: int) -> list[str]:
    """Public identifiers G<seed>-xxxxxxx (12 characters), unique per seed and never drawn by a registration."""
    from corridor.workers.services import PUBLIC_ID_ALPHABET

    head = f"G{seed}-"
    width = 12 - len(head)
    if width < 5:
        raise ValueError("Workers are generated for seeds below 1,000,000; choose a smaller seed.")
    base = len(PUBLIC_ID_ALPHABET)
    out = []
    for n in range(start, start + count):
        digits = []
        for _ in range(width):
            n, rest = divmod(n, base)
            digits.append(PUBLIC_ID_ALPHABET[rest])
        out.append(head + "".join(reversed(digits)))
    return out


def _worker_origins(ctx: dict, prefix: str) -> tuple[list[str], dict[str, Organisation], dict[str, list[Programme]]]:
    """The origin countries of the programmes' corridors (or every origin of the generator when there are none),
    their competent authorities, and the programmes open to each country."""
    programmes = _target_programmes(ctx)
    corridors = ProgrammeCorridor.objects.filter(programme__in=programmes, is_active=True).select_related("competent_authority", "programme")
    authorities: dict[str, Organisation] = {}
    open_to: dict[str, list[Programme]] = defaultdict(list)
    for corridor in corridors.order_by("origin_country", "programme_id"):
        authorities.setdefault(corridor.origin_country, corridor.competent_authority)
        open_to[corridor.origin_country].append(corridor.programme)
    if not authorities:
        authorities = _org_pool(OrgKind.ORIGIN_AUTHORITY, ORIGINS, prefix)
    return sorted(authorities), authorities, open_to


@register("workers")
def generate_workers(rng: random.Random, scale: int, ctx: dict) -> dict[str, int]:
    """`scale` x 100 workers of the corridors' origin countries, in every pool state (registered, waiting for the
    worker's confirmation, verified, work-ready, excluded, deployed, merged into another record), each with contact,
    identity documents, occupations, and as their state requires language results, medical clearances, consents,
    a sign-in account (self-registered) and duplicate flags (merged records). Written in batches through bulk
    inserts, so that a million workers need little memory."""
    from corridor.workers import matching
    from corridor.workers.models import (
        Channel,
        Consent,
        DuplicateFlag,
        DuplicateStatus,
        IdentityDocument,
        LanguageResult,
        MedicalClearance,
        PoolStatus,
        Worker,
        WorkerContact,
        WorkerOccupation,
    )

    prefix, seed = ctx["prefix"], ctx["seed"]
    if Worker.objects.filter(public_id__startswith=f"G{seed}-").exists():
        raise ValueError(f"Workers for seed {seed} were already generated; choose another seed.")
    countries, authorities, open_to = _worker_origins(ctx, prefix)
    officers = _members(rng, list(authorities.values()), [Role.ORIGIN_OFFICER], Role.ORIGIN_OFFICER, prefix, "origin", 1)
    agencies = _org_pool(OrgKind.RECRUITMENT_AGENCY, countries, prefix)
    today, now = timezone.localdate(), timezone.now()
    total = scale * WORKERS_PER_PROGRAMME
    counts: dict[str, int] = defaultdict(int)
    recent: dict[str, list[int]] = defaultdict(list)  # ids of recent records per country, for merges
    state_names, state_weights = zip(*WORKER_STATES, strict=True)
    channel_names, channel_weights = zip(*WORKER_CHANNELS, strict=True)

    def day_between(first: datetime.date, last: datetime.date) -> datetime.date:
        return first + datetime.timedelta(days=rng.randint(0, max(0, (last - first).days)))

    for start in range(0, total, WORKER_BATCH):
        size = min(WORKER_BATCH, total - start)
        ids = _worker_ids(seed, start, size)
        plans, workers, users = [], [], []
        for n, public_id in enumerate(ids):
            number = start + n
            country = countries[number % len(countries)]
            given_pool, family_pool = WORKER_NAMES[REGION_OF_COUNTRY.get(country, "latam")]
            given = rng.choice(given_pool) + (f" {rng.choice(given_pool)}" if rng.random() < 0.25 else "")
            family = rng.choice(family_pool) + (f" {rng.choice(family_pool)}" if rng.random() < 0.3 else "")
            state = rng.choices(state_names, weights=state_weights)[0]
            channel = rng.choices(channel_names, weights=channel_weights)[0]
            if state == "unconfirmed" and channel == "self":
                channel = "origin"
            born = today - datetime.timedelta(days=rng.randint(19 * 365, 55 * 365))
            registered = now - datetime.timedelta(days=rng.randint(20, 900), minutes=rng.randint(0, 1440))
            authority = authorities[country]
            officer_id = officers[authority.pk][0]
            worker = Worker(
                public_id=public_id, given_names=given, family_names=family,
                name_key=matching.name_key(given, family), sex=rng.choice(["female", "male", "male"]) if rng.random() > 0.01 else "undisclosed",
                date_of_birth=born, nationality=country, region_of_origin=f"Region {rng.randint(1, 12)}",
                education=rng.choice(["primary", "lower_secondary", "upper_secondary", "vocational", "tertiary", ""]),
                language=LANGUAGE_OF_COUNTRY.get(country, "en"),
                registered_via={"self": Channel.SELF, "origin": Channel.ORIGIN, "agency": Channel.AGENCY, "import": Channel.IMPORT}[channel],
                registered_by_id=None if channel == "self" else officer_id if channel != "agency" else None,
                registered_by_organisation=None if channel == "self" else agencies[country] if channel == "agency" else authority,
                confirmed_at=None if state == "unconfirmed" else registered + datetime.timedelta(days=rng.randint(0, 10)),
                status=PoolStatus.REGISTERED,
            )
            if state in ("verified", "work_ready", "excluded", "merged"):
                worker.status = PoolStatus.VERIFIED
                worker.verified_by_id, worker.verified_at = officer_id, registered + datetime.timedelta(days=rng.randint(5, 60))
            if state == "work_ready":
                worker.status, worker.work_ready_at = PoolStatus.WORK_READY, worker.verified_at + datetime.timedelta(days=rng.randint(1, 90))
                worker.orientation_completed_on = worker.work_ready_at.date() - datetime.timedelta(days=rng.randint(0, 20))
                worker.deployed = rng.random() < 0.2
            if state == "excluded":
                worker.banned_until = today + datetime.timedelta(days=rng.randint(30, 1500))
                worker.ban_reason = "Left the employer without notice and worked without a permit (finding of the destination ministry)."
            if channel == "self":
                users.append(User(username=f"{prefix.lower()}-worker-{number + 1:08d}", first_name=given[:150],
                                  last_name=family[:150], password="!", language=worker.language[:12]))
                plans.append((worker, state, len(users) - 1))
            else:
                plans.append((worker, state, None))
            workers.append(worker)
        if users:
            User.objects.bulk_create(users, batch_size=5000)
            RoleAssignment.objects.bulk_create([RoleAssignment(user=u, role=Role.WORKER) for u in users], batch_size=5000)
            for worker, _state, user_index in plans:
                if user_index is not None:
                    worker.user = users[user_index]
        Worker.objects.bulk_create(workers, batch_size=5000)
        # Records found to be someone registered before: merged into an earlier record of the same country.
        merged = []
        for worker, state, _user in plans:
            earlier = recent[worker.nationality]
            if state == "merged" and earlier:
                worker.status, worker.merged_into_id = PoolStatus.MERGED, rng.choice(earlier)
                merged.append(worker)
            elif worker.status != PoolStatus.MERGED and len(earlier) < 50 or rng.random() < 0.01:
                earlier.append(worker.pk)
                del earlier[:-50]
        Worker.objects.bulk_update(merged, ["status", "merged_into"], batch_size=1000)

        contacts, documents, occupations, results, medicals, consents, flags = [], [], [], [], [], [], []
        for worker, state, _user in plans:
            number = start + len(contacts)
            contacts.append(WorkerContact(worker_id=worker.pk, phone=f"+{rng.randint(20, 99)}{number:010d}",
                                          email=f"w{number}@workers.generated.invalid" if rng.random() < 0.3 else ""))
            ready = state in ("verified", "work_ready", "excluded", "merged")
            if ready or rng.random() < 0.6:
                issued = day_between(today - datetime.timedelta(days=9 * 365), today - datetime.timedelta(days=30))
                expires = issued + datetime.timedelta(days=10 * 365)
                if not ready and rng.random() < 0.1:
                    expires = today - datetime.timedelta(days=rng.randint(1, 400))  # an expired passport to renew
                    issued = expires - datetime.timedelta(days=10 * 365)
                documents.append(IdentityDocument(worker_id=worker.pk, kind="passport", number=f"P{worker.nationality}{number:09d}",
                                                  number_key=f"p{worker.nationality.lower()}{number:09d}", issuing_country=worker.nationality,
                                                  issued_on=issued, expires_on=expires))
            if rng.random() < 0.3:
                documents.append(IdentityDocument(worker_id=worker.pk, kind="national_id", number=f"ID-{number:010d}",
                                                  number_key=f"id{number:010d}", issuing_country=worker.nationality))
            for code in sorted(set(rng.sample(WORKER_OCCUPATIONS, rng.choice([1, 1, 2])))):
                occupations.append(WorkerOccupation(worker_id=worker.pk, isco_code=code,
                                                    years_experience=Decimal(rng.randint(0, 150)) / 10))
            programmes = open_to.get(worker.nationality) or []
            if ready and (programmes or rng.random() < 0.4):
                target = rng.choice(programmes) if programmes else None
                language = DESTINATION_LANGUAGE.get(target.destination_country, "en") if target else "en"
                taken = day_between(today - datetime.timedelta(days=700), today - datetime.timedelta(days=10))
                results.append(LanguageResult(worker_id=worker.pk, language=language, test=f"{language.upper()} test",
                                              level=rng.choice(CEFR_LEVELS), taken_on=taken,
                                              valid_until=taken + datetime.timedelta(days=2 * 365)))
            if ready:
                issued = day_between(today - datetime.timedelta(days=300), today - datetime.timedelta(days=1))
                medicals.append(MedicalClearance(worker_id=worker.pk, fit=rng.random() < 0.96, issued_on=issued,
                                                 valid_until=issued + datetime.timedelta(days=365), issued_by=rng.choice(CLINICS)))
            if state == "work_ready" and programmes and rng.random() < 0.7:
                target = rng.choice(programmes)
                consents.append(Consent(worker_id=worker.pk, purpose="employers", programme=target, language=worker.language,
                                        wording=f"I agree that employers approved under {target.code} see my profile.",
                                        given_via="web"))
            if worker.status == PoolStatus.MERGED:
                flags.append(DuplicateFlag(first_id=worker.merged_into_id, second_id=worker.pk, score=Decimal("0.940"),
                                           reasons=["same names", "birth dates one digit apart"], status=DuplicateStatus.MERGED,
                                           decided_by_id=worker.verified_by_id, decided_at=now,
                                           note="Registered twice; merged by the origin authority."))
            elif state == "registered" and rng.random() < 0.01:
                earlier = [pk for pk in recent[worker.nationality] if pk < worker.pk]
                if earlier:
                    flags.append(DuplicateFlag(first_id=rng.choice(earlier), second_id=worker.pk, score=Decimal("0.880"),
                                               reasons=["names similar (0.90)", "same date of birth"]))
            counts[worker.status] += 1
            counts["deployed"] += worker.deployed
            counts["excluded"] += worker.banned_until is not None
            counts["unconfirmed"] += worker.confirmed_at is None
        for model, rows in ((WorkerContact, contacts), (IdentityDocument, documents), (WorkerOccupation, occupations),
                            (LanguageResult, results), (MedicalClearance, medicals), (Consent, consents),
                            (DuplicateFlag, flags)):
            model.objects.bulk_create(rows, batch_size=5000)
            counts[model._meta.model_name] += len(rows)
        counts["accounts"] += len(users)
    return {"workers": total, **{k: counts[k] for k in ("registered", "unconfirmed", "verified", "work_ready", "deployed",
                                                        "excluded", "merged", "accounts", "workercontact", "identitydocument",
                                                        "workeroccupation", "languageresult", "medicalclearance", "consent",
                                                        "duplicateflag")}}


# --- selection -----------------------------------------------------------------------------------------------

SELECTION_BATCH = 10_000  # workers whose rankings are built and written at a time
SELECTION_CONSENT_SHARE = 0.85  # share of the run's work-ready workers without a selection consent who give one
POPULARITY_SKEW = 0.7  # the job order of popularity rank r is drawn with weight 1 / r ** skew
OWN_OCCUPATION_WEIGHT = 5.0  # how much likelier a worker ranks a job order in one of their own occupations


def _ranking(rng: random.Random, candidates: list[int], cum: list[float], k: int) -> list[int]:
    """`k` distinct job orders drawn from `candidates` with the cumulative weights `cum`, the likelier first."""
    if k >= len(candidates):
        chosen = list(candidates)
        rng.shuffle(chosen)
        return chosen
    chosen = list(dict.fromkeys(rng.choices(candidates, cum_weights=cum, k=3 * k)))[:k]
    while len(chosen) < k:
        extra = rng.choices(candidates, cum_weights=cum)[0]
        if extra not in chosen:
            chosen.append(extra)
    return chosen


@register("selection")
def generate_selection(rng: random.Random, scale: int, ctx: dict) -> dict[str, int]:
    """A selection round for each programme with open job orders, opened as the service opens one (lottery seed drawn
    with `secrets` and published in the audit trail), and the rankings of work-ready workers who consent to take part:
    up to the programme's `max_preferences` job orders each, among the open ones accepting the worker's nationality,
    likelier in the worker's own occupations and with some job orders far more popular than others. Most work-ready
    workers of this run are given the consent first (the workers generator gives consents for employers only). Written
    in batches through bulk inserts."""
    import secrets

    from corridor.selection.loading import OPEN_STATUSES
    from corridor.selection.models import Preference, SelectionRound
    from corridor.workers.models import Consent, ConsentPurpose, PoolStatus, Worker, WorkerOccupation

    prefix, seed = ctx["prefix"], ctx["seed"]
    if SelectionRound.objects.filter(title__startswith=f"{prefix} ").exists():
        raise ValueError(f"Selection rounds for seed {seed} were already generated; choose another seed.")
    today, now = timezone.localdate(), timezone.now()
    programmes = _target_programmes(ctx)
    versions = _versions(programmes)
    in_force = {p.pk: _version_on(versions[p.pk], today) for p in programmes}
    orders: dict[tuple[int, str], list[tuple[int, str]]] = defaultdict(list)  # (programme, country) -> [(id, isco)]
    rows = (
        JobOrder.objects.filter(programme__in=[p for p in programmes if in_force[p.pk] is not None], status__in=OPEN_STATUSES)
        .order_by("pk").values_list("pk", "programme_id", "isco_code", "origin_countries")
    )
    for pk, programme_id, isco, origins in rows:
        for country in origins or []:
            orders[(programme_id, country)].append((pk, isco))
    with_orders = {programme_id for programme_id, _ in orders}
    programmes = [p for p in programmes if p.pk in with_orders]
    if not programmes:
        return {"rounds": 0, "consents": 0, "workers_ranking": 0, "preferences": 0}

    # A round for all the programme's corridors, numbered after the programme's earlier ones.
    numbers = dict(
        SelectionRound.objects.filter(programme__in=programmes, origin_country="").values("programme_id")
        .annotate(n=models.Max("number")).values_list("programme_id", "n")
    )
    rounds = SelectionRound.objects.bulk_create([
        SelectionRound(programme=p, number=numbers.get(p.pk, 0) + 1, origin_country="", seed=secrets.token_hex(32),
                       title=f"{prefix} {p.code} round {numbers.get(p.pk, 0) + 1}",
                       preferences_close_on=today + datetime.timedelta(days=rng.randint(14, 60)))
        for p in programmes
    ], batch_size=1000)
    round_of = {}
    for rnd, programme in zip(rounds, programmes, strict=True):
        rnd.programme = programme
        round_of[programme.pk] = rnd
        audit.record(actor=None, action="selection_round.create", subject=rnd,
                     after=audit.snapshot(rnd, exclude=("running_since",)), reason=f"Lottery seed published: {rnd.seed}",
                     programme_id=programme.pk, rule_version_id=in_force[programme.pk].pk, via="command")
    limit = {p.pk: rulebook.RuleSet.model_validate(in_force[p.pk].rules).selection.max_preferences for p in programmes}
    open_to: dict[str, list[int]] = defaultdict(list)  # country -> programmes with a round and job orders for it
    for programme_id, country in sorted(orders):
        if programme_id in round_of:
            open_to[country].append(programme_id)

    # Popularity: each programme's job orders in a random order of popularity.
    of_programme: dict[int, set[int]] = defaultdict(set)
    for (programme_id, _country), found in orders.items():
        of_programme[programme_id].update(pk for pk, _ in found)
    popularity: dict[int, float] = {}
    for programme in programmes:
        ids = sorted(of_programme[programme.pk])
        rng.shuffle(ids)
        popularity.update({pk: 1.0 / (r + 1) ** POPULARITY_SKEW for r, pk in enumerate(ids)})
    draws: dict[tuple, tuple[list[int], list[float]]] = {}

    def pool(programme_id: int, country: str, occupations: tuple[str, ...]):
        key = (programme_id, country, occupations)
        if key not in draws:
            candidates, cum, total = [], [], 0.0
            for pk, isco in orders[(programme_id, country)]:
                own = any(isco.startswith(code) or code.startswith(isco) for code in occupations)
                total += popularity[pk] * (OWN_OCCUPATION_WEIGHT if own else 1.0)
                candidates.append(pk)
                cum.append(total)
            draws[key] = (candidates, cum)
        return draws[key]

    workers = Worker.objects.filter(status=PoolStatus.WORK_READY, deployed=False, nationality__in=list(open_to)).filter(
        models.Q(banned_until__isnull=True) | models.Q(banned_until__lt=today))
    mine = workers.filter(public_id__startswith=f"G{seed}-")
    if mine.exists():
        workers = mine  # the workers of this run; else (--only selection) every work-ready worker
    consent_q = (models.Q(purpose=ConsentPurpose.SELECTION, withdrawn_at__isnull=True, programme_id__in=list(round_of))
                 & (models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)))
    counts: dict[str, int] = defaultdict(int)
    last = 0
    while True:
        batch = list(workers.filter(pk__gt=last).order_by("pk")
                     .values_list("pk", "public_id", "nationality", "language")[:SELECTION_BATCH])
        if not batch:
            break
        first, last = batch[0][0], batch[-1][0]
        span = {"worker__gte": first, "worker__lte": last}
        occupations: dict[int, list[str]] = defaultdict(list)
        for worker_id, code in (WorkerOccupation.objects.filter(**span).order_by("worker_id", "isco_code")
                                .values_list("worker_id", "isco_code")):
            occupations[worker_id].append(code)
        taking_part: dict[int, list[int]] = defaultdict(list)
        for worker_id, programme_id in (Consent.objects.filter(consent_q, **span).order_by("worker_id", "programme_id")
                                        .values_list("worker_id", "programme_id")):
            taking_part[worker_id].append(programme_id)
        wanted: dict[int, list[int]] = defaultdict(list)  # programmes whose employers the worker wants to be seen by
        for worker_id, programme_id in Consent.objects.filter(
            purpose=ConsentPurpose.EMPLOYERS, withdrawn_at__isnull=True, programme_id__in=list(round_of), **span,
        ).order_by("worker_id", "programme_id").values_list("worker_id", "programme_id"):
            wanted[worker_id].append(programme_id)
        consents, preferences = [], []
        for worker_id, public_id, country, language in batch:
            programmes_of = [p for p in dict.fromkeys(taking_part.get(worker_id, ())) if p in open_to[country]]
            if not programmes_of and public_id.startswith(f"G{seed}-") and rng.random() < SELECTION_CONSENT_SHARE:
                liked = [p for p in wanted.get(worker_id, ()) if p in open_to[country]]
                programme_id = rng.choice(liked or open_to[country])
                consents.append(Consent(
                    worker_id=worker_id, purpose=ConsentPurpose.SELECTION, programme_id=programme_id, language=language[:8],
                    wording=f"I take part in selection for {round_of[programme_id].programme.code}: my ranking of job "
                            "orders and my profile are used to match me with job orders.",
                    given_via="web",
                ))
                programmes_of = [programme_id]
            own = tuple(occupations.get(worker_id, ()))
            for programme_id in programmes_of:
                candidates, cum = pool(programme_id, country, own)
                k = limit[programme_id] if rng.random() < 0.5 else rng.randint(1, limit[programme_id])
                rnd = round_of[programme_id]
                for rank, pk in enumerate(_ranking(rng, candidates, cum, k), start=1):
                    preferences.append(Preference(round=rnd, worker_id=worker_id, job_order_id=pk, rank=rank))
                counts["workers_ranking"] += 1
        Consent.objects.bulk_create(consents, batch_size=5000)
        Preference.objects.bulk_create(preferences, batch_size=5000)
        counts["consents"] += len(consents)
        counts["preferences"] += len(preferences)
    return {"rounds": len(rounds), "consents": counts["consents"], "workers_ranking": counts["workers_ranking"],
            "preferences": counts["preferences"]}


# --- employed journeys and their pay runs -------------------------------------------------------------------------

JOURNEYS_PER_SCALE = 50  # employed journeys made per unit of scale (fewer when fewer deployed workers match)
PAYSLIP_WEEKS = 12  # weekly payslips per journey, at most (since arrival)
PAYSLIP_FAULTS = 0.10  # share of payslips with one of the usual faults
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _pay_of(order: JobOrder) -> dict:
    return {"amount": str(order.wage_amount), "currency": order.wage_currency, "unit": order.wage_unit,
            "hours_per_week": str(order.hours_per_week), "overtime_rate_percent": str(order.overtime_rate_percent),
            "night_rate_percent": "100"}


def _employed_journeys(rng: random.Random, ctx: dict, wanted: int) -> list:
    """Deployed workers of this run placed at job orders under way (started at least a week ago, not ended) whose
    origin countries include theirs: a confirmed placement, an accepted contract (pay, hours and dates of the job
    order; locked, hashed, with a verification code) and a journey in the state employed. Written in bulk; returns
    the journeys with their placement and job order."""
    from corridor.contracts import clauses
    from corridor.contracts.models import Contract, ContractStatus, Placement, PlacementStatus
    from corridor.deployment.models import Journey, State
    from corridor.workers.models import PoolStatus, Worker

    prefix, seed = ctx["prefix"], ctx["seed"]
    today, now = timezone.localdate(), timezone.now()
    programmes = _target_programmes(ctx)
    orders = list(
        JobOrder.objects.filter(programme__in=programmes, status__in=[JobStatus.FILLED, JobStatus.PARTLY_FILLED,
                                                                      JobStatus.CLOSED],
                                start_date__lte=today - datetime.timedelta(days=7), end_date__gte=today)
        .select_related("employer__organisation", "worksite").order_by("pk")
    )
    seats: dict[str, list[list]] = defaultdict(list)  # origin country -> [[order, places left]]
    for order in orders:
        for country in order.origin_countries or []:
            seats[country].append([order, max(1, order.positions_filled or order.positions)])
    workers = (Worker.objects.filter(status=PoolStatus.WORK_READY, deployed=True)
               .exclude(placements__status=PlacementStatus.CONFIRMED).order_by("pk")
               .only("pk", "nationality", "given_names", "family_names", "public_id", "date_of_birth", "language"))
    mine = workers.filter(public_id__startswith=f"G{seed}-")
    if mine.exists():
        workers = mine  # the workers of this run; else (--only payslips) the deployed workers already in the pool
    plans = []
    for worker in workers.iterator(chunk_size=2000):
        if len(plans) >= wanted:
            break
        open_ = [s for s in seats.get(worker.nationality, ()) if s[1] > 0]
        if not open_:
            continue
        seat = rng.choice(open_)
        seat[1] -= 1
        plans.append((worker, seat[0]))
    if not plans:
        return []
    placements = Placement.objects.bulk_create([
        Placement(worker=w, job_order=o, status=PlacementStatus.CONFIRMED, worker_confirmed_at=now,
                  employer_confirmed_at=now, reason="") for w, o in plans], batch_size=2000)
    contracts = []
    for placement, (worker, order) in zip(placements, plans, strict=True):
        content = {
            "generated": f"{prefix}: synthetic contract of `corridor generate`",
            "programme": {"code": order.programme.code if hasattr(order, "programme") else ""},
            "worker": {"name": f"{worker.given_names} {worker.family_names}", "public_id": worker.public_id,
                       "nationality": worker.nationality},
            "employer": {"name": order.employer.organisation.name, "business_id": order.employer.business_id},
            "work": {"isco_code": order.isco_code, "worksite": order.worksite.name, "title": order.title},
            "pay": _pay_of(order),
            "duration": {"start": order.start_date.isoformat(), "end": order.end_date.isoformat()},
            "deductions": {"items": order.deductions or []},
        }
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(8))
        contracts.append(Contract(
            placement=placement, version=1, status=ContractStatus.ACCEPTED, content=content,
            content_hash=clauses.content_hash(content), verification_code=f"CT-{code[:4]}-{code[4:]}",
            worker_language=(worker.language or "en")[:8], destination_language="en", signed_at=now, locked_at=now,
            answered_at=now, answered_via="web"))
    Contract.objects.bulk_create(contracts, batch_size=2000)
    journeys = Journey.objects.bulk_create([
        Journey(placement=placement, worker=worker, state=State.EMPLOYED, state_since=now,
                departed_on=order.start_date - datetime.timedelta(days=2),
                arrived_on=order.start_date - datetime.timedelta(days=1), welfare_contact_name="Generated welfare contact")
        for placement, (worker, order) in zip(placements, plans, strict=True)], batch_size=2000)
    for journey, placement, (_w, order) in zip(journeys, placements, plans, strict=True):
        placement.job_order = order
        journey.placement = placement
    return journeys


def _pay_run_rows(rng: random.Random, journey, today: datetime.date) -> list[dict]:
    """Weekly payslips since the worker's arrival (at most PAYSLIP_WEEKS), as an employer's payroll export gives
    them; about PAYSLIP_FAULTS of them with one of the usual faults."""
    from corridor.payroll import checks as pay_checks

    order = journey.placement.job_order
    pay = _pay_of(order)
    terms = pay_checks.Terms(currency=pay["currency"], unit=pay["unit"], amount=Decimal(pay["amount"]),
                             hours_per_week=Decimal(pay["hours_per_week"]))
    rate = pay_checks.Prepared(terms).rate  # cents an hour
    weekly = pay_checks.hundredths(order.hours_per_week)
    first = journey.arrived_on + datetime.timedelta(days=1)
    weeks = min(PAYSLIP_WEEKS, (today - first).days // 7)
    start0 = first + datetime.timedelta(weeks=max(0, (today - first).days // 7 - weeks))
    rows = []
    for week in range(weeks):
        start = start0 + datetime.timedelta(weeks=week)
        end = start + datetime.timedelta(days=6)
        paid = min(today, end + datetime.timedelta(days=rng.randint(1, 5)))
        gross = (weekly * rate + 50) // 100
        deductions = [["tax", gross // 10, "Income tax withheld"]]
        stated = pay["amount"]
        if rng.random() < PAYSLIP_FAULTS:
            fault = rng.randrange(4)
            if fault == 0:
                gross -= 4 * rate  # four hours not paid
            elif fault == 1:
                deductions.append(["recruitment_fee", gross // 8, "Agency fee, instalment"])
            elif fault == 2:
                paid = end + datetime.timedelta(days=rng.randint(10, 20))
            else:
                stated = str((Decimal(pay["amount"]) * Decimal("0.9")).quantize(Decimal("0.01")))
        gross = max(gross, sum(a for _, a, _ in deductions))
        money = pay_checks.money
        rows.append({
            "journey": journey.pk, "period_start": start.isoformat(), "period_end": end.isoformat(),
            "pay_date": paid.isoformat(), "currency": pay["currency"], "gross": money(gross),
            "net": money(gross - sum(a for _, a, _ in deductions)), "ordinary_hours": money(weekly),
            "deductions": [{"type": t, "amount": money(a), "evidence": e} for t, a, e in deductions],
            "payment_method": "Bank transfer", "stated_rate": stated, "stated_unit": pay["unit"],
        })
    return rows


@register("payslips")
def generate_payslips(rng: random.Random, scale: int, ctx: dict) -> dict[str, int]:
    """Employed journeys and their pay runs. No generator makes placements, contracts or journeys before this one
    (selection stops at the workers' rankings), so it first places up to `scale` x JOURNEYS_PER_SCALE deployed workers
    of this run at job orders under way (`_employed_journeys`); then each employer submits one pay run of weekly
    payslips for its workers through the bulk path, `payroll.bulk.payslips_bulk_submit`, so the checks' findings, the
    notices to the workers and the authorities, the substitution alerts and the pay run's audit event are the real
    ones."""
    from corridor.accounts.models import RoleAssignment
    from corridor.payroll import bulk

    today = timezone.localdate()
    journeys = _employed_journeys(rng, ctx, scale * JOURNEYS_PER_SCALE)
    by_employer: dict[int, list] = defaultdict(list)
    for journey in journeys:
        by_employer[journey.placement.job_order.employer.organisation_id].append(journey)
    members = dict(RoleAssignment.objects.filter(role=Role.EMPLOYER, user__organisation_id__in=list(by_employer),
                                                 user__is_active=True)
                   .order_by("-user_id").values_list("user__organisation_id", "user_id"))
    actors = User.objects.in_bulk(set(members.values()))
    counts: dict[str, int] = defaultdict(int)
    counts["journeys"] = len(journeys)
    for org_id, group in by_employer.items():
        actor = actors.get(members.get(org_id))
        rows = [row for journey in group for row in _pay_run_rows(rng, journey, today)]
        if actor is None or not rows:
            continue
        result = bulk.payslips_bulk_submit(actor=actor, rows=rows)
        counts["pay_runs"] += 1
        counts["payslips"] += result.saved
        counts["with_findings"] += result.with_findings
        counts["notices"] += sum(v for k, v in result.notices.items() if k != "alerts")
        counts["alerts"] += result.notices.get("alerts", 0)
    return {k: counts[k] for k in ("journeys", "pay_runs", "payslips", "with_findings", "notices", "alerts")}


def run(*, seed: int, scale: int, only: list[str] | None = None, actor=None) -> list[tuple[str, dict, float]]:
    """Run every registered generator (or those named) in one transaction; return (name, counts, seconds)."""
    rng = random.Random(seed)
    ctx: dict = {"prefix": f"G{seed}", "seed": seed}
    if Programme.objects.filter(code__startswith=f"G{seed}-").exists():
        raise ValueError(f"Data for seed {seed} was already generated; choose another seed.")
    results = []
    with transaction.atomic():
        for name, generator in GENERATORS:
            if only and name not in only:
                continue
            start = time.perf_counter()
            counts = generator(rng, scale, ctx)
            results.append((name, counts, time.perf_counter() - start))
        marker = Programme.objects.filter(code__startswith=f"G{seed}-").order_by("code").first()
        if marker is not None:
            audit.record(actor=actor, action="data.generate", subject=marker, after={"seed": seed, "scale": scale, "results": {n: c for n, c, _ in results}}, via="command")
    return results
