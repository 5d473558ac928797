"""The health check, security headers, the append-only audit trail and each role's home page."""

import pytest
from django.db import DatabaseError, connection, transaction

from corridor.core import audit
from corridor.core.access import Role
from corridor.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"]["status"] == "ok"


def test_pages_carry_security_headers(client):
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_audit_events_cannot_be_changed_or_deleted(make_user):
    user = make_user(Role.PLATFORM_ADMIN)
    event = audit.record(actor=user, action="test.event", subject=user, reason="because")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        event.delete()
    # Below the application, the database itself refuses to rewrite the trail.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET reason = %s WHERE id = %s", ["rewritten", event.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).reason == "because"


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reaches_its_home_page(role, make_user, web_client):
    user = make_user(role)
    response = web_client(user).get("/")
    assert response.status_code == 200
    assert Role(role).label.encode() in response.content or b"Welcome" in response.content


def test_anonymous_home_page_invites_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 200 and b"/accounts/login/" in response.content


def test_the_interface_speaks_the_chosen_language_and_turns_right_to_left(client):
    client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    response = client.get("/")
    assert b'dir="rtl"' in response.content and b'lang="ar"' in response.content


def test_api_docs_use_vendored_assets_only(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"cdn." not in response.content and b"/static/ninja/swagger-ui-bundle.js" in response.content
