"""Payslips through /api/v1/payslips: the employer submits a lawful payslip (no findings) and one with a recruitment
fee deducted (a finding with the arrears owed, seen by the worker, the origin authority and the labour inspectorate,
refused to the immigration authority); bad input answered 422 naming the field; a payslip for a worker the employer
does not employ now refused; the worker's dispute; never a 500."""

import pytest
from django.utils import timezone

from corridor.conftest import ApiClient
from corridor.deployment.models import Journey
from corridor.payroll.models import Payslip, PayslipDispute

pytestmark = pytest.mark.django_db

BASE = "payslips"


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
    clients = {}

    def make(user):
        if user.pk not in clients:
            clients[user.pk] = ApiClient(user)
        return clients[user.pk]

    return make


FEE = [{"type": "tax", "amount": "72.00", "evidence": "CRA-2026-01"},
       {"type": "recruitment_fee", "amount": "150.00", "evidence": "Agency invoice 7"}]


def test_lawful_and_unlawful_payslips_and_who_sees_them(api_client, pr_employed, pr_employer, payslip_data, ct_worker,
                                                         sel_origin, dp_inspector, dp_immigration, sel_jm_origin):
    employer = api_client(pr_employer)
    lawful = ok(employer.post(BASE, {"journey": pr_employed.pk, **payslip_data()}), 201)
    assert lawful["findings"] == [] and lawful["arrears"] == "0.00" and lawful["due"] == "720.00"
    assert lawful["worker"]["public_id"] == ct_worker.public_id and lawful["deductions"][0]["type"] == "tax"
    assert lawful["disputes"] == []

    data = payslip_data(period_start="2026-01-05", period_end="2026-01-11", pay_date="2026-01-13", net="498.00",
                        deductions=FEE)
    unlawful = ok(employer.post(BASE, {"journey": pr_employed.pk, **data}), 201)
    assert [f["code"] for f in unlawful["findings"]] == ["deduction_not_allowed"]
    finding = unlawful["findings"][0]
    assert finding["arrears"] == "150.00" and finding["amounts"]["type"] == "recruitment_fee"
    assert unlawful["arrears"] == "150.00"

    for user in (ct_worker.user, sel_origin, dp_inspector, pr_employer):
        body = ok(api_client(user).get(BASE, with_findings="true"))
        assert [p["id"] for p in body["items"]] == [unlawful["id"]], user
        assert ok(api_client(user).get(BASE, journey=pr_employed.pk))["count"] == 2
        assert ok(api_client(user).get(f"{BASE}/{unlawful['id']}"))["arrears"] == "150.00"
    # Another country's origin authority sees none of them.
    assert ok(api_client(sel_jm_origin).get(BASE))["count"] == 0
    assert_problem(api_client(sel_jm_origin).get(f"{BASE}/{unlawful['id']}"), 404)

    # The immigration authority is refused every route, before any input is read.
    immigration = api_client(dp_immigration)
    assert_problem(immigration.get(BASE), 403)
    assert_problem(immigration.get(f"{BASE}/{unlawful['id']}"), 403)
    assert_problem(immigration.post(BASE, {"journey": pr_employed.pk, **payslip_data()}), 403)
    assert_problem(immigration.post(f"{BASE}/{unlawful['id']}/disputes", {"reason": "x"}), 403)
    assert_problem(immigration.post(BASE, raw="not json"), 403)

    # The same period twice is a conflict.
    assert_problem(employer.post(BASE, {"journey": pr_employed.pk, **payslip_data()}), 409, "period_start")
    assert Payslip.objects.count() == 2


@pytest.mark.parametrize(("changes", "field"), [
    ({"ordinary_hours": "-4"}, "ordinary_hours"),
    ({"overtime_hours": "abc"}, "overtime_hours"),
    ({"net": "800.00"}, "net"),
    ({"gross": ""}, "gross"),
    ({"deductions": [{"amount": "10.00", "evidence": "x"}]}, "deductions.0.type"),
    ({"deductions": [{"type": "tax", "amount": "-1"}]}, "deductions.0.amount"),
    ({"period_start": "2026-13-40"}, "period_start"),
    ({"currency": "dollars"}, "currency"),
    ({"payment_method": ""}, "payment_method"),
    ({"stated_unit": "fortnight"}, "stated_unit"),
])
def test_bad_input_names_the_field(api_client, pr_employed, pr_employer, payslip_data, changes, field):
    response = api_client(pr_employer).post(BASE, {"journey": pr_employed.pk, **payslip_data(**changes)})
    assert_problem(response, 422, field)
    assert not Payslip.objects.exists()


def test_bad_shapes_are_422_never_500(api_client, pr_employed, pr_employer, payslip_data):
    client = api_client(pr_employer)
    assert_problem(client.post(BASE, {**payslip_data()}), 422)
    assert_problem(client.post(BASE, {"journey": 2**40, **payslip_data()}), 404)
    assert_problem(client.post(BASE, {"journey": pr_employed.pk, **payslip_data(deductions="tax")}), 422)
    assert_problem(client.post(BASE, raw="{"), 400)
    assert_problem(client.get(f"{BASE}/{2**40}"), 404)
    assert_problem(client.get(BASE, journey="x"), 422)


def test_only_the_employer_of_a_worker_employed_now_submits(api_client, pr_employed, pr_employer, payslip_data,
                                                            sel_origin, make_user, ct_worker):
    from corridor.core.access import Role

    payload = {"journey": pr_employed.pk, **payslip_data()}
    # The origin authority sees the journey but does not employ the worker.
    assert_problem(api_client(sel_origin).post(BASE, payload), 403)
    assert_problem(api_client(ct_worker.user).post(BASE, payload), 403)
    # Another employer does not even see the journey.
    other = make_user(Role.EMPLOYER, country="CA")
    assert api_client(other).post(BASE, payload).status_code in (403, 404)
    # Once the worker has returned, the employer no longer employs them.
    Journey.objects.filter(pk=pr_employed.pk).update(state="returned", returned_on=timezone.localdate())
    assert_problem(api_client(pr_employer).post(BASE, payload), 409, "journey")
    assert not Payslip.objects.exists()


def test_the_worker_disputes_a_payslip(api_client, pr_employed, pr_employer, payslip_data, ct_worker, sel_origin,
                                       dp_inspector):
    slip = ok(api_client(pr_employer).post(BASE, {"journey": pr_employed.pk,
                                                          **payslip_data(net="498.00", deductions=FEE)}), 201)
    worker = api_client(ct_worker.user)
    url = f"{BASE}/{slip['id']}/disputes"
    assert_problem(api_client(pr_employer).post(url, {"reason": "Wrong."}), 403)
    assert_problem(api_client(sel_origin).post(url, {"reason": "Wrong."}), 403)
    assert_problem(worker.post(url, {"reason": "  "}), 422, "reason")
    dispute = ok(worker.post(url, {"reason": "I never agreed to a recruitment fee."}), 201)
    assert dispute["status"] == "open" and dispute["payslip"] == slip["id"]
    assert_problem(worker.post(url, {"reason": "Again."}), 409, "payslip")
    assert_problem(worker.post(f"{BASE}/{2**40}/disputes", {"reason": "x"}), 404)
    for user in (ct_worker.user, pr_employer, dp_inspector):
        disputes = ok(api_client(user).get(f"{BASE}/{slip['id']}"))["disputes"]
        assert [d["reason"] for d in disputes] == ["I never agreed to a recruitment fee."]
    assert PayslipDispute.objects.count() == 1

