"""Importing prevailing and minimum wages from CSV: dry run, row errors, encodings, roles and the audit trail."""

import datetime
from decimal import Decimal

import pytest

from corridor.core.access import Role
from corridor.core.errors import Forbidden, InvalidInput
from corridor.core.models import AuditEvent
from corridor.wages import services
from corridor.wages.models import MinimumWage, PrevailingWage, WageSource

PREVAILING = (
    b"country,region,isco_code,year,amount,currency,unit\n"
    b"CA,Ontario,9211,2026,16.65,CAD,hour\n"
    b"\n"
    b"CA,,92,2026,16.00,CAD,hour\n"
)

MINIMUM = (
    b"country,region,sector,valid_from,valid_until,amount,currency,unit\n"
    b"CA,Ontario,,2025-10-01,,17.60,CAD,hour\n"
    b"CA,,A,2026-01-01,2026-12-31,16.00,CAD,hour\n"
)

SOURCE = {"source_name": "Job Bank wage data", "source_publisher": "ESDC", "source_url": "https://example.org/wages"}


@pytest.fixture
def admin(make_user):
    return make_user(Role.MINISTRY_ADMIN)


def test_prevailing_import_saves_rows_and_one_audit_event(admin):
    report = services.prevailing_wage_import(actor=admin, data=b"\xef\xbb\xbf" + PREVAILING, dry_run=False, **SOURCE)
    assert report.committed and report.created == 2 and report.encoding == "utf-8"
    assert [r.row for r in report.rows] == [2, 4]
    wage = PrevailingWage.objects.get(isco_code="9211")
    assert (wage.region, wage.amount, wage.source.publisher) == ("Ontario", Decimal("16.65"), "ESDC")
    events = AuditEvent.objects.filter(action="wages.prevailing_import")
    assert events.count() == 1 and events.get().after["created"] == 2
    again = services.prevailing_wage_import(
        actor=admin, data=PREVAILING.replace(b"16.65", b"17.00"), dry_run=False, **SOURCE
    )
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert WageSource.objects.count() == 1


def test_dry_run_writes_nothing(admin):
    report = services.prevailing_wage_import(actor=admin, data=PREVAILING, dry_run=True, **SOURCE)
    assert report.ok and report.created == 2 and not report.committed
    assert not PrevailingWage.objects.exists() and not WageSource.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="wages.").exists()


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("CA,,9999,2026,16,CAD,hour", "isco_code"),
        ("XX,,9211,2026,16,CAD,hour", "country"),
        ("CA,,9211,2026,16,XYZ,hour", "currency"),
        ("CA,,9211,2026,abc,CAD,hour", "amount"),
        ("CA,,9211,2026,-3,CAD,hour", "amount"),
        ("CA,,9211,2026,16.123,CAD,hour", "amount"),
        ("CA,,9211,20x6,16,CAD,hour", "year"),
        ("CA,,9211,2026,16,CAD,fortnight", "unit"),
        ("CA,Ontario,9211,2026,15,CAD,hour", "isco_code"),  # duplicate of row 2
    ],
)
def test_prevailing_bad_rows_name_row_and_column(admin, line, column):
    data = PREVAILING + line.encode() + b"\n"
    report = services.prevailing_wage_import(actor=admin, data=data, dry_run=True, **SOURCE)
    assert not report.ok
    assert report.errors[0]["row"] == 5 and report.errors[0]["field"] == column
    assert report.errors[0]["message"].startswith(f"Row 5, column {column}:")
    with pytest.raises(InvalidInput):
        services.prevailing_wage_import(actor=admin, data=data, dry_run=False, **SOURCE)
    assert not PrevailingWage.objects.exists()


def test_cp1252_file_and_semicolons(admin):
    data = "country;region;isco_code;year;amount;currency;unit\nCA;Québec;9211;2026;16,5;CAD;hour\n".encode("cp1252")
    report = services.prevailing_wage_import(actor=admin, data=data, dry_run=True, **SOURCE)
    assert report.encoding == "cp1252"
    assert report.rows[0].values["region"] == "Québec"
    assert report.errors[0]["field"] == "amount"  # a decimal comma is refused, not guessed


def test_file_and_source_errors(admin):
    with pytest.raises(InvalidInput) as exc:
        services.prevailing_wage_import(actor=admin, data=b"country,amount\nCA,1\n", dry_run=True, **SOURCE)
    assert exc.value.errors[0]["field"] == "isco_code"
    with pytest.raises(InvalidInput) as exc:
        services.prevailing_wage_import(actor=admin, data=b"", dry_run=True, **SOURCE)
    assert exc.value.errors[0]["field"] == "file"
    report = services.prevailing_wage_import(
        actor=admin, data=PREVAILING, dry_run=True, source_name="", source_url="ftp://x", source_published_on="2026-13-01"
    )
    assert {e["field"] for e in report.errors} == {"source_name", "source_url", "source_published_on"}


