"""/api/v1/agencies: the public register, licences, due process, links and ratings, by role and with bad input."""

import datetime

import pytest
from django.utils import timezone

from corridor.core.access import Role
from corridor.recruitment import services
from corridor.recruitment.models import AgencyLicence, LicenceProceeding, LicenceStatus

pytestmark = pytest.mark.django_db
SCORES = {"fees": 5, "information": 4, "contract_honesty": 5, "treatment": 4}


@pytest.fixture
def today():
    return timezone.localdate()


def _fields(response) -> set:
    return {e["field"] for e in response.json()["errors"]}


# --- the public register -----------------------------------------------------------------------------------------


def test_the_register_is_public_and_shows_no_private_details(api_client, licence, application, make_org, make_user,
                                                           application_data, today):
    response = api_client().get("agencies/register")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["number"] for i in items] == [licence.number]
    entry = items[0]
    assert entry["agency"] == "Reclutamiento Justo (test)" and entry["country"] == "MX" and entry["status"] == "active"
    assert entry["scopes"] == [{"programme": "CA-SAG", "origin_country": "MX"}]
    assert entry["deposit_amount"] == "100000.00"
    assert entry["ratings"] == {"shown": False, "count": None, "averages": None, "note": "fewer than 5 ratings"}
    for private in ("ownership", "capital_amount", "bond_reference", "deposit_balance"):
        assert private not in entry


def test_the_register_leaves_out_applications_and_refusals(api_client, application, mx_officer):
    services.licence_refuse(actor=mx_officer, licence=application, reason="Incomplete.")
    assert api_client().get("agencies/register").json()["count"] == 0


def test_the_register_is_searched_by_name_or_number_and_paginated(api_client, licence):
    client = api_client()
    assert client.get("agencies/register", q="justo").json()["count"] == 1
    assert client.get("agencies/register", q=licence.number.lower()).json()["count"] == 1
    assert client.get("agencies/register", q="nobody").json()["count"] == 0
    assert client.get("agencies/register", country="JM").json()["count"] == 0
    assert client.get("agencies/register", status="revoked").json()["count"] == 0
    assert client.get("agencies/register", page=1, page_size=1).status_code == 200
    assert client.get(f"agencies/register/{licence.number}").json()["number"] == licence.number
    assert client.get("agencies/register/XX-0000-000").status_code == 404


@pytest.mark.parametrize("params, field", [
    ({"status": "applied"}, "status"), ({"country": "M1"}, "country"), ({"q": "x" * 101}, "q"), ({"page": 0}, "page"),
])
def test_bad_register_queries_are_4xx_naming_the_field(api_client, params, field):
    response = api_client().get("agencies/register", **params)
    assert response.status_code in (400, 422)
    assert field in _fields(response)


def test_a_nul_character_in_the_query_is_refused(api_client):
    assert api_client().get("agencies/register", q="a\x00b").status_code == 400


def test_the_register_shows_the_reason_of_a_revocation(api_client, licence, mx_officer, agency_user, today):
    proceeding = services.proceeding_open(actor=mx_officer, licence=licence, kind="revocation", grounds="Fees.",
                                          respond_by=today + datetime.timedelta(days=14), today=today)
    services.proceeding_respond(actor=agency_user, proceeding=proceeding, response="No.", today=today)
    services.proceeding_decide(actor=mx_officer, proceeding=proceeding, decision="upheld", reason="Fees charged to workers.", today=today)
    entry = api_client().get("agencies/register").json()["items"][0]
    assert entry["status"] == "revoked" and entry["status_reason"] == "Fees charged to workers."


# --- licences ----------------------------------------------------------------------------------------------------


