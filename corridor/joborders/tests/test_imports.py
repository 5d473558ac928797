"""Bulk import of job orders: reading CSV and XLSX with a column mapping, the dry run's row-by-row report, the
atomic import with one audit event, who may import for whom, and the API and pages."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.core import tabular as core_tabular
from corridor.core.access import Role
from corridor.core.errors import Forbidden, InvalidInput
from corridor.core.models import AuditEvent
from corridor.employers import services as employer_services
from corridor.joborders import imports, tabular
from corridor.joborders.models import JobOrder, LabourMarketAdvert, Status
from corridor.joborders.tests.conftest import TODAY

HEADER = [
    "title", "origin_countries", "isco_code", "sector", "positions", "start_date", "end_date", "worksite",
    "wage_amount", "wage_currency", "wage_unit", "hours_per_week", "deductions", "housing", "advert_channel",
    "advert_start", "advert_end", "local_applicants", "local_hires",
]
GOOD = [
    "Apple harvest", "MX;JM", "9211", "A", "6", "2027-05-03", "2027-10-29", "Orchard", "18.00", "CAD", "hour", "40",
    "tax:200", "Bunkhouse", "Job Bank", "2027-01-04", "2027-02-28", "3", "1",
]


def make_csv(rows, header=HEADER, delimiter=",", encoding="utf-8", blank_lines=False) -> bytes:
    """A CSV file as a spreadsheet program saves it (cells quoted where needed), with stray blank lines if asked."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        if blank_lines:
            out.write("\r\n")
    return out.getvalue().encode(encoding)


def good(**changes) -> list[str]:
    row = dict(zip(HEADER, GOOD, strict=True))
    row.update(changes)
    return [row[h] for h in HEADER]


def make_xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FIELDS = ("title", "positions", "start_date", "wage_amount")


# --- reading the file (plain Python) -----------------------------------------------------------------------------


def test_csv_with_semicolons_cp1252_and_blank_lines():
    data = "\r\n\r\nTitle;Positions;Start date;Wage amount\r\n\r\nRécolte de pommes;6;2027-05-03;18,50\r\n\r\nTri;2;2027-06-01;19\r\n".encode("cp1252")
    rows, encoding, header = tabular.read_table(data, "orders.csv", None, FIELDS, ("title",))
    assert encoding == "cp1252"
    assert header == ["Title", "Positions", "Start date", "Wage amount"]
    assert [r.row for r in rows] == [5, 7]
    assert rows[0].cells == {"title": "Récolte de pommes", "positions": "6", "start_date": "2027-05-03", "wage_amount": "18,50"}


def test_utf8_bom_tab_delimiter_and_multiline_cell_keep_line_numbers():
    data = "\ufefftitle\tpositions\n\"Two\nlines\"\t3\nNext\t4\n".encode()
    rows, encoding, _header = tabular.read_table(data, "x.txt", None, FIELDS, ())
    assert encoding == "utf-8"
    assert [(r.row, r.cells["title"]) for r in rows] == [(2, "Two\nlines"), (4, "Next")]
    assert rows[0].get("wage_amount") == ""


def test_xlsx_first_sheet_with_numbers_dates_and_a_blank_row():
    data = make_xlsx([
        ["Title", "Positions", "Start date", "Wage amount"],
        ["Apple harvest", 6, datetime.datetime(2027, 5, 3), 18.5],
        [None, None, None, None],
        ["Packing", 2.0, datetime.date(2027, 6, 1), 19],
    ])
    rows, encoding, _header = tabular.read_table(data, "orders.xlsx", None, FIELDS, FIELDS)
    assert encoding == "xlsx"
    assert [r.row for r in rows] == [2, 4]
    assert rows[0].cells == {"title": "Apple harvest", "positions": "6", "start_date": "2027-05-03", "wage_amount": "18.5"}
    assert rows[1].cells["positions"] == "2"


