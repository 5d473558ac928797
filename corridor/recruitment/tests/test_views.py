"""The agency pages by role: the public register, applying, deciding, due process, links and ratings."""

import datetime

import pytest
from django.utils import timezone

from corridor.core.access import Role
from corridor.recruitment import services
from corridor.recruitment.models import (
    AgencyLicence,
    AgencyRating,
    LicenceProceeding,
    LicenceStatus,
    RatingStatus,
)

pytestmark = pytest.mark.django_db
SCORES = {"fees": 5, "information": 4, "contract_honesty": 4, "treatment": 5}


@pytest.fixture
def today():
    return timezone.localdate()


def _text(response) -> str:
    return response.content.decode()


# --- the public register -----------------------------------------------------------------------------------------


def test_the_register_is_public_and_phone_ready(web_client, licence):
    response = web_client().get("/agencies/register/")
    assert response.status_code == 200
    page = _text(response)
    assert licence.number in page and "Reclutamiento Justo (test)" in page and "CA-SAG (MX)" in page
    assert "fewer than 5 ratings" in page
    assert 'name="viewport"' in page
    for private in ("Ana López", "250000", "BANORTE"):
        assert private not in page


def test_the_register_searches_and_refuses_bad_filters(web_client, licence):
    client = web_client()
    assert licence.number in _text(client.get("/agencies/register/", {"q": "justo"}))
    assert licence.number not in _text(client.get("/agencies/register/", {"q": "nothing"}))
    assert client.get("/agencies/register/", {"status": "applied"}).status_code == 400
    assert client.get("/agencies/register/", {"country": "1"}).status_code == 400


def test_the_register_shows_averages_from_five_counted_ratings(web_client, licence, make_worker, consent_to, mx_officer):
    for _ in range(5):
        worker = make_worker()
        consent_to(worker, licence.agency)
        rating = services.rating_submit(actor=worker.user, agency=licence.agency, comment="secret words", **SCORES)
        services.rating_moderate(actor=mx_officer, rating=rating, decision="publish")
    page = _text(web_client().get("/agencies/register/"))
    assert "fewer than 5 ratings" not in page and "4.0 / 5" in page and "5 ratings" in page
    assert "secret words" not in page


def test_home_pages_link_to_the_agency_pages(web_client, agency_user, mx_officer):
    assert "/agencies/register/" in _text(web_client().get("/"))
    assert "/agencies/" in _text(web_client(agency_user).get("/"))
    assert "/agencies/" in _text(web_client(mx_officer).get("/"))


# --- applying and deciding ---------------------------------------------------------------------------------------


def test_an_agency_applies_on_the_page(web_client, agency_user, programme):
    client = web_client(agency_user)
    form = client.get("/agencies/apply/")
    assert form.status_code == 200 and "CA-SAG" in _text(form)
    response = client.post("/agencies/apply/", {
        "ownership": "Ana López 100%", "capital_amount": "1000", "capital_currency": "MXN", "deposit_amount": "500",
        "deposit_currency": "MXN", "programmes": ["CA-SAG"],
    })
    licence = AgencyLicence.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/agencies/licences/{licence.pk}/"
    assert licence.status == LicenceStatus.APPLIED


def test_a_bad_application_shows_every_error_and_saves_nothing(web_client, agency_user, programme):
    response = web_client(agency_user).post("/agencies/apply/", {
        "ownership": "x", "capital_amount": "lots", "capital_currency": "MXN", "deposit_amount": "0", "deposit_currency": "MXN",
    })
    assert response.status_code == 422
    page = _text(response)
    assert "error-summary" in page and "is not a number" in page and "Must be more than 0" in page and "at least one programme" in page
    assert not AgencyLicence.objects.exists()


def test_only_agencies_apply(web_client, make_user):
    assert web_client(make_user(Role.EMPLOYER)).get("/agencies/apply/").status_code == 403
    assert web_client().get("/agencies/apply/").status_code == 302  # to sign in


