"""Fixtures for selection: an active Canadian seasonal programme (CA-SAG) with corridors from Mexico and Jamaica, each
with its origin authority; an approved employer with two open job orders (Apple harvest, 2 positions; Peach harvest,
1 position; both for MX and JM workers); work-ready workers with an account and a consent to selection; and an open
round for every corridor, opened by the programme administrator.

Everything is made through the services, with today's real date: the season lies next year and the local adverts ran
in the last 40 days. Tests may override `sel_rules_override` (changes to the preset's rules) in their module."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core.cache import cache
from django.utils import timezone

from corridor.accounts.models import OrgKind
from corridor.core.access import Role
from corridor.employers import services as employer_services
from corridor.joborders import services as joborder_services
from corridor.programmes import services as programme_services
from corridor.programmes.models import ProgrammeStatus
from corridor.selection import services
from corridor.wages import services as wage_services
from corridor.workers import services as worker_services
from corridor.workers.models import ConsentPurpose

WORKER_PASSWORD = "a-long-worker-password-7"
_numbers = itertools.count(1)


def today() -> datetime.date:
    return timezone.localdate()


def season() -> tuple[datetime.date, datetime.date]:
    year = today().year + 1
    return datetime.date(year, 5, 3), datetime.date(year, 10, 29)


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()


@pytest.fixture
def sel_rules_override():
    """Changes to the ca-sawp preset's rules (override per test module), e.g. {"selection": {...}}."""
    return {}


@pytest.fixture
def sel_admin(make_user):
    """The programme administrator (destination ministry, CA)."""
    return make_user(Role.MINISTRY_ADMIN, country="CA")


@pytest.fixture
def sel_officer(make_user, sel_admin):
    """A ministry officer of the same ministry (not a programme administrator)."""
    return make_user(Role.MINISTRY_OFFICER, organisation=sel_admin.organisation)


@pytest.fixture
def sel_mx_authority(make_org):
    return make_org(OrgKind.ORIGIN_AUTHORITY, "MX", name="Secretaría del Trabajo (selection test)")


@pytest.fixture
def sel_jm_authority(make_org):
    return make_org(OrgKind.ORIGIN_AUTHORITY, "JM", name="Ministry of Labour Jamaica (selection test)")


@pytest.fixture
def sel_origin(make_user, sel_mx_authority):
    """An officer of the Mexican origin authority, competent for the MX corridor."""
    return make_user(Role.ORIGIN_OFFICER, organisation=sel_mx_authority)


@pytest.fixture
def sel_jm_origin(make_user, sel_jm_authority):
    """An officer of the Jamaican origin authority, competent for the JM corridor."""
    return make_user(Role.ORIGIN_OFFICER, organisation=sel_jm_authority)


@pytest.fixture
def sel_programme(sel_admin, sel_mx_authority, sel_jm_authority, sel_rules_override):
    from corridor.programmes.presets import PRESETS

    rules = dict(PRESETS["ca-sawp"].rules)
    rules.update(sel_rules_override)
    programme = programme_services.programme_create(
        actor=sel_admin, code="CA-SAG", name="Seasonal agricultural work", institutional_design="multilateral",
        category="seasonal", destination_country="CA", rules=rules,
        rules_effective_from=datetime.date(today().year - 1, 1, 1),
    )
    programme_services.corridor_add(actor=sel_admin, programme=programme, origin_country="MX",
                                    competent_authority=sel_mx_authority)
    programme_services.corridor_add(actor=sel_admin, programme=programme, origin_country="JM",
                                    competent_authority=sel_jm_authority)
    programme_services.programme_set_status(actor=sel_admin, programme=programme, status=ProgrammeStatus.ACTIVE)
    programme.refresh_from_db()
    return programme


@pytest.fixture
def sel_wages(make_user):
    admin = make_user(Role.PLATFORM_ADMIN, country="CA")
    source = wage_services.wage_source_create(actor=admin, name="Selection test wage survey")
    wage_services.prevailing_wage_create(
        actor=admin, source=source, country="CA", region="Ontario", isco_code="9211", year=today().year - 1,
        amount="17.20", currency="CAD", unit="hour",
    )
    wage_services.minimum_wage_create(
        actor=admin, source=source, country="CA", region="Ontario", valid_from=datetime.date(today().year - 1, 10, 1),
        amount="17.60", currency="CAD", unit="hour",
    )


@pytest.fixture
def sel_employer_user(make_user):
    """A member of the employer organisation (Niagara test orchard)."""
    return make_user(Role.EMPLOYER, country="CA")


@pytest.fixture
def sel_employer(sel_employer_user, sel_admin, sel_programme):
    """The employer's profile, approved for the programme."""
    employer = employer_services.employer_register(
        actor=sel_employer_user, business_id="BN 7", sectors=["A"], contact_name="Ann Boss",
        contact_email="ann@example.org",
        worksites=[{"name": "Orchard", "address": "1 Farm Road", "region": "Ontario", "country": "CA"}],
    )
    employer_services.employer_apply(actor=sel_employer_user, employer=employer, programme=sel_programme)
    employer_services.employer_approve(actor=sel_admin, employer=employer, programme=sel_programme)
    employer.refresh_from_db()
    return employer


