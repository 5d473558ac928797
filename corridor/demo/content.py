"""The demo: three programmes with their organisations and one user per role, built through the services.

Running it twice changes nothing: every object is looked up by its natural key first.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from corridor.accounts import services as account_services
from corridor.accounts.models import Organisation, OrgKind, User
from corridor.contracts import demo as contracts_demo
from corridor.core.access import Role
from corridor.deployment import demo as deployment_demo
from corridor.employers import demo as employers_demo
from corridor.joborders import demo as joborders_demo
from corridor.mobility import demo as mobility_demo
from corridor.pathways import demo as pathways_demo
from corridor.payroll import demo as payroll_demo
from corridor.programmes import services as programme_services
from corridor.programmes.models import Programme, ProgrammeStatus
from corridor.recruitment import demo as recruitment_demo
from corridor.recruitment import ledger_demo
from corridor.returns import demo as returns_demo
from corridor.selection import demo as selection_demo
from corridor.vacancies import demo as vacancies_demo
from corridor.workers import demo as workers_demo

DEMO_PASSWORD = "corridor-demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    org: str | None  # key into ORGANISATIONS
    role: str
    language: str = "en"
    org_admin: bool = False


# key: (name, kind, country)
ORGANISATIONS = {
    "platform": ("Corridor Platform Operations", OrgKind.PLATFORM, "CH"),
    "ca_ministry": ("Department of Employment and Labour Mobility (Canada)", OrgKind.DESTINATION_MINISTRY, "CA"),
    "ca_immigration": ("Immigration and Permits Directorate (Canada)", OrgKind.IMMIGRATION_AUTHORITY, "CA"),
    "ca_inspectorate": ("Labour Standards Inspectorate (Canada)", OrgKind.LABOUR_INSPECTORATE, "CA"),
    "mx_authority": ("Secretaría del Trabajo, Dirección de Movilidad Laboral (México)", OrgKind.ORIGIN_AUTHORITY, "MX"),
    "jm_authority": ("Ministry of Labour, Overseas Employment Unit (Jamaica)", OrgKind.ORIGIN_AUTHORITY, "JM"),
    "ca_employer": ("Niagara Orchards Ltd.", OrgKind.EMPLOYER, "CA"),
    "mx_agency": ("Reclutamiento Justo S.C.", OrgKind.RECRUITMENT_AGENCY, "MX"),
    "ca_union": ("Agricultural Workers Union of Canada", OrgKind.TRADE_UNION, "CA"),
    "ca_employers_org": ("Canadian Horticulture Employers Council", OrgKind.EMPLOYERS_ORGANISATION, "CA"),
    "ca_research": ("Labour Migration Research Centre", OrgKind.RESEARCH, "CA"),
    "es_ministry": ("Ministerio de Trabajo, Dirección General de Migraciones (España)", OrgKind.DESTINATION_MINISTRY, "ES"),
    "ma_authority": ("Agence Nationale de Promotion de l'Emploi et des Compétences (Maroc)", OrgKind.ORIGIN_AUTHORITY, "MA"),
    "kr_ministry": ("Ministry of Employment and Labor, Foreign Workforce Division (Korea)", OrgKind.DESTINATION_MINISTRY, "KR"),
    "np_authority": ("Department of Foreign Employment (Nepal)", OrgKind.ORIGIN_AUTHORITY, "NP"),
    "ca_employer_bc": ("Fraser Valley Berry Farms Ltd.", OrgKind.EMPLOYER, "CA"),
    "es_employer": ("Frutas del Condado S.L.", OrgKind.EMPLOYER, "ES"),
    "kr_employer": ("Hanbit Precision Co., Ltd.", OrgKind.EMPLOYER, "KR"),
    "jm_agency": ("Island Fair Recruitment Ltd.", OrgKind.RECRUITMENT_AGENCY, "JM"),
    "ma_agency": ("Recrutement Équitable Souss SARL", OrgKind.RECRUITMENT_AGENCY, "MA"),
    "np_agency": ("Himal Manpower Services Pvt. Ltd.", OrgKind.RECRUITMENT_AGENCY, "NP"),
    "np_agency2": ("Sagarmatha Overseas Employment Pvt. Ltd.", OrgKind.RECRUITMENT_AGENCY, "NP"),
}

USERS = [
    DemoUser("admin", "Ingrid", "Larsen", "platform", Role.PLATFORM_ADMIN, org_admin=True),
    DemoUser("ministry_admin", "Sarah", "Tremblay", "ca_ministry", Role.MINISTRY_ADMIN, "en", org_admin=True),
    DemoUser("ministry_officer", "Kevin", "Nguyen", "ca_ministry", Role.MINISTRY_OFFICER),
    DemoUser("origin_officer", "Alejandra", "Ramírez Ortega", "mx_authority", Role.ORIGIN_OFFICER, "es", org_admin=True),
    DemoUser("origin_officer_jm", "Marcia", "Campbell", "jm_authority", Role.ORIGIN_OFFICER),
    DemoUser("immigration_officer", "Daniel", "Okafor", "ca_immigration", Role.IMMIGRATION_OFFICER),
    DemoUser("labour_inspector", "Émilie", "Gagnon", "ca_inspectorate", Role.LABOUR_INSPECTOR, "fr"),
    DemoUser("employer", "Mark", "Vanderberg", "ca_employer", Role.EMPLOYER, org_admin=True),
    DemoUser("agency", "Jorge", "Hernández Cruz", "mx_agency", Role.AGENCY, "es"),
    DemoUser("union", "Priya", "Singh", "ca_union", Role.UNION),
    DemoUser("employers_org", "Robert", "MacDonald", "ca_employers_org", Role.EMPLOYERS_ORG),
    DemoUser("researcher", "Amina", "Yusuf", "ca_research", Role.RESEARCHER),
    DemoUser("worker", "José Luis", "Martínez López", None, Role.WORKER, "es"),
    DemoUser("ministry_admin_es", "Lucía", "Fernández Ruiz", "es_ministry", Role.MINISTRY_ADMIN, "es", org_admin=True),
    DemoUser("origin_officer_ma", "Youssef", "El Amrani", "ma_authority", Role.ORIGIN_OFFICER, "fr"),
    DemoUser("worker_ma", "Fatima Zahra", "Benali", None, Role.WORKER, "ar"),
    DemoUser("ministry_admin_kr", "Min-jun", "Kim", "kr_ministry", Role.MINISTRY_ADMIN, org_admin=True),
    DemoUser("origin_officer_np", "Sita", "Sharma", "np_authority", Role.ORIGIN_OFFICER),
    DemoUser("worker_np", "Ram Bahadur", "Thapa", None, Role.WORKER),
    DemoUser("employer_bc", "Harjit", "Sandhu", "ca_employer_bc", Role.EMPLOYER, org_admin=True),
    DemoUser("ministry_officer_es", "Javier", "Morales Gil", "es_ministry", Role.MINISTRY_OFFICER, "es"),
    DemoUser("employer_es", "Rocío", "Márquez Domínguez", "es_employer", Role.EMPLOYER, "es", org_admin=True),
    DemoUser("ministry_officer_kr", "Seo-yeon", "Park", "kr_ministry", Role.MINISTRY_OFFICER),
    DemoUser("employer_kr", "Ji-ho", "Lee", "kr_employer", Role.EMPLOYER, org_admin=True),
    DemoUser("agency_jm", "Claudette", "Reid", "jm_agency", Role.AGENCY),
    DemoUser("agency_ma", "Karim", "Alaoui", "ma_agency", Role.AGENCY, "fr"),
    DemoUser("agency_np", "Hari Prasad", "Adhikari", "np_agency", Role.AGENCY),
    DemoUser("agency_np2", "Sushila", "Gurung", "np_agency2", Role.AGENCY),
    DemoUser("origin_officer_np2", "Binod", "Karki", "np_authority", Role.ORIGIN_OFFICER),
]


def _organisation(key: str) -> Organisation:
    name, kind, country = ORGANISATIONS[key]
    org = Organisation.objects.filter(name=name, kind=kind, country=country).first()
    if org is None:
        org = Organisation.objects.create(name=name, kind=kind, country=country)
        from corridor.core import audit

        audit.record(actor=None, action="organisation.create", subject=org, after=audit.snapshot(org), organisation_id=org.pk)
    return org


def _user(spec: DemoUser, orgs: dict[str, Organisation]) -> User:
    user = User.objects.filter(username=spec.username).first()
    if user is None:
        user = account_services.user_create(
            actor=None,
            username=spec.username,
            password=DEMO_PASSWORD,
            organisation=orgs[spec.org] if spec.org else None,
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=f"{spec.username}@demo.corridor.invalid",
            language=spec.language,
            is_org_admin=spec.org_admin,
            check_password=False,
        )
    account_services.role_grant(actor=None, user=user, role=spec.role)
    return user


def _programme(actor: User, code: str, **kwargs) -> Programme:
    existing = Programme.objects.filter(code=code).first()
    if existing:
        return existing
    return programme_services.programme_create(actor=actor, code=code, **kwargs)


@transaction.atomic
def build_demo() -> dict:
    """Create (or find) the demo's organisations, users and programmes; return what the caller should print."""
    orgs = {key: _organisation(key) for key in ORGANISATIONS}
    users = {spec.username: _user(spec, orgs) for spec in USERS}
    today = timezone.localdate()
    season_start = datetime.date(today.year, 1, 1)

    ca = users["ministry_admin"]
    sag = _programme(
        ca,
        "CA-SAG",
        name="Seasonal Agricultural Workers Programme",
        institutional_design="multilateral",
        category="seasonal",
        destination_country="CA",
        description="Seasonal work in fruit, vegetable and greenhouse farms, under agreements with Mexico and Jamaica.",
        agreement_title="Memoranda of understanding on seasonal agricultural workers (Mexico, Jamaica)",
        agreement_signed_on=datetime.date(2024, 11, 5),
        agreement_valid_from=datetime.date(2025, 1, 1),
        agreement_valid_until=datetime.date(2029, 12, 31),
        preset="ca-sawp",
        rules_effective_from=season_start,
    )
    _corridor(ca, sag, "MX", orgs["mx_authority"])
    _corridor(ca, sag, "JM", orgs["jm_authority"])
    _activate(ca, sag)
    employers_demo.build(orgs, users, {"CA-SAG": sag})
    vacancies_demo.build(orgs, users, {"CA-SAG": sag})
    _wages(users["admin"])

    es = users["ministry_admin_es"]
    circ = _programme(
        es,
        "ES-MA-CIRC",
        name="Circular seasonal migration Spain–Morocco",
        institutional_design="bilateral",
        category="circular",
        destination_country="ES",
        description="Collective hiring in origin for the strawberry and red-fruit seasons, with return and re-selection.",
        agreement_title="Agreement on labour migration between Spain and Morocco",
        agreement_signed_on=datetime.date(2001, 7, 25),
        agreement_valid_from=datetime.date(2025, 1, 1),
        preset="es-ma-circular",
        rules_effective_from=season_start,
    )
    _corridor(es, circ, "MA", orgs["ma_authority"])
    _activate(es, circ)

    kr = users["ministry_admin_kr"]
    eps = _programme(
        kr,
        "KR-EPS",
        name="Employment Permit Scheme (Nepal)",
        institutional_design="bilateral",
        category="general_blma",
        destination_country="KR",
        description="Government-to-government recruitment for manufacturing, agriculture and construction.",
        agreement_title="Memorandum of understanding on sending workers under the Employment Permit System",
        agreement_signed_on=datetime.date(2007, 6, 1),
        agreement_valid_from=datetime.date(2025, 1, 1),
        preset="kr-eps",
        rules_effective_from=season_start,
    )
    _corridor(kr, eps, "NP", orgs["np_authority"])
    _activate(kr, eps)
    if eps.rule_versions.count() == 1:
        rules = dict(eps.rule_versions.get(number=1).rules)
        rules["quotas"] = {**rules["quotas"], "annual": 130000}
        programme_services.rule_version_create(
            actor=kr, programme=eps, rules=rules, effective_from=datetime.date(today.year + 1, 1, 1),
            note="Quota for next year set at 130,000 after review with employers' organisations and unions.",
        )
    joborders_demo.build(orgs, users, {"CA-SAG": sag, "ES-MA-CIRC": circ, "KR-EPS": eps})
    workers_demo.build(orgs, users)
    recruitment_demo.build(orgs, users)
    ledger_demo.build(orgs, users)
    selection_demo.build(orgs, users)
    contracts_demo.build(orgs, users)
    deployment_demo.build(orgs, users, while_employed=payroll_demo.past_season)
    payroll_demo.build(orgs, users)
    mobility_demo.build(orgs, users)
    returns_demo.build(orgs, users)
    pathways_demo.build(orgs, users)
    return {"users": USERS, "password": DEMO_PASSWORD, "programmes": [sag, circ, eps]}


