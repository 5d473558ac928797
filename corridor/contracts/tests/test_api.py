"""Placements and contracts through /api/v1/contracts, and the public /api/v1/verify: the whole way from the
programme's template and a published run to a contract the worker reads in Spanish beside English, accepts, sees
amended and accepts again, with both codes verified; who may do and see what; bad input answered with problem
documents naming the field (never a 500); the verification's fixed answer for unknown codes and its rate limit."""

import json

import pytest

from corridor.conftest import ApiClient
from corridor.contracts import clauses, wording
from corridor.contracts.models import Contract, ContractStatus, Placement, PlacementStatus
from corridor.core.access import Role
from corridor.selection import services as selection_services

pytestmark = pytest.mark.django_db

BASE = "contracts"
UNKNOWN = "No current document has this code."


def assert_problem(response, status, field=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    if field:
        assert field in {e["field"] for e in body["errors"]}, body
    return body


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    from django.core.cache import cache

    cache.clear()


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


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


# --- the whole flow ------------------------------------------------------------------------------------------------


def test_template_placements_contract_amendment_and_verification(
    api_client, sel_admin, sel_round, sel_orders, sel_employer_user, sel_origin, make_ready_worker, ct_template_data
):
    admin, employer, origin = api_client(sel_admin), api_client(sel_employer_user), api_client(sel_origin)
    jose = make_ready_worker("José Luis", "Hernández")
    worker = api_client(jose.user)
    apple, peach = sel_orders

    # The programme administrator sets the template; every signed-in user reads it.
    template = ok(put(admin, f"{BASE}/templates/ca-sag", ct_template_data))
    assert template["programme"] == "CA-SAG" and template["night_rate_percent"] == "100.0"
    assert template["notice_days"] == 7
    assert ok(worker.get(f"{BASE}/templates/CA-SAG"))["complaints"] == ct_template_data["complaints"]

    # The worker ranks, the round is published, and the published run makes placements.
    selection_services.preferences_set(actor=jose.user, rnd=sel_round, worker=jose,
                                       job_orders=[apple.reference, peach.reference])
    run = selection_services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
    made = ok(admin.post(f"{BASE}/runs/{run.pk}/placements"), 201)
    assert [p["worker"]["public_id"] for p in made] == [jose.public_id]
    placement = made[0]
    assert placement["status"] == "proposed" and placement["job_order"]["reference"] == apple.reference
    assert placement["programme"] == "CA-SAG" and placement["outcome"] is not None
    # Making placements again adds none.
    assert ok(admin.post(f"{BASE}/runs/{run.pk}/placements"), 201) == []
    pid = placement["id"]

    # The worker and the employer confirm.
    mine = ok(worker.get(f"{BASE}/placements"))
    assert mine["count"] == 1 and mine["items"][0]["id"] == pid
    assert ok(worker.post(f"{BASE}/placements/{pid}/confirm"))["status"] == "proposed"
    confirmed = ok(employer.post(f"{BASE}/placements/{pid}/confirm"))
    assert confirmed["status"] == "confirmed" and confirmed["worker_confirmed_at"] and confirmed["employer_confirmed_at"]
    assert ok(admin.get(f"{BASE}/placements", status="confirmed", programme="ca-sag"))["count"] == 1
    assert ok(admin.get(f"{BASE}/placements", status="proposed"))["count"] == 0

    # The employer generates the contract: a draft the worker does not see yet.
    draft = ok(employer.post(f"{BASE}/placements/{pid}/contract"), 201)
    cid = draft["id"]
    assert draft["version"] == 1 and draft["status"] == "draft" and draft["verification_code"] is None
    assert [i["key"] for i in draft["items"]] == list(clauses.ITEM_KEYS)
    assert draft["amends"] is None and draft["what_changes"] == []
    assert_problem(worker.get(f"{BASE}/{cid}"), 404, "contract")
    assert ok(worker.get(f"{BASE}/placements/{pid}/contracts")) == []

    # Signed by the employer, approved by the origin authority: locked and delivered.
    assert ok(employer.post(f"{BASE}/{cid}/sign"))["status"] == "signed"
    issued = ok(origin.post(f"{BASE}/{cid}/approve"))
    assert issued["status"] == "issued" and issued["locked_at"]
    assert issued["verification_code"].startswith("CT-") and len(issued["content_hash"]) == 64
    assert issued["content_hash"] == clauses.content_hash(issued["content"])

    # The worker reads it in Spanish beside English.
    seen = ok(worker.get(f"{BASE}/{cid}"))
    assert seen["worker_language"] == "es" and seen["destination_language"] == "en"
    spanish = wording.render(seen["content"], "es")
    english = wording.render(seen["content"], "en")
    assert [i["text"] for i in seen["items"]] == [i["text"] for i in spanish]
    assert [i["title"] for i in seen["items"]] == [i["title"] for i in spanish]
    assert [i["text_destination"] for i in seen["items"]] == [i["text"] for i in english]
    assert [i["title_destination"] for i in seen["items"]] == [i["title"] for i in english]
    pay = next(i for i in seen["items"] if i["key"] == "pay")
    assert "18.00 CAD" in pay["text"] and "18.00 CAD" in pay["text_destination"]
    assert [c["id"] for c in ok(worker.get(f"{BASE}/placements/{pid}/contracts"))] == [cid]

    accepted = ok(worker.post(f"{BASE}/{cid}/answer", {"accept": True, "note": "Leído y aceptado."}))
    assert accepted["status"] == "accepted" and accepted["answered_via"] == "api" and accepted["answered_at"]
    assert accepted["answer_note"] == "Leído y aceptado."

    # The employer amends the wage: a new version, which the worker sees only once approved.
    amendment = ok(employer.post(f"{BASE}/{cid}/amend", {"changes": {"pay.amount": "19.50"},
                                                        "reason": "Wage raised for the season."}), 201)
    aid = amendment["id"]
    assert amendment["version"] == 2 and amendment["status"] == "draft" and amendment["amends"] == 1
    assert amendment["changes"] == [{"item": "pay", "fields": [{"path": "pay.amount", "before": "18.00", "after": "19.50"}]}]
    assert_problem(worker.get(f"{BASE}/{aid}"), 404, "contract")
    ok(employer.post(f"{BASE}/{aid}/sign"))
    new = ok(origin.post(f"{BASE}/{aid}/approve"))
    assert new["verification_code"] != issued["verification_code"]

    # The worker sees what changes, in Spanish beside English, against the version in force.
    shown = ok(worker.get(f"{BASE}/{aid}"))
    assert shown["amends"] == 1 and shown["reason"] == "Wage raised for the season."
    assert [c["key"] for c in shown["what_changes"]] == ["pay"]
    change = shown["what_changes"][0]
    assert "18.00" in change["before"] and "19.50" in change["after"]
    assert "18.00" in change["before_destination"] and "19.50" in change["after_destination"]
    expected = wording.what_changes(shown["changes"], seen["content"], shown["content"], "es")[0]
    assert (change["title"], change["before"], change["after"]) == (expected["title"], expected["before"], expected["after"])
    versions = ok(worker.get(f"{BASE}/placements/{pid}/contracts"))
    assert [(c["version"], c["status"]) for c in versions] == [(2, "issued"), (1, "accepted")]

    final = ok(worker.post(f"{BASE}/{aid}/answer", {"accept": True, "via": "sms"}))
    assert final["status"] == "accepted" and final["supersedes"] == cid and final["answered_via"] == "sms"
    assert ok(worker.get(f"{BASE}/{cid}"))["status"] == "superseded"
    # After acceptance, what changed is still shown against the version it replaced.
    assert [c["key"] for c in ok(worker.get(f"{BASE}/{aid}"))["what_changes"]] == ["pay"]

    # The public verification: the old code is genuine but no longer current; the new one is current.
    public = api_client()
    old = ok(public.get(f"verify/{issued['verification_code']}"))
    assert old["kind"] == "contract" and old["genuine"] is True and old["current"] is False
    assert old["status"] == "superseded" and old["version"] == 1
    current = ok(public.get(f"verify/{new['verification_code'].lower()}"))
    assert current["current"] is True and current["version"] == 2 and current["content_hash"] == new["content_hash"]
    assert current["employer"] == apple.employer.organisation.name and "19.50 CAD" in current["wage"]
    assert current["programme"] == "CA-SAG"
    # Non-personal facts only.
    text = json.dumps(current)
    assert "José" not in text and jose.public_id not in text and "Hernández" not in text


def test_decline_a_placement_with_a_reason(api_client, make_ct_placements, make_ready_worker, sel_employer_user):
    worker = make_ready_worker("Luis", "Ramos")
    placement = make_ct_placements([worker], confirm=False)[0]
    client = api_client(worker.user)
    assert_problem(client.post(f"{BASE}/placements/{placement.pk}/decline", {"reason": " "}), 422, "reason")
    declined = ok(client.post(f"{BASE}/placements/{placement.pk}/decline", {"reason": "Family reasons."}))
    assert declined["status"] == "declined" and declined["reason"] == "Family reasons."
    assert_problem(client.post(f"{BASE}/placements/{placement.pk}/confirm"), 409, "status")
    assert_problem(api_client(sel_employer_user).post(f"{BASE}/placements/{placement.pk}/contract"), 409, "status")
    assert Placement.objects.get(pk=placement.pk).status == PlacementStatus.DECLINED


def test_revoked_contract_verifies_as_not_current(api_client, ct_contract, sel_origin, sel_admin):
    code = ct_contract.verification_code
    assert_problem(api_client(sel_origin).post(f"{BASE}/{ct_contract.pk}/revoke", {"reason": ""}), 422, "reason")
    revoked = ok(api_client(sel_admin).post(f"{BASE}/{ct_contract.pk}/revoke", {"reason": "The job order was cancelled."}))
    assert revoked["status"] == "revoked" and revoked["revoked_reason"] == "The job order was cancelled."
    facts = ok(api_client().get(f"verify/{code}"))
    assert facts["current"] is False and facts["status"] == "revoked"
    assert_problem(api_client(sel_admin).post(f"{BASE}/{ct_contract.pk}/revoke", {"reason": "Again."}), 409, "status")


# --- roles ---------------------------------------------------------------------------------------------------------


def test_immigration_officers_get_no_contracts_and_no_placements(api_client, make_user, ct_contract):
    officer = api_client(make_user(Role.IMMIGRATION_OFFICER))
    # Contracts hold pay terms: the firewall refuses them before anything is read.
    assert_problem(officer.get(f"{BASE}/{ct_contract.pk}"), 403)
    assert_problem(officer.get(f"{BASE}/placements/{ct_contract.placement_id}/contracts"), 403)
    assert_problem(officer.post(f"{BASE}/{ct_contract.pk}/approve"), 403)
    # Placements: none visible.
    assert ok(officer.get(f"{BASE}/placements"))["count"] == 0
    assert_problem(officer.get(f"{BASE}/placements/{ct_contract.placement_id}"), 404, "placement")
    # The template (programme terms) is readable like any programme data.
    assert ok(officer.get(f"{BASE}/templates/CA-SAG"))["programme"] == "CA-SAG"


def test_a_worker_sees_only_their_own_placements_and_contracts(api_client, ct_contract, make_ready_worker):
    other = api_client(make_ready_worker("Tamara", "Brown", sex="female", nationality="JM", region="Clarendon").user)
    assert_problem(other.get(f"{BASE}/{ct_contract.pk}"), 404, "contract")
    assert_problem(other.get(f"{BASE}/placements/{ct_contract.placement_id}"), 404, "placement")
    assert_problem(other.get(f"{BASE}/placements/{ct_contract.placement_id}/contracts"), 404, "placement")
    assert_problem(other.post(f"{BASE}/{ct_contract.pk}/answer", {"accept": True}), 404, "contract")
    assert ok(other.get(f"{BASE}/placements"))["count"] == 0
    assert Contract.objects.get(pk=ct_contract.pk).status == ContractStatus.ISSUED


def test_who_may_act_on_a_contract(api_client, make_ct_contract, ct_placement, ct_worker, sel_employer_user,
                                   sel_origin, sel_jm_origin, sel_officer, sel_admin):
    employer, worker, origin = api_client(sel_employer_user), api_client(ct_worker.user), api_client(sel_origin)
    # Only the employer or the destination ministry generates; the worker may not.
    assert_problem(worker.post(f"{BASE}/placements/{ct_placement.pk}/contract"), 403)
    assert_problem(origin.post(f"{BASE}/placements/{ct_placement.pk}/contract"), 403)
    contract = make_ct_contract(ct_placement, upto="draft")
    # Only the employer signs; the ministry officer sees it but may not sign.
    assert_problem(api_client(sel_officer).post(f"{BASE}/{contract.pk}/sign"), 403)
    assert_problem(origin.post(f"{BASE}/{contract.pk}/sign"), 403)
    ok(employer.post(f"{BASE}/{contract.pk}/sign"))
    # Only the origin authority of the worker's country approves: not the employer, not the ministry.
    assert_problem(employer.post(f"{BASE}/{contract.pk}/approve"), 403)
    assert_problem(api_client(sel_admin).post(f"{BASE}/{contract.pk}/approve"), 403)
    assert_problem(api_client(sel_jm_origin).post(f"{BASE}/{contract.pk}/approve"), 404, "contract")
    assert Contract.objects.get(pk=contract.pk).status == ContractStatus.SIGNED
    ok(origin.post(f"{BASE}/{contract.pk}/approve"))
    # Only the worker answers.
    assert_problem(employer.post(f"{BASE}/{contract.pk}/answer", {"accept": True}), 403)
    assert_problem(origin.post(f"{BASE}/{contract.pk}/answer", {"accept": True}), 403)
    # The worker does not amend or revoke.
    assert_problem(worker.post(f"{BASE}/{contract.pk}/amend", {"changes": {"pay.amount": "30"}, "reason": "More."}), 403)
    assert_problem(worker.post(f"{BASE}/{contract.pk}/revoke", {"reason": "No."}), 403)
    assert Contract.objects.filter(placement=ct_placement).count() == 1


def test_who_may_set_templates_and_make_placements(api_client, sel_officer, sel_employer_user, sel_programme, sel_round,
                                                    ct_template_data, make_ready_worker, sel_orders, sel_admin):
    assert_problem(put(api_client(sel_officer), f"{BASE}/templates/CA-SAG", ct_template_data), 403)
    assert_problem(put(api_client(sel_employer_user), f"{BASE}/templates/CA-SAG", ct_template_data), 403)
    worker = make_ready_worker("Rosa", "Díaz", sex="female")
    assert_problem(put(api_client(worker.user), f"{BASE}/templates/CA-SAG", ct_template_data), 403)
    selection_services.preferences_set(actor=worker.user, rnd=sel_round, worker=worker, job_orders=[sel_orders[0].reference])
    run = selection_services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
    assert_problem(api_client(sel_employer_user).post(f"{BASE}/runs/{run.pk}/placements"), 403)
    assert_problem(api_client(worker.user).post(f"{BASE}/runs/{run.pk}/placements"), 403)
    assert not Placement.objects.exists()


def test_placements_only_from_a_published_run(api_client, sel_admin, sel_round, sel_orders, make_ready_worker):
    worker = make_ready_worker("Rosa", "Díaz", sex="female")
    selection_services.preferences_set(actor=worker.user, rnd=sel_round, worker=worker, job_orders=[sel_orders[0].reference])
    dry = selection_services.run_round(actor=sel_admin, rnd=sel_round, publish=False)
    assert_problem(api_client(sel_admin).post(f"{BASE}/runs/{dry.pk}/placements"), 409, "run")
    assert_problem(api_client(sel_admin).post(f"{BASE}/runs/999999/placements"), 404, "run")


def test_tokens_need_the_contracts_scopes(api_client, sel_admin, ct_template, ct_template_data):
    from corridor.accounts import services as account_services

    sel_admin.is_org_admin = True
    sel_admin.save()
    _, reader = account_services.api_token_create(actor=sel_admin, organisation=sel_admin.organisation, name="reader",
                                                  scopes=["contracts:read"])
    client = api_client(token=reader)
    assert ok(client.get(f"{BASE}/templates/CA-SAG"))["programme"] == "CA-SAG"
    assert_problem(put(client, f"{BASE}/templates/CA-SAG", ct_template_data), 403)
    _, other = account_services.api_token_create(actor=sel_admin, organisation=sel_admin.organisation, name="other",
                                                 scopes=["selection:read"])
    assert_problem(api_client(token=other).get(f"{BASE}/placements"), 403)
    _, writer = account_services.api_token_create(actor=sel_admin, organisation=sel_admin.organisation, name="writer",
                                                  scopes=["contracts:read", "contracts:write"])
    changed = ok(put(api_client(token=writer), f"{BASE}/templates/CA-SAG", {**ct_template_data, "notice_days": 14}))
    assert changed["notice_days"] == 14


# --- bad input -----------------------------------------------------------------------------------------------------


def test_template_bad_input(api_client, sel_admin, sel_programme, ct_template_data):
    admin = api_client(sel_admin)
    assert_problem(admin.get(f"{BASE}/templates/CA-SAG"), 404, "template")
    body = assert_problem(put(admin, f"{BASE}/templates/CA-SAG", {}), 422)
    fields = {e["field"] for e in body["errors"]}
    assert {"holiday_pay", "complaints", "night_rate_percent", "notice_days", "destination_language"} <= fields
    for field, value in [("night_rate_percent", "99"), ("night_rate_percent", "lots"), ("notice_days", "-1"),
                         ("notice_days", "a week"), ("destination_language", "english!"), ("termination", "  ")]:
        assert_problem(put(admin, f"{BASE}/templates/CA-SAG", {**ct_template_data, field: value}), 422, field)
    assert_problem(put(admin, f"{BASE}/templates/CA-SAG", {**ct_template_data, "pay_period": "x" * 101}), 422, "pay_period")
    assert put(admin, f"{BASE}/templates/CA-SAG", raw="{not json").status_code in (400, 422)
    assert_problem(put(admin, f"{BASE}/templates/NO-SUCH", ct_template_data), 404)
    assert_problem(admin.get(f"{BASE}/templates/NO-SUCH"), 404)
    assert_problem(admin.get(f"{BASE}/templates/CA-SAG"), 404, "template")


def test_contract_bad_input(api_client, ct_accepted, ct_worker, sel_employer_user, sel_origin):
    employer, worker = api_client(sel_employer_user), api_client(ct_worker.user)
    url = f"{BASE}/{ct_accepted.pk}"
    assert_problem(employer.post(f"{url}/amend", {"changes": {"pay.amount": "20"}, "reason": ""}), 422, "reason")
    assert_problem(employer.post(f"{url}/amend", {"changes": {}, "reason": "Raise."}), 422, "changes")
    assert_problem(employer.post(f"{url}/amend", {"changes": {"worker.name": "Someone"}, "reason": "Swap."}), 422,
                   "changes.worker.name")
    assert_problem(employer.post(f"{url}/amend", {"changes": {"pay.amount": "a lot"}, "reason": "Raise."}), 422,
                   "changes.pay.amount")
    assert_problem(employer.post(f"{url}/amend", {"changes": {"duration.end": "2001-01-01"}, "reason": "Shorter."}), 422,
                   "changes.duration.end")
    assert_problem(employer.post(f"{url}/amend", {"changes": {"duration.start": "soon"}, "reason": "Later."}), 422)
    assert_problem(employer.post(f"{url}/amend", {"changes": {"pay.amount": ct_accepted.content["pay"]["amount"]},
                                                  "reason": "Same."}), 422, "changes")
    assert_problem(employer.post(f"{url}/amend", {"changes": ["pay.amount"], "reason": "Raise."}), 422, "changes")
    assert_problem(employer.post(f"{url}/amend", {"reason": "Raise."}), 422, "changes")
    assert employer.post(f"{url}/amend", raw="[1, 2").status_code in (400, 422)
    assert Contract.objects.filter(placement=ct_accepted.placement).count() == 1

    assert_problem(worker.post(f"{url}/answer", {}), 422, "accept")
    assert_problem(worker.post(f"{url}/answer", {"accept": True}), 409, "status")
    assert_problem(employer.post(f"{url}/sign"), 409, "status")
    assert_problem(api_client(sel_origin).post(f"{url}/approve"), 409, "status")
    assert_problem(employer.post(f"{BASE}/placements/{ct_accepted.placement_id}/contract"), 409, "placement")

    # A second amendment while one is under way is refused.
    ok(employer.post(f"{url}/amend", {"changes": {"pay.amount": "20"}, "reason": "Raise."}), 201)
    assert_problem(employer.post(f"{url}/amend", {"changes": {"pay.amount": "21"}, "reason": "Raise more."}), 409, "status")

    for path in (f"{BASE}/0", f"{BASE}/99999999", f"{BASE}/{2**40}", f"{BASE}/placements/{2**40}"):
        assert_problem(employer.get(path), 404)
    assert_problem(employer.get(f"{BASE}/placements", status="lost"), 422, "status")
    assert_problem(employer.get(f"{BASE}/placements", page=0), 422, "page")


def test_answer_channel_and_note_are_checked(api_client, ct_contract, ct_worker):
    worker = api_client(ct_worker.user)
    assert_problem(worker.post(f"{BASE}/{ct_contract.pk}/answer", {"accept": True, "via": "fax"}), 422, "via")
    assert_problem(worker.post(f"{BASE}/{ct_contract.pk}/answer", {"accept": True, "note": "x" * 4001}), 422, "note")
    rejected = ok(worker.post(f"{BASE}/{ct_contract.pk}/answer", {"accept": False, "note": "El salario no es el acordado."}))
    assert rejected["status"] == "rejected"


def test_generate_without_a_template_is_a_conflict(api_client, ct_placement, sel_employer_user):
    assert_problem(api_client(sel_employer_user).post(f"{BASE}/placements/{ct_placement.pk}/contract"), 409, "template")
    assert not Contract.objects.exists()


# --- public verification -------------------------------------------------------------------------------------------


def test_unknown_codes_get_one_fixed_answer(api_client, ct_contract, sel_orders):
    from corridor.joborders.models import JobOrder
    from corridor.joborders.models import Status as JobStatus

    # A job order that never left the employer's drafts is not a document anybody can verify (set for the test).
    draft_order = sel_orders[1]
    JobOrder.objects.filter(pk=draft_order.pk).update(status=JobStatus.DRAFT)
    public = api_client()
    code = ct_contract.verification_code
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    for unknown in (wrong, "CT-0000-0000", "CT-", "nothing", draft_order.reference, "x" * 300, "%20", "' OR 1=1 --"):
        body = assert_problem(public.get(f"verify/{unknown}"), 404, "code")
        assert body["detail"] == UNKNOWN and body["errors"] == [{"field": "code", "message": UNKNOWN}]
    # A genuine code, typed loosely, is found.
    assert ok(public.get(f"verify/{code.lower().replace('-', ' ')}"))["code"] == code
    order = ok(public.get(f"verify/{sel_orders[0].reference}"))
    assert order["kind"] == "job_order" and order["current"] is True


def test_verify_is_public_and_rate_limited(api_client, ct_contract, make_user):
    public = api_client()
    for _ in range(30):
        assert public.get("verify/CT-0000-0000").status_code == 404
    body = assert_problem(public.get(f"verify/{ct_contract.verification_code}"), 429)
    assert body["title"] == "Too many requests"
    # Another address is counted apart.
    other = public.client.get(f"/api/v1/verify/{ct_contract.verification_code}", REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 200 and other.json()["current"] is True
    # Signed-in users, the immigration authority included, may check a code too.
    officer = ApiClient(make_user(Role.IMMIGRATION_OFFICER))
    officer_answer = officer.client.get(f"/api/v1/verify/{ct_contract.verification_code}", REMOTE_ADDR="203.0.113.10")
    assert officer_answer.status_code == 200
    # Writes are not public.
    assert public.client.post("/api/v1/verify/x", REMOTE_ADDR="203.0.113.11").status_code in (401, 405)

