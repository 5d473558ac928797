"""The selection pages: who may open each, the worker's ranking and outcome, the official's runs and appeals, the
employer's recall and shortlist, seasons and skills tests; bad input gives the error at the field, never a 500."""

from __future__ import annotations

import html
import re

import pytest

from corridor.core.access import Role
from corridor.selection import selectors, services
from corridor.selection.models import (
    Appeal,
    AppealStatus,
    Nomination,
    NominationStatus,
    Outcome,
    PickStatus,
    Preference,
    RoundStatus,
    RunKind,
    RunStatus,
    SeasonRecord,
    SelectionRun,
    SkillsTest,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def field_errors(response) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'class="field-error"[^>]*>([^<]*)<', response.content.decode())]


@pytest.fixture
def web(web_client):
    """web(user) -> a signed-in client, one per user for the whole test (a second factor code is accepted once)."""
    made: dict = {}

    def get(user=None):
        key = getattr(user, "pk", None)
        if key not in made:
            made[key] = web_client(user)
        return made[key]

    return get


@pytest.fixture
def ana(make_ready_worker):
    return make_ready_worker("Ana", "Cruz", sex="female", years=5)


@pytest.fixture
def kemar(make_ready_worker):
    return make_ready_worker("Kemar", "Campbell", years=1, nationality="JM", region="Clarendon")


@pytest.fixture
def ranked(sel_round, sel_orders, ana, kemar):
    """Ana ranks Peach then Apple; Kemar ranks Peach only (both through the services)."""
    apple, peach = sel_orders
    services.preferences_set(actor=ana.user, rnd=sel_round, worker=ana, job_orders=[peach.reference, apple.reference])
    services.preferences_set(actor=kemar.user, rnd=sel_round, worker=kemar, job_orders=[peach.reference])
    return sel_round


def _rank_url(rnd) -> str:
    return f"/selection/me/rounds/{rnd.pk}/ranking/"


# --- who may open what -------------------------------------------------------------------------------------------


def test_rounds_list_for_officials_and_employers_only(web, sel_round, sel_admin, sel_origin, sel_employer_user,
                                                      ana, make_user):
    for user in (sel_admin, sel_origin, sel_employer_user):
        response = web(user).get("/selection/")
        assert response.status_code == 200
        assert "Test round 1" in text(response)
    assert 'action="/selection/rounds/new/"' in text(web(sel_admin).get("/selection/"))
    assert 'action="/selection/rounds/new/"' in text(web(sel_origin).get("/selection/"))
    assert 'action="/selection/rounds/new/"' not in text(web(sel_employer_user).get("/selection/"))
    for user in (ana.user, make_user(Role.RESEARCHER), make_user(Role.IMMIGRATION_OFFICER)):
        assert web(user).get("/selection/").status_code == 403
    anonymous = web().get("/selection/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_round_page_shows_the_seed_and_the_steps_to_those_who_run_it(web, ranked, sel_admin, sel_origin,
                                                                     sel_employer_user, sel_orders, ana, make_user):
    url = f"/selection/rounds/{ranked.pk}/"
    page = text(web(sel_admin).get(url))
    assert ranked.seed in page
    assert f'action="/selection/rounds/{ranked.pk}/dry-run/"' in page and f'action="/selection/rounds/{ranked.pk}/publish/"' in page
    assert sel_orders[0].reference in page and sel_orders[1].reference in page
    assert re.search(r"Workers who ranked</dt><dd>2<", page)
    # The Mexican authority sees the round (for every corridor) but does not run it.
    origin = web(sel_origin).get(url)
    assert origin.status_code == 200 and "/dry-run/" not in text(origin)
    assert re.search(r"Workers who ranked</dt><dd>1<", text(origin))  # its own nationals only
    employer = text(web(sel_employer_user).get(url))
    assert f"/selection/rounds/{ranked.pk}/employer/" in employer and "/dry-run/" not in employer
    assert "Workers who ranked" not in employer
    assert web(ana.user).get(url).status_code == 403
    assert web(make_user(Role.MINISTRY_ADMIN, country="FR")).get(url).status_code == 403
    assert web(sel_admin).get("/selection/rounds/999999/").status_code == 404


