"""The job-order workflow: field checks, rule checks with their messages, four eyes, verification, quotas."""

import datetime

import pytest

from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.models import AuditEvent
from corridor.employers import services as employer_services
from corridor.joborders import services
from corridor.joborders.models import JobOrder, QuotaCounter, Status
from corridor.joborders.tests.conftest import TODAY


def fields(exc) -> set[str]:
    return {e["field"] for e in exc.value.as_errors()}


def messages(exc) -> str:
    return " ".join(e["message"] for e in exc.value.as_errors())


def test_draft_is_created_and_audited(make_order):
    order = make_order()
    assert order.status == Status.DRAFT
    assert order.reference.startswith("JO-") and len(order.reference) == 11
    assert order.origins_index == ",MX,JM,"
    assert order.adverts.count() == 1
    assert AuditEvent.objects.filter(action="job_order.create", subject_id=str(order.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"isco_code": "9999"}, "isco_code"),
        ({"isco_code": "92"}, "isco_code"),
        ({"origin_countries": ["XX"]}, "origin_countries"),
        ({"positions": 0}, "positions"),
        ({"start_date": "2027-13-01"}, "start_date"),
        ({"end_date": "2027-05-01"}, "end_date"),
        ({"wage_currency": "ZZZ"}, "wage_currency"),
        ({"wage_unit": "fortnight"}, "wage_unit"),
        ({"wage_amount": "-3"}, "wage_amount"),
        ({"deductions": [{"type": "", "amount": "5"}]}, "deductions[0].type"),
        ({"deductions": [{"type": "food", "amount": "x"}]}, "deductions[0].amount"),
        ({"worksite": 999999}, "worksite"),
        ({"housing": 999999}, "housing"),
        ({"outbound_travel_worker_percent": "120"}, "outbound_travel_worker_percent"),
        ({"esco_uri": "http://data.europa.eu/esco/occupation/nope"}, "esco_uri"),
        ({"national_classification": "NOC", "national_code": "00000"}, "national_code"),
        ({"translations": {"zz-bad": "x"}}, "translations.zz-bad"),
        ({"adverts": [{"channel": "Paper", "start_date": "2027-02-01", "end_date": "2027-01-01"}]}, "adverts[0].end_date"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_saved(make_order, changes, field):
    with pytest.raises(InvalidInput) as exc:
        make_order(**changes)
    assert field in fields(exc)
    assert not JobOrder.objects.exists()


def test_occupation_from_esco(make_order):
    from corridor.reference.models import EscoOccupation

    esco = EscoOccupation.objects.filter(isco_group__code="9211").first()
    if esco is None:
        pytest.skip("reference data not loaded")
    order = make_order(isco_code="", esco_uri=esco.uri)
    assert order.isco_code == "9211"


def test_submission_passes_for_a_compliant_order(submitted):
    assert submitted.status == Status.SUBMITTED
    assert submitted.rule_version is not None


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"wage_amount": "15.00"}, "wage_amount", "below the floor of 17.60 CAD/hour"),
        ({"end_date": "2028-03-01"}, "end_date", "longest stay of 8 months"),
        ({"positions": 7}, "housing", "6 beds for 7 positions"),
        ({"deductions": [{"type": "housing", "amount": "400"}]}, "deductions[0].amount", "the cap is 5%"),
        ({"deductions": [{"type": "gym", "amount": "10"}]}, "deductions[0].type", "not allowed"),
        ({"isco_code": "7212"}, "isco_code", "not open under this programme"),
        ({"origin_countries": ["GT"]}, "origin_countries", "no open corridor with GT"),
        ({"hours_per_week": "20"}, "hours_per_week", "guarantees 240 hours every 6 weeks"),
        ({"outbound_travel_worker_percent": "50"}, "outbound_travel_worker_percent", "principle"),
        ({"adverts": [{"channel": "Job Bank", "start_date": "2027-02-20", "end_date": "2027-02-25"}]}, "adverts", "covers 6 days"),
        ({"housing": None}, "housing", "requires the employer to provide housing"),
        ({"overtime_rate_percent": "80"}, "overtime_rate_percent", "at least at the ordinary rate"),
    ],
)
def test_submission_refused_with_reasons(make_order, employer_user, changes, field, words):
    order = make_order(**changes)
    with pytest.raises(InvalidInput) as exc:
        services.job_order_submit(actor=employer_user, order=order, today=TODAY)
    assert field in fields(exc), exc.value.as_errors()
    assert words in messages(exc)
    order.refresh_from_db()
    assert order.status == Status.DRAFT


