"""Job-order pages: who sees what, the form and its errors, the workflow by POSTs across roles, the vacancy board,
quotas and the home-page tasks.

The services take the real date as today when the pages call them, so the orders here are for next calendar year's
season and their local adverts ran before today.
"""

import datetime

import pytest
from django.utils import timezone

from corridor.core.access import Role
from corridor.joborders import services
from corridor.joborders.models import JobOrder, LabourMarketAdvert, QuotaCounter, Status

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year + 1
START = datetime.date(YEAR, 5, 3)
END = datetime.date(YEAR, 10, 29)
ADVERT = {
    "channel": "Job Bank",
    "start_date": TODAY - datetime.timedelta(days=60),
    "end_date": TODAY - datetime.timedelta(days=1),
    "local_applicants": 3,
    "local_hires": 1,
}


@pytest.fixture
def order_data(order_data):
    """The compliant order of the shared fixtures, moved to a season the real date can submit."""
    return {**order_data, "start_date": START, "end_date": END, "adverts": [dict(ADVERT)]}


@pytest.fixture
def jm_officer(make_user, programme):
    authority = programme.corridors.get(origin_country="JM").competent_authority
    return make_user(Role.ORIGIN_OFFICER, organisation=authority)


@pytest.fixture
def form_data(worksite, unit):
    """What an employer types into the new-order form."""
    return {
        "programme": "CA-SAG",
        "title": "Apple harvest",
        "origin_countries": ["MX", "JM"],
        "isco_code": "9211",
        "sector": "A",
        "positions": "6",
        "start_date": START.isoformat(),
        "end_date": END.isoformat(),
        "worksite": str(worksite.pk),
        "wage_amount": "18.00",
        "wage_currency": "CAD",
        "wage_unit": "hour",
        "hours_per_week": "40",
        "overtime_rate_percent": "150",
        "deductions": "tax: 200\ninsurance: 15",
        "housing": str(unit.pk),
        "outbound_travel_worker_percent": "0",
        "return_travel_worker_percent": "0",
        "named_workers": "",
        "language": "es",
        "language_level": "basic",
        "min_experience_months": "0",
        "description": "Picking and sorting apples.",
        "description_language": "en",
        "translation_es": "Cosecha y clasificación de manzanas.",
    }


def _open(order, employer_user, ministry, officer2, origin_officer, jm_officer):
    """Take an order through the whole workflow with the services, to the board."""
    order = services.job_order_submit(actor=employer_user, order=order)
    order = services.job_order_review(actor=ministry, order=order)
    order = services.job_order_approve(actor=officer2, order=order)
    if "MX" in order.origin_countries:
        order = services.job_order_verify(actor=origin_officer, order=order)
    if "JM" in order.origin_countries:
        order = services.job_order_verify(actor=jm_officer, order=order)
    assert order.status == Status.OPEN
    return order


@pytest.fixture
def open_order(make_order, employer_user, ministry, officer2, origin_officer, jm_officer):
    def make(**changes):
        return _open(make_order(**changes), employer_user, ministry, officer2, origin_officer, jm_officer)

    return make


# --- who sees what -------------------------------------------------------------------------------------------------


def test_list_and_detail_are_shown_to_the_right_roles(make_order, employer_user, ministry, make_user, web_client):
    order = make_order()
    own = web_client(employer_user)
    listing = own.get("/job-orders/")
    assert listing.status_code == 200 and order.reference.encode() in listing.content
    assert b"New job order" in listing.content
    detail = own.get(f"/job-orders/{order.pk}/")
    assert detail.status_code == 200 and b"Apple harvest" in detail.content and b"17.60" in detail.content

    other = web_client(make_user(Role.EMPLOYER))
    assert other.get(f"/job-orders/{order.pk}/").status_code == 404
    assert order.reference.encode() not in other.get("/job-orders/").content
    # The ministry sees an order once submitted, never a draft.
    assert web_client(ministry).get(f"/job-orders/{order.pk}/").status_code == 404
    immigration = web_client(make_user(Role.IMMIGRATION_OFFICER))
    assert immigration.get("/job-orders/").status_code == 403
    assert immigration.get(f"/job-orders/{order.pk}/").status_code == 403
    assert web_client().get("/job-orders/").status_code == 302


