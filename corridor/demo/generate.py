"""Large synthetic data sets for benchmarks, written through bulk paths.

Each part of the cycle registers a generator; `corridor generate` runs them in order, sharing a context dict
(e.g. the programmes made by the first are used by the next). Generated rows are marked by their codes or
usernames (prefix G<seed>-) so that the same seed is never generated twice.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable

from django.db import transaction

from corridor.accounts.models import Organisation, OrgKind, RoleAssignment, User
from corridor.core import audit
from corridor.core.access import Role
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
