"""The payslip pages: the employer submits from the form and sees the findings; the worker sees each payslip's checks
in plain words with what is owed and disputes it; the origin authority and the labour inspector filter payslips with
findings; immigration officers are refused every page; bad input is shown beside the field."""

from __future__ import annotations

import re

import pytest

from corridor.core.access import Role
from corridor.deployment.models import Journey
from corridor.payroll import services
from corridor.payroll.models import Payslip, PayslipDispute

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _form(data: dict, **rows) -> dict:
    """payslip_data as the page's form posts it; `rows` are deduction rows {d0_type: ..., d0_amount: ...}."""
    post = {k: v for k, v in data.items() if k != "deductions"}
    post.update(rows)
    return post


LAWFUL_ROW = {"d0_type": "tax", "d0_amount": "72.00", "d0_evidence": "CRA-2026-01"}
FEE_ROWS = {**LAWFUL_ROW, "d2_type": "other", "d2_other": "recruitment_fee", "d2_amount": "150.00",
            "d2_evidence": "Agency invoice 7"}


def test_employer_submits_from_the_form_and_sees_the_findings(pr_employed, pr_employer, payslip_data, web_client):
    client = web_client(pr_employer)
    journey_page = _text(client.get(f"/journeys/{pr_employed.pk}/"))
    assert f"/payslips/new/?journey={pr_employed.pk}" in journey_page and "Submit a payslip" in journey_page
    form = client.get(f"/payslips/new/?journey={pr_employed.pk}")
    assert form.status_code == 200 and 'value="CAD"' in form.content.decode() and "d4_type" in form.content.decode()

    url = f"/payslips/new/?journey={pr_employed.pk}"
    response = client.post(url, _form(payslip_data(), **LAWFUL_ROW))
    lawful = Payslip.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/payslips/{lawful.pk}/"
    assert lawful.findings == [] and lawful.deductions[0]["evidence"] == "CRA-2026-01"
    assert "found nothing wrong" in _text(client.get(response["Location"], follow=False))

    response = client.post(url, _form(payslip_data(period_start="2026-01-05", period_end="2026-01-11",
                                                   pay_date="2026-01-13", net="498.00"), **FEE_ROWS))
    slip = Payslip.objects.exclude(pk=lawful.pk).get()
    assert response.status_code == 302 and slip.arrears == 150
    page = _text(client.get(f"/payslips/{slip.pk}/"))
    assert "recruitment_fee" in page and "Owed to the worker: 150.00 CAD" in page
    listing = _text(client.get("/payslips/?with_findings=1"))
    assert f"/payslips/{slip.pk}/" in listing and f"/payslips/{lawful.pk}/" not in listing


def test_bad_input_is_shown_beside_the_field(pr_employed, pr_employer, payslip_data, web_client):
    client = web_client(pr_employer)
    url = f"/payslips/new/?journey={pr_employed.pk}"
    response = client.post(url, _form(payslip_data(ordinary_hours="-3", net="900.00"),
                                      d1_amount="10.00", d1_evidence="x"))
    assert response.status_code == 422
    page = _text(response)
    assert 'id="id_ordinary_hours-error">Cannot be negative.' in page
    assert 'id="id_net-error">Net pay cannot be larger than gross pay.' in page
    assert 'id="id_d1_type-error">Every deduction needs its type.' in page
    response = client.post(url, _form(payslip_data(), **LAWFUL_ROW))
    assert response.status_code == 302
    again = client.post(url, _form(payslip_data(), **LAWFUL_ROW))
    assert again.status_code == 409 and "already submitted" in _text(again)
    assert Payslip.objects.count() == 1


def test_only_the_employer_of_a_worker_employed_now(pr_employed, pr_employer, payslip_data, sel_origin, make_user,
                                                    web_client):
    from django.utils import timezone

    url = f"/payslips/new/?journey={pr_employed.pk}"
    employer = web_client(pr_employer)
    assert web_client(sel_origin).get(url).status_code == 403
    assert web_client(make_user(Role.EMPLOYER, country="CA")).get(url).status_code in (403, 404)
    assert employer.get("/payslips/new/").status_code == 404
    assert employer.get("/payslips/new/?journey=abc").status_code == 404
    Journey.objects.filter(pk=pr_employed.pk).update(state="returned", returned_on=timezone.localdate())
    response = employer.post(url, _form(payslip_data(), **LAWFUL_ROW))
    assert response.status_code == 409 and "not employed" in _text(response)
    assert not Payslip.objects.exists()


