"""The deployment services: who may act, state checks that name the possible actions, inputs that name their fields,
nothing partly saved; the checklist, permits, the lead time before departure, arrival, substitution alerts and the
return that feeds recall by rule."""

from __future__ import annotations

import contextlib
import datetime
from unittest import mock

import pytest
from django.utils import timezone

from corridor.contracts import services as ct
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.deployment import selectors
from corridor.deployment import services as dp
from corridor.deployment.models import (
    AlertSource,
    AlertStatus,
    DeclaredTerms,
    Journey,
    JourneyStep,
    Permit,
    SubstitutionAlert,
)
from corridor.selection.models import SeasonRecord
from corridor.selection.tests.conftest import season


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


@contextlib.contextmanager
def clock(days_ago: int):
    """The services' clock set `days_ago` days back."""
    at = timezone.now() - datetime.timedelta(days=days_ago)
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def fields(error) -> list:
    return [e["field"] for e in error.value.errors]


def fresh(journey: Journey) -> Journey:
    return Journey.objects.get(pk=journey.pk)


@pytest.fixture
def past_contract(ct_placement, make_ct_contract, ct_worker):
    """ct_placement's contract, locked and accepted 120 days ago."""
    with clock(120):
        contract = make_ct_contract(ct_placement)
        ct.contract_answer(actor=ct_worker.user, contract=contract, accept=True, via="web")
    contract.refresh_from_db()
    return contract


@pytest.fixture
def past_permitted(past_contract, sel_origin, dp_immigration, predeparture_data, permit_data):
    journey = dp.journey_start(actor=sel_origin, placement=past_contract.placement)
    dp.predeparture_update(actor=sel_origin, journey=journey, **predeparture_data)
    dp.clear_departure(actor=sel_origin, journey=journey)
    dp.permit_record(actor=dp_immigration, journey=journey, **permit_data())
    return fresh(journey)


@pytest.fixture
def travelled(past_permitted, sel_origin):
    return dp.departure_record(actor=sel_origin, journey=past_permitted, departed_on=days(-60).isoformat())


@pytest.fixture
def employed(travelled, sel_employer_user):
    return dp.arrival_confirm(actor=sel_employer_user, journey=travelled, arrived_on=days(-59).isoformat(),
                              welfare_contact_name="Rosa Welfare", welfare_contact_phone="+1 905 555 0101")


# --- start --------------------------------------------------------------------------------------------------------


def test_journey_start_with_an_accepted_contract_is_contracted(dp_journey, sel_origin):
    assert dp_journey.state == "contracted"
    assert list(JourneyStep.objects.filter(journey=dp_journey).values_list("action", "to_state")) == [
        ("start", "selected"), ("contract_accepted", "contracted")]
    assert selectors.what_next(dp_journey) == ["clear_departure", "withdraw"]


def test_journey_start_without_contract_is_selected_then_contract_accepted(ct_placement, make_ct_contract, ct_worker,
                                                                           sel_admin, sel_origin, sel_employer_user):
    journey = dp.journey_start(actor=sel_admin, placement=ct_placement)  # the destination ministry may open it
    assert journey.state == "selected"
    with pytest.raises(Conflict) as refused:
        dp.contract_accepted(actor=sel_origin, journey=journey)
    assert refused.value.field == "contract"
    contract = make_ct_contract(ct_placement)
    ct.contract_answer(actor=ct_worker.user, contract=contract, accept=True, via="web")
    with pytest.raises(Forbidden):
        dp.contract_accepted(actor=sel_admin, journey=journey)
    assert dp.contract_accepted(actor=ct_worker.user, journey=journey).state == "contracted"
    with pytest.raises(Conflict) as again:
        dp.contract_accepted(actor=sel_employer_user, journey=journey)
    assert again.value.field == "state" and "clear_departure" in again.value.message and "withdraw" in again.value.message


