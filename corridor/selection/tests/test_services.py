"""Services of selection before a run: opening rounds (who may, the published seed), workers' rankings, season
records, employers' nominations and recall by rule, skills tests."""

from __future__ import annotations

import datetime
import re

import pytest

from corridor.accounts.models import OrgKind
from corridor.core.access import Role
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.models import AuditEvent
from corridor.selection import priority, services
from corridor.selection.models import (
    Nomination,
    NominationStatus,
    Outcome,
    Preference,
    RoundStatus,
    SeasonRecord,
    SelectionRound,
)
from corridor.selection.tests.conftest import today

pytestmark = pytest.mark.django_db


def fields(exc) -> list[str]:
    return [e["field"] for e in exc.value.as_errors()]


# --- rounds ------------------------------------------------------------------------------------------------------


def test_programme_admin_opens_a_round_with_a_published_seed(sel_admin, sel_programme):
    rnd = services.round_create(actor=sel_admin, programme=sel_programme)
    assert rnd.status == RoundStatus.OPEN and rnd.number == 1 and rnd.origin_country == ""
    assert re.fullmatch(r"[0-9a-f]{64}", rnd.seed)
    event = AuditEvent.objects.get(action="selection_round.create", subject_id=str(rnd.pk))
    assert rnd.seed in event.reason
    assert event.actor == sel_admin and event.programme_ref == sel_programme.pk
    assert event.rule_version_ref is not None
    second = services.round_create(actor=sel_admin, programme=sel_programme, origin_country="jm",
                                   preferences_close_on=today().isoformat())
    assert (second.origin_country, second.number, second.preferences_close_on) == ("JM", 1, today())
    third = services.round_create(actor=sel_admin, programme=sel_programme)
    assert third.number == 2
    assert len({rnd.seed, second.seed, third.seed}) == 3


def test_origin_officer_opens_rounds_for_its_own_corridor_only(sel_origin, sel_programme):
    rnd = services.round_create(actor=sel_origin, programme=sel_programme)
    assert rnd.origin_country == "MX"  # an authority's round is always for its corridor
    assert services.round_create(actor=sel_origin, programme=sel_programme, origin_country="MX").number == 2
    with pytest.raises(Forbidden, match="own corridor"):
        services.round_create(actor=sel_origin, programme=sel_programme, origin_country="JM")


@pytest.mark.parametrize("who", ["officer", "employer", "worker", "np_origin"])
def test_others_may_not_open_rounds(who, sel_programme, sel_officer, make_user, make_org, make_ready_worker):
    actor = {
        "officer": lambda: sel_officer,  # a ministry officer, not a programme administrator
        "employer": lambda: make_user(Role.EMPLOYER, country="CA"),
        "worker": lambda: make_ready_worker("Ana", "Cruz").user,
        "np_origin": lambda: make_user(Role.ORIGIN_OFFICER, organisation=make_org(OrgKind.ORIGIN_AUTHORITY, "NP")),
    }[who]()
    with pytest.raises(Forbidden):
        services.round_create(actor=actor, programme=sel_programme)
    assert not SelectionRound.objects.exists()


def test_round_create_bad_input(sel_admin, sel_programme):
    with pytest.raises(InvalidInput) as exc:
        services.round_create(actor=sel_admin, programme=sel_programme, origin_country="NP")
    assert fields(exc) == ["origin_country"]
    with pytest.raises(InvalidInput) as exc:
        services.round_create(actor=sel_admin, programme=sel_programme,
                              preferences_close_on=(today() - datetime.timedelta(days=1)).isoformat())
    assert fields(exc) == ["preferences_close_on"]
    with pytest.raises(InvalidInput) as exc:
        services.round_create(actor=sel_admin, programme=sel_programme, preferences_close_on="soon")
    assert fields(exc) == ["preferences_close_on"]
    with pytest.raises(InvalidInput) as exc:
        services.round_create(actor=sel_admin, programme=sel_programme, title="x" * 201)
    assert fields(exc) == ["title"]
    assert not SelectionRound.objects.exists()


