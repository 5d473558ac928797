"""Returns services: the return and its recall standing, payouts, the overstay prompt, evaluations, retaliation."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.models import AuditEvent, Notification
from corridor.deployment import services as dp
from corridor.deployment.models import Journey
from corridor.payroll import services as payroll
from corridor.returns import selectors, services
from corridor.returns.models import (
    EmployerEvaluation,
    FlagStatus,
    OverstayFlag,
    Payout,
    PayoutStatus,
    RetaliationFlag,
    ReturnRecord,
    WorkerEvaluation,
)
from corridor.selection import loading, priority
from corridor.selection import services as selection
from corridor.selection.models import SeasonRecord

pytestmark = pytest.mark.django_db


def today() -> datetime.date:
    return timezone.localdate()


def fields(exc) -> set[str]:
    return {e["field"] for e in exc.value.as_errors()}


def season_of(journey) -> SeasonRecord | None:
    order = journey.placement.job_order
    return SeasonRecord.objects.filter(worker=journey.worker, programme=order.programme,
                                       year=order.start_date.year).first()


# --- the return --------------------------------------------------------------------------------------------------


def test_register_an_early_return_for_illness_keeps_recall(pr_employed, sel_origin, return_data):
    record = services.return_register(actor=sel_origin, journey=pr_employed, **return_data())
    pr_employed.refresh_from_db()
    assert pr_employed.state == "returned" and pr_employed.returned_as_agreed is True
    assert record.early and record.early_reason == "illness" and record.counts_as_agreed
    assert "recall priority is kept" in record.explanation
    assert season_of(pr_employed).returned_as_agreed is True
    assert AuditEvent.objects.filter(action="return.register", subject_id=str(record.pk)).exists()


@pytest.mark.parametrize("reason", ["illness", "family_emergency", "employer_closure", "abuse", "dismissal"])
def test_protected_early_reasons_count_as_returned_as_agreed(pr_employed, sel_origin, return_data, reason):
    record = services.return_register(actor=sel_origin, journey=pr_employed, **return_data(early_reason=reason))
    assert record.counts_as_agreed is True
    assert season_of(pr_employed).returned_as_agreed is True


def test_an_early_return_by_choice_does_not_count_as_agreed(pr_employed, sel_origin, return_data):
    record = services.return_register(actor=sel_origin, journey=pr_employed,
                                      **return_data(early_reason="worker_choice"))
    assert record.counts_as_agreed is False
    assert season_of(pr_employed).returned_as_agreed is False


def test_an_early_return_needs_its_reason_and_nothing_is_saved(pr_employed, sel_origin, return_data):
    with pytest.raises(InvalidInput) as exc:
        services.return_register(actor=sel_origin, journey=pr_employed, **return_data(early_reason=""))
    assert fields(exc) == {"early_reason"}
    pr_employed.refresh_from_db()
    assert pr_employed.state == "employed" and pr_employed.returned_on is None
    assert season_of(pr_employed) is None and not ReturnRecord.objects.exists()


def test_other_needs_words_and_unknown_reasons_are_refused(pr_employed, sel_origin, return_data):
    with pytest.raises(InvalidInput) as exc:
        services.return_register(actor=sel_origin, journey=pr_employed, **return_data(early_reason="other"))
    assert fields(exc) == {"early_reason_text"}
    with pytest.raises(InvalidInput) as exc:
        services.return_register(actor=sel_origin, journey=pr_employed, **return_data(early_reason="bored"))
    assert "early_reason" in fields(exc)
    record = services.return_register(actor=sel_origin, journey=pr_employed,
                                      **return_data(early_reason="other", early_reason_text="Harvest failed early"))
    assert record.early_reason_text == "Harvest failed early" and record.counts_as_agreed is False


def test_a_return_at_the_end_of_the_contract_needs_no_reason(pr_employed, sel_origin, return_data, monkeypatch):
    monkeypatch.setattr(services, "contract_end", lambda journey: today() - datetime.timedelta(days=1))
    record = services.return_register(actor=sel_origin, journey=pr_employed,
                                      **return_data(early_reason="worker_choice"))
    assert record.early is False and record.early_reason == "" and record.counts_as_agreed is True


def test_a_return_after_the_permit_ended_is_late(pr_employed, sel_origin, return_data, rt_permit, monkeypatch):
    monkeypatch.setattr(services, "contract_end", lambda journey: today() - datetime.timedelta(days=10))
    rt_permit(today() - datetime.timedelta(days=3))
    record = services.return_register(actor=sel_origin, journey=pr_employed, **return_data())
    assert record.late is True and record.counts_as_agreed is False
    assert season_of(pr_employed).returned_as_agreed is False


def test_a_return_in_the_future_or_before_the_arrival_names_returned_on(pr_employed, sel_origin, return_data):
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    with pytest.raises(InvalidInput) as exc:
        services.return_register(actor=sel_origin, journey=pr_employed, **return_data(returned_on=tomorrow, evidence=""))
    assert fields(exc) == {"returned_on", "evidence"}
    yesterday = (today() - datetime.timedelta(days=1)).isoformat()
    with pytest.raises(InvalidInput) as exc:
        services.return_register(actor=sel_origin, journey=pr_employed, **return_data(returned_on=yesterday))
    assert fields(exc) == {"returned_on"}
    with pytest.raises(InvalidInput) as exc:
        services.return_register(actor=sel_origin, journey=pr_employed, **return_data(returned_on="not a date"))
    assert fields(exc) == {"returned_on"}
    pr_employed.refresh_from_db()
    assert pr_employed.state == "employed" and season_of(pr_employed) is None


def test_only_the_origin_authority_registers_and_only_once(pr_employed, sel_origin, pr_employer, rt_worker,
                                                           return_data):
    for actor in (pr_employer, rt_worker):
        with pytest.raises(Forbidden):
            services.return_register(actor=actor, journey=pr_employed, **return_data())
    services.return_register(actor=sel_origin, journey=pr_employed, **return_data())
    with pytest.raises(Conflict) as exc:
        services.return_register(actor=sel_origin, journey=pr_employed, **return_data())
    assert exc.value.field == "journey"


def test_one_return_record_per_journey_in_the_database(rt_returned):
    record = ReturnRecord.objects.get(journey=rt_returned)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReturnRecord.objects.create(journey=rt_returned, returned_on=record.returned_on, evidence="again",
                                    counts_as_agreed=True, explanation="x")


def test_evidence_file_checked_by_its_bytes(pr_employed, sel_origin, return_data, pdf_upload, text_upload):
    with pytest.raises(InvalidInput) as exc:
        services.return_register(actor=sel_origin, journey=pr_employed,
                                 **return_data(evidence_file=text_upload))
    assert fields(exc) == {"evidence_file"}
    pr_employed.refresh_from_db()
    assert pr_employed.state == "employed"
    record = services.return_register(actor=sel_origin, journey=pr_employed, **return_data(evidence_file=pdf_upload))
    assert record.evidence_content_type == "application/pdf" and record.evidence_file.name.endswith(".pdf")


def test_evidence_file_size_limited(pr_employed, sel_origin, return_data, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.CORRIDOR_MAX_UPLOAD_BYTES = 10
    big = SimpleUploadedFile("b.pdf", b"%PDF-" + b"x" * 50)
    with pytest.raises(InvalidInput) as exc:
        services.return_register(actor=sel_origin, journey=pr_employed, **return_data(evidence_file=big))
    assert fields(exc) == {"evidence_file"}


def test_details_added_to_a_return_already_recorded(pr_employed, sel_origin, return_data):
    dp.return_record(actor=sel_origin, journey=pr_employed, returned_on=today().isoformat(), as_agreed=True)
    pr_employed.refresh_from_db()
    record = services.return_details_add(actor=sel_origin, journey=pr_employed,
                                         **return_data(early_reason="worker_choice"))
    pr_employed.refresh_from_db()
    assert record.returned_on == today() and record.counts_as_agreed is False
    assert pr_employed.returned_as_agreed is False and season_of(pr_employed).returned_as_agreed is False
    assert AuditEvent.objects.filter(action="journey.return_standing", subject_id=str(pr_employed.pk)).exists()
    with pytest.raises(Conflict):
        services.return_details_add(actor=sel_origin, journey=pr_employed, **return_data())


def test_details_need_a_recorded_return(pr_employed, sel_origin, return_data):
    with pytest.raises(Conflict) as exc:
        services.return_details_add(actor=sel_origin, journey=pr_employed, **return_data())
    assert exc.value.field == "state"


# --- payouts -----------------------------------------------------------------------------------------------------


def payout_data(**changes):
    data = {"kind": "final_pay", "amount": "1250.00", "currency": "CAD", "transferred_on": today().isoformat(),
            "reference": "TRX-1"}
    data.update(changes)
    return data


def test_payout_recorded_by_the_employer_and_confirmed_by_the_worker(rt_returned, pr_employer, rt_worker):
    payout = services.payout_record(actor=pr_employer, journey=rt_returned, **payout_data())
    assert payout.status == PayoutStatus.RECORDED
    assert Notification.objects.filter(user=rt_worker, kind="returns.payout_recorded").exists()
    services.payout_confirm(actor=rt_worker, payout=payout, received=True)
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.RECEIVED and payout.answered_at is not None
    with pytest.raises(Conflict):
        services.payout_confirm(actor=rt_worker, payout=payout, received=False)


def test_payout_not_received_tells_the_inspectorate_and_origin(rt_returned, pr_employer, rt_worker, dp_inspector,
                                                               sel_origin):
    payout = services.payout_record(actor=pr_employer, journey=rt_returned, **payout_data(kind="savings"))
    services.payout_confirm(actor=rt_worker, payout=payout, received="no", note="Nothing arrived.")
    sent = Notification.objects.filter(kind="returns.payout_not_received")
    assert {(n.organisation_ref, n.role) for n in sent} >= {(dp_inspector.organisation_id, "labour_inspector"),
                                                            (sel_origin.organisation_id, "origin_officer")}
    assert all(n.category == "wage" for n in sent)


def test_payout_input_errors_name_fields(rt_returned, pr_employer):
    with pytest.raises(InvalidInput) as exc:
        services.payout_record(actor=pr_employer, journey=rt_returned,
                               **payout_data(kind="bonus", amount="-3", currency="dollars",
                                             transferred_on=(today() + datetime.timedelta(days=2)).isoformat(),
                                             reference=""))
    assert fields(exc) == {"kind", "amount", "currency", "transferred_on", "reference"}
    assert not Payout.objects.exists()
    services.payout_record(actor=pr_employer, journey=rt_returned, **payout_data())
    with pytest.raises(Conflict) as exc2:
        services.payout_record(actor=pr_employer, journey=rt_returned, **payout_data())
    assert exc2.value.field == "reference"


def test_only_the_worker_confirms_and_only_the_right_people_record(rt_returned, pr_employer, rt_worker, dp_inspector,
                                                                   sel_origin, sel_admin):
    with pytest.raises(Forbidden):
        services.payout_record(actor=rt_worker, journey=rt_returned, **payout_data())
    with pytest.raises(Forbidden):
        services.payout_record(actor=dp_inspector, journey=rt_returned, **payout_data())
    services.payout_record(actor=sel_origin, journey=rt_returned, **payout_data(reference="O-1"))
    payout = services.payout_record(actor=sel_admin, journey=rt_returned, **payout_data(reference="M-1"))
    with pytest.raises(Forbidden):
        services.payout_confirm(actor=pr_employer, payout=payout, received=True)
    with pytest.raises(InvalidInput) as exc:
        services.payout_confirm(actor=rt_worker, payout=payout, received="maybe")
    assert fields(exc) == {"received"}


# --- the overstay prompt -----------------------------------------------------------------------------------------


def test_scan_flags_an_ended_permit_once_and_tells_officials_and_the_worker(pr_employed, rt_permit, rt_worker,
                                                                          dp_immigration, sel_origin, sel_admin):
    rt_permit(today() - datetime.timedelta(days=1))
    scan = services.overstay_scan()
    assert len(scan.flagged) == 1
    flag = scan.flagged[0]
    assert flag.journey_id == pr_employed.pk and flag.status == FlagStatus.OPEN
    officials = {(n.organisation_ref, n.role) for n in Notification.objects.filter(kind="returns.overstay_flag")}
    assert (dp_immigration.organisation_id, "immigration_officer") in officials
    assert (sel_origin.organisation_id, "origin_officer") in officials
    assert (sel_admin.organisation_id, "ministry_admin") in officials
    note = Notification.objects.get(kind="returns.permit_ended", user=rt_worker)
    assert "grace period" in note.message and "Your permit ended on" in note.message
    assert services.overstay_scan().flagged == []
    assert OverstayFlag.objects.count() == 1


def test_no_flag_while_the_permit_runs_or_when_a_return_is_registered(pr_employed, rt_permit, sel_origin,
                                                                      return_data):
    rt_permit(today())
    assert services.overstay_scan().flagged == []
    services.return_register(actor=sel_origin, journey=pr_employed, **return_data())
    assert services.overstay_scan(day=today() + datetime.timedelta(days=5)).flagged == []


def test_a_worker_in_the_grace_period_of_a_change_of_employer_is_not_flagged(pr_employed, rt_permit, rt_worker):
    rt_permit(today() - datetime.timedelta(days=1))
    dp.employer_change_start(actor=rt_worker, journey=pr_employed, note="Looking for a new farm.")
    scan = services.overstay_scan()
    assert scan.flagged == []
    assert scan.skipped and "grace period" in scan.skipped[0][1]
    # After the grace period (90 days in the ca-sawp preset) the prompt is raised.
    later = services.overstay_scan(day=today() + datetime.timedelta(days=120))
    assert len(later.flagged) == 1


def test_the_permit_that_ends_last_counts(pr_employed, rt_permit):
    rt_permit(today() - datetime.timedelta(days=30), number="WP-OLD")
    renewed = rt_permit(today() + datetime.timedelta(days=30), number="WP-NEW")
    assert services.latest_permit(pr_employed) == renewed
    assert services.overstay_scan().flagged == []


def test_registering_the_return_resolves_the_flag(pr_employed, rt_permit, sel_origin, return_data, monkeypatch):
    monkeypatch.setattr(services, "contract_end", lambda journey: today() - datetime.timedelta(days=10))
    rt_permit(today() - datetime.timedelta(days=1))
    flag = services.overstay_scan().flagged[0]
    services.return_register(actor=sel_origin, journey=pr_employed, **return_data())
    flag.refresh_from_db()
    assert flag.status == FlagStatus.RESOLVED and flag.resolution == "returned"


def test_resolving_a_flag(pr_employed, rt_permit, sel_origin, dp_immigration, rt_worker):
    rt_permit(today() - datetime.timedelta(days=1))
    flag = services.overstay_scan().flagged[0]
    with pytest.raises(Forbidden):
        services.overstay_flag_resolve(actor=rt_worker, flag=flag, resolution="returned", note="x")
    with pytest.raises(Conflict):
        services.overstay_flag_resolve(actor=sel_origin, flag=flag, resolution="returned", note="Called him.")
    with pytest.raises(Forbidden):
        services.overstay_flag_resolve(actor=sel_origin, flag=flag, resolution="overstay_confirmed", note="x")
    with pytest.raises(InvalidInput) as exc:
        services.overstay_flag_resolve(actor=dp_immigration, flag=flag, resolution="gone", note="")
    assert fields(exc) == {"resolution", "note"}
    services.overstay_flag_resolve(actor=dp_immigration, flag=flag, resolution="overstay_confirmed",
                                   note="Checked with the employer and the address.")
    flag.refresh_from_db()
    pr_employed.refresh_from_db()
    assert flag.status == FlagStatus.RESOLVED and pr_employed.state == "overstayed"
    with pytest.raises(Conflict):
        services.overstay_flag_resolve(actor=dp_immigration, flag=flag, resolution="permit_renewed", note="x")


def test_the_daily_command_is_idempotent(pr_employed, rt_permit):
    rt_permit(today() - datetime.timedelta(days=1))
    call_command("returns-daily")
    call_command("returns-daily")
    assert OverstayFlag.objects.filter(journey=pr_employed).count() == 1


# --- evaluations -------------------------------------------------------------------------------------------------

WORKER_SCORES = {"pay": 4, "housing": 3, "safety": 5, "respect": 4, "would_return": 5}


def test_evaluations_open_after_the_return_only_here(pr_employed, rt_worker, pr_employer):
    with pytest.raises(Conflict) as exc:
        services.employer_evaluate(actor=rt_worker, journey=pr_employed, **WORKER_SCORES)
    assert "last 30 days" in exc.value.message
    with pytest.raises(Conflict):
        services.worker_evaluate(actor=pr_employer, journey=pr_employed, skills=3, reliability=3, would_rehire=3)


def test_evaluations_open_in_the_last_30_days(pr_employed, rt_worker, monkeypatch):
    monkeypatch.setattr(services, "contract_end", lambda journey: today() + datetime.timedelta(days=20))
    evaluation = services.employer_evaluate(actor=rt_worker, journey=pr_employed, **WORKER_SCORES)
    assert evaluation.pay == 4


def test_the_worker_evaluates_the_employer_once(rt_returned, rt_worker, pr_employer):
    with pytest.raises(Forbidden):
        services.employer_evaluate(actor=pr_employer, journey=rt_returned, **WORKER_SCORES)
    with pytest.raises(InvalidInput) as exc:
        services.employer_evaluate(actor=rt_worker, journey=rt_returned, **{**WORKER_SCORES, "pay": 6, "safety": ""})
    assert fields(exc) == {"pay", "safety"}
    services.employer_evaluate(actor=rt_worker, journey=rt_returned, comment="Good boss.", **WORKER_SCORES)
    with pytest.raises(Conflict):
        services.employer_evaluate(actor=rt_worker, journey=rt_returned, **WORKER_SCORES)
    with pytest.raises(IntegrityError), transaction.atomic():
        EmployerEvaluation.objects.create(journey=rt_returned, employer=rt_returned.placement.job_order.employer,
                                          programme=rt_returned.placement.job_order.programme, pay=1, housing=1,
                                          safety=1, respect=1, would_return=1)


def test_the_employer_never_sees_a_worker_evaluation_by_name(rt_returned, rt_worker, pr_employer, sel_employer):
    services.employer_evaluate(actor=rt_worker, journey=rt_returned, comment="Housing was cold.", **WORKER_SCORES)
    assert not selectors.employer_evaluations(user=pr_employer).exists()
    aggregate = selectors.aggregate_for(user=pr_employer)
    assert aggregate == {"responses": 1, "minimum": 3, "shown": False, "averages": None}


def test_the_aggregate_shows_averages_from_the_minimum_on(sel_employer, rt_returned, rt_worker, monkeypatch):
    services.employer_evaluate(actor=rt_worker, journey=rt_returned, comment="Cold housing.", **WORKER_SCORES)
    assert selectors.employer_aggregate(sel_employer)["shown"] is False
    monkeypatch.setattr(selectors, "MIN_RESPONSES", 1)
    shown = selectors.employer_aggregate(sel_employer)
    assert shown["shown"] is True and shown["averages"]["pay"] == 4.0
    assert "Cold housing." not in str(shown)


def test_the_employer_evaluates_the_worker_who_sees_it_and_answers(rt_returned, rt_worker, pr_employer, sel_origin):
    evaluation = services.worker_evaluate(actor=pr_employer, journey=rt_returned, skills=2, reliability=3,
                                          would_rehire=2, comment="Slow at first.")
    assert selectors.worker_evaluations(user=rt_worker).get() == evaluation
    assert selectors.worker_evaluations(user=sel_origin).get() == evaluation
    assert Notification.objects.filter(user=rt_worker, kind="returns.evaluated").exists()
    with pytest.raises(Forbidden):
        services.evaluation_respond(actor=pr_employer, evaluation=evaluation, response="x")
    with pytest.raises(InvalidInput) as exc:
        services.evaluation_respond(actor=rt_worker, evaluation=evaluation, response=" ")
    assert fields(exc) == {"response"}
    services.evaluation_respond(actor=rt_worker, evaluation=evaluation, response="I was ill the first week.")
    evaluation.refresh_from_db()
    assert evaluation.worker_response and evaluation.responded_at
    with pytest.raises(Conflict):
        services.evaluation_respond(actor=rt_worker, evaluation=evaluation, response="again")
    with pytest.raises(Conflict):
        services.worker_evaluate(actor=pr_employer, journey=rt_returned, skills=1, reliability=1, would_rehire=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkerEvaluation.objects.create(journey=rt_returned, skills=1, reliability=1, would_rehire=1)


def test_a_bad_employer_evaluation_does_not_remove_recall_priority(rt_returned, pr_employer, sel_admin, sel_programme):
    """An evaluation alone can never exclude a worker from recall: the season record and tier 2 are untouched."""
    record = season_of(rt_returned)
    before = (record.pk, record.completed, record.returned_as_agreed, record.employer_id, record.note)
    rnd = selection.round_create(actor=sel_admin, programme=sel_programme, title="Next season")
    version = selection._version(sel_programme)
    rules = selection._rules(version)

    def tier() -> int:
        info = loading.worker_info(rnd, [rt_returned.worker_id], rules, today())[rt_returned.worker_id]
        return priority.tier_of(named=False, recalled=info.recalled, passed_over=info.passed_over,
                                moves_up_after=None)

    assert tier() == priority.TIER_RECALL
    services.worker_evaluate(actor=pr_employer, journey=rt_returned, skills=1, reliability=1, would_rehire=1,
                             comment="Would never take him again.")
    record.refresh_from_db()
    assert (record.pk, record.completed, record.returned_as_agreed, record.employer_id, record.note) == before
    assert tier() == priority.TIER_RECALL


# --- possible retaliation ----------------------------------------------------------------------------------------


@pytest.fixture
def disputed_season(rt_returned, payslip_data, pr_employer, rt_worker):
    """ct_worker disputed a payslip with the employer before returning (the payslip written while employed)."""
    Journey.objects.filter(pk=rt_returned.pk).update(state="employed")
    payslip = payroll.payslip_submit(actor=pr_employer, journey=rt_returned, **payslip_data())
    payroll.dispute_raise(actor=rt_worker, payslip=payslip, reason="Overtime missing.")
    Journey.objects.filter(pk=rt_returned.pk).update(state="returned")
    rt_returned.refresh_from_db()
    return rt_returned


@pytest.fixture
def later_round(disputed_season, sel_admin, sel_programme, make_ready_worker, sel_employer, sel_orders,
                sel_employer_user):
    """A later round where the employer names another returning worker, not ct_worker."""
    other = make_ready_worker("Pedro", "Ramírez")
    selection.season_record_add(actor=sel_admin, worker=other, programme=sel_programme, year=today().year - 1,
                                employer=sel_employer.pk)
    rnd = selection.round_create(actor=sel_admin, programme=sel_programme, title="Next season")
    apple = sel_orders[0]
    selection.nomination_create(actor=sel_employer_user, rnd=rnd, job_order=apple, worker=other)
    return rnd


def test_not_naming_a_worker_who_disputed_raises_a_flag_for_the_inspectorate(later_round, disputed_season,
                                                                            dp_inspector, sel_employer_user,
                                                                            dp_immigration, sel_admin):
    flags = services.retaliation_scan(actor=sel_admin, rnd=later_round)
    assert len(flags) == 1
    flag = flags[0]
    assert flag.worker_id == disputed_season.worker_id and flag.named_count == 1
    assert flag.grounds[0]["kind"] == "payslip_dispute"
    sent = Notification.objects.filter(kind="returns.retaliation_flag")
    assert {(n.organisation_ref, n.role) for n in sent} == {(dp_inspector.organisation_id, "labour_inspector")}
    assert selectors.retaliation_flags(user=dp_inspector).get() == flag
    assert not selectors.retaliation_flags(user=sel_employer_user).exists()
    assert not selectors.retaliation_flags(user=dp_immigration).exists()
    assert services.retaliation_scan(actor=sel_admin, rnd=later_round) == []
    assert RetaliationFlag.objects.count() == 1


def test_no_flag_when_the_worker_is_named(later_round, disputed_season, sel_employer_user, sel_orders, sel_admin):
    selection.nomination_create(actor=sel_employer_user, rnd=later_round, job_order=sel_orders[0],
                                worker=disputed_season.worker)
    assert services.retaliation_scan(actor=sel_admin, rnd=later_round) == []


def test_no_flag_without_grounds(rt_returned, sel_admin, sel_programme, make_ready_worker, sel_employer, sel_orders,
                                 sel_employer_user):
    other = make_ready_worker("Pedro", "Ramírez")
    selection.season_record_add(actor=sel_admin, worker=other, programme=sel_programme, year=today().year - 1,
                                employer=sel_employer.pk)
    rnd = selection.round_create(actor=sel_admin, programme=sel_programme, title="Next season")
    selection.nomination_create(actor=sel_employer_user, rnd=rnd, job_order=sel_orders[0], worker=other)
    assert services.retaliation_scan(actor=sel_admin, rnd=rnd) == []


def test_the_daily_run_scans_rounds_and_inspectors_decide(later_round, dp_inspector, sel_admin, pr_employer):
    result = services.daily()
    assert len(result["retaliation_flags"]) == 1
    flag = result["retaliation_flags"][0]
    assert services.daily()["retaliation_flags"] == []
    with pytest.raises(Forbidden):
        services.retaliation_scan(actor=pr_employer, rnd=later_round)
    with pytest.raises(Forbidden):
        services.retaliation_decide(actor=sel_admin, flag=flag, decision="dismiss", reason="x")
    with pytest.raises(InvalidInput) as exc:
        services.retaliation_decide(actor=dp_inspector, flag=flag, decision="ignore", reason="")
    assert fields(exc) == {"decision", "reason"}
    services.retaliation_decide(actor=dp_inspector, flag=flag, decision="refer", reason="Pattern with two others.")
    flag.refresh_from_db()
    assert flag.status == "referred" and flag.decided_by == dp_inspector
    with pytest.raises(Conflict):
        services.retaliation_decide(actor=dp_inspector, flag=flag, decision="dismiss", reason="x")