def test_journey_start_roles_and_states(make_ct_placements, sel_origin, sel_jm_origin, sel_employer_user, dp_immigration,
                                        make_ready_worker):
    confirmed = make_ct_placements(n=1)[0]
    for outsider in (sel_employer_user, sel_jm_origin, dp_immigration, confirmed.worker.user):
        with pytest.raises(Forbidden):
            dp.journey_start(actor=outsider, placement=confirmed)
    assert not Journey.objects.exists()
    dp.journey_start(actor=sel_origin, placement=confirmed)
    with pytest.raises(Conflict) as twice:
        dp.journey_start(actor=sel_origin, placement=confirmed)
    assert twice.value.field == "placement"
    assert Journey.objects.count() == 1


def test_journey_start_refuses_an_unconfirmed_placement(make_ct_placements, sel_origin):
    placement = make_ct_placements(n=1, confirm=False)[0]
    with pytest.raises(Conflict) as refused:
        dp.journey_start(actor=sel_origin, placement=placement)
    assert refused.value.field == "placement"
    assert not Journey.objects.exists()


# --- pre-departure and the checklist ------------------------------------------------------------------------------


def test_checklist_items_before_and_after_predeparture(dp_journey, dp_ready):
    first = {i["item"]: i["done"] for i in selectors.checklist(fresh(dp_journey))}
    assert first == {"documents": True, "medical": True, "orientation": True, "insurance": True, "contract": True,
                     "travel": True, "lead_time": True}
    assert all(i["needs"] for i in selectors.checklist(dp_ready))


def test_checklist_names_what_is_missing(dp_journey, sel_origin):
    items = {i["item"]: i for i in selectors.checklist(dp_journey)}
    assert not items["insurance"]["done"] and not items["travel"]["done"]
    assert "lead_time" not in items  # no planned departure yet
    with pytest.raises(InvalidInput) as refused:
        dp.clear_departure(actor=sel_origin, journey=dp_journey)
    assert {"checklist.insurance", "checklist.travel"} <= set(fields(refused))
    assert fresh(dp_journey).state == "contracted"


def test_checklist_lead_time_blocks_an_early_departure(dp_journey, sel_origin, predeparture_data):
    early = predeparture_data | {"planned_departure": days(3).isoformat()}
    dp.predeparture_update(actor=sel_origin, journey=dp_journey, **early)
    items = {i["item"]: i for i in selectors.checklist(fresh(dp_journey))}
    assert not items["lead_time"]["done"] and "days before departure" in items["lead_time"]["needs"]
    with pytest.raises(InvalidInput) as refused:
        dp.clear_departure(actor=sel_origin, journey=dp_journey)
    assert fields(refused) == ["checklist.lead_time"]


def test_checklist_insurance_must_cover_the_season(dp_journey, sel_origin, predeparture_data):
    start, _ = season()
    dp.predeparture_update(actor=sel_origin, journey=dp_journey,
                           **predeparture_data | {"insurance_valid_until": start.isoformat()})
    assert {i["item"]: i["done"] for i in selectors.checklist(fresh(dp_journey))}["insurance"] is False


def test_predeparture_roles(dp_journey, sel_employer_user, ct_worker, dp_immigration, sel_jm_origin, predeparture_data):
    for outsider in (sel_employer_user, ct_worker.user, dp_immigration, sel_jm_origin):
        with pytest.raises(Forbidden):
            dp.predeparture_update(actor=outsider, journey=dp_journey, **predeparture_data)
    assert fresh(dp_journey).planned_departure is None


def test_predeparture_bad_input_names_fields_and_saves_nothing(dp_journey, sel_origin):
    with pytest.raises(InvalidInput) as refused:
        dp.predeparture_update(actor=sel_origin, journey=dp_journey, insurance_provider="Seguros", travel_booking="X" * 101,
                               insurance_valid_until="not a date", planned_departure=days(-1).isoformat())
    assert set(fields(refused)) == {"travel_booking", "insurance_valid_until", "planned_departure"}
    journey = fresh(dp_journey)
    assert journey.insurance_provider == "" and journey.planned_departure is None
    with pytest.raises(InvalidInput) as empty:
        dp.predeparture_update(actor=sel_origin, journey=dp_journey)
    assert empty.value.field == "planned_departure"


