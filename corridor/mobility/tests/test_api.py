"""The change of employer through /api/v1/mobility: the whole way by API, bad input answered 422 naming the field,
403/404/409, the cause hidden from employers and every route of openings and applications refused to immigration,
which still reads the changes in progress with the end of the grace period; never a 500."""

import datetime

import pytest
from django.utils import timezone

from corridor.contracts import services as ct
from corridor.deployment import services as dp
from corridor.mobility.models import TransferApplication

pytestmark = pytest.mark.django_db

BASE = "mobility"


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


def _later(days):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def test_the_whole_way_by_api(api_client, mb_order, mb_employer_user, mb_worker, mb_journey, sel_origin,
                              sel_employer_user):
    employer, worker = api_client(mb_employer_user), api_client(mb_worker.user)
    opening = ok(employer.post(f"{BASE}/openings", {"job_order": mb_order.pk, "positions": 2, "ends_on": _later(20)}), 201)
    assert opening["positions_left"] == 2 and opening["wage_amount"] == "18.50" and opening["status"] == "open"
    listed = ok(worker.get(f"{BASE}/openings"))["items"]
    assert [o["id"] for o in listed] == [opening["id"]]
    applied = ok(worker.post(f"{BASE}/applications", {"opening": opening["id"], "cause": "abuse",
                                                      "message": "Please."}), 201)
    assert applied["cause"] == "abuse" and applied["status"] == "applied"
    seen = ok(employer.get(f"{BASE}/applications"))["items"]
    assert [a["id"] for a in seen] == [applied["id"]] and seen[0]["cause"] is None
    assert ok(api_client(sel_employer_user).get(f"{BASE}/applications"))["items"] == []
    accepted = ok(employer.post(f"{BASE}/applications/{applied['id']}/accept"))
    assert accepted["status"] == "accepted" and accepted["placement"] and accepted["contract"]
    assert_problem(worker.post(f"{BASE}/applications/{applied['id']}/complete", {}), 409, "contract")
    contract = ct.contract_sign(actor=mb_employer_user, contract=TransferApplication.objects.get(
        pk=applied["id"]).placement.contracts.get())
    contract = ct.contract_approve(actor=sel_origin, contract=contract)
    ct.contract_answer(actor=mb_worker.user, contract=contract, accept=True)
    journey = ok(employer.post(f"{BASE}/applications/{applied['id']}/complete",
                               {"welfare_contact_name": "Rosa Vega", "welfare_contact_phone": "+1 905 555 0101"}))
    assert journey["state"] == "employed" and journey["previous"] == mb_journey.pk
    assert ok(worker.get(f"{BASE}/applications/{applied['id']}"))["new_journey"] == journey["id"]


def test_bad_input_names_the_field(api_client, mb_order, mb_employer_user, mb_opening, mb_worker, mb_journey):
    employer, worker = api_client(mb_employer_user), api_client(mb_worker.user)
    body = assert_problem(employer.post(f"{BASE}/openings", {"job_order": mb_order.pk, "positions": "many",
                                                             "ends_on": "soon"}), 422)
    assert {e["field"] for e in body["errors"]} >= {"positions", "ends_on"}
    assert_problem(employer.post(f"{BASE}/openings", {"job_order": mb_order.pk, "positions": 1, "ends_on": _later(3)}),
                   409, "job_order")
    assert_problem(employer.post(f"{BASE}/openings", {"job_order": 2**31 + 5, "positions": 1}), 404, "job_order")
    assert_problem(worker.post(f"{BASE}/applications", {"opening": mb_opening.pk, "cause": "nope"}), 422, "cause")
    assert_problem(worker.post(f"{BASE}/applications", {"opening": 999999, "cause": "abuse"}), 404, "opening")
    applied = ok(worker.post(f"{BASE}/applications", {"opening": mb_opening.pk, "cause": "own_choice"}), 201)
    assert_problem(worker.post(f"{BASE}/applications", {"opening": mb_opening.pk, "cause": "own_choice"}), 409, "opening")
    assert_problem(employer.post(f"{BASE}/applications/{applied['id']}/decline", {"reason": ""}), 422, "reason")
    declined = ok(employer.post(f"{BASE}/applications/{applied['id']}/decline", {"reason": "No housing left."}))
    assert declined["decline_reason"] == "No housing left."
    assert_problem(worker.post(f"{BASE}/applications/{applied['id']}/withdraw", {}), 409, "status")
    assert_problem(worker.get(f"{BASE}/applications/{2**40}"), 404, "application")


def test_roles(api_client, mb_opening, mb_worker, mb_journey, sel_employer_user, mb_employer_user, sel_admin,
               dp_immigration, sel_origin):
    worker = api_client(mb_worker.user)
    applied = ok(worker.post(f"{BASE}/applications", {"opening": mb_opening.pk, "cause": "own_choice"}), 201)
    # The old employer can neither see nor decide; the worker cannot accept their own application.
    assert_problem(api_client(sel_employer_user).post(f"{BASE}/applications/{applied['id']}/accept"), 404)
    assert_problem(worker.post(f"{BASE}/applications/{applied['id']}/accept"), 403)
    assert_problem(api_client(sel_employer_user).post(f"{BASE}/applications",
                                                      {"opening": mb_opening.pk, "cause": "abuse"}), 403)
    assert_problem(api_client(sel_origin).post(f"{BASE}/openings/{mb_opening.pk}/close", {}), 403)
    # The ministry closes an opening; the waiting application is declined.
    ok(api_client(sel_admin).post(f"{BASE}/openings/{mb_opening.pk}/close", {"reason": "Suspicious offer."}))
    assert ok(worker.get(f"{BASE}/applications/{applied['id']}"))["status"] == "declined"
    # Immigration: no opening, no application; the changes in progress with the lawful-stay date.
    immigration = api_client(dp_immigration)
    assert_problem(immigration.get(f"{BASE}/openings"), 403)
    assert_problem(immigration.get(f"{BASE}/applications"), 403)
    assert_problem(immigration.post(f"{BASE}/applications/{applied['id']}/withdraw", {}), 403)
    dp.employer_change_start(actor=mb_worker.user, journey=mb_journey)
    rows = ok(immigration.get(f"{BASE}/changes"))["items"]
    assert [r["journey"] for r in rows] == [mb_journey.pk]
    assert rows[0]["lawful_until"] == _later(60) and rows[0]["days_left"] == 60
    assert "cause" not in rows[0] and "wage_amount" not in rows[0]
    assert_problem(worker.get(f"{BASE}/changes"), 403)
    assert_problem(api_client(mb_employer_user).get(f"{BASE}/changes"), 403)
