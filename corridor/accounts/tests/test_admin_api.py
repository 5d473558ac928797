"""Platform administrators register organisations and accounts with roles, through the API and the pages."""

import pytest

from corridor.accounts.models import Organisation, OrgKind, User
from corridor.core.access import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    return make_user(Role.PLATFORM_ADMIN)


def test_register_an_organisation_and_an_account_with_a_role(admin, api_client):
    client = api_client(admin)
    response = client.post("organisations", {"name": "Farm Co", "kind": "employer", "country": "CA"})
    assert response.status_code == 201, response.content
    org_id = response.json()["id"]
    response = client.post(
        "users",
        {"username": "farm.boss", "password": "a-long-password-99", "organisation_id": org_id, "roles": [{"role": "employer"}]},
    )
    assert response.status_code == 201, response.content
    assert response.json()["roles"] == [{"role": "employer", "programme": None}]
    listed = client.get("users", role="employer").json()
    assert any(u["username"] == "farm.boss" for u in listed["items"])


def test_an_account_with_a_role_its_organisation_cannot_hold_is_refused_whole(admin, api_client, make_org):
    org = make_org(OrgKind.EMPLOYER, "CA")
    response = api_client(admin).post(
        "users",
        {"username": "wrong.role", "password": "a-long-password-99", "organisation_id": org.pk, "roles": [{"role": "ministry_admin"}]},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "roles.0.role"
    assert not User.objects.filter(username="wrong.role").exists()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"username": "x", "password": "a-long-password-99", "roles": [{"role": "worker"}]}, "username"),
        ({"username": "shortpw", "password": "short", "roles": [{"role": "worker"}]}, "password"),
        ({"username": "no.roles", "password": "a-long-password-99", "roles": []}, "roles"),
        ({"username": "bad.prog", "password": "a-long-password-99", "roles": [{"role": "worker", "programme": "NOPE"}]}, "roles.0.programme"),
        ({"username": "bad.org", "password": "a-long-password-99", "organisation_id": 999999, "roles": [{"role": "employer"}]}, "organisation_id"),
    ],
)
def test_bad_account_input_names_the_field(admin, api_client, payload, field):
    response = api_client(admin).post("users", payload)
    assert response.status_code == 422, response.content
    assert field in {e["field"] for e in response.json()["errors"]}


def test_others_cannot_register_organisations_or_accounts(make_user, api_client):
    client = api_client(make_user(Role.MINISTRY_ADMIN))
    assert client.post("organisations", {"name": "X", "kind": "employer", "country": "CA"}).status_code == 403
    assert client.post("users", {"username": "sneaky", "password": "a-long-password-99", "roles": [{"role": "worker"}]}).status_code == 403
    assert not Organisation.objects.filter(name="X").exists()


def test_grant_and_revoke_roles(admin, api_client, make_user):
    worker = make_user(Role.WORKER)
    client = api_client(admin)
    response = client.post(f"users/{worker.username}/roles/revoke", {"role": "worker", "reason": "Left the programme"})
    assert response.status_code == 200 and response.json()["roles"] == []
    response = client.post(f"users/{worker.username}/roles", {"role": "worker"})
    assert response.json()["roles"] == [{"role": "worker", "programme": None}]
    assert client.post(f"users/{worker.username}/roles/revoke", {"role": "union", "reason": "x"}).status_code == 404


def test_me_shows_the_account_and_roles(make_user, api_client):
    user = make_user(Role.EMPLOYER)
    body = api_client(user).get("account/me").json()
    assert body["username"] == user.username and body["roles"][0]["role"] == "employer"


def test_admin_pages_create_organisations_and_accounts(admin, web_client):
    client = web_client(admin)
    response = client.post("/accounts/organisations/", {"name": "Union of Growers", "kind": "trade_union", "country": "CA"})
    assert response.status_code == 302
    org = Organisation.objects.get(name="Union of Growers")
    response = client.post(
        "/accounts/users/",
        {"username": "rep1", "organisation": org.pk, "role": "union", "language": "fr", "password": "a-long-password-99"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(username="rep1").role_set() == {"union"}
    bad = client.post("/accounts/users/", {"username": "rep2", "organisation": org.pk, "role": "employer", "language": "fr", "password": "a-long-password-99"})
    assert bad.status_code == 422 and not User.objects.filter(username="rep2").exists()


def test_admin_pages_are_for_platform_admins_only(make_user, web_client):
    client = web_client(make_user(Role.MINISTRY_ADMIN))
    assert client.get("/accounts/organisations/").status_code == 403
    assert client.get("/accounts/users/").status_code == 403