def test_mapping_is_case_and_space_insensitive_and_wins_over_a_same_named_column():
    data = b"TITLE,Hourly Wage,wage_amount\nPicker,18.20,999\n"
    rows, _enc, _header = tabular.read_table(data, "a.csv", {"wage_amount": "hourly  wage", "Title": "title"}, FIELDS, ("title", "wage_amount"))
    assert rows[0].cells == {"title": "Picker", "wage_amount": "18.20"}
    assert tabular.columns_used(["TITLE", "Hourly Wage"], {"wage_amount": "hourly wage"}, FIELDS) == {
        "title": "TITLE", "wage_amount": "Hourly Wage"}
    assert tabular.parse_mapping("# comment\nwage_amount = Hourly wage\n\ntitle: Job\n") == {
        "wage_amount": "Hourly wage", "title": "Job"}


@pytest.mark.parametrize(
    ("data", "filename", "mapping", "field", "words"),
    [
        (b"title,positions\nA,1\n", "a.csv", None, "wage_amount", "no column for wage_amount"),
        (b"title,positions\nA,1\n", "a.csv", {"wage_amount": "Pay"}, "wage_amount", "does not have"),
        (b"title,wage_amount\nA,1\n", "a.csv", {"salary": "wage_amount"}, "mapping", "not a field"),
        (b"", "a.csv", None, "file", "empty"),
        (b"\r\n \r\n", "a.csv", None, "file", "empty"),
        (b"title,wage_amount\r\n\r\n", "a.csv", None, "file", "no data rows"),
        (b"title,wage_amount\n" + b"x" * 200_000 + b",1\n", "a.csv", None, "file", "malformed"),
        (b"PK\x03\x04 not really a zip", "a.xlsx", None, "file", "not a readable XLSX"),
        (b"title,wage_amount\nA,1\n", "a.xlsx", None, "file", "not an XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "a.xls", None, "file", ".xls"),
    ],
)
def test_files_that_cannot_be_read_are_explained(data, filename, mapping, field, words):
    with pytest.raises(tabular.TableError) as exc:
        tabular.read_table(data, filename, mapping, FIELDS, ("title", "wage_amount"))
    assert exc.value.field == field
    assert words in exc.value.message


def test_missing_column_error_lists_the_files_columns():
    with pytest.raises(tabular.TableError) as exc:
        tabular.read_table(b"Job,Pay\nA,1\n", "a.csv", None, FIELDS, ("title",))
    assert exc.value.field == "title" and "Job, Pay" in exc.value.message


def test_size_and_row_limits():
    with pytest.raises(tabular.TableError, match="larger than"):
        tabular.read_table(b"title\n" + b"a\n" * 100, "a.csv", None, FIELDS, (), max_bytes=50)
    with pytest.raises(tabular.TableError, match="more than 3 data rows"):
        tabular.read_table(b"title\n" + b"a\n" * 4, "a.csv", None, FIELDS, (), max_rows=3)


def test_report_csv_and_capped_errors():
    errors = [{"row": 2, "field": "title", "message": "=cmd|' /C calc'!A0"}, {"row": None, "field": "file", "message": "x"}]
    text = core_tabular.write_report(errors).decode("utf-8-sig")
    assert text.splitlines() == ["row,field,message", "2,title,'=cmd|' /C calc'!A0", ",file,x"]
    many = [{"row": i, "field": "title", "message": "bad"} for i in range(1500)]
    capped = core_tabular.capped(many, 1000)
    assert len(capped) == 1001 and "500 more errors (1500 in all)" in capped[-1]["message"]


def test_order_input_unpacks_adverts_and_translations():
    row = tabular.TableRow(row=2, cells={"title": "T", "advert_channel": "Job Bank", "local_hires": "1",
                                         "translations": '{"es": "Cosecha"}'})
    data, errors = tabular.order_input(row)
    assert not errors
    assert data["adverts"] == [{"channel": "Job Bank", "local_hires": "1"}]
    assert data["translations"] == {"es": "Cosecha"}
    _data, errors = tabular.order_input(tabular.TableRow(row=3, cells={"translations": "Cosecha"}))
    assert errors[0]["field"] == "translations"
    assert tabular.field_of("deductions[1].amount") == ("deductions", "Deduction 2, amount: ")
    assert tabular.field_of("adverts[0].start_date") == ("advert_start", "")


# --- the import service ------------------------------------------------------------------------------------------


@pytest.fixture
def ready(programme, approved, wages, unit):
    return programme


def run(actor, programme, data, **kwargs):
    kwargs.setdefault("today", TODAY)
    return imports.job_order_import(actor=actor, programme=programme, data=data, filename="orders.csv", **kwargs)


def test_dry_run_counts_and_writes_nothing(employer_user, ready):
    report = run(employer_user, ready, make_csv([good(), good(title="Pear harvest"), good(positions="2")]))
    assert (report.rows, report.valid, report.created, report.ok, report.dry_run) == (3, 3, 0, True, True)
    assert report.columns["wage_amount"] == "wage_amount" and report.encoding == "utf-8"
    assert [p["row"] for p in report.preview] == [2, 3, 4]
    assert not JobOrder.objects.exists() and not AuditEvent.objects.filter(action="job_order.import").exists()


def test_broken_rows_are_reported_with_row_and_field_and_nothing_is_written(employer_user, ready):
    data = make_csv([
        good(),
        good(origin_countries="MX;XX", positions="0"),
        good(worksite="Nowhere", deductions="food:abc"),
        good(start_date="2027-13-01", wage_currency="ZZZ"),
        good(housing="Castle"),
    ])
    report = run(employer_user, ready, data)
    assert report.valid == 1
    found = {(e["row"], e["field"]) for e in report.errors}
    assert found == {
        (3, "origin_countries"), (3, "positions"), (4, "worksite"), (4, "deductions"), (5, "start_date"),
        (5, "wage_currency"), (6, "housing"),
    }
    worksite_error = next(e for e in report.errors if e["field"] == "worksite")
    assert "'Nowhere'" in worksite_error["message"] and "Orchard" in worksite_error["message"]
    assert "Deduction 1, amount" in next(e["message"] for e in report.errors if e["field"] == "deductions")
    csv_text = imports.report_csv(report).decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "row,field,message" and "3,positions," in csv_text

    with pytest.raises(InvalidInput) as exc:
        run(employer_user, ready, data, dry_run=False)
    assert {(e["row"], e["field"]) for e in exc.value.as_errors()} == found
    assert not JobOrder.objects.exists() and not LabourMarketAdvert.objects.exists()
    assert not AuditEvent.objects.filter(action="job_order.import").exists()


def test_real_import_creates_drafts_with_one_audit_event(employer_user, employer, ready, worksite, unit):
    rows = [good(title=f"Harvest {i}") for i in range(4)] + [good(worksite=str(worksite.pk), housing=str(unit.pk))]
    report = run(employer_user, ready, make_csv(rows), dry_run=False)
    assert (report.created, report.committed, report.ok) == (5, True, True)
    orders = list(JobOrder.objects.all())
    assert len(orders) == 5 and {o.status for o in orders} == {Status.DRAFT}
    assert len({o.reference for o in orders}) == 5 and all(o.reference.startswith("JO-") for o in orders)
    assert {o.origins_index for o in orders} == {",MX,JM,"}
    assert {(o.worksite_id, o.housing_id, o.employer_id) for o in orders} == {(worksite.pk, unit.pk, employer.pk)}
    assert orders[0].deductions == [{"type": "tax", "amount": "200.00"}]
    assert LabourMarketAdvert.objects.count() == 5
    events = AuditEvent.objects.filter(action="job_order.import")
    assert events.count() == 1
    assert events.get().after["created"] == 5 and events.get().after["employers"] == {"BN 1": 5}
    assert not AuditEvent.objects.filter(action="job_order.create").exists()


def test_semicolon_cp1252_file_with_a_mapping(employer_user, ready):
    header = ["Job title", "Origins", *HEADER[2:8], "Hourly wage", *HEADER[9:]]
    data = make_csv([good(title="Récolte")], header=header, delimiter=";", encoding="cp1252", blank_lines=True)
    report = run(employer_user, ready, data, mapping={"title": "JOB TITLE", "origin_countries": "origins",
                                                      "wage_amount": "Hourly wage"}, dry_run=False)
    assert report.encoding == "cp1252" and report.created == 1
    assert JobOrder.objects.get().title == "Récolte"


def test_xlsx_import(employer_user, ready):
    rows = [HEADER, [*GOOD[:4], 6, datetime.date(2027, 5, 3), datetime.date(2027, 10, 29), *GOOD[7:8], 18.0, *GOOD[9:]]]
    report = imports.job_order_import(actor=employer_user, programme=ready, data=make_xlsx(rows), filename="o.xlsx",
                                      dry_run=False, today=TODAY)
    assert report.encoding == "xlsx" and report.created == 1
    assert JobOrder.objects.get().wage_amount == 18


def test_submit_refuses_rows_under_the_wage_floor(employer_user, ready):
    data = make_csv([good(), good(wage_amount="15.00")])
    report = run(employer_user, ready, data, submit=True)
    assert [(e["row"], e["field"]) for e in report.errors] == [(3, "wage_amount")]
    assert "below the floor" in report.errors[0]["message"]
    with pytest.raises(InvalidInput):
        run(employer_user, ready, data, submit=True, dry_run=False)
    assert not JobOrder.objects.exists()
    report = run(employer_user, ready, make_csv([good(), good(title="Pears")]), submit=True, dry_run=False)
    orders = JobOrder.objects.all()
    assert report.created == 2 and {o.status for o in orders} == {Status.SUBMITTED}
    assert all(o.submitted_by == employer_user and o.rule_version_id and o.submitted_at for o in orders)
    assert AuditEvent.objects.get(action="job_order.import").rule_version_ref == orders[0].rule_version_id


def test_submit_needs_an_approved_employer(employer_user, programme, wages, unit):
    report = run(employer_user, programme, make_csv([good()]), submit=True)
    assert [e["field"] for e in report.errors] == ["employer"]
    assert run(employer_user, programme, make_csv([good()])).ok  # drafts may wait for the approval


def test_an_employer_imports_only_for_itself(employer_user, ready):
    data = make_csv([good() + ["BN 1"], good() + ["bn1"], good() + ["OTHER 9"], good() + [""]], header=[*HEADER, "employer"])
    report = run(employer_user, ready, data)
    assert [(e["row"], e["field"]) for e in report.errors] == [(4, "employer")]
    assert "your own organisation" in report.errors[0]["message"]


def test_ministry_imports_for_approved_employers_only(ministry, ministry_admin, ready, make_user):
    pending_user = make_user(Role.EMPLOYER, country="CA")
    pending = employer_services.employer_register(
        actor=pending_user, business_id="BN 2", sectors=["A"], contact_name="Bo", contact_email="bo@example.org",
        worksites=[{"name": "Orchard", "address": "2 Farm Road", "region": "Ontario", "country": "CA"}],
    )
    employer_services.employer_apply(actor=pending_user, employer=pending, programme=ready)
    data = make_csv([good() + ["BN 1"], good() + ["BN 2"], good() + [""], good() + ["NOPE"]], header=[*HEADER, "employer"])
    report = run(ministry, ready, data)
    assert [(e["row"], e["field"]) for e in report.errors] == [(3, "employer"), (4, "employer"), (5, "employer")]
    assert "is approved under CA-SAG" in report.errors[0]["message"]
    report = run(ministry, ready, make_csv([good() + ["BN 1"]], header=[*HEADER, "employer"]), dry_run=False, submit=True)
    order = JobOrder.objects.get()
    assert order.status == Status.SUBMITTED and order.submitted_by == ministry and order.employer.business_id == "BN 1"


@pytest.mark.parametrize("role", [Role.IMMIGRATION_OFFICER, Role.ORIGIN_OFFICER, Role.LABOUR_INSPECTOR, Role.UNION])
def test_others_may_not_import(role, make_user, ready):
    with pytest.raises(Forbidden):
        run(make_user(role, country="CA"), ready, make_csv([good()]))


def test_a_ministry_of_another_country_may_not_import(make_user, ready):
    with pytest.raises(Forbidden):
        run(make_user(Role.MINISTRY_OFFICER, country="US"), ready, make_csv([good() + ["BN 1"]], header=[*HEADER, "employer"]))


def test_a_file_that_cannot_be_read_is_invalid_input(employer_user, ready):
    with pytest.raises(InvalidInput) as exc:
        run(employer_user, ready, b"title,positions\nA,1\n")
    assert exc.value.as_errors()[0]["field"] == "origin_countries"
    with pytest.raises(InvalidInput) as exc:
        run(employer_user, ready, make_csv([good()]), mapping="not a pair")
    assert exc.value.as_errors()[0]["field"] == "mapping"


def test_the_checks_make_no_query_per_row(employer_user, ready, django_assert_max_num_queries):
    run(employer_user, ready, make_csv([good()]), submit=True)  # warm the caches of the reference data
    with django_assert_max_num_queries(40):
        report = run(employer_user, ready, make_csv([good(title=f"T{i}") for i in range(60)]), submit=True, dry_run=False)
    assert report.created == 60


# --- the API -----------------------------------------------------------------------------------------------------


def upload(client, path, data, name="orders.csv", query="", **fields):
    payload = {"file": SimpleUploadedFile(name, data, content_type="text/csv"), **fields}
    return client.client.post(f"/api/v1/imports/{path}{query}", payload, headers=client.headers)


def test_api_dry_run_then_import(api_client, employer_user, ready):
    client = api_client(employer_user)
    data = make_csv([good(), good(title="Pears")])
    response = upload(client, "job-orders", data, programme="CA-SAG")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] and body["valid"] == 2 and body["dry_run"] and not JobOrder.objects.exists()
    response = upload(client, "job-orders", data, programme="CA-SAG", dry_run="false",
                      mapping='{"title": "title"}')
    assert response.status_code == 201, response.content
    assert response.json()["created"] == 2 and JobOrder.objects.count() == 2


