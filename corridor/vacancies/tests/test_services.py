"""Reporting and withdrawing vacancies: who may, every input checked at once, nothing saved on error, audited."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from corridor.core.access import Role
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.models import AuditEvent
from corridor.programmes import services as programme_services
from corridor.vacancies import services
from corridor.vacancies.models import VacancyReport
from corridor.vacancies.tests.conftest import LAST_MONTH, THIS_MONTH, VALID

pytestmark = pytest.mark.django_db


def _fields(exc_info) -> set:
    return {e["field"] for e in exc_info.value.errors}


def test_an_employer_reports_a_vacancy(programme, employer_user):
    report = services.vacancy_report_create(actor=employer_user, programme=programme, **VALID)
    report.refresh_from_db()
    assert (report.kind, report.isco_code, report.region, report.vacancies, report.months_unfilled) == ("unfilled", "9211", "Ontario", 12, 4)
    assert report.period == LAST_MONTH and report.country == "CA"
    assert report.organisation_id == employer_user.organisation_id and report.reported_by == employer_user
    event = AuditEvent.objects.get(action="vacancy_report.create")
    assert event.programme_ref == programme.pk and event.organisation_ref == employer_user.organisation_id
    assert event.after["vacancies"] == 12


@pytest.mark.parametrize("role", [Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER, Role.UNION, Role.EMPLOYERS_ORG])
def test_the_ministry_and_the_social_partners_of_the_destination_report_too(programme, make_user, role):
    user = make_user(role, country="CA")
    report = services.vacancy_report_create(actor=user, programme=programme, **{**VALID, "kind": "emerging", "months_unfilled": None})
    assert report.organisation_id == user.organisation_id


def test_inputs_are_normalised(programme, employer_user):
    report = services.vacancy_report_create(
        actor=employer_user, programme=programme,
        **{**VALID, "region": "  British   Columbia ", "period": LAST_MONTH, "vacancies": "7", "months_unfilled": ""},
    )
    assert report.region == "British Columbia" and report.vacancies == 7 and report.months_unfilled is None


@pytest.mark.parametrize(
    "field, value",
    [
        ("kind", "filled"),
        ("kind", ""),
        ("isco_code", ""),
        ("isco_code", "99999"),
        ("isco_code", "0999"),
        ("isco_code", "abc"),
        ("region", "x" * 101),
        ("period", ""),
        ("period", "March 2026"),
        ("period", "2026-13"),
        ("period", "2026-03-15"),
        ("period", "1999-12"),
        ("vacancies", 0),
        ("vacancies", -3),
        ("vacancies", 100_001),
        ("vacancies", "many"),
        ("vacancies", "9" * 40),
        ("vacancies", None),
        ("vacancies", True),
        ("months_unfilled", -1),
        ("months_unfilled", 241),
        ("months_unfilled", "1.5"),
        ("note", "n" * 2001),
    ],
)
def test_each_bad_field_is_named_and_nothing_is_saved(programme, employer_user, field, value):
    with pytest.raises(InvalidInput) as exc:
        services.vacancy_report_create(actor=employer_user, programme=programme, **{**VALID, field: value})
    assert field in _fields(exc)
    assert not VacancyReport.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="vacancy_report").exists()


def test_all_problems_are_reported_together(programme, employer_user):
    with pytest.raises(InvalidInput) as exc:
        services.vacancy_report_create(
            actor=employer_user, programme=programme, kind="x", isco_code="", period="soon", vacancies=0, months_unfilled=-2
        )
    assert _fields(exc) == {"kind", "isco_code", "period", "vacancies", "months_unfilled"}


def test_months_and_periods_depend_on_the_kind(programme, employer_user):
    next_month = (THIS_MONTH + datetime.timedelta(days=32)).replace(day=1)
    with pytest.raises(InvalidInput) as exc:
        services.vacancy_report_create(actor=employer_user, programme=programme, **{**VALID, "period": next_month.strftime("%Y-%m")})
    assert _fields(exc) == {"period"}
    with pytest.raises(InvalidInput) as exc:
        services.vacancy_report_create(actor=employer_user, programme=programme, **{**VALID, "kind": "emerging"})
    assert _fields(exc) == {"months_unfilled"}
    emerging = services.vacancy_report_create(
        actor=employer_user, programme=programme, **{**VALID, "kind": "emerging", "months_unfilled": None, "period": next_month}
    )
    assert emerging.period == next_month
    far = THIS_MONTH.replace(year=THIS_MONTH.year + 3)
    with pytest.raises(InvalidInput) as exc:
        services.vacancy_report_create(actor=employer_user, programme=programme, **{**VALID, "kind": "emerging", "months_unfilled": None, "period": far})
    assert _fields(exc) == {"period"}


@pytest.mark.parametrize("role", [Role.IMMIGRATION_OFFICER, Role.LABOUR_INSPECTOR, Role.AGENCY, Role.RESEARCHER, Role.ORIGIN_OFFICER])
def test_other_roles_may_not_report(programme, make_user, role):
    with pytest.raises(Forbidden):
        services.vacancy_report_create(actor=make_user(role, country="CA"), programme=programme, **VALID)
    worker = make_user(Role.WORKER)
    with pytest.raises(Forbidden):
        services.vacancy_report_create(actor=worker, programme=programme, **VALID)
    assert not VacancyReport.objects.exists()


@pytest.mark.parametrize("role", [Role.EMPLOYER, Role.MINISTRY_OFFICER, Role.UNION, Role.EMPLOYERS_ORG])
def test_organisations_of_another_country_may_not_report(programme, make_user, role):
    with pytest.raises(Forbidden) as exc:
        services.vacancy_report_create(actor=make_user(role, country="ES"), programme=programme, **VALID)
    assert exc.value.field == "programme"
    assert not VacancyReport.objects.exists()


def test_role_is_checked_before_the_input(programme, immigration):
    with pytest.raises(Forbidden):
        services.vacancy_report_create(actor=immigration, programme=programme, kind="nonsense")


def test_a_closed_programme_takes_no_reports(programme, ministry_admin, employer_user):
    programme_services.programme_set_status(actor=ministry_admin, programme=programme, status="closed", reason="Ended.")
    programme.refresh_from_db()
    with pytest.raises(InvalidInput) as exc:
        services.vacancy_report_create(actor=employer_user, programme=programme, **VALID)
    assert _fields(exc) == {"programme"}


def test_one_open_report_per_cell_and_a_correction_withdraws_it(programme, employer_user, report):
    first = report(employer_user)
    with pytest.raises(Conflict) as exc:
        report(employer_user, vacancies=15)
    assert exc.value.field == "period"
    services.vacancy_report_withdraw(actor=employer_user, report=first, reason="Wrong figure.")
    second = report(employer_user, vacancies=15)
    assert VacancyReport.objects.count() == 2 and second.withdrawn_at is None
    # Another region, kind or month is another cell.
    report(employer_user, region="Québec")
    report(employer_user, period=THIS_MONTH.strftime("%Y-%m"))


def test_withdraw_keeps_the_report_and_audits_the_reason(programme, employer_user, report):
    made = report(employer_user)
    withdrawn = services.vacancy_report_withdraw(actor=employer_user, report=made, reason="Typing error.")
    withdrawn.refresh_from_db()
    assert withdrawn.withdrawn_at is not None and withdrawn.withdrawal_reason == "Typing error."
    event = AuditEvent.objects.get(action="vacancy_report.withdraw")
    assert event.reason == "Typing error." and event.before["withdrawn_at"] is None and event.programme_ref == programme.pk
    with pytest.raises(Conflict):
        services.vacancy_report_withdraw(actor=employer_user, report=made, reason="Again.")


def test_only_the_reporting_organisation_withdraws_and_with_a_reason(programme, employer_user, ministry, make_user, report):
    made = report(employer_user)
    colleague = make_user(Role.EMPLOYER, organisation=employer_user.organisation)
    for outsider in (ministry, make_user(Role.EMPLOYER, country="CA"), make_user(Role.PLATFORM_ADMIN)):
        with pytest.raises(Forbidden):
            services.vacancy_report_withdraw(actor=outsider, report=made, reason="No.")
    with pytest.raises(InvalidInput) as exc:
        services.vacancy_report_withdraw(actor=colleague, report=made, reason="  ")
    assert exc.value.field == "reason"
    made.refresh_from_db()
    assert made.withdrawn_at is None
    services.vacancy_report_withdraw(actor=colleague, report=made, reason="Filled after all.")


def test_the_database_refuses_what_the_service_would(programme, employer_user, report):
    made = report(employer_user)
    for changes in ({"vacancies": 0}, {"country": "ca"}, {"kind": "other"}, {"period": datetime.date(2026, 3, 15)}, {"kind": "emerging"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            VacancyReport.objects.filter(pk=made.pk).update(**changes)
    with pytest.raises(IntegrityError), transaction.atomic():
        VacancyReport.objects.create(
            programme=programme, organisation=made.organisation, reported_by=employer_user, kind="unfilled",
            isco_code="9211", region="Ontario", country="CA", period=made.period, vacancies=1,
        )
