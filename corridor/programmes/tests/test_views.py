"""Programme pages: list, detail with plain-language rules, create and edit with validation messages."""

import datetime

import pytest
from django.utils import timezone

from corridor.accounts.models import OrgKind
from corridor.core.access import Role
from corridor.programmes import services
from corridor.programmes.models import Programme, RuleVersion

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def admin(make_user):
    return make_user(Role.MINISTRY_ADMIN, country="ES")


@pytest.fixture
def programme(admin):
    return services.programme_create(
        actor=admin, code="ES-VIEW", name="Circular", institutional_design="bilateral", category="circular",
        destination_country="ES", preset="es-ma-circular",
    )


def test_create_a_programme_through_the_form(admin, web_client):
    client = web_client(admin)
    assert client.get("/programmes/new/").status_code == 200
    response = client.post(
        "/programmes/new/",
        {"code": "ES-NEW", "name": "New", "institutional_design": "bilateral", "category": "seasonal", "destination_country": "ES", "preset": "au-palm"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Programme.objects.get(code="ES-NEW").rule_versions.get().rules["guaranteed_hours"]["hours"] == 120


def test_form_errors_are_shown_next_to_the_field(admin, web_client):
    client = web_client(admin)
    response = client.post(
        "/programmes/new/",
        {"code": "ES-NEW", "name": "New", "institutional_design": "bilateral", "category": "seasonal", "destination_country": "FR"},
    )
    assert response.status_code == 422
    assert b"not in the destination country" in response.content
    assert not Programme.objects.exists()


def test_detail_page_reads_the_rules_in_plain_language(programme, client):
    services.corridor_add(
        actor=programme.owner.members.first(), programme=programme, origin_country="MA",
        competent_authority=_authority("MA"),
    )
    services.programme_set_status(actor=programme.owner.members.first(), programme=programme, status="active")
    response = client.get("/programmes/ES-VIEW/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "You pay nothing to be recruited" in text
    assert "Morocco" in text
    client.post("/i18n/setlang/", {"language": "es", "next": "/"})
    text_es = client.get("/programmes/ES-VIEW/").content.decode()
    assert "No paga nada" in text_es


def _authority(country):
    from corridor.accounts.models import Organisation

    return Organisation.objects.create(name=f"Authority {country}", kind=OrgKind.ORIGIN_AUTHORITY, country=country)


def test_draft_programmes_are_hidden_from_the_public(programme, client):
    assert client.get("/programmes/ES-VIEW/").status_code == 404


def test_rule_form_saves_a_new_version_and_reports_rule_errors(programme, admin, web_client):
    client = web_client(admin)
    page = client.get("/programmes/ES-VIEW/rules/new/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and value is not False}
    data.update({"effective_from": (TODAY + datetime.timedelta(days=40)).isoformat(), "note": "Longer notice"})
    data["contract_delivery_lead_days"] = 30
    response = client.post("/programmes/ES-VIEW/rules/new/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert RuleVersion.objects.get(programme=programme, number=2).rules["contract_delivery_lead_days"] == 30
    data.update({"effective_from": (TODAY + datetime.timedelta(days=80)).isoformat(), "age__min": 50, "age__max": 20})
    response = client.post("/programmes/ES-VIEW/rules/new/", data)
    assert response.status_code == 422
    assert "age__max" in response.context["form"].errors
    assert RuleVersion.objects.filter(programme=programme).count() == 2


def test_other_roles_cannot_open_the_edit_pages(programme, make_user, web_client):
    for role in (Role.EMPLOYER, Role.ORIGIN_OFFICER, Role.MINISTRY_OFFICER):
        client = web_client(make_user(role, country="ES"))
        assert client.get("/programmes/ES-VIEW/edit/").status_code in (403, 404)
        assert client.get("/programmes/new/").status_code == 403


def test_edit_page_updates_the_programme(programme, admin, web_client):
    client = web_client(admin)
    response = client.post(
        "/programmes/ES-VIEW/edit/",
        {"name": "Circular scheme", "institutional_design": "bilateral", "category": "circular", "reason": "name"},
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.name == "Circular scheme"


def test_list_filters_and_htmx_partial(programme, admin, web_client):
    client = web_client(admin)
    assert b"ES-VIEW" in client.get("/programmes/", {"q": "circ"}).content
    assert b"ES-VIEW" not in client.get("/programmes/", {"category": "seasonal"}).content
    partial = client.get("/programmes/", {"q": "ES"}, headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b"ES-VIEW" in partial.content


def test_history_page_for_officials(programme, admin, web_client):
    response = web_client(admin).get("/programmes/ES-VIEW/history/")
    assert response.status_code == 200 and b"programme.create" in response.content


def test_rules_can_be_checked_without_saving(programme, admin, web_client):
    client = web_client(admin)
    form = client.get("/programmes/ES-VIEW/rules/new/").context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and value is not False}
    data["employer_change__policy"] = "not_allowed"
    response = client.post("/programmes/ES-VIEW/rules/check/", data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"principle 12" in response.content and b"These rules are valid" in response.content
    data["age__min"], data["age__max"] = 50, 20
    response = client.post("/programmes/ES-VIEW/rules/check/", data, headers={"HX-Request": "true"})
    assert b"below the minimum age" in response.content
    assert RuleVersion.objects.filter(programme=programme).count() == 1
