"""Bulk import of workers by the origin authority: dry run, row-by-row errors, encodings, XLSX, duplicates, the
atomic import; and the API and pages of the pool work (duplicate queue, merge, dismissal, import)."""

import csv
import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.core.access import Role
from corridor.core.errors import Forbidden, InvalidInput
from corridor.core.models import AuditEvent
from corridor.workers import imports, services
from corridor.workers.models import (
    Channel,
    DuplicateFlag,
    DuplicateStatus,
    IdentityDocument,
    PoolStatus,
    Worker,
    WorkerContact,
    WorkerOccupation,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 3, 1)
HEADER = ["given_names", "family_names", "sex", "date_of_birth", "nationality", "region", "phone", "email", "language",
          "document_kind", "document_number", "document_issuing_country", "document_expires_on", "isco_code",
          "years_experience"]


def row(**changes) -> dict:
    data = {"given_names": "María José", "family_names": "Hernández Cruz", "sex": "female", "date_of_birth": "1992-04-21",
            "nationality": "MX", "region": "Oaxaca", "phone": "+52 951 123 4567", "email": "", "language": "es",
            "document_kind": "passport", "document_number": "G7654321", "document_issuing_country": "MX",
            "document_expires_on": "2031-01-31", "isco_code": "9211", "years_experience": "3.5"}
    data.update(changes)
    return data


def people() -> list[dict]:
    return [
        row(),
        row(given_names="Juan", family_names="Pérez Soto", sex="male", date_of_birth="1988-11-02",
            phone="+52 951 000 0002", document_number="G1111111", isco_code="6111", years_experience=""),
        row(given_names="Rosa", family_names="Díaz", date_of_birth="1995-01-30", phone="+52 951 000 0003",
            document_kind="", document_number="", document_issuing_country="", document_expires_on="", isco_code="",
            years_experience="", email="rosa@example.org"),
    ]


def to_csv(rows: list[dict], *, encoding="utf-8", delimiter=",", header=HEADER) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(h, "") for h in HEADER])
    return out.getvalue().encode(encoding)


