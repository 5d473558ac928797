"""Sign-in: second factor for officials, throttled failures, roles by kind of organisation, API tokens."""

import pytest
from django.test import Client, override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from corridor.accounts import services
from corridor.accounts.models import OrgKind
from corridor.core.access import Role
from corridor.core.errors import Forbidden, InvalidInput
from corridor.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-1"


def login(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def current_code(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def test_officials_must_enrol_and_pass_a_second_factor(make_user):
    official = make_user(Role.MINISTRY_ADMIN)
    client = Client()
    assert login(client, official.username).status_code == 302
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].endswith("/accounts/second-factor/")
    page = client.get("/accounts/second-factor/")
    assert page.status_code == 200 and b"data:image/svg+xml" in page.content
    assert client.post("/accounts/second-factor/", {"code": "000000"}).status_code == 422
    device = TOTPDevice.objects.get(user=official)
    device.throttle_reset()  # a failed code delays the next try; the test does not wait
    assert client.post("/accounts/second-factor/", {"code": current_code(device)}).status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="user.second_factor.enrol", actor=official).exists()


def test_api_refuses_officials_who_skipped_the_second_factor(make_user):
    official = make_user(Role.MINISTRY_ADMIN)
    client = Client()
    login(client, official.username)
    response = client.get("/api/v1/programmes")
    assert response.status_code == 403
    assert "second" in response.json()["detail"]


@override_settings(CORRIDOR_ENFORCE_SECOND_FACTOR=False)
def test_demo_mode_does_not_ask_for_the_second_factor(make_user):
    official = make_user(Role.MINISTRY_ADMIN)
    client = Client()
    login(client, official.username)
    assert client.get("/").status_code == 200


def test_workers_and_employers_sign_in_with_a_password(make_user):
    for role in (Role.WORKER, Role.EMPLOYER):
        user = make_user(role)
        client = Client()
        login(client, user.username)
        assert client.get("/").status_code == 200


def test_repeated_failed_logins_are_throttled(make_user):
    user = make_user(Role.WORKER)
    client = Client()
    for _ in range(5):
        login(client, user.username, "wrong-password")
    response = login(client, user.username)  # even the right password is refused while locked out
    assert response.status_code == 429
    assert b"Too many" in response.content


def test_roles_must_fit_the_kind_of_organisation(make_user, make_org):
    user = make_user(Role.EMPLOYER)
    with pytest.raises(InvalidInput):
        services.role_grant(actor=None, user=user, role=Role.MINISTRY_ADMIN)
    with pytest.raises(InvalidInput):
        services.role_grant(actor=None, user=user, role=Role.WORKER)


def test_only_platform_admins_register_organisations(make_user):
    with pytest.raises(Forbidden):
        services.organisation_create(actor=make_user(Role.MINISTRY_ADMIN), name="X", kind=OrgKind.EMPLOYER, country="CA")
    admin = make_user(Role.PLATFORM_ADMIN)
    with pytest.raises(InvalidInput) as exc:
        services.organisation_create(actor=admin, name="X", kind=OrgKind.EMPLOYER, country="QQ")
    assert exc.value.field == "country"
    org = services.organisation_create(actor=admin, name="Farm", kind=OrgKind.EMPLOYER, country="CA")
    assert AuditEvent.objects.filter(action="organisation.create", subject_id=str(org.pk)).exists()


def test_api_tokens_are_issued_by_org_admins_and_stored_hashed(make_user):
    admin = make_user(Role.ORIGIN_OFFICER, country="MX", org_admin=True)
    member = make_user(Role.ORIGIN_OFFICER, organisation=admin.organisation)
    with pytest.raises(Forbidden):
        services.api_token_create(actor=member, organisation=admin.organisation, name="x", scopes=["programmes:read"])
    with pytest.raises(InvalidInput) as exc:
        services.api_token_create(actor=admin, organisation=admin.organisation, name="x", scopes=["everything"])
    assert exc.value.field == "scopes"
    token, secret = services.api_token_create(actor=admin, organisation=admin.organisation, name="Registry", scopes=["programmes:read"])
    assert secret.split("_", 2)[2] not in token.key_hash and len(token.key_hash) == 64
    event = AuditEvent.objects.get(action="api_token.create")
    assert "key_hash" not in event.after


def test_token_pages_for_org_admins(make_user, web_client):
    admin = make_user(Role.ORIGIN_OFFICER, country="MX", org_admin=True)
    client = web_client(admin)
    response = client.post("/accounts/tokens/", {"name": "Registry", "scopes": ["programmes:read"]})
    assert response.status_code == 200 and b"cor_" in response.content
    bad = client.post("/accounts/tokens/", {"name": "", "scopes": []})
    assert bad.status_code == 422
    plain = web_client(make_user(Role.ORIGIN_OFFICER, country="MX"))
    assert plain.get("/accounts/tokens/").status_code == 403


def test_the_platform_speaks_the_account_language_after_sign_in(make_user):
    worker = make_user(Role.WORKER, language="ar")
    client = Client()
    login(client, worker.username)
    assert b'dir="rtl"' in client.get("/").content


def test_tokens_whose_secret_contains_underscores_still_work(make_user, api_client, monkeypatch):
    from corridor.accounts import tokens

    monkeypatch.setattr(tokens.secrets, "token_urlsafe", lambda n: "a_b_c_" + "x" * 40)
    admin = make_user(Role.ORIGIN_OFFICER, country="MX", org_admin=True)
    _token, secret = services.api_token_create(actor=admin, organisation=admin.organisation, name="Registry", scopes=["programmes:read"])
    assert api_client(token=secret).get("programmes").status_code == 200