def test_the_authority_grants_from_its_queue(web_client, application, mx_officer, today):
    client = web_client(mx_officer)
    listing = _text(client.get("/agencies/"))
    assert "Applications waiting for a decision" in listing and f"/agencies/licences/{application.pk}/" in listing
    detail = _text(client.get(f"/agencies/licences/{application.pk}/"))
    assert "Grant the licence" in detail and "Refuse the application" in detail
    bad = client.post(f"/agencies/licences/{application.pk}/grant/", {"grant-valid_until": "2020-01-01"})
    assert bad.status_code == 422 and "Must be on or after the first day of validity" in _text(bad)
    response = client.post(f"/agencies/licences/{application.pk}/grant/", {"grant-valid_until": "2029-02-28"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == LicenceStatus.ACTIVE and application.number == f"MX-{today.year}-001"


def test_the_agency_cannot_decide_its_own_application(web_client, application, agency_user):
    client = web_client(agency_user)
    page = _text(client.get(f"/agencies/licences/{application.pk}/"))
    assert "Grant the licence" not in page and "Ana López" in page
    assert client.post(f"/agencies/licences/{application.pk}/grant/", {"grant-valid_until": "2029-02-28"}).status_code == 403
    application.refresh_from_db()
    assert application.status == LicenceStatus.APPLIED


def test_others_do_not_see_licence_details(web_client, application, make_user, jm_officer):
    for user in (jm_officer, make_user(Role.MINISTRY_ADMIN), make_user(Role.IMMIGRATION_OFFICER)):
        assert web_client(user).get(f"/agencies/licences/{application.pk}/").status_code == 404
    assert web_client(make_user(Role.EMPLOYER)).get("/agencies/").status_code == 403
    assert web_client().get(f"/agencies/licences/{application.pk}/").status_code == 302


def test_an_unknown_licence_is_404(web_client, application, mx_officer):
    client = web_client(mx_officer)
    assert client.post(f"/agencies/licences/{application.pk + 1000}/grant/", {}).status_code == 404
    assert client.get(f"/agencies/proceedings/{application.pk + 1000}/").status_code == 404


# --- due process -------------------------------------------------------------------------------------------------


def test_due_process_on_the_pages(web_client, licence, mx_officer, mx_officer2, agency_user, today):
    officer, agency = web_client(mx_officer), web_client(agency_user)
    soon = (today + datetime.timedelta(days=3)).isoformat()
    bad = officer.post(f"/agencies/licences/{licence.pk}/proceedings/", {
        "proceeding-kind": "revocation", "proceeding-grounds": "Passports kept.", "proceeding-respond_by": soon,
    })
    assert bad.status_code == 422 and "at least 14 days" in _text(bad)
    respond_by = (today + datetime.timedelta(days=14)).isoformat()
    opened = officer.post(f"/agencies/licences/{licence.pk}/proceedings/", {
        "proceeding-kind": "revocation", "proceeding-grounds": "Passports kept.", "proceeding-respond_by": respond_by,
    })
    proceeding = LicenceProceeding.objects.get()
    assert opened.status_code == 302 and opened["Location"] == f"/agencies/proceedings/{proceeding.pk}/"
    page = _text(officer.get(f"/agencies/proceedings/{proceeding.pk}/"))
    assert "decides once the agency has responded" in page and "Record the decision" not in page
    early = officer.post(f"/agencies/proceedings/{proceeding.pk}/decide/", {"decide-decision": "upheld", "decide-reason": "x"})
    assert early.status_code == 422 and "Wait for the agency" in _text(early)
    assert "Send the response" in _text(agency.get(f"/agencies/proceedings/{proceeding.pk}/"))
    assert agency.post(f"/agencies/proceedings/{proceeding.pk}/respond/", {"respond-response": "They were returned."}).status_code == 302
    decided = officer.post(f"/agencies/proceedings/{proceeding.pk}/decide/", {"decide-decision": "upheld", "decide-reason": "Proven."})
    assert decided.status_code == 302
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.REVOKED
    assert agency.post(f"/agencies/proceedings/{proceeding.pk}/appeal/", {"appeal-appeal": "Witness mistaken."}).status_code == 302
    page = _text(officer.get(f"/agencies/proceedings/{proceeding.pk}/"))
    assert "Four eyes" in page and "Record the decision on the appeal" not in page
    same = officer.post(f"/agencies/proceedings/{proceeding.pk}/decide-appeal/", {"decide_appeal-decision": "overturned", "decide_appeal-reason": "x"})
    assert same.status_code == 403
    second = web_client(mx_officer2)
    assert "Record the decision on the appeal" in _text(second.get(f"/agencies/proceedings/{proceeding.pk}/"))
    done = second.post(f"/agencies/proceedings/{proceeding.pk}/decide-appeal/", {"decide_appeal-decision": "overturned", "decide_appeal-reason": "Mistaken."})
    assert done.status_code == 302
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.ACTIVE


def test_the_agency_sees_its_proceedings_on_its_licence_page(web_client, licence, mx_officer, agency_user, today):
    services.proceeding_open(actor=mx_officer, licence=licence, kind="suspension", grounds="Fees charged.",
                             respond_by=today + datetime.timedelta(days=20), today=today)
    page = _text(web_client(agency_user).get("/agencies/"))
    assert "Proceedings in progress" in page and "Suspension" in page


# --- links -------------------------------------------------------------------------------------------------------


def test_links_on_the_page(web_client, licence, agency_user, employer):
    client = web_client(agency_user)
    page = _text(client.get("/agencies/links/"))
    assert employer.organisation.name in page and "jointly liable" in page
    response = client.post("/agencies/links/", {"employer": employer.pk, "programme": "CA-SAG"})
    assert response.status_code == 302
    assert employer.organisation.name in _text(web_client(employer.member).get("/agencies/links/"))
    again = client.post("/agencies/links/", {"employer": employer.pk, "programme": "CA-SAG"})
    assert again.status_code == 422 and "already recorded" in _text(again)


def test_an_unlicensed_agency_is_told_why_it_cannot_record_links(web_client, agency_user, employer):
    page = web_client(agency_user).get("/agencies/links/")
    assert page.status_code == 200 and "holds no recruitment agency licence" in _text(page)
    assert web_client(agency_user).post("/agencies/links/", {"employer": employer.pk, "programme": "CA-SAG"}).status_code == 403


def test_immigration_and_workers_do_not_see_links(web_client, make_user):
    assert web_client(make_user(Role.IMMIGRATION_OFFICER)).get("/agencies/links/").status_code == 403
    assert web_client(make_user(Role.WORKER)).get("/agencies/links/").status_code == 403


# --- ratings -----------------------------------------------------------------------------------------------------


@pytest.fixture
def rater(make_worker, agency_org, consent_to):
    worker = make_worker()
    consent_to(worker, agency_org)
    return worker


def test_a_worker_rates_on_a_phone_page(web_client, rater, agency_org):
    client = web_client(rater.user)
    listing = _text(client.get("/agencies/ratings/"))
    assert agency_org.name in listing and f"/agencies/ratings/agency/{agency_org.pk}/" in listing
    form = _text(client.get(f"/agencies/ratings/agency/{agency_org.pk}/"))
    assert "<fieldset" in form and "<legend>" in form and "never published" in form
    bad = client.post(f"/agencies/ratings/agency/{agency_org.pk}/", {"fees": "9"})
    assert bad.status_code == 422 and "error-summary" in _text(bad)
    response = client.post(f"/agencies/ratings/agency/{agency_org.pk}/", {**SCORES, "comment": "Fine."})
    assert response.status_code == 302
    assert AgencyRating.objects.get().status == RatingStatus.PENDING


def test_a_worker_cannot_rate_an_agency_that_did_not_recruit_them(web_client, make_worker, agency_org):
    assert web_client(make_worker().user).get(f"/agencies/ratings/agency/{agency_org.pk}/").status_code == 404


def test_the_origin_officer_moderates(web_client, rater, agency_org, mx_officer, jm_officer):
    rating = services.rating_submit(actor=rater.user, agency=agency_org, comment="They asked for 200 dollars.", **SCORES)
    client = web_client(mx_officer)
    page = _text(client.get("/agencies/ratings/moderation/"))
    assert "They asked for 200 dollars." in page
    assert "They asked" not in _text(web_client(jm_officer).get("/agencies/ratings/moderation/"))
    bad = client.post(f"/agencies/ratings/{rating.pk}/moderate/", {f"r{rating.pk}-decision": "reject"})
    assert bad.status_code == 422 and "This field is required" in _text(bad)
    done = client.post(f"/agencies/ratings/{rating.pk}/moderate/", {f"r{rating.pk}-decision": "reject", f"r{rating.pk}-note": "Refers to a fee: sent to inspection."})
    assert done.status_code == 302
    rating.refresh_from_db()
    assert rating.status == RatingStatus.REJECTED


def test_rating_pages_refuse_other_roles_and_immigration(web_client, rater, agency_org, make_user, agency_user, make_user_with_roles):
    rating = services.rating_submit(actor=rater.user, agency=agency_org, comment="private", **SCORES)
    immigration = web_client(make_user(Role.IMMIGRATION_OFFICER))
    for url in ("/agencies/ratings/", "/agencies/ratings/moderation/", f"/agencies/ratings/agency/{agency_org.pk}/"):
        assert immigration.get(url).status_code == 403
    dual = web_client(make_user_with_roles(Role.IMMIGRATION_OFFICER, Role.ORIGIN_OFFICER))
    assert dual.get("/agencies/ratings/moderation/").status_code == 403
    assert web_client(agency_user).get("/agencies/ratings/moderation/").status_code == 403
    assert web_client(agency_user).post(f"/agencies/ratings/{rating.pk}/moderate/", {}).status_code == 403
    assert web_client(make_user(Role.WORKER)).get("/agencies/ratings/").status_code == 200


# --- the demo ----------------------------------------------------------------------------------------------------


def test_the_demo_shows_agencies_in_every_state_and_is_idempotent(web_client):
    from corridor.demo.content import build_demo
    from corridor.recruitment.models import AgencyEmployerLink, ProceedingStage

    def counts():
        return [m.objects.count() for m in (AgencyLicence, LicenceProceeding, AgencyRating, AgencyEmployerLink)]

    build_demo()
    first = counts()
    build_demo()
    assert counts() == first
    by_country = {licence.agency.country: licence for licence in AgencyLicence.objects.select_related("agency")
                  if licence.status != LicenceStatus.APPLIED}
    assert set(by_country) == {"MX", "JM", "MA", "NP"}
    assert by_country["NP"].status == LicenceStatus.REVOKED
    assert AgencyLicence.objects.filter(status=LicenceStatus.APPLIED, agency__country="NP").count() == 1
    notice = LicenceProceeding.objects.get(licence=by_country["JM"])
    assert notice.stage == ProceedingStage.NOTICE and notice.responded_at is None
    revoked = LicenceProceeding.objects.get(licence=by_country["NP"])
    assert revoked.stage == ProceedingStage.CLOSED and revoked.appeal_decided_by_id != revoked.decided_by_id
    assert AgencyRating.objects.filter(agency=by_country["MX"].agency, status=RatingStatus.PUBLISHED).count() >= 5
    assert AgencyRating.objects.filter(agency=by_country["MA"].agency, status=RatingStatus.PUBLISHED).count() < 5
    page = _text(web_client().get("/agencies/register/"))
    assert "/ 5" in page and "fewer than 5 ratings" in page and "Revoked" in page
