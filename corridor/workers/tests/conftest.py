"""Fixtures for the worker pool: an active Canadian seasonal programme with a corridor from Mexico, the Mexican
origin authority, an approved employer, a recruitment agency (licensed through a stand-in licence check), and
workers registered by themselves or on their behalf."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from corridor.accounts.models import OrgKind
from corridor.core.access import Role
from corridor.employers import services as employer_services
from corridor.programmes import services as programme_services
from corridor.programmes.models import ProgrammeStatus
from corridor.workers import services

PASSWORD = "a-long-worker-password-7"


def today() -> datetime.date:
    return timezone.localdate()


def years_ago(years: int, days: int = 0) -> datetime.date:
    day = today()
    return day.replace(year=day.year - years) - datetime.timedelta(days=days)


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()


@pytest.fixture
def licensed(monkeypatch):
    """A stand-in licence register: agencies named "... licensed" may act for Mexican workers."""

    def check(agency, origin_country, on_date):
        if "licensed" in agency.name and origin_country == "MX":
            return True, ""
        return False, f"{agency.name} holds no licence for {origin_country}."

    monkeypatch.setattr(services, "_agency_check", check)
    return check


@pytest.fixture
def mx_authority(make_org):
    return make_org(OrgKind.ORIGIN_AUTHORITY, "MX", name="Secretaría del Trabajo (test)")


@pytest.fixture
def origin_officer(make_user, mx_authority):
    return make_user(Role.ORIGIN_OFFICER, organisation=mx_authority)


@pytest.fixture
def jm_officer(make_user, make_org):
    return make_user(Role.ORIGIN_OFFICER, organisation=make_org(OrgKind.ORIGIN_AUTHORITY, "JM"))


@pytest.fixture
def ministry_admin(make_user):
    return make_user(Role.MINISTRY_ADMIN, country="CA")


@pytest.fixture
def programme(ministry_admin, mx_authority):
    from corridor.programmes.presets import PRESETS

    programme = programme_services.programme_create(
        actor=ministry_admin, code="CA-SAG", name="Seasonal agricultural work", institutional_design="bilateral",
        category="seasonal", destination_country="CA", rules=dict(PRESETS["ca-sawp"].rules),
        rules_effective_from=datetime.date(today().year - 1, 1, 1),
    )
    programme_services.corridor_add(actor=ministry_admin, programme=programme, origin_country="MX", competent_authority=mx_authority)
    programme_services.programme_set_status(actor=ministry_admin, programme=programme, status=ProgrammeStatus.ACTIVE)
    programme.refresh_from_db()
    return programme


@pytest.fixture
def employer_user(make_user):
    return make_user(Role.EMPLOYER, country="CA")


@pytest.fixture
def approved_employer(employer_user, ministry_admin, programme):
    employer = employer_services.employer_register(
        actor=employer_user, business_id="BN 1", sectors=["A"], contact_name="Ann Boss", contact_email="ann@example.org",
        worksites=[{"name": "Orchard", "address": "1 Farm Road", "region": "Ontario", "country": "CA"}],
    )
    employer_services.employer_apply(actor=employer_user, employer=employer, programme=programme)
    employer_services.employer_approve(actor=ministry_admin, employer=employer, programme=programme)
    return employer


@pytest.fixture
def agency_org(make_org):
    return make_org(OrgKind.RECRUITMENT_AGENCY, "MX", name="Reclutamiento Justo licensed")


@pytest.fixture
def agency_user(make_user, agency_org):
    return make_user(Role.AGENCY, organisation=agency_org)


@pytest.fixture
def immigration(make_user):
    return make_user(Role.IMMIGRATION_OFFICER, country="CA")


def registration(**changes) -> dict:
    data = {
        "given_names": "José Luis",
        "family_names": "Martínez López",
        "sex": "male",
        "date_of_birth": years_ago(31, 40),
        "nationality": "MX",
        "region_of_origin": "Michoacán",
        "phone": "+52 443 123 4567",
        "email": "",
        "language": "es",
        "password": PASSWORD,
    }
    data.update(changes)
    return data


@pytest.fixture
def make_worker(db):
    """make_worker(**changes) -> a worker who registered on their own (with an account)."""

    def make(**changes):
        return services.worker_register_self(**registration(**changes))

    return make


@pytest.fixture
def worker(make_worker):
    return make_worker()


@pytest.fixture
def complete(origin_officer):
    """complete(worker) -> the worker with a passport, a fit medical clearance and orientation, verified."""

    def make(worker, *, work_ready: bool = False):
        services.document_add(
            actor=origin_officer, worker=worker, kind="passport", number="G1234567", issuing_country="MX",
            issued_on=years_ago(2), expires_on=years_ago(-8),
        )
        services.medical_add(actor=origin_officer, worker=worker, fit=True, issued_on=today() - datetime.timedelta(days=30),
                             valid_until=today() + datetime.timedelta(days=300), issued_by="Clínica IMSS Morelia")
        services.orientation_record(actor=origin_officer, worker=worker, completed_on=today() - datetime.timedelta(days=10))
        services.worker_verify(actor=origin_officer, worker=worker)
        if work_ready:
            services.worker_mark_work_ready(actor=origin_officer, worker=worker)
        worker.refresh_from_db()
        return worker

    return make