def test_predeparture_closed_after_departure(travelled, sel_origin):
    with pytest.raises(Conflict) as refused:
        dp.predeparture_update(actor=sel_origin, journey=travelled, travel_booking="AM-1")
    assert refused.value.field == "state"


def test_clear_departure_roles_and_state(dp_ready, sel_origin, sel_admin, ct_worker, sel_employer_user):
    for outsider in (sel_admin, ct_worker.user, sel_employer_user):
        with pytest.raises(Forbidden):
            dp.clear_departure(actor=outsider, journey=dp_ready)
    journey = dp.clear_departure(actor=sel_origin, journey=dp_ready)
    assert journey.state == "cleared"
    with pytest.raises(Conflict) as twice:
        dp.clear_departure(actor=sel_origin, journey=journey)
    assert "issue_permit" in twice.value.message and "withdraw" in twice.value.message


# --- permits ------------------------------------------------------------------------------------------------------


def test_permit_record(dp_permitted, dp_immigration):
    permit = Permit.objects.get(journey=dp_permitted)
    assert dp_permitted.state == "permit_issued" and permit.recorded_by == dp_immigration
    assert not SubstitutionAlert.objects.exists()
    assert selectors.what_next(dp_permitted) == ["depart", "withdraw"]
    assert list(selectors.permits(user=dp_immigration, journey=dp_permitted)) == [permit]
    assert list(selectors.journey_list(user=dp_immigration)) == [dp_permitted]


def test_permit_roles(dp_cleared, make_user, sel_origin, sel_admin, dp_inspector, permit_data):
    from corridor.core.access import Role

    elsewhere = make_user(Role.IMMIGRATION_OFFICER, country="MX")
    for outsider in (sel_origin, sel_admin, dp_inspector, elsewhere):
        with pytest.raises(Forbidden):
            dp.permit_record(actor=outsider, journey=dp_cleared, **permit_data())
    assert not Permit.objects.exists() and fresh(dp_cleared).state == "cleared"


def test_permit_refused_without_an_accepted_contract(ct_placement, sel_origin, dp_immigration, permit_data):
    journey = dp.journey_start(actor=sel_origin, placement=ct_placement)
    with pytest.raises(Conflict) as refused:
        dp.permit_record(actor=dp_immigration, journey=journey, **permit_data())
    assert refused.value.field == "contract"
    assert not Permit.objects.exists() and fresh(journey).state == "selected"


def test_permit_refused_before_clearance(dp_ready, dp_immigration, permit_data):
    with pytest.raises(Conflict) as refused:
        dp.permit_record(actor=dp_immigration, journey=dp_ready, **permit_data())
    assert refused.value.field == "state" and "clear_departure" in refused.value.message
    assert not Permit.objects.exists()


def test_permit_bad_input_names_fields(dp_cleared, dp_immigration, permit_data):
    with pytest.raises(InvalidInput) as refused:
        dp.permit_record(actor=dp_immigration, journey=dp_cleared, **permit_data(
            kind="tourist", number="", valid_from="2027-06-01", valid_until="2027-05-01", entries="many",
            isco_code="92A1"))
    assert set(fields(refused)) == {"kind", "number", "valid_until", "entries", "isco_code"}
    with pytest.raises(InvalidInput) as dates:
        dp.permit_record(actor=dp_immigration, journey=dp_cleared, **permit_data(valid_from="soon"))
    assert fields(dates) == ["valid_from"]
    assert not Permit.objects.exists() and fresh(dp_cleared).state == "cleared"


def test_permit_number_once(make_ct_placements, make_ct_contract, sel_origin, dp_immigration, predeparture_data,
                            permit_data):
    journeys = []
    for placement in make_ct_placements(n=2):
        contract = make_ct_contract(placement)
        ct.contract_answer(actor=placement.worker.user, contract=contract, accept=True, via="web")
        journey = dp.journey_start(actor=sel_origin, placement=placement)
        dp.predeparture_update(actor=sel_origin, journey=journey, **predeparture_data)
        journeys.append(dp.clear_departure(actor=sel_origin, journey=journey))
    dp.permit_record(actor=dp_immigration, journey=journeys[0], **permit_data())
    with pytest.raises(Conflict) as twice:
        dp.permit_record(actor=dp_immigration, journey=journeys[1], **permit_data())
    assert twice.value.field == "number"
    assert Permit.objects.count() == 1 and fresh(journeys[1]).state == "cleared"


