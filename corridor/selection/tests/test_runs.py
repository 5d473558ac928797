"""Runs of a selection round: dry and published runs, re-runs that supersede, the run lock, all-or-nothing writes,
determinism, cutoffs, employer shortlists, appeals and distributional targets."""

from __future__ import annotations

import datetime
import re
import threading
import time

import pytest
from django.conf import settings
from django.db import connections
from django.db.models import F
from django.utils import timezone

from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.models import AuditEvent
from corridor.joborders.models import JobOrder
from corridor.programmes.selectors import rule_version_in_force
from corridor.selection import assign, loading, priority, services
from corridor.selection.models import (
    Appeal,
    AppealStatus,
    Nomination,
    Outcome,
    PickStatus,
    Preference,
    RoundStatus,
    RunJobOrder,
    RunKind,
    RunStatus,
    SelectionRound,
    SelectionRun,
)

pytestmark = pytest.mark.django_db

SHORTLIST = {"selection": {"mode": "employer_shortlist", "shortlist_per_position": 2, "max_preferences": 10,
                           "passed_over_moves_up_after": 1}}


def rank(rnd, worker, *orders):
    services.preferences_set(actor=worker.user, rnd=rnd, worker=worker, job_orders=[o.reference for o in orders])


@pytest.fixture
def crew(make_ready_worker):
    """crew(n, years=None, sex="male") -> n workers; experience years 1..n unless given (more years, more points)."""

    def make(n: int, *, years=None, sex="male", start=0):
        return [make_ready_worker(f"W{start + i}", "Test", sex=sex, years=years if years is not None else i + 1)
                for i in range(n)]

    return make


@pytest.fixture
def ranked(sel_round, sel_orders, crew):
    """Four workers who rank Peach harvest (1 position) first and Apple harvest (2 positions) second."""
    apple, peach = sel_orders
    workers = crew(4)
    for w in workers:
        rank(sel_round, w, peach, apple)
    return workers


def state(rnd) -> dict:
    """Everything outside the run tables that a run must not change."""
    return {
        "round": SelectionRound.objects.filter(pk=rnd.pk).values("status", "seed", "running_since", "closed_at").get(),
        "preferences": list(Preference.objects.order_by("pk").values_list("worker_id", "job_order_id", "rank")),
        "nominations": list(Nomination.objects.order_by("pk").values_list("status", flat=True)),
        "orders": list(JobOrder.objects.order_by("pk").values_list("status", "positions", "positions_filled")),
    }


def outcomes(run) -> dict:
    return {o.worker_id: (o.job_order_id, o.choice, o.lottery, o.details, o.pick)
            for o in Outcome.objects.filter(run=run)}


# --- bad input ---------------------------------------------------------------------------------------------------


def test_no_preferences_is_a_conflict(sel_round, sel_orders, sel_admin):
    with pytest.raises(Conflict, match="No worker has ranked a job order") as exc:
        services.run_round(actor=sel_admin, rnd=sel_round)
    assert exc.value.field == "round"
    assert not SelectionRun.objects.exists()
    assert SelectionRound.objects.get(pk=sel_round.pk).running_since is None


def test_no_positions_left_is_a_conflict(sel_round, ranked, sel_admin):
    JobOrder.objects.update(positions_filled=F("positions"))
    with pytest.raises(Conflict, match="positions left"):
        services.run_round(actor=sel_admin, rnd=sel_round)
    assert not SelectionRun.objects.exists()


def test_who_may_run(sel_round, ranked, sel_officer, sel_origin, sel_employer_user, make_ready_worker, sel_admin,
                     sel_programme):
    for actor in (sel_officer, sel_origin, sel_employer_user, ranked[0].user):
        with pytest.raises(Forbidden):
            services.run_round(actor=actor, rnd=sel_round)
    # The origin authority runs the round of its own corridor.
    mx_round = services.round_create(actor=sel_origin, programme=sel_programme)
    rank(mx_round, ranked[0], JobOrder.objects.get(title="Apple harvest"))
    assert services.run_round(actor=sel_origin, rnd=mx_round).kind == RunKind.DRY
    assert not SelectionRun.objects.filter(round=sel_round).exists()