@pytest.mark.parametrize("role", [Role.MINISTRY_OFFICER, Role.EMPLOYER, Role.UNION, Role.IMMIGRATION_OFFICER])
def test_other_roles_may_not_import(make_user, role):
    user = make_user(role)
    with pytest.raises(Forbidden):
        services.prevailing_wage_import(actor=user, data=PREVAILING, dry_run=True, **SOURCE)
    with pytest.raises(Forbidden):
        services.minimum_wage_import(actor=user, data=MINIMUM, dry_run=True, **SOURCE)


def test_platform_admin_may_import(make_user):
    user = make_user(Role.PLATFORM_ADMIN)
    assert services.minimum_wage_import(actor=user, data=MINIMUM, dry_run=False, **SOURCE).committed


def test_minimum_import_and_overlaps(admin):
    report = services.minimum_wage_import(actor=admin, data=MINIMUM, dry_run=False, **SOURCE)
    assert report.created == 2
    assert MinimumWage.objects.get(sector="A").valid_until == datetime.date(2026, 12, 31)
    assert AuditEvent.objects.filter(action="wages.minimum_import").count() == 1
    # Overlapping a recorded period of the same key.
    clash = b"country,region,sector,valid_from,amount,currency,unit\nCA,ontario,,2026-01-01,18.00,CAD,hour\n"
    report = services.minimum_wage_import(actor=admin, data=clash, dry_run=True, **SOURCE)
    assert report.errors[0]["field"] == "valid_from" and "2025-10-01" in report.errors[0]["message"]
    # Same start date: an update, not an overlap.
    same = b"country,region,sector,valid_from,amount,currency,unit\nCA,Ontario,,2025-10-01,17.95,CAD,hour\n"
    assert services.minimum_wage_import(actor=admin, data=same, dry_run=False, **SOURCE).updated == 1
    # Overlaps within the file, and other bad cells.
    data = (
        b"country,region,sector,valid_from,valid_until,amount,currency,unit\n"
        b"DE,,,2026-01-01,2026-06-30,12.82,EUR,hour\n"
        b"DE,,,2026-06-01,,13.00,EUR,hour\n"
        b"DE,,Z,2026-01-01,,13.00,EUR,hour\n"
        b"DE,,,2026-02-30,,13.00,EUR,hour\n"
        b"DE,,B,2026-03-01,2026-02-01,13.00,EUR,hour\n"
    )
    report = services.minimum_wage_import(actor=admin, data=data, dry_run=True, **SOURCE)
    assert [(e["row"], e["field"]) for e in report.errors] == [
        (3, "valid_from"),
        (4, "sector"),
        (5, "valid_from"),
        (6, "valid_until"),
    ]
    assert "row 2" in report.errors[0]["message"]


def test_single_creates(admin, make_user):
    source = services.wage_source_create(actor=admin, name="Statistics Canada", url="https://example.org/s")
    assert services.wage_source_create(actor=admin, name="Statistics Canada", url="https://example.org/s") == source
    assert AuditEvent.objects.filter(action="wages.source_create").count() == 1
    wage = services.prevailing_wage_create(
        actor=admin, source=source, country="ca", isco_code="9211", year=2026, amount="16.65", currency="cad", unit="hour"
    )
    assert (wage.country, wage.currency, wage.amount) == ("CA", "CAD", Decimal("16.65"))
    from corridor.core.errors import Conflict

    with pytest.raises(Conflict):
        services.prevailing_wage_create(
            actor=admin, source=source, country="CA", isco_code="9211", year=2026, amount="17", currency="CAD", unit="hour"
        )
    with pytest.raises(InvalidInput) as exc:
        services.prevailing_wage_create(
            actor=admin, source=source, country="CA", isco_code="0000", year=2026, amount="0", currency="CAD", unit="hour"
        )
    assert {e["field"] for e in exc.value.errors} == {"isco_code", "amount"}
    assert exc.value.errors[0]["message"][0].isupper() and "row" not in exc.value.errors[0]
    services.minimum_wage_create(
        actor=admin, source=source, country="CA", valid_from=datetime.date(2026, 1, 1), amount="15", currency="CAD", unit="hour"
    )
    with pytest.raises(InvalidInput) as exc:
        services.minimum_wage_create(
            actor=admin, source=source, country="CA", valid_from=datetime.date(2026, 3, 1), amount="16", currency="CAD", unit="hour"
        )
    assert exc.value.errors[0]["field"] == "valid_from"
    with pytest.raises(Forbidden):
        services.wage_source_create(actor=make_user(Role.EMPLOYER), name="X")