def to_xlsx(rows: list[dict]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for r in rows:
        values = [r.get(h, "") for h in HEADER]
        values[3] = datetime.date.fromisoformat(values[3])  # a real date cell
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(actor, data: bytes, *, dry_run=True, filename="workers.csv", mapping=None):
    return imports.worker_import(actor=actor, data=data, filename=filename, mapping=mapping, dry_run=dry_run, today=TODAY)


# --- dry run and import ------------------------------------------------------------------------------------------


def test_dry_run_reports_without_saving(origin_officer):
    report = run(origin_officer, to_csv(people()))
    assert (report.rows, report.valid, report.created, report.committed, report.ok) == (3, 3, 0, False, True)
    assert report.encoding == "utf-8" and report.nationality == "MX"
    assert report.preview[0]["name"] == "María José Hernández Cruz" and report.preview[0]["row"] == 2
    assert Worker.objects.count() == 0


def test_import_registers_every_row_unconfirmed_with_contact_document_and_occupation(origin_officer):
    report = run(origin_officer, to_csv(people()), dry_run=False)
    assert (report.created, report.committed) == (3, True)
    workers = list(Worker.objects.order_by("date_of_birth"))
    assert [w.given_names for w in workers] == ["Juan", "María José", "Rosa"]
    for w in workers:
        assert (w.status, w.registered_via, w.confirmed_at, w.nationality) == (PoolStatus.REGISTERED, Channel.IMPORT, None, "MX")
        assert w.registered_by == origin_officer and w.registered_by_organisation == origin_officer.organisation
        assert w.public_id.startswith("W-") and w.name_key == services.name_key(w.given_names, w.family_names)
    assert WorkerContact.objects.get(worker__given_names="Rosa").email == "rosa@example.org"
    assert WorkerContact.objects.get(worker__given_names="Juan").phone == "+529510000002"
    assert IdentityDocument.objects.count() == 2 and IdentityDocument.objects.get(number="G1111111").number_key == "g1111111"
    assert WorkerOccupation.objects.get(worker__given_names="María José").years_experience == 3.5
    [event] = AuditEvent.objects.filter(action="worker.import")
    assert event.after["created"] == 3 and event.after["rows"] == 3 and event.after["sha256"]


def test_an_imported_worker_can_confirm_the_registration(origin_officer):
    run(origin_officer, to_csv(people()[:1]), dry_run=False)
    worker = Worker.objects.get()
    services.worker_claim(phone="+52 951 123 4567", date_of_birth=datetime.date(1992, 4, 21), public_id=worker.public_id,
                          password="a-long-worker-password-7")
    worker.refresh_from_db()
    assert worker.confirmed_at is not None and worker.user is not None


def test_broken_rows_are_reported_with_row_and_field_and_nothing_is_saved(origin_officer):
    rows = people() + [
        row(given_names="", phone="+52 1"),
        row(sex="hombre", date_of_birth="1992-02-30", phone="+52 951 000 0005"),
        row(date_of_birth="21/04/1992", email="not-an-email", phone="+52 951 000 0006"),
        row(nationality="GT", document_expires_on="2020-01-01", isco_code="9999", phone="+52 951 000 0007"),
        row(document_kind="driving licence", document_issuing_country="XX", years_experience="ten",
            phone="+52 951 000 0008"),
        row(date_of_birth=(TODAY - datetime.timedelta(days=365 * 14)).isoformat(), phone="+52 951 000 0009",
            language="klingon", region="x" * 101),
        row(given_names="Ana\x00", phone="", isco_code="", years_experience="4"),
    ]
    report = run(origin_officer, to_csv(rows))
    assert (report.rows, report.valid) == (10, 3)
    found = {(e["row"], e["field"]) for e in report.errors}
    assert found == {
        (5, "given_names"), (5, "phone"),
        (6, "sex"), (6, "date_of_birth"),
        (7, "date_of_birth"), (7, "email"),
        (8, "nationality"), (8, "document_expires_on"), (8, "isco_code"),
        (9, "document_kind"), (9, "document_issuing_country"), (9, "years_experience"),
        (10, "date_of_birth"), (10, "language"), (10, "region"),
        (11, "given_names"), (11, "phone"), (11, "isco_code"),
    }
    messages = {(e["row"], e["field"]): e["message"] for e in report.errors}
    assert "does not exist" not in messages[(7, "date_of_birth")] and "YYYY-MM-DD" in messages[(7, "date_of_birth")]
    assert "not a date that exists" in messages[(6, "date_of_birth")]
    assert "expired" in messages[(8, "document_expires_on")]
    assert "MX" in messages[(8, "nationality")]
    with pytest.raises(InvalidInput) as caught:
        run(origin_officer, to_csv(rows), dry_run=False)
    assert {(e["row"], e["field"]) for e in caught.value.errors} == found
    assert Worker.objects.count() == 0 and WorkerContact.objects.count() == 0
    assert not AuditEvent.objects.filter(action="worker.import").exists()
    report_csv = imports.report_csv(report).decode("utf-8-sig")
    assert report_csv.splitlines()[0] == "row,field,message" and "\n5,given_names," in report_csv


def test_a_windows_1252_file_with_semicolons_is_read(origin_officer):
    report = run(origin_officer, to_csv(people(), encoding="cp1252", delimiter=";"), dry_run=False)
    assert report.encoding == "cp1252" and report.created == 3
    assert Worker.objects.filter(family_names="Hernández Cruz", given_names="María José").exists()


def test_an_xlsx_workbook_is_read_whatever_its_name(origin_officer):
    report = run(origin_officer, to_xlsx(people()), filename="workers.csv", dry_run=False)
    assert report.encoding == "xlsx" and report.created == 3
    assert Worker.objects.get(given_names="Juan").date_of_birth == datetime.date(1988, 11, 2)


def test_a_file_that_is_not_what_its_name_says_is_refused(origin_officer):
    with pytest.raises(InvalidInput) as caught:
        run(origin_officer, b"PK\x03\x04 not really a workbook", filename="workers.xlsx")
    assert caught.value.errors[0]["field"] == "file"
    with pytest.raises(InvalidInput):
        run(origin_officer, to_csv(people()), filename="workers.xlsx")


def test_a_missing_required_column_and_a_column_mapping(origin_officer):
    header = ["First name", *HEADER[1:]]
    with pytest.raises(InvalidInput) as caught:
        run(origin_officer, to_csv(people(), header=header))
    assert caught.value.errors[0]["field"] == "given_names"
    report = run(origin_officer, to_csv(people(), header=header), mapping="given_names = First name")
    assert report.ok and report.columns["given_names"] == "First name"


def test_only_origin_officers_import_their_nationals(make_user, jm_officer):
    with pytest.raises(Forbidden):
        run(make_user(Role.MINISTRY_ADMIN), to_csv(people()))
    with pytest.raises(Forbidden):
        run(make_user(Role.AGENCY, country="MX"), to_csv(people()))
    report = run(jm_officer, to_csv(people()))
    assert {e["field"] for e in report.errors} == {"nationality"} and report.valid == 0


# --- duplicates ---------------------------------------------------------------------------------------------------


def test_duplicates_in_the_file_and_in_the_pool_are_flagged_not_refused(origin_officer):
    existing = services.worker_register_on_behalf(
        actor=origin_officer, given_names="Juan", family_names="Perez Soto", sex="male",
        date_of_birth=datetime.date(1988, 11, 2), nationality="MX", phone="+52 951 999 9999", language="es",
    )
    rows = people() + [
        row(given_names="Maria Jose", family_names="Hernandes Cruz", date_of_birth="1992-04-12",
            phone="+52 951 000 0010", document_number="X1"),  # row 2, another spelling, two digits swapped
        row(given_names="Carmen", family_names="Vega", date_of_birth="1979-07-07", phone="+52 951 000 0011",
            document_number="G 765-4321"),  # row 2's passport
    ]
    report = run(origin_officer, to_csv(rows))
    assert report.ok and report.duplicates_found == 3
    found = {(d["row"], d["match"]) for d in report.duplicates}
    assert found == {(3, existing.public_id), (5, "row 2"), (6, "row 2")}
    assert "birth dates with two digits swapped" in next(d for d in report.duplicates if d["row"] == 5)["reasons"]
    assert "same passport number" in next(d for d in report.duplicates if d["row"] == 6)["reasons"]
    assert "May be the same person as " + existing.public_id in imports.report_csv(report).decode("utf-8-sig")

    report = run(origin_officer, to_csv(rows), dry_run=False)
    assert (report.created, report.flags_created) == (5, 3)
    juan = Worker.objects.exclude(pk=existing.pk).get(given_names="Juan")
    flag = DuplicateFlag.objects.get(first=existing, second=juan)
    assert flag.status == DuplicateStatus.OPEN and "same date of birth" in flag.reasons
    assert DuplicateFlag.objects.count() == 3
    assert all(f.first_id < f.second_id for f in DuplicateFlag.objects.all())


def test_merged_records_are_not_matched(origin_officer):
    kept = services.worker_register_on_behalf(
        actor=origin_officer, given_names="Ana", family_names="Luna", sex="female", date_of_birth=datetime.date(1960, 1, 1),
        nationality="MX", phone="+52 951 999 0001", language="es")
    gone = services.worker_register_on_behalf(
        actor=origin_officer, given_names="Juan", family_names="Pérez Soto", sex="male",
        date_of_birth=datetime.date(1988, 11, 2), nationality="MX", phone="+52 951 999 0002", language="es")
    Worker.objects.filter(pk=gone.pk).update(status=PoolStatus.MERGED, merged_into=kept)
    assert run(origin_officer, to_csv(people())).duplicates == []


# --- API ------------------------------------------------------------------------------------------------------------


def _upload(client, data: bytes, name="workers.csv", **fields):
    return client.client.post("/api/v1/worker-pool/import", {"file": SimpleUploadedFile(name, data), **fields},
                              headers=client.headers)


def test_api_import_dry_run_then_import(origin_officer, api_client):
    client = api_client(origin_officer)
    response = _upload(client, to_csv(people()))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["dry_run"], body["valid"], body["created"], body["ok"]) == (True, 3, 0, True)
    response = _upload(client, to_csv(people()), dry_run="false")
    assert response.status_code == 201 and response.json()["created"] == 3
    assert Worker.objects.count() == 3