def test_run_pages_dry_runs_for_officials_only(web, ranked, sel_admin, sel_origin, sel_employer_user, ana):
    dry = services.run_round(actor=sel_admin, rnd=ranked, publish=False)
    url = f"/selection/runs/{dry.pk}/"
    page = text(web(sel_admin).get(url))
    assert dry.inputs_hash in page and dry.code_version in page and dry.seed in page
    assert "Selected by sex" in page and "Selected by region of origin" in page and "First time" in page
    assert ana.public_id in page  # the list of workers selected
    assert web(sel_origin).get(url).status_code == 200
    assert web(sel_employer_user).get(url).status_code == 404  # dry runs are not shown to employers
    assert web(ana.user).get(url).status_code == 403
    published = services.run_round(actor=sel_admin, rnd=ranked, publish=True)
    employer = text(web(sel_employer_user).get(f"/selection/runs/{published.pk}/"))
    assert "The workers selected for your own job orders." in employer


def test_worker_page_refuses_officials_and_employers(web, sel_round, sel_admin, sel_employer_user, sel_origin):
    for user in (sel_admin, sel_employer_user, sel_origin):
        assert web(user).get("/selection/me/").status_code == 403


def test_employer_page_refuses_officials(web, sel_round, sel_orders, sel_admin, sel_employer_user, ana):
    url = f"/selection/rounds/{sel_round.pk}/employer/"
    response = web(sel_employer_user).get(url)
    assert response.status_code == 200 and sel_orders[0].reference in text(response)
    assert web(sel_admin).get(url).status_code == 403
    assert web(ana.user).get(url).status_code == 403


def test_appeals_page_for_officials_only(web, sel_round, sel_admin, sel_employer_user, ana):
    url = f"/selection/rounds/{sel_round.pk}/appeals/"
    assert web(sel_admin).get(url).status_code == 200
    assert web(sel_employer_user).get(url).status_code == 403
    assert web(ana.user).get(url).status_code == 403


def test_worker_records_page_for_origin_authority_and_ministry(web, ana, sel_origin, sel_jm_origin, sel_admin,
                                                               sel_employer_user):
    url = f"/selection/workers/{ana.public_id}/"
    origin = text(web(sel_origin).get(url))
    assert "Ana Cruz" in origin and 'name="test-isco_code"' in origin and 'name="season-year"' in origin
    ministry = web(sel_admin).get(url)
    assert ministry.status_code == 200
    assert "Ana Cruz" not in text(ministry)  # the ministry reads the identifier, not the name
    assert 'name="season-year"' in text(ministry) and 'name="test-isco_code"' not in text(ministry)
    assert web(sel_jm_origin).get(url).status_code == 403
    assert web(sel_employer_user).get(url).status_code == 403
    assert web(ana.user).get(url).status_code == 403
    assert web(sel_origin).get("/selection/workers/W-NOSUCH1/").status_code == 404


def test_home_and_profile_link_to_selection(web, ana, sel_admin, sel_employer_user):
    assert "/selection/me/" in text(web(ana.user).get("/"))
    assert "/selection/me/" in text(web(ana.user).get("/workers/me/"))
    assert "/selection/" in text(web(sel_admin).get("/"))
    assert "/selection/" in text(web(sel_employer_user).get("/"))


# --- the worker ranks, the official runs and publishes, the worker reads why ---------------------------------------


