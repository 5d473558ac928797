"""Fixtures for the vacancy tests: an active Canadian programme, reporters of each kind and a report factory."""

import datetime

import pytest
from django.utils import timezone

from corridor.core.access import Role
from corridor.programmes import services as programme_services
from corridor.vacancies import services

THIS_MONTH = timezone.localdate().replace(day=1)
LAST_MONTH = (THIS_MONTH - datetime.timedelta(days=1)).replace(day=1)


@pytest.fixture
def ministry_admin(make_user):
    return make_user(Role.MINISTRY_ADMIN, country="CA")


@pytest.fixture
def programme(ministry_admin):
    programme = programme_services.programme_create(
        actor=ministry_admin, code="CA-SAG", name="Seasonal agricultural work", institutional_design="unilateral",
        category="seasonal", destination_country="CA", preset="ca-sawp",
    )
    return programme_services.programme_set_status(actor=ministry_admin, programme=programme, status="active")


@pytest.fixture
def ministry(make_user):
    """A ministry officer of Canada, the programme's destination country."""
    return make_user(Role.MINISTRY_OFFICER, country="CA")


@pytest.fixture
def employer_user(make_user):
    return make_user(Role.EMPLOYER, country="CA")


@pytest.fixture
def union(make_user):
    return make_user(Role.UNION, country="CA")


@pytest.fixture
def immigration(make_user):
    return make_user(Role.IMMIGRATION_OFFICER, country="CA")


VALID = {
    "kind": "unfilled",
    "isco_code": "9211",
    "region": "Ontario",
    "period": LAST_MONTH.strftime("%Y-%m"),
    "vacancies": 12,
    "months_unfilled": 4,
    "note": "Harvest labourers.",
}


@pytest.fixture
def report(programme):
    """report(user, **changes) -> VacancyReport, made through the service from VALID with `changes`."""

    def make(user, **changes):
        return services.vacancy_report_create(actor=user, programme=programme, **{**VALID, **changes})

    return make