def test_api_import_errors_and_the_csv_report(origin_officer, api_client):
    client = api_client(origin_officer)
    rows = [row(sex="?")]
    response = _upload(client, to_csv(rows), dry_run="false")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"row": 2, "field": "sex", "message": response.json()["errors"][0]["message"]}]
    response = client.client.post("/api/v1/worker-pool/import?format=csv", {"file": SimpleUploadedFile("w.csv", to_csv(rows))})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "2,sex," in response.content.decode("utf-8-sig")
    response = _upload(client, to_csv(people()), mapping='{"given_names": 3}')
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "mapping"
    response = _upload(client, b"")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"


def test_api_import_is_refused_to_others(make_user, api_client):
    response = _upload(api_client(make_user(Role.EMPLOYER)), to_csv(people()))
    assert response.status_code == 403
    response = _upload(api_client(make_user(Role.IMMIGRATION_OFFICER)), to_csv(people()))
    assert response.status_code == 403
    response = _upload(api_client(), to_csv(people()))
    assert response.status_code == 401


@pytest.fixture
def flagged(origin_officer):
    run(origin_officer, to_csv([row(), row(given_names="Maria Jose", phone="+52 951 000 0099", document_kind="",
                                           document_number="", document_issuing_country="", document_expires_on="")]),
        dry_run=False)
    return DuplicateFlag.objects.get()


