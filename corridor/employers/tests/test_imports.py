"""Onboarding employers in bulk: the dry run, the atomic import with one audit event, duplicates, countries, and
who may do it (also through the API)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from corridor.accounts.models import Organisation, OrgKind
from corridor.core.access import Role
from corridor.core.errors import Forbidden, InvalidInput
from corridor.core.models import AuditEvent
from corridor.employers.imports import employer_import, report_csv
from corridor.employers.models import ApprovalStatus, EmployerApproval, EmployerProfile, Worksite

pytestmark = pytest.mark.django_db

HEADER = ("organisation,country,business_id,sectors,contact_name,contact_phone,contact_email,worksite_name,"
          "worksite_address,worksite_region,programme")


def make_file(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


ROWS = (
    "Maple Farms Ltd,CA,BN 100,A,Ann Lee,+1 555 0100,ann@maple.example,Main farm,1 Maple Road,Ontario,CA-SAG",
    "Lake Orchards,ca,BN 101,A;C,Bo Chan,,bo@lake.example,Orchard,2 Lake Road,Ontario,",
    "Prairie Grain,CA,BN 102,a,Cy Dee,,cy@prairie.example,Silo,3 Grain Road,Manitoba,ca-sag",
)


@pytest.fixture
def ministry_admin(make_user):
    return make_user(Role.MINISTRY_ADMIN, country="CA")


def test_dry_run_writes_nothing(ministry_admin, programme):
    report = employer_import(actor=ministry_admin, data=make_file(*ROWS), filename="employers.csv")
    assert (report.rows, report.valid, report.created, report.ok) == (3, 3, 0, True)
    assert [p["programme"] for p in report.preview] == ["CA-SAG", "", "CA-SAG"]
    assert not EmployerProfile.objects.exists()


def test_import_creates_organisations_profiles_worksites_and_pending_applications(ministry_admin, programme):
    report = employer_import(actor=ministry_admin, data=make_file(*ROWS), filename="employers.csv", dry_run=False)
    assert (report.created, report.applications, report.committed) == (3, 2, True)
    org = Organisation.objects.get(name="Lake Orchards")
    assert (org.kind, org.country, org.registration_number) == (OrgKind.EMPLOYER, "CA", "BN 101")
    profile = EmployerProfile.objects.get(organisation=org)
    assert profile.sectors == ["A", "C"] and profile.contact_email == "bo@lake.example"
    assert Worksite.objects.get(employer=profile).region == "Ontario"
    approvals = EmployerApproval.objects.all()
    assert approvals.count() == 2 and {a.status for a in approvals} == {ApprovalStatus.PENDING}
    event = AuditEvent.objects.get(action="employer.import")
    assert event.after["created"] == 3 and event.after["applications"] == {"CA-SAG": 2}
    assert AuditEvent.objects.filter(action__startswith="employer.").count() == 1


def test_duplicate_business_ids_and_names_are_row_errors(ministry_admin, programme, employer):
    data = make_file(
        ROWS[0],
        "Other Name,CA,bn100,A,Al,,al@x.example,Farm,4 Road,,",  # same id as row 2, spelt differently
        "Third,CA,BN 1,A,Al,,al@x.example,Farm,4 Road,,",  # already registered (the `employer` fixture)
        "Maple Farms Ltd,CA,BN 200,A,Al,,al@x.example,Farm,4 Road,,",  # same name as row 2
    )
    report = employer_import(actor=ministry_admin, data=data, filename="e.csv")
    assert [(e["row"], e["field"]) for e in report.errors] == [(3, "business_id"), (4, "business_id"), (5, "organisation")]
    assert "already on row 2" in report.errors[0]["message"]
    assert "already registered in CA" in report.errors[1]["message"]
    with pytest.raises(InvalidInput) as exc:
        employer_import(actor=ministry_admin, data=data, filename="e.csv", dry_run=False)
    assert len(exc.value.as_errors()) == 3
    assert EmployerProfile.objects.count() == 1 and not AuditEvent.objects.filter(action="employer.import").exists()
    assert report_csv(report).decode("utf-8-sig").splitlines()[1].startswith("3,business_id,")


def test_checks_of_each_row(ministry_admin, programme):
    data = make_file(
        "US Farm,US,BN 300,A,Al,,al@x.example,Farm,4 Road,,",
        "No Sector,CA,BN 301,,Al,,al@x.example,Farm,4 Road,,",
        "Bad Mail,CA,BN 302,Z,Al,,not-an-email,Farm,,,",
        "Unknown Programme,CA,BN 303,A,Al,,al@x.example,Farm,4 Road,,NOPE",
        "Nowhere,XX,BN 304,A,Al,,al@x.example,Farm,4 Road,,",
    )
    report = employer_import(actor=ministry_admin, data=data, filename="e.csv")
    assert [(e["row"], e["field"]) for e in report.errors] == [
        (2, "country"), (3, "sectors"), (4, "sectors"), (4, "contact_email"), (4, "worksite_address"),
        (5, "programme"), (6, "country"),
    ]
    assert "in CA only" in report.errors[0]["message"]


def test_platform_admin_imports_for_any_country_but_programmes_stay_in_theirs(make_user, programme):
    admin = make_user(Role.PLATFORM_ADMIN)
    data = make_file("US Farm,US,BN 300,A,Al,,al@x.example,Farm,4 Road,,", "US Farm 2,US,BN 301,A,Al,,al@x.example,Farm,4 Road,,CA-SAG")
    report = employer_import(actor=admin, data=data, filename="e.csv")
    assert [(e["row"], e["field"]) for e in report.errors] == [(3, "programme")]
    report = employer_import(actor=admin, data=make_file(*ROWS, "US Farm,US,BN 300,A,Al,,al@x.example,Farm,4 Road,,"),
                             filename="e.csv", dry_run=False)
    assert report.created == 4 and Organisation.objects.filter(country="US", kind=OrgKind.EMPLOYER).count() == 1


def test_mapping_and_xlsx(ministry_admin, programme):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Company", "Country", "Business number", "Sectors", "Contact", "E-mail", "Site", "Address"])
    book.active.append(["Maple Farms Ltd", "CA", "BN 100", "A", "Ann", "ann@x.example", "Farm", "1 Road"])
    out = io.BytesIO()
    book.save(out)
    mapping = {"organisation": "company", "business_id": "Business number", "contact_name": "contact",
               "contact_email": "e-mail", "worksite_name": "site", "worksite_address": "address"}
    report = employer_import(actor=ministry_admin, data=out.getvalue(), filename="e.xlsx", mapping=mapping, dry_run=False)
    assert report.created == 1 and report.encoding == "xlsx"
    assert report.columns["business_id"] == "Business number"


@pytest.mark.parametrize("role", [Role.MINISTRY_OFFICER, Role.EMPLOYER, Role.IMMIGRATION_OFFICER, Role.LABOUR_INSPECTOR])
def test_only_administrators_import_employers(role, make_user):
    with pytest.raises(Forbidden):
        employer_import(actor=make_user(role, country="CA"), data=make_file(*ROWS), filename="e.csv")


def test_through_the_api(api_client, ministry_admin, programme):
    client = api_client(ministry_admin)

    def post(data, **fields):
        upload = SimpleUploadedFile("employers.csv", data, content_type="text/csv")
        return client.client.post("/api/v1/imports/employers" + fields.pop("query", ""), {"file": upload, **fields})

    response = post(make_file(*ROWS))
    assert response.status_code == 200 and response.json()["valid"] == 3 and not EmployerProfile.objects.exists()
    response = post(make_file(*ROWS, "Bad,CA,BN 100,A,Al,,al@x.example,Farm,4 Road,,"), dry_run="false")
    assert response.status_code == 422 and response.json()["errors"][0]["row"] == 5
    response = post(make_file(*ROWS, "Bad,CA,BN 100,A,Al,,al@x.example,Farm,4 Road,,"), query="?format=csv")
    assert response.status_code == 200 and "5,business_id," in response.content.decode("utf-8-sig")
    response = post(make_file(*ROWS), dry_run="false")
    assert response.status_code == 201 and response.json()["created"] == 3
    assert EmployerProfile.objects.count() == 3