def test_permit_ending_before_the_contract_raises_an_alert(dp_cleared, dp_immigration, permit_data):
    _, end = season()
    short = (end - datetime.timedelta(days=20)).isoformat()
    dp.permit_record(actor=dp_immigration, journey=dp_cleared,
                     **permit_data(valid_until=short, isco_code="9333", employer_name="Another Farm Ltd"))
    alerts = {a.field: a for a in SubstitutionAlert.objects.filter(journey=dp_cleared)}
    assert set(alerts) == {"end_date", "isco_code", "employer"}
    assert alerts["end_date"].source == AlertSource.PERMIT
    assert alerts["end_date"].contract_value == end.isoformat() and alerts["end_date"].declared_value == short
    assert fresh(dp_cleared).state == "permit_issued"


# --- departure and arrival ----------------------------------------------------------------------------------------


def test_departure_before_the_lead_time_is_refused(dp_permitted, sel_origin):
    with pytest.raises(Conflict) as refused:
        dp.departure_record(actor=sel_origin, journey=dp_permitted, departed_on=today().isoformat())
    assert refused.value.field == "departed_on" and "days before departure" in refused.value.message
    journey = fresh(dp_permitted)
    assert journey.state == "permit_issued" and journey.departed_on is None


def test_departure_inputs_and_roles(past_permitted, sel_origin, sel_employer_user, ct_worker):
    with pytest.raises(InvalidInput) as future:
        dp.departure_record(actor=sel_origin, journey=past_permitted, departed_on=days(1).isoformat())
    assert future.value.field == "departed_on"
    with pytest.raises(InvalidInput) as bad:
        dp.departure_record(actor=sel_origin, journey=past_permitted, departed_on="yesterday")
    assert fields(bad) == ["departed_on"]
    for outsider in (sel_employer_user, ct_worker.user):
        with pytest.raises(Forbidden):
            dp.departure_record(actor=outsider, journey=past_permitted, departed_on=days(-60).isoformat())
    assert fresh(past_permitted).departed_on is None


def test_departure_after_the_lead_time(travelled):
    assert travelled.state == "travelled" and travelled.departed_on == days(-60)
    assert selectors.what_next(travelled) == ["confirm_arrival", "return"]


def test_departure_in_the_wrong_state_names_possible_actions(past_contract, sel_origin, predeparture_data):
    journey = dp.journey_start(actor=sel_origin, placement=past_contract.placement)
    dp.predeparture_update(actor=sel_origin, journey=journey, **predeparture_data)
    dp.clear_departure(actor=sel_origin, journey=journey)
    with pytest.raises(Conflict) as refused:
        dp.departure_record(actor=sel_origin, journey=journey, departed_on=days(-60).isoformat())
    assert refused.value.field == "state" and "issue_permit, withdraw" in refused.value.message
    assert fresh(journey).departed_on is None


def test_arrival_needs_a_welfare_contact(travelled, sel_employer_user):
    with pytest.raises(InvalidInput) as refused:
        dp.arrival_confirm(actor=sel_employer_user, journey=travelled, arrived_on=days(-59).isoformat(),
                           welfare_contact_name="  ")
    assert fields(refused) == ["welfare_contact_name"]
    with pytest.raises(InvalidInput) as dates:
        dp.arrival_confirm(actor=sel_employer_user, journey=travelled, arrived_on=days(-61).isoformat(),
                           welfare_contact_name="Rosa", welfare_contact_phone="9" * 41)
    assert set(fields(dates)) == {"arrived_on", "welfare_contact_phone"}
    with pytest.raises(InvalidInput) as future:
        dp.arrival_confirm(actor=sel_employer_user, journey=travelled, arrived_on=days(2).isoformat(),
                           welfare_contact_name="Rosa")
    assert fields(future) == ["arrived_on"]
    journey = fresh(travelled)
    assert journey.state == "travelled" and journey.arrived_on is None and journey.welfare_contact_name == ""