@pytest.fixture
def unlawful(pr_employed, pr_employer, payslip_data):
    return services.payslip_submit(actor=pr_employer, journey=pr_employed, **payslip_data(
        net="498.00", deductions=[{"type": "tax", "amount": "72.00", "evidence": "CRA"},
                                  {"type": "recruitment_fee", "amount": "150.00", "evidence": "Invoice 7"}]))


def test_the_worker_sees_the_checks_and_disputes(unlawful, ct_worker, web_client):
    client = web_client(ct_worker.user)
    assert "/payslips/me/" in _text(client.get("/journeys/me/"))
    page = _text(client.get("/payslips/me/"))
    assert "Money was taken from your pay that may not be taken." in page
    assert "recruitment_fee" in page and "Owed to the worker: 150.00 CAD" in page
    assert "In all, 150.00 CAD is owed on this payslip." in page
    assert f'action="/payslips/{unlawful.pk}/dispute/"' in page
    assert client.get(f"/payslips/{unlawful.pk}/")["Location"] == f"/payslips/me/#payslip-{unlawful.pk}"
    assert client.get("/payslips/")["Location"] == "/payslips/me/"

    prefix = f"d{unlawful.pk}-reason"
    assert client.post(f"/payslips/{unlawful.pk}/dispute/", {prefix: ""}).status_code == 422
    response = client.post(f"/payslips/{unlawful.pk}/dispute/", {prefix: "I never agreed to pay a fee."})
    assert response.status_code == 302 and response["Location"] == f"/payslips/me/#payslip-{unlawful.pk}"
    assert PayslipDispute.objects.get().reason == "I never agreed to pay a fee."
    page = _text(client.get("/payslips/me/"))
    assert "You disputed this payslip" in page and f'action="/payslips/{unlawful.pk}/dispute/"' not in page
    again = client.post(f"/payslips/{unlawful.pk}/dispute/", {prefix: "Again."})
    assert again.status_code == 409 and "already open" in _text(again)


def test_authorities_see_their_remit_and_immigration_is_refused(unlawful, sel_origin, dp_inspector, sel_jm_origin,
                                                                 dp_immigration, pr_employer, web_client):
    for user in (sel_origin, dp_inspector):
        client = web_client(user)
        listing = _text(client.get("/payslips/?with_findings=1"))
        assert f"/payslips/{unlawful.pk}/" in listing and "150.00 CAD" in listing
        detail = _text(client.get(f"/payslips/{unlawful.pk}/"))
        assert "Owed to the worker: 150.00 CAD" in detail and "dispute/" not in detail
    other_origin = web_client(sel_jm_origin)
    assert f"/payslips/{unlawful.pk}/" not in _text(other_origin.get("/payslips/"))
    assert other_origin.get(f"/payslips/{unlawful.pk}/").status_code == 404
    immigration = web_client(dp_immigration)
    for url in ("/payslips/", "/payslips/me/", f"/payslips/{unlawful.pk}/",
                f"/payslips/new/?journey={unlawful.journey_id}"):
        assert immigration.get(url).status_code == 403, url
    assert immigration.post(f"/payslips/{unlawful.pk}/dispute/", {}).status_code == 403
    # An employer is not a worker: the dispute is refused.
    assert web_client(pr_employer).post(f"/payslips/{unlawful.pk}/dispute/",
                                        {f"d{unlawful.pk}-reason": "x"}).status_code == 403


def test_empty_pages_and_home_links(pr_employed, pr_employer, ct_worker, dp_inspector, web_client):
    worker = web_client(ct_worker.user)
    page = worker.get("/payslips/me/")
    assert page.status_code == 200 and "No payslip yet" in _text(page)
    assert "/payslips/me/" in _text(worker.get("/"))
    employer = web_client(pr_employer)
    assert "No payslip to show." in _text(employer.get("/payslips/"))
    assert "/payslips/" in _text(employer.get("/"))
    assert "/payslips/" in _text(web_client(dp_inspector).get("/"))
