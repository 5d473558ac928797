"""Who sees what: employers their own data, ministries their country's applicants, inspectors their country,
immigration identity and approval status only (never inspections), social partners and the public nothing private."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models.query import EmptyQuerySet
from django.utils import timezone

from corridor.core.access import Role
from corridor.employers import services
from corridor.employers.models import (
    EmployerApproval,
    EmployerProfile,
    HousingInspection,
    HousingUnit,
    Worksite,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(approved, unit, inspector):
    services.housing_inspection_record(actor=inspector, unit=unit, date=timezone.localdate(), result="pass")
    return approved


def _visible(model, user, action="view"):
    return model.objects.all().restrict(user, action).count()


ALL = (EmployerProfile, Worksite, EmployerApproval, HousingUnit, HousingInspection)


def test_employer_sees_and_changes_only_its_own(world, employer_user, make_user):
    assert [_visible(m, employer_user) for m in ALL] == [1, 1, 1, 1, 1]
    assert _visible(EmployerProfile, employer_user, "change") == 1
    assert _visible(HousingUnit, employer_user, "change") == 1
    assert _visible(EmployerApproval, employer_user, "change") == 0
    other = make_user(Role.EMPLOYER, country="CA")
    assert [_visible(m, other) for m in ALL] == [0, 0, 0, 0, 0]


def test_ministry_sees_its_countrys_applicants_and_decides(world, ministry, make_user):
    assert [_visible(m, ministry) for m in ALL] == [1, 1, 1, 1, 1]
    assert _visible(EmployerApproval, ministry, "change") == 1
    assert _visible(EmployerProfile, ministry, "change") == 0
    foreign = make_user(Role.MINISTRY_OFFICER, country="ES")
    assert [_visible(m, foreign) for m in ALL] == [0, 0, 0, 0, 0]


def test_ministry_does_not_see_employers_that_never_applied(employer, ministry):
    assert _visible(EmployerProfile, ministry) == 0


def test_labour_inspector_sees_employers_and_housing_in_their_country(world, inspector, make_user):
    assert [_visible(m, inspector) for m in ALL] == [1, 1, 1, 1, 1]
    assert _visible(HousingInspection, inspector, "change") == 1
    assert [_visible(m, make_user(Role.LABOUR_INSPECTOR, country="ES")) for m in ALL] == [0, 0, 0, 0, 0]


def test_immigration_sees_identity_and_approval_status_but_never_inspections(world, make_user, make_user_with_roles):
    officer = make_user(Role.IMMIGRATION_OFFICER, country="CA")
    assert [_visible(m, officer) for m in ALL] == [1, 0, 1, 0, 0]
    assert isinstance(HousingInspection.objects.all().restrict(officer), EmptyQuerySet)
    dual = make_user_with_roles(Role.IMMIGRATION_OFFICER, Role.LABOUR_INSPECTOR)
    assert _visible(HousingInspection, dual) == 0


@pytest.mark.parametrize("role", [Role.UNION, Role.EMPLOYERS_ORG, Role.RESEARCHER, Role.AGENCY, Role.ORIGIN_OFFICER, Role.WORKER])
def test_social_partners_and_others_see_nothing_private(world, make_user, role):
    user = make_user(role, country="CA")
    assert [_visible(m, user) for m in ALL] == [0, 0, 0, 0, 0]


def test_the_public_sees_nothing(world):
    assert [_visible(m, AnonymousUser()) for m in ALL] == [0, 0, 0, 0, 0]


def test_platform_admin_sees_everything(world, make_user):
    assert [_visible(m, make_user(Role.PLATFORM_ADMIN)) for m in ALL] == [1, 1, 1, 1, 1]