def test_arrival_by_the_employer_only(travelled, sel_origin, ct_worker, dp_immigration):
    for outsider in (sel_origin, ct_worker.user, dp_immigration):
        with pytest.raises(Forbidden):
            dp.arrival_confirm(actor=outsider, journey=travelled, arrived_on=days(-59).isoformat(),
                               welfare_contact_name="Rosa")


def test_arrival_confirmed(employed, sel_employer_user):
    assert employed.state == "employed" and employed.arrival_confirmed_by == sel_employer_user
    assert employed.welfare_contact_name == "Rosa Welfare"
    with pytest.raises(Conflict) as twice:
        dp.arrival_confirm(actor=sel_employer_user, journey=employed, arrived_on=days(-59).isoformat(),
                           welfare_contact_name="Rosa")
    assert "start_employer_change, return, overstay, change_status" in twice.value.message


# --- declared terms and substitution alerts -----------------------------------------------------------------------


def test_declared_lower_wage_raises_an_alert_seen_by_worker_origin_inspector_not_immigration(
        employed, sel_employer_user, sel_origin, dp_inspector, dp_immigration, ct_worker, sel_jm_origin):
    alerts = dp.terms_declare(actor=sel_employer_user, journey=employed, wage_amount="16.50", hours_per_week="40")
    assert [(a.field, a.contract_value, a.declared_value, a.source) for a in alerts] == [
        ("wage_amount", "18.00", "16.50", AlertSource.DECLARED)]
    assert DeclaredTerms.objects.get(journey=employed).facts == {"wage_amount": "16.50", "hours_per_week": "40"}
    for viewer in (ct_worker.user, sel_origin, dp_inspector, sel_employer_user):
        assert list(selectors.alerts(user=viewer)) == alerts, viewer
        assert selectors.alert_get(user=viewer, pk=alerts[0].pk) == alerts[0]
    assert not SubstitutionAlert.objects.restrict(dp_immigration).exists()
    assert not selectors.alerts(user=dp_immigration).exists()
    assert not selectors.declarations(user=dp_immigration, journey=employed).exists()
    assert not selectors.alerts(user=sel_jm_origin).exists()


def test_declared_higher_wage_raises_nothing(employed, sel_employer_user):
    assert dp.terms_declare(actor=sel_employer_user, journey=employed, wage_amount="19.00") == []
    assert DeclaredTerms.objects.filter(journey=employed).count() == 1


def test_terms_declare_roles_state_and_input(employed, sel_employer_user, sel_origin, ct_worker):
    for outsider in (sel_origin, ct_worker.user):
        with pytest.raises(Forbidden):
            dp.terms_declare(actor=outsider, journey=employed, wage_amount="16")
    with pytest.raises(InvalidInput) as unknown:
        dp.terms_declare(actor=sel_employer_user, journey=employed, wage_amount="16", bonus="0")
    assert fields(unknown) == ["bonus"]
    with pytest.raises(InvalidInput) as empty:
        dp.terms_declare(actor=sel_employer_user, journey=employed, wage_amount="")
    assert empty.value.field == "wage_amount"
    assert not DeclaredTerms.objects.exists() and not SubstitutionAlert.objects.exists()


def test_terms_declared_only_after_travel(dp_permitted, sel_employer_user):
    with pytest.raises(Conflict) as refused:
        dp.terms_declare(actor=sel_employer_user, journey=dp_permitted, wage_amount="16")
    assert refused.value.field == "state"


