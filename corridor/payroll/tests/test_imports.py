"""Pay runs uploaded as CSV (payroll/imports.py): a good file (dry run, then saved), bad rows named by row and field
with nothing saved, a worker the employer does not employ, duplicate periods, the deductions column in both forms;
the API (/api/v1/payslips/import: multipart or a text/csv body, 422 naming row and field, refused to immigration) and
the upload page (/payslips/upload/)."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from corridor.conftest import PASSWORD, ApiClient
from corridor.core.access import Role
from corridor.core.errors import Forbidden, InvalidInput
from corridor.core.models import AuditEvent
from corridor.payroll import imports
from corridor.payroll.models import Payslip

pytestmark = pytest.mark.django_db

HEADER = ("worker,period_start,period_end,pay_date,currency,gross,net,ordinary_hours,overtime_hours,deductions,"
          "payment_method,stated_rate,stated_unit")


def _week(k: int) -> tuple[str, str, str]:
    start = timezone.localdate() - datetime.timedelta(days=7 * (30 - k))
    return (start.isoformat(), (start + datetime.timedelta(days=6)).isoformat(),
            (start + datetime.timedelta(days=8)).isoformat())


def line(worker, k: int, *, gross="720.00", net="648.00", deductions="tax:72.00:CRA-2026-01", rate="18.00",
         method="Direct deposit", currency="CAD") -> str:
    start, end, paid = _week(k)
    out = io.StringIO()
    csv.writer(out).writerow([worker, start, end, paid, currency, gross, net, 40, 0, deductions, method, rate, "hour"])
    return out.getvalue().strip()


def csv_of(*lines: str) -> bytes:
    return ("\n".join((HEADER, *lines)) + "\n").encode()


def test_good_file_dry_run_then_saved(pr_employed, pr_employer, ct_accepted, ct_worker):
    data = csv_of(line(pr_employed.pk, 1), line(ct_accepted.verification_code, 2),
                  line(ct_worker.public_id, 3, net="548,00", deductions="tax:72.00:CRA;recruitment_fee:100:Invoice 7"),
                  line(pr_employed.pk, 4, deductions='[{"type": "tax", "amount": "72.00", "evidence": "CRA"}]'))
    report = imports.payslip_import(actor=pr_employer, data=data, filename="run.csv", dry_run=True)
    assert report.errors == []
    assert report.ok and report.rows == 4 and report.valid == 4 and report.with_findings == 1
    assert report.findings == {"deduction_not_allowed": 1} and report.arrears == {"CAD": "100.00"}
    assert not Payslip.objects.exists() and not report.committed
    assert report.preview[2]["findings"] == "deduction_not_allowed"

    report = imports.payslip_import(actor=pr_employer, data=data, filename="run.csv", dry_run=False)
    assert report.committed and report.saved == 4 and Payslip.objects.count() == 4
    fee = Payslip.objects.get(net="548.00")
    assert fee.deductions[1] == {"type": "recruitment_fee", "amount": "100.00", "evidence": "Invoice 7"}
    assert Payslip.objects.get(period_start=_week(4)[0]).deductions == [
        {"type": "tax", "amount": "72.00", "evidence": "CRA"}]
    assert AuditEvent.objects.filter(action="payslip.pay_run").count() == 1


def test_bad_rows_are_named_and_nothing_is_saved(pr_employed, pr_employer):
    data = csv_of(line(pr_employed.pk, 1), line(pr_employed.pk, 2, net="900.00"),
                  line(pr_employed.pk, 3, deductions="tax=72"), line("", 4), line(pr_employed.pk, 5, gross="abc"),
                  line(pr_employed.pk, 6, deductions="tax:"))
    report = imports.payslip_import(actor=pr_employer, data=data, filename="run.csv", dry_run=True)
    expected = [(3, "net"), (4, "deductions"), (5, "worker"), (6, "gross"), (7, "deductions.0.amount")]
    assert [(e["row"], e["field"]) for e in report.errors] == expected
    assert report.valid == 1 and not report.ok
    with pytest.raises(InvalidInput) as refused:
        imports.payslip_import(actor=pr_employer, data=data, filename="run.csv", dry_run=False)
    assert [(e["row"], e["field"]) for e in refused.value.as_errors()] == expected
    assert not Payslip.objects.exists()


def test_missing_column_is_named(pr_employer):
    with pytest.raises(InvalidInput) as refused:
        imports.payslip_import(actor=pr_employer, data=b"worker,period_start\n1,2026-01-01\n", dry_run=True)
    assert refused.value.as_errors()[0]["field"] == "period_end"


def test_employer_not_employing_the_worker(pr_employed, make_user, ct_accepted, payslip_data):
    other = make_user(Role.EMPLOYER)
    data = csv_of(line(pr_employed.pk, 1), line(ct_accepted.verification_code, 2))
    with pytest.raises(InvalidInput) as refused:
        imports.payslip_import(actor=other, data=data, dry_run=False)
    assert [(e["row"], e["field"]) for e in refused.value.as_errors()] == [(2, "worker"), (3, "worker")]
    with pytest.raises(Forbidden):
        imports.payslip_import(actor=make_user(Role.LABOUR_INSPECTOR), data=data, dry_run=True)
    assert not Payslip.objects.exists()


def test_duplicate_period_in_the_file_and_already_submitted(pr_employed, pr_employer):
    imports.payslip_import(actor=pr_employer, data=csv_of(line(pr_employed.pk, 1)), dry_run=False)
    data = csv_of(line(pr_employed.pk, 2), line(pr_employed.pk, 1), line(pr_employed.pk, 2))
    with pytest.raises(InvalidInput) as refused:
        imports.payslip_import(actor=pr_employer, data=data, dry_run=False)
    errors = refused.value.as_errors()
    assert [(e["row"], e["field"]) for e in errors] == [(3, "period_start"), (4, "period_start")]
    assert "row 2" in errors[1]["message"]
    assert Payslip.objects.count() == 1


# --- the API -------------------------------------------------------------------------------------------------------


def _client(user) -> Client:
    return ApiClient(user).client  # signed in, second factor passed where the role needs one


URL = "/api/v1/payslips/import"


def test_api_import_multipart_and_csv_body(pr_employed, pr_employer):
    client = _client(pr_employer)
    data = csv_of(line(pr_employed.pk, 1), line(pr_employed.pk, 2))
    dry = client.post(URL, {"file": SimpleUploadedFile("run.csv", data, "text/csv")})
    assert dry.status_code == 200, dry.content
    assert dry.json()["ok"] and dry.json()["valid"] == 2 and not Payslip.objects.exists()
    done = client.post(URL, {"file": SimpleUploadedFile("run.csv", data, "text/csv"), "dry_run": "false"})
    assert done.status_code == 201, done.content
    assert done.json()["saved"] == 2 and Payslip.objects.count() == 2
    body = client.post(f"{URL}?dry_run=false", csv_of(line(pr_employed.pk, 3)), content_type="text/csv")
    assert body.status_code == 201, body.content
    assert Payslip.objects.count() == 3


def test_api_import_422_names_rows_and_fields(pr_employed, pr_employer):
    client = _client(pr_employer)
    data = csv_of(line(pr_employed.pk, 1), line(pr_employed.pk, 2, net="1000", currency="1X"))
    response = client.post(URL, {"file": SimpleUploadedFile("run.csv", data, "text/csv"), "dry_run": "false"})
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    errors = response.json()["errors"]
    assert {(e["row"], e["field"]) for e in errors} == {(3, "net"), (3, "currency")}
    as_csv = client.post(f"{URL}?format=csv", {"file": SimpleUploadedFile("run.csv", data, "text/csv"),
                                                "dry_run": "false"})
    assert as_csv.status_code == 422 and b"currency" in as_csv.content
    bad_flag = client.post(URL, {"file": SimpleUploadedFile("run.csv", data, "text/csv"), "dry_run": "maybe"})
    assert bad_flag.status_code == 422 and bad_flag.json()["errors"][0]["field"] == "dry_run"
    assert not Payslip.objects.exists()


def test_api_import_refused_to_immigration_and_workers(pr_employed, dp_immigration, ct_worker):
    data = csv_of(line(pr_employed.pk, 1))
    assert _client(dp_immigration).post(URL, {"file": SimpleUploadedFile("r.csv", data)}).status_code == 403
    assert _client(ct_worker.user).post(URL, {"file": SimpleUploadedFile("r.csv", data)}).status_code == 403
    assert not Payslip.objects.exists()


# --- the page ------------------------------------------------------------------------------------------------------


def test_upload_page_check_then_import(pr_employed, pr_employer, ct_worker, dp_immigration):
    client = _client(pr_employer)
    page = client.get("/payslips/upload/")
    assert page.status_code == 200 and b"deductions" in page.content
    assert _client(ct_worker.user).get("/payslips/upload/").status_code == 403
    assert _client(dp_immigration).get("/payslips/upload/").status_code == 403
    bad = csv_of(line(pr_employed.pk, 1, net="900"))
    checked = client.post("/payslips/upload/", {"step": "check", "file": SimpleUploadedFile("r.csv", bad)})
    assert checked.status_code == 422 and b"net" in checked.content
    good = csv_of(line(pr_employed.pk, 1), line(pr_employed.pk, 2, net="548.00",
                                                deductions="tax:72:CRA;recruitment_fee:100:Inv"))
    checked = client.post("/payslips/upload/", {"step": "check", "file": SimpleUploadedFile("r.csv", good)})
    assert checked.status_code == 200 and b"deduction_not_allowed" in checked.content
    assert not Payslip.objects.exists()
    payload = checked.context["checked"].initial["payload"]
    done = client.post("/payslips/upload/", {"step": "commit", "payload": payload, "filename": "r.csv", "mapping": ""})
    assert done.status_code == 302 and Payslip.objects.count() == 2


def test_password_constant_is_used_for_login():
    assert isinstance(PASSWORD, str) and json.dumps(PASSWORD)