def test_round_close(sel_round, sel_admin, sel_officer):
    with pytest.raises(Forbidden):
        services.round_close(actor=sel_officer, rnd=sel_round, reason="done")
    with pytest.raises(InvalidInput) as exc:
        services.round_close(actor=sel_admin, rnd=sel_round, reason=" ")
    assert fields(exc) == ["reason"]
    closed = services.round_close(actor=sel_admin, rnd=sel_round, reason="Season staffed.")
    assert closed.status == RoundStatus.CLOSED and closed.closed_at is not None
    with pytest.raises(Conflict):
        services.round_close(actor=sel_admin, rnd=sel_round, reason="again")


# --- preferences -------------------------------------------------------------------------------------------------


def ranking(rnd, worker) -> list[str]:
    return list(Preference.objects.filter(round=rnd, worker=worker).order_by("rank").values_list("job_order__reference", flat=True))


def test_worker_ranks_job_orders_by_reference_or_id(sel_round, sel_orders, make_ready_worker):
    apple, peach = sel_orders
    worker = make_ready_worker("Ana", "Cruz")
    rows = services.preferences_set(actor=worker.user, rnd=sel_round, worker=worker,
                                    job_orders=[peach.reference, str(apple.pk)])
    assert [(r.job_order_id, r.rank) for r in rows] == [(peach.pk, 1), (apple.pk, 2)]
    # A new ranking replaces the old one.
    services.preferences_set(actor=worker.user, rnd=sel_round, worker=worker, job_orders=[f" {apple.reference} ", ""])
    assert ranking(sel_round, worker) == [apple.reference]
    event = AuditEvent.objects.filter(action="selection.preferences_set").first()
    assert event.before == {"ranking": [peach.reference, apple.reference]}
    assert event.after == {"round": sel_round.pk, "ranking": [apple.reference]}


def test_origin_officer_ranks_for_its_nationals_only(sel_round, sel_orders, make_ready_worker, sel_origin, sel_jm_origin,
                                                      sel_employer_user, sel_admin):
    worker = make_ready_worker("Ana", "Cruz")
    other = make_ready_worker("Eva", "Paz")
    services.preferences_set(actor=sel_origin, rnd=sel_round, worker=worker, job_orders=[sel_orders[0].reference])
    assert ranking(sel_round, worker) == [sel_orders[0].reference]
    for actor in (sel_jm_origin, sel_employer_user, sel_admin, other.user):
        with pytest.raises(Forbidden):
            services.preferences_set(actor=actor, rnd=sel_round, worker=worker, job_orders=[sel_orders[1].reference])
    assert ranking(sel_round, worker) == [sel_orders[0].reference]


def test_ranking_needs_consent_to_selection(sel_round, sel_orders, make_ready_worker):
    worker = make_ready_worker("Ana", "Cruz", consent=False)
    with pytest.raises(Conflict) as exc:
        services.preferences_set(actor=worker.user, rnd=sel_round, worker=worker, job_orders=[sel_orders[0].reference])
    assert exc.value.field == "consent"
    assert not Preference.objects.exists()


def test_ranking_refusals_name_the_entry(sel_round, sel_orders, make_open_order, make_ready_worker):
    apple, peach = sel_orders
    expert = make_open_order("Expert pruning", positions=1, min_experience_months=120)
    worker = make_ready_worker("Ana", "Cruz", years=3)
    set_ = lambda refs: services.preferences_set(actor=worker.user, rnd=sel_round, worker=worker, job_orders=refs)  # noqa: E731
    with pytest.raises(InvalidInput) as exc:
        set_([apple.reference, "JO-NOPE", peach.reference, apple.reference])
    assert exc.value.as_errors() == [
        {"field": "job_orders.1", "message": "'JO-NOPE' is not an open job order of this round."},
        {"field": "job_orders.3", "message": f"'{apple.reference}' is ranked twice."},
    ]
    with pytest.raises(InvalidInput) as exc:
        set_([apple.reference, expert.reference])
    assert fields(exc) == ["job_orders.1"]
    assert expert.reference in exc.value.as_errors()[0]["message"]
    assert "120 months" in exc.value.as_errors()[0]["message"]
    for bad in ([], [" ", ""], "JO-1", None, {"a": 1}, 7):
        with pytest.raises(InvalidInput) as exc:
            set_(bad)
        assert fields(exc) == ["job_orders"]
    assert not Preference.objects.exists()


