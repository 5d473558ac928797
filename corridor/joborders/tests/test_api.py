"""Job orders through /api/v1/job-orders and the public /api/v1/vacancy-board: the whole workflow, problem+json errors
naming the API's fields, roles, the firewall, pagination and token scopes.

The services take today's real date here, so the season lies next year and the local adverts ran in the last 30 days.
"""

import datetime

import pytest
from django.utils import timezone

from corridor.accounts.models import Organisation
from corridor.core.access import Role
from corridor.employers import services as employer_services
from corridor.employers.models import Worksite
from corridor.joborders import services
from corridor.joborders.models import JobOrder, QuotaCounter, Status

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START = datetime.date(TODAY.year + 1, 5, 3)
END = datetime.date(TODAY.year + 1, 10, 29)
ADVERT = {
    "channel": "Job Bank",
    "start_date": (TODAY - datetime.timedelta(days=30)).isoformat(),
    "end_date": (TODAY - datetime.timedelta(days=1)).isoformat(),
    "local_applicants": 3,
    "local_hires": 1,
}


def assert_problem(response, status, field=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    if field:
        assert field in {e["field"] for e in body["errors"]}, body
    return body


@pytest.fixture
def order_dates():
    """Dates that suit today's real date, for orders submitted through the API (the services use the real date)."""
    return {"start_date": START, "end_date": END, "adverts": [dict(ADVERT)]}


@pytest.fixture
def body(worksite, unit, approved, wages):
    """The same order as an API request body."""
    return {
        "programme": "CA-SAG",
        "title": "Apple harvest",
        "origin_countries": ["MX", "JM"],
        "isco_code": "9211",
        "sector": "A",
        "positions": 6,
        "start_date": START.isoformat(),
        "end_date": END.isoformat(),
        "worksite_id": worksite.pk,
        "wage_amount": "18.00",
        "wage_currency": "CAD",
        "wage_unit": "hour",
        "hours_per_week": 40,
        "overtime_rate_percent": 150,
        "deductions": [{"type": "tax", "amount": "200"}],
        "housing_id": unit.pk,
        "outbound_travel_worker_percent": 0,
        "return_travel_worker_percent": 0,
        "language": "es",
        "language_level": "basic",
        "description": "Picking and sorting apples.",
        "description_language": "en",
        "translations": {"es": "Cosecha y clasificación de manzanas."},
        "open_to_transfers": True,
        "adverts": [dict(ADVERT)],
    }


@pytest.fixture
def jm_officer(make_user, programme):
    authority = Organisation.objects.get(pk=programme.corridors.get(origin_country="JM").competent_authority_id)
    return make_user(Role.ORIGIN_OFFICER, organisation=authority)


@pytest.fixture
def other_employer_user(make_user, programme, ministry_admin):
    """A second approved employer, with its own worksite and housing."""
    user = make_user(Role.EMPLOYER, country="CA")
    employer = employer_services.employer_register(
        actor=user, business_id="BN 2", sectors=["A"], contact_name="Bob", contact_email="bob@example.org",
        worksites=[{"name": "Vineyard", "address": "2 Farm Road", "region": "Ontario", "country": "CA"}],
    )
    employer_services.employer_apply(actor=user, employer=employer, programme=programme)
    employer_services.employer_approve(actor=ministry_admin, employer=employer, programme=programme)
    return user


def _open(make_order, employer_user, ministry, officer2, origin_officer, jm_officer, **changes) -> JobOrder:
    order = make_order(**changes)
    services.job_order_submit(actor=employer_user, order=order)
    services.job_order_review(actor=ministry, order=order)
    services.job_order_approve(actor=officer2, order=order)
    services.job_order_verify(actor=origin_officer, order=order)
    return services.job_order_verify(actor=jm_officer, order=order)


@pytest.fixture
def open_order(make_order, employer_user, ministry, officer2, origin_officer, jm_officer):
    return _open(make_order, employer_user, ministry, officer2, origin_officer, jm_officer)


# --- the workflow ------------------------------------------------------------------------------------------------


def test_full_workflow(body, employer_user, ministry, officer2, origin_officer, jm_officer, api_client):
    employer = api_client(employer_user)
    response = employer.post("job-orders", body)
    assert response.status_code == 201, response.content
    order = response.json()
    oid = order["id"]
    assert order["status"] == "draft" and order["reference"].startswith("JO-")
    assert order["worksite_id"] == body["worksite_id"] and order["housing_id"] == body["housing_id"]
    assert {"edit", "submit", "adverts"} <= set(order["actions"])
    assert len(order["adverts"]) == 1

    changed = employer.patch(f"job-orders/{oid}", {"title": "Apple and pear harvest"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "Apple and pear harvest" and changed.json()["positions"] == 6
    response = employer.post(f"job-orders/{oid}/adverts", {**ADVERT, "channel": "Local radio"})
    assert response.status_code == 201 and len(response.json()["adverts"]) == 2

    check = employer.post(f"job-orders/{oid}/check")
    assert check.status_code == 200, check.content
    assert check.json()["ok"] is True and check.json()["findings"] == []
    assert "CAD" in check.json()["wage_floor"]
    assert JobOrder.objects.get(pk=oid).status == Status.DRAFT

    submitted = employer.post(f"job-orders/{oid}/submit")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted" and submitted.json()["rule_version"] == 1
    assert employer.patch(f"job-orders/{oid}", {"title": "x"}).status_code == 409

    first, second = api_client(ministry), api_client(officer2)
    assert [o["id"] for o in first.get("job-orders/review-queue").json()["items"]] == [oid]
    reviewed = first.post(f"job-orders/{oid}/review", {"note": "Checked the wage and housing."})
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "reviewed"
    assert "approve" not in reviewed.json()["actions"]
    assert_problem(first.post(f"job-orders/{oid}/approve", {}), 403)  # four eyes
    assert "approve" in second.get(f"job-orders/{oid}").json()["actions"]
    approved = second.post(f"job-orders/{oid}/approve", {"note": "Approved."})
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved" and approved.json()["quota_held"] == 6
    assert first.get("job-orders/review-queue").json()["count"] == 0

    quotas = first.get("job-orders/quotas", programme="CA-SAG", year=START.year).json()
    assert {(q["scope"], q["key"], q["used"], q["remaining"]) for q in quotas} == {
        ("programme", "", 6, 94), ("origin", "MX", 6, 54)
    }
    assert api_client().get("vacancy-board").json()["count"] == 0

    mx, jm = api_client(origin_officer), api_client(jm_officer)
    assert [o["id"] for o in mx.get("job-orders/verification-queue").json()["items"]] == [oid]
    verified = mx.post(f"job-orders/{oid}/verify", {"note": "Checked with the recruitment office."})
    assert verified.status_code == 200 and verified.json()["status"] == "approved"
    assert mx.get("job-orders/verification-queue").json()["count"] == 0
    assert_problem(mx.post(f"job-orders/{oid}/verify", {}), 409, "status")
    opened = jm.post(f"job-orders/{oid}/verify", {})
    assert opened.status_code == 200 and opened.json()["status"] == "open"
    assert {v["origin_country"] for v in opened.json()["verifications"]} == {"MX", "JM"}

    board = api_client().get("vacancy-board").json()
    assert [o["reference"] for o in board["items"]] == [order["reference"]]

    filled = first.post(f"job-orders/{oid}/fill", {"filled": 2})
    assert filled.status_code == 200 and filled.json()["status"] == "partly_filled"
    assert api_client().get("vacancy-board").json()["items"][0]["positions_open"] == 4
    closed = employer.post(f"job-orders/{oid}/close", {"reason": "Season over."})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert api_client().get("vacancy-board").json()["count"] == 0
    assert QuotaCounter.objects.get(scope="programme").used == 2


def test_return_and_cancel(make_order, employer_user, ministry, api_client):
    order = make_order()
    services.job_order_submit(actor=employer_user, order=order)
    officer = api_client(ministry)
    assert_problem(officer.post(f"job-orders/{order.pk}/return", {"reasons": []}), 422, "reasons")
    returned = officer.post(f"job-orders/{order.pk}/return", {"reasons": ["Add the Spanish description."]})
    assert returned.status_code == 200, returned.content
    assert returned.json()["status"] == "returned"
    assert returned.json()["returned_reasons"] == ["Add the Spanish description."]
    employer = api_client(employer_user)
    detail = employer.get(f"job-orders/{order.pk}").json()
    assert "edit" in detail["actions"] and detail["returned_reasons"]
    assert_problem(employer.post(f"job-orders/{order.pk}/cancel", {"reason": ""}), 422, "reason")
    cancelled = employer.post(f"job-orders/{order.pk}/cancel", {"reason": "No longer needed."})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_list_filters(make_order, employer_user, ministry, api_client):
    draft = make_order()
    submitted = make_order(title="Greenhouse tomatoes", origin_countries=["JM"])
    services.job_order_submit(actor=employer_user, order=submitted)
    employer = api_client(employer_user)
    assert employer.get("job-orders").json()["count"] == 2
    assert [o["id"] for o in employer.get("job-orders", status="draft").json()["items"]] == [draft.pk]
    assert [o["id"] for o in employer.get("job-orders", origin="MX").json()["items"]] == [draft.pk]
    assert [o["id"] for o in employer.get("job-orders", q="tomato").json()["items"]] == [submitted.pk]
    assert [o["id"] for o in employer.get("job-orders", q=submitted.reference).json()["items"]] == [submitted.pk]
    assert employer.get("job-orders", programme="ca-sag", employer=draft.employer_id).json()["count"] == 2
    assert employer.get("job-orders", programme="OTHER").json()["count"] == 0
    # The ministry sees submitted orders only, never drafts.
    assert [o["id"] for o in api_client(ministry).get("job-orders").json()["items"]] == [submitted.pk]
    assert_problem(employer.get("job-orders", status="flying"), 422, "status")
    assert_problem(employer.get("job-orders", q="x" * 101), 422, "q")


# --- errors naming the API's fields ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"isco_code": "9999"}, "isco_code"),
        ({"start_date": "2027-13-01"}, "start_date"),
        ({"end_date": "someday"}, "end_date"),
        ({"end_date": "2020-01-01"}, "end_date"),
        ({"origin_countries": ["XX"]}, "origin_countries"),
        ({"positions": 0}, "positions"),
        ({"wage_amount": "-3"}, "wage_amount"),
        ({"wage_amount": "1e999999"}, "wage_amount"),
        ({"wage_currency": "ZZZ"}, "wage_currency"),
        ({"wage_unit": "fortnight"}, "wage_unit"),
        ({"deductions": [{"type": "food", "amount": "x"}]}, "deductions.0.amount"),
        ({"deductions": [{"type": "", "amount": "5"}]}, "deductions[0].type"),
        ({"worksite_id": 999999}, "worksite_id"),
        ({"housing_id": 999999}, "housing_id"),
        ({"translations": {"zz-bad": "x"}}, "translations.zz-bad"),
        ({"adverts": [{**ADVERT, "end_date": "2020-01-01"}]}, "adverts[0].end_date"),
        ({"title": "x" * 201}, "title"),
        ({"description": "x" * 6000}, "description"),
        ({"named_workers": ["someone"] * 501}, "named_workers"),
        ({"positions": 10**40}, "positions"),
        ({"programme": ""}, "programme"),
    ],
)
def test_bad_input_is_422_naming_the_field(body, employer_user, api_client, changes, field):
    assert_problem(api_client(employer_user).post("job-orders", {**body, **changes}), 422, field)
    assert not JobOrder.objects.exists()


def test_worksite_and_housing_of_another_employer(body, employer_user, other_employer_user, api_client):
    site = Worksite.objects.get(name="Vineyard")
    unit = employer_services.housing_unit_create(
        actor=other_employer_user, worksite=site, address="Cabin", beds_per_room=[2, 2, 2], floor_area_m2="60",
        facilities=["kitchen"], charge_amount="0", charge_currency="CAD",
    )
    client = api_client(employer_user)
    assert_problem(client.post("job-orders", {**body, "worksite_id": site.pk}), 422, "worksite_id")
    assert_problem(client.post("job-orders", {**body, "housing_id": unit.pk}), 422, "housing_id")
    assert not JobOrder.objects.exists()


def test_invalid_json_and_unknown_programme(body, employer_user, api_client):
    client = api_client(employer_user)
    assert_problem(client.post("job-orders", raw="{not json"), 400)
    assert_problem(client.post("job-orders", {**body, "programme": "NOPE"}), 404)


def test_rule_findings_on_check_and_submit_name_the_field(make_order, employer_user, api_client):
    client = api_client(employer_user)
    low = make_order(wage_amount="15.00")
    check = client.post(f"job-orders/{low.pk}/check").json()
    assert check["ok"] is False and "wage_amount" in {f["field"] for f in check["findings"]}
    body = assert_problem(client.post(f"job-orders/{low.pk}/submit"), 422, "wage_amount")
    assert "17.60" in body["detail"]
    assert JobOrder.objects.get(pk=low.pk).status == Status.DRAFT
    crowded = make_order(positions=10)  # six beds for ten workers
    check = client.post(f"job-orders/{crowded.pk}/check").json()
    assert "housing_id" in {f["field"] for f in check["findings"]}
    assert "housing" not in {f["field"] for f in check["findings"]}
    assert_problem(client.post(f"job-orders/{crowded.pk}/submit"), 422, "housing_id")
    fixed = client.patch(f"job-orders/{crowded.pk}", {"positions": 6})
    assert fixed.status_code == 200 and fixed.json()["positions"] == 6
    assert client.post(f"job-orders/{crowded.pk}/submit").status_code == 200


def test_patch_errors_and_removing_housing(make_order, employer_user, api_client):
    order = make_order()
    client = api_client(employer_user)
    assert_problem(client.patch(f"job-orders/{order.pk}", {"worksite_id": 999999}), 422, "worksite_id")
    assert_problem(client.patch(f"job-orders/{order.pk}", {"start_date": "soon"}), 422, "start_date")
    response = client.patch(f"job-orders/{order.pk}", {"housing_id": None})
    assert response.status_code == 200 and response.json()["housing_id"] is None
    assert_problem(client.post(f"job-orders/{order.pk}/adverts", {**ADVERT, "url": "ftp://x"}), 422, "url")


# --- conflicts ---------------------------------------------------------------------------------------------------


def test_quota_exhausted_is_409(make_order, employer_user, ministry, officer2, programme, api_client):
    order = make_order()
    services.job_order_submit(actor=employer_user, order=order)
    services.job_order_review(actor=ministry, order=order)
    QuotaCounter.objects.create(programme=programme, year=START.year, scope="programme", key="", limit=100, used=97)
    body = assert_problem(api_client(officer2).post(f"job-orders/{order.pk}/approve", {}), 409, "positions")
    assert "Quota exhausted" in body["detail"]
    order.refresh_from_db()
    assert order.status == Status.REVIEWED and order.quota_held == 0
    assert QuotaCounter.objects.get(scope="programme").used == 97


def test_wrong_state_transition_is_409(make_order, ministry, employer_user, api_client):
    order = make_order()
    officer, employer = api_client(ministry), api_client(employer_user)
    assert_problem(officer.post(f"job-orders/{order.pk}/review", {}), 404)  # drafts are the employer's
    services.job_order_submit(actor=employer_user, order=order)
    assert_problem(employer.post(f"job-orders/{order.pk}/submit"), 409, "status")
    assert_problem(officer.post(f"job-orders/{order.pk}/fill", {"filled": 1}), 409, "status")
    assert_problem(employer.post(f"job-orders/{order.pk}/close", {}), 409, "status")


# --- who may do what ---------------------------------------------------------------------------------------------


def test_employer_acting_on_another_employers_order(make_order, open_order, other_employer_user, api_client):
    draft = make_order()
    other = api_client(other_employer_user)
    # A draft of another employer does not exist for them; an open order is public, so acting on it is refused.
    assert_problem(other.get(f"job-orders/{draft.pk}"), 404)
    assert_problem(other.patch(f"job-orders/{draft.pk}", {"title": "Mine"}), 404)
    assert_problem(other.post(f"job-orders/{draft.pk}/submit"), 404)
    assert_problem(other.get(f"job-orders/{open_order.pk}"), 404)
    assert_problem(other.post(f"job-orders/{open_order.pk}/close", {"reason": "x"}), 403)
    assert_problem(other.post(f"job-orders/{open_order.pk}/cancel", {"reason": "x"}), 403)
    open_order.refresh_from_db()
    assert open_order.status == Status.OPEN


def test_only_the_destination_ministry_reviews_and_approves(make_order, employer_user, origin_officer, make_user, api_client):
    order = make_order()
    services.job_order_submit(actor=employer_user, order=order)
    assert_problem(api_client(employer_user).post(f"job-orders/{order.pk}/approve", {}), 403)
    assert_problem(api_client(employer_user).post(f"job-orders/{order.pk}/review", {}), 403)
    foreign = make_user(Role.MINISTRY_OFFICER, country="FR")
    assert_problem(api_client(foreign).post(f"job-orders/{order.pk}/approve", {}), 404)
    assert_problem(api_client(origin_officer).post(f"job-orders/{order.pk}/approve", {}), 404)
    assert JobOrder.objects.get(pk=order.pk).status == Status.SUBMITTED


def test_origin_officer_cannot_approve_what_it_sees(open_order, origin_officer, api_client):
    client = api_client(origin_officer)
    assert client.get(f"job-orders/{open_order.pk}").status_code == 200
    assert_problem(client.post(f"job-orders/{open_order.pk}/fill", {"filled": 1}), 403)
    assert_problem(client.post(f"job-orders/{open_order.pk}/approve", {}), 403)


def test_unknown_and_invisible_orders_are_404(make_order, make_user, api_client):
    order = make_order()
    union = api_client(make_user(Role.UNION))
    assert_problem(union.get(f"job-orders/{order.pk}"), 404, "id")
    assert_problem(union.get("job-orders/999999"), 404)
    assert_problem(union.get("job-orders/99999999999999999999"), 404)
    assert_problem(union.post("job-orders/99999999999999999999/submit"), 404)


def test_immigration_officers_are_refused_job_orders(open_order, make_user, make_user_with_roles, api_client):
    officer = api_client(make_user(Role.IMMIGRATION_OFFICER))
    assert_problem(officer.get("job-orders"), 403)
    assert_problem(officer.get(f"job-orders/{open_order.pk}"), 403)
    assert_problem(officer.get("job-orders/quotas", programme="CA-SAG"), 403)
    assert_problem(officer.post(f"job-orders/{open_order.pk}/close", {"reason": "x"}), 403)
    dual = api_client(make_user_with_roles(Role.IMMIGRATION_OFFICER, Role.LABOUR_INSPECTOR))
    assert_problem(dual.get("job-orders"), 403)
    # The public board stays public.
    assert officer.get("vacancy-board").json()["count"] == 1


def test_anonymous_and_non_employers_cannot_create(body, make_user, api_client):
    assert_problem(api_client().get("job-orders"), 401)
    assert_problem(api_client().post("job-orders", body), 401)
    assert_problem(api_client(make_user(Role.UNION)).post("job-orders", body), 403)
    assert not JobOrder.objects.exists()


def test_quotas_endpoint(open_order, ministry, employer_user, make_user, api_client):
    officer = api_client(ministry)
    counters = officer.get("job-orders/quotas", programme="ca-sag").json()
    assert {(q["scope"], q["key"], q["limit"], q["used"]) for q in counters} == {("programme", "", 100, 6), ("origin", "MX", 60, 6)}
    assert officer.get("job-orders/quotas", programme="CA-SAG", year=START.year + 1).json() == []
    assert_problem(officer.get("job-orders/quotas", programme="NOPE"), 404)
    assert_problem(officer.get("job-orders/quotas"), 422, "programme")
    assert_problem(officer.get("job-orders/quotas", programme="CA-SAG", year=99999), 422, "year")
    # Employers do not see the programme's quota use.
    assert api_client(employer_user).get("job-orders/quotas", programme="CA-SAG").json() == []


# --- the vacancy board -------------------------------------------------------------------------------------------


def test_board_is_public_and_shows_what_a_worker_needs(open_order, make_order, api_client):
    make_order(title="Draft only")
    open_order.translations = {"es": "Cosecha de manzanas."}
    open_order.language, open_order.language_level = "es", "basic"
    open_order.save()
    anonymous = api_client()
    page = anonymous.get("vacancy-board").json()
    assert page["count"] == 1
    item = page["items"][0]
    assert item["reference"] == open_order.reference and item["title"] == "Apple harvest"
    assert item["programme"] == "CA-SAG" and item["employer"] == open_order.employer.organisation.name
    assert item["worksite"] == {"name": "Orchard", "region": "Ontario", "country": "CA"}
    assert item["isco_code"] == "9211" and item["occupation"]
    assert item["positions_open"] == 6 and item["wage_currency"] == "CAD" and item["wage_unit"] == "hour"
    assert item["accommodation"]["provided"] is True and item["accommodation"]["unit"]["capacity"] == 6
    assert item["travel"]["return_employer_percent"] == 100
    assert item["language_required"] == {"language": "es", "level": "basic"}
    assert item["description"] == "Picking and sorting apples." and item["description_language"] == "en"
    text = anonymous.get("vacancy-board").content.decode()
    for secret in ("ann@example.org", "Ann Boss", "BN 1", "Bunkhouse", "named_workers", "review_note", "check_report"):
        assert secret not in text
    spanish = anonymous.get(f"vacancy-board/{open_order.reference}", lang="es-MX").json()
    assert spanish["description"] == "Cosecha de manzanas." and spanish["description_language"] == "es"
    french = anonymous.get(f"vacancy-board/{open_order.reference}", lang="fr").json()
    assert french["description_language"] == "en"
    draft = JobOrder.objects.get(title="Draft only")
    assert_problem(anonymous.get(f"vacancy-board/{draft.reference}"), 404, "reference")


def test_board_without_housing_says_the_worker_arranges_it(make_order, employer_user, ministry, officer2, origin_officer,
                                                            jm_officer, api_client):
    order = _open(make_order, employer_user, ministry, officer2, origin_officer, jm_officer)
    JobOrder.objects.filter(pk=order.pk).update(housing=None)
    item = api_client().get(f"vacancy-board/{order.reference}").json()
    assert item["accommodation"]["provided"] is False and item["accommodation"]["unit"] is None
    assert "arranges" in item["accommodation"]["summary"]


def test_board_filters(open_order, api_client):
    client = api_client()
    month = START.strftime("%Y-%m")
    assert client.get("vacancy-board", programme="CA-SAG", origin="mx", isco="92", region="ontario", month=month).json()["count"] == 1
    assert client.get("vacancy-board", origin="PH").json()["count"] == 0
    assert client.get("vacancy-board", isco="7").json()["count"] == 0
    assert client.get("vacancy-board", month=f"{START.year}-01").json()["count"] == 0
    assert client.get("vacancy-board", transfers="true").json()["count"] == 0
    assert client.get("vacancy-board", q="apple").json()["count"] == 1
    assert_problem(client.get("vacancy-board", month="May"), 422, "month")
    assert_problem(client.get("vacancy-board", origin="XX"), 422, "origin")
    assert_problem(client.get("vacancy-board", isco="92a"), 422, "isco")
    assert_problem(client.get("vacancy-board", q="x" * 500), 422, "q")


# --- pagination and tokens ---------------------------------------------------------------------------------------


def test_pagination_bounds(make_order, employer_user, api_client):
    for _ in range(3):
        make_order()
    client = api_client(employer_user)
    page = client.get("job-orders", page=2, page_size=2).json()
    assert page["count"] == 3 and len(page["items"]) == 1
    assert client.get("job-orders", page=99).json()["items"] == []
    assert_problem(client.get("job-orders", page=0), 422, "page")
    assert_problem(client.get("job-orders", page_size=100000), 422, "page_size")
    assert_problem(client.get("job-orders", page=10**12), 422, "page")
    assert_problem(api_client().get("vacancy-board", page_size=0), 422, "page_size")


def test_read_only_token_cannot_write(body, make_order, employer_user, api_client):
    from corridor.accounts import services as account_services

    order = make_order()
    employer_user.is_org_admin = True
    employer_user.save()
    _, secret = account_services.api_token_create(
        actor=employer_user, organisation=employer_user.organisation, name="erp", scopes=["joborders:read"]
    )
    client = api_client(token=secret)
    assert client.get("job-orders").json()["count"] == 1
    assert client.get(f"job-orders/{order.pk}").status_code == 200
    assert_problem(client.post("job-orders", body), 403)
    assert_problem(client.post(f"job-orders/{order.pk}/submit"), 403)
    assert JobOrder.objects.count() == 1
    _, writer = account_services.api_token_create(
        actor=employer_user, organisation=employer_user.organisation, name="erp2", scopes=["joborders:read", "joborders:write"]
    )
    assert api_client(token=writer).post("job-orders", body).status_code == 201


def test_summary_for_social_partners(api_client, make_user, ministry, programme, make_order, employer_user):
    from corridor.core.access import Role
    from corridor.joborders import services

    services.job_order_submit(actor=employer_user, order=make_order())
    union = make_user(Role.UNION, country="CA")
    body = api_client(union).get("job-orders/summary?programme=CA-SAG").json()
    assert body["lines"] == [] and body["suppressed_lines"] == 1 and body["min_employers_per_line"] == 3
    full = api_client(ministry).get("job-orders/summary?programme=CA-SAG").json()
    assert full["lines"][0]["asked"] == 6
    assert api_client(make_user(Role.UNION, country="MX")).get("job-orders/summary?programme=CA-SAG").status_code == 403
