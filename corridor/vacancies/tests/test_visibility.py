"""Who reads which reports: the reporting organisation its own, the destination ministry its country's programmes,
platform administrators everything; immigration, other countries and everyone else nothing at row level."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models.query import EmptyQuerySet

from corridor.core.access import Role
from corridor.core.errors import Forbidden, NotFound
from corridor.programmes import services as programme_services
from corridor.vacancies import selectors, services
from corridor.vacancies.models import VacancyReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(programme, employer_user, union, ministry, make_user, report):
    other_employer = make_user(Role.EMPLOYER, country="CA")
    return {
        "own": report(employer_user),
        "other": report(other_employer, isco_code="6111"),
        "union": report(union, kind="emerging", months_unfilled=None),
        "other_employer": other_employer,
    }


def _ids(user, action="view"):
    return set(VacancyReport.objects.all().restrict(user, action).values_list("pk", flat=True))


def test_an_employer_sees_and_changes_only_its_own(world, employer_user, make_user):
    assert _ids(employer_user) == {world["own"].pk}
    assert _ids(employer_user, "change") == {world["own"].pk}
    colleague = make_user(Role.EMPLOYER, organisation=employer_user.organisation)
    assert _ids(colleague) == {world["own"].pk}
    assert _ids(world["other_employer"]) == {world["other"].pk}


def test_the_destination_ministry_sees_all_of_its_countrys_programmes_but_changes_none(world, ministry, make_user):
    everything = {world["own"].pk, world["other"].pk, world["union"].pk}
    assert _ids(ministry) == everything
    assert _ids(ministry, "change") == set()
    assert _ids(make_user(Role.MINISTRY_ADMIN, country="CA")) == everything


def test_a_ministry_of_another_country_sees_none(world, make_user):
    foreign = make_user(Role.MINISTRY_OFFICER, country="ES")
    assert _ids(foreign) == set()


def test_a_spanish_programme_is_not_seen_by_the_canadian_ministry(world, ministry, make_user):
    es_admin = make_user(Role.MINISTRY_ADMIN, country="ES")
    es = programme_services.programme_create(
        actor=es_admin, code="ES-CIRC", name="Circular", institutional_design="unilateral", category="circular",
        destination_country="ES", preset="ca-sawp",
    )
    es_union = make_user(Role.UNION, country="ES")
    spanish = services.vacancy_report_create(
        actor=es_union, programme=es, kind="emerging", isco_code="6111", region="", period=world["own"].period.strftime("%Y-%m"),
        vacancies=3,
    )
    assert spanish.pk not in _ids(ministry)
    assert _ids(make_user(Role.MINISTRY_OFFICER, country="ES")) == {spanish.pk}


def test_platform_administrators_read_everything_and_change_nothing(world, make_user):
    admin = make_user(Role.PLATFORM_ADMIN)
    assert len(_ids(admin)) == 3 and _ids(admin, "change") == set()


@pytest.mark.parametrize("role", [Role.IMMIGRATION_OFFICER, Role.LABOUR_INSPECTOR, Role.RESEARCHER, Role.AGENCY, Role.ORIGIN_OFFICER])
def test_other_roles_read_no_rows(world, make_user, role):
    assert isinstance(VacancyReport.objects.all().restrict(make_user(role, country="CA")), EmptyQuerySet)


def test_social_partners_read_only_their_own_rows(world, union):
    assert _ids(union) == {world["union"].pk}


def test_anonymous_users_read_nothing(world):
    assert isinstance(VacancyReport.objects.all().restrict(AnonymousUser()), EmptyQuerySet)


def test_get_raises_not_found_for_rows_out_of_sight(world, employer_user):
    assert selectors.vacancy_report_get(user=employer_user, pk=world["own"].pk) == world["own"]
    with pytest.raises(NotFound):
        selectors.vacancy_report_get(user=employer_user, pk=world["other"].pk)


def test_list_filters_by_programme_and_kind(world, ministry, programme):
    assert selectors.vacancy_report_list(user=ministry, programme=programme, kind="emerging").get() == world["union"]
    assert selectors.vacancy_report_list(user=ministry, kind="unfilled").count() == 2


@pytest.mark.parametrize(
    "role, access",
    [(Role.MINISTRY_OFFICER, "full"), (Role.MINISTRY_ADMIN, "full"), (Role.PLATFORM_ADMIN, "full"), (Role.UNION, "suppressed"),
     (Role.EMPLOYERS_ORG, "suppressed"), (Role.RESEARCHER, "suppressed")],
)
def test_aggregate_access_by_role(programme, make_user, role, access):
    assert selectors.aggregate_access(make_user(role, country="CA"), programme) == access


@pytest.mark.parametrize("role", [Role.EMPLOYER, Role.IMMIGRATION_OFFICER, Role.LABOUR_INSPECTOR, Role.AGENCY, Role.ORIGIN_OFFICER])
def test_aggregates_are_refused_to_other_roles(programme, make_user, role):
    with pytest.raises(Forbidden):
        selectors.vacancy_aggregate(user=make_user(role, country="CA"), programme=programme)


def test_social_partners_of_an_origin_country_read_the_suppressed_aggregate(programme, make_user):
    assert selectors.aggregate_access(make_user(Role.UNION, country="MX"), programme) == "suppressed"


def test_a_ministry_of_another_country_may_not_read_the_aggregate(programme, make_user):
    with pytest.raises(Forbidden):
        selectors.vacancy_aggregate(user=make_user(Role.MINISTRY_OFFICER, country="ES"), programme=programme)