def test_worker_ranks_official_publishes_worker_sees_the_explanation(web, sel_round, sel_orders, ana, kemar,
                                                                     sel_admin):
    apple, peach = sel_orders
    worker = web(ana.user)
    page = text(worker.get("/selection/me/"))
    prefix = f"r{sel_round.pk}"
    assert f'name="{prefix}-choice_1"' in page and "1st choice" in page and "2nd choice" in page
    assert "Apple harvest — " in page and "2 positions left" in page
    response = worker.post(_rank_url(sel_round), {f"{prefix}-choice_1": peach.reference, f"{prefix}-choice_2": apple.reference})
    assert response.status_code == 302
    assert [p.job_order_id for p in Preference.objects.filter(worker=ana).order_by("rank")] == [peach.pk, apple.pk]
    # The saved ranking comes back in the form.
    page = text(worker.get("/selection/me/"))
    assert re.search(rf'<option value="{peach.reference}"[^>]*selected', page)
    # Kemar ranks Peach first too, through his own page.
    kprefix = f"r{sel_round.pk}"
    assert web(kemar.user).post(_rank_url(sel_round), {f"{kprefix}-choice_1": peach.reference}).status_code == 302

    official = web(sel_admin)
    response = official.post(f"/selection/rounds/{sel_round.pk}/dry-run/")
    dry = SelectionRun.objects.get(round=sel_round)
    assert response.status_code == 302 and response["Location"] == f"/selection/runs/{dry.pk}/"
    assert dry.kind == RunKind.DRY
    run_page = text(official.get(response["Location"]))
    assert "A dry run: nothing is published" in run_page and "Positions filled" in run_page
    assert "My outcomes" not in text(worker.get("/selection/me/"))  # a dry run shows workers nothing

    response = official.post(f"/selection/rounds/{sel_round.pk}/publish/", {"reason": ""})
    published = SelectionRun.objects.get(round=sel_round, kind=RunKind.PUBLISHED)
    assert response.status_code == 302 and response["Location"] == f"/selection/runs/{published.pk}/"

    page = text(worker.get("/selection/me/"))
    outcome = Outcome.objects.get(run=published, worker=ana)
    assert "My outcomes" in page
    for row in selectors.explanation(outcome=outcome):
        assert row["text"] in page
        if row["status"] == "not_selected" and row["cutoff"]:
            assert row["cutoff_text"] in page and row["mine"] in page
    if outcome.job_order_id:
        assert f"You obtained {outcome.job_order.title}" in page
    # Kemar ranked only Peach (one position), which Ana, with more experience, obtained: he reads the cutoff beside
    # his own priority.
    assert outcome.job_order_id == peach.pk
    theirs = Outcome.objects.get(run=published, worker=kemar)
    (row,) = selectors.explanation(outcome=theirs)
    assert row["status"] == "not_selected" and row["cutoff"] is not None
    kemar_page = text(web(kemar.user).get("/selection/me/"))
    assert "You did not obtain a job order in this round." in kemar_page
    assert row["text"] in kemar_page and row["cutoff_text"] in kemar_page and row["mine"] in kemar_page
    assert "Not obtained: the last worker admitted had priority" in row["text"]
    # The ranking can no longer change once published, and the page says so.
    assert "The results of this round are published" in page
    refused = worker.post(_rank_url(sel_round), {f"{prefix}-choice_1": apple.reference})
    assert refused.status_code == 409 and "Rankings can no longer change in this round." in text(refused)