def test_ranking_at_most_max_preferences(sel_round, sel_orders, make_ready_worker):
    worker = make_ready_worker("Ana", "Cruz")
    refs = [f"JO-{i}" for i in range(11)]
    with pytest.raises(InvalidInput, match="at most 10") as exc:
        services.preferences_set(actor=worker.user, rnd=sel_round, worker=worker, job_orders=refs)
    assert fields(exc) == ["job_orders"]


def test_no_ranking_in_a_closed_round_or_after_publication(sel_round, sel_orders, make_ready_worker, sel_admin,
                                                           sel_programme):
    worker = make_ready_worker("Ana", "Cruz")
    services.preferences_set(actor=worker.user, rnd=sel_round, worker=worker, job_orders=[sel_orders[0].reference])
    services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
    with pytest.raises(Conflict) as exc:
        services.preferences_set(actor=worker.user, rnd=sel_round, worker=worker, job_orders=[sel_orders[1].reference])
    assert exc.value.status == 409 and exc.value.field == "job_orders"
    with pytest.raises(Conflict):
        services.preferences_withdraw(actor=worker.user, rnd=sel_round, worker=worker)
    assert ranking(sel_round, worker) == [sel_orders[0].reference]
    other = services.round_create(actor=sel_admin, programme=sel_programme)
    services.round_close(actor=sel_admin, rnd=other, reason="Opened by mistake.")
    with pytest.raises(Conflict, match="closed"):
        services.preferences_set(actor=worker.user, rnd=other, worker=worker, job_orders=[sel_orders[0].reference])


def test_preferences_closed_after_the_closing_date(sel_round, sel_orders, make_ready_worker):
    worker = make_ready_worker("Ana", "Cruz")
    SelectionRound.objects.filter(pk=sel_round.pk).update(preferences_close_on=today() - datetime.timedelta(days=1))
    with pytest.raises(Conflict, match="closed on"):
        services.preferences_set(actor=worker.user, rnd=sel_round, worker=worker, job_orders=[sel_orders[0].reference])


def test_round_of_another_corridor_refuses_the_worker(sel_admin, sel_programme, sel_orders, make_ready_worker):
    jm_round = services.round_create(actor=sel_admin, programme=sel_programme, origin_country="JM")
    worker = make_ready_worker("Ana", "Cruz")
    with pytest.raises(Forbidden, match="JM"):
        services.preferences_set(actor=worker.user, rnd=jm_round, worker=worker, job_orders=[sel_orders[0].reference])


def test_withdraw_ranking(sel_round, sel_orders, make_ready_worker, sel_jm_origin):
    worker = make_ready_worker("Ana", "Cruz")
    with pytest.raises(Conflict):
        services.preferences_withdraw(actor=worker.user, rnd=sel_round, worker=worker)
    services.preferences_set(actor=worker.user, rnd=sel_round, worker=worker, job_orders=[sel_orders[0].reference])
    with pytest.raises(Forbidden):
        services.preferences_withdraw(actor=sel_jm_origin, rnd=sel_round, worker=worker)
    services.preferences_withdraw(actor=worker.user, rnd=sel_round, worker=worker)
    assert ranking(sel_round, worker) == []


# --- season records, nominations, recall -------------------------------------------------------------------------


@pytest.fixture
def returning(make_ready_worker, sel_admin, sel_programme, sel_employer):
    """returning(returned_as_agreed=True, employer=sel_employer, completed=True) -> a worker with a season last year."""

    def make(returned_as_agreed=True, employer="mine", completed=True, name="Rosa"):
        worker = make_ready_worker(name, "Vega")
        services.season_record_add(
            actor=sel_admin, worker=worker, programme=sel_programme, year=today().year - 1,
            employer=sel_employer.pk if employer == "mine" else employer, completed=completed,
            returned_as_agreed=returned_as_agreed,
        )
        return worker

    return make


