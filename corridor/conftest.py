"""Fixtures shared by every app's tests: users in each role, signed-in clients and API helpers."""

from __future__ import annotations

import itertools
import json

import pytest
from django.test import Client

from corridor.accounts import services as account_services
from corridor.accounts.models import ROLES_BY_KIND, Organisation, OrgKind, User
from corridor.core.access import Role

_counter = itertools.count(1)

# The organisation kind that holds each role.
KIND_FOR_ROLE = {role: kind for kind, roles in ROLES_BY_KIND.items() for role in roles}

PASSWORD = "a-long-test-password-1"


@pytest.fixture
def make_org(db):
    def make(kind: str = OrgKind.DESTINATION_MINISTRY, country: str = "CA", name: str | None = None) -> Organisation:
        return Organisation.objects.create(name=name or f"{kind} {country} {next(_counter)}", kind=kind, country=country)

    return make


@pytest.fixture
def make_user(db, make_org):
    """make_user(role=Role.MINISTRY_ADMIN, country="CA", organisation=None, programme=None) -> User."""

    def make(
        role: str = Role.MINISTRY_ADMIN,
        *,
        country: str = "CA",
        organisation: Organisation | None = None,
        programme=None,
        username: str | None = None,
        org_admin: bool = False,
        language: str = "en",
    ) -> User:
        if organisation is None and role != Role.WORKER:
            organisation = make_org(KIND_FOR_ROLE[role], country)
        user = account_services.user_create(
            actor=None,
            username=username or f"{role}-{next(_counter)}",
            password=PASSWORD,
            organisation=organisation,
            first_name="Test",
            last_name=str(role),
            language=language,
            is_org_admin=org_admin,
            check_password=False,
        )
        account_services.role_grant(actor=None, user=user, role=role, programme=programme)
        return User.objects.get(pk=user.pk)

    return make


@pytest.fixture
def make_user_with_roles(db, make_org):
    """A person holding several roles through one organisation each (e.g. an immigration officer who also inspects)."""

    def make(*roles: str) -> User:
        first = roles[0]
        user = account_services.user_create(
            actor=None,
            username=f"multi-{next(_counter)}",
            password=PASSWORD,
            organisation=make_org(KIND_FOR_ROLE[first], "CA"),
            check_password=False,
        )
        from corridor.accounts.models import RoleAssignment

        for role in roles:
            # Written directly: the services refuse roles from another kind of organisation, as they should.
            RoleAssignment.objects.get_or_create(user=user, role=role, programme=None)
        return User.objects.get(pk=user.pk)

    return make


class ApiClient:
    """A test client that speaks JSON to /api/v1 as a signed-in user, or anonymously."""

    def __init__(self, user: User | None = None, token: str | None = None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            self.client.force_login(user)
            if user.needs_second_factor:
                _pass_second_factor(self.client, user)
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def _url(self, path: str) -> str:
        return path if path.startswith("/") else f"/api/v1/{path}"

    def get(self, path: str, **params):
        return self.client.get(self._url(path), params, headers=self.headers)

    def post(self, path: str, data=None, raw: str | None = None):
        body = raw if raw is not None else json.dumps(data or {}, default=str)
        return self.client.post(self._url(path), body, content_type="application/json", headers=self.headers)

    def patch(self, path: str, data=None):
        return self.client.patch(self._url(path), json.dumps(data or {}, default=str), content_type="application/json", headers=self.headers)

    def delete(self, path: str):
        return self.client.delete(self._url(path), headers=self.headers)


@pytest.fixture
def api_client():
    """api_client(user=None, token=None) -> ApiClient."""

    def make(user: User | None = None, token: str | None = None) -> ApiClient:
        return ApiClient(user, token)

    return make


@pytest.fixture
def web_client():
    """web_client(user=None) -> django.test.Client, signed in (second factor passed) when a user is given."""

    def make(user: User | None = None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
            if user.needs_second_factor:
                _pass_second_factor(client, user)
        return client

    return make


def _pass_second_factor(client: Client, user: User) -> None:
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    response = client.post("/accounts/second-factor/", {"code": f"{totp.token():0{device.digits}d}"})
    assert response.status_code == 302, response.content[:500]