def test_ranking_errors_are_shown_at_the_field(web, sel_round, sel_orders, ana):
    apple, peach = sel_orders
    worker = web(ana.user)
    prefix = f"r{sel_round.pk}"
    twice = worker.post(_rank_url(sel_round), {f"{prefix}-choice_1": apple.reference, f"{prefix}-choice_2": apple.reference})
    assert twice.status_code == 422
    assert any("ranked twice" in e for e in field_errors(twice))
    assert re.search(rf'id="id_{prefix}-choice_2-error"', twice.content.decode())
    unknown = worker.post(_rank_url(sel_round), {f"{prefix}-choice_1": "JO-NOSUCH"})
    assert unknown.status_code == 422 and any("valid choice" in e for e in field_errors(unknown))
    huge = worker.post(_rank_url(sel_round), {f"{prefix}-choice_1": "x" * 100_000})
    assert huge.status_code == 422
    empty = worker.post(_rank_url(sel_round), {})
    assert empty.status_code == 422 and "Rank at least one job order" in text(empty)
    assert not Preference.objects.filter(worker=ana).exists()
    # A gap between choices is closed up: the second box becomes the first choice.
    gap = worker.post(_rank_url(sel_round), {f"{prefix}-choice_2": peach.reference})
    assert gap.status_code == 302
    assert list(Preference.objects.filter(worker=ana).values_list("rank", "job_order_id")) == [(1, peach.pk)]
    # Withdraw, then withdrawing again is refused with the reason.
    assert worker.post(f"/selection/me/rounds/{sel_round.pk}/withdraw/").status_code == 302
    again = worker.post(f"/selection/me/rounds/{sel_round.pk}/withdraw/")
    assert again.status_code == 409 and "There is no ranking to withdraw" in text(again)
    assert worker.post("/selection/me/rounds/999999/ranking/", {}).status_code == 404


def test_worker_without_consent_sees_no_round(web, sel_round, sel_orders, make_ready_worker):
    shy = make_ready_worker("Sin", "Consentimiento", consent=False)
    page = text(web(shy.user).get("/selection/me/"))
    assert "No round is open to you now." in page
    assert web(shy.user).post(_rank_url(sel_round), {}).status_code == 404


def test_ineligible_job_orders_are_listed_with_the_reasons(web, sel_round, make_open_order, ana):
    make_open_order("Apple harvest", positions=2)
    make_open_order("Expert pruning", positions=1, min_experience_months=120)
    page = text(web(ana.user).get("/selection/me/"))
    assert "1 job order you cannot rank, and why" in page
    assert "120 months of experience" in page
    select = page[page.index(f'name="r{sel_round.pk}-choice_1"'):]
    select = select[:select.index("</select>")]
    assert "Apple harvest" in select and "Expert pruning" not in select


# --- the official's runs, closing and appeals ----------------------------------------------------------------------


def test_publishing_a_rerun_needs_a_reason(web, ranked, sel_admin):
    official = web(sel_admin)
    first = official.post(f"/selection/rounds/{ranked.pk}/publish/", {"reason": ""})
    assert first.status_code == 302
    page = text(official.get(f"/selection/rounds/{ranked.pk}/"))
    assert "Publish a re-run" in page
    refused = official.post(f"/selection/rounds/{ranked.pk}/publish/", {"reason": "  "})
    assert refused.status_code == 422
    assert any("Say why the published run is run again" in e for e in field_errors(refused))
    again = official.post(f"/selection/rounds/{ranked.pk}/publish/", {"reason": "Appeal upheld: season missing."})
    assert again.status_code == 302
    runs = SelectionRun.objects.filter(round=ranked, kind=RunKind.PUBLISHED).order_by("pk")
    assert [r.status for r in runs] == [RunStatus.SUPERSEDED, RunStatus.PUBLISHED]
    new_page = text(official.get(f"/selection/runs/{runs[1].pk}/"))
    assert "Appeal upheld: season missing." in new_page and f"/selection/runs/{runs[0].pk}/" in new_page
    old_page = text(official.get(f"/selection/runs/{runs[0].pk}/"))
    assert "Superseded by a re-run" in old_page and f"/selection/runs/{runs[1].pk}/" in old_page


def test_run_refusals_are_shown_not_raised(web, sel_round, sel_orders, sel_admin, sel_origin):
    official = web(sel_admin)
    nobody = official.post(f"/selection/rounds/{sel_round.pk}/dry-run/")
    assert nobody.status_code == 409 and "No worker has ranked a job order in this round yet." in text(nobody)
    # The Mexican authority may not run a round for every corridor.
    assert web(sel_origin).post(f"/selection/rounds/{sel_round.pk}/dry-run/").status_code == 403
    assert official.get(f"/selection/rounds/{sel_round.pk}/dry-run/").status_code == 405


