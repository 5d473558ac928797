"""The worker's journey through /api/v1/journeys: the whole way from a confirmed placement with an accepted contract
to the return (pre-departure, clearance, the permit by the immigration authority, departure after the contract's lead
time, arrival with a welfare contact, a lower wage declared at destination raising a substitution alert that the
worker and the origin authority see and the immigration authority is refused, its resolution); steps the journey's
state does not allow answered 409 with the steps possible now; who may do and see what; bad input answered 422
naming the field (never a 500)."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from corridor.conftest import ApiClient
from corridor.contracts import services as ct
from corridor.deployment.models import Journey, SubstitutionAlert
from corridor.selection.models import SeasonRecord

pytestmark = pytest.mark.django_db

BASE = "journeys"


def assert_problem(response, status, field=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    if field:
        assert field in {e["field"] for e in body["errors"]}, body
    return body


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


@pytest.fixture
def api_client():
    """One client per user within a test (an official's second factor is passed once: codes are not replayable)."""
    clients = {}

    def make(user):
        if user.pk not in clients:
            clients[user.pk] = ApiClient(user)
        return clients[user.pk]

    return make


@pytest.fixture
def delivered_long_ago(make_ct_contract, ct_placement, ct_worker, sel_employer_user, sel_origin):
    """ct_placement's contract, approved (locked and delivered) 45 days ago and accepted today: past any lead time."""
    contract = make_ct_contract(ct_placement, upto="signed")
    past = timezone.now() - datetime.timedelta(days=45)
    with mock.patch("django.utils.timezone.now", return_value=past):
        contract = ct.contract_approve(actor=sel_origin, contract=contract)
    contract = ct.contract_answer(actor=ct_worker.user, contract=contract, accept=True, via="web")
    contract.refresh_from_db()
    return contract


def today() -> str:
    return timezone.localdate().isoformat()


# --- the whole way -------------------------------------------------------------------------------------------------


def test_the_whole_journey_through_the_api(api_client, delivered_long_ago, ct_worker, sel_origin, sel_employer_user,
                                           dp_immigration, dp_inspector, predeparture_data, permit_data):
    origin, employer, worker = api_client(sel_origin), api_client(sel_employer_user), api_client(ct_worker.user)
    immigration, inspector = api_client(dp_immigration), api_client(dp_inspector)
    placement = delivered_long_ago.placement

    # The origin authority opens the journey: the contract is already accepted, so it is 'contracted' at once.
    journey = ok(origin.post(f"{BASE}/", {"placement": placement.pk}), 201)
    jid = journey["id"]
    assert journey["state"] == "contracted" and journey["programme"] == "CA-SAG"
    assert [s["action"] for s in journey["steps"]] == ["start", "contract_accepted"]
    assert [n["action"] for n in journey["what_next"]] == ["clear_departure", "withdraw"]
    assert {i["item"]: i["done"] for i in journey["checklist"]}["insurance"] is False
    assert journey["open_alerts"] == [] and journey["permits"] == []

    # Clearing before the checklist is done names each missing item.
    body = assert_problem(origin.post(f"{BASE}/{jid}/clear"), 422, "checklist.insurance")
    assert "checklist.travel" in {e["field"] for e in body["errors"]}

    # Pre-departure facts, departure planned for today (the contract was delivered 45 days ago), then clearance.
    facts = dict(predeparture_data, planned_departure=today())
    journey = ok(origin.patch(f"{BASE}/{jid}/pre-departure", facts))
    assert journey["predeparture"]["insurance_policy"] == "POL-1001" and journey["planned_departure"] == today()
    assert all(i["done"] for i in journey["checklist"]), journey["checklist"]
    assert ok(origin.post(f"{BASE}/{jid}/clear"))["state"] == "cleared"

    # The immigration authority records the permit and sees the journey: identity and permit status only.
    permit = ok(immigration.post(f"{BASE}/{jid}/permits", permit_data()), 201)
    assert permit["number"] == "WP-000001" and permit["journey"] == jid
    seen = ok(immigration.get(f"{BASE}/{jid}"))
    assert seen["state"] == "permit_issued" and [p["number"] for p in seen["permits"]] == ["WP-000001"]
    assert seen["open_alerts"] is None and seen["checklist"] is None and seen["predeparture"] is None
    assert all(s["note"] is None for s in seen["steps"])

    # Departure, arrival with a welfare contact.
    assert ok(origin.post(f"{BASE}/{jid}/departure", {"departed_on": today()}))["state"] == "travelled"
    journey = ok(employer.post(f"{BASE}/{jid}/arrival", {"arrived_on": today(), "welfare_contact_name": "Ana Ruiz",
                                                          "welfare_contact_phone": "+1 905 555 0100"}))
    assert journey["state"] == "employed" and journey["welfare_contact"]["name"] == "Ana Ruiz"
    seen = ok(immigration.get(f"{BASE}/{jid}"))
    assert seen["welfare_contact"] is None and "Ana Ruiz" not in str(seen)

    # The employer declares a lower wage: an alert.
    agreed = delivered_long_ago.content["pay"]["amount"]
    lower = str(round(float(agreed) - 1, 2))
    alerts = ok(employer.post(f"{BASE}/{jid}/declared-terms", {"wage_amount": lower,
                                                                "wage_currency": delivered_long_ago.content["pay"]["currency"]}), 201)
    assert [(a["field"], a["declared_value"], a["status"]) for a in alerts] == [("wage_amount", lower, "open")]
    alert_id = alerts[0]["id"]

    # The worker and the origin authority see it; the immigration authority is refused, whatever the route.
    assert [a["id"] for a in ok(worker.get(f"{BASE}/{jid}/alerts"))] == [alert_id]
    assert [a["id"] for a in ok(origin.get(f"{BASE}/{jid}/alerts", status="open"))] == [alert_id]
    assert [a["id"] for a in ok(worker.get(f"{BASE}/{jid}"))["open_alerts"]] == [alert_id]
    assert [a["id"] for a in ok(inspector.get(f"{BASE}/{jid}"))["open_alerts"]] == [alert_id]
    assert_problem(immigration.get(f"{BASE}/{jid}/alerts"), 403)
    assert_problem(immigration.post(f"{BASE}/{jid}/declared-terms", {"wage_amount": "1"}), 403)
    assert_problem(immigration.post(f"{BASE}/alerts/{alert_id}/resolve", {"resolution": "x"}), 403)

    # Only the origin authority or the inspectorate resolves it, with a resolution.
    assert_problem(employer.post(f"{BASE}/alerts/{alert_id}/resolve", {"resolution": "Paid now."}), 403)
    assert_problem(inspector.post(f"{BASE}/alerts/{alert_id}/resolve", {"resolution": ""}), 422, "resolution")
    resolved = ok(inspector.post(f"{BASE}/alerts/{alert_id}/resolve",
                                 {"resolution": "The employer pays the contract wage and the arrears."}))
    assert resolved["status"] == "resolved"
    assert_problem(origin.post(f"{BASE}/alerts/{alert_id}/resolve", {"resolution": "Again."}), 409, "status")
    assert ok(worker.get(f"{BASE}/{jid}"))["open_alerts"] == []
    assert [a["status"] for a in ok(worker.get(f"{BASE}/{jid}/alerts"))] == ["resolved"]

    # The return, written to the season record.
    journey = ok(origin.post(f"{BASE}/{jid}/return", {"returned_on": today(), "as_agreed": True}))
    assert journey["state"] == "returned" and journey["returned_as_agreed"] is True and journey["what_next"] == []
    record = SeasonRecord.objects.get(worker=ct_worker)
    assert record.completed and record.returned_as_agreed

    # The list, filtered.
    listed = ok(origin.get(f"{BASE}/", state="returned", programme="ca-sag"))
    assert listed["count"] == 1 and listed["items"][0]["id"] == jid
    assert ok(origin.get(f"{BASE}/", state="employed"))["count"] == 0


# --- state refused -------------------------------------------------------------------------------------------------


def test_a_step_the_state_does_not_allow_is_409_with_the_steps_possible_now(api_client, dp_journey, sel_origin,
                                                                            dp_immigration, permit_data):
    origin = api_client(sel_origin)
    body = assert_problem(origin.post(f"{BASE}/{dp_journey.pk}/departure", {"departed_on": today()}), 409, "state")
    assert "clear_departure" in body["detail"] and "withdraw" in body["detail"]
    body = assert_problem(api_client(dp_immigration).post(f"{BASE}/{dp_journey.pk}/permits", permit_data()), 409)
    assert "clear_departure" in body["detail"]
    assert Journey.objects.get(pk=dp_journey.pk).state == "contracted"

    # Withdrawn: the journey has ended, and says so.
    assert ok(origin.post(f"{BASE}/{dp_journey.pk}/withdraw", {"reason": "Family reasons."}))["state"] == "withdrawn"
    body = assert_problem(origin.post(f"{BASE}/{dp_journey.pk}/withdraw", {"reason": "Again."}), 409, "state")
    assert "none" in body["detail"]


def test_departure_before_the_contract_lead_time_is_refused(api_client, dp_permitted, sel_origin):
    # The contract was delivered today; a departure today is before the programme's lead time.
    body = assert_problem(api_client(sel_origin).post(f"{BASE}/{dp_permitted.pk}/departure",
                                                      {"departed_on": today()}), 409, "departed_on")
    assert "days before departure" in body["detail"]
    origin = api_client(sel_origin)
    assert_problem(origin.post(f"{BASE}/{dp_permitted.pk}/departure", {"departed_on": "yesterday"}), 422, "departed_on")
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert_problem(origin.post(f"{BASE}/{dp_permitted.pk}/departure", {"departed_on": tomorrow}), 422, "departed_on")
    assert Journey.objects.get(pk=dp_permitted.pk).state == "permit_issued"


def test_journey_of_a_placement_whose_contract_is_not_accepted_yet(api_client, ct_contract, ct_worker, sel_origin):
    origin = api_client(sel_origin)
    journey = ok(origin.post(f"{BASE}/", {"placement": ct_contract.placement_id}), 201)
    assert journey["state"] == "selected"
    assert [n["action"] for n in journey["what_next"]] == ["contract_accepted", "withdraw"]
    assert_problem(origin.post(f"{BASE}/{journey['id']}/contract-accepted"), 409, "contract")
    assert_problem(origin.post(f"{BASE}/", {"placement": ct_contract.placement_id}), 409, "placement")

    ct.contract_answer(actor=ct_worker.user, contract=ct_contract, accept=True, via="web")
    worker = api_client(ct_worker.user)
    assert ok(worker.post(f"{BASE}/{journey['id']}/contract-accepted"))["state"] == "contracted"
    assert_problem(worker.post(f"{BASE}/{journey['id']}/contract-accepted"), 409, "state")


def test_the_worker_changes_employer_and_immigration_records_the_end(api_client, dp_permitted, ct_worker,
                                                                      sel_employer_user, dp_immigration):
    Journey.objects.filter(pk=dp_permitted.pk).update(
        state="employed", departed_on=timezone.localdate(), arrived_on=timezone.localdate(), welfare_contact_name="Ana")
    worker, immigration = api_client(ct_worker.user), api_client(dp_immigration)
    assert_problem(api_client(sel_employer_user).post(f"{BASE}/{dp_permitted.pk}/employer-change", {}), 403)
    assert ok(worker.post(f"{BASE}/{dp_permitted.pk}/employer-change", {"note": "Housing unsafe."}))["state"] == \
        "changing_employer"
    assert_problem(worker.post(f"{BASE}/{dp_permitted.pk}/status-change", {"note": "x"}), 403)
    assert_problem(immigration.post(f"{BASE}/{dp_permitted.pk}/status-change", {"note": ""}), 422, "note")
    journey = ok(immigration.post(f"{BASE}/{dp_permitted.pk}/status-change", {"note": "Permanent residence granted."}))
    assert journey["state"] == "status_changed"
    assert_problem(immigration.post(f"{BASE}/{dp_permitted.pk}/overstay", {"note": "x"}), 409, "state")


# --- roles ---------------------------------------------------------------------------------------------------------


def test_who_may_see_and_do_what(api_client, make_user, make_ready_worker, dp_journey, ct_worker, sel_origin,
                                 sel_jm_origin, sel_employer_user, dp_immigration, dp_inspector, predeparture_data,
                                 permit_data):
    from corridor.core.access import Role

    jid = dp_journey.pk
    stranger = make_ready_worker("Otro", "Trabajador")
    other_employer = make_user(Role.EMPLOYER)
    foreign_immigration = make_user(Role.IMMIGRATION_OFFICER, country="US")

    for user in (ct_worker.user, sel_origin, sel_employer_user, dp_immigration, dp_inspector):
        assert ok(api_client(user).get(f"{BASE}/{jid}"))["id"] == jid
        assert ok(api_client(user).get(f"{BASE}/"))["count"] == 1
    for user in (stranger.user, other_employer, sel_jm_origin, foreign_immigration):
        assert_problem(api_client(user).get(f"{BASE}/{jid}"), 404, "journey")
        assert ok(api_client(user).get(f"{BASE}/"))["count"] == 0
    # The checklist: the worker, the employer, the origin authority; not the inspectorate nor immigration.
    assert ok(api_client(ct_worker.user).get(f"{BASE}/{jid}"))["checklist"] is not None
    assert ok(api_client(sel_employer_user).get(f"{BASE}/{jid}"))["checklist"] is not None
    assert ok(api_client(dp_inspector).get(f"{BASE}/{jid}"))["checklist"] is None

    # Pre-departure and clearance: the origin authority only.
    for user in (ct_worker.user, sel_employer_user, dp_immigration):
        assert_problem(api_client(user).patch(f"{BASE}/{jid}/pre-departure", predeparture_data), 403)
    ok(api_client(sel_origin).patch(f"{BASE}/{jid}/pre-departure", predeparture_data))
    assert_problem(api_client(sel_employer_user).post(f"{BASE}/{jid}/clear"), 403)
    ok(api_client(sel_origin).post(f"{BASE}/{jid}/clear"))
    # Permits: the destination's immigration authority only; 404 for one that may not even see the journey.
    for user in (sel_origin, sel_employer_user, dp_inspector):
        assert_problem(api_client(user).post(f"{BASE}/{jid}/permits", permit_data()), 403)
    assert_problem(api_client(foreign_immigration).post(f"{BASE}/{jid}/permits", permit_data()), 404)
    # Opening journeys: not the employer, not the worker.
    assert_problem(api_client(sel_employer_user).post(f"{BASE}/", {"placement": dp_journey.placement_id}), 403)
    assert Journey.objects.count() == 1 and SubstitutionAlert.objects.count() == 0


def test_a_token_needs_the_deployment_scopes(dp_journey, sel_origin):
    from corridor.accounts import services as account_services

    sel_origin.is_org_admin = True
    sel_origin.save(update_fields=["is_org_admin"])
    _, secret = account_services.api_token_create(actor=sel_origin, organisation=sel_origin.organisation,
                                                  name="reader", scopes=["deployment:read"])
    client = ApiClient(None, secret)
    assert client.get(f"{BASE}/{dp_journey.pk}").json()["id"] == dp_journey.pk
    body = assert_problem(client.post(f"{BASE}/{dp_journey.pk}/withdraw", {"reason": "x"}), 403)
    assert "deployment:write" in body["detail"]
    _, writer = account_services.api_token_create(actor=sel_origin, organisation=sel_origin.organisation,
                                                  name="writer", scopes=["deployment:write"])
    assert ok(ApiClient(None, writer).post(f"{BASE}/{dp_journey.pk}/withdraw", {"reason": "Ill."}))["state"] == \
        "withdrawn"


# --- bad input -----------------------------------------------------------------------------------------------------


def test_bad_input_is_422_naming_the_field(api_client, dp_journey, dp_cleared, sel_origin, dp_immigration,
                                           permit_data):
    origin, immigration = api_client(sel_origin), api_client(dp_immigration)
    jid = dp_journey.pk
    assert_problem(origin.get(f"{BASE}/", state="lost"), 422, "state")
    assert_problem(origin.get(f"{BASE}/{jid}/alerts", status="lost"), 422, "status")
    assert_problem(origin.post(f"{BASE}/", {"placement": "x"}), 422, "placement")
    assert_problem(origin.post(f"{BASE}/", {}), 422, "placement")
    assert_problem(origin.post(f"{BASE}/", {"placement": 2**40}), 404, "placement")
    assert_problem(origin.get(f"{BASE}/{2**40}"), 404, "journey")
    assert_problem(origin.post(f"{BASE}/", raw="{not json"), 400)
    assert_problem(origin.patch(f"{BASE}/{jid}/pre-departure", {"planned_departure": "2027-13-40"}), 422,
                   "planned_departure")
    assert_problem(origin.patch(f"{BASE}/{jid}/pre-departure", {"planned_departure": "2001-01-01"}), 422,
                   "planned_departure")
    assert_problem(origin.patch(f"{BASE}/{jid}/pre-departure", {"insurance_provider": "x" * 201}), 422,
                   "insurance_provider")
    assert_problem(origin.patch(f"{BASE}/{jid}/pre-departure", {}), 422)
    body = assert_problem(immigration.post(f"{BASE}/{jid}/permits", permit_data(kind="tourist", valid_from="soon",
                                                                                entries="")), 422, "kind")
    assert {"valid_from", "entries"} <= {e["field"] for e in body["errors"]}
    assert_problem(immigration.post(f"{BASE}/{jid}/permits", permit_data(valid_until="2000-01-01")), 422,
                   "valid_until")
    assert_problem(origin.post(f"{BASE}/{jid}/return", {"returned_on": today(), "as_agreed": "perhaps"}), 422,
                   "as_agreed")
    assert_problem(origin.post(f"{BASE}/{jid}/withdraw", {"reason": "  "}), 422, "reason")
    assert_problem(origin.post(f"{BASE}/{jid}/withdraw", {"reason": "x" * 5000}), 422, "reason")
    assert Journey.objects.get(pk=jid).state == "cleared"


def test_declared_terms_bad_input_and_state(api_client, dp_permitted, sel_employer_user):
    employer = api_client(sel_employer_user)
    # Not travelled yet.
    assert_problem(employer.post(f"{BASE}/{dp_permitted.pk}/declared-terms", {"wage_amount": "1"}), 409, "state")
    Journey.objects.filter(pk=dp_permitted.pk).update(state="travelled", departed_on=timezone.localdate())
    assert_problem(employer.post(f"{BASE}/{dp_permitted.pk}/declared-terms", {}), 422, "wage_amount")
    body = assert_problem(employer.post(f"{BASE}/{dp_permitted.pk}/declared-terms", {"wage_amount": [1]}), 422)
    assert all(e["field"].startswith("wage_amount") for e in body["errors"])
    body = assert_problem(employer.post(f"{BASE}/{dp_permitted.pk}/arrival", {"arrived_on": today()}), 422,
                          "welfare_contact_name")
    assert body["status"] == 422
