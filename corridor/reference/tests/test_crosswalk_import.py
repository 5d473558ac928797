"""Importing a crosswalk: checks, dry run, atomic commit, re-import, permissions, audit."""

import pytest

from corridor.core.access import Role
from corridor.core.errors import Forbidden, InvalidInput
from corridor.core.models import AuditEvent
from corridor.reference.loading import DATA_DIR
from corridor.reference.models import CrosswalkEntry, NationalClassification
from corridor.reference.selectors import isco_for_national_code
from corridor.reference.services import crosswalk_import

pytestmark = pytest.mark.django_db

META = {
    "classification_code": "NOC2021",
    "name": "National Occupational Classification 2021",
    "country": "CA",
}


def _import(actor, data, *, dry_run=False, **overrides):
    kwargs = {**META, "version": "2021 v1.0", **overrides}
    return crosswalk_import(actor=actor, data=data, dry_run=dry_run, **kwargs)


@pytest.fixture
def admin(make_user):
    return make_user(Role.MINISTRY_ADMIN)


def test_happy_path(admin, crosswalk_ok):
    report = _import(admin, crosswalk_ok)
    assert report.ok and report.committed and not report.dry_run
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert [(r.row, r.action, r.isco_title) for r in report.rows][0] == (
        2,
        "create",
        "Heavy truck and lorry drivers",
    )
    classification = NationalClassification.objects.get(code="NOC2021")
    assert (classification.country, classification.version) == ("CA", "2021 v1.0")
    assert classification.entries.count() == 3
    assert isco_for_national_code("NOC2021", "73300").code == "8332"
    assert isco_for_national_code("noc2021", " 63200 ").code == "5120"
    assert isco_for_national_code("NOC2021", "00000") is None
    assert isco_for_national_code("NOPE", "73300") is None


def test_one_audit_event(admin, crosswalk_ok):
    _import(admin, crosswalk_ok)
    events = AuditEvent.objects.filter(action="reference.crosswalk_import")
    assert events.count() == 1
    event = events.get()
    assert event.actor == admin
    assert event.subject_type == "reference.nationalclassification"
    assert event.subject_category == "reference"
    assert event.before is None
    assert event.after["created"] == 3 and event.after["code"] == "NOC2021"


def test_dry_run_writes_nothing(admin, crosswalk_ok):
    report = _import(admin, crosswalk_ok, dry_run=True)
    assert report.ok and report.dry_run and not report.committed
    assert report.created == 3
    assert not NationalClassification.objects.exists()
    assert not CrosswalkEntry.objects.exists()
    assert not AuditEvent.objects.filter(action="reference.crosswalk_import").exists()


def test_reimport_updates_and_keeps(admin, crosswalk_ok):
    _import(admin, crosswalk_ok)
    second = (
        b"national_code,national_title,isco_code\n"
        b"73300,Transport truck drivers,8332\n"  # unchanged
        b"63200,Cooks (all kinds),5120\n"  # new title
        b"72310,Carpenters,7115\n"  # new
    )
    report = _import(admin, second, version="2021 v1.1")
    assert (report.created, report.updated, report.unchanged, report.not_in_file) == (1, 1, 1, 1)
    assert CrosswalkEntry.objects.count() == 4
    assert CrosswalkEntry.objects.get(national_code="63200").national_title == "Cooks (all kinds)"
    assert NationalClassification.objects.get().version == "2021 v1.1"
    event = AuditEvent.objects.filter(action="reference.crosswalk_import").order_by("-id").first()
    assert event.before["version"] == "2021 v1.0" and event.after["version"] == "2021 v1.1"


BAD = (
    b"national_code,national_title,isco_code\n"
    b"73300,Transport truck drivers,8332\n"
    b"\n"
    b"63200,Cooks,9999\n"
    b"73300,Truck drivers again,8332\n"
    b"85101,,9211\n"
)


def test_bad_rows_give_row_errors_and_save_nothing(admin):
    with pytest.raises(InvalidInput) as info:
        _import(admin, BAD)
    errors = info.value.as_errors()
    assert [(e["row"], e["field"]) for e in errors] == [
        (4, "isco_code"),
        (5, "national_code"),
        (6, "national_title"),
    ]
    assert "'9999' is not an ISCO-08 code" in errors[0]["message"]
    assert "already on row 2" in errors[1]["message"]
    assert not NationalClassification.objects.exists() and not CrosswalkEntry.objects.exists()
    assert not AuditEvent.objects.filter(action="reference.crosswalk_import").exists()


def test_bad_rows_on_reimport_change_nothing(admin, crosswalk_ok):
    _import(admin, crosswalk_ok)
    with pytest.raises(InvalidInput):
        _import(
            admin,
            b"national_code,national_title,isco_code\n73300,Renamed,8332\n63200,Cooks,9999\n",
            version="v2",
        )
    assert CrosswalkEntry.objects.get(national_code="73300").national_title == "Transport truck drivers"
    assert NationalClassification.objects.get().version == "2021 v1.0"


def test_dry_run_reports_bad_rows(admin):
    report = _import(admin, BAD, dry_run=True)
    assert not report.ok and report.error_count == 3
    assert [r.action for r in report.rows] == ["create", "error", "error", "error"]


def test_cp1252_file(admin):
    data = "national_code,national_title,isco_code\r\n7511,Boucher-découpeur,7511\r\n".encode("cp1252")
    report = _import(admin, data, classification_code="TEST-FR", country="fr")
    assert report.encoding == "cp1252"
    entry = CrosswalkEntry.objects.get(classification__code="TEST-FR")
    assert entry.national_title == "Boucher-découpeur"
    assert entry.classification.country == "FR"


def test_metadata_errors(admin, crosswalk_ok):
    with pytest.raises(InvalidInput) as info:
        _import(admin, crosswalk_ok, classification_code="no spaces!", name=" ", country="XX")
    assert [e["field"] for e in info.value.as_errors()] == ["classification_code", "name", "country"]
    assert not NationalClassification.objects.exists()


def test_unreadable_file(admin):
    with pytest.raises(InvalidInput) as info:
        _import(admin, b"code,title\n1,a\n")
    assert info.value.as_errors()[0]["field"] == "national_code"


def test_shipped_example_imports(admin):
    data = (DATA_DIR / "examples" / "noc2021_isco08_example.csv").read_bytes()
    report = _import(admin, data)
    assert report.ok and report.created == 20


@pytest.mark.parametrize("role", [Role.PLATFORM_ADMIN, Role.MINISTRY_ADMIN])
def test_admins_may_import(make_user, role, crosswalk_ok):
    assert _import(make_user(role), crosswalk_ok, dry_run=True).ok


@pytest.mark.parametrize(
    "role", [Role.MINISTRY_OFFICER, Role.EMPLOYER, Role.IMMIGRATION_OFFICER, Role.WORKER, Role.RESEARCHER]
)
def test_other_roles_may_not_import(make_user, role, crosswalk_ok):
    user = make_user(role)
    for dry_run in (True, False):
        with pytest.raises(Forbidden):
            _import(user, crosswalk_ok, dry_run=dry_run)
    assert not NationalClassification.objects.exists()


def test_anonymous_may_not_import(crosswalk_ok):
    with pytest.raises(Forbidden):
        _import(None, crosswalk_ok)
