"""The firewall between labour protection and immigration enforcement (GB.346 para 24, 44), proved over every
model, every API route and every page, so that new ones are covered the day they are added."""

import re

import pytest
from django.apps import apps
from django.db.models.query import EmptyQuerySet
from django.urls import URLPattern, URLResolver, get_resolver

from corridor.api import api
from corridor.core import audit
from corridor.core.access import (
    FIREWALLED_FROM_IMMIGRATION,
    Category,
    RestrictedQuerySet,
    Role,
    is_firewalled,
)
from corridor.core.api_auth import ApiAccess

pytestmark = pytest.mark.django_db

PROJECT_APPS = [c for c in apps.get_app_configs() if c.name.startswith("corridor.")]
PROJECT_MODELS = [m for c in PROJECT_APPS for m in c.get_models()]


def test_firewall_covers_labour_protection_data():
    assert {Category.COMPLAINT, Category.INSPECTION, Category.WAGE, Category.WORKER_CONTACT} <= FIREWALLED_FROM_IMMIGRATION


@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m._meta.label)
def test_every_model_declares_its_data_category_and_restricts_reads(model):
    assert getattr(model, "data_category", None) in set(Category), f"{model._meta.label} must declare data_category"
    qs = model._default_manager.all()
    assert isinstance(qs, RestrictedQuerySet), f"{model._meta.label}'s default manager must build a RestrictedQuerySet"
    assert type(qs).visible_to is not RestrictedQuerySet.visible_to, f"{model._meta.label} must define who may see it"


FIREWALLED_MODELS = [m for m in PROJECT_MODELS if getattr(m, "data_category", None) in FIREWALLED_FROM_IMMIGRATION]


@pytest.mark.parametrize("model", FIREWALLED_MODELS, ids=lambda m: m._meta.label)
def test_immigration_users_read_no_firewalled_model(model, make_user, make_user_with_roles):
    officer = make_user(Role.IMMIGRATION_OFFICER)
    assert isinstance(model._default_manager.all().restrict(officer), EmptyQuerySet)
    # Holding another role as well does not lift the firewall.
    dual = make_user_with_roles(Role.IMMIGRATION_OFFICER, Role.LABOUR_INSPECTOR)
    assert isinstance(model._default_manager.all().restrict(dual), EmptyQuerySet)


def test_immigration_users_are_behind_the_firewall_for_protected_categories_only(make_user):
    officer = make_user(Role.IMMIGRATION_OFFICER)
    for category in Category:
        assert is_firewalled(officer, category) == (category in FIREWALLED_FROM_IMMIGRATION)
    inspector = make_user(Role.LABOUR_INSPECTOR)
    assert not any(is_firewalled(inspector, c) for c in Category)


def test_the_firewall_applies_to_a_model_the_moment_it_holds_protected_data(monkeypatch, make_user):
    """The mechanism itself, on a model whose category is switched to wage data for the test."""
    from corridor.programmes.models import Programme

    officer = make_user(Role.IMMIGRATION_OFFICER)
    inspector = make_user(Role.LABOUR_INSPECTOR)
    monkeypatch.setattr(Programme, "data_category", Category.WAGE)
    assert isinstance(Programme.objects.all().restrict(officer), EmptyQuerySet)
    assert not isinstance(Programme.objects.all().restrict(inspector), EmptyQuerySet)


def test_audit_history_of_protected_data_is_hidden_from_immigration(make_user):
    from corridor.core.models import AuditEvent

    admin = make_user(Role.PLATFORM_ADMIN)
    officer = make_user(Role.IMMIGRATION_OFFICER, org_admin=True)
    subject = officer.organisation
    plain_event = audit.record(actor=officer, action="test.event", subject=subject, organisation_id=subject.pk)
    # One event whose subject is wage data, by giving the subject that category for the write.
    subject.data_category = Category.WAGE
    wage_event = audit.record(actor=officer, action="wage.test", subject=subject, organisation_id=subject.pk)
    del subject.data_category
    visible = set(AuditEvent.objects.all().restrict(officer).values_list("pk", flat=True))
    assert wage_event.pk not in visible
    assert plain_event.pk in visible
    assert wage_event.pk in set(AuditEvent.objects.all().restrict(admin).values_list("pk", flat=True))


def _api_operations():
    for bound in api._get_bound_routers():
        for path, view in bound.path_operations.items():
            for operation in view.operations:
                for method in operation.methods:
                    url = "/api/v1/" + "/".join(p.strip("/") for p in (bound.prefix, path) if p.strip("/"))
                    yield method, url, operation


API_OPERATIONS = list(_api_operations())


def test_the_api_has_routes():
    assert len(API_OPERATIONS) > 20


@pytest.mark.parametrize("method, url, operation", API_OPERATIONS, ids=[f"{m} {u}" for m, u, _ in API_OPERATIONS])
def test_every_api_route_declares_a_data_category(method, url, operation):
    guards = [cb for cb in operation.auth_callbacks if isinstance(cb, ApiAccess)]
    assert guards, f"{method} {url} must be protected by ApiAccess(category=...)"
    assert all(g.category in set(Category) for g in guards)


def _category(operation) -> str:
    return next((cb.category for cb in operation.auth_callbacks if isinstance(cb, ApiAccess)), "")


FIREWALLED_OPERATIONS = [(m, u, o) for m, u, o in API_OPERATIONS if _category(o) in FIREWALLED_FROM_IMMIGRATION]


@pytest.mark.parametrize("method, url, operation", FIREWALLED_OPERATIONS, ids=[f"{m} {u}" for m, u, _ in FIREWALLED_OPERATIONS])
def test_immigration_users_are_refused_every_firewalled_route(method, url, operation, make_user, api_client):
    client = api_client(make_user(Role.IMMIGRATION_OFFICER))
    concrete = re.sub(r"\{[^}]+\}", "1", url)
    response = getattr(client.client, method.lower())(concrete, content_type="application/json")
    assert response.status_code == 403


def _page_views(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("api/"):
                continue
            yield from _page_views(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


# Pages that show no data of the platform: the health check, sign-in and language switching.
PAGES_WITHOUT_DATA = {"healthz", "accounts/login/", "accounts/logout/", "i18n/setlang/", "i18n/catalog.js"}
PAGES = [(route, view) for route, view in _page_views() if route not in PAGES_WITHOUT_DATA]


@pytest.mark.parametrize("route, view", PAGES, ids=[r for r, _ in PAGES])
def test_every_page_declares_a_data_category(route, view):
    category = getattr(view, "data_category", None)
    assert category in set(Category), f"page {route} must be wrapped with @data_category(...)"


FIREWALLED_PAGES = [(r, v) for r, v in PAGES if getattr(v, "data_category", "") in FIREWALLED_FROM_IMMIGRATION]


@pytest.mark.parametrize("route, view", FIREWALLED_PAGES, ids=[r for r, _ in FIREWALLED_PAGES])
def test_immigration_users_are_refused_every_firewalled_page(route, view, make_user, web_client):
    client = web_client(make_user(Role.IMMIGRATION_OFFICER))
    url = "/" + re.sub(r"<(?:[^:>]+:)?[^>]+>", "1", route)
    assert client.get(url).status_code == 403
