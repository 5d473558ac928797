"""Services of contracts: the programme's template, placements from the published run, confirmation, the contract's
way from draft to acceptance, the database lock, amendments, revocation, public verification and departure."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from corridor.accounts.models import OrgKind
from corridor.contracts import clauses, selectors
from corridor.contracts import services as ct
from corridor.contracts.models import (
    Contract,
    ContractStatus,
    ContractTemplate,
    Placement,
    PlacementStatus,
)
from corridor.core.access import Role
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.models import AuditEvent
from corridor.joborders.models import JobOrder
from corridor.selection import services as selection_services
from corridor.selection.models import Outcome, PickStatus, RunJobOrder, RunStatus

pytestmark = pytest.mark.django_db

SHORTLIST = {"selection": {"mode": "employer_shortlist", "shortlist_per_position": 2, "max_preferences": 10,
                           "passed_over_moves_up_after": 1}}
CODE = re.compile(r"^CT-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def fields(exc) -> list[str]:
    return [e["field"] for e in exc.value.as_errors()]


def audited(action: str, subject) -> bool:
    return AuditEvent.objects.filter(action=action, subject_id=str(subject.pk)).exists()


def issue(contract, employer, origin):
    contract = ct.contract_sign(actor=employer, contract=contract)
    return ct.contract_approve(actor=origin, contract=contract)


# --- the contract template ---------------------------------------------------------------------------------------


def test_the_programme_administrator_sets_and_updates_the_template(sel_admin, sel_programme, ct_template_data):
    template = ct.template_set(actor=sel_admin, programme=sel_programme, **ct_template_data)
    assert template.night_rate_percent == 100 and template.notice_days == 7 and template.destination_language == "en"
    assert template.updated_by == sel_admin
    assert audited("contract_template.set", template)
    again = ct.template_set(actor=sel_admin, programme=sel_programme,
                            **{**ct_template_data, "notice_days": "14", "destination_language": " FR "})
    assert again.pk == template.pk and ContractTemplate.objects.count() == 1
    assert again.notice_days == 14 and again.destination_language == "fr"


@pytest.mark.parametrize("who", ["sel_officer", "sel_employer_user", "sel_origin", "sel_jm_origin"])
def test_only_the_programme_administrator_sets_the_template(request, who, sel_programme, ct_template_data):
    with pytest.raises(Forbidden):
        ct.template_set(actor=request.getfixturevalue(who), programme=sel_programme, **ct_template_data)
    assert not ContractTemplate.objects.exists()


def test_a_bad_template_names_every_bad_field_and_saves_nothing(sel_admin, sel_programme, ct_template_data):
    bad = {**ct_template_data, "holiday_pay": "  ", "complaints": "", "night_rate_percent": "99", "notice_days": "400",
           "destination_language": "e n1", "payment_method": "x" * 301, "pay_period": "y" * 101}
    with pytest.raises(InvalidInput) as exc:
        ct.template_set(actor=sel_admin, programme=sel_programme, **bad)
    assert set(fields(exc)) == {"holiday_pay", "complaints", "night_rate_percent", "notice_days",
                                "destination_language", "payment_method", "pay_period"}
    assert not ContractTemplate.objects.exists()


@pytest.mark.parametrize("rate", ["abc", "NaN", "Infinity", "", "1001", None])
def test_the_night_rate_must_be_a_percentage_of_100_or_more(sel_admin, sel_programme, ct_template_data, rate):
    with pytest.raises(InvalidInput) as exc:
        ct.template_set(actor=sel_admin, programme=sel_programme, **{**ct_template_data, "night_rate_percent": rate})
    assert fields(exc) == ["night_rate_percent"]


# --- placements --------------------------------------------------------------------------------------------------


def test_the_published_run_makes_one_proposed_placement_per_selected_worker(sel_admin, sel_round, sel_orders,
                                                                          make_ready_worker):
    apple, peach = sel_orders
    workers = [make_ready_worker(f"W{i}", "Test", years=i + 1) for i in range(4)]
    for w in workers:
        selection_services.preferences_set(actor=w.user, rnd=sel_round, worker=w,
                                           job_orders=[apple.reference, peach.reference])
    dry = selection_services.run_round(actor=sel_admin, rnd=sel_round)
    with pytest.raises(Conflict):
        ct.placements_from_run(actor=sel_admin, run=dry)
    assert not Placement.objects.exists()
    run = selection_services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
    made = ct.placements_from_run(actor=sel_admin, run=run)
    selected = Outcome.objects.filter(run=run, job_order__isnull=False)
    assert len(made) == 3 == selected.count()
    assert {(p.worker_id, p.job_order_id, p.outcome_id) for p in made} == {
        (o.worker_id, o.job_order_id, o.pk) for o in selected}
    assert all(p.status == PlacementStatus.PROPOSED and p.created_by == sel_admin for p in made)
    assert AuditEvent.objects.filter(action="placement.from_run", subject_id=str(run.pk)).exists()
    # Once only.
    assert ct.placements_from_run(actor=sel_admin, run=run) == []
    assert Placement.objects.count() == 3
    # A run superseded by a re-run no longer makes placements.
    rerun = selection_services.run_round(actor=sel_admin, rnd=sel_round, publish=True, reason="Appeal upheld.")
    run.refresh_from_db()
    assert run.status == RunStatus.SUPERSEDED
    with pytest.raises(Conflict):
        ct.placements_from_run(actor=sel_admin, run=run)
    assert ct.placements_from_run(actor=sel_admin, run=rerun) == []  # the same workers, already placed


@pytest.mark.parametrize("who", ["sel_employer_user", "sel_officer", "sel_jm_origin"])
def test_only_who_runs_the_round_makes_placements(request, who, sel_admin, sel_round, sel_orders, make_ready_worker):
    w = make_ready_worker("Ana", "Test")
    selection_services.preferences_set(actor=w.user, rnd=sel_round, worker=w, job_orders=[sel_orders[0].reference])
    run = selection_services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
    with pytest.raises(Forbidden):
        ct.placements_from_run(actor=request.getfixturevalue(who), run=run)
    assert not Placement.objects.exists()


@pytest.mark.parametrize("sel_rules_override", [SHORTLIST])
def test_in_shortlist_programmes_only_the_picked_workers_are_placed(sel_admin, sel_round, sel_orders,
                                                                    sel_employer_user, make_ready_worker):
    peach = sel_orders[1]
    workers = [make_ready_worker(f"S{i}", "Test", years=i + 1) for i in range(2)]
    for w in workers:
        selection_services.preferences_set(actor=w.user, rnd=sel_round, worker=w, job_orders=[peach.reference])
    run = selection_services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
    shortlisted = list(Outcome.objects.filter(run=run, job_order=peach))
    assert len(shortlisted) == 2 and all(o.pick == PickStatus.PENDING for o in shortlisted)
    assert ct.placements_from_run(actor=sel_admin, run=run) == []
    run_job = RunJobOrder.objects.get(run=run, job_order=peach)
    chosen = shortlisted[0].worker
    selection_services.shortlist_decide(actor=sel_employer_user, run_job=run_job, picks=[chosen.public_id],
                                        reasons=["Worked with us before."], passed_over_reason="One position only.")
    made = ct.placements_from_run(actor=sel_admin, run=run)
    assert [p.worker for p in made] == [chosen]


def test_the_worker_and_the_employer_both_confirm(make_ct_placements, sel_employer_user):
    placement = make_ct_placements(confirm=False)[0]
    worker = placement.worker
    placement = ct.placement_confirm(actor=worker.user, placement=placement)
    assert placement.status == PlacementStatus.PROPOSED and placement.worker_confirmed_at
    with pytest.raises(Conflict):
        ct.placement_confirm(actor=worker.user, placement=placement)
    placement = ct.placement_confirm(actor=sel_employer_user, placement=placement)
    assert placement.status == PlacementStatus.CONFIRMED and placement.employer_confirmed_by == sel_employer_user
    assert AuditEvent.objects.filter(action="placement.confirm", subject_id=str(placement.pk)).count() == 2
    with pytest.raises(Conflict):
        ct.placement_confirm(actor=sel_employer_user, placement=placement)


def test_the_employer_may_confirm_first(make_ct_placements, sel_employer_user):
    placement = make_ct_placements(confirm=False)[0]
    placement = ct.placement_confirm(actor=sel_employer_user, placement=placement)
    assert placement.status == PlacementStatus.PROPOSED and placement.employer_confirmed_at
    with pytest.raises(Conflict):
        ct.placement_confirm(actor=sel_employer_user, placement=placement)
    assert ct.placement_confirm(actor=placement.worker.user, placement=placement).status == PlacementStatus.CONFIRMED


def test_nobody_else_confirms_or_declines(make_ct_placements, sel_admin, sel_origin, make_user):
    first, second = make_ct_placements(n=2, confirm=False)
    other_employer = make_user(Role.EMPLOYER, country="CA")
    for actor in (second.worker.user, sel_admin, sel_origin, other_employer):
        with pytest.raises(Forbidden):
            ct.placement_confirm(actor=actor, placement=first)
        with pytest.raises(Forbidden):
            ct.placement_decline(actor=actor, placement=first, reason="No.")
    first.refresh_from_db()
    assert first.status == PlacementStatus.PROPOSED and first.worker_confirmed_at is None


def test_declining_needs_a_reason_and_ends_the_placement(make_ct_placements, sel_employer_user):
    first, second = make_ct_placements(n=2, confirm=False)
    with pytest.raises(InvalidInput) as exc:
        ct.placement_decline(actor=first.worker.user, placement=first, reason="  ")
    assert fields(exc) == ["reason"]
    declined = ct.placement_decline(actor=first.worker.user, placement=first, reason="My mother is ill.")
    assert declined.status == PlacementStatus.DECLINED and declined.reason == "My mother is ill."
    assert audited("placement.decline", declined)
    with pytest.raises(Conflict):
        ct.placement_confirm(actor=sel_employer_user, placement=declined)
    with pytest.raises(Conflict):
        ct.placement_decline(actor=sel_employer_user, placement=declined, reason="Again.")
    by_employer = ct.placement_decline(actor=sel_employer_user, placement=second, reason="Orchard damaged by hail.")
    assert by_employer.status == PlacementStatus.DECLINED


def test_a_confirmed_placement_is_not_declined(ct_placement, sel_employer_user):
    with pytest.raises(Conflict):
        ct.placement_decline(actor=sel_employer_user, placement=ct_placement, reason="Changed my mind.")


# --- generating, signing, approving ------------------------------------------------------------------------------


def test_the_employer_generates_a_complete_draft_in_the_workers_language(ct_template, ct_placement, sel_employer_user):
    contract = ct.contract_generate(actor=sel_employer_user, placement=ct_placement)
    assert contract.version == 1 and contract.status == ContractStatus.DRAFT
    assert contract.worker_language == "es" and contract.destination_language == "en"
    assert contract.content_hash == "" and contract.verification_code is None and contract.locked_at is None
    assert clauses.missing(contract.content) == []
    assert contract.content["job_order"] == ct_placement.job_order.reference
    assert audited("contract.generate", contract)
    with pytest.raises(Conflict):
        ct.contract_generate(actor=sel_employer_user, placement=ct_placement)


def test_the_ministry_may_generate_too(ct_template, ct_placement, sel_officer):
    assert ct.contract_generate(actor=sel_officer, placement=ct_placement).status == ContractStatus.DRAFT


@pytest.mark.parametrize("who", ["sel_origin", "ct_worker", "other_employer"])
def test_only_the_employer_or_the_ministry_generates(request, who, ct_template, ct_placement, make_user):
    actor = (make_user(Role.EMPLOYER, country="CA") if who == "other_employer"
             else getattr(request.getfixturevalue(who), "user", None) or request.getfixturevalue(who))
    with pytest.raises(Forbidden):
        ct.contract_generate(actor=actor, placement=ct_placement)
    assert not Contract.objects.exists()


def test_no_contract_before_both_confirm(ct_template, make_ct_placements, sel_employer_user):
    placement = make_ct_placements(confirm=False)[0]
    ct.placement_confirm(actor=placement.worker.user, placement=placement)
    with pytest.raises(Conflict) as exc:
        ct.contract_generate(actor=sel_employer_user, placement=placement)
    assert fields(exc) == ["status"]


def test_no_contract_without_the_programmes_template(ct_placement, sel_employer_user):
    with pytest.raises(Conflict) as exc:
        ct.contract_generate(actor=sel_employer_user, placement=ct_placement)
    assert fields(exc) == ["template"]


def test_generating_is_refused_naming_every_missing_item(ct_template, ct_placement, sel_employer_user):
    order = ct_placement.job_order
    JobOrder.objects.filter(pk=order.pk).update(description="")
    order.worksite.__class__.objects.filter(pk=order.worksite_id).update(address="")
    with pytest.raises(InvalidInput) as exc:
        ct.contract_generate(actor=sel_employer_user, placement=ct_placement)
    assert exc.value.status == 422
    assert set(fields(exc)) == {"contract.work.description", "contract.work.address", "contract.employer.address"}
    messages = " ".join(e["message"] for e in exc.value.as_errors())
    assert "'work'" in messages and "'place'" in messages and "'parties'" in messages
    assert not Contract.objects.exists()


def test_only_the_employer_signs_a_draft(make_ct_contract, ct_placement, sel_officer, sel_admin, sel_origin,
                                        sel_employer_user):
    draft = make_ct_contract(ct_placement, upto="draft")
    for actor in (sel_officer, sel_admin, sel_origin, ct_placement.worker.user):
        with pytest.raises(Forbidden):
            ct.contract_sign(actor=actor, contract=draft)
    signed = ct.contract_sign(actor=sel_employer_user, contract=draft)
    assert signed.status == ContractStatus.SIGNED and signed.signed_by == sel_employer_user and signed.signed_at
    assert audited("contract.sign", signed)
    with pytest.raises(Conflict):
        ct.contract_sign(actor=sel_employer_user, contract=signed)


def test_the_origin_authority_approves_locks_and_delivers(make_ct_contract, ct_placement, sel_origin):
    signed = make_ct_contract(ct_placement, upto="signed")
    issued = ct.contract_approve(actor=sel_origin, contract=signed)
    issued.refresh_from_db()
    assert issued.status == ContractStatus.ISSUED and issued.approved_by == sel_origin and issued.locked_at
    assert issued.content_hash == clauses.content_hash(issued.content)
    assert CODE.match(issued.verification_code)
    event = AuditEvent.objects.get(action="contract.approve", subject_id=str(issued.pk))
    assert issued.content_hash in event.reason and issued.verification_code in event.reason
    with pytest.raises(Conflict):
        ct.contract_approve(actor=sel_origin, contract=issued)


def test_only_the_origin_authority_of_the_workers_country_approves(make_ct_contract, ct_placement, sel_jm_origin,
                                                                   sel_admin, sel_officer, sel_employer_user,
                                                                   make_org, make_user):
    signed = make_ct_contract(ct_placement, upto="signed")
    not_competent = make_user(Role.ORIGIN_OFFICER, organisation=make_org(OrgKind.ORIGIN_AUTHORITY, "MX"))
    for actor in (sel_jm_origin, not_competent, sel_admin, sel_officer, sel_employer_user, ct_placement.worker.user):
        with pytest.raises(Forbidden):
            ct.contract_approve(actor=actor, contract=signed)
    signed.refresh_from_db()
    assert signed.status == ContractStatus.SIGNED and signed.verification_code is None


def test_a_draft_is_not_approved_before_the_employer_signs(make_ct_contract, ct_placement, sel_origin):
    draft = make_ct_contract(ct_placement, upto="draft")
    with pytest.raises(Conflict):
        ct.contract_approve(actor=sel_origin, contract=draft)


def test_codes_are_drawn_from_crockfords_alphabet():
    codes = {ct.new_code() for _ in range(200)}
    assert len(codes) == 200 and all(CODE.match(c) for c in codes)


def test_a_code_drawn_twice_is_drawn_again(make_ct_contract, make_ct_placements, sel_origin, monkeypatch):
    first, second = make_ct_placements(n=2)
    a = make_ct_contract(first)
    b = make_ct_contract(second, upto="signed")
    drawn = iter([a.verification_code, a.verification_code, "CT-2345-6789"])
    monkeypatch.setattr(ct, "new_code", lambda: next(drawn))
    b = ct.contract_approve(actor=sel_origin, contract=b)
    b.refresh_from_db()
    assert b.verification_code == "CT-2345-6789" and b.status == ContractStatus.ISSUED


# --- the database lock -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("change", [
    {"content": {"pay": {"amount": "1.00"}}},
    {"content_hash": "0" * 64},
    {"verification_code": "CT-0000-0000"},
    {"version": 7},
])
def test_the_database_refuses_to_change_a_locked_contract(ct_contract, change):
    with pytest.raises(DatabaseError), transaction.atomic():
        Contract.objects.filter(pk=ct_contract.pk).update(**change)
    stored = Contract.objects.get(pk=ct_contract.pk)
    assert stored.content == ct_contract.content and stored.content_hash == ct_contract.content_hash
    assert stored.verification_code == ct_contract.verification_code and stored.version == 1


def test_the_lock_lets_the_status_move_and_drafts_change(make_ct_placements, make_ct_contract):
    first, second = make_ct_placements(n=2)
    issued = make_ct_contract(first)
    Contract.objects.filter(pk=issued.pk).update(status=ContractStatus.REVOKED, revoked_reason="Test.")
    assert Contract.objects.get(pk=issued.pk).status == ContractStatus.REVOKED
    draft = make_ct_contract(second, upto="draft")
    Contract.objects.filter(pk=draft.pk).update(content={**draft.content, "food": "Meals provided."})
    assert Contract.objects.get(pk=draft.pk).content["food"] == "Meals provided."


# --- the worker's answer -----------------------------------------------------------------------------------------


def test_the_worker_accepts_with_time_and_channel(ct_contract, ct_worker):
    accepted = ct.contract_answer(actor=ct_worker.user, contract=ct_contract, accept=True, via=" SMS ", note="Gracias")
    assert accepted.status == ContractStatus.ACCEPTED and accepted.answered_via == "sms" and accepted.answered_at
    assert accepted.answer_note == "Gracias"
    assert audited("contract.accept", accepted)
    assert ct.in_force(ct_contract.placement) == accepted
    with pytest.raises(Conflict):
        ct.contract_answer(actor=ct_worker.user, contract=accepted, accept=False)


def test_the_worker_may_reject(ct_contract, ct_worker):
    rejected = ct.contract_answer(actor=ct_worker.user, contract=ct_contract, accept="no", via="office",
                                  note="The housing charge was not explained.")
    assert rejected.status == ContractStatus.REJECTED and rejected.answered_via == "office"
    assert audited("contract.reject", rejected) and ct.in_force(ct_contract.placement) is None


def test_only_the_worker_answers(ct_contract, sel_employer_user, sel_origin, sel_admin, make_ready_worker):
    other = make_ready_worker("Otro", "Trabajador")
    for actor in (sel_employer_user, sel_origin, sel_admin, other.user):
        with pytest.raises(Forbidden):
            ct.contract_answer(actor=actor, contract=ct_contract, accept=True)
    ct_contract.refresh_from_db()
    assert ct_contract.status == ContractStatus.ISSUED


@pytest.mark.parametrize("via", ["fax", "email", "x" * 20])
def test_the_channel_must_be_known(ct_contract, ct_worker, via):
    with pytest.raises(InvalidInput) as exc:
        ct.contract_answer(actor=ct_worker.user, contract=ct_contract, accept=True, via=via)
    assert fields(exc) == ["via"]


def test_a_contract_not_delivered_is_not_answered(make_ct_contract, ct_placement, ct_worker):
    for upto in ("draft",):
        contract = make_ct_contract(ct_placement, upto=upto)
        with pytest.raises(Conflict):
            ct.contract_answer(actor=ct_worker.user, contract=contract, accept=True)


# --- amendments --------------------------------------------------------------------------------------------------


def test_an_amendment_is_a_new_draft_with_its_changes(ct_accepted, sel_employer_user):
    amendment = ct.contract_amend(actor=sel_employer_user, contract=ct_accepted, changes={"pay.amount": "19.25"},
                                  reason="Wage rise for the season.")
    assert amendment.version == 2 and amendment.status == ContractStatus.DRAFT
    assert amendment.content["pay"]["amount"] == "19.25" and amendment.reason == "Wage rise for the season."
    assert amendment.changes == [{"item": "pay", "fields": [{"path": "pay.amount", "before": "18.00", "after": "19.25"}]}]
    assert audited("contract.amend", amendment)
    ct_accepted.refresh_from_db()
    assert ct_accepted.status == ContractStatus.ACCEPTED  # in force until the worker accepts the amendment


def test_an_amendment_may_follow_a_delivered_contract_not_yet_answered(ct_contract, sel_officer):
    amendment = ct.contract_amend(actor=sel_officer, contract=ct_contract, changes={"food": "Lunch is provided."},
                                  reason="Lunch added.")
    assert [c["item"] for c in amendment.changes] == ["food"]


def test_only_a_delivered_contract_is_amended(make_ct_contract, ct_placement, sel_employer_user):
    signed = make_ct_contract(ct_placement, upto="signed")
    with pytest.raises(Conflict):
        ct.contract_amend(actor=sel_employer_user, contract=signed, changes={"pay.amount": "20"}, reason="Rise.")


@pytest.mark.parametrize("who", ["sel_origin", "sel_jm_origin", "ct_worker"])
def test_only_the_employer_or_the_ministry_amends(request, who, ct_accepted):
    actor = request.getfixturevalue(who)
    actor = getattr(actor, "user", None) or actor
    with pytest.raises(Forbidden):
        ct.contract_amend(actor=actor, contract=ct_accepted, changes={"pay.amount": "20"}, reason="Rise.")


@pytest.mark.parametrize(("changes", "field"), [
    ({"pay.amount": "abc"}, "changes.pay.amount"),
    ({"pay.amount": "-1"}, "changes.pay.amount"),
    ({"pay.amount": "NaN"}, "changes.pay.amount"),
    ({"pay.hours_per_week": "1e12"}, "changes.pay.hours_per_week"),
    ({"duration.notice_days": "two"}, "changes.duration.notice_days"),
    ({"duration.start": "2099-13-01"}, "changes.duration.start"),
    ({"duration.end": "tomorrow"}, "changes.duration.end"),
    ({"food": "   "}, "changes.food"),
    ({"pay.currency": "USD"}, "changes.pay.currency"),
    ({"worker.name": "Someone else"}, "changes.worker.name"),
    ({"equal_treatment": False}, "changes.equal_treatment"),
    ({"duration.end": "1999-01-01"}, "changes.duration.end"),
    ({}, "changes"),
    (["pay.amount"], "changes"),
    ("pay.amount=20", "changes"),
])
def test_bad_amendments_name_the_field(ct_accepted, sel_employer_user, changes, field):
    with pytest.raises(InvalidInput) as exc:
        ct.contract_amend(actor=sel_employer_user, contract=ct_accepted, changes=changes, reason="Because.")
    assert field in fields(exc)
    assert Contract.objects.count() == 1


def test_an_amendment_needs_a_reason_and_a_change(ct_accepted, sel_employer_user):
    with pytest.raises(InvalidInput) as exc:
        ct.contract_amend(actor=sel_employer_user, contract=ct_accepted, changes={"pay.amount": "20"}, reason="")
    assert fields(exc) == ["reason"]
    same = ct_accepted.content["pay"]["amount"]
    with pytest.raises(InvalidInput) as exc:
        ct.contract_amend(actor=sel_employer_user, contract=ct_accepted, changes={"pay.amount": same}, reason="None.")
    assert fields(exc) == ["changes"]


def test_the_end_must_stay_after_the_start(ct_accepted, sel_employer_user):
    start = ct_accepted.content["duration"]["start"]
    with pytest.raises(InvalidInput) as exc:
        ct.contract_amend(actor=sel_employer_user, contract=ct_accepted, changes={"duration.end": start},
                          reason="Shorter.")
    assert fields(exc) == ["changes.duration.end"]
    later = datetime.date.fromisoformat(ct_accepted.content["duration"]["end"]) + datetime.timedelta(days=1)
    with pytest.raises(InvalidInput):
        ct.contract_amend(actor=sel_employer_user, contract=ct_accepted, changes={"duration.start": later.isoformat()},
                          reason="Later start.")


def test_one_amendment_at_a_time(ct_accepted, ct_worker, sel_employer_user, sel_origin):
    first = ct.contract_amend(actor=sel_employer_user, contract=ct_accepted, changes={"pay.amount": "19"}, reason="Rise.")
    with pytest.raises(Conflict):
        ct.contract_amend(actor=sel_employer_user, contract=ct_accepted, changes={"food": "Lunch."}, reason="Lunch.")
    first = issue(first, sel_employer_user, sel_origin)
    with pytest.raises(Conflict):
        ct.contract_amend(actor=sel_employer_user, contract=ct_accepted, changes={"food": "Lunch."}, reason="Lunch.")
    ct.contract_answer(actor=ct_worker.user, contract=first, accept=False, note="I prefer the first one.")
    ct_accepted.refresh_from_db()
    assert ct_accepted.status == ContractStatus.ACCEPTED  # a rejected amendment leaves the version in force
    second = ct.contract_amend(actor=sel_employer_user, contract=ct_accepted, changes={"food": "Lunch."}, reason="Lunch.")
    assert second.version == 3


def test_accepting_the_amendment_supersedes_the_version_in_force(ct_accepted, ct_worker, sel_employer_user,
                                                                sel_origin):
    amendment = ct.contract_amend(actor=sel_employer_user, contract=ct_accepted,
                                  changes={"pay.amount": "19.50", "duration.notice_days": 14}, reason="Rise.")
    amendment = issue(amendment, sel_employer_user, sel_origin)
    assert amendment.verification_code != ct_accepted.verification_code
    accepted = ct.contract_answer(actor=ct_worker.user, contract=amendment, accept=True)
    ct_accepted.refresh_from_db()
    assert accepted.status == ContractStatus.ACCEPTED and accepted.supersedes == ct_accepted
    assert ct_accepted.status == ContractStatus.SUPERSEDED
    assert Contract.objects.filter(placement=ct_accepted.placement, status=ContractStatus.ACCEPTED).count() == 1
    assert ct.in_force(ct_accepted.placement) == accepted
    # The superseded version's content and hash are untouched.
    assert ct_accepted.content["pay"]["amount"] == "18.00"
    assert ct_accepted.content_hash == clauses.content_hash(ct_accepted.content)


def test_accepting_an_amendment_of_a_version_never_answered_supersedes_it(ct_contract, ct_worker, sel_employer_user,
                                                                           sel_origin):
    amendment = issue(ct.contract_amend(actor=sel_employer_user, contract=ct_contract, changes={"pay.amount": "19"},
                                        reason="Rise."), sel_employer_user, sel_origin)
    ct.contract_answer(actor=ct_worker.user, contract=amendment, accept=True)
    ct_contract.refresh_from_db()
    assert ct_contract.status == ContractStatus.SUPERSEDED
    with pytest.raises(Conflict):
        ct.contract_answer(actor=ct_worker.user, contract=ct_contract, accept=True)
    assert selectors.verify(ct_contract.verification_code)["current"] is False


# --- revocation --------------------------------------------------------------------------------------------------


def test_the_origin_authority_or_the_ministry_revokes(ct_contract, sel_origin, sel_officer):
    with pytest.raises(InvalidInput) as exc:
        ct.contract_revoke(actor=sel_origin, contract=ct_contract, reason=" ")
    assert fields(exc) == ["reason"]
    revoked = ct.contract_revoke(actor=sel_officer, contract=ct_contract, reason="The job order was cancelled.")
    assert revoked.status == ContractStatus.REVOKED and revoked.revoked_reason == "The job order was cancelled."
    assert audited("contract.revoke", revoked)
    with pytest.raises(Conflict):
        ct.contract_revoke(actor=sel_origin, contract=revoked, reason="Again.")


def test_an_accepted_contract_may_be_revoked(ct_accepted, sel_origin):
    assert ct.contract_revoke(actor=sel_origin, contract=ct_accepted, reason="Fraud.").status == ContractStatus.REVOKED
    assert ct.in_force(ct_accepted.placement) is None


def test_who_may_not_revoke_and_what_is_not_revoked(make_ct_contract, make_ct_placements, sel_employer_user,
                                                    sel_jm_origin, sel_origin):
    first, second = make_ct_placements(n=2)
    issued = make_ct_contract(first)
    for actor in (sel_employer_user, sel_jm_origin, first.worker.user):
        with pytest.raises(Forbidden):
            ct.contract_revoke(actor=actor, contract=issued, reason="No.")
    draft = make_ct_contract(second, upto="signed")
    with pytest.raises(Conflict):
        ct.contract_revoke(actor=sel_origin, contract=draft, reason="Not approved yet.")


# --- public verification -----------------------------------------------------------------------------------------


@pytest.fixture
def known_code(make_ct_contract, ct_placement, monkeypatch):
    monkeypatch.setattr(ct, "new_code", lambda: "CT-01AB-2C3D")
    return make_ct_contract(ct_placement)


@pytest.mark.parametrize("typed", ["CT-01AB-2C3D", "ct-01ab-2c3d", "CT01AB2C3D", " ct 01ab 2c3d ", "CT-OIAB-2C3D",
                                   "ct-olab-2c3d", "CT—01AB—2C3D"])
def test_a_contract_code_verifies_however_it_is_typed(known_code, typed):
    facts = selectors.verify(typed)
    assert facts is not None and facts["kind"] == "contract" and facts["code"] == "CT-01AB-2C3D"


def test_verification_shows_non_personal_facts_only(known_code, ct_worker):
    facts = selectors.verify(known_code.verification_code)
    order = known_code.placement.job_order
    assert facts["genuine"] is True and facts["current"] is True and facts["status"] == ContractStatus.ISSUED
    assert facts["content_hash"] == known_code.content_hash and facts["version"] == 1
    assert facts["job_order"] == order.reference and facts["programme"] == "CA-SAG"
    assert facts["employer"] == order.employer.organisation.name and facts["wage"] == "18.00 CAD / hour"
    text = json.dumps(facts)
    for personal in (ct_worker.given_names, ct_worker.family_names, ct_worker.public_id,
                     ct_worker.date_of_birth.isoformat()):
        assert personal not in text


def test_superseded_and_revoked_contracts_are_not_current(ct_accepted, ct_worker, sel_employer_user, sel_origin):
    amendment = issue(ct.contract_amend(actor=sel_employer_user, contract=ct_accepted, changes={"pay.amount": "19"},
                                        reason="Rise."), sel_employer_user, sel_origin)
    assert selectors.verify(amendment.verification_code)["current"] is True  # delivered, waiting for the worker
    ct.contract_answer(actor=ct_worker.user, contract=amendment, accept=True)
    old = selectors.verify(ct_accepted.verification_code)
    assert old["current"] is False and old["status"] == ContractStatus.SUPERSEDED
    ct.contract_revoke(actor=sel_origin, contract=amendment, reason="Fraud.")
    new = selectors.verify(amendment.verification_code)
    assert new["current"] is False and new["status"] == ContractStatus.REVOKED and new["genuine"] is True


@pytest.mark.parametrize("typed", ["CT-ZZZZ-ZZZZ", "CT-01AB-2C3", "", "   ", None, "hello", "JO-NOPE", "' OR 1=1 --",
                                   "x" * 500])
def test_unknown_codes_verify_as_nothing(known_code, typed):
    assert selectors.verify(typed) is None


def test_a_draft_has_no_code_to_verify(make_ct_contract, ct_placement):
    draft = make_ct_contract(ct_placement, upto="signed")
    assert draft.verification_code is None
    assert not Contract.objects.filter(verification_code__isnull=False).exists()


def test_a_job_order_reference_verifies(sel_orders, make_open_order, sel_employer_user, sel_employer, sel_programme):
    apple = sel_orders[0]
    facts = selectors.verify(apple.reference.lower())
    assert facts["kind"] == "job_order" and facts["code"] == apple.reference and facts["current"] is True
    assert facts["positions"] == 2 and facts["employer"] == sel_employer.organisation.name
    from corridor.joborders import services as joborder_services

    draft = joborder_services.job_order_create(
        actor=sel_employer_user, employer=sel_employer, programme=sel_programme,
        **{k: getattr(apple, k) for k in ("title", "isco_code", "sector", "positions", "wage_amount", "wage_currency",
                                          "wage_unit", "hours_per_week", "overtime_rate_percent", "description",
                                          "start_date", "end_date", "deductions")},
        origin_countries=["MX"], worksite=apple.worksite_id, housing=apple.housing_id,
    )
    assert draft.reference and selectors.verify(draft.reference) is None  # not yet approved


def test_an_agency_licence_number_verifies(make_user, make_org, sel_programme, sel_origin):
    from corridor.recruitment import services as recruitment_services

    agency = make_user(Role.AGENCY, organisation=make_org(OrgKind.RECRUITMENT_AGENCY, "MX", name="Agencia Justa"))
    application = recruitment_services.licence_apply(
        actor=agency, ownership="Ana López (100%)", capital_amount="250000", capital_currency="MXN",
        deposit_amount="100000", deposit_currency="MXN", scopes=[{"programme": "CA-SAG", "origin_country": "MX"}])
    assert selectors.verify(str(application.pk)) is None
    until = timezone.localdate() + datetime.timedelta(days=365)
    licence = recruitment_services.licence_grant(actor=sel_origin, licence=application, valid_until=until)
    facts = selectors.verify(licence.number.lower())
    assert facts["kind"] == "agency_licence" and facts["code"] == licence.number and facts["current"] is True
    assert facts["agency"] == "Agencia Justa" and facts["valid_until"] == until.isoformat()


# --- departure ---------------------------------------------------------------------------------------------------


def test_departure_needs_an_accepted_contract(ct_placement, make_ct_contract):
    later = timezone.localdate() + datetime.timedelta(days=60)
    assert ct.departure_blockers(ct_placement, later) == ["The worker has not accepted a contract."]
    make_ct_contract(ct_placement)  # delivered, not yet accepted
    assert ct.departure_blockers(ct_placement, later) == ["The worker has not accepted a contract."]


def test_departure_needs_the_contract_delivered_the_lead_time_before(ct_accepted):
    from corridor.programmes.rulebook import RuleSet
    from corridor.programmes.selectors import rule_version_in_force

    placement = ct_accepted.placement
    lead = RuleSet.model_validate(rule_version_in_force(programme=placement.job_order.programme).rules
                                  ).contract_delivery_lead_days
    delivered = timezone.localtime(ct_accepted.locked_at).date()
    assert ct.departure_blockers(placement, delivered + datetime.timedelta(days=lead)) == []
    blockers = ct.departure_blockers(placement, delivered + datetime.timedelta(days=lead - 1))
    assert len(blockers) == 1 and f"at least {lead} days" in blockers[0] and delivered.isoformat() in blockers[0]


def test_an_amendment_keeps_the_first_delivery_date(ct_accepted, ct_worker, sel_employer_user, sel_origin):
    amendment = issue(ct.contract_amend(actor=sel_employer_user, contract=ct_accepted, changes={"pay.amount": "19"},
                                        reason="Rise."), sel_employer_user, sel_origin)
    ct.contract_answer(actor=ct_worker.user, contract=amendment, accept=True)
    far = timezone.localdate() + datetime.timedelta(days=90)
    assert ct.departure_blockers(ct_accepted.placement, far) == []