def test_open_a_round_and_close_it(web, sel_programme, sel_admin, sel_origin):
    official = web(sel_admin)
    bad = official.post("/selection/rounds/new/", {"programme": "CA-SAG", "origin_country": "", "preferences_close_on": "2020-99-99"})
    assert bad.status_code == 422 and field_errors(bad)
    past = official.post("/selection/rounds/new/", {"programme": "CA-SAG", "origin_country": "", "preferences_close_on": "2001-01-01"})
    assert past.status_code == 422 and "The closing date is in the past." in field_errors(past)
    unknown = official.post("/selection/rounds/new/", {"programme": "NOPE", "origin_country": ""})
    assert unknown.status_code == 422
    made = official.post("/selection/rounds/new/", {"programme": "CA-SAG", "origin_country": "JM", "title": "Jamaica 1"})
    assert made.status_code == 302
    rnd = selectors.round_list(user=sel_admin).get(title="Jamaica 1")
    assert rnd.origin_country == "JM" and made["Location"] == f"/selection/rounds/{rnd.pk}/"
    # The Mexican authority opens rounds for its own corridor only.
    mx_form = text(web(sel_origin).get("/selection/"))
    assert 'value="MX"' in mx_form and 'value="JM"' not in mx_form and "Every corridor</option>" not in mx_form
    other = web(sel_origin).post("/selection/rounds/new/", {"programme": "CA-SAG", "origin_country": "JM", "title": "JM?"})
    assert other.status_code == 422
    mx = web(sel_origin).post("/selection/rounds/new/", {"programme": "CA-SAG", "origin_country": "MX", "title": "MX 1"})
    assert mx.status_code == 302 and selectors.round_list(user=sel_admin).get(title="MX 1").origin_country == "MX"

    no_reason = official.post(f"/selection/rounds/{rnd.pk}/close/", {"reason": ""})
    assert no_reason.status_code == 422 and field_errors(no_reason)
    assert official.post(f"/selection/rounds/{rnd.pk}/close/", {"reason": "Season filled."}).status_code == 302
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.CLOSED
    closed = official.post(f"/selection/rounds/{rnd.pk}/dry-run/")
    assert closed.status_code == 409 and "is closed" in text(closed)


def test_worker_appeals_and_official_decides(web, ranked, sel_admin, sel_employer_user, ana, kemar):
    services.run_round(actor=sel_admin, rnd=ranked, publish=True)
    outcome = Outcome.objects.get(worker=ana, run__status=RunStatus.PUBLISHED)
    worker = web(ana.user)
    url = f"/selection/me/outcomes/{outcome.pk}/appeal/"
    empty = worker.post(url, {f"o{outcome.pk}-grounds": ""})
    assert empty.status_code == 422 and field_errors(empty)
    assert worker.post(url, {f"o{outcome.pk}-grounds": "My season in 2024 is missing."}).status_code == 302
    appeal = Appeal.objects.get(outcome=outcome)
    page = text(worker.get("/selection/me/"))
    assert "My season in 2024 is missing." in page and "Lodged" in page
    assert f'action="{url}"' not in page  # one appeal at a time
    twice = worker.post(url, {f"o{outcome.pk}-grounds": "Again."})
    assert twice.status_code == 409
    # Someone else's outcome is not found.
    theirs = Outcome.objects.get(worker=kemar, run__status=RunStatus.PUBLISHED)
    assert worker.post(f"/selection/me/outcomes/{theirs.pk}/appeal/", {f"o{theirs.pk}-grounds": "x"}).status_code == 404

    official = web(sel_admin)
    appeals_page = text(official.get(f"/selection/rounds/{ranked.pk}/appeals/"))
    assert "My season in 2024 is missing." in appeals_page and ana.public_id in appeals_page
    decide = f"/selection/appeals/{appeal.pk}/decide/"
    missing = official.post(decide, {f"a{appeal.pk}-upheld": "1", f"a{appeal.pk}-decision": ""})
    assert missing.status_code == 422 and field_errors(missing)
    wrong = official.post(decide, {f"a{appeal.pk}-upheld": "maybe", f"a{appeal.pk}-decision": "x"})
    assert wrong.status_code == 422
    assert web(sel_employer_user).post(decide, {f"a{appeal.pk}-upheld": "1", f"a{appeal.pk}-decision": "x"}).status_code in (403, 404)
    done = official.post(decide, {f"a{appeal.pk}-upheld": "1", f"a{appeal.pk}-decision": "Upheld: the season is confirmed."})
    assert done.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD and appeal.decided_by == sel_admin
    assert "Upheld: the season is confirmed." in text(worker.get("/selection/me/"))
    again = official.post(decide, {f"a{appeal.pk}-upheld": "0", f"a{appeal.pk}-decision": "Changed my mind."})
    assert again.status_code == 409 and "This appeal is already decided." in text(again)