def test_floor_message_names_its_source(make_order, employer_user):
    order = make_order(wage_amount="15.00")
    with pytest.raises(InvalidInput) as exc:
        services.job_order_submit(actor=employer_user, order=order, today=TODAY)
    assert "Test wage survey" in messages(exc)


def test_future_adverts_are_not_evidence(make_order, employer_user):
    order = make_order(adverts=[{"channel": "Job Bank", "start_date": "2027-02-25", "end_date": "2027-04-30"}])
    with pytest.raises(InvalidInput) as exc:
        services.job_order_submit(actor=employer_user, order=order, today=TODAY)
    assert "covers 5 days" in messages(exc)


def test_banned_employer_cannot_submit(make_order, employer_user, employer, programme, ministry_admin):
    order = make_order()
    employer_services.employer_ban(actor=ministry_admin, employer=employer, programme=programme, reason="Wage theft", until=datetime.date(2030, 1, 1))
    with pytest.raises(InvalidInput) as exc:
        services.job_order_submit(actor=employer_user, order=order, today=TODAY)
    assert fields(exc) == {"employer"}
    assert "Wage theft" in messages(exc) and "2030-01-01" in messages(exc)


def test_only_members_submit(make_order, make_user):
    from corridor.core.access import Role

    other = make_user(Role.EMPLOYER, country="CA")
    with pytest.raises(Forbidden):
        services.job_order_submit(actor=other, order=make_order(), today=TODAY)


def test_four_eyes_review_then_another_officer_approves(submitted, ministry, officer2, origin_officer):
    reviewed = services.job_order_review(actor=ministry, order=submitted, today=TODAY)
    assert reviewed.status == Status.REVIEWED and reviewed.check_report == []
    with pytest.raises(Forbidden):
        services.job_order_approve(actor=ministry, order=reviewed, today=TODAY)
    approved = services.job_order_approve(actor=officer2, order=reviewed, today=TODAY)
    assert approved.status == Status.APPROVED  # waiting for Mexico's authority (Jamaica's too)
    assert approved.four_eyes and approved.quota_held == 6


def test_four_eyes_cannot_be_skipped(submitted, ministry):
    with pytest.raises(Conflict):
        services.job_order_approve(actor=ministry, order=submitted, today=TODAY)


def test_database_refuses_same_reviewer_and_approver(submitted, ministry):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        JobOrder.objects.filter(pk=submitted.pk).update(four_eyes=True, reviewed_by=ministry, approved_by=ministry)


def test_trusted_employer_gets_one_step_but_every_check(make_order, employer_user, employer, programme, ministry, ministry_admin):
    employer_services.employer_set_trusted(actor=ministry_admin, employer=employer, programme=programme, trusted=True)
    order = services.job_order_submit(actor=employer_user, order=make_order(), today=TODAY)
    approved = services.job_order_approve(actor=ministry, order=order, today=TODAY)
    assert approved.status == Status.APPROVED and not approved.four_eyes
    # The checks still run: a wage under the floor is refused for a trusted employer too.
    bad = make_order(wage_amount="10")
    with pytest.raises(InvalidInput):
        services.job_order_submit(actor=employer_user, order=bad, today=TODAY)


def test_verification_by_every_origin_opens_the_order(submitted, ministry, officer2, origin_officer, make_user, programme):
    from corridor.core.access import Role

    order = services.job_order_approve(actor=officer2, order=services.job_order_review(actor=ministry, order=submitted, today=TODAY), today=TODAY)
    order = services.job_order_verify(actor=origin_officer, order=order)
    assert order.status == Status.APPROVED
    jm = programme.corridors.get(origin_country="JM").competent_authority
    order = services.job_order_verify(actor=make_user(Role.ORIGIN_OFFICER, organisation=jm), order=order)
    assert order.status == Status.OPEN and order.opened_at


def test_other_origin_cannot_verify(submitted, ministry, officer2, make_user):
    from corridor.core.access import Role

    order = services.job_order_approve(actor=officer2, order=services.job_order_review(actor=ministry, order=submitted, today=TODAY), today=TODAY)
    with pytest.raises(Forbidden):
        services.job_order_verify(actor=make_user(Role.ORIGIN_OFFICER, country="GT"), order=order)


def test_return_with_reasons_then_resubmit(submitted, ministry, employer_user):
    with pytest.raises(InvalidInput) as exc:
        services.job_order_return(actor=ministry, order=submitted, reasons="  ")
    assert fields(exc) == {"reasons"}
    order = services.job_order_return(actor=ministry, order=submitted, reasons=["Describe the tasks", "Fix the housing photo"])
    assert order.status == Status.RETURNED and order.returned_reasons == ["Describe the tasks", "Fix the housing photo"]
    order = services.job_order_update(actor=employer_user, order=order, description="Picking, sorting and packing apples.")
    order = services.job_order_submit(actor=employer_user, order=order, today=TODAY)
    assert order.status == Status.SUBMITTED and order.returned_reasons == []