def test_api_duplicate_queue_merge_and_dismiss(flagged, origin_officer, jm_officer, api_client):
    client = api_client(origin_officer)
    response = client.get("worker-pool/duplicates")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == flagged.pk and item["status"] == "open" and item["first"]["documents"][0]["kind"] == "passport"
    other = api_client(jm_officer)
    assert other.get("worker-pool/duplicates").json()["count"] == 0
    assert other.post(f"worker-pool/duplicates/{flagged.pk}/merge", {"keep": "x"}).status_code == 404
    assert client.get("worker-pool/duplicates", status="bogus").status_code == 422

    response = client.post(f"worker-pool/duplicates/{flagged.pk}/merge", {"keep": "W-NOT-THERE"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "keep"
    response = client.post(f"worker-pool/duplicates/{flagged.pk}/merge", {"keep": flagged.first.public_id})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "merged" and body["second"]["status"] == "merged"
    assert body["second"]["merged_into"] == flagged.first.public_id
    assert client.post(f"worker-pool/duplicates/{flagged.pk}/dismiss", {"note": "late"}).status_code == 409
    assert client.get("worker-pool/duplicates", status="merged").json()["count"] == 1
    assert client.post(f"worker-pool/duplicates/{flagged.pk}/dismiss", raw="{not json").status_code in (400, 422)


def test_api_dismiss(flagged, origin_officer, api_client):
    client = api_client(origin_officer)
    response = client.post(f"worker-pool/duplicates/{flagged.pk}/dismiss", {"note": "Two sisters."})
    assert response.status_code == 200 and response.json()["status"] == "dismissed" and response.json()["note"] == "Two sisters."
    assert client.post(f"worker-pool/duplicates/{flagged.pk}/dismiss", {"note": "x" * 2001}).status_code == 422


# --- pages ------------------------------------------------------------------------------------------------------------


def test_queue_and_comparison_pages(flagged, origin_officer, make_user, web_client):
    client = web_client(origin_officer)
    page = client.get("/workers/duplicates/")
    assert page.status_code == 200 and flagged.first.public_id in page.content.decode()
    page = client.get(f"/workers/duplicates/{flagged.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and "G7654321" in text and "Merge the records" in text
    assert web_client(make_user(Role.EMPLOYER)).get("/workers/duplicates/").status_code == 403
    assert web_client(make_user(Role.ORIGIN_OFFICER, country="JM")).get(f"/workers/duplicates/{flagged.pk}/").status_code == 404
    assert web_client().get("/workers/duplicates/").status_code == 302


def test_merge_and_dismiss_through_the_page(flagged, origin_officer, web_client):
    client = web_client(origin_officer)
    response = client.post(f"/workers/duplicates/{flagged.pk}/", {"action": "merge"})
    assert response.status_code == 422
    response = client.post(f"/workers/duplicates/{flagged.pk}/", {"action": "merge", "keep": flagged.second.public_id})
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.status == DuplicateStatus.MERGED and flagged.first.status == PoolStatus.MERGED
    response = client.post(f"/workers/duplicates/{flagged.pk}/", {"action": "dismiss", "note": "late"})
    assert response.status_code == 409


def test_import_page_two_steps(origin_officer, web_client):
    client = web_client(origin_officer)
    assert client.get("/workers/import/").status_code == 200
    upload = SimpleUploadedFile("workers.csv", to_csv(people()), content_type="text/csv")
    page = client.post("/workers/import/", {"step": "check", "file": upload})
    assert page.status_code == 200
    text = page.content.decode()
    assert "possible duplicates, flagged for review" in text or "possible duplicate, flagged for review" in text
    assert "Import workers now" in text
    checked = page.context["checked"]
    assert Worker.objects.count() == 0
    fields = {"payload": checked.initial["payload"], "filename": "workers.csv", "mapping": ""}
    report = client.post("/workers/import/", {"step": "report", **fields})
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    done = client.post("/workers/import/", {"step": "commit", **fields})
    assert done.status_code == 302 and Worker.objects.count() == 3
    forged = client.post("/workers/import/", {"step": "commit", **fields, "payload": fields["payload"] + "x"})
    assert forged.status_code == 422 and Worker.objects.count() == 3


def test_import_page_shows_row_errors_and_refuses_others(origin_officer, make_user, web_client):
    client = web_client(origin_officer)
    upload = SimpleUploadedFile("workers.csv", to_csv([row(sex="?")]), content_type="text/csv")
    page = client.post("/workers/import/", {"step": "check", "file": upload})
    assert page.status_code == 422 and "female, male" in page.content.decode()
    assert web_client(make_user(Role.EMPLOYER)).get("/workers/import/").status_code == 403
    assert web_client(make_user(Role.IMMIGRATION_OFFICER)).get("/workers/import/").status_code == 403


def test_api_token_needs_the_workers_scope(origin_officer, api_client):
    from corridor.accounts import services as account_services

    origin_officer.is_org_admin = True
    origin_officer.save(update_fields=["is_org_admin"])
    _token, raw = account_services.api_token_create(actor=origin_officer, organisation=origin_officer.organisation,
                                                     name="pool", scopes=["joborders:read"])
    response = api_client(token=raw).get("worker-pool/duplicates")
    assert response.status_code == 403 and json.loads(response.content)["detail"].startswith("This API token")