def test_api_row_errors_and_csv_report(api_client, employer_user, ready):
    client = api_client(employer_user)
    data = make_csv([good(), good(positions="x")])
    response = upload(client, "job-orders", data, programme="CA-SAG")
    assert response.status_code == 200 and response.json()["errors"][0] == {
        "row": 3, "field": "positions", "message": "'x' is not a whole number."}
    response = upload(client, "job-orders", data, programme="CA-SAG", dry_run="false")
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["row"] == 3
    response = upload(client, "job-orders", data, programme="CA-SAG", query="?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode("utf-8-sig").splitlines() == ["row,field,message", "3,positions,'x' is not a whole number."]
    response = upload(client, "job-orders", data, programme="CA-SAG", dry_run="false", query="?format=csv")
    assert response.status_code == 422 and response["Content-Type"].startswith("text/csv")
    assert not JobOrder.objects.exists()


@pytest.mark.parametrize(
    ("data", "fields", "field"),
    [
        (b"title,positions\nA,1\n", {}, "origin_countries"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", {}, "file"),
        (None, {"mapping": "{not json"}, "mapping"),
        (None, {"mapping": '{"title": 3}'}, "mapping"),
    ],
)
def test_api_bad_file_or_mapping_is_422(api_client, employer_user, ready, data, fields, field):
    response = upload(api_client(employer_user), "job-orders", data or make_csv([good()]), programme="CA-SAG", **fields)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field


def test_api_file_over_the_limit_is_413(api_client, employer_user, ready, monkeypatch):
    monkeypatch.setattr(core_tabular, "MAX_BYTES", 100)
    response = upload(api_client(employer_user), "job-orders", make_csv([good()]), programme="CA-SAG")
    assert response.status_code == 413 and response.json()["errors"][0]["field"] == "file"


def test_api_cp1252_file_is_read(api_client, employer_user, ready):
    response = upload(api_client(employer_user), "job-orders", make_csv([good(title="Récolte")], encoding="cp1252"),
                      programme="CA-SAG", dry_run="false")
    assert response.status_code == 201 and response.json()["encoding"] == "cp1252"
    assert JobOrder.objects.get().title == "Récolte"


def test_api_refuses_immigration_and_strangers(api_client, make_user, ready):
    response = upload(api_client(make_user(Role.IMMIGRATION_OFFICER)), "job-orders", make_csv([good()]), programme="CA-SAG")
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    response = upload(api_client(make_user(Role.IMMIGRATION_OFFICER)), "employers", b"organisation\nX\n")
    assert response.status_code == 403
    response = upload(api_client(), "job-orders", make_csv([good()]), programme="CA-SAG")
    assert response.status_code == 401
    response = upload(api_client(make_user(Role.EMPLOYER)), "job-orders", make_csv([good()]), programme="NOPE")
    assert response.status_code == 404 and response.json()["errors"][0]["field"] == "programme"


# --- the pages ---------------------------------------------------------------------------------------------------

PAGE = "/job-orders/import/"


def test_page_dry_run_report_download_and_confirm(web_client, employer_user, ready):
    client = web_client(employer_user)
    assert client.get(PAGE).status_code == 200
    data = make_csv([good(), good(title="Pears")])
    response = client.post(PAGE, {"step": "check", "programme": "CA-SAG", "mapping": "",
                                  "file": SimpleUploadedFile("orders.csv", data)})
    assert response.status_code == 200, response.content[:2000]
    assert response.context["report"].valid == 2
    assert b"Download report (CSV)" in response.content and b"Import 2 rows now" in response.content
    hidden = {k: v for k, v in response.context["checked"].initial.items() if v not in (None, False)}
    download = client.post(PAGE, {"step": "report", **hidden})
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert not JobOrder.objects.exists()
    response = client.post(PAGE, {"step": "commit", **hidden})
    assert response.status_code == 302
    assert JobOrder.objects.count() == 2 and AuditEvent.objects.filter(action="job_order.import").count() == 1


def test_page_shows_row_errors_without_a_confirm_button(web_client, employer_user, ready):
    client = web_client(employer_user)
    data = make_csv([good(), good(wage_unit="fortnight")])
    response = client.post(PAGE, {"step": "check", "programme": "CA-SAG", "file": SimpleUploadedFile("o.csv", data)})
    assert response.status_code == 422
    assert b"wage_unit" in response.content and b"Import 1 row now" not in response.content
    hidden = {k: v for k, v in response.context["checked"].initial.items() if v not in (None, False)}
    download = client.post(PAGE, {"step": "report", **hidden})
    assert "3,wage_unit," in download.content.decode("utf-8-sig")
    response = client.post(PAGE, {"step": "commit", **hidden})
    assert response.status_code == 422 and not JobOrder.objects.exists()


def test_page_bad_file_and_tampered_payload_are_422(web_client, employer_user, ready):
    client = web_client(employer_user)
    response = client.post(PAGE, {"step": "check", "programme": "CA-SAG",
                                  "file": SimpleUploadedFile("o.csv", b"title,positions\nA,1\n")})
    assert response.status_code == 422 and b"origin_countries" in response.content
    response = client.post(PAGE, {"step": "check", "programme": "CA-SAG", "mapping": "nonsense",
                                  "file": SimpleUploadedFile("o.csv", make_csv([good()]))})
    assert response.status_code == 422 and response.context["form"].errors["mapping"]
    response = client.post(PAGE, {"step": "commit", "payload": "forged", "programme": "CA-SAG"})
    assert response.status_code == 422 and not JobOrder.objects.exists()


def test_ministry_page_and_employer_import_page(web_client, ministry, ministry_admin, ready):
    client = web_client(ministry)
    assert client.get(PAGE).status_code == 200
    assert client.get("/job-orders/import-employers/").status_code == 403
    assert web_client(ministry_admin).get("/job-orders/import-employers/").status_code == 200


@pytest.mark.parametrize("url", [PAGE, "/job-orders/import-employers/"])
def test_pages_refuse_immigration_and_need_sign_in(url, web_client, make_user):
    assert web_client(make_user(Role.IMMIGRATION_OFFICER)).get(url).status_code == 403
    response = web_client().get(url)
    assert response.status_code == 302 and "login" in response["Location"]


def test_employer_import_page_dry_run_and_confirm(web_client, ministry_admin, ready):
    from corridor.employers.models import EmployerApproval, EmployerProfile

    client = web_client(ministry_admin)
    data = (b"Organisation;Country;Business ID;Sectors;Contact name;Contact email;Worksite name;Worksite address;Programme\n"
            b"Maple Farms;CA;BN 500;A;Ann;ann@x.example;Farm;1 Road;CA-SAG\n")
    response = client.post("/job-orders/import-employers/", {"step": "check", "file": SimpleUploadedFile("e.csv", data)})
    assert response.status_code == 200, response.content[:2000]
    assert response.context["report"].valid == 1 and b"Maple Farms" in response.content
    hidden = {k: v for k, v in response.context["checked"].initial.items() if v not in (None, False)}
    response = client.post("/job-orders/import-employers/", {"step": "commit", **hidden})
    assert response.status_code == 302
    assert EmployerProfile.objects.filter(business_id="BN 500").exists()
    assert EmployerApproval.objects.get(employer__business_id="BN 500").status == "pending"
