"""Programmes through /api/v1: create, read, edit with validation, problem+json errors, roles, tokens."""

import datetime

import pytest
from django.utils import timezone

from corridor.accounts import services as account_services
from corridor.accounts.models import OrgKind
from corridor.core.access import Role
from corridor.programmes.models import Programme, RuleVersion

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()

PROGRAMME = {
    "code": "CA-API",
    "name": "API programme",
    "institutional_design": "bilateral",
    "category": "seasonal",
    "destination_country": "CA",
    "preset": "ca-sawp",
}


@pytest.fixture
def admin(make_user):
    return make_user(Role.MINISTRY_ADMIN, country="CA", org_admin=True)


@pytest.fixture
def client(api_client, admin):
    return api_client(admin)


def assert_problem(response, status, field=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    if field:
        assert field in {e["field"] for e in body["errors"]}, body
    return body


def test_openapi_schema_is_published(api_client):
    response = api_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/programmes" in paths and "/api/v1/programmes/{code}/rule-versions" in paths


def test_create_read_and_edit_a_programme(client):
    response = client.post("programmes", PROGRAMME)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "CA-API" and body["status"] == "draft"
    assert client.get("programmes/CA-API").json()["name"] == "API programme"
    response = client.patch("programmes/CA-API", {"name": "Renamed", "reason": "clearer"})
    assert response.status_code == 200 and response.json()["name"] == "Renamed"
    versions = client.get("programmes/CA-API/rule-versions").json()
    assert [v["number"] for v in versions] == [1]


def test_rule_versions_and_plain_language(client, make_org):
    client.post("programmes", PROGRAMME)
    rules = client.get("programmes/CA-API/rule-versions/1").json()["rules"]
    rules["employer_change"] = {"policy": "not_allowed", "grace_period_days": 60, "max_changes": None}
    start = TODAY + datetime.timedelta(days=20)
    response = client.post("programmes/CA-API/rule-versions", {"rules": rules, "effective_from": start, "note": "Stricter"})
    assert response.status_code == 201, response.content
    assert any("principle 12" in w["principle"] for w in response.json()["warnings"])
    plain = client.get("programmes/CA-API/rule-versions/2/plain", lang="fr").json()
    change = next(s for s in plain if s["key"] == "employer_change")
    assert change["sentences"]
    plain_en = client.get("programmes/CA-API/rule-versions/2/plain", lang="en").json()
    assert "does not allow you to change employer" in " ".join(next(s for s in plain_en if s["key"] == "employer_change")["sentences"])
    assert_problem(client.get("programmes/CA-API/rule-versions/2/plain", lang="xx"), 422, "lang")


def test_invalid_rules_give_422_naming_each_field_and_save_nothing(client):
    client.post("programmes", PROGRAMME)
    bad = {"stay": {"max_months_per_stay": 6}, "age": {"min": 45, "max": 30}, "quotas": {"annual": -1}}
    response = client.post("programmes/CA-API/rule-versions", {"rules": bad, "effective_from": TODAY + datetime.timedelta(days=5), "note": "x"})
    body = assert_problem(response, 422)
    fields = {e["field"] for e in body["errors"]}
    assert "rules.quotas.annual" in fields or "rules.age.max" in fields
    assert RuleVersion.objects.count() == 1


def test_validate_rules_endpoint_reports_errors_and_warnings(client):
    response = client.post("programmes/validate-rules", {"rules": {"stay": {"max_months_per_stay": 6}, "age": {"min": 40, "max": 20}}})
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False and body["errors"][0]["field"] == "rules.age.max"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({**PROGRAMME, "destination_country": "ZZ"}, "destination_country"),
        ({**PROGRAMME, "code": "x"}, "code"),
        ({**PROGRAMME, "category": "holiday-camp"}, "category"),
        ({**PROGRAMME, "name": "n" * 500}, "name"),
        ({**PROGRAMME, "agreement_signed_on": "not-a-date"}, "agreement_signed_on"),
        ({k: v for k, v in PROGRAMME.items() if k != "name"}, "name"),
        ({**PROGRAMME, "rules": {"stay": {"max_months_per_stay": 6}, "eligible_occupations": ["12345"]}}, "rules.eligible_occupations.0"),
    ],
)
def test_bad_programme_input_is_a_422_naming_the_field(client, payload, field):
    assert_problem(client.post("programmes", payload), 422, field)
    assert not Programme.objects.exists()


def test_malformed_json_is_a_clear_4xx(client):
    response = client.post("programmes", raw="{not json")
    assert response.status_code in (400, 422)
    assert response["Content-Type"].startswith("application/problem+json")


def test_unknown_programme_is_a_404_problem(client):
    assert_problem(client.get("programmes/NOPE"), 404)


def test_anonymous_readers_see_active_programmes_but_cannot_write(api_client, client, admin, make_org):
    client.post("programmes", {**PROGRAMME, "institutional_design": "unilateral"})
    anonymous = api_client()
    assert anonymous.get("programmes").json()["count"] == 0  # drafts are not public
    client.post("programmes/CA-API/status", {"status": "active"})
    assert anonymous.get("programmes").json()["count"] == 1
    assert anonymous.get("programmes/CA-API/rule-versions/1/plain").status_code == 200
    assert_problem(anonymous.post("programmes", PROGRAMME), 401)


