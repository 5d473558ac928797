"""Fixtures for job orders: an active Canadian seasonal programme with corridors to Mexico (whose authority verifies
job orders) and Jamaica, wage figures, an approved employer with a worksite and housing, and officials."""

import datetime

import pytest

from corridor.accounts.models import OrgKind
from corridor.core.access import Role
from corridor.employers import services as employer_services
from corridor.joborders import services
from corridor.programmes import services as programme_services
from corridor.programmes.models import ProgrammeStatus
from corridor.wages import services as wage_services

START = datetime.date(2027, 5, 3)
END = datetime.date(2027, 10, 29)
TODAY = datetime.date(2027, 3, 1)


@pytest.fixture
def ministry_admin(make_user):
    return make_user(Role.MINISTRY_ADMIN, country="CA")


@pytest.fixture
def ministry(make_user, ministry_admin):
    """A second officer of the same ministry as the admin."""
    return make_user(Role.MINISTRY_OFFICER, organisation=ministry_admin.organisation)


@pytest.fixture
def officer2(make_user, ministry_admin):
    return make_user(Role.MINISTRY_OFFICER, organisation=ministry_admin.organisation)


@pytest.fixture
def mx_authority(make_org):
    return make_org(OrgKind.ORIGIN_AUTHORITY, "MX", name="Secretaría del Trabajo (test)")


@pytest.fixture
def origin_officer(make_user, mx_authority):
    return make_user(Role.ORIGIN_OFFICER, organisation=mx_authority)


@pytest.fixture
def rules_override():
    """Changes to the preset's rules, per test module (override this fixture)."""
    return {}


@pytest.fixture
def programme(ministry_admin, mx_authority, make_org, rules_override):
    from corridor.programmes.presets import PRESETS

    rules = dict(PRESETS["ca-sawp"].rules)
    rules["quotas"] = {"annual": 100, "per_origin": {"MX": 60}}
    rules.update(rules_override)
    programme = programme_services.programme_create(
        actor=ministry_admin, code="CA-SAG", name="Seasonal agricultural work", institutional_design="multilateral",
        category="seasonal", destination_country="CA", rules=rules, rules_effective_from=datetime.date(2026, 1, 1),
    )
    programme_services.corridor_add(actor=ministry_admin, programme=programme, origin_country="MX", competent_authority=mx_authority)
    jm = make_org(OrgKind.ORIGIN_AUTHORITY, "JM", name="Ministry of Labour Jamaica (test)")
    programme_services.corridor_add(actor=ministry_admin, programme=programme, origin_country="JM", competent_authority=jm)
    programme_services.programme_set_status(actor=ministry_admin, programme=programme, status=ProgrammeStatus.ACTIVE)
    programme.refresh_from_db()
    return programme


@pytest.fixture
def wages(make_user):
    admin = make_user(Role.PLATFORM_ADMIN, country="CA")
    source = wage_services.wage_source_create(actor=admin, name="Test wage survey")
    wage_services.prevailing_wage_create(
        actor=admin, source=source, country="CA", region="Ontario", isco_code="9211", year=2026, amount="17.20",
        currency="CAD", unit="hour",
    )
    wage_services.minimum_wage_create(
        actor=admin, source=source, country="CA", region="Ontario", valid_from=datetime.date(2025, 10, 1), amount="17.60",
        currency="CAD", unit="hour",
    )


@pytest.fixture
def employer_user(make_user):
    return make_user(Role.EMPLOYER, country="CA")


@pytest.fixture
def employer(employer_user):
    return employer_services.employer_register(
        actor=employer_user, business_id="BN 1", sectors=["A"], contact_name="Ann Boss", contact_email="ann@example.org",
        worksites=[{"name": "Orchard", "address": "1 Farm Road", "region": "Ontario", "country": "CA"}],
    )


@pytest.fixture
def worksite(employer):
    return employer.worksites.get()


@pytest.fixture
def unit(employer_user, worksite):
    return employer_services.housing_unit_create(
        actor=employer_user, worksite=worksite, address="Bunkhouse", beds_per_room=[2, 2, 2], floor_area_m2="60",
        facilities=["kitchen", "laundry", "heating", "toilets", "shower", "drinking water", "bed"], charge_amount="0",
        charge_currency="CAD",
    )


@pytest.fixture
def approved(employer, employer_user, ministry_admin, programme):
    employer_services.employer_apply(actor=employer_user, employer=employer, programme=programme)
    return employer_services.employer_approve(actor=ministry_admin, employer=employer, programme=programme)


@pytest.fixture
def order_dates():
    """The season and the local advertising of the order; tests that go through the real date override this."""
    return {
        "start_date": START,
        "end_date": END,
        "adverts": [
            {"channel": "Job Bank", "start_date": "2027-01-04", "end_date": "2027-02-28", "local_applicants": 3, "local_hires": 1}
        ],
    }


@pytest.fixture
def order_data(worksite, unit, order_dates):
    """A job order that meets every rule of the programme."""
    return {
        "title": "Apple harvest",
        "origin_countries": ["MX", "JM"],
        "isco_code": "9211",
        "sector": "A",
        "positions": 6,
        "worksite": worksite.pk,
        "wage_amount": "18.00",
        "wage_currency": "CAD",
        "wage_unit": "hour",
        "hours_per_week": "40",
        "overtime_rate_percent": "150",
        "deductions": [{"type": "tax", "amount": "200"}],
        "housing": unit.pk,
        "description": "Picking and sorting apples.",
        **order_dates,
    }


@pytest.fixture
def make_order(employer_user, employer, programme, approved, wages, order_data):
    def make(**changes):
        data = {**order_data, **changes}
        return services.job_order_create(actor=employer_user, employer=employer, programme=programme, **data)

    return make


@pytest.fixture
def submitted(make_order, employer_user):
    return services.job_order_submit(actor=employer_user, order=make_order(), today=TODAY)