def test_closed_round_cannot_run(sel_round, ranked, sel_admin):
    services.round_close(actor=sel_admin, rnd=sel_round, reason="Cancelled.")
    with pytest.raises(Conflict, match="closed") as exc:
        services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
    assert exc.value.status == 409
    assert not SelectionRun.objects.exists()


# --- dry and published runs --------------------------------------------------------------------------------------


def test_dry_run_stores_its_summary_and_changes_nothing_else(sel_round, ranked, sel_orders, sel_admin):
    before = state(sel_round)
    run = services.run_round(actor=sel_admin, rnd=sel_round)
    assert (run.kind, run.status, run.published_at, run.supersedes) == (RunKind.DRY, RunStatus.DRY, None, None)
    s = run.summary
    assert (s["positions"], s["selected"], s["applicants"], s["unfilled_positions"], s["mode"]) == (3, 3, 4, 0, "matching")
    assert s["selected_by_sex"] == {"male": 3} and s["fill_rate"] == 1.0
    assert s["selected_by_history"] == {"first_time": 3, "returning": 0}
    assert state(sel_round) == before
    assert not services.has_published(sel_round)
    event = AuditEvent.objects.get(action="selection_run.dry_run")
    assert run.inputs_hash in event.reason and sel_round.seed in event.reason
    # Preferences may still change after a dry run.
    rank(sel_round, ranked[0], sel_orders[0])


def test_published_run_records_what_it_was_computed_from(sel_round, ranked, sel_orders, sel_admin, sel_programme):
    run = services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
    run.refresh_from_db()
    assert (run.kind, run.status) == (RunKind.PUBLISHED, RunStatus.PUBLISHED)
    assert run.published_at is not None and run.started_at <= run.finished_at
    assert re.fullmatch(r"[0-9a-f]{64}", run.inputs_hash)
    assert run.seed == sel_round.seed
    assert run.rule_version == rule_version_in_force(programme=sel_programme)
    assert run.code_version == loading.code_version() and run.code_version.startswith("corridor ")
    assert run.mode == "matching" and run.started_by == sel_admin
    # Outputs: one outcome per worker who ranked, one row per job order of the round.
    assert Outcome.objects.filter(run=run).count() == 4
    apple, peach = sel_orders
    rows = {r.job_order_id: r for r in RunJobOrder.objects.filter(run=run)}
    assert {k: (r.positions, r.capacity, r.selected, r.applicants) for k, r in rows.items()} == {
        apple.pk: (2, 2, 2, 4), peach.pk: (1, 1, 1, 4)}
    event = AuditEvent.objects.get(action="selection_run.publish")
    assert run.inputs_hash in event.reason and event.rule_version_ref == run.rule_version_id
    # The worker with most points (W3, 4 years) obtains her first choice; the lowest (W0) nothing.
    got = {o.worker_id: o for o in Outcome.objects.filter(run=run)}
    assert (got[ranked[3].pk].job_order_id, got[ranked[3].pk].choice) == (peach.pk, 1)
    assert {got[ranked[i].pk].job_order_id for i in (1, 2)} == {apple.pk}
    assert got[ranked[0].pk].job_order_id is None and got[ranked[0].pk].choice is None
    assert [e[2] for e in got[ranked[0].pk].details] == ["n", "n"]
    assert [e[2] for e in got[ranked[1].pk].details] == ["n", "s"]
    assert [e[2] for e in got[ranked[3].pk].details] == ["s", "r"]


