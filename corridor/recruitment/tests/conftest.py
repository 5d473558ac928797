"""Fixtures for agencies: a Canadian seasonal programme with corridors from Mexico and Jamaica, a second programme
from Mexico, the Mexican origin authority (two officers, for four eyes), a Mexican agency with an application and a
licence, an approved Canadian employer, and workers of the pool."""

import datetime

import pytest

from corridor.accounts.models import OrgKind
from corridor.core.access import Role
from corridor.programmes import services as programme_services
from corridor.programmes.models import ProgrammeStatus
from corridor.recruitment import services

TODAY = datetime.date(2027, 3, 1)
VALID_UNTIL = datetime.date(2029, 2, 28)


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def ministry_admin(make_user):
    return make_user(Role.MINISTRY_ADMIN, country="CA")


@pytest.fixture
def mx_authority(make_org):
    return make_org(OrgKind.ORIGIN_AUTHORITY, "MX", name="Secretaría del Trabajo (test)")


@pytest.fixture
def jm_authority(make_org):
    return make_org(OrgKind.ORIGIN_AUTHORITY, "JM", name="Ministry of Labour Jamaica (test)")


@pytest.fixture
def mx_officer(make_user, mx_authority):
    return make_user(Role.ORIGIN_OFFICER, organisation=mx_authority)


@pytest.fixture
def mx_officer2(make_user, mx_authority):
    return make_user(Role.ORIGIN_OFFICER, organisation=mx_authority)


@pytest.fixture
def jm_officer(make_user, jm_authority):
    return make_user(Role.ORIGIN_OFFICER, organisation=jm_authority)


def _programme(admin, code, corridors):
    from corridor.programmes.presets import PRESETS

    programme = programme_services.programme_create(
        actor=admin, code=code, name=f"Programme {code}", institutional_design="multilateral", category="seasonal",
        destination_country="CA", rules=dict(PRESETS["ca-sawp"].rules), rules_effective_from=datetime.date(2026, 1, 1),
    )
    for country, authority in corridors:
        programme_services.corridor_add(actor=admin, programme=programme, origin_country=country, competent_authority=authority)
    programme_services.programme_set_status(actor=admin, programme=programme, status=ProgrammeStatus.ACTIVE)
    programme.refresh_from_db()
    return programme


@pytest.fixture
def programme(ministry_admin, mx_authority, jm_authority):
    return _programme(ministry_admin, "CA-SAG", [("MX", mx_authority), ("JM", jm_authority)])


@pytest.fixture
def other_programme(ministry_admin, mx_authority):
    """A second programme with a corridor from Mexico, which the agency's licence does not name."""
    return _programme(ministry_admin, "CA-LOW", [("MX", mx_authority)])


@pytest.fixture
def jm_only_programme(ministry_admin, jm_authority):
    return _programme(ministry_admin, "CA-JM", [("JM", jm_authority)])


@pytest.fixture
def agency_org(make_org):
    return make_org(OrgKind.RECRUITMENT_AGENCY, "MX", name="Reclutamiento Justo (test)")


@pytest.fixture
def agency_user(make_user, agency_org):
    return make_user(Role.AGENCY, organisation=agency_org)


@pytest.fixture
def application_data(programme):
    return {
        "ownership": "Ana López (60%), Luis Pérez (40%); manager: Ana López",
        "capital_amount": "250000.00",
        "capital_currency": "MXN",
        "deposit_amount": "100000",
        "deposit_currency": "MXN",
        "bond_reference": "BANORTE-GAR-2027-0042",
        "scopes": [{"programme": programme.code, "origin_country": "MX"}],
    }


@pytest.fixture
def application(agency_user, application_data, today):
    return services.licence_apply(actor=agency_user, today=today, **application_data)


@pytest.fixture
def licence(application, mx_officer, today):
    return services.licence_grant(actor=mx_officer, licence=application, valid_from=today, valid_until=VALID_UNTIL, today=today)


@pytest.fixture
def employer(make_user, ministry_admin, programme):
    from corridor.employers import services as employer_services

    user = make_user(Role.EMPLOYER, country="CA")
    profile = employer_services.employer_register(
        actor=user, business_id="BN 1", sectors=["A"], contact_name="Ann Boss", contact_email="ann@example.org",
        worksites=[{"name": "Orchard", "address": "1 Farm Road", "region": "Ontario", "country": "CA"}],
    )
    employer_services.employer_apply(actor=user, employer=profile, programme=programme)
    employer_services.employer_approve(actor=ministry_admin, employer=profile, programme=programme)
    profile.member = user
    return profile


_worker_seq = iter(range(1, 10_000))


@pytest.fixture
def make_worker(make_user):
    """make_worker(nationality="MX", registered_by_organisation=None) -> a Worker with its own user account."""
    from corridor.workers.models import Worker

    def make(nationality: str = "MX", registered_by_organisation=None, with_user: bool = True):
        seq = next(_worker_seq)
        user = make_user(Role.WORKER) if with_user else None
        return Worker.objects.create(
            public_id=f"TW{seq:06d}", user=user, given_names=f"Test{seq}", family_names="Worker", name_key=f"test{seq} worker",
            sex="female", date_of_birth=datetime.date(1995, 4, 1), nationality=nationality,
            registered_by_organisation=registered_by_organisation,
        )

    return make


@pytest.fixture
def consent_to(db):
    """consent_to(worker, agency) -> a valid consent of the worker to the agency."""
    from corridor.workers.models import Consent, ConsentPurpose

    def give(worker, agency):
        return Consent.objects.create(worker=worker, purpose=ConsentPurpose.AGENCY, agency=agency,
                                      wording="Let this agency see my profile and act for me.", language="es")

    return give