def test_season_record_add_checks(make_ready_worker, sel_programme, sel_origin, sel_jm_origin, sel_employer_user,
                                  sel_officer):
    worker = make_ready_worker("Ana", "Cruz")
    for actor in (sel_jm_origin, sel_employer_user, worker.user):
        with pytest.raises(Forbidden):
            services.season_record_add(actor=actor, worker=worker, programme=sel_programme, year=today().year - 1)
    with pytest.raises(InvalidInput) as exc:
        services.season_record_add(actor=sel_origin, worker=worker, programme=sel_programme, year="last year",
                                   employer="999999")
    assert fields(exc) == ["year", "employer"]
    with pytest.raises(InvalidInput):
        services.season_record_add(actor=sel_origin, worker=worker, programme=sel_programme, year=today().year + 1)
    record = services.season_record_add(actor=sel_officer, worker=worker, programme=sel_programme,
                                        year=str(today().year - 2), returned_as_agreed="false")
    assert record.completed and not record.returned_as_agreed
    with pytest.raises(Conflict):
        services.season_record_add(actor=sel_origin, worker=worker, programme=sel_programme, year=today().year - 2)
    with pytest.raises(InvalidInput):
        services.season_record_remove(actor=sel_origin, record=record, reason="")
    services.season_record_remove(actor=sel_origin, record=record, reason="Recorded twice.")
    assert not SeasonRecord.objects.exists()


def test_only_the_orders_employer_names_its_returning_workers(sel_round, sel_orders, returning, sel_employer_user,
                                                              make_user, sel_admin, sel_origin):
    worker = returning()
    for actor in (make_user(Role.EMPLOYER, country="CA"), sel_admin, sel_origin, worker.user):
        with pytest.raises(Forbidden):
            services.nomination_create(actor=actor, rnd=sel_round, job_order=sel_orders[0], worker=worker.public_id)
    nomination = services.nomination_create(actor=sel_employer_user, rnd=sel_round, job_order=sel_orders[0],
                                            worker=worker.public_id.lower())
    assert nomination.status == NominationStatus.AWAITING and nomination.worker == worker
    with pytest.raises(Conflict, match="already named"):
        services.nomination_create(actor=sel_employer_user, rnd=sel_round, job_order=sel_orders[0], worker=worker)


def test_nomination_refusals(sel_round, sel_orders, returning, make_ready_worker, sel_employer_user, make_user,
                             make_open_order, sel_admin, sel_programme):
    create = lambda w, order=sel_orders[0]: services.nomination_create(  # noqa: E731
        actor=sel_employer_user, rnd=sel_round, job_order=order, worker=w)
    with pytest.raises(InvalidInput, match="No worker in the pool") as exc:
        create("W-NOTHERE")
    assert exc.value.status == 422 and fields(exc) == ["worker"]
    with pytest.raises(InvalidInput) as exc:
        create("  ")
    assert fields(exc) == ["worker"]
    stranger = make_ready_worker("Luis", "Soto")  # never worked a season
    with pytest.raises(InvalidInput, match="no completed season with your organisation") as exc:
        create(stranger.public_id)
    assert fields(exc) == ["worker"]
    elsewhere = returning(employer=None, name="Marta")  # a season, but not with this employer
    with pytest.raises(InvalidInput, match="no completed season"):
        create(elsewhere.public_id)
    unfinished = returning(completed=False, name="Irma")
    with pytest.raises(InvalidInput, match="no completed season"):
        create(unfinished.public_id)
    expert = make_open_order("Expert pruning", positions=1, min_experience_months=120)
    worker = returning()
    with pytest.raises(InvalidInput, match="not eligible") as exc:
        create(worker.public_id, expert)
    assert fields(exc) == ["worker"]
    # At most one nomination per position: Peach harvest has one.
    create(worker.public_id, sel_orders[1])
    with pytest.raises(Conflict, match="1 positions"):
        create(returning(name="Clara").public_id, sel_orders[1])
    assert Nomination.objects.count() == 1


def test_nominations_off_when_the_programme_does_not_allow_them(sel_round, sel_orders, returning, sel_employer_user,
                                                                sel_programme):
    version = sel_programme.rule_versions.get()
    version.rules["recall"]["named_by_employer_allowed"] = False
    type(version).objects.filter(pk=version.pk).update(rules=version.rules)
    with pytest.raises(Conflict, match="does not let employers name"):
        services.nomination_create(actor=sel_employer_user, rnd=sel_round, job_order=sel_orders[0],
                                   worker=returning().public_id)


