"""Selection through /api/v1/selection: a round from the workers' rankings to a dry run, publication, the explained
outcome, an appeal, its decision and the re-run that supersedes the published run; who may do and see what; bad
input answered with problem documents naming the field (never a 500)."""

import json

import pytest
from django.utils import timezone

from corridor.conftest import ApiClient
from corridor.core.access import Role
from corridor.selection import services
from corridor.selection.models import Appeal, Outcome, Preference, RunStatus, SelectionRound, SelectionRun

pytestmark = pytest.mark.django_db

BASE = "selection"
THIS_YEAR = timezone.localdate().year


def assert_problem(response, status, field=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    if field:
        assert field in {e["field"] for e in body["errors"]}, body
    return body


@pytest.fixture
def api_client():
    """One client per user within a test (an official's second factor is passed once: codes are not replayable)."""
    clients = {}

    def make(user=None, token=None):
        if user is None:
            return ApiClient(None, token)
        if user.pk not in clients:
            clients[user.pk] = ApiClient(user)
        return clients[user.pk]

    return make


def put(client, path, data=None, raw=None):
    body = raw if raw is not None else json.dumps(data or {})
    return client.client.put(client._url(path), body, content_type="application/json", headers=client.headers)


@pytest.fixture
def trio(make_ready_worker):
    """Ana (MX, 5 years' experience), Carla (JM, 3 years) and Beto (MX, 1 year): points rank them in that order."""
    return {
        "ana": make_ready_worker("Ana", "Cruz", sex="female", years=5),
        "carla": make_ready_worker("Carla", "Henry", sex="female", years=3, nationality="JM", region="Clarendon"),
        "beto": make_ready_worker("Beto", "Luna", sex="male", years=1),
    }


@pytest.fixture
def refs(sel_orders):
    """Job order references: apple (2 positions), peach (1 position)."""
    return {"apple": sel_orders[0].reference, "peach": sel_orders[1].reference}


def rank(api_client, worker, rnd, references):
    response = put(api_client(worker.user), f"{BASE}/rounds/{rnd.pk}/preferences", {"job_orders": references})
    assert response.status_code == 200, response.content
    return response.json()


# --- the whole flow ------------------------------------------------------------------------------------------------


def test_rank_dry_run_publish_explain_appeal_decide_and_rerun(
    api_client, sel_round, refs, trio, sel_admin, sel_origin, sel_employer_user, sel_employer
):
    ana, carla, beto = trio["ana"], trio["carla"], trio["beto"]
    rnd = sel_round

    # Ana sees the round, the two job orders she may rank, and ranks them.
    mine = api_client(ana.user).get(f"{BASE}/my/rounds").json()
    assert [r["round"]["id"] for r in mine["items"]] == [rnd.pk]
    assert mine["items"][0]["ranking"] == [] and mine["items"][0]["max_preferences"] == 10
    board = api_client(ana.user).get(f"{BASE}/rounds/{rnd.pk}/job-orders").json()
    assert board["taking_part"] and board["worker"] == ana.public_id
    assert {o["reference"]: (o["eligible"], o["positions_left"]) for o in board["job_orders"]} == {
        refs["apple"]: (True, 2), refs["peach"]: (True, 1)}
    ranking = rank(api_client, ana, rnd, [refs["apple"], refs["peach"]])
    assert [(r["rank"], r["job_order"]["reference"]) for r in ranking] == [(1, refs["apple"]), (2, refs["peach"])]
    assert ranking[0]["job_order"]["employer"] == sel_employer.organisation.name
    rank(api_client, carla, rnd, [refs["peach"]])
    rank(api_client, beto, rnd, [refs["peach"]])
    again = api_client(ana.user).get(f"{BASE}/my/rounds").json()["items"][0]["ranking"]
    assert [r["job_order"]["reference"] for r in again] == [refs["apple"], refs["peach"]]

    # A dry run: stored for review, seen by the officials only, no outcome shown to workers.
    admin = api_client(sel_admin)
    response = admin.post(f"{BASE}/rounds/{rnd.pk}/runs", {"publish": False})
    assert response.status_code == 201, response.content
    dry = response.json()
    assert dry["kind"] == "dry" and dry["status"] == "dry" and dry["rule_version"] == 1
    assert len(dry["inputs_hash"]) == 64 and dry["code_version"].startswith("corridor ") and dry["seed"] == rnd.seed
    assert dry["summary"]["positions"] == 3 and dry["summary"]["selected"] == 2
    assert dry["summary"]["unfilled"][0]["title"] == "Apple harvest"
    assert api_client(ana.user).get(f"{BASE}/runs/{dry['id']}").status_code == 404
    assert api_client(ana.user).get(f"{BASE}/my/outcomes").json()["count"] == 0

    # Published: final; everyone may read the run's aggregates and cutoffs.
    first = admin.post(f"{BASE}/rounds/{rnd.pk}/runs", {"publish": True}).json()
    assert first["status"] == "published" and first["inputs_hash"] == dry["inputs_hash"]
    detail = api_client(beto.user).get(f"{BASE}/runs/{first['id']}").json()
    rows = {r["reference"]: r for r in detail["job_orders"]}
    assert (rows[refs["apple"]]["positions"], rows[refs["apple"]]["selected"], rows[refs["apple"]]["applicants"]) == (2, 1, 1)
    assert rows[refs["peach"]]["applicants"] == 3 and rows[refs["peach"]]["selected"] == 1
    assert rows[refs["peach"]]["cutoff"]["points"] == 3.0 and rows[refs["peach"]]["cutoff"]["tier"] == 4
    round_detail = admin.get(f"{BASE}/rounds/{rnd.pk}").json()
    assert round_detail["published_run"] == first["id"] and round_detail["actions"] == ["close", "run"]
    assert {r["id"] for r in round_detail["runs"]} == {dry["id"], first["id"]}
    assert {o["reference"] for o in round_detail["job_orders"]} == set(refs.values())
    # The public sees the published run, not the dry one.
    assert [r["id"] for r in api_client(beto.user).get(f"{BASE}/rounds/{rnd.pk}/runs").json()["items"]] == [first["id"]]

    # The employer sees who was selected at its job orders.
    selected = api_client(sel_employer_user).get(f"{BASE}/runs/{first['id']}/selected").json()["items"]
    assert {(s["worker"], s["job_order"], s["choice"]) for s in selected} == {
        (ana.public_id, refs["apple"], 1), (carla.public_id, refs["peach"], 1)}

    # Beto sees why he was not selected: the cutoff beside his own priority.
    outcomes = api_client(beto.user).get(f"{BASE}/my/outcomes").json()["items"]
    assert len(outcomes) == 1
    outcome = outcomes[0]
    assert outcome["job_order"] is None and outcome["run_status"] == "published" and outcome["round"]["id"] == rnd.pk
    (entry,) = outcome["explanation"]
    assert entry["job_order"]["reference"] == refs["peach"] and entry["status"] == "not_selected"
    assert entry["mine"]["points"] == 1.0 and entry["cutoff"]["points"] == 3.0
    assert "the last worker admitted had priority" in entry["sentence"]
    ana_outcome = api_client(ana.user).get(f"{BASE}/my/outcomes").json()["items"][0]
    assert ana_outcome["job_order"]["reference"] == refs["apple"] and ana_outcome["choice"] == 1
    assert [e["status"] for e in ana_outcome["explanation"]] == ["selected", "not_reached"]

    # Rankings are frozen once results are published.
    assert_problem(put(api_client(beto.user), f"{BASE}/rounds/{rnd.pk}/preferences", {"job_orders": [refs["apple"]]}),
                   409, "job_orders")

    # Beto appeals: a completed season is missing from his record.
    response = api_client(beto.user).post(f"{BASE}/outcomes/{outcome['id']}/appeals",
                                          {"grounds": "I completed the season last year and came home on time."})
    assert response.status_code == 201, response.content
    appeal = response.json()
    assert appeal["status"] == "lodged" and appeal["worker"] == beto.public_id and appeal["run"] == first["id"]
    assert_problem(api_client(beto.user).post(f"{BASE}/outcomes/{outcome['id']}/appeals", {"grounds": "Again."}),
                   409, "outcome")
    listed = admin.get(f"{BASE}/appeals", round=rnd.pk, status="lodged").json()
    assert [a["id"] for a in listed["items"]] == [appeal["id"]]
    assert admin.get(f"{BASE}/appeals", status="dismissed").json()["count"] == 0
    # The round cannot close while an appeal waits.
    assert_problem(admin.post(f"{BASE}/rounds/{rnd.pk}/close", {"reason": "Done."}), 409, "round")

    # The origin authority records the season; the administrator upholds the appeal and runs the round again.
    response = api_client(sel_origin).post(f"{BASE}/workers/{beto.public_id}/seasons", {
        "programme": "CA-SAG", "year": THIS_YEAR - 1, "employer": sel_employer.pk, "completed": True,
        "returned_as_agreed": True, "note": "Confirmed from the payroll."})
    assert response.status_code == 201, response.content
    assert response.json()["employer"]["id"] == sel_employer.pk
    decided = admin.post(f"{BASE}/appeals/{appeal['id']}/decision",
                         {"upheld": True, "decision": "Upheld: the season is confirmed; the round is run again."})
    assert decided.status_code == 200, decided.content
    assert decided.json()["status"] == "upheld" and decided.json()["decided_at"]
    assert_problem(admin.post(f"{BASE}/appeals/{appeal['id']}/decision", {"upheld": False, "decision": "No."}),
                   409, "status")
    assert_problem(admin.post(f"{BASE}/rounds/{rnd.pk}/runs", {"publish": True}), 422, "reason")
    second = admin.post(f"{BASE}/rounds/{rnd.pk}/runs",
                        {"publish": True, "reason": f"Appeal {appeal['id']} upheld."}).json()
    assert second["supersedes"] == first["id"] and second["status"] == "published"
    assert second["inputs_hash"] != first["inputs_hash"]
    old = admin.get(f"{BASE}/runs/{first['id']}").json()
    assert old["status"] == "superseded" and old["superseded_by"] == second["id"]

    # Beto now holds the peach harvest by recall; both outcomes stay visible to him.
    outcomes = api_client(beto.user).get(f"{BASE}/my/outcomes").json()["items"]
    assert [(o["run"], o["run_status"]) for o in outcomes] == [(second["id"], "published"), (first["id"], "superseded")]
    assert outcomes[0]["job_order"]["reference"] == refs["peach"]
    assert outcomes[0]["explanation"][0]["mine"]["tier"] == 2
    assert outcomes[1]["appeals"][0]["status"] == "upheld"
    assert SelectionRun.objects.filter(round=rnd, status=RunStatus.PUBLISHED).count() == 1

    # Closing the round, with a reason, ends it.
    closed = admin.post(f"{BASE}/rounds/{rnd.pk}/close", {"reason": "Season filled."})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert admin.get(f"{BASE}/rounds/{rnd.pk}").json()["actions"] == []
    assert api_client(ana.user).get(f"{BASE}/my/rounds").json()["count"] == 0


# --- rounds ------------------------------------------------------------------------------------------------------


def test_open_list_and_filter_rounds(api_client, sel_admin, sel_origin, sel_programme, make_user):
    admin = api_client(sel_admin)
    response = admin.post(f"{BASE}/rounds", {"programme": "ca-sag", "title": "Spring intake"})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["number"] == 1 and created["origin_country"] == "" and len(created["seed"]) == 64
    # The origin authority opens rounds for its own corridor only.
    mx = api_client(sel_origin).post(f"{BASE}/rounds", {"programme": "CA-SAG"}).json()
    assert mx["origin_country"] == "MX" and mx["number"] == 1
    assert_problem(api_client(sel_origin).post(f"{BASE}/rounds", {"programme": "CA-SAG", "origin_country": "JM"}), 403)
    # Lists are open to every signed-in user, filtered and paginated.
    worker_view = api_client(make_user(Role.EMPLOYER)).get(f"{BASE}/rounds", programme="ca-sag", status="open")
    assert worker_view.json()["count"] == 2
    assert admin.get(f"{BASE}/rounds", status="closed").json()["count"] == 0
    assert admin.get(f"{BASE}/rounds", programme="NOPE").json()["count"] == 0
    assert admin.get(f"{BASE}/rounds", page_size=1).json()["items"][0]["id"] in {created["id"], mx["id"]}
    detail = admin.get(f"{BASE}/rounds/{created['id']}").json()
    assert detail["runs"] == [] and detail["published_run"] is None and detail["max_preferences"] == 10


def test_round_input_is_checked(api_client, sel_admin, sel_programme, make_user):
    admin = api_client(sel_admin)
    assert_problem(admin.post(f"{BASE}/rounds", {"programme": "NOPE"}), 422, "programme")
    assert_problem(admin.post(f"{BASE}/rounds", {}), 422, "programme")
    assert_problem(admin.post(f"{BASE}/rounds", {"programme": "CA-SAG", "origin_country": "MXX"}), 422, "origin_country")
    assert_problem(admin.post(f"{BASE}/rounds", {"programme": "CA-SAG", "origin_country": "PH"}), 422, "origin_country")
    assert_problem(admin.post(f"{BASE}/rounds", {"programme": "CA-SAG", "title": "x" * 201}), 422, "title")
    assert_problem(admin.post(f"{BASE}/rounds", {"programme": "CA-SAG", "preferences_close_on": "2001-01-01"}),
                   422, "preferences_close_on")
    assert_problem(admin.post(f"{BASE}/rounds", {"programme": "CA-SAG", "preferences_close_on": "soon"}),
                   422, "preferences_close_on")
    assert_problem(admin.post(f"{BASE}/rounds", raw="{not json"), 400)
    assert_problem(admin.get(f"{BASE}/rounds", status="ajar"), 422, "status")
    assert_problem(api_client(make_user(Role.EMPLOYER)).post(f"{BASE}/rounds", {"programme": "CA-SAG"}), 403)
    assert SelectionRound.objects.count() == 0
    # Unknown and absurd ids are 404, never a server error.
    for path in ("rounds/999999", "rounds/99999999999999999999", "runs/999999", "runs/99999999999999999999"):
        assert_problem(admin.get(f"{BASE}/{path}"), 404)
    assert_problem(admin.post(f"{BASE}/appeals/999999/decision", {"upheld": True, "decision": "x"}), 404)
    assert_problem(admin.post(f"{BASE}/rounds/999999/runs", {"publish": False}), 404)


# --- runs: state conflicts -----------------------------------------------------------------------------------------


def test_run_conflicts(api_client, sel_round, refs, trio, sel_admin):
    admin = api_client(sel_admin)
    body = assert_problem(admin.post(f"{BASE}/rounds/{sel_round.pk}/runs", {"publish": False}), 409, "round")
    assert "No worker has ranked" in body["detail"]
    rank(api_client, trio["ana"], sel_round, [refs["apple"]])
    # Another run of the round is in progress.
    SelectionRound.objects.filter(pk=sel_round.pk).update(running_since=timezone.now())
    body = assert_problem(admin.post(f"{BASE}/rounds/{sel_round.pk}/runs", {"publish": True}), 409, "round")
    assert "already in progress" in body["detail"]
    SelectionRound.objects.filter(pk=sel_round.pk).update(running_since=None)
    assert_problem(admin.post(f"{BASE}/rounds/{sel_round.pk}/runs", {"publish": "perhaps"}), 422, "publish")
    assert_problem(admin.post(f"{BASE}/rounds/{sel_round.pk}/runs", {"publish": True, "reason": "x" * 5000}), 422, "reason")
    assert SelectionRun.objects.count() == 0
    # A closed round takes no more runs or rankings.
    assert_problem(admin.post(f"{BASE}/rounds/{sel_round.pk}/close", {"reason": ""}), 422, "reason")
    assert admin.post(f"{BASE}/rounds/{sel_round.pk}/close", {"reason": "Cancelled."}).status_code == 200
    assert_problem(admin.post(f"{BASE}/rounds/{sel_round.pk}/runs", {"publish": False}), 409, "round")
    assert_problem(admin.post(f"{BASE}/rounds/{sel_round.pk}/close", {"reason": "Again."}), 409, "round")
    assert_problem(put(api_client(trio["beto"].user), f"{BASE}/rounds/{sel_round.pk}/preferences",
                       {"job_orders": [refs["apple"]]}), 409, "round")


# --- rankings ----------------------------------------------------------------------------------------------------


def test_bad_rankings_name_the_entry(api_client, sel_round, refs, trio, make_open_order):
    client = api_client(trio["ana"].user)
    url = f"{BASE}/rounds/{sel_round.pk}/preferences"
    body = assert_problem(put(client, url, {"job_orders": [refs["apple"], "JO-NOPE0000"]}), 422, "job_orders.1")
    assert "JO-NOPE0000" in body["detail"]
    assert_problem(put(client, url, {"job_orders": [refs["apple"], refs["apple"]]}), 422, "job_orders.1")
    assert_problem(put(client, url, {"job_orders": []}), 422, "job_orders")
    assert_problem(put(client, url, {"job_orders": ["  "]}), 422, "job_orders")
    assert_problem(put(client, url, {}), 422, "job_orders")
    assert_problem(put(client, url, {"job_orders": "JO-1"}), 422, "job_orders")
    assert_problem(put(client, url, {"job_orders": [f"JO-{i}" for i in range(51)]}), 422, "job_orders")
    assert_problem(put(client, url, {"job_orders": ["x" * 41]}), 422, "job_orders.0")
    # More than the programme's limit (10): refused, naming the limit.
    many = [refs["apple"], refs["peach"]] + [f"JO-X{i}" for i in range(9)]
    body = assert_problem(put(client, url, {"job_orders": many}), 422, "job_orders")
    assert "at most 10" in body["detail"]
    # A job order the worker is not eligible for: the reason is given.
    expert = make_open_order("Expert pruning", positions=1, min_experience_months=120)
    body = assert_problem(put(client, url, {"job_orders": [expert.reference]}), 422, "job_orders.0")
    assert "120 months" in body["detail"]
    listed = {o["reference"]: o for o in client.get(f"{BASE}/rounds/{sel_round.pk}/job-orders").json()["job_orders"]}
    assert not listed[expert.reference]["eligible"] and "120 months" in listed[expert.reference]["reasons"][0]
    assert Preference.objects.count() == 0
    # Withdrawing: only a ranking that exists.
    assert_problem(client.delete(f"{BASE}/rounds/{sel_round.pk}/preferences"), 409, "job_orders")
    rank(api_client, trio["ana"], sel_round, [refs["peach"]])
    assert client.delete(f"{BASE}/rounds/{sel_round.pk}/preferences").status_code == 204
    assert Preference.objects.count() == 0


def test_worker_without_consent_and_round_of_another_corridor(api_client, sel_round, refs, make_ready_worker,
                                                              sel_jm_origin, sel_programme):
    shy = make_ready_worker("Rosa", "Ortiz", sex="female", consent=False)
    client = api_client(shy.user)
    assert client.get(f"{BASE}/my/rounds").json()["count"] == 0
    board = client.get(f"{BASE}/rounds/{sel_round.pk}/job-orders").json()
    assert board["taking_part"] is False and "consent" in board["note"]
    assert_problem(put(client, f"{BASE}/rounds/{sel_round.pk}/preferences", {"job_orders": [refs["apple"]]}), 409, "consent")
    jm_round = services.round_create(actor=sel_jm_origin, programme=sel_programme)
    assert_problem(client.get(f"{BASE}/rounds/{jm_round.pk}/job-orders"), 403)


def test_origin_officer_ranks_on_behalf_of_a_worker(api_client, sel_round, refs, trio, sel_origin, sel_jm_origin,
                                                    sel_employer_user):
    ana = trio["ana"]
    url = f"{BASE}/rounds/{sel_round.pk}/preferences?worker={ana.public_id}"
    response = put(api_client(sel_origin), url, {"job_orders": [refs["peach"], refs["apple"]]})
    assert response.status_code == 200, response.content
    assert [r["job_order"]["reference"] for r in response.json()] == [refs["peach"], refs["apple"]]
    board = api_client(sel_origin).get(f"{BASE}/rounds/{sel_round.pk}/job-orders", worker=ana.public_id).json()
    assert board["worker"] == ana.public_id and [r["rank"] for r in board["ranking"]] == [1, 2]
    # Others may not: the Jamaican authority, an employer, another worker, a ministry officer.
    for user in (sel_jm_origin, sel_employer_user, trio["beto"].user):
        assert_problem(put(api_client(user), url, {"job_orders": [refs["apple"]]}), 404, "worker")
    assert_problem(put(api_client(sel_origin), f"{BASE}/rounds/{sel_round.pk}/preferences?worker=NOBODY",
                       {"job_orders": [refs["apple"]]}), 404, "worker")
    assert_problem(api_client(sel_origin).delete(f"{BASE}/rounds/{sel_round.pk}/preferences?worker={'X' * 13}"),
                   422, "worker")
    # An official without a worker profile has no rankings of their own.
    assert_problem(api_client(sel_origin).get(f"{BASE}/my/rounds"), 403)
    assert api_client(sel_origin).delete(url).status_code == 204


# --- roles ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def published(api_client, sel_round, refs, trio, sel_admin):
    rank(api_client, trio["ana"], sel_round, [refs["apple"], refs["peach"]])
    rank(api_client, trio["carla"], sel_round, [refs["peach"]])
    rank(api_client, trio["beto"], sel_round, [refs["peach"]])
    return services.run_round(actor=sel_admin, rnd=sel_round, publish=True)


def test_only_the_programme_administrator_or_the_corridor_authority_runs(
    api_client, sel_round, published, refs, trio, sel_officer, sel_origin, sel_jm_origin, sel_employer_user, make_user
):
    immigration = make_user(Role.IMMIGRATION_OFFICER, country="CA")
    for user in (sel_employer_user, trio["ana"].user, sel_officer, sel_origin, sel_jm_origin, immigration):
        assert_problem(api_client(user).post(f"{BASE}/rounds/{sel_round.pk}/runs", {"publish": False}), 403)
        assert_problem(api_client(user).post(f"{BASE}/rounds/{sel_round.pk}/close", {"reason": "No."}), 403)
    # The Mexican authority runs its own corridor's round.
    mx_round = api_client(sel_origin).post(f"{BASE}/rounds", {"programme": "CA-SAG"}).json()
    rank(api_client, trio["beto"], SelectionRound.objects.get(pk=mx_round["id"]), [refs["apple"]])
    response = api_client(sel_origin).post(f"{BASE}/rounds/{mx_round['id']}/runs", {"publish": False})
    assert response.status_code == 201, response.content
    assert_problem(api_client(sel_jm_origin).post(f"{BASE}/rounds/{mx_round['id']}/runs", {"publish": False}), 403)
    # Its dry run is the officials' business.
    dry = response.json()["id"]
    assert api_client(sel_officer).get(f"{BASE}/runs/{dry}").status_code == 200
    assert_problem(api_client(sel_employer_user).get(f"{BASE}/runs/{dry}"), 404)


def test_workers_see_only_their_own_outcomes(api_client, published, trio, sel_origin, sel_jm_origin, sel_admin):
    ana, beto, carla = trio["ana"], trio["beto"], trio["carla"]
    beto_outcome = Outcome.objects.get(run=published, worker=beto)
    ana_outcome = Outcome.objects.get(run=published, worker=ana)
    assert [o["id"] for o in api_client(ana.user).get(f"{BASE}/my/outcomes").json()["items"]] == [ana_outcome.pk]
    assert_problem(api_client(ana.user).post(f"{BASE}/outcomes/{beto_outcome.pk}/appeals", {"grounds": "Unfair."}), 404)
    assert_problem(api_client(ana.user).get(f"{BASE}/runs/{published.pk}/selected"), 403)
    assert_problem(api_client(ana.user).get(f"{BASE}/workers/{beto.public_id}/seasons"), 404)
    # The worker's own appeal list shows their own appeals only.
    api_client(beto.user).post(f"{BASE}/outcomes/{beto_outcome.pk}/appeals", {"grounds": "Please check my record."})
    assert api_client(ana.user).get(f"{BASE}/appeals").json()["count"] == 0
    assert api_client(beto.user).get(f"{BASE}/appeals").json()["count"] == 1
    # The origin authority sees its nationals: the Mexican one Beto's appeal, the Jamaican one nothing of it.
    assert api_client(sel_origin).get(f"{BASE}/appeals").json()["count"] == 1
    assert api_client(sel_jm_origin).get(f"{BASE}/appeals").json()["count"] == 0
    selected_mx = api_client(sel_origin).get(f"{BASE}/runs/{published.pk}/selected").json()["items"]
    assert [s["worker"] for s in selected_mx] == [ana.public_id]
    selected_all = api_client(sel_admin).get(f"{BASE}/runs/{published.pk}/selected").json()["items"]
    assert {s["worker"] for s in selected_all} == {ana.public_id, carla.public_id}
    # Only the programme administrator (or the round's corridor authority) decides appeals.
    appeal = Appeal.objects.get()
    assert_problem(api_client(sel_origin).post(f"{BASE}/appeals/{appeal.pk}/decision",
                                               {"upheld": True, "decision": "Mine."}), 403)
    assert_problem(api_client(beto.user).post(f"{BASE}/appeals/{appeal.pk}/decision",
                                              {"upheld": True, "decision": "Mine."}), 403)
    assert_problem(api_client(sel_admin).post(f"{BASE}/appeals/{appeal.pk}/decision", {"upheld": True, "decision": ""}),
                   422, "decision")
    assert_problem(api_client(sel_admin).post(f"{BASE}/appeals/{appeal.pk}/decision", {"decision": "Yes."}), 422, "upheld")
    assert_problem(api_client(beto.user).post(f"{BASE}/outcomes/{beto_outcome.pk}/appeals", {"grounds": "y" * 4001}),
                   422, "grounds")


def test_immigration_sees_no_worker_selection_data(api_client, published, trio, make_user, sel_round):
    officer = api_client(make_user(Role.IMMIGRATION_OFFICER, country="CA"))
    beto = trio["beto"]
    services.appeal_lodge(actor=beto.user, outcome=Outcome.objects.get(run=published, worker=beto), grounds="Check.")
    assert officer.get(f"{BASE}/appeals").json()["count"] == 0
    assert_problem(officer.get(f"{BASE}/runs/{published.pk}/selected"), 403)
    assert_problem(officer.get(f"{BASE}/my/outcomes"), 403)
    assert_problem(officer.get(f"{BASE}/workers/{beto.public_id}/seasons"), 404)
    assert_problem(officer.get(f"{BASE}/workers/{beto.public_id}/skills-tests"), 404)
    assert_problem(officer.get(f"{BASE}/rounds/{sel_round.pk}/job-orders", worker=beto.public_id), 404, "worker")
    # The published aggregates are public, without names.
    run = officer.get(f"{BASE}/runs/{published.pk}").json()
    assert run["summary"]["selected"] == 2 and beto.public_id not in json.dumps(run)


def test_tokens_need_the_selection_scopes(api_client, sel_round, sel_admin, trio, refs):
    from corridor.accounts import services as account_services

    sel_admin.is_org_admin = True
    sel_admin.save()
    _, reader = account_services.api_token_create(actor=sel_admin, organisation=sel_admin.organisation, name="stats",
                                                  scopes=["selection:read"])
    client = api_client(token=reader)
    assert client.get(f"{BASE}/rounds").json()["count"] == 1
    assert_problem(client.post(f"{BASE}/rounds/{sel_round.pk}/runs", {"publish": False}), 403)
    _, other = account_services.api_token_create(actor=sel_admin, organisation=sel_admin.organisation, name="jobs",
                                                 scopes=["joborders:read"])
    assert_problem(api_client(token=other).get(f"{BASE}/rounds"), 403)
    _, writer = account_services.api_token_create(actor=sel_admin, organisation=sel_admin.organisation, name="runner",
                                                  scopes=["selection:read", "selection:write"])
    rank(api_client, trio["ana"], sel_round, [refs["apple"]])
    assert api_client(token=writer).post(f"{BASE}/rounds/{sel_round.pk}/runs", {"publish": False}).status_code == 201


# --- recall: nominations, seasons, skills tests ----------------------------------------------------------------------


def test_nominations_by_the_employer_answered_by_the_worker(api_client, sel_round, refs, trio, sel_employer_user,
                                                             sel_employer, sel_origin, sel_admin, make_user):
    ana, beto = trio["ana"], trio["beto"]
    employer = api_client(sel_employer_user)
    url = f"{BASE}/rounds/{sel_round.pk}/nominations"
    # Only workers returning to this employer may be named.
    assert_problem(employer.post(url, {"job_order": refs["apple"], "worker": ana.public_id}), 422, "worker")
    services.season_record_add(actor=sel_origin, worker=ana, programme=sel_round.programme, year=THIS_YEAR - 1,
                               employer=sel_employer.pk)
    assert_problem(employer.post(url, {"job_order": "JO-NOPE0000", "worker": ana.public_id}), 422, "job_order")
    assert_problem(employer.post(url, {"job_order": refs["apple"], "worker": "NOBODY"}), 422, "worker")
    assert_problem(employer.post(url, {"job_order": refs["apple"]}), 422, "worker")
    # Another employer may not name workers to this employer's job orders.
    other = make_user(Role.EMPLOYER, country="CA")
    assert_problem(api_client(other).post(url, {"job_order": refs["apple"], "worker": ana.public_id}), 403)
    response = employer.post(url, {"job_order": refs["apple"], "worker": ana.public_id.lower()})
    assert response.status_code == 201, response.content
    nomination = response.json()
    assert nomination["status"] == "awaiting" and nomination["job_order"]["reference"] == refs["apple"]
    assert_problem(employer.post(url, {"job_order": refs["apple"], "worker": ana.public_id}), 409, "worker")
    assert [n["id"] for n in employer.get(url).json()["items"]] == [nomination["id"]]
    assert api_client(other).get(url).json()["count"] == 0
    assert_problem(api_client(ana.user).get(url), 403)

    # The worker sees and answers; nobody else may answer for her but her origin authority.
    mine = api_client(ana.user).get(f"{BASE}/my/nominations").json()["items"]
    assert [n["id"] for n in mine] == [nomination["id"]]
    answer = f"{BASE}/nominations/{nomination['id']}/answer"
    assert_problem(api_client(beto.user).post(answer, {"consent": True}), 404)
    assert_problem(employer.post(answer, {"consent": True}), 403)
    assert_problem(api_client(ana.user).post(answer, {}), 422, "consent")
    answered = api_client(ana.user).post(answer, {"consent": True})
    assert answered.status_code == 200 and answered.json()["status"] == "consented"

    # Named with consent: first tier at the apple harvest.
    rank(api_client, ana, sel_round, [refs["apple"]])
    run = api_client(sel_admin).post(f"{BASE}/rounds/{sel_round.pk}/runs", {"publish": True}).json()
    outcome = api_client(ana.user).get(f"{BASE}/my/outcomes").json()["items"][0]
    assert outcome["run"] == run["id"] and outcome["explanation"][0]["mine"]["tier"] == 1
    # Published: nominations are frozen.
    assert_problem(employer.post(f"{BASE}/nominations/{nomination['id']}/withdraw"), 409)


def test_employer_withdraws_a_nomination(api_client, sel_round, refs, trio, sel_employer_user, sel_employer, sel_origin):
    beto = trio["beto"]
    services.season_record_add(actor=sel_origin, worker=beto, programme=sel_round.programme, year=THIS_YEAR - 2,
                               employer=sel_employer.pk)
    nomination = api_client(sel_employer_user).post(f"{BASE}/rounds/{sel_round.pk}/nominations",
                                                    {"job_order": refs["peach"], "worker": beto.public_id}).json()
    url = f"{BASE}/nominations/{nomination['id']}/withdraw"
    assert_problem(api_client(beto.user).post(url), 403)
    response = api_client(sel_employer_user).post(url)
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert_problem(api_client(beto.user).post(f"{BASE}/nominations/{nomination['id']}/answer", {"consent": True}),
                   409, "consent")
    assert_problem(api_client(sel_employer_user).post(f"{BASE}/nominations/999999/withdraw"), 404)


def test_season_records_and_skills_tests(api_client, trio, sel_programme, sel_origin, sel_jm_origin, sel_admin,
                                         sel_officer, sel_employer_user):
    ana = trio["ana"]
    seasons = f"{BASE}/workers/{ana.public_id}/seasons"
    good = {"programme": "CA-SAG", "year": THIS_YEAR - 1, "completed": True, "returned_as_agreed": False,
            "note": "Stayed 40 days past the permit."}
    # The destination ministry keeps season records, though it does not browse the pool.
    response = api_client(sel_officer).post(seasons, good)
    assert response.status_code == 201, response.content
    assert response.json()["returned_as_agreed"] is False and response.json()["employer"] is None
    assert_problem(api_client(sel_officer).post(seasons, good), 409, "year")
    assert_problem(api_client(sel_origin).post(seasons, {**good, "year": 1800}), 422, "year")
    assert_problem(api_client(sel_origin).post(seasons, {**good, "year": 10**12}), 422, "year")
    assert_problem(api_client(sel_origin).post(seasons, {**good, "year": THIS_YEAR - 2, "employer": 999999}), 422, "employer")
    assert_problem(api_client(sel_origin).post(seasons, {**good, "programme": "NOPE"}), 422, "programme")
    assert_problem(api_client(sel_origin).post(seasons, {**good, "note": "n" * 5000}), 422, "note")
    assert_problem(api_client(sel_jm_origin).post(seasons, {**good, "year": THIS_YEAR - 2}), 404, "public_id")
    assert_problem(api_client(sel_employer_user).post(seasons, {**good, "year": THIS_YEAR - 2}), 404, "public_id")
    assert_problem(api_client(sel_admin).post(f"{BASE}/workers/NOBODY/seasons", good), 404, "public_id")
    for user in (sel_origin, sel_officer, ana.user):
        assert [s["year"] for s in api_client(user).get(seasons).json()["items"]] == [THIS_YEAR - 1]

    tests = f"{BASE}/workers/{ana.public_id}/skills-tests"
    taken = (timezone.localdate()).isoformat()
    response = api_client(sel_origin).post(tests, {"isco_code": "9211", "test": "Orchard skills", "score": "87.5",
                                                   "taken_on": taken})
    assert response.status_code == 201, response.content
    assert response.json()["score"] == "87.50"
    assert_problem(api_client(sel_origin).post(tests, {"isco_code": "9211", "test": "T", "score": "101", "taken_on": taken}),
                   422, "score")
    assert_problem(api_client(sel_origin).post(tests, {"isco_code": "0000", "test": "T", "score": "50", "taken_on": taken}),
                   422, "isco_code")
    assert_problem(api_client(sel_origin).post(tests, {"isco_code": "9211", "test": "T", "score": "50",
                                                       "taken_on": "2999-01-01"}), 422, "taken_on")
    assert_problem(api_client(sel_origin).post(tests, {"isco_code": "9211", "test": "T", "score": "1e400",
                                                       "taken_on": taken}), 422, "score")
    # The origin authority records tests; not the ministry, not the worker.
    assert_problem(api_client(sel_officer).post(tests, {"isco_code": "9211", "test": "T", "score": "50",
                                                        "taken_on": taken}), 403)
    assert_problem(api_client(ana.user).post(tests, {"isco_code": "9211", "test": "T", "score": "99",
                                                     "taken_on": taken}), 403)
    assert [t["test"] for t in api_client(ana.user).get(tests).json()["items"]] == ["Orchard skills"]
    assert api_client(sel_officer).get(tests).json()["count"] == 0


# --- employer-shortlist programmes ---------------------------------------------------------------------------------


class TestShortlist:
    @pytest.fixture
    def sel_rules_override(self):
        return {"selection": {"mode": "employer_shortlist", "shortlist_per_position": 2, "max_preferences": 10}}

    def test_employer_picks_from_the_shortlist_with_reasons(self, api_client, sel_round, refs, trio, sel_admin,
                                                           sel_employer_user, make_user):
        for name in ("ana", "carla", "beto"):
            rank(api_client, trio[name], sel_round, [refs["peach"]])
        run = api_client(sel_admin).post(f"{BASE}/rounds/{sel_round.pk}/runs", {"publish": True}).json()
        assert run["mode"] == "employer_shortlist"
        employer = api_client(sel_employer_user)
        shortlist = employer.get(f"{BASE}/runs/{run['id']}/selected", job_order=refs["peach"]).json()["items"]
        assert {s["worker"] for s in shortlist} == {trio["ana"].public_id, trio["carla"].public_id}
        assert {s["pick"] for s in shortlist} == {"pending"}
        assert_problem(employer.get(f"{BASE}/runs/{run['id']}/selected", job_order="JO-NOPE0000"), 404, "job_order")
        url = f"{BASE}/runs/{run['id']}/job-orders/{refs['peach']}/shortlist"
        carla, ana = trio["carla"].public_id, trio["ana"].public_id
        assert_problem(employer.post(url, {"picks": [trio["beto"].public_id], "reasons": ["x"],
                                           "passed_over_reason": "y"}), 422, "picks.0")
        assert_problem(employer.post(url, {"picks": [carla], "reasons": ["x"]}), 422, "passed_over_reason")
        assert_problem(employer.post(url, {"picks": [carla], "reasons": []}), 422, "reasons")
        assert_problem(employer.post(url, {"picks": [carla, ana], "reasons": ["a", "b"]}), 422, "picks")
        assert_problem(api_client(make_user(Role.EMPLOYER)).post(url, {"picks": [carla], "reasons": ["x"]}), 403)
        assert_problem(employer.post(f"{BASE}/runs/{run['id']}/job-orders/JO-NOPE0000/shortlist",
                                     {"picks": [carla], "reasons": ["x"]}), 404, "job_order")
        response = employer.post(url, {"picks": [carla.lower()], "reasons": ["Knows pruning ladders."],
                                       "passed_over_reason": "One position only."})
        assert response.status_code == 200, response.content
        assert [(c["worker"], c["pick"]) for c in response.json()] == [(carla, "picked"), (ana, "passed_over")]
        assert_problem(employer.post(url, {"picks": [carla], "reasons": ["x"], "passed_over_reason": "y"}), 409, "picks")
        mine = api_client(trio["ana"].user).get(f"{BASE}/my/outcomes").json()["items"][0]
        assert mine["pick"] == "passed_over" and mine["pick_reason"] == "One position only."


def test_shortlist_in_a_matching_programme_is_a_conflict(api_client, published, refs, sel_employer_user):
    url = f"{BASE}/runs/{published.pk}/job-orders/{refs['peach']}/shortlist"
    assert_problem(api_client(sel_employer_user).post(url, {"picks": ["X"], "reasons": ["x"]}), 409, "picks")