def _wages(actor) -> None:
    """Illustrative prevailing and minimum wages (clearly marked as such), so that wage floors can be shown."""
    from pathlib import Path

    from corridor.wages import services as wage_services
    from corridor.wages.models import MinimumWage, PrevailingWage

    examples = Path(wage_services.__file__).parent / "data" / "examples"
    note = "Illustrative figures shipped with the demo; not official statistics."
    if not PrevailingWage.objects.exists():
        wage_services.prevailing_wage_import(
            actor=actor, source_name="Demo prevailing wages", source_notes=note,
            data=(examples / "prevailing_wages_example.csv").read_bytes(), dry_run=False,
        )
    if not MinimumWage.objects.exists():
        wage_services.minimum_wage_import(
            actor=actor, source_name="Demo minimum wages", source_notes=note,
            data=(examples / "minimum_wages_example.csv").read_bytes(), dry_run=False,
        )


def _corridor(actor, programme: Programme, country: str, authority: Organisation) -> None:
    if not programme.corridors.filter(origin_country=country).exists():
        programme_services.corridor_add(actor=actor, programme=programme, origin_country=country, competent_authority=authority)


def _activate(actor, programme: Programme) -> None:
    programme.refresh_from_db()
    if programme.status == ProgrammeStatus.DRAFT:
        programme_services.programme_set_status(actor=actor, programme=programme, status=ProgrammeStatus.ACTIVE)
