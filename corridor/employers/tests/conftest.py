"""Fixtures for the employer tests: a Canadian programme, an employer with a worksite, reviewers and inspectors."""

import pytest

from corridor.core.access import Role
from corridor.employers import services
from corridor.programmes import services as programme_services


@pytest.fixture
def ministry(make_user):
    """A ministry officer of Canada (the destination country of the programme)."""
    return make_user(Role.MINISTRY_OFFICER, country="CA")


@pytest.fixture
def programme(make_user):
    admin = make_user(Role.MINISTRY_ADMIN, country="CA")
    return programme_services.programme_create(
        actor=admin, code="CA-SAG", name="Seasonal agricultural work", institutional_design="multilateral",
        category="seasonal", destination_country="CA", preset="ca-sawp",
    )


@pytest.fixture
def employer_user(make_user):
    return make_user(Role.EMPLOYER, country="CA")


@pytest.fixture
def employer(employer_user):
    return services.employer_register(
        actor=employer_user, business_id="BN 1", sectors=["A"], contact_name="Ann Boss", contact_email="ann@example.org",
        worksites=[{"name": "Orchard", "address": "1 Farm Road", "region": "Ontario", "country": "CA"}],
    )


@pytest.fixture
def worksite(employer):
    return employer.worksites.get()


@pytest.fixture
def unit(employer_user, worksite):
    return services.housing_unit_create(
        actor=employer_user, worksite=worksite, address="Bunkhouse", beds_per_room=[2, 2], floor_area_m2="40",
        facilities=["kitchen", "laundry", "heating", "toilets"], charge_amount="0", charge_currency="CAD",
    )


@pytest.fixture
def inspector(make_user):
    return make_user(Role.LABOUR_INSPECTOR, country="CA")


@pytest.fixture
def approved(employer, employer_user, ministry, programme):
    services.employer_apply(actor=employer_user, employer=employer, programme=programme)
    return services.employer_approve(actor=ministry, employer=employer, programme=programme)