def test_alert_resolve(employed, sel_employer_user, sel_origin, dp_inspector, dp_immigration, ct_worker):
    first, second = (dp.terms_declare(actor=sel_employer_user, journey=employed, **facts)[0]
                     for facts in ({"wage_amount": "16"}, {"hours_per_week": "55"}))
    for outsider in (sel_employer_user, dp_immigration, ct_worker.user):
        with pytest.raises(Forbidden):
            dp.alert_resolve(actor=outsider, alert=first, resolution="Fine.")
    with pytest.raises(InvalidInput) as empty:
        dp.alert_resolve(actor=sel_origin, alert=first, resolution=" ")
    assert empty.value.field == "resolution"
    assert SubstitutionAlert.objects.get(pk=first.pk).status == AlertStatus.OPEN
    resolved = dp.alert_resolve(actor=sel_origin, alert=first, resolution="The employer paid the difference.")
    assert resolved.status == AlertStatus.RESOLVED and resolved.resolved_by == sel_origin and resolved.resolved_at
    with pytest.raises(Conflict) as twice:
        dp.alert_resolve(actor=dp_inspector, alert=first, resolution="Again.")
    assert twice.value.field == "status"
    assert dp.alert_resolve(actor=dp_inspector, alert=second, resolution="Hours corrected.").status == AlertStatus.RESOLVED
    assert [a.pk for a in selectors.alerts(user=ct_worker.user, status="open")] == []


# --- during the stay, and the end ---------------------------------------------------------------------------------


def test_employer_change_by_the_worker_only(employed, ct_worker, sel_employer_user, sel_origin):
    for outsider in (sel_employer_user, sel_origin):
        with pytest.raises(Forbidden):
            dp.employer_change_start(actor=outsider, journey=employed)
    journey = dp.employer_change_start(actor=ct_worker.user, journey=employed, note="Looking for another farm.")
    assert journey.state == "changing_employer"
    with pytest.raises(Conflict) as twice:
        dp.employer_change_start(actor=ct_worker.user, journey=journey)
    assert "resume_work" in twice.value.message


def test_employer_change_not_before_employment(travelled, ct_worker):
    with pytest.raises(Conflict) as refused:
        dp.employer_change_start(actor=ct_worker.user, journey=travelled)
    assert "confirm_arrival, return, overstay" in refused.value.message


def test_return_as_agreed_writes_the_season_record_and_gives_recall(employed, sel_origin, sel_round, sel_programme,
                                                                    sel_employer, ct_worker):
    from corridor.programmes.rulebook import RuleSet
    from corridor.selection import loading, priority

    journey = dp.return_record(actor=sel_origin, journey=employed, returned_on=days(-1).isoformat(), as_agreed="yes",
                               note="Back home as agreed.")
    assert journey.state == "returned" and journey.returned_as_agreed is True and journey.returned_on == days(-1)
    record = SeasonRecord.objects.get(worker=ct_worker)
    start, _ = season()
    assert (record.programme, record.year, record.employer, record.completed, record.returned_as_agreed) == (
        sel_programme, start.year, sel_employer, True, True)
    assert record.recorded_by == sel_origin
    rules = RuleSet.model_validate(sel_programme.rule_versions.order_by("-effective_from").first().rules)
    info = loading.worker_info(sel_round, [ct_worker.pk], rules, today())[ct_worker.pk]
    assert info.recalled and info.returning
    assert priority.tier_of(named=False, recalled=info.recalled, passed_over=0, moves_up_after=None) == priority.TIER_RECALL
    assert selectors.what_next(journey) == []
    with pytest.raises(Conflict) as ended:
        dp.withdraw(actor=ct_worker.user, journey=journey, reason="Changed my mind.")
    assert "none (the journey has ended)" in ended.value.message


def test_return_not_as_agreed_gives_no_recall(travelled, sel_origin, ct_worker):
    dp.return_record(actor=sel_origin, journey=travelled, returned_on=days(-30).isoformat(), as_agreed=False)
    record = SeasonRecord.objects.get(worker=ct_worker)
    assert record.returned_as_agreed is False