def test_list_filters_and_htmx_partial(make_order, employer_user, web_client):
    order = make_order()
    client = web_client(employer_user)
    partial = client.get("/job-orders/", {"status": "draft", "q": "apple"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200 and b"<html" not in partial.content and order.reference.encode() in partial.content
    assert order.reference.encode() not in client.get("/job-orders/", {"status": "open"}).content
    bad = client.get("/job-orders/", {"status": "nonsense"})
    assert bad.status_code == 400 and b"Unknown status" in bad.content


# --- the form ----------------------------------------------------------------------------------------------------


def test_create_with_errors_names_the_fields(approved, wages, employer_user, form_data, web_client):
    client = web_client(employer_user)
    page = client.get("/job-orders/new/?programme=CA-SAG")
    assert page.status_code == 200 and b'name="origin_countries" value="MX"' in page.content
    assert b"/reference/occupations/search/" in page.content
    response = client.post("/job-orders/new/", {**form_data, "isco_code": "9999", "wage_currency": "ZZZ", "positions": ""})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert {"positions", "wage_currency"} <= set(errors)
    assert not JobOrder.objects.exists()
    # The form parses; the service then names what it refuses.
    response = client.post("/job-orders/new/", {**form_data, "isco_code": "9999", "deductions": "gym:"})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "Unknown ISCO-08 code" in " ".join(errors["isco_code"]) and "deductions" in errors
    assert b"has-error" in response.content
    assert not JobOrder.objects.exists()


def test_create_then_edit(approved, wages, employer_user, form_data, web_client):
    client = web_client(employer_user)
    response = client.post("/job-orders/new/", form_data)
    order = JobOrder.objects.get()
    assert response.status_code == 302 and response.url == f"/job-orders/{order.pk}/"
    assert order.status == Status.DRAFT and order.origin_countries == ["MX", "JM"]
    assert order.deductions == [{"type": "tax", "amount": "200.00"}, {"type": "insurance", "amount": "15.00"}]
    assert order.translations == {"es": "Cosecha y clasificación de manzanas."}
    assert order.housing_id == int(form_data["housing"]) and order.language == "es"
    assert order.named_workers == []
    edit = client.get(f"/job-orders/{order.pk}/edit/")
    assert edit.status_code == 200 and b"tax: 200.00" in edit.content and b'name="programme"' not in edit.content
    changed = {k: v for k, v in form_data.items() if k != "programme"}
    changes = {"title": "Pear harvest", "housing": "", "named_workers": "MX-001\nJM-002, MX-003"}
    assert client.post(f"/job-orders/{order.pk}/edit/", {**changed, **changes}).status_code == 302
    order.refresh_from_db()
    assert order.title == "Pear harvest" and order.housing is None
    assert order.named_workers == ["MX-001", "JM-002", "MX-003"]
    bad = client.post(f"/job-orders/{order.pk}/edit/", {**changed, "end_date": START.isoformat()})
    assert bad.status_code == 422 and "end_date" in bad.context["form"].errors


def test_new_page_without_approval_and_for_non_employers(employer, employer_user, programme, ministry, web_client):
    page = web_client(employer_user).get("/job-orders/new/")
    assert page.status_code == 200 and b"no approval under an active programme" in page.content
    assert web_client(ministry).get("/job-orders/new/").status_code == 403


def test_origin_checkboxes_follow_the_programme(approved, employer_user, web_client):
    partial = web_client(employer_user).get("/job-orders/new/origins/", {"programme": "CA-SAG"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200 and b'id="origin-countries"' in partial.content
    assert b'value="MX"' in partial.content and b'value="JM"' in partial.content


def test_check_against_the_rules_without_saving(approved, wages, employer_user, form_data, web_client):
    client = web_client(employer_user)
    low = client.post("/job-orders/check/", {**form_data, "wage_amount": "15.00"}, headers={"HX-Request": "true"})
    assert low.status_code == 200 and b"below the floor of 17.60 CAD/hour" in low.content
    assert b"Nothing was saved" in low.content
    # A new order has no adverts yet: the labour-market test is named, with what to do.
    assert b"advertised locally" in low.content and b"add the local adverts" in low.content
    bad = client.post("/job-orders/check/", {**form_data, "isco_code": "9999"})
    assert bad.status_code == 200 and b"Correct these fields first" in bad.content and b"Unknown ISCO-08 code" in bad.content
    assert not JobOrder.objects.exists()


def test_check_saved_and_edited_order(make_order, employer_user, form_data, web_client):
    order = make_order()
    client = web_client(employer_user)
    saved = client.post(f"/job-orders/{order.pk}/check/")
    assert saved.status_code == 200 and b"meets every rule of CA-SAG" in saved.content
    changed = {k: v for k, v in form_data.items() if k != "programme"}
    edited = client.post(f"/job-orders/{order.pk}/check/", {**changed, "positions": "7"})
    assert edited.status_code == 200 and b"6 beds for 7 positions" in edited.content
    order.refresh_from_db()
    assert order.positions == 6


def test_edit_only_while_draft_or_returned(make_order, employer_user, web_client):
    order = services.job_order_submit(actor=employer_user, order=make_order())
    response = web_client(employer_user).get(f"/job-orders/{order.pk}/edit/")
    assert response.status_code == 302 and response.url == f"/job-orders/{order.pk}/"


# --- the workflow ------------------------------------------------------------------------------------------------


def test_submit_under_the_floor_shows_the_floor(make_order, employer_user, web_client):
    order = make_order(wage_amount="15.00")
    response = web_client(employer_user).post(f"/job-orders/{order.pk}/submit/")
    assert response.status_code == 422
    assert b"below the floor of 17.60 CAD/hour" in response.content and b"Test wage survey" in response.content
    assert b"This step could not be taken" in response.content
    order.refresh_from_db()
    assert order.status == Status.DRAFT


def test_advert_form(make_order, employer_user, make_user, web_client):
    order = make_order(adverts=[])
    client = web_client(employer_user)
    bad = client.post(f"/job-orders/{order.pk}/adverts/", {"channel": "Paper", "start_date": "2026-02-01", "end_date": "2026-01-01"})
    assert bad.status_code == 422 and b"cannot end before it starts" in bad.content
    good = {**ADVERT, "start_date": ADVERT["start_date"].isoformat(), "end_date": ADVERT["end_date"].isoformat()}
    assert client.post(f"/job-orders/{order.pk}/adverts/", good).status_code == 302
    assert LabourMarketAdvert.objects.filter(job_order=order).count() == 1
    assert web_client(make_user(Role.EMPLOYER)).post(f"/job-orders/{order.pk}/adverts/", good).status_code == 404


def test_whole_workflow_by_pages_ends_on_the_board(
    approved, wages, employer_user, ministry, officer2, origin_officer, jm_officer, form_data, web_client
):
    employer_page = web_client(employer_user)
    assert employer_page.post("/job-orders/new/", form_data).status_code == 302
    order = JobOrder.objects.get()
    advert = {**ADVERT, "start_date": ADVERT["start_date"].isoformat(), "end_date": ADVERT["end_date"].isoformat()}
    assert employer_page.post(f"/job-orders/{order.pk}/adverts/", advert).status_code == 302
    detail = employer_page.get(f"/job-orders/{order.pk}/")
    assert f'action="/job-orders/{order.pk}/submit/"'.encode() in detail.content
    assert f'action="/job-orders/{order.pk}/approve/"'.encode() not in detail.content
    response = employer_page.post(f"/job-orders/{order.pk}/submit/", follow=True)
    assert response.status_code == 200 and b"Submitted for review." in response.content

    reviewer = web_client(ministry)
    queue = reviewer.get("/job-orders/review/")
    assert queue.status_code == 200 and order.reference.encode() in queue.content
    page = reviewer.get(f"/job-orders/{order.pk}/")
    assert b"/review/" in page.content and f"/job-orders/{order.pk}/approve/".encode() not in page.content  # four eyes
    assert reviewer.post(f"/job-orders/{order.pk}/review/", {"note": "Checked wages and housing."}).status_code == 302
    refused = reviewer.post(f"/job-orders/{order.pk}/approve/")
    assert refused.status_code == 403  # the reviewer cannot also approve
    approver = web_client(officer2)
    assert approver.post(f"/job-orders/{order.pk}/approve/").status_code == 302
    order.refresh_from_db()
    assert order.status == Status.APPROVED and order.four_eyes

    mexico = web_client(origin_officer)
    assert order.reference.encode() in mexico.get("/job-orders/verify/").content
    assert mexico.post(f"/job-orders/{order.pk}/verify/", {"note": "Recruitment can start."}).status_code == 302
    assert order.reference.encode() not in mexico.get("/job-orders/verify/").content
    order.refresh_from_db()
    assert order.status == Status.APPROVED  # Jamaica's authority has not verified yet
    assert order.reference.encode() not in web_client().get("/job-orders/board/").content
    assert web_client(jm_officer).post(f"/job-orders/{order.pk}/verify/").status_code == 302
    order.refresh_from_db()
    assert order.status == Status.OPEN

    trail = employer_page.get(f"/job-orders/{order.pk}/")
    assert b"Checked wages and housing." in trail.content and b"reviewed and approved by two officers" in trail.content
    assert b"Recruitment can start." in trail.content and b"Rule version 1" in trail.content
    board = web_client().get("/job-orders/board/")
    assert board.status_code == 200 and b"Apple harvest" in board.content
    assert b"Employer pays 100% of the outbound and return travel." in board.content
    assert b"18.00 CAD</strong> per hour" in board.content
    card = web_client().get(f"/job-orders/board/{order.reference}/")
    assert card.status_code == 200 and b"Bunkhouse" in card.content and b"Not inspected yet" in card.content


def test_return_needs_reasons_and_shows_them(make_order, employer_user, ministry, web_client):
    order = services.job_order_submit(actor=employer_user, order=make_order())
    client = web_client(ministry)
    missing = client.post(f"/job-orders/{order.pk}/return/", {"reasons": "  "})
    assert missing.status_code == 422 and b"Give at least one reason" in missing.content and b"return-reasons-error" in missing.content
    assert client.post(f"/job-orders/{order.pk}/return/", {"reasons": "Add the bus schedule.\nName the orchard."}).status_code == 302
    order.refresh_from_db()
    assert order.status == Status.RETURNED and order.returned_reasons == ["Add the bus schedule.", "Name the orchard."]
    page = web_client(employer_user).get(f"/job-orders/{order.pk}/")
    assert b"Name the orchard." in page.content and f"/job-orders/{order.pk}/edit/".encode() in page.content


def test_conflicting_steps_answer_422_and_others_403(make_order, employer_user, ministry, web_client):
    order = make_order()
    assert web_client(employer_user).post(f"/job-orders/{order.pk}/fill/", {"filled": "2"}).status_code == 403
    order = services.job_order_submit(actor=employer_user, order=order)
    again = web_client(employer_user).post(f"/job-orders/{order.pk}/submit/")
    assert again.status_code == 422 and b"cannot be submitted" in again.content
    no_reason = web_client(employer_user).post(f"/job-orders/{order.pk}/cancel/", {"reason": ""})
    assert no_reason.status_code == 422 and b"Say why" in no_reason.content
    assert web_client(employer_user).post(f"/job-orders/{order.pk}/cancel/", {"reason": "Crop failed."}).status_code == 302
    order.refresh_from_db()
    assert order.status == Status.CANCELLED


def test_fill_and_close(open_order, ministry, web_client):
    order = open_order()
    client = web_client(ministry)
    bad = client.post(f"/job-orders/{order.pk}/fill/", {"filled": "99"})
    assert bad.status_code == 422 and b"from 0 to 6" in bad.content
    assert client.post(f"/job-orders/{order.pk}/fill/", {"filled": "2"}).status_code == 302
    order.refresh_from_db()
    assert order.status == Status.PARTLY_FILLED and order.positions_filled == 2
    assert client.post(f"/job-orders/{order.pk}/close/", {"reason": "Season over."}).status_code == 302
    order.refresh_from_db()
    assert order.status == Status.CLOSED


def test_queues_refuse_other_roles(employer_user, ministry, origin_officer, web_client, make_user):
    assert web_client(employer_user).get("/job-orders/review/").status_code == 403
    assert web_client(ministry).get("/job-orders/verify/").status_code == 403
    assert web_client(origin_officer).get("/job-orders/verify/").status_code == 200
    assert web_client(make_user(Role.IMMIGRATION_OFFICER)).get("/job-orders/review/").status_code == 403


# --- the vacancy board -------------------------------------------------------------------------------------------


def test_board_filters(open_order, make_order, web_client):
    mexico_and_jamaica = open_order()
    jamaica_transfers = open_order(title="Greenhouse tomatoes", origin_countries=["JM"], open_to_transfers=True)
    draft = make_order(title="Draft vineyard job")
    client = web_client()

    def shown(**params):
        response = client.get("/job-orders/board/", params)
        assert response.status_code == 200
        return {o.reference for o in response.context["page"].object_list}

    everything = shown()
    assert everything == {mexico_and_jamaica.reference, jamaica_transfers.reference}
    assert draft.reference not in everything
    assert shown(origin="MX") == {mexico_and_jamaica.reference}
    assert shown(origin="JM") == everything
    assert shown(origin="GT") == set()
    assert shown(month=f"{YEAR}-06") == everything
    assert shown(month=f"{YEAR}-12") == set()
    assert shown(transfers="1") == {jamaica_transfers.reference}
    assert shown(isco="92", region="Ontario", programme="CA-SAG") == everything
    assert shown(isco="7") == set()


def test_board_bad_filters_answer_400_with_a_message(web_client):
    response = web_client().get("/job-orders/board/", {"month": "June", "origin": "XX"})
    assert response.status_code == 400
    assert b"is not a month (YYYY-MM)" in response.content and b"Unknown country code" in response.content


def test_board_is_public_and_never_shows_drafts(make_order, make_user, web_client):
    draft = make_order()
    for client in (web_client(), web_client(make_user(Role.WORKER)), web_client(make_user(Role.IMMIGRATION_OFFICER))):
        response = client.get("/job-orders/board/")
        assert response.status_code == 200 and draft.reference.encode() not in response.content
    assert web_client().get(f"/job-orders/board/{draft.reference}/").status_code == 404
    assert web_client().get("/job-orders/board/JO-NOSUCH/").status_code == 404


def test_board_speaks_the_readers_language(open_order, web_client):
    order = open_order(translations={"es": "Cosecha de manzanas."})
    spanish = web_client()
    spanish.cookies["django_language"] = "es"
    assert "Cosecha de manzanas." in spanish.get("/job-orders/board/").content.decode()
    french = web_client()
    french.cookies["django_language"] = "fr"
    page = french.get(f"/job-orders/board/{order.reference}/").content.decode()
    assert "Picking and sorting apples." in page and 'lang="en"' in page and "pas encore traduite dans votre langue" in page
    english = web_client().get(f"/job-orders/board/{order.reference}/").content.decode()
    assert "Picking and sorting apples." in english and "not yet translated" not in english


def test_board_housing_and_travel(open_order, web_client):
    order = open_order(housing=None, origin_countries=["JM"], outbound_travel_worker_percent="0")
    assert order.housing is None
    page = web_client().get(f"/job-orders/board/{order.reference}/")
    assert page.status_code == 200 and b"You arrange your own accommodation" in page.content


@pytest.fixture
def rules_override():
    """Housing is optional in this module's programme, so that the board can show an order without it."""
    from corridor.programmes.presets import PRESETS

    housing = dict(PRESETS["ca-sawp"].rules["housing"], employer_must_provide=False)
    return {"housing": housing}


# --- quotas and home ---------------------------------------------------------------------------------------------


def test_quota_page(open_order, ministry, make_user, employer_user, origin_officer, web_client):
    open_order()
    page = web_client(ministry).get("/job-orders/quotas/", {"programme": "CA-SAG"})
    assert page.status_code == 200 and b"<meter" in page.content
    counters = {(c.scope, c.key): c for c in QuotaCounter.objects.all()}
    assert counters[("origin", "MX")].used == 6 and counters[("origin", "MX")].limit == 60
    assert f"Quotas for {YEAR}".encode() in page.content and b">54<" in page.content
    assert web_client(make_user(Role.UNION)).get("/job-orders/quotas/?programme=CA-SAG").status_code == 200
    assert web_client(origin_officer).get("/job-orders/quotas/?programme=CA-SAG").status_code == 200
    assert web_client(employer_user).get("/job-orders/quotas/").status_code == 403
    assert web_client(make_user(Role.IMMIGRATION_OFFICER)).get("/job-orders/quotas/").status_code == 403


def test_home_tasks_link_the_pages(employer_user, ministry, origin_officer, make_user, web_client):
    assert b'href="/job-orders/board/"' in web_client().get("/").content
    assert b'href="/job-orders/"' in web_client(employer_user).get("/").content
    assert b'href="/job-orders/review/"' in web_client(ministry).get("/").content
    assert b'href="/job-orders/verify/"' in web_client(origin_officer).get("/").content
    assert b'href="/job-orders/quotas/"' in web_client(make_user(Role.UNION)).get("/").content
