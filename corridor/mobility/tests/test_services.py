"""The change of employer through its services: the whole way, who may act, the policy and its limits, sanctions,
the grace period and the firewall."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from corridor.contracts import services as ct
from corridor.contracts.models import ContractStatus, PlacementStatus
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.models import AuditEvent, Notification
from corridor.deployment import services as dp
from corridor.deployment.models import Journey, JourneyStep
from corridor.employers import services as employer_services
from corridor.employers.models import ApprovalStatus, EmployerApproval
from corridor.joborders.models import JobOrder
from corridor.mobility import selectors, services
from corridor.mobility.models import ApplicationStatus, Cause, GraceNotice, Release, TransferApplication

LIMITED_1 = {"employer_change": {"policy": "limited", "max_changes": 1, "grace_period_days": 30}}
NOT_ALLOWED = {"employer_change": {"policy": "not_allowed", "grace_period_days": 30}}


def _later(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _through_contract(application, employer_user, origin, worker):
    application.refresh_from_db()
    contract = application.placement.contracts.get()
    contract = ct.contract_sign(actor=employer_user, contract=contract)
    contract = ct.contract_approve(actor=origin, contract=contract)
    ct.contract_answer(actor=worker.user, contract=contract, accept=True, via="web")
    application.refresh_from_db()
    return application


def _notes(**filters):
    return Notification.objects.filter(**filters)


# --- the whole way -----------------------------------------------------------------------------------------------


def test_a_worker_moves_without_the_old_employers_permission(mb_journey, mb_worker, mb_opening, mb_employer_user,
                                                             sel_employer_user, sel_employer, sel_origin):
    old_org = sel_employer.organisation_id
    application = services.application_create(actor=mb_worker.user, opening=mb_opening, cause="own_choice")
    assert application.status == ApplicationStatus.APPLIED and application.journey_id == mb_journey.pk
    # The old employer is not asked and not told while the worker applies.
    assert not _notes(organisation_ref=old_org).exists()
    assert _notes(organisation_ref=mb_opening.job_order.employer.organisation_id, kind="mobility.applied").exists()

    application = services.application_accept(actor=mb_employer_user, application=application)
    placement = application.placement
    assert placement.status == PlacementStatus.CONFIRMED and placement.outcome_id is None
    assert placement.worker_confirmed_at and placement.employer_confirmed_at
    assert placement.contracts.get().status == ContractStatus.DRAFT
    assert _notes(user=mb_worker.user, kind="mobility.accepted").exists()
    assert _notes(organisation_ref=sel_origin.organisation_id, kind="mobility.accepted").exists()
    assert not _notes(organisation_ref=old_org).exists()

    with pytest.raises(Conflict) as exc:
        services.move_complete(actor=mb_worker.user, application=application)
    assert exc.value.field == "contract"

    application = _through_contract(application, mb_employer_user, sel_origin, mb_worker)
    new = services.move_complete(actor=mb_worker.user, application=application)
    old = Journey.objects.get(pk=mb_journey.pk)
    assert old.state == "moved"
    assert new.state == "employed" and new.previous_id == old.pk and new.placement_id == placement.pk
    assert (new.departed_on, new.arrived_on, new.insurance_policy, new.welfare_contact_name) == (
        old.departed_on, old.arrived_on, old.insurance_policy, old.welfare_contact_name)
    assert JourneyStep.objects.filter(journey=old, action="move", to_state="moved").exists()
    assert JourneyStep.objects.filter(journey=new, action="continue", to_state="employed").exists()
    assert AuditEvent.objects.filter(action="journey.continue", subject_id=str(new.pk)).exists()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.COMPLETED and application.new_journey_id == new.pk
    assert _notes(organisation_ref=old_org, kind="mobility.moved").exists()
    assert _notes(user=mb_worker.user, kind="mobility.moved").exists()
    # The chain of the stay.
    assert [j.pk for j in selectors.stay_chain(new)] == [new.pk, old.pk]
    assert selectors.changes_counted(new) == 1
    with pytest.raises(Conflict):
        services.move_complete(actor=mb_worker.user, application=application)


def test_the_new_employer_may_complete_and_name_a_new_welfare_contact(mb_contract_accepted, mb_employer_user):
    new = services.move_complete(actor=mb_employer_user, application=mb_contract_accepted,
                                 welfare_contact_name="Rosa Vega", welfare_contact_phone="+1 905 555 0101")
    assert new.welfare_contact_name == "Rosa Vega" and new.welfare_contact_phone == "+1 905 555 0101"


def test_only_the_worker_or_the_new_employer_completes(mb_contract_accepted, sel_employer_user, sel_origin):
    for actor in (sel_employer_user, sel_origin):
        with pytest.raises(Forbidden):
            services.move_complete(actor=actor, application=mb_contract_accepted)


# --- openings ----------------------------------------------------------------------------------------------------


def test_opening_rules(mb_order, mb_employer_user, sel_employer_user, sel_admin, mb_employer, sel_programme):
    with pytest.raises(Forbidden):
        services.opening_create(actor=sel_employer_user, job_order=mb_order, positions=1, ends_on=_later(5))
    with pytest.raises(InvalidInput) as exc:
        services.opening_create(actor=mb_employer_user, job_order=mb_order, positions=0, ends_on="yesterday")
    assert {e["field"] for e in exc.value.errors} == {"positions", "ends_on"}
    with pytest.raises(InvalidInput) as exc:
        services.opening_create(actor=mb_employer_user, job_order=mb_order, positions=1, ends_on=_later(-1))
    assert exc.value.field == "ends_on"
    with pytest.raises(InvalidInput) as exc:
        services.opening_create(actor=mb_employer_user, job_order=mb_order, positions=1,
                                ends_on=(mb_order.end_date + datetime.timedelta(days=1)).isoformat())
    assert exc.value.field == "ends_on"
    opening = services.opening_create(actor=mb_employer_user, job_order=mb_order, positions=1, ends_on=_later(5))
    with pytest.raises(Conflict) as exc:
        services.opening_create(actor=mb_employer_user, job_order=mb_order, positions=1, ends_on=_later(5))
    assert exc.value.field == "job_order"
    services.opening_close(actor=sel_admin, opening=opening, reason="Season ended early.")
    with pytest.raises(Conflict):
        services.opening_close(actor=mb_employer_user, opening=opening)
    employer_services.employer_suspend(actor=sel_admin, employer=mb_employer, programme=sel_programme,
                                       reason="Unpaid wages.", until=timezone.localdate() + datetime.timedelta(days=90))
    with pytest.raises(Conflict) as exc:
        services.opening_create(actor=mb_employer_user, job_order=mb_order, positions=1, ends_on=_later(5))
    assert exc.value.field == "job_order" and "suspended" in exc.value.message


def test_closing_an_opening_declines_waiting_applications(mb_applied, mb_employer_user, mb_worker):
    services.opening_close(actor=mb_employer_user, opening=mb_applied.opening, reason="All positions filled.")
    mb_applied.refresh_from_db()
    assert mb_applied.status == ApplicationStatus.DECLINED and mb_applied.decline_reason == "All positions filled."
    assert _notes(user=mb_worker.user, kind="mobility.declined").exists()


# --- applications ------------------------------------------------------------------------------------------------


def test_who_may_apply(mb_opening, mb_worker, sel_employer_user, make_ready_worker, sel_origin):
    with pytest.raises(Forbidden):
        services.application_create(actor=sel_employer_user, opening=mb_opening, cause="own_choice")
    with pytest.raises(Forbidden):
        services.application_create(actor=sel_origin, opening=mb_opening, cause="own_choice")
    stranger = make_ready_worker("Pedro", "Nadie")
    with pytest.raises(Conflict) as exc:
        services.application_create(actor=stranger.user, opening=mb_opening, cause="own_choice")
    assert exc.value.field == "journey"


def test_application_input_is_checked(mb_opening, mb_worker, sel_employer_user, sel_orders, mb_journey):
    with pytest.raises(InvalidInput) as exc:
        services.application_create(actor=mb_worker.user, opening=mb_opening, cause="bored")
    assert exc.value.field == "cause"
    with pytest.raises(InvalidInput) as exc:
        services.application_create(actor=mb_worker.user, opening=mb_opening, cause=Cause.EMPLOYER_SANCTIONED)
    assert exc.value.field == "cause"
    with pytest.raises(InvalidInput) as exc:
        services.application_create(actor=mb_worker.user, opening=mb_opening, cause="own_choice", message="x" * 2001)
    assert exc.value.field == "message"
    own = services.opening_create(actor=sel_employer_user, job_order=sel_orders[1], positions=1, ends_on=_later(9))
    with pytest.raises(InvalidInput) as exc:
        services.application_create(actor=mb_worker.user, opening=own, cause="own_choice")
    assert exc.value.field == "opening"
    assert not TransferApplication.objects.exists()


def test_one_live_application_per_opening(mb_applied, mb_worker, mb_opening):
    with pytest.raises(Conflict) as exc:
        services.application_create(actor=mb_worker.user, opening=mb_opening, cause="own_choice")
    assert exc.value.field == "opening"
    with pytest.raises(IntegrityError), transaction.atomic():
        TransferApplication.objects.create(opening=mb_opening, worker=mb_worker, journey=mb_applied.journey,
                                           cause="own_choice")
    services.application_withdraw(actor=mb_worker.user, application=mb_applied)
    again = services.application_create(actor=mb_worker.user, opening=mb_opening, cause="own_choice")
    assert again.status == ApplicationStatus.APPLIED


def test_decline_needs_a_reason_shown_to_the_worker(mb_applied, mb_employer_user, sel_employer_user, mb_worker):
    with pytest.raises(Forbidden):
        services.application_decline(actor=sel_employer_user, application=mb_applied, reason="No.")
    with pytest.raises(InvalidInput) as exc:
        services.application_decline(actor=mb_employer_user, application=mb_applied, reason=" ")
    assert exc.value.field == "reason"
    done = services.application_decline(actor=mb_employer_user, application=mb_applied,
                                        reason="We need a tractor licence.")
    assert done.status == ApplicationStatus.DECLINED
    note = _notes(user=mb_worker.user, kind="mobility.declined").get()
    assert "tractor licence" in note.text
    with pytest.raises(Conflict):
        services.application_accept(actor=mb_employer_user, application=done)


def test_only_the_new_employer_accepts(mb_applied, sel_employer_user, mb_worker, sel_origin):
    for actor in (sel_employer_user, mb_worker.user, sel_origin):
        with pytest.raises(Forbidden):
            services.application_accept(actor=actor, application=mb_applied)


def test_withdrawing_an_accepted_application_cancels_the_placement(mb_accepted, mb_worker, mb_employer_user):
    with pytest.raises(Forbidden):
        services.application_withdraw(actor=mb_employer_user, application=mb_accepted)
    done = services.application_withdraw(actor=mb_worker.user, application=mb_accepted)
    assert done.status == ApplicationStatus.WITHDRAWN
    done.placement.refresh_from_db()
    assert done.placement.status == PlacementStatus.CANCELLED
    with pytest.raises(Conflict):
        services.application_withdraw(actor=mb_worker.user, application=done)


def test_positions_are_not_exceeded(mb_order, mb_employer_user, mb_applied, make_ready_worker):
    opening = mb_applied.opening
    services.opening_close(actor=mb_employer_user, opening=opening)
    one = services.opening_create(actor=mb_employer_user, job_order=mb_order, positions=1, ends_on=_later(10))
    application = services.application_create(actor=mb_applied.worker.user, opening=one, cause="own_choice")
    services.application_accept(actor=mb_employer_user, application=application)
    assert selectors.positions_left(one) == 0


# --- the programme's policy --------------------------------------------------------------------------------------


def test_within_sector_refuses_another_sector_of_own_choice_only(mb_journey, mb_worker, mb_opening, mb_employer_user):
    JobOrder.objects.filter(pk=mb_journey.placement.job_order_id).update(sector="C")
    mb_journey.refresh_from_db()
    assert not selectors.openings_for_worker(user=mb_worker.user, journey=mb_journey).exists()
    assert selectors.openings_for_worker(user=mb_worker.user, journey=mb_journey, employer_caused=True).exists()
    with pytest.raises(Conflict) as exc:
        services.application_create(actor=mb_worker.user, opening=mb_opening, cause="own_choice")
    assert exc.value.field == "opening" and "sector" in exc.value.message
    application = services.application_create(actor=mb_worker.user, opening=mb_opening, cause="abuse")
    assert services.application_accept(actor=mb_employer_user, application=application).status == ApplicationStatus.ACCEPTED


@pytest.mark.parametrize("sel_rules_override", [NOT_ALLOWED], indirect=True)
def test_not_allowed_shows_nothing_and_refuses_own_choice(mb_journey, mb_worker, mb_opening):
    assert not selectors.openings_for_worker(user=mb_worker.user, journey=mb_journey).exists()
    with pytest.raises(Conflict) as exc:
        services.application_create(actor=mb_worker.user, opening=mb_opening, cause="own_choice")
    assert exc.value.field == "cause"
    assert services.application_create(actor=mb_worker.user, opening=mb_opening, cause="employer_closed").pk


@pytest.mark.parametrize("sel_rules_override", [LIMITED_1], indirect=True)
def test_limited_counts_only_completed_changes_of_own_choice(mb_journey, mb_worker, mb_opening, mb_employer_user,
                                                             sel_employer_user, sel_orders, sel_origin):
    # A first move because the employer closed: it does not count.
    application = services.application_create(actor=mb_worker.user, opening=mb_opening, cause="employer_closed")
    services.application_accept(actor=mb_employer_user, application=application)
    _through_contract(application, mb_employer_user, sel_origin, mb_worker)
    second = services.move_complete(actor=mb_worker.user, application=application)
    assert selectors.changes_counted(second) == 0
    # Back to the first employer, of own choice: allowed (0 of 1), and then it counts.
    back = services.opening_create(actor=sel_employer_user, job_order=sel_orders[1], positions=1, ends_on=_later(20))
    application = services.application_create(actor=mb_worker.user, opening=back, cause="own_choice")
    services.application_accept(actor=sel_employer_user, application=application)
    _through_contract(application, sel_employer_user, sel_origin, mb_worker)
    third = services.move_complete(actor=mb_worker.user, application=application)
    assert selectors.changes_counted(third) == 1
    # A second change of own choice in the same stay is refused; one because of abuse is not.
    services.opening_close(actor=mb_employer_user, opening=mb_opening)
    fresh = services.opening_create(actor=mb_employer_user, job_order=mb_opening.job_order, positions=1, ends_on=_later(20))
    with pytest.raises(Conflict) as exc:
        services.application_create(actor=mb_worker.user, opening=fresh, cause="own_choice")
    assert exc.value.field == "cause" and "1 change" in exc.value.message
    assert services.application_create(actor=mb_worker.user, opening=fresh, cause="abuse").cause == Cause.ABUSE


# --- sanctions ---------------------------------------------------------------------------------------------------


def test_a_transfer_to_a_suspended_employer_is_refused(mb_applied, mb_employer_user, mb_employer, sel_programme):
    EmployerApproval.objects.filter(employer=mb_employer, programme=sel_programme).update(status=ApprovalStatus.SUSPENDED)
    with pytest.raises(Conflict) as exc:
        services.application_accept(actor=mb_employer_user, application=mb_applied)
    assert exc.value.field == "opening" and "suspended" in exc.value.message
    with pytest.raises(Conflict) as exc:
        services.application_create(actor=mb_applied.worker.user, opening=mb_applied.opening, cause="abuse")
    assert exc.value.field in ("opening",)


def test_a_ban_after_acceptance_blocks_the_completion(mb_contract_accepted, mb_employer, sel_admin, sel_programme,
                                                      mb_worker):
    employer_services.employer_ban(actor=sel_admin, employer=mb_employer, programme=sel_programme, reason="Fraud.")
    with pytest.raises(Conflict) as exc:
        services.move_complete(actor=mb_worker.user, application=mb_contract_accepted)
    assert exc.value.field == "opening" and "banned" in exc.value.message
    mb_contract_accepted.opening.refresh_from_db()
    assert mb_contract_accepted.opening.status == "closed"


@pytest.mark.parametrize("sel_rules_override", [NOT_ALLOWED], indirect=True)
def test_a_sanction_releases_the_employers_workers(mb_journey, mb_worker, sel_employer, sel_admin, sel_programme,
                                                   sel_origin, dp_inspector, mb_opening, mb_employer_user):
    # A change under way (the worker's employer closed) is recorded as caused by the sanction once it comes.
    under_way = services.application_create(actor=mb_worker.user, opening=mb_opening, cause="employer_closed")
    employer_services.employer_suspend(actor=sel_admin, employer=sel_employer, programme=sel_programme,
                                       reason="Wages unpaid for six weeks.",
                                       until=timezone.localdate() + datetime.timedelta(days=60))
    journey = Journey.objects.get(pk=mb_journey.pk)
    assert journey.state == "changing_employer"
    step = JourneyStep.objects.get(journey=journey, action="start_employer_change")
    assert "suspended" in step.note and "CA-SAG" in step.note
    release = Release.objects.get(journey=journey)
    assert release.sanction == "suspended"
    assert _notes(user=mb_worker.user, kind="mobility.released").exists()
    assert _notes(organisation_ref=sel_origin.organisation_id, kind="mobility.released").exists()
    inspectorate = _notes(organisation_ref=dp_inspector.organisation_id, kind="mobility.released")
    assert inspectorate.exists()
    # Even where changes are not allowed, the released worker sees openings and applies; the cause is the sanction.
    assert selectors.openings_for_worker(user=mb_worker.user, journey=journey).exists()
    under_way.refresh_from_db()
    assert under_way.cause == Cause.EMPLOYER_SANCTIONED
    services.application_withdraw(actor=mb_worker.user, application=under_way)
    application = services.application_create(actor=mb_worker.user, opening=mb_opening, cause="own_choice")
    assert application.cause == Cause.EMPLOYER_SANCTIONED
    # A ban later does not release the worker twice.
    employer_services.employer_ban(actor=sel_admin, employer=sel_employer, programme=sel_programme, reason="Repeated.")
    assert Release.objects.filter(journey=journey).count() == 1


# --- grace -------------------------------------------------------------------------------------------------------


def test_grace_clock_and_its_end_only_notifies(mb_journey, mb_worker, sel_admin, dp_immigration):
    assert selectors.grace(mb_journey) is None
    journey = dp.employer_change_start(actor=mb_worker.user, journey=mb_journey, note="Looking for better hours.")
    info = selectors.grace(journey)
    assert info["days"] == 60 and info["end"] == timezone.localdate() + datetime.timedelta(days=60)
    assert info["days_left"] == 60 and not info["ended"]
    assert services.grace_notify() == []
    later = timezone.localdate() + datetime.timedelta(days=61)
    sent = services.grace_notify(today=later)
    assert len(sent) == 1
    assert services.grace_notify(today=later) == []
    journey.refresh_from_db()
    assert journey.state == "changing_employer"
    assert _notes(user=mb_worker.user, kind="mobility.grace_ended").exists()
    assert _notes(organisation_ref=sel_admin.organisation_id, kind="mobility.grace_ended").exists()
    rows = selectors.changes_in_progress(user=dp_immigration)
    assert [r["journey"].pk for r in rows] == [journey.pk] and rows[0]["grace"]["end"] == info["end"]
    assert GraceNotice.objects.restrict(dp_immigration).count() == 1


# --- the firewall ------------------------------------------------------------------------------------------------


def test_immigration_never_reads_applications_causes_or_openings(mb_applied, dp_immigration, sel_employer,
                                                                 sel_admin, sel_programme, mb_employer_user,
                                                                 sel_employer_user):
    services.application_withdraw(actor=mb_applied.worker.user, application=mb_applied)
    abuse = services.application_create(actor=mb_applied.worker.user, opening=mb_applied.opening, cause="abuse")
    employer_services.employer_suspend(actor=sel_admin, employer=sel_employer, programme=sel_programme,
                                       reason="Abuse found.", until=timezone.localdate() + datetime.timedelta(days=30))
    assert not TransferApplication.objects.restrict(dp_immigration).exists()
    assert not Release.objects.restrict(dp_immigration).exists()
    assert not selectors.opening_list(user=dp_immigration).exists()
    assert not selectors.may_see_cause(dp_immigration, abuse)
    # The new employer sees the application, not its cause; the old employer sees neither.
    assert selectors.application_list(user=mb_employer_user).filter(pk=abuse.pk).exists()
    assert not selectors.may_see_cause(mb_employer_user, abuse)
    assert not selectors.application_list(user=sel_employer_user).exists()
    assert selectors.may_see_cause(sel_admin, abuse)


def test_the_daily_grace_command_notifies_once(mb_journey, mb_worker, capsys):
    from django.core.management import call_command

    journey = dp.employer_change_start(actor=mb_worker.user, journey=mb_journey)
    Journey.objects.filter(pk=journey.pk).update(state_since=timezone.now() - datetime.timedelta(days=61))
    call_command("mobility-grace")
    call_command("mobility-grace")
    out = capsys.readouterr().out
    assert "1 grace period(s) ended" in out and "0 grace period(s) ended" in out
    assert GraceNotice.objects.filter(journey=journey).count() == 1
    assert Journey.objects.get(pk=journey.pk).state == "changing_employer"