@pytest.fixture
def make_open_order(sel_employer_user, sel_employer, sel_programme, sel_wages, sel_admin, sel_officer, sel_origin,
                    sel_jm_origin):
    """make_open_order(title, positions=2, **changes) -> an open job order of the employer (reviewed, approved by a
    second officer, verified by both origin authorities)."""
    worksite = sel_employer.worksites.get()
    unit = worksite.housing_units.first() or employer_services.housing_unit_create(
        actor=sel_employer_user, worksite=worksite, address="Bunkhouse", beds_per_room=[2, 2, 2], floor_area_m2="60",
        facilities=["kitchen", "laundry", "heating", "toilets", "shower", "drinking water", "bed"], charge_amount="0",
        charge_currency="CAD",
    )
    start, end = season()

    def make(title: str, positions: int = 2, **changes):
        data = {
            "title": title, "origin_countries": ["MX", "JM"], "isco_code": "9211", "sector": "A",
            "positions": positions, "worksite": worksite.pk, "wage_amount": "18.00", "wage_currency": "CAD",
            "wage_unit": "hour", "hours_per_week": "40", "overtime_rate_percent": "150",
            "deductions": [{"type": "tax", "amount": "200"}], "housing": unit.pk,
            "description": f"{title}: picking and sorting.", "start_date": start, "end_date": end,
            "adverts": [{"channel": "Job Bank", "start_date": (today() - datetime.timedelta(days=40)).isoformat(),
                         "end_date": (today() - datetime.timedelta(days=1)).isoformat(), "local_applicants": 3,
                         "local_hires": 1}],
        }
        data.update(changes)
        order = joborder_services.job_order_create(actor=sel_employer_user, employer=sel_employer,
                                                   programme=sel_programme, **data)
        order = joborder_services.job_order_submit(actor=sel_employer_user, order=order)
        order = joborder_services.job_order_review(actor=sel_officer, order=order)
        order = joborder_services.job_order_approve(actor=sel_admin, order=order)
        for officer in (sel_origin, sel_jm_origin):
            order = joborder_services.job_order_verify(actor=officer, order=order)
        order.refresh_from_db()
        return order

    return make


@pytest.fixture
def sel_orders(make_open_order):
    """Two open job orders of the employer: Apple harvest (2 positions) and Peach harvest (1 position)."""
    return [make_open_order("Apple harvest", positions=2), make_open_order("Peach harvest", positions=1)]


@pytest.fixture
def make_ready_worker(db, sel_programme, sel_origin, sel_jm_origin):
    """make_ready_worker(given, family, sex="male", years=3, consent=True, nationality="MX", region="Michoacán",
    born=None) -> a work-ready Worker with an account (worker.user; password WORKER_PASSWORD), 9211 as occupation
    with `years` of experience and, unless consent=False, a consent to selection for the programme."""

    def make(given: str, family: str, sex: str = "male", years=3, consent: bool = True, nationality: str = "MX",
             region: str = "Michoacán", born: datetime.date | None = None):
        n = next(_numbers)
        officer = sel_origin if nationality == "MX" else sel_jm_origin
        phone = f"+52 443 200 {n:04d}" if nationality == "MX" else f"+1 876 555 {n:04d}"
        worker = worker_services.worker_register_self(
            given_names=given, family_names=family, sex=sex,
            date_of_birth=born or today().replace(year=today().year - 30, day=1), nationality=nationality,
            region_of_origin=region, phone=phone, email="", language="es" if nationality == "MX" else "en",
            password=WORKER_PASSWORD,
        )
        worker_services.occupation_add(actor=worker.user, worker=worker, isco_code="9211", years_experience=str(years))
        worker_services.document_add(
            actor=officer, worker=worker, kind="passport", number=f"S{n:07d}", issuing_country=nationality,
            issued_on=today().replace(year=today().year - 2, day=1), expires_on=today().replace(year=today().year + 8, day=1),
        )
        worker_services.medical_add(actor=officer, worker=worker, fit=True, issued_on=today() - datetime.timedelta(days=30),
                                    valid_until=today() + datetime.timedelta(days=300), issued_by="Clínica de prueba")
        worker_services.orientation_record(actor=officer, worker=worker, completed_on=today() - datetime.timedelta(days=10))
        worker_services.worker_verify(actor=officer, worker=worker)
        worker_services.worker_mark_work_ready(actor=officer, worker=worker)
        if consent:
            worker_services.consent_give(actor=worker.user, worker=worker, purpose=ConsentPurpose.SELECTION,
                                         programme=sel_programme)
        worker.refresh_from_db()
        return worker

    return make


@pytest.fixture
def sel_round(sel_admin, sel_programme):
    """An open round for every corridor of the programme, opened by the programme administrator."""
    return services.round_create(actor=sel_admin, programme=sel_programme, title="Test round 1")