# --- the employer: recall and shortlists ---------------------------------------------------------------------------


def test_employer_names_a_returning_worker_who_accepts(web, sel_round, sel_orders, sel_employer, sel_employer_user,
                                                      sel_origin, ana):
    apple, _peach = sel_orders
    employer = web(sel_employer_user)
    url = f"/selection/rounds/{sel_round.pk}/nominations/"
    no_season = employer.post(url, {"job_order": str(apple.pk), "worker": ana.public_id})
    assert no_season.status_code == 422 and any("no completed season" in e for e in field_errors(no_season))
    nobody = employer.post(url, {"job_order": str(apple.pk), "worker": "W-NOSUCH1"})
    assert nobody.status_code == 422 and any("No worker in the pool" in e for e in field_errors(nobody))
    wrong_order = employer.post(url, {"job_order": "999999", "worker": ana.public_id})
    assert wrong_order.status_code == 422
    services.season_record_add(actor=sel_origin, worker=ana, programme=sel_round.programme, year=2024,
                               employer=sel_employer.pk)
    assert employer.post(url, {"job_order": str(apple.pk), "worker": ana.public_id.lower()}).status_code == 302
    nomination = Nomination.objects.get(worker=ana)
    assert ana.public_id in text(employer.get(f"/selection/rounds/{sel_round.pk}/employer/"))

    worker = web(ana.user)
    page = text(worker.get("/selection/me/"))
    assert "Employers asking you back" in page and apple.title in page
    answer = f"/selection/me/nominations/{nomination.pk}/"
    assert worker.post(answer, {"consent": "perhaps"}).status_code == 422
    assert worker.post(answer, {"consent": "yes"}).status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.CONSENTED
    assert "Employers asking you back" not in text(worker.get("/selection/me/"))

    assert employer.post(f"/selection/nominations/{nomination.pk}/withdraw/").status_code == 302
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.WITHDRAWN