def test_answer_and_withdraw_nomination(sel_round, sel_orders, returning, sel_employer_user, sel_jm_origin, make_user):
    worker = returning()
    nomination = services.nomination_create(actor=sel_employer_user, rnd=sel_round, job_order=sel_orders[0],
                                            worker=worker.public_id)
    with pytest.raises(Forbidden):
        services.nomination_answer(actor=sel_employer_user, nomination=nomination, consent=True)
    with pytest.raises(Forbidden):
        services.nomination_answer(actor=sel_jm_origin, nomination=nomination, consent=True)
    answered = services.nomination_answer(actor=worker.user, nomination=nomination, consent="yes")
    assert answered.status == NominationStatus.CONSENTED and answered.answered_at is not None
    assert services.nomination_answer(actor=worker.user, nomination=nomination, consent="no").status == \
        NominationStatus.DECLINED
    with pytest.raises(Forbidden):
        services.nomination_withdraw(actor=make_user(Role.EMPLOYER, country="CA"), nomination=nomination)
    assert services.nomination_withdraw(actor=sel_employer_user, nomination=nomination).status == \
        NominationStatus.WITHDRAWN
    with pytest.raises(Conflict, match="withdrew"):
        services.nomination_answer(actor=worker.user, nomination=nomination, consent=True)


def tiers_in_run(rnd, actor, worker) -> list[int]:
    """The worker's tier at each job order she ranked, in a dry run of the round."""
    run = services.run_round(actor=actor, rnd=rnd)
    outcome = Outcome.objects.get(run=run, worker=worker)
    return [entry[3] for entry in outcome.details]


def test_consented_nomination_gives_tier_one_and_a_declined_one_nothing(sel_round, sel_orders, returning,
                                                                        sel_employer_user, sel_admin):
    apple, peach = sel_orders
    worker = returning(returned_as_agreed=False)  # no recall by rule: only the nomination can lift her
    services.preferences_set(actor=worker.user, rnd=sel_round, worker=worker, job_orders=[apple.reference, peach.reference])
    nomination = services.nomination_create(actor=sel_employer_user, rnd=sel_round, job_order=apple, worker=worker)
    assert tiers_in_run(sel_round, sel_admin, worker) == [priority.TIER_POINTS] * 2  # awaiting: nothing yet
    services.nomination_answer(actor=worker.user, nomination=nomination, consent=True)
    # Named for Apple harvest only: tier 1 there, points elsewhere.
    assert tiers_in_run(sel_round, sel_admin, worker) == [priority.TIER_NAMED, priority.TIER_POINTS]
    services.nomination_answer(actor=worker.user, nomination=nomination, consent=False)
    assert tiers_in_run(sel_round, sel_admin, worker) == [priority.TIER_POINTS] * 2


@pytest.mark.parametrize(("returned_as_agreed", "completed", "tier"), [
    (True, True, priority.TIER_RECALL),
    (False, True, priority.TIER_POINTS),
    (True, False, priority.TIER_POINTS),
])
def test_recall_by_rule(returned_as_agreed, completed, tier, sel_round, sel_orders, returning, sel_admin):
    worker = returning(returned_as_agreed=returned_as_agreed, completed=completed, employer=None)
    services.preferences_set(actor=worker.user, rnd=sel_round, worker=worker, job_orders=[sel_orders[0].reference])
    assert tiers_in_run(sel_round, sel_admin, worker) == [tier]


@pytest.mark.parametrize("sel_rules_override", [
    {"recall": {"enabled": True, "requires_compliant_return": False, "named_by_employer_allowed": True}},
])
def test_recall_without_compliant_return_when_the_programme_says_so(sel_round, sel_orders, returning, sel_admin):
    worker = returning(returned_as_agreed=False, employer=None)
    services.preferences_set(actor=worker.user, rnd=sel_round, worker=worker, job_orders=[sel_orders[0].reference])
    assert tiers_in_run(sel_round, sel_admin, worker) == [priority.TIER_RECALL]


@pytest.mark.parametrize("sel_rules_override", [{"recall": {"enabled": False}}])
def test_no_recall_when_the_programme_disables_it(sel_round, sel_orders, returning, sel_admin):
    worker = returning()
    services.preferences_set(actor=worker.user, rnd=sel_round, worker=worker, job_orders=[sel_orders[0].reference])
    assert tiers_in_run(sel_round, sel_admin, worker) == [priority.TIER_POINTS]