def test_an_agency_applies_through_the_api(api_client, agency_user, application_data):
    response = api_client(agency_user).post("agencies/licences", application_data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "applied" and body["number"] is None and body["ownership"].startswith("Ana López")


def test_bad_applications_name_every_field(api_client, agency_user):
    response = api_client(agency_user).post("agencies/licences", {
        "ownership": "", "capital_amount": "x", "capital_currency": "ABC", "deposit_amount": "-1", "deposit_currency": "MXN",
        "scopes": [{"programme": "NOPE"}],
    })
    assert response.status_code == 422
    assert _fields(response) == {"ownership", "capital_amount", "capital_currency", "deposit_amount", "scopes[0].programme"}
    assert not AgencyLicence.objects.exists()


@pytest.mark.parametrize("raw", ["{not json", "[]", '{"ownership": 5}', "\x00"])
def test_malformed_bodies_are_4xx(api_client, agency_user, raw):
    response = api_client(agency_user).post("agencies/licences", raw=raw)
    assert 400 <= response.status_code < 500


def test_anonymous_users_cannot_apply_or_list_licences(api_client, application_data):
    assert api_client().post("agencies/licences", application_data).status_code == 401
    assert api_client().get("agencies/licences").status_code == 401


def test_the_authority_decides_and_the_agency_reads_its_licence(api_client, application, mx_officer, agency_user, today):
    officer = api_client(mx_officer)
    queue = officer.get("agencies/licences/decision-queue").json()["items"]
    assert [q["id"] for q in queue] == [application.pk]
    response = officer.post(f"agencies/licences/{application.pk}/grant", {"valid_until": "2029-02-28"})
    assert response.status_code == 200, response.content
    assert response.json()["number"] == f"MX-{today.year}-001" and response.json()["current_status"] == "active"
    assert response.json()["deposit_balance"] == "100000.00"
    mine = api_client(agency_user).get(f"agencies/licences/{application.pk}").json()
    assert mine["status"] == "active"
    again = officer.post(f"agencies/licences/{application.pk}/grant", {"valid_until": "2029-02-28"})
    assert again.status_code == 409


def test_refuse_and_renew_through_the_api(api_client, application, mx_officer, agency_user, licence):
    officer = api_client(mx_officer)
    assert officer.post(f"agencies/licences/{licence.pk}/refuse", {"reason": "x"}).status_code == 409
    response = officer.post(f"agencies/licences/{licence.pk}/renew", {"valid_until": "2030-02-28"})
    assert response.status_code == 200 and response.json()["valid_until"] == "2030-02-28"
    bad = officer.post(f"agencies/licences/{licence.pk}/renew", {"valid_until": "2030-13-01"})
    assert bad.status_code == 422 and _fields(bad) == {"valid_until"}


def test_others_cannot_see_or_decide_a_licence(api_client, application, jm_officer, make_user):
    for user in (jm_officer, make_user(Role.AGENCY, country="MX"), make_user(Role.MINISTRY_ADMIN), make_user(Role.IMMIGRATION_OFFICER)):
        client = api_client(user)
        assert client.get(f"agencies/licences/{application.pk}").status_code == 404
        assert client.post(f"agencies/licences/{application.pk}/grant", {"valid_until": "2029-01-01"}).status_code == 404
        assert client.get("agencies/licences").json()["count"] == 0
    application.refresh_from_db()
    assert application.status == LicenceStatus.APPLIED


def test_an_api_token_needs_the_agencies_scope(api_client, agency_user, application):
    from corridor.accounts import services as account_services

    agency_user.is_org_admin = True
    agency_user.save()
    _token, raw = account_services.api_token_create(actor=agency_user, organisation=agency_user.organisation, name="t", scopes=["joborders:read"])
    assert api_client(token=raw).get("agencies/licences").status_code == 403
    _token, raw = account_services.api_token_create(actor=agency_user, organisation=agency_user.organisation, name="t2", scopes=["agencies:read"])
    assert api_client(token=raw).get("agencies/licences").json()["count"] == 1


# --- due process -------------------------------------------------------------------------------------------------


def test_due_process_through_the_api(api_client, licence, mx_officer, mx_officer2, agency_user, today):
    officer, agency = api_client(mx_officer), api_client(agency_user)
    respond_by = (today + datetime.timedelta(days=14)).isoformat()
    too_soon = officer.post(f"agencies/licences/{licence.pk}/proceedings",
                            {"kind": "suspension", "grounds": "Fees.", "respond_by": today.isoformat()})
    assert too_soon.status_code == 422 and _fields(too_soon) == {"respond_by"}
    opened = officer.post(f"agencies/licences/{licence.pk}/proceedings",
                          {"kind": "suspension", "grounds": "Fees charged.", "respond_by": respond_by})
    assert opened.status_code == 201, opened.content
    pid = opened.json()["id"]
    assert opened.json()["stage"] == "notice"
    assert agency.get(f"agencies/proceedings/{pid}").json()["actions"] == ["respond"]
    early = officer.post(f"agencies/proceedings/{pid}/decide", {"decision": "upheld", "reason": "x", "sanction_until": "2030-01-01"})
    assert early.status_code == 409 and "Wait for the agency's response" in early.json()["detail"]
    assert agency.post(f"agencies/proceedings/{pid}/respond", {"response": "We refunded them."}).status_code == 200
    until = (today + datetime.timedelta(days=60)).isoformat()
    decided = officer.post(f"agencies/proceedings/{pid}/decide", {"decision": "upheld", "reason": "Proven.", "sanction_until": until})
    assert decided.status_code == 200 and decided.json()["stage"] == "decided"
    assert agency.get(f"agencies/licences/{licence.pk}").json()["current_status"] == "suspended"
    assert agency.post(f"agencies/proceedings/{pid}/appeal", {"appeal": "Refunded in full."}).status_code == 200
    same = officer.post(f"agencies/proceedings/{pid}/decide-appeal", {"decision": "overturned", "reason": "x"})
    assert same.status_code == 403
    done = api_client(mx_officer2).post(f"agencies/proceedings/{pid}/decide-appeal", {"decision": "overturned", "reason": "Refunded."})
    assert done.status_code == 200 and done.json()["stage"] == "closed"
    assert agency.get(f"agencies/licences/{licence.pk}").json()["current_status"] == "active"
    assert [p["id"] for p in agency.get(f"agencies/licences/{licence.pk}/proceedings").json()["items"]] == [pid]


def test_the_agency_cannot_open_or_decide_proceedings(api_client, licence, agency_user, today):
    agency = api_client(agency_user)
    response = agency.post(f"agencies/licences/{licence.pk}/proceedings",
                           {"kind": "suspension", "grounds": "x", "respond_by": (today + datetime.timedelta(days=20)).isoformat()})
    assert response.status_code == 403
    assert not LicenceProceeding.objects.exists()


# --- links -------------------------------------------------------------------------------------------------------


def test_links_through_the_api(api_client, licence, agency_user, employer, other_programme):
    agency = api_client(agency_user)
    response = agency.post("agencies/links", {"employer_id": employer.pk, "programme": "CA-SAG"})
    assert response.status_code == 201, response.content
    assert response.json()["jointly_liable"] == ["Reclutamiento Justo (test)", employer.organisation.name]
    assert api_client(employer.member).get("agencies/links").json()["count"] == 1
    outside = agency.post("agencies/links", {"employer_id": employer.pk, "programme": "CA-LOW"})
    assert outside.status_code == 422
    link_id = response.json()["id"]
    assert api_client(employer.member).post(f"agencies/links/{link_id}/end", {}).status_code == 404
    ended = agency.post(f"agencies/links/{link_id}/end", {})
    assert ended.status_code == 200 and ended.json()["ended_on"]


# --- ratings -----------------------------------------------------------------------------------------------------


@pytest.fixture
def rater(make_worker, agency_org, consent_to):
    worker = make_worker()
    consent_to(worker, agency_org)
    return worker


def test_a_worker_rates_and_an_officer_moderates(api_client, rater, agency_org, mx_officer, licence):
    worker = api_client(rater.user)
    assert worker.get("agencies/ratings/to-rate").json() == [{"agency_id": agency_org.pk, "agency": agency_org.name, "rating": None}]
    response = worker.post("agencies/ratings", {"agency_id": agency_org.pk, **SCORES, "comment": "Good."})
    assert response.status_code == 201 and response.json()["status"] == "pending"
    rid = response.json()["id"]
    officer = api_client(mx_officer)
    assert [r["id"] for r in officer.get("agencies/ratings/moderation-queue").json()["items"]] == [rid]
    bad = officer.post(f"agencies/ratings/{rid}/moderate", {"decision": "reject"})
    assert bad.status_code == 422 and _fields(bad) == {"note"}
    assert officer.post(f"agencies/ratings/{rid}/moderate", {"decision": "publish"}).json()["status"] == "published"
    aggregate = api_client().get(f"agencies/{agency_org.pk}/ratings").json()
    assert aggregate == {"shown": False, "count": None, "averages": None, "note": "fewer than 5 ratings"}


def test_ratings_reject_bad_scores(api_client, rater, agency_org):
    response = api_client(rater.user).post("agencies/ratings", {"agency_id": agency_org.pk, **SCORES, "fees": 6})
    assert response.status_code == 422 and _fields(response) == {"fees"}


def test_rating_rows_are_never_public_nor_for_the_agency_nor_for_immigration(api_client, rater, agency_org, agency_user,
                                                                               make_user, make_user_with_roles):
    services.rating_submit(actor=rater.user, agency=agency_org, **SCORES, comment="secret")
    assert api_client().get("agencies/ratings").status_code == 401
    assert api_client(agency_user).get("agencies/ratings").json()["count"] == 0
    for officer in (make_user(Role.IMMIGRATION_OFFICER), make_user_with_roles(Role.IMMIGRATION_OFFICER, Role.ORIGIN_OFFICER)):
        response = api_client(officer).get("agencies/ratings")
        assert response.status_code == 403
    assert "secret" not in api_client().get("agencies/register").content.decode()


def test_the_public_aggregate_of_an_unknown_agency_is_404(api_client):
    assert api_client().get("agencies/999999/ratings").status_code == 404