def test_roles_that_may_not_change_programmes_get_403(client, api_client, make_user):
    client.post("programmes", PROGRAMME)
    for role in (Role.EMPLOYER, Role.ORIGIN_OFFICER, Role.MINISTRY_OFFICER, Role.UNION):
        other = api_client(make_user(role, country="CA"))
        assert other.patch("programmes/CA-API", {"name": "x"}).status_code in (403, 404)
    assert Programme.objects.get().name == "API programme"


def test_corridors_through_the_api(client, make_org):
    client.post("programmes", PROGRAMME)
    mx = make_org(OrgKind.ORIGIN_AUTHORITY, "MX")
    response = client.post("programmes/CA-API/corridors", {"origin_country": "MX", "competent_authority_id": mx.pk})
    assert response.status_code == 201, response.content
    assert_problem(client.post("programmes/CA-API/corridors", {"origin_country": "MX", "competent_authority_id": 999999}), 422, "competent_authority_id")
    response = client.patch("programmes/CA-API/corridors/MX", {"is_active": False, "reason": "Pause for review"})
    assert response.json()["is_active"] is False
    assert client.post("programmes/CA-API/status", {"status": "active"}).status_code == 409


def test_list_is_paginated_and_filterable(client):
    for i in range(3):
        client.post("programmes", {**PROGRAMME, "code": f"CA-P{i}", "category": "seasonal" if i else "circular"})
    page = client.get("programmes", page_size=2).json()
    assert page["count"] == 3 and len(page["items"]) == 2
    assert client.get("programmes", category="circular").json()["count"] == 1


def test_history_is_readable_by_officials_only(client, api_client, make_user):
    client.post("programmes", PROGRAMME)
    history = client.get("programmes/CA-API/history").json()
    assert {e["action"] for e in history} >= {"programme.create", "rule_version.create"}
    worker = api_client(make_user(Role.WORKER))
    assert worker.get("programmes/CA-API/history").status_code in (403, 404)


def test_an_organisation_token_reads_with_its_scopes_and_stops_when_revoked(admin, api_client):
    token, secret = account_services.api_token_create(actor=admin, organisation=admin.organisation, name="Registry", scopes=["programmes:read"])
    system = api_client(token=secret)
    assert system.get("programmes").status_code == 200
    assert_problem(system.post("programmes", PROGRAMME), 403)
    assert_problem(system.post("account/tokens", {"name": "x", "scopes": ["programmes:read"]}), 403)
    account_services.api_token_revoke(actor=admin, token=token)
    assert_problem(system.get("programmes"), 401)
    assert_problem(api_client(token="cor_nothing_here").get("programmes"), 401)


def test_a_write_token_creates_a_programme_and_the_audit_names_the_token_channel(admin, api_client):
    _token, secret = account_services.api_token_create(
        actor=admin, organisation=admin.organisation, name="Registry", scopes=["programmes:read", "programmes:write"]
    )
    response = api_client(token=secret).post("programmes", PROGRAMME)
    assert response.status_code == 201, response.content
    from corridor.core.models import AuditEvent

    assert AuditEvent.objects.get(action="programme.create").via == "token"


def test_presets_are_listed(api_client):
    presets = api_client().get("presets").json()
    assert {p["key"] for p in presets} == {"kr-eps", "ca-sawp", "au-palm", "nz-rse", "es-ma-circular"}
    assert api_client().get("presets/nope").status_code == 404


def test_an_oversized_body_is_refused_with_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post("programmes", {**PROGRAMME, "description": "x" * 5000})
    assert_problem(response, 413)
    assert not Programme.objects.exists()


def test_wrongly_typed_fields_are_422(client):
    assert_problem(client.post("programmes", {**PROGRAMME, "rules": ["not", "an", "object"]}), 422, "rules")
    assert_problem(client.post("programmes", {**PROGRAMME, "owner_id": "abc"}), 422, "owner_id")


def test_patch_with_nulls_clears_texts_and_refuses_required_fields(client):
    client.post("programmes", {**PROGRAMME, "description": "Old"})
    response = client.patch("programmes/CA-API", {"description": None, "agreement_title": None})
    assert response.status_code == 200 and response.json()["description"] == ""
    assert_problem(client.patch("programmes/CA-API", {"name": None}), 422, "name")


def test_out_of_range_pages_and_nul_characters_are_refused_clearly(client):
    assert_problem(client.get("programmes", page=10**25), 422, "page")
    assert_problem(client.get("programmes", page_size=100000), 422, "page_size")
    assert_problem(client.get("programmes", q="a\x00b"), 400)
    assert_problem(client.post("programmes", {**PROGRAMME, "name": "bad\x00name"}), 400)
    assert not Programme.objects.exists()


def test_multipart_without_boundary_is_a_400(client):
    response = client.client.post("/api/v1/reference/crosswalks/import", b"x", content_type="multipart/form-data")
    assert response.status_code == 400


def test_the_signed_agreement_is_attached_as_a_pdf_and_downloaded(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post("programmes", PROGRAMME)
    fake = SimpleUploadedFile("agreement.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client.client.post("/api/v1/programmes/CA-API/agreement", {"file": fake})
    assert_problem(response, 422, "file")
    pdf = SimpleUploadedFile("agreement.pdf", b"%PDF-1.7\n%fake but well-formed header\n", content_type="application/pdf")
    response = client.client.post("/api/v1/programmes/CA-API/agreement", {"file": pdf})
    assert response.status_code == 200, response.content
    assert response.json()["has_agreement_document"] is True
    download = client.get("programmes/CA-API/agreement")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")
    assert client.get("/programmes/CA-API/agreement/").status_code == 200