class TestShortlist:
    @pytest.fixture
    def sel_rules_override(self):
        return {"selection": {"mode": "employer_shortlist", "shortlist_per_position": 2, "max_preferences": 10}}

    def test_employer_picks_from_the_shortlist_with_reasons(self, web, sel_round, make_open_order, sel_admin,
                                                            sel_employer_user, make_ready_worker):
        order = make_open_order("Packing line", positions=1)
        workers = [make_ready_worker(f"W{i}", "Test", years=i) for i in range(1, 4)]
        for w in workers:
            services.preferences_set(actor=w.user, rnd=sel_round, worker=w, job_orders=[order.reference])
        run = services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
        run_job = run.job_orders.get(job_order=order)
        candidates = list(Outcome.objects.filter(run=run, job_order=order).select_related("worker"))
        assert len(candidates) == 2
        employer = web(sel_employer_user)
        page = text(employer.get(f"/selection/rounds/{sel_round.pk}/employer/"))
        prefix = f"s{run_job.pk}"
        ids = [c.worker.public_id for c in candidates]
        for ident in ids:
            assert f'name="{prefix}-pick_{ident}"' in page
        url = f"/selection/shortlists/{run_job.pk}/"
        no_reason = employer.post(url, {f"{prefix}-pick_{ids[0]}": "on"})
        assert no_reason.status_code == 422
        assert "State the reason for this pick." in field_errors(no_reason)
        assert "State why the other candidates were not picked." in field_errors(no_reason)
        too_many = employer.post(url, {f"{prefix}-pick_{ids[0]}": "on", f"{prefix}-reason_{ids[0]}": "a",
                                       f"{prefix}-pick_{ids[1]}": "on", f"{prefix}-reason_{ids[1]}": "b"})
        assert too_many.status_code == 422 and "Pick at most 1 workers" in text(too_many)
        assert web(sel_admin).post(url, {}).status_code == 403
        done = employer.post(url, {f"{prefix}-pick_{ids[0]}": "on", f"{prefix}-reason_{ids[0]}": "Two seasons of packing.",
                                   f"{prefix}-passed_over_reason": "One position only."})
        assert done.status_code == 302
        picks = dict(Outcome.objects.filter(run=run, job_order=order).values_list("worker__public_id", "pick"))
        assert picks == {ids[0]: PickStatus.PICKED, ids[1]: PickStatus.PASSED_OVER}
        page = text(employer.get(f"/selection/rounds/{sel_round.pk}/employer/"))
        assert "Two seasons of packing." in page and f'name="{prefix}-pick_' not in page
        # The worker passed over reads it on their page.
        passed = next(c for c in candidates if c.worker.public_id == ids[1]).worker
        assert "The employer picked other workers" in text(web(passed.user).get("/selection/me/"))


# --- seasons and skills tests ------------------------------------------------------------------------------------


def test_origin_authority_records_a_season_and_a_skills_test(web, sel_programme, sel_employer, sel_orders, ana,
                                                             sel_origin, sel_admin):
    officer = web(sel_origin)
    base = f"/selection/workers/{ana.public_id}/"
    page = text(officer.get(base))
    assert sel_employer.organisation.name in page  # employers of job orders open to the worker's country
    bad_year = officer.post(base + "seasons/", {"season-programme": "CA-SAG", "season-year": "abc"})
    assert bad_year.status_code == 422 and field_errors(bad_year)
    future = officer.post(base + "seasons/", {"season-programme": "CA-SAG", "season-year": "2199"})
    assert future.status_code == 422 and any("Give the season's year" in e for e in field_errors(future))
    ok = officer.post(base + "seasons/", {"season-programme": "CA-SAG", "season-year": "2024", "season-employer": str(sel_employer.pk),
                                          "season-completed": "on", "season-note": "Came back on time."})
    assert ok.status_code == 302
    record = SeasonRecord.objects.get(worker=ana)
    assert record.completed and not record.returned_as_agreed and record.employer == sel_employer
    dup = officer.post(base + "seasons/", {"season-programme": "CA-SAG", "season-year": "2024"})
    assert dup.status_code == 409 and "already recorded" in text(dup)

    bad_test = officer.post(base + "skills-tests/", {"test-isco_code": "9999", "test-test": "Orchard", "test-score": "101",
                                                     "test-taken_on": "not a date"})
    assert bad_test.status_code == 422 and len(field_errors(bad_test)) >= 2
    unknown_code = officer.post(base + "skills-tests/", {"test-isco_code": "9999", "test-test": "Orchard", "test-score": "80",
                                                         "test-taken_on": "2025-01-10"})
    assert unknown_code.status_code == 422 and any("ISCO-08" in e for e in field_errors(unknown_code))
    assert officer.post(base + "skills-tests/", {"test-isco_code": "9211", "test-test": "Orchard skills", "test-score": "87.5",
                                                 "test-taken_on": "2025-01-10"}).status_code == 302
    assert SkillsTest.objects.get(worker=ana).score == 87.5
    page = text(officer.get(base))
    assert "Orchard skills" in page and "Came back on time." in page
    # The ministry records seasons but not skills tests.
    assert web(sel_admin).post(base + "skills-tests/", {"test-isco_code": "9211"}).status_code == 403