def test_republishing_needs_a_reason_and_supersedes(sel_round, ranked, sel_admin):
    first = services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
    kept = outcomes(first)
    for reason in ("", "   "):
        with pytest.raises(InvalidInput) as exc:
            services.run_round(actor=sel_admin, rnd=sel_round, publish=True, reason=reason)
        assert exc.value.status == 422 and exc.value.field == "reason"
    with pytest.raises(InvalidInput) as exc:
        services.run_round(actor=sel_admin, rnd=sel_round, publish=True, reason="x" * 4001)
    assert exc.value.field == "reason"
    assert SelectionRun.objects.count() == 1
    second = services.run_round(actor=sel_admin, rnd=sel_round, publish=True, reason="Appeal 4 upheld.")
    first.refresh_from_db()
    assert first.status == RunStatus.SUPERSEDED and first.kind == RunKind.PUBLISHED
    assert second.status == RunStatus.PUBLISHED and second.supersedes == first and second.reason == "Appeal 4 upheld."
    assert first.superseded_by == second
    assert outcomes(first) == kept  # the superseded run keeps its outputs
    assert SelectionRun.objects.filter(round=sel_round, status=RunStatus.PUBLISHED).get() == second
    event = AuditEvent.objects.filter(action="selection_run.publish").first()
    assert event.subject_id == str(second.pk)
    assert f"Supersedes run {first.pk}: Appeal 4 upheld." in event.reason
    # A dry run after publication leaves the published run in force.
    dry = services.run_round(actor=sel_admin, rnd=sel_round)
    assert dry.status == RunStatus.DRY and dry.supersedes is None
    second.refresh_from_db()
    assert second.status == RunStatus.PUBLISHED


def test_republishing_without_reason_refused_even_when_published_meanwhile(sel_round, ranked, sel_admin,
                                                                          monkeypatch):
    """Another run may publish between the check of the request and the writing of this one (the lock is taken only
    after the check): superseding still needs a reason, and nothing is written."""
    first = services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
    monkeypatch.setattr(services, "has_published", lambda rnd: False)  # as seen before the other run finished
    with pytest.raises(InvalidInput) as exc:
        services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
    assert exc.value.field == "reason"
    first.refresh_from_db()
    assert first.status == RunStatus.PUBLISHED and SelectionRun.objects.count() == 1
    assert SelectionRound.objects.get(pk=sel_round.pk).running_since is None


# --- the run lock and all-or-nothing writes ----------------------------------------------------------------------


def test_a_run_in_progress_blocks_another_and_a_stale_lock_is_taken_over(sel_round, ranked, sel_admin):
    started = timezone.now() - datetime.timedelta(minutes=5)
    SelectionRound.objects.filter(pk=sel_round.pk).update(running_since=started)
    with pytest.raises(Conflict, match="already in progress") as exc:
        services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
    assert exc.value.status == 409 and exc.value.field == "round"
    assert not SelectionRun.objects.exists()
    assert SelectionRound.objects.get(pk=sel_round.pk).running_since == started  # somebody else's lock: left alone
    SelectionRound.objects.filter(pk=sel_round.pk).update(running_since=timezone.now() - datetime.timedelta(hours=1, minutes=1))
    run = services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
    assert run.status == RunStatus.PUBLISHED
    assert SelectionRound.objects.get(pk=sel_round.pk).running_since is None


@pytest.mark.parametrize("where", ["solve", "hash", "write"])
def test_a_failing_run_leaves_nothing_written(where, sel_round, ranked, sel_admin, monkeypatch):
    first = services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
    counts = (SelectionRun.objects.count(), Outcome.objects.count(), RunJobOrder.objects.count(),
              AuditEvent.objects.count())

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    if where == "solve":
        monkeypatch.setattr(assign, "solve", boom)
    elif where == "hash":
        monkeypatch.setattr(loading, "inputs_hash", boom)
    else:
        real = services._write_results

        def half_written(*args, **kwargs):
            real(*args, **kwargs)  # every row is written, then the run fails
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(services, "_write_results", half_written)
    with pytest.raises(RuntimeError):
        services.run_round(actor=sel_admin, rnd=sel_round, publish=True, reason="Re-run.")
    assert (SelectionRun.objects.count(), Outcome.objects.count(), RunJobOrder.objects.count(),
            AuditEvent.objects.count()) == counts
    first.refresh_from_db()
    assert first.status == RunStatus.PUBLISHED  # the supersession was rolled back too
    assert SelectionRound.objects.get(pk=sel_round.pk).running_since is None


