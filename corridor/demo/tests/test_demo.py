"""The demo builds the three programmes and one user per role, twice without change, and every login works."""

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from corridor.accounts.models import Organisation, User
from corridor.core.access import Role
from corridor.demo.content import DEMO_PASSWORD, USERS, build_demo
from corridor.programmes.models import Programme

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent():
    from corridor.employers.models import EmployerApproval, HousingUnit
    from corridor.wages.models import MinimumWage, PrevailingWage

    def counts():
        models = (User, Organisation, Programme, EmployerApproval, HousingUnit, PrevailingWage, MinimumWage)
        return [m.objects.count() for m in models]

    build_demo()
    first = counts()
    build_demo()
    assert first == counts()
    assert all(first), first
    assert set(Programme.objects.values_list("code", "status")) == {("CA-SAG", "active"), ("ES-MA-CIRC", "active"), ("KR-EPS", "active")}
    assert Programme.objects.get(code="CA-SAG").corridors.count() == 2
    assert Programme.objects.get(code="KR-EPS").rule_versions.count() == 2


def test_demo_has_one_user_per_role():
    build_demo()
    held = {spec.role for spec in USERS}
    assert held == set(Role.values)
    # The same build takes journeys to every state, with the substitution alert of a lower wage at destination.
    from corridor.deployment import journey
    from corridor.deployment.models import Journey, SubstitutionAlert

    assert set(Journey.objects.values_list("state", flat=True)) == set(journey.STATES)
    assert SubstitutionAlert.objects.filter(field="wage_amount", source="declared").exists()


@override_settings(CORRIDOR_ENFORCE_SECOND_FACTOR=False)
def test_every_demo_login_reaches_its_home_page():
    build_demo()
    for spec in USERS:
        client = Client()
        response = client.post("/accounts/login/", {"username": spec.username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, spec.username
        assert client.get("/").status_code == 200, spec.username


def test_demo_command_prints_the_logins(capsys):
    call_command("demo")
    out = capsys.readouterr().out
    assert "ministry_admin" in out and DEMO_PASSWORD in out and "127.0.0.1:8000" in out


def test_generate_builds_programmes_and_users_in_bulk_and_refuses_the_same_seed_twice():
    from django.core.management.base import CommandError

    call_command("generate", "--seed", "7", "--scale", "5")
    assert Programme.objects.filter(code__startswith="G7-").count() == 5
    assert User.objects.filter(username__startswith="g7-user-").count() == 50
    assert all(p.rule_versions.count() == 2 and p.corridors.exists() for p in Programme.objects.filter(code__startswith="G7-"))
    with pytest.raises(CommandError):
        call_command("generate", "--seed", "7", "--scale", "5")