def test_recall_outranks_points(sel_round, sel_orders, returning, make_ready_worker, sel_admin):
    peach = sel_orders[1]  # one position
    veteran = make_ready_worker("Hugo", "Luna", years=15)  # many points, no recall
    recalled = returning(returned_as_agreed=True, employer=None)
    for w in (veteran, recalled):
        services.preferences_set(actor=w.user, rnd=sel_round, worker=w, job_orders=[peach.reference])
    run = services.run_round(actor=sel_admin, rnd=sel_round)
    assert Outcome.objects.get(run=run, worker=recalled).job_order_id == peach.pk
    assert Outcome.objects.get(run=run, worker=veteran).job_order_id is None


# --- skills tests ------------------------------------------------------------------------------------------------


def test_skills_test_counts_in_the_points(sel_round, sel_orders, make_ready_worker, sel_origin, sel_jm_origin, sel_admin):
    worker = make_ready_worker("Ana", "Cruz", years=2)
    data = {"isco_code": "9211", "test": "Orchard skills", "score": "80", "taken_on": today().isoformat()}
    for actor in (sel_jm_origin, sel_admin, worker.user):
        with pytest.raises(Forbidden):
            services.skills_test_add(actor=actor, worker=worker, **data)
    with pytest.raises(InvalidInput) as exc:
        services.skills_test_add(actor=sel_origin, worker=worker, isco_code="99999", test="", score="101",
                                 taken_on=(today() + datetime.timedelta(days=1)).isoformat())
    assert fields(exc) == ["isco_code", "test", "score", "taken_on"]
    for score in ("nan", "Infinity", "-1", "abc", None):
        with pytest.raises(InvalidInput) as exc:
            services.skills_test_add(actor=sel_origin, worker=worker, **{**data, "score": score})
        assert fields(exc) == ["score"]
    services.preferences_set(actor=worker.user, rnd=sel_round, worker=worker, job_orders=[sel_orders[0].reference])
    before = services.run_round(actor=sel_admin, rnd=sel_round)
    services.skills_test_add(actor=sel_origin, worker=worker, **data)
    after = services.run_round(actor=sel_admin, rnd=sel_round)
    points = [Outcome.objects.get(run=r, worker=worker).details[0][4] for r in (before, after)]
    assert round(points[1] - points[0], 2) == 8.0  # 80 of 100 x 10 points
    assert before.inputs_hash != after.inputs_hash


def test_refusals_name_the_entry_as_given_blanks_included(sel_round, sel_orders, make_ready_worker):
    apple, _ = sel_orders
    worker = make_ready_worker("Ana", "Cruz")
    with pytest.raises(InvalidInput) as exc:
        services.preferences_set(actor=worker.user, rnd=sel_round, worker=worker,
                                 job_orders=["", apple.reference, " ", "JO-NOPE"])
    assert fields(exc) == ["job_orders.3"]


def test_job_order_language_needs_a_result_valid_for_the_season(sel_round, make_open_order, make_ready_worker,
                                                                sel_origin):
    from corridor.workers import services as worker_services

    english = make_open_order("Packing, English B1", positions=1, language="en", language_level="B1")
    worker = make_ready_worker("Ana", "Cruz")
    set_ = lambda: services.preferences_set(actor=worker.user, rnd=sel_round, worker=worker,  # noqa: E731
                                            job_orders=[english.reference])
    with pytest.raises(InvalidInput, match="asks for"):
        set_()
    # A result that is no longer valid when the season starts does not count.
    taken = today() - datetime.timedelta(days=400)
    worker_services.language_result_add(actor=sel_origin, worker=worker, language="en", test="IELTS", level="B2",
                                        taken_on=taken.isoformat(), valid_until=(today() + datetime.timedelta(days=30)).isoformat())
    assert english.start_date > today() + datetime.timedelta(days=30)
    with pytest.raises(InvalidInput, match="asks for"):
        set_()
    worker_services.language_result_add(actor=sel_origin, worker=worker, language="en", test="IELTS", level="B1",
                                        taken_on=today().isoformat())
    set_()
    assert Preference.objects.filter(worker=worker).count() == 1
