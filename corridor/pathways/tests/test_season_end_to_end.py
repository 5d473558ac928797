"""One worker's season end to end, through the services and the pages of every part of the stay and return:
payslips come in and an unlawful deduction is caught and shown to the worker, the worker changes employer without
anyone's permission, returns, keeps recall by rule for the next season, sees their pathway progress and downloads
a verifiable skills certificate."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from corridor.contracts import services as ct
from corridor.core.models import Notification
from corridor.deployment.models import Journey
from corridor.mobility import services as mb
from corridor.mobility.tests.conftest import (  # noqa: F401  (fixtures)
    make_mb_order,
    mb_employer,
    mb_employer_user,
    mb_opening,
    mb_order,
)
from corridor.pathways import selectors as pathway_selectors
from corridor.pathways import services as pw
from corridor.payroll import services as pay
from corridor.returns import services as rt
from corridor.selection.models import SeasonRecord

pytestmark = pytest.mark.django_db


def test_a_season_end_to_end(pr_employed, pr_employer, payslip_data, mb_opening, mb_employer_user, sel_origin,  # noqa: F811
                             sel_programme, web_client, api_client):
    worker = pr_employed.worker

    # 1. Payslips come in; a recruitment fee taken from the pay is caught and the worker is told.
    lawful = pay.payslip_submit(actor=pr_employer, journey=pr_employed, **payslip_data())
    assert lawful.findings == []
    start = datetime.date.fromisoformat(payslip_data()["period_end"]) + datetime.timedelta(days=1)
    unlawful = pay.payslip_submit(actor=pr_employer, journey=pr_employed, **payslip_data(
        period_start=start.isoformat(), period_end=(start + datetime.timedelta(days=6)).isoformat(),
        pay_date=(start + datetime.timedelta(days=8)).isoformat(), net="398.00",
        deductions=[{"type": "tax", "amount": "72.00", "evidence": "CRA"},
                    {"type": "recruitment_fee", "amount": "250.00", "evidence": "Agency invoice"}]))
    assert unlawful.findings and unlawful.arrears > 0
    assert Notification.objects.filter(user=worker.user, kind__startswith="payslip", subject_id=str(unlawful.pk)).exists()
    worker_page = web_client(worker.user).get("/payslips/me/")
    assert worker_page.status_code == 200 and "250.00" in worker_page.content.decode()
    pay.dispute_raise(actor=worker.user, payslip=unlawful, reason="The agency fee was taken from my pay.")

    # 2. The worker changes employer: applies, the new employer accepts, the new contract is locked and accepted,
    # the worker moves. The old employer is never asked, only told.
    application = mb.application_create(actor=worker.user, opening=mb_opening, cause="own_choice",
                                        message="I would like to work at the vineyard.")
    application = mb.application_accept(actor=mb_employer_user, application=application)
    contract = application.placement.contracts.get()
    contract = ct.contract_sign(actor=mb_employer_user, contract=contract)
    contract = ct.contract_approve(actor=sel_origin, contract=contract)
    ct.contract_answer(actor=worker.user, contract=contract, accept=True, via="web")
    application.refresh_from_db()
    new_journey = mb.move_complete(actor=worker.user, application=application)
    pr_employed.refresh_from_db()
    assert pr_employed.state == "moved" and new_journey.state == "employed" and new_journey.previous_id == pr_employed.pk
    old_employer_org = pr_employer.organisation_id
    assert Notification.objects.filter(organisation_ref=old_employer_org, kind="mobility.moved").exists()

    # 3. The worker returns (early, for illness: still as agreed) and the season is recorded for recall by rule.
    rt.return_register(actor=sel_origin, journey=new_journey, returned_on=timezone.localdate().isoformat(),
                                evidence="Exit stamp seen, passport page 12", early_reason="illness")
    assert Journey.objects.get(pk=new_journey.pk).state == "returned"
    season = SeasonRecord.objects.get(worker=worker, programme=sel_programme)
    assert season.completed and season.returned_as_agreed and season.employer_id == new_journey.placement.job_order.employer_id

    # 4. Pathway progress: one season of the two the programme requires, shown to the worker.
    progress, _ = pathway_selectors.progress_of(worker, sel_programme)
    assert progress.seasons == 1 and not progress.eligible
    page = web_client(worker.user).get("/pathways/me/")
    assert page.status_code == 200

    # 5. A skills certificate: attested by the new employer, issued by the origin authority, downloaded by the worker
    # and verified by anyone from its code.
    cert = pw.certificate_attest(actor=mb_employer_user, journey=new_journey, tasks="Grape harvest; pruning.",
                                 hours_worked="40")
    cert = pw.certificate_issue(actor=sel_origin, certificate=cert)
    pdf = web_client(worker.user).get(f"/pathways/certificates/{cert.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert cert.verification_code in text
    verified = api_client().get(f"pathways/certificates/verify/{cert.verification_code}")
    assert verified.status_code == 200
