"""The returns API: 422 naming fields, 403, 404, 409, and the firewall (an immigration officer gets no payout,
evaluation or retaliation flag, and no return record)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from corridor.deployment.models import Journey
from corridor.returns import services
from corridor.returns.models import OverstayFlag, ReturnRecord

pytestmark = pytest.mark.django_db
BASE = "/api/v1/returns"


def today() -> datetime.date:
    return timezone.localdate()


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


def test_register_a_return(pr_employed, sel_origin, api_client, return_data):
    client = api_client(sel_origin)
    body = ok(client.post(BASE, {"journey": pr_employed.pk, **return_data(early_reason="abuse")}), 201)
    assert body["early"] is True and body["early_reason"] == "abuse" and body["counts_as_agreed"] is True
    assert Journey.objects.get(pk=pr_employed.pk).state == "returned"
    assert ok(client.get(f"{BASE}/{body['id']}"))["journey"] == pr_employed.pk
    assert ok(client.get(BASE, journey=pr_employed.pk))["count"] == 1
    assert_problem(client.post(BASE, {"journey": pr_employed.pk, **return_data()}), 409, "journey")


def test_register_errors_name_the_fields_and_save_nothing(pr_employed, sel_origin, api_client, return_data):
    client = api_client(sel_origin)
    future = (today() + datetime.timedelta(days=3)).isoformat()
    body = assert_problem(client.post(BASE, {"journey": pr_employed.pk, **return_data(returned_on=future,
                                                                                        early_reason="",
                                                                                        evidence="")}), 422)
    assert {e["field"] for e in body["errors"]} == {"returned_on", "evidence", "early_reason"}
    body = assert_problem(client.post(BASE, {"journey": pr_employed.pk, **return_data(early_reason="")}), 422)
    assert {e["field"] for e in body["errors"]} == {"early_reason"}
    assert Journey.objects.get(pk=pr_employed.pk).state == "employed" and not ReturnRecord.objects.exists()


def test_register_refused_and_not_found(pr_employed, pr_employer, api_client, return_data, make_user):
    assert_problem(api_client(pr_employer).post(BASE, {"journey": pr_employed.pk, **return_data()}), 403)
    stranger = make_user("origin_officer", country="JM")
    assert_problem(api_client(stranger).post(BASE, {"journey": pr_employed.pk, **return_data()}), 404, "journey")
    assert_problem(api_client(pr_employer).get(f"{BASE}/999999"), 404)


def test_register_with_a_file(pr_employed, sel_origin, api_client, return_data):
    client = api_client(sel_origin)
    fake = SimpleUploadedFile("x.pdf", b"plain text", content_type="application/pdf")
    response = client.client.post(f"{BASE}/with-file", {"journey": pr_employed.pk, **return_data(),
                                                         "evidence_file": fake})
    assert_problem(response, 422, "evidence_file")
    png = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, content_type="image/png")
    response = client.client.post(f"{BASE}/with-file", {"journey": pr_employed.pk, **return_data(),
                                                         "evidence_file": png})
    body = ok(response, 201)
    assert body["evidence_file"] is True and body["evidence_content_type"] == "image/png"


def test_details_of_an_already_recorded_return(pr_employed, sel_origin, api_client, return_data):
    from corridor.deployment import services as dp

    dp.return_record(actor=sel_origin, journey=pr_employed, returned_on=today().isoformat(), as_agreed=True)
    body = ok(api_client(sel_origin).post(BASE, {"journey": pr_employed.pk, **return_data(returned_on=None)}), 201)
    assert body["returned_on"] == today().isoformat()


def test_payouts(rt_returned, pr_employer, rt_worker, api_client, dp_inspector):
    employer = api_client(pr_employer)
    data = {"journey": rt_returned.pk, "kind": "insurance", "amount": "800", "currency": "cad",
            "transferred_on": today().isoformat(), "reference": "DGI-77"}
    body = ok(employer.post(f"{BASE}/payouts", data), 201)
    assert body["currency"] == "CAD" and body["status"] == "recorded"
    assert_problem(employer.post(f"{BASE}/payouts", data), 409, "reference")
    assert_problem(employer.post(f"{BASE}/payouts", {**data, "amount": "zero", "reference": "x"}), 422, "amount")
    assert_problem(employer.post(f"{BASE}/payouts/{body['id']}/answer", {"received": True}), 403)
    worker = api_client(rt_worker)
    assert_problem(worker.post(f"{BASE}/payouts/{body['id']}/answer", {}), 422, "received")
    answered = ok(worker.post(f"{BASE}/payouts/{body['id']}/answer", {"received": False, "note": "Nothing came."}))
    assert answered["status"] == "not_received"
    inspector = api_client(dp_inspector)
    assert ok(inspector.get(f"{BASE}/payouts", status="not_received"))["count"] == 1
    assert_problem(inspector.get(f"{BASE}/payouts", status="lost"), 422, "status")
    assert_problem(worker.post(f"{BASE}/payouts/{2**40}/answer", {"received": True}), 404)


def test_overstay_flags(pr_employed, rt_permit, dp_immigration, sel_origin, api_client, rt_worker, pr_employer):
    rt_permit(today() - datetime.timedelta(days=1))
    services.overstay_scan()
    flag = OverstayFlag.objects.get()
    immigration = api_client(dp_immigration)
    listed = ok(immigration.get(f"{BASE}/overstay-flags"))
    assert listed["count"] == 1 and listed["items"][0]["permit_ended_on"] == (today() - datetime.timedelta(days=1)).isoformat()
    assert ok(api_client(rt_worker).get(f"{BASE}/overstay-flags"))["count"] == 1
    assert ok(api_client(pr_employer).get(f"{BASE}/overstay-flags"))["count"] == 0
    assert_problem(immigration.post(f"{BASE}/overstay-flags/{flag.pk}/resolve", {"resolution": "x"}), 422, "resolution")
    assert_problem(api_client(sel_origin).post(f"{BASE}/overstay-flags/{flag.pk}/resolve",
                                               {"resolution": "returned", "note": "Called."}), 409, "resolution")
    body = ok(immigration.post(f"{BASE}/overstay-flags/{flag.pk}/resolve",
                               {"resolution": "permit_renewed", "note": "Extension granted on 3 May."}))
    assert body["status"] == "resolved"


def test_evaluations(rt_returned, rt_worker, pr_employer, api_client, sel_origin):
    worker = api_client(rt_worker)
    scores = {"journey": rt_returned.pk, "pay": 5, "housing": 2, "safety": 4, "respect": 5, "would_return": 4}
    body = assert_problem(worker.post(f"{BASE}/evaluations/employers", {**scores, "pay": 0, "respect": "x"}), 422)
    assert {e["field"] for e in body["errors"]} == {"pay", "respect"}
    ok(worker.post(f"{BASE}/evaluations/employers", scores), 201)
    assert_problem(worker.post(f"{BASE}/evaluations/employers", scores), 409, "journey")
    employer = api_client(pr_employer)
    assert ok(employer.get(f"{BASE}/evaluations/employers"))["count"] == 0
    aggregate = ok(employer.get(f"{BASE}/evaluations/employers/aggregate"))
    assert aggregate["responses"] == 1 and aggregate["averages"] is None
    evaluation = ok(employer.post(f"{BASE}/evaluations/workers", {"journey": rt_returned.pk, "skills": 3,
                                                                  "reliability": 4, "would_rehire": 4}), 201)
    assert ok(worker.get(f"{BASE}/evaluations/workers"))["count"] == 1
    assert_problem(employer.post(f"{BASE}/evaluations/workers/{evaluation['id']}/response", {"response": "x"}), 403)
    answered = ok(worker.post(f"{BASE}/evaluations/workers/{evaluation['id']}/response", {"response": "Thanks."}))
    assert answered["worker_response"] == "Thanks."
    assert ok(api_client(sel_origin).get(f"{BASE}/evaluations/employers"))["count"] == 1


def test_immigration_gets_nothing_of_payouts_evaluations_retaliation_or_returns(rt_returned, pr_employer, rt_worker,
                                                                                 dp_immigration, api_client):
    services.payout_record(actor=pr_employer, journey=rt_returned, kind="final_pay", amount="10", currency="CAD",
                           transferred_on=today().isoformat(), reference="R1")
    services.worker_evaluate(actor=pr_employer, journey=rt_returned, skills=3, reliability=3, would_rehire=3)
    services.employer_evaluate(actor=rt_worker, journey=rt_returned, pay=3, housing=3, safety=3, respect=3,
                               would_return=3)
    client = api_client(dp_immigration)
    for url in ("payouts", "evaluations/employers", "evaluations/workers", "evaluations/employers/aggregate",
                "retaliation-flags"):
        assert_problem(client.get(f"{BASE}/{url}"), 403)
    assert ok(client.get(BASE))["count"] == 0
    assert_problem(client.get(f"{BASE}/{ReturnRecord.objects.get().pk}"), 404)


def test_overdue_and_aggregate_for_officials(pr_employed, sel_origin, sel_admin, sel_employer, api_client):
    from corridor.joborders.models import JobOrder

    client = api_client(sel_origin)
    assert ok(client.get(f"{BASE}/overdue"))["count"] == 0
    JobOrder.objects.filter(pk=pr_employed.placement.job_order_id).update(
        start_date=today() - datetime.timedelta(days=60), end_date=today() - datetime.timedelta(days=2))
    items = ok(client.get(f"{BASE}/overdue"))["items"]
    assert [i["journey"] for i in items] == [pr_employed.pk]
    admin = api_client(sel_admin)
    aggregate = ok(admin.get(f"{BASE}/evaluations/employers/aggregate", employer=sel_employer.pk))
    assert aggregate["responses"] == 0 and aggregate["shown"] is False
    assert_problem(admin.get(f"{BASE}/evaluations/employers/aggregate"), 404, "employer")


def test_retaliation_routes(rt_returned, dp_inspector, sel_admin, pr_employer, api_client):
    from corridor.selection import services as selection

    rnd = selection.round_create(actor=sel_admin, programme=rt_returned.placement.job_order.programme, title="R2")
    admin, inspector = api_client(sel_admin), api_client(dp_inspector)
    assert ok(admin.post(f"{BASE}/retaliation-scan", {"round": rnd.pk})) == []
    assert_problem(api_client(pr_employer).post(f"{BASE}/retaliation-scan", {"round": rnd.pk}), 403)
    assert_problem(admin.post(f"{BASE}/retaliation-scan", {"round": 999999}), 404, "round")
    assert ok(inspector.get(f"{BASE}/retaliation-flags"))["count"] == 0
    assert_problem(inspector.get(f"{BASE}/retaliation-flags", status="x"), 422, "status")
    assert_problem(inspector.post(f"{BASE}/retaliation-flags/5/decide", {}), 404)