def test_return_inputs_and_roles(employed, sel_origin, sel_employer_user, dp_immigration, ct_worker):
    for outsider in (sel_employer_user, dp_immigration, ct_worker.user):
        with pytest.raises(Forbidden):
            dp.return_record(actor=outsider, journey=employed, returned_on=days(-1).isoformat(), as_agreed=True)
    with pytest.raises(InvalidInput) as refused:
        dp.return_record(actor=sel_origin, journey=employed, returned_on=days(-61).isoformat(), as_agreed="maybe")
    assert set(fields(refused)) == {"returned_on", "as_agreed"}
    with pytest.raises(InvalidInput) as future:
        dp.return_record(actor=sel_origin, journey=employed, returned_on=days(3).isoformat(), as_agreed=True)
    assert fields(future) == ["returned_on"]
    assert fresh(employed).state == "employed" and not SeasonRecord.objects.exists()


def test_return_before_travel_is_refused(dp_permitted, sel_origin):
    with pytest.raises(Conflict) as refused:
        dp.return_record(actor=sel_origin, journey=dp_permitted, returned_on=today().isoformat(), as_agreed=True)
    assert "depart, withdraw" in refused.value.message
    assert not SeasonRecord.objects.exists()


def test_overstay_by_immigration_only(employed, dp_immigration, sel_origin, dp_inspector, sel_employer_user):
    for outsider in (sel_origin, dp_inspector, sel_employer_user):
        with pytest.raises(Forbidden):
            dp.overstay_record(actor=outsider, journey=employed, note="Still here.")
    with pytest.raises(InvalidInput) as empty:
        dp.overstay_record(actor=dp_immigration, journey=employed, note="")
    assert empty.value.field == "note"
    assert dp.overstay_record(actor=dp_immigration, journey=employed, note="Permit expired.").state == "overstayed"


def test_status_change_by_immigration_only(employed, dp_immigration, sel_origin, ct_worker):
    for outsider in (sel_origin, ct_worker.user):
        with pytest.raises(Forbidden):
            dp.status_change_record(actor=outsider, journey=employed, note="Student visa.")
    journey = dp.status_change_record(actor=dp_immigration, journey=employed, note="Student visa granted.")
    assert journey.state == "status_changed"


def test_status_change_not_before_arrival(travelled, dp_immigration):
    with pytest.raises(Conflict) as refused:
        dp.status_change_record(actor=dp_immigration, journey=travelled, note="Student visa.")
    assert refused.value.field == "state"


def test_withdraw_before_travel(dp_permitted, ct_worker, sel_employer_user):
    with pytest.raises(Forbidden):
        dp.withdraw(actor=sel_employer_user, journey=dp_permitted, reason="No.")
    with pytest.raises(InvalidInput) as empty:
        dp.withdraw(actor=ct_worker.user, journey=dp_permitted, reason="")
    assert empty.value.field == "reason"
    journey = dp.withdraw(actor=ct_worker.user, journey=dp_permitted, reason="Family reasons.")
    assert journey.state == "withdrawn"
    assert JourneyStep.objects.filter(journey=journey).last().note == "Family reasons."


def test_withdraw_by_the_origin_authority(dp_journey, sel_origin):
    assert dp.withdraw(actor=sel_origin, journey=dp_journey, reason="The worker asked us.").state == "withdrawn"


def test_withdraw_after_travel_is_refused(travelled, ct_worker):
    with pytest.raises(Conflict) as refused:
        dp.withdraw(actor=ct_worker.user, journey=travelled, reason="Too late.")
    assert refused.value.field == "state" and "confirm_arrival, return, overstay" in refused.value.message
    assert fresh(travelled).state == "travelled"


def test_visibility_of_journeys(dp_permitted, ct_worker, sel_origin, sel_jm_origin, sel_employer_user, sel_admin,
                                dp_inspector, dp_immigration, make_ready_worker):
    other = make_ready_worker("Ana", "López")
    for viewer in (ct_worker.user, sel_origin, sel_employer_user, sel_admin, dp_inspector, dp_immigration):
        assert list(selectors.journey_list(user=viewer)) == [dp_permitted], viewer
        assert selectors.steps(user=viewer, journey=dp_permitted).count() == 4
    for outsider in (sel_jm_origin, other.user):
        assert not selectors.journey_list(user=outsider).exists()