def test_a_failing_first_run_leaves_no_rows(sel_round, ranked, sel_admin, monkeypatch):
    monkeypatch.setattr(assign, "solve", lambda inp: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        services.run_round(actor=sel_admin, rnd=sel_round)
    assert not SelectionRun.objects.exists() and not Outcome.objects.exists() and not RunJobOrder.objects.exists()
    assert SelectionRound.objects.get(pk=sel_round.pk).running_since is None


# --- determinism and the lottery ---------------------------------------------------------------------------------


def test_same_inputs_same_hash_and_outcome_other_seed_other_lottery(sel_round, sel_orders, crew, sel_admin):
    apple, peach = sel_orders
    workers = crew(5, years=3)  # equal points: the lottery decides
    for w in workers:
        rank(sel_round, w, peach, apple)
    first = services.run_round(actor=sel_admin, rnd=sel_round)
    second = services.run_round(actor=sel_admin, rnd=sel_round)
    assert first.inputs_hash == second.inputs_hash
    assert outcomes(first) == outcomes(second)
    assert first.summary == second.summary
    for w in workers:
        assert Outcome.objects.get(run=first, worker=w).lottery == priority.lottery_number(sel_round.seed, w.public_id)
    # The winner of the one Peach position is the lowest lottery number.
    best = min(workers, key=lambda w: priority.lottery_number(sel_round.seed, w.public_id))
    assert Outcome.objects.get(run=first, job_order=peach).worker == best
    SelectionRound.objects.filter(pk=sel_round.pk).update(seed="0" * 64)
    third = services.run_round(actor=sel_admin, rnd=sel_round)
    assert third.inputs_hash != first.inputs_hash and third.seed == "0" * 64
    for w in workers:
        mine = Outcome.objects.get(run=third, worker=w).lottery
        assert mine == priority.lottery_number("0" * 64, w.public_id)
        assert mine != Outcome.objects.get(run=first, worker=w).lottery


def test_inputs_hash_follows_the_inputs(sel_round, ranked, sel_orders, sel_admin):
    first = services.run_round(actor=sel_admin, rnd=sel_round)
    rank(sel_round, ranked[0], sel_orders[0], sel_orders[1])  # a ranking changes
    assert services.run_round(actor=sel_admin, rnd=sel_round).inputs_hash != first.inputs_hash


# --- explanations: cutoffs ---------------------------------------------------------------------------------------


def test_cutoff_is_the_lowest_admitted_priority_and_the_losers_are_below_it(sel_round, ranked, sel_orders, sel_admin):
    apple, peach = sel_orders
    run = services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
    rows = {r.job_order_id: r for r in RunJobOrder.objects.filter(run=run)}
    by_worker = {o.worker_id: o for o in Outcome.objects.filter(run=run)}

    def prio(outcome, job_id):
        entry = next(e for e in outcome.details if e[0] == job_id)
        return priority.sort_key(entry[3], entry[4], outcome.lottery)

    for job in (apple, peach):
        row = rows[job.pk]
        admitted = [prio(o, job.pk) for o in by_worker.values() if o.job_order_id == job.pk]
        assert len(admitted) == row.selected == row.capacity  # full, so it has a cutoff
        assert priority.sort_key(row.cutoff_tier, float(row.cutoff_points), row.cutoff_lottery) == max(admitted)
    # Every worker not selected at a job order she ranked above her outcome is below its cutoff.
    checked = 0
    for outcome in by_worker.values():
        for entry in outcome.details:
            if entry[2] == "n":
                row = rows[entry[0]]
                cutoff = priority.sort_key(row.cutoff_tier, float(row.cutoff_points), row.cutoff_lottery)
                assert prio(outcome, entry[0]) > cutoff
                checked += 1
    assert checked == 4  # W0 at both, W1 and W2 at Peach harvest


def test_ineligible_pairs_are_explained(sel_round, sel_orders, crew, sel_admin, make_open_order):
    apple, _ = sel_orders
    expert = make_open_order("Expert pruning", positions=1, min_experience_months=60)
    worker = crew(1, years=6)[0]
    rank(sel_round, worker, expert, apple)
    # Her experience record is corrected after she ranked: the run finds her no longer eligible for the expert order.
    worker.occupations.update(years_experience=2)
    run = services.run_round(actor=sel_admin, rnd=sel_round)
    outcome = Outcome.objects.get(run=run, worker=worker)
    assert outcome.job_order_id == apple.pk and outcome.choice == 2
    first = outcome.details[0]
    assert first[:3] == [expert.pk, 1, "i"] and first[5] == [["job_experience", {"months": 60, "years": 2.0}]]
    assert run.summary["ineligible_pairs"] == 1


# --- employer shortlists -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("sel_rules_override", [SHORTLIST])
def test_shortlist_capacity_and_pending_picks(sel_round, ranked, sel_orders, sel_admin):
    apple, peach = sel_orders
    run = services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
    assert run.mode == "employer_shortlist" and run.summary["shortlist_per_position"] == 2
    rows = {r.job_order_id: r for r in RunJobOrder.objects.filter(run=run)}
    assert (rows[apple.pk].positions, rows[apple.pk].capacity) == (2, 4)
    assert (rows[peach.pk].positions, rows[peach.pk].capacity) == (1, 2)
    listed = Outcome.objects.filter(run=run, job_order__isnull=False)
    assert listed.count() == 4 and set(listed.values_list("pick", flat=True)) == {PickStatus.PENDING}
    assert run.summary["positions"] == 6


@pytest.fixture
def shortlisted(sel_round, ranked, sel_orders, sel_admin):
    """A published shortlist run: Peach harvest (1 position) lists W3 and W2; Apple harvest lists W1 and W0."""
    run = services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
    return run, {r.job_order_id: r for r in RunJobOrder.objects.filter(run=run)}


@pytest.mark.parametrize("sel_rules_override", [SHORTLIST])
def test_shortlist_decide_validations(shortlisted, ranked, sel_orders, sel_admin, sel_employer_user, make_user,
                                     sel_round):
    from corridor.core.access import Role

    run, rows = shortlisted
    apple, peach = sel_orders
    w0, w1, w2, w3 = (w.public_id for w in ranked)
    assert set(Outcome.objects.filter(run=run, job_order=peach).values_list("worker__public_id", flat=True)) == {w2, w3}
    decide = lambda row, picks, reasons, passed="Others better suited.", actor=sel_employer_user: \
        services.shortlist_decide(actor=actor, run_job=row, picks=picks, reasons=reasons, passed_over_reason=passed)  # noqa: E731
    for actor in (make_user(Role.EMPLOYER, country="CA"), sel_admin):
        with pytest.raises(Forbidden):
            decide(rows[peach.pk], [w3], ["Best"], actor=actor)
    with pytest.raises(InvalidInput) as exc:
        decide(rows[peach.pk], [w0], ["Good"])
    assert exc.value.as_errors()[0]["field"] == "picks.0" and "not on this shortlist" in str(exc.value)
    with pytest.raises(InvalidInput) as exc:
        decide(rows[peach.pk], [w3, w2], ["a", "b"])
    assert exc.value.field == "picks" and "at most 1" in str(exc.value)
    with pytest.raises(InvalidInput) as exc:
        decide(rows[peach.pk], [w3], [])
    assert exc.value.field == "reasons"
    with pytest.raises(InvalidInput) as exc:
        decide(rows[peach.pk], [w3], ["  "])
    assert exc.value.as_errors()[0]["field"] == "reasons.0"
    with pytest.raises(InvalidInput) as exc:
        decide(rows[peach.pk], [w3], ["Knows the orchard"], passed="")
    assert exc.value.field == "passed_over_reason"
    with pytest.raises(InvalidInput) as exc:
        decide(rows[peach.pk], [], [])
    assert exc.value.field == "picks"
    with pytest.raises(InvalidInput) as exc:
        decide(rows[apple.pk], [w1, w1.lower()], ["a", "b"])
    assert exc.value.as_errors()[0]["field"] == "picks.1"
    assert set(Outcome.objects.filter(run=run).values_list("pick", flat=True)) == {PickStatus.PENDING}
    # Picking every candidate needs no passed-over reason.
    decided = decide(rows[apple.pk], [w1, w0], ["Experienced", "Available"], passed="")
    assert {o.pick for o in decided} == {PickStatus.PICKED}
    with pytest.raises(Conflict, match="already recorded"):
        decide(rows[apple.pk], [w1], ["Again"])


@pytest.mark.parametrize("sel_rules_override", [SHORTLIST])
def test_shortlist_needs_the_published_run(sel_round, ranked, sel_orders, sel_admin, sel_employer_user):
    dry = services.run_round(actor=sel_admin, rnd=sel_round)
    row = RunJobOrder.objects.get(run=dry, job_order=sel_orders[1])
    pick = Outcome.objects.filter(run=dry, job_order=sel_orders[1]).first().worker.public_id
    with pytest.raises(Conflict, match="published run"):
        services.shortlist_decide(actor=sel_employer_user, run_job=row, picks=[pick], reasons=["Good"],
                                  passed_over_reason="Other")


def test_no_shortlist_in_matching_mode(sel_round, ranked, sel_orders, sel_admin, sel_employer_user):
    run = services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
    row = RunJobOrder.objects.get(run=run, job_order=sel_orders[1])
    with pytest.raises(Conflict, match="matching"):
        services.shortlist_decide(actor=sel_employer_user, run_job=row, picks=[ranked[3].public_id], reasons=["x"],
                                  passed_over_reason="y")


@pytest.mark.parametrize("sel_rules_override", [SHORTLIST])
def test_passed_over_workers_move_up_in_a_later_round(shortlisted, ranked, sel_orders, sel_admin, sel_employer_user,
                                                       sel_programme, crew):
    run, rows = shortlisted
    apple, peach = sel_orders
    w0, w1, w2, w3 = ranked
    decided = services.shortlist_decide(actor=sel_employer_user, run_job=rows[peach.pk], picks=[w3.public_id],
                                        reasons=["Knows the orchard"], passed_over_reason="Fewer years of experience.")
    assert {o.worker_id: o.pick for o in decided} == {w3.pk: PickStatus.PICKED, w2.pk: PickStatus.PASSED_OVER}
    passed = Outcome.objects.get(run=run, worker=w2)
    assert passed.pick_reason == "Fewer years of experience." and passed.picked_by == sel_employer_user
    assert AuditEvent.objects.filter(action="selection.shortlist_decide").count() == 1
    # A later round: W2 was passed over once (moves up after 1) and outranks a newcomer with more points.
    later = services.round_create(actor=sel_admin, programme=sel_programme)
    newcomer = crew(1, years=9, start=10)[0]
    for w in (newcomer, w2):
        rank(later, w, peach, apple)
    version = rule_version_in_force(programme=sel_programme)
    loaded = loading.load(later, version)
    info = dict(zip(loaded.worker_ids, loaded.info, strict=True))
    assert info[w2.pk].passed_over == 1 and info[newcomer.pk].passed_over == 0
    # Peach harvest's one position is taken by W3's pick; Apple harvest's choice is still pending: no place held.
    assert dict(zip(loaded.job_ids, loaded.positions, strict=True)) == {apple.pk: 2, peach.pk: 0}
    dry = services.run_round(actor=sel_admin, rnd=later)
    got = {o.worker_id: o for o in Outcome.objects.filter(run=dry)}
    assert [e[3] for e in got[w2.pk].details] == [priority.TIER_PASSED_OVER] * 2
    assert [e[3] for e in got[newcomer.pk].details] == [priority.TIER_POINTS] * 2
    assert got[newcomer.pk].details[1][4] > got[w2.pk].details[1][4]  # more points, yet behind W2
    assert [e[2] for e in got[w2.pk].details] == ["i", "s"]  # no position left at Peach harvest
    assert got[w2.pk].details[0][5] == [["no_positions_left", {}]]


# --- appeals -----------------------------------------------------------------------------------------------------


def test_appeals_only_on_the_published_run_in_force(sel_round, ranked, sel_admin, sel_officer, sel_origin, sel_jm_origin,
                                                    sel_employer_user):
    loser = ranked[0]
    dry = services.run_round(actor=sel_admin, rnd=sel_round)
    with pytest.raises(Conflict, match="published outcome"):
        services.appeal_lodge(actor=loser.user, outcome=Outcome.objects.get(run=dry, worker=loser), grounds="Unfair.")
    run = services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
    outcome = Outcome.objects.get(run=run, worker=loser)
    for actor in (sel_jm_origin, sel_employer_user, sel_admin, ranked[1].user):
        with pytest.raises(Forbidden):
            services.appeal_lodge(actor=actor, outcome=outcome, grounds="Unfair.")
    with pytest.raises(InvalidInput) as exc:
        services.appeal_lodge(actor=loser.user, outcome=outcome, grounds="  ")
    assert exc.value.field == "grounds"
    appeal = services.appeal_lodge(actor=loser.user, outcome=outcome, grounds="My experience is missing.")
    assert appeal.status == AppealStatus.LODGED
    with pytest.raises(Conflict, match="already waiting"):
        services.appeal_lodge(actor=sel_origin, outcome=outcome, grounds="Again.")
    # Closing the round waits for the decision.
    with pytest.raises(Conflict, match="appeals"):
        services.round_close(actor=sel_admin, rnd=sel_round, reason="Done.")
    # Deciding: an official who may run the round, with reasons.
    for actor in (sel_officer, sel_employer_user, loser.user, sel_jm_origin):
        with pytest.raises(Forbidden):
            services.appeal_decide(actor=actor, appeal=appeal, upheld=True, decision="Agreed.")
    with pytest.raises(InvalidInput) as exc:
        services.appeal_decide(actor=sel_admin, appeal=appeal, upheld=True, decision="")
    assert exc.value.field == "decision"
    decided = services.appeal_decide(actor=sel_admin, appeal=appeal, upheld="true", decision="The record was wrong.")
    assert (decided.status, decided.decided_by, decided.decision) == (AppealStatus.UPHELD, sel_admin,
                                                                       "The record was wrong.")
    assert decided.decided_at is not None
    with pytest.raises(Conflict, match="already decided"):
        services.appeal_decide(actor=sel_admin, appeal=appeal, upheld=False, decision="Changed my mind.")
    # A second appeal once the first is decided; then a re-run supersedes the run and its outcomes can't be appealed.
    second = services.appeal_lodge(actor=sel_origin, outcome=outcome, grounds="Still wrong.")
    services.appeal_decide(actor=sel_admin, appeal=second, upheld=False, decision="Checked: correct.")
    assert Appeal.objects.get(pk=second.pk).status == AppealStatus.DISMISSED
    services.run_round(actor=sel_admin, rnd=sel_round, publish=True, reason="Appeal upheld.")
    with pytest.raises(Conflict, match="published outcome in force"):
        services.appeal_lodge(actor=loser.user, outcome=outcome, grounds="Once more.")


def test_no_appeal_in_a_closed_round(sel_round, ranked, sel_admin):
    run = services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
    services.round_close(actor=sel_admin, rnd=sel_round, reason="Done.")
    assert SelectionRound.objects.get(pk=sel_round.pk).status == RoundStatus.CLOSED
    with pytest.raises(Conflict, match="closed"):
        services.appeal_lodge(actor=ranked[0].user, outcome=Outcome.objects.get(run=run, worker=ranked[0]),
                              grounds="Unfair.")


# --- distributional targets --------------------------------------------------------------------------------------


def women_first(min_percent: dict) -> dict:
    return {"selection": {"mode": "matching", "max_preferences": 10,
                          "targets": {"group_by": "sex", "min_percent": min_percent}}}


@pytest.mark.parametrize(("sel_rules_override", "women_selected"), [
    ({}, 0),
    (women_first({"female": 50}), 1),
])
def test_reserved_seats_for_women(sel_rules_override, women_selected, sel_round, sel_orders, crew, sel_admin):
    apple, _ = sel_orders  # 2 positions
    men = crew(3, years=8)
    woman = crew(1, years=1, sex="female", start=5)[0]  # fewer points than every man
    for w in [*men, woman]:
        rank(sel_round, w, apple)
    run = services.run_round(actor=sel_admin, rnd=sel_round)
    assert run.summary["selected_by_sex"].get("female", 0) == women_selected
    assert run.summary["applicants_by_sex"] == {"female": 1, "male": 3}
    assert run.summary["selected"] == 2
    got = Outcome.objects.get(run=run, worker=woman).job_order_id
    assert got == (apple.pk if women_selected else None)


@pytest.mark.parametrize("sel_rules_override", [women_first({"female": 50})])
def test_reserved_seats_stay_open_to_others_when_no_woman_applied(sel_rules_override, sel_round, sel_orders, crew,
                                                                  sel_admin):
    apple, peach = sel_orders
    for w in crew(4, years=3):
        rank(sel_round, w, apple, peach)
    run = services.run_round(actor=sel_admin, rnd=sel_round)
    assert run.summary["selected"] == 3 and run.summary["unfilled_positions"] == 0


@pytest.mark.parametrize(("sel_rules_override", "reserves", "caps"), [
    (women_first({"female": 50, "male": 50}), {"female": 2, "male": 1}, {}),
    ({"selection": {"targets": {"group_by": "sex", "min_percent": {"female": 50}, "max_percent": {"female": 50}}}},
     {"female": 1}, {"female": 1}),
    (women_first({"female": 40}), {"female": 1}, {}),  # 1.2 seats
    (women_first({"female": 60}), {"female": 2}, {}),  # 1.8 seats
])
def test_shares_that_round_awkwardly_still_run(sel_rules_override, reserves, caps, sel_round, sel_orders, crew,
                                               sel_admin, sel_programme):
    """Three positions: half of them is 1.5 seats. Reserved seats round half up, but never add up to more seats than
    there are, nor exceed their group's cap; the run must not fail."""
    apple, peach = sel_orders
    workers = crew(2, years=5) + crew(2, years=1, sex="female", start=5)
    for w in workers:
        rank(sel_round, w, apple, peach)
    loaded = loading.load(sel_round, rule_version_in_force(programme=sel_programme))
    assert (loaded.inp.reserves, loaded.inp.caps) == (reserves, caps)
    run = services.run_round(actor=sel_admin, rnd=sel_round)
    assert run.summary["selected"] == 3
    assert run.summary["selected_by_sex"]["female"] == max(reserves.get("female", 0), 1)
    assert SelectionRound.objects.get(pk=sel_round.pk).running_since is None


# --- two runs at once (PostgreSQL) -------------------------------------------------------------------------------


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests may start with empty reference tables (an earlier one flushed them): load them again."""
    from django.db import transaction

    from corridor.reference.loading import load_reference
    from corridor.reference.models import EscoOccupation, IscoGroup

    if not IscoGroup.objects.filter(code="9211").exists():
        with transaction.atomic():
            load_reference(IscoGroup, EscoOccupation)


@pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"],
                    reason="the race needs concurrent writers: run against PostgreSQL (scripts/test does)")
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_one_wins(reference_data, sel_round, ranked, sel_admin, monkeypatch):
    rnd, admin = sel_round, sel_admin
    real_load = loading.load

    def slow_load(*args, **kwargs):
        time.sleep(0.5)  # both runs are surely under way at the same time
        return real_load(*args, **kwargs)

    monkeypatch.setattr(loading, "load", slow_load)
    barrier = threading.Barrier(2)
    results: list[str] = []
    lock = threading.Lock()

    def run():
        try:
            barrier.wait(timeout=30)
            services.run_round(actor=admin, rnd=rnd, publish=True)
            result = "ran"
        except Conflict as exc:
            result = f"conflict: {exc.message}"
        except Exception as exc:  # noqa: BLE001 - reported in the assertion below
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results)[1] == "ran" and sorted(results)[0].startswith("conflict: A run of this round is already"), results
    assert SelectionRun.objects.filter(round=rnd).count() == 1
    assert SelectionRun.objects.get(round=rnd).status == RunStatus.PUBLISHED
    assert SelectionRound.objects.get(pk=rnd.pk).running_since is None
