"""The returns pages for each role: the origin authority registers a return (errors beside the fields), the worker
confirms payouts, evaluates the employer and answers the employer's evaluation, the employer records payouts,
evaluates and sees only the aggregate, immigration officers see overstay flags only, inspectors decide flags."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from corridor.returns import services
from corridor.returns.models import EmployerEvaluation, OverstayFlag, Payout, ReturnRecord, WorkerEvaluation

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_origin_registers_a_return_from_the_page(pr_employed, sel_origin, web_client, pdf_upload):
    client = web_client(sel_origin)
    url = f"/returns/register/?journey={pr_employed.pk}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"returned_on": today().isoformat(), "evidence": "", "early_reason": ""})
    assert response.status_code == 422
    page = _text(response)
    assert "This is required." in page and "choose the reason" in page
    assert not ReturnRecord.objects.exists()
    response = client.post(url, {"returned_on": today().isoformat(), "evidence": "Boarding pass AM-4412",
                                 "early_reason": "family_emergency", "evidence_file": pdf_upload})
    record = ReturnRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/returns/{record.pk}/"
    detail = _text(client.get(response["Location"]))
    assert "Boarding pass AM-4412" in detail and "Counts as returned as agreed" in detail
    evidence = client.get(f"/returns/{record.pk}/evidence/")
    assert evidence.status_code == 200 and evidence["Content-Type"] == "application/pdf"
    assert f"/returns/{record.pk}/" in _text(client.get("/returns/"))


def test_register_page_refuses_others(pr_employed, pr_employer, web_client):
    assert web_client(pr_employer).get(f"/returns/register/?journey={pr_employed.pk}").status_code == 403


def test_worker_page_payouts_and_evaluations(rt_returned, rt_worker, pr_employer, web_client):
    payout = services.payout_record(actor=pr_employer, journey=rt_returned, kind="final_pay", amount="900",
                                    currency="CAD", transferred_on=today().isoformat(), reference="TR-9")
    client = web_client(rt_worker)
    page = _text(client.get("/returns/me/"))
    assert "TR-9" in page and "Send my evaluation" in page and "keep your priority for recall" in page
    response = client.post(f"/returns/payouts/{payout.pk}/answer/", {f"p{payout.pk}-received": ""})
    assert response.status_code == 422 and "Say whether you received it." in _text(response)
    response = client.post(f"/returns/payouts/{payout.pk}/answer/", {f"p{payout.pk}-received": "no"})
    assert response.status_code == 302
    assert Payout.objects.get().status == "not_received"

    j = rt_returned.pk
    response = client.post(f"/returns/evaluations/journey/{j}/", {f"e{j}-pay": "9"})
    assert response.status_code == 422 and "Give a score from 1 to 5." in _text(response)
    response = client.post(f"/returns/evaluations/journey/{j}/", {f"e{j}-pay": "2", f"e{j}-housing": "3",
                                                                 f"e{j}-safety": "4", f"e{j}-respect": "2",
                                                                 f"e{j}-would_return": "1"})
    assert response.status_code == 302 and EmployerEvaluation.objects.get().pay == 2

    evaluation = services.worker_evaluate(actor=pr_employer, journey=rt_returned, skills=4, reliability=2,
                                          would_rehire=3, comment="Late twice.")
    page = _text(client.get("/returns/me/"))
    assert "Late twice." in page and "never takes away your priority for recall" in page
    response = client.post(f"/returns/evaluations/{evaluation.pk}/respond/",
                           {f"r{evaluation.pk}-response": "The bus was late."})
    assert response.status_code == 302
    assert WorkerEvaluation.objects.get().worker_response == "The bus was late."


def test_employer_records_payouts_evaluates_and_sees_only_the_aggregate(rt_returned, rt_worker, pr_employer,
                                                                        web_client):
    services.employer_evaluate(actor=rt_worker, journey=rt_returned, pay=1, housing=1, safety=1, respect=1,
                               would_return=1, comment="Secret words of the worker.")
    client = web_client(pr_employer)
    url = f"/returns/payouts/?journey={rt_returned.pk}"
    assert 'value="CAD"' in client.get(url).content.decode()
    response = client.post(url, {"journey": rt_returned.pk, "kind": "final_pay", "amount": "", "currency": "CAD",
                                 "transferred_on": today().isoformat(), "reference": "B-1"})
    assert response.status_code == 422 and "This is required." in _text(response)
    response = client.post(url, {"journey": rt_returned.pk, "kind": "final_pay", "amount": "120.50",
                                 "currency": "CAD", "transferred_on": today().isoformat(), "reference": "B-1"})
    assert response.status_code == 302 and Payout.objects.get().amount == 120.5
    page = _text(client.get("/returns/evaluations/"))
    assert "Secret words of the worker." not in page and "1 answer(s) so far" in page
    assert f"?journey={rt_returned.pk}" in page
    response = client.post("/returns/evaluations/", {"journey": rt_returned.pk, "skills": "4", "reliability": "5",
                                                     "would_rehire": "5"})
    assert response.status_code == 302 and WorkerEvaluation.objects.get().skills == 4


def test_immigration_sees_overstay_flags_only(pr_employed, rt_permit, dp_immigration, web_client):
    rt_permit(today() - datetime.timedelta(days=1))
    services.overstay_scan()
    flag = OverstayFlag.objects.get()
    client = web_client(dp_immigration)
    assert client.get("/returns/").status_code == 302
    assert pr_employed.worker.public_id in _text(client.get("/returns/overstay/"))
    response = client.post(f"/returns/overstay/{flag.pk}/", {"resolution": "", "note": ""})
    assert response.status_code == 422
    response = client.post(f"/returns/overstay/{flag.pk}/", {"resolution": "permit_renewed", "note": "Renewed."})
    assert response.status_code == 302
    for url in ("/returns/me/", "/returns/payouts/", "/returns/evaluations/", "/returns/retaliation/",
                f"/returns/payouts/{flag.pk}/answer/"):
        assert client.get(url).status_code == 403


def test_inspector_pages(rt_returned, dp_inspector, web_client):
    client = web_client(dp_inspector)
    assert client.get("/returns/retaliation/").status_code == 200
    assert client.get("/returns/payouts/?status=not_received").status_code == 200
    assert client.get("/returns/retaliation/999999/").status_code == 404