def test_origin_return_releases_quota(submitted, ministry, officer2, origin_officer):
    order = services.job_order_approve(actor=officer2, order=services.job_order_review(actor=ministry, order=submitted, today=TODAY), today=TODAY)
    assert QuotaCounter.objects.get(scope="origin", key="MX").used == 6
    services.job_order_return(actor=origin_officer, order=order, reasons="Wage below what our workers were promised")
    assert QuotaCounter.objects.get(scope="origin", key="MX").used == 0
    assert QuotaCounter.objects.get(scope="programme").used == 0


def test_quota_exhausted_is_refused(make_order, employer_user, ministry, officer2):
    orders = []
    for _ in range(10):
        orders.append(services.job_order_submit(actor=employer_user, order=make_order(), today=TODAY))
    approved = 0
    for order in orders:
        reviewed = services.job_order_review(actor=ministry, order=order, today=TODAY)
        try:
            services.job_order_approve(actor=officer2, order=reviewed, today=TODAY)
            approved += 1
        except Conflict as exc:
            assert exc.field == "positions"
            assert "quota for origin MX" in exc.message and "0 of 60" in exc.message
    assert approved == 10  # 60 positions exactly
    extra = services.job_order_review(actor=ministry, order=services.job_order_submit(actor=employer_user, order=make_order(positions=1), today=TODAY), today=TODAY)
    with pytest.raises(Conflict) as exc:
        services.job_order_approve(actor=officer2, order=extra, today=TODAY)
    assert "origin MX" in exc.value.message
    assert QuotaCounter.objects.get(scope="origin", key="MX").used == 60


def test_fill_close_and_cancel(submitted, ministry, officer2, origin_officer, make_user, programme, employer_user):
    from corridor.core.access import Role

    order = services.job_order_approve(actor=officer2, order=services.job_order_review(actor=ministry, order=submitted, today=TODAY), today=TODAY)
    jm = programme.corridors.get(origin_country="JM").competent_authority
    services.job_order_verify(actor=origin_officer, order=order)
    order = services.job_order_verify(actor=make_user(Role.ORIGIN_OFFICER, organisation=jm), order=order)
    order = services.job_order_record_filled(actor=ministry, order=order, filled=4)
    assert order.status == Status.PARTLY_FILLED
    with pytest.raises(InvalidInput):
        services.job_order_record_filled(actor=ministry, order=order, filled=7)
    with pytest.raises(Conflict):
        services.job_order_cancel(actor=employer_user, order=order, reason="No longer needed")
    order = services.job_order_close(actor=employer_user, order=order, reason="Season over")
    assert order.status == Status.CLOSED
    assert QuotaCounter.objects.get(scope="programme").used == 4


def test_edit_after_submission_is_refused(submitted, employer_user):
    with pytest.raises(Conflict):
        services.job_order_update(actor=employer_user, order=submitted, positions=2)


def test_named_workers_refused_where_programme_forbids(make_order, employer_user, programme, ministry_admin):
    from corridor.programmes import services as programme_services

    version = programme.rule_versions.get()
    rules = dict(version.rules)
    rules["recall"] = {**rules.get("recall", {}), "named_by_employer_allowed": False}
    programme_services.rule_version_create(actor=ministry_admin, programme=programme, rules=rules, effective_from=datetime.date(2027, 1, 1), note="Employers may no longer name workers.")
    order = make_order(named_workers=["W-1001"])
    with pytest.raises(InvalidInput) as exc:
        services.job_order_submit(actor=employer_user, order=order, today=TODAY)
    assert "named_workers" in fields(exc)


def test_summary_suppresses_small_cells_for_social_partners(submitted, make_user, ministry, programme):
    from corridor.core.access import Role
    from corridor.joborders import selectors

    full = selectors.job_order_summary(user=ministry, programme=programme)
    assert full["lines"][0]["asked"] == 6 and full["lines"][0]["employers"] == 1
    union = make_user(Role.UNION, country="CA")
    partner = selectors.job_order_summary(user=union, programme=programme)
    assert partner["lines"] == [] and partner["suppressed_lines"] == 1
    with pytest.raises(Forbidden):
        selectors.job_order_summary(user=make_user(Role.UNION, country="MX"), programme=programme)
    with pytest.raises(Forbidden):
        selectors.job_order_summary(user=make_user(Role.IMMIGRATION_OFFICER, country="CA"), programme=programme)
