"""The contracts pages: the worker's placements and contract (with what an amendment changes), the employer's and the
authorities' list, one contract, amendments, the programme's template, and the public verification page."""

from __future__ import annotations

import re

import pytest

from corridor.contracts import services as ct
from corridor.contracts.models import Contract, ContractStatus, ContractTemplate, Placement, PlacementStatus
from corridor.core.access import Role
from corridor.selection import services as selection_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


def _amend(accepted, actor, **changes):
    draft = ct.contract_amend(actor=actor, contract=accepted, changes=changes, reason="Provincial minimum wage rose.")
    return draft


def _deliver(contract, employer, origin):
    contract = ct.contract_sign(actor=employer, contract=contract)
    return ct.contract_approve(actor=origin, contract=contract)


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- the worker's page -------------------------------------------------------------------------------------------


def test_worker_confirms_a_placement_on_their_page(make_ct_placements, ct_worker, web_client):
    placement = make_ct_placements([ct_worker], confirm=False)[0]
    client = web_client(ct_worker.user)
    page = client.get("/contracts/me/")
    assert page.status_code == 200
    assert placement.job_order.title in page.content.decode()
    assert f"/contracts/placements/{placement.pk}/confirm/" in page.content.decode()
    response = client.post(f"/contracts/placements/{placement.pk}/confirm/")
    assert response.status_code == 302 and response["Location"].startswith("/contracts/me/")
    placement.refresh_from_db()
    assert placement.worker_confirmed_at is not None and placement.status == PlacementStatus.PROPOSED
    again = client.post(f"/contracts/placements/{placement.pk}/confirm/")
    assert again.status_code == 409
    assert "already confirmed" in again.content.decode()


def test_worker_declines_only_with_a_reason(make_ct_placements, ct_worker, web_client):
    placement = make_ct_placements([ct_worker], confirm=False)[0]
    client = web_client(ct_worker.user)
    empty = client.post(f"/contracts/placements/{placement.pk}/decline/", {f"p{placement.pk}-reason": "  "})
    assert empty.status_code == 422
    assert "field-error" in empty.content.decode()
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.PROPOSED
    ok = client.post(f"/contracts/placements/{placement.pk}/decline/", {f"p{placement.pk}-reason": "My mother is ill."})
    assert ok.status_code == 302
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.DECLINED and placement.reason == "My mother is ill."


def test_worker_reads_the_contract_side_by_side_and_accepts_it(ct_contract, ct_worker, web_client):
    client = web_client(ct_worker.user)
    page = client.get("/contracts/me/")
    text = page.content.decode()
    assert page.status_code == 200
    assert ct_contract.verification_code in text and ct_contract.content_hash in text
    assert 'lang="es"' in text and 'lang="en"' in text  # the worker's language beside the destination's
    assert "Pay for normal hours" in text  # the destination's (English) title of the pay item
    assert f"/verify/?code={ct_contract.verification_code}" in text
    assert f"/contracts/{ct_contract.pk}/answer/" in text
    response = client.post(f"/contracts/{ct_contract.pk}/answer/",
                           {f"c{ct_contract.pk}-answer": "yes", f"c{ct_contract.pk}-note": "Gracias."})
    assert response.status_code == 302
    ct_contract.refresh_from_db()
    assert ct_contract.status == ContractStatus.ACCEPTED
    assert ct_contract.answered_via == "web" and ct_contract.answer_note == "Gracias."
    after = client.get("/contracts/me/")
    assert f"/contracts/{ct_contract.pk}/answer/" not in after.content.decode()


def test_worker_answer_with_bad_input_changes_nothing(ct_contract, ct_worker, web_client):
    client = web_client(ct_worker.user)
    response = client.post(f"/contracts/{ct_contract.pk}/answer/", {f"c{ct_contract.pk}-answer": "maybe"})
    assert response.status_code == 422
    ct_contract.refresh_from_db()
    assert ct_contract.status == ContractStatus.ISSUED
    long_note = client.post(f"/contracts/{ct_contract.pk}/answer/",
                            {f"c{ct_contract.pk}-answer": "no", f"c{ct_contract.pk}-note": "x" * 5000})
    assert long_note.status_code == 422
    ct_contract.refresh_from_db()
    assert ct_contract.status == ContractStatus.ISSUED


def test_worker_does_not_accept_and_cannot_answer_twice(ct_contract, ct_worker, web_client):
    client = web_client(ct_worker.user)
    assert client.post(f"/contracts/{ct_contract.pk}/answer/", {f"c{ct_contract.pk}-answer": "no"}).status_code == 302
    ct_contract.refresh_from_db()
    assert ct_contract.status == ContractStatus.REJECTED
    again = client.post(f"/contracts/{ct_contract.pk}/answer/", {f"c{ct_contract.pk}-answer": "yes"})
    assert again.status_code == 409
    ct_contract.refresh_from_db()
    assert ct_contract.status == ContractStatus.REJECTED


def test_worker_sees_what_an_amendment_changes_then_accepts_it(ct_accepted, ct_worker, sel_employer_user, sel_origin,
                                                               web_client):
    employer = web_client(sel_employer_user)
    old_wage = ct_accepted.content["pay"]["amount"]
    form = employer.get(f"/contracts/{ct_accepted.pk}/amend/")
    assert form.status_code == 200 and f'value="{old_wage}"' in form.content.decode()
    response = employer.post(f"/contracts/{ct_accepted.pk}/amend/", {
        "pay_amount": "21.75", "hours_per_week": ct_accepted.content["pay"]["hours_per_week"],
        "start": ct_accepted.content["duration"]["start"], "end": ct_accepted.content["duration"]["end"],
        "description": ct_accepted.content["work"]["description"], "allowances": ct_accepted.content["allowances"],
        "food": ct_accepted.content["food"], "overtime_rate_percent": ct_accepted.content["pay"]["overtime_rate_percent"],
        "notice_days": ct_accepted.content["duration"]["notice_days"], "reason": "Provincial minimum wage rose.",
    })
    assert response.status_code == 302
    amendment = Contract.objects.get(placement=ct_accepted.placement, version=2)
    assert response["Location"] == f"/contracts/{amendment.pk}/"
    assert [c["item"] for c in amendment.changes] == ["pay"]  # only what was changed is sent
    _deliver(amendment, sel_employer_user, sel_origin)
    worker = web_client(ct_worker.user)
    text = _text(worker.get("/contracts/me/"))
    assert "What changes" in text
    box = text.split("What changes", 1)[1].split("Verification code", 1)[0]
    assert old_wage in box and "21.75" in box
    assert "Provincial minimum wage rose." in box
    assert worker.post(f"/contracts/{amendment.pk}/answer/", {f"c{amendment.pk}-answer": "yes"}).status_code == 302
    ct_accepted.refresh_from_db()
    amendment.refresh_from_db()
    assert amendment.status == ContractStatus.ACCEPTED and ct_accepted.status == ContractStatus.SUPERSEDED
    # The detail page of the accepted amendment still shows what it changed.
    assert "What changes" in _text(worker.get(f"/contracts/{amendment.pk}/"))


def test_worker_does_not_see_a_draft_amendment(ct_accepted, ct_worker, sel_employer_user, web_client):
    draft = _amend(ct_accepted, sel_employer_user, **{"pay.amount": "22"})
    worker = web_client(ct_worker.user)
    assert worker.get(f"/contracts/{draft.pk}/").status_code == 404
    assert "What changes" not in worker.get("/contracts/me/").content.decode()
    assert worker.post(f"/contracts/{draft.pk}/answer/", {f"c{draft.pk}-answer": "yes"}).status_code == 404


# --- employer and authorities ------------------------------------------------------------------------------------


def test_employer_confirms_generates_and_signs_then_origin_approves(make_ct_placements, ct_worker, ct_template,
                                                                    sel_employer_user, sel_origin, web_client):
    placement = make_ct_placements([ct_worker], confirm=False)[0]
    ct.placement_confirm(actor=ct_worker.user, placement=placement)
    employer = web_client(sel_employer_user)
    index = employer.get("/contracts/")
    assert index.status_code == 200 and ct_worker.public_id in index.content.decode()
    assert employer.post(f"/contracts/placements/{placement.pk}/confirm/").status_code == 302
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.CONFIRMED
    generated = employer.post(f"/contracts/placements/{placement.pk}/contract/")
    assert generated.status_code == 302
    contract = Contract.objects.get(placement=placement)
    assert generated["Location"] == f"/contracts/{contract.pk}/"
    detail = employer.get(f"/contracts/{contract.pk}/")
    assert detail.status_code == 200 and f"/contracts/{contract.pk}/sign/" in detail.content.decode()
    twice = employer.post(f"/contracts/placements/{placement.pk}/contract/")
    assert twice.status_code == 409 and "already has a contract" in twice.content.decode()
    # Only the origin authority approves, and only what the employer signed.
    origin = web_client(sel_origin)
    assert origin.post(f"/contracts/{contract.pk}/approve/").status_code == 409
    assert employer.post(f"/contracts/{contract.pk}/sign/").status_code == 302
    assert employer.post(f"/contracts/{contract.pk}/approve/").status_code == 403
    assert f"/contracts/{contract.pk}/approve/" in origin.get(f"/contracts/{contract.pk}/").content.decode()
    assert origin.post(f"/contracts/{contract.pk}/approve/").status_code == 302
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ISSUED and contract.verification_code
    assert contract.verification_code in origin.get(f"/contracts/{contract.pk}/").content.decode()


def test_generating_without_a_template_is_refused_on_the_page(ct_placement, sel_employer_user, web_client):
    response = web_client(sel_employer_user).post(f"/contracts/placements/{ct_placement.pk}/contract/")
    assert response.status_code == 409
    assert "no contract template" in response.content.decode()
    assert not Contract.objects.filter(placement=ct_placement).exists()


def test_employer_declines_a_placement_with_a_reason(make_ct_placements, ct_worker, sel_employer_user, web_client):
    placement = make_ct_placements([ct_worker], confirm=False)[0]
    client = web_client(sel_employer_user)
    assert client.post(f"/contracts/placements/{placement.pk}/decline/", {}).status_code == 422
    response = client.post(f"/contracts/placements/{placement.pk}/decline/",
                           {f"p{placement.pk}-reason": "The orchard lost its crop to hail."})
    assert response.status_code == 302 and response["Location"].startswith("/contracts/#placement-")
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.DECLINED


def test_amendment_form_shows_service_errors_at_the_field(ct_accepted, sel_employer_user, web_client):
    client = web_client(sel_employer_user)
    url = f"/contracts/{ct_accepted.pk}/amend/"
    bad = client.post(url, {"pay_amount": "a lot", "reason": "More pay."})
    assert bad.status_code == 422
    assert re.search(r'id="id_pay_amount-error"', bad.content.decode())
    no_reason = client.post(url, {"pay_amount": "30"})
    assert no_reason.status_code == 422
    nothing = client.post(url, {"pay_amount": ct_accepted.content["pay"]["amount"], "reason": "Nothing really."})
    assert nothing.status_code == 422 and "Change at least one item" in nothing.content.decode()
    backwards = client.post(url, {"end": "2000-01-01", "reason": "Shorter season."})
    assert backwards.status_code == 422
    assert Contract.objects.filter(placement=ct_accepted.placement).count() == 1


def test_only_one_amendment_at_a_time(ct_accepted, sel_employer_user, web_client):
    _amend(ct_accepted, sel_employer_user, **{"pay.amount": "22"})
    client = web_client(sel_employer_user)
    assert client.get(f"/contracts/{ct_accepted.pk}/amend/").status_code == 409
    response = client.post(f"/contracts/{ct_accepted.pk}/amend/", {"pay_amount": "23", "reason": "Again."})
    assert response.status_code == 409
    assert Contract.objects.filter(placement=ct_accepted.placement).count() == 2


def test_amendment_refused_to_others(ct_accepted, ct_worker, sel_origin, make_user, web_client):
    url = f"/contracts/{ct_accepted.pk}/amend/"
    assert web_client(ct_worker.user).get(url).status_code == 403
    origin = web_client(sel_origin)
    assert origin.get(url).status_code == 403
    assert origin.post(url, {"pay_amount": "30", "reason": "x"}).status_code == 403
    other = make_user(Role.EMPLOYER, country="CA")
    assert web_client(other).get(url).status_code == 404


def test_origin_authority_revokes_with_a_reason_and_the_code_then_verifies_as_revoked(ct_accepted, sel_origin,
                                                                                      sel_employer_user, web_client):
    origin = web_client(sel_origin)
    assert origin.post(f"/contracts/{ct_accepted.pk}/revoke/", {"reason": ""}).status_code == 422
    assert web_client(sel_employer_user).post(f"/contracts/{ct_accepted.pk}/revoke/", {"reason": "x"}).status_code == 403
    response = origin.post(f"/contracts/{ct_accepted.pk}/revoke/", {"reason": "The job order was cancelled."})
    assert response.status_code == 302
    ct_accepted.refresh_from_db()
    assert ct_accepted.status == ContractStatus.REVOKED
    page = _text(web_client().get("/verify/", {"code": ct_accepted.verification_code}))
    assert "Genuine, but no longer current" in page and "Revoked" in page
    again = origin.post(f"/contracts/{ct_accepted.pk}/revoke/", {"reason": "Twice."})
    assert again.status_code == 409


def test_each_page_for_the_right_roles_and_refused_to_others(ct_contract, ct_worker, sel_employer_user, sel_origin,
                                                             sel_jm_origin, sel_admin, sel_officer, make_user, web_client):
    detail = f"/contracts/{ct_contract.pk}/"
    clients = {}
    for user in (sel_employer_user, sel_origin, sel_admin, sel_officer):
        client = clients[user.pk] = web_client(user)
        assert client.get("/contracts/").status_code == 200
        assert client.get(detail).status_code == 200
        assert ct_worker.public_id in client.get("/contracts/").content.decode()
    worker = web_client(ct_worker.user)
    assert worker.get(detail).status_code == 200
    # Others: the wrong role is refused, a stranger to this placement does not learn it exists.
    assert worker.get("/contracts/").status_code == 403
    assert clients[sel_employer_user.pk].get("/contracts/me/").status_code == 403
    answer = clients[sel_origin.pk].post(f"/contracts/{ct_contract.pk}/answer/", {f"c{ct_contract.pk}-answer": "yes"})
    assert answer.status_code == 403
    jm = web_client(sel_jm_origin)
    assert ct_worker.public_id not in jm.get("/contracts/").content.decode()
    assert jm.get(detail).status_code == 404
    assert web_client(make_user(Role.EMPLOYER, country="CA")).get(detail).status_code == 404
    assert web_client(make_user(Role.IMMIGRATION_OFFICER, country="CA")).get(detail).status_code == 403
    assert web_client(make_user(Role.UNION, country="CA")).get("/contracts/").status_code == 403
    anonymous = web_client()
    for url in ("/contracts/", "/contracts/me/", detail):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert clients[sel_employer_user.pk].get("/contracts/999999/").status_code == 404


def test_contract_page_offers_the_pdf(ct_contract, ct_worker, web_client):
    page = web_client(ct_worker.user).get(f"/contracts/{ct_contract.pk}/")
    try:
        from corridor.contracts import pdf  # noqa: F401
    except ImportError:
        pytest.skip("the PDF module is not there yet")
    assert f"/contracts/{ct_contract.pk}/pdf/" in page.content.decode()
    response = web_client(ct_worker.user).get(f"/contracts/{ct_contract.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert web_client().get(f"/contracts/{ct_contract.pk}/pdf/").status_code == 302


def test_officials_make_placements_from_a_published_run(sel_round, sel_orders, make_ready_worker, sel_admin,
                                                        sel_employer_user, web_client):
    worker = make_ready_worker("Ana", "Ruiz")
    selection_services.preferences_set(actor=worker.user, rnd=sel_round, worker=worker, job_orders=[sel_orders[0].reference])
    run = selection_services.run_round(actor=sel_admin, rnd=sel_round, publish=True)
    admin = web_client(sel_admin)
    run_page = admin.get(f"/selection/runs/{run.pk}/")
    assert f"/contracts/runs/{run.pk}/placements/" in run_page.content.decode()
    assert web_client(sel_employer_user).post(f"/contracts/runs/{run.pk}/placements/").status_code == 403
    response = admin.post(f"/contracts/runs/{run.pk}/placements/")
    assert response.status_code == 302 and "/contracts/?programme=" in response["Location"]
    assert Placement.objects.filter(worker=worker, job_order=sel_orders[0], status=PlacementStatus.PROPOSED).exists()
    dry = selection_services.run_round(actor=sel_admin, rnd=sel_round, publish=False)
    refused = admin.post(f"/contracts/runs/{dry.pk}/placements/")
    assert refused.status_code == 409 and "published" in refused.content.decode()


# --- the programme's template ------------------------------------------------------------------------------------


def test_programme_administrator_sets_the_template(sel_programme, sel_admin, ct_template_data, web_client):
    client = web_client(sel_admin)
    url = f"/contracts/templates/{sel_programme.code}/"
    assert client.get(url).status_code == 200
    missing = client.post(url, {**ct_template_data, "food": ""})
    assert missing.status_code == 422 and 'id="id_food-error"' in missing.content.decode()
    bad = client.post(url, {**ct_template_data, "night_rate_percent": "50"})  # refused by the service
    assert bad.status_code == 422 and 'id="id_night_rate_percent-error"' in bad.content.decode()
    assert not ContractTemplate.objects.filter(programme=sel_programme).exists()
    ok = client.post(url, ct_template_data)
    assert ok.status_code == 302
    assert ContractTemplate.objects.get(programme=sel_programme).notice_days == 7


def test_template_is_read_only_for_others(ct_template, sel_programme, sel_officer, sel_employer_user, ct_template_data,
                                          make_user, web_client):
    url = f"/contracts/templates/{sel_programme.code}/"
    for user in (sel_officer, sel_employer_user):
        client = web_client(user)
        page = client.get(url)
        assert page.status_code == 200
        assert ct_template.pay_period in page.content.decode() and "<textarea" not in page.content.decode()
        assert client.post(url, {**ct_template_data, "notice_days": "1"}).status_code == 403
    ct_template.refresh_from_db()
    assert ct_template.notice_days == 7
    assert web_client(make_user(Role.MINISTRY_OFFICER, country="CA")).get("/contracts/templates/NO-SUCH/").status_code == 404
    assert web_client().get(url).status_code == 302


# --- public verification -----------------------------------------------------------------------------------------


def test_verify_a_real_code_without_signing_in(ct_accepted, web_client):
    client = web_client()
    response = client.get("/verify/", {"code": ct_accepted.verification_code.lower().replace("-", " ")})
    assert response.status_code == 200
    text = _text(response)
    assert "Genuine and current." in text
    assert ct_accepted.content_hash in text and ct_accepted.placement.job_order.employer.organisation.name in text
    # Non-personal facts only.
    worker = ct_accepted.placement.worker
    assert worker.family_names not in text and worker.public_id not in text
    assert client.get("/verify/").status_code == 200


def test_verify_a_superseded_code(ct_accepted, ct_worker, sel_employer_user, sel_origin, web_client):
    amendment = _deliver(_amend(ct_accepted, sel_employer_user, **{"pay.amount": "22"}), sel_employer_user, sel_origin)
    ct.contract_answer(actor=ct_worker.user, contract=amendment, accept=True)
    old = _text(web_client().get("/verify/", {"code": ct_accepted.verification_code}))
    assert "Genuine, but no longer current" in old and "Replaced by an amendment" in old
    new = _text(web_client().get(f"/verify/?code={amendment.verification_code}"))
    assert "Genuine and current." in new


@pytest.mark.parametrize("code", ["CT-0000-0000", "JO-NOPE", "anything", "CT-", "<script>alert(1)</script>",
                                  "' OR 1=1 --", "ＣＴ－１２３４"])
def test_verify_unknown_or_odd_codes_get_the_same_answer(code, web_client):
    response = web_client().get("/verify/", {"code": code})
    assert response.status_code == 200
    assert "No current document has this code." in response.content.decode()
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_verify_bad_input_without_a_500(web_client):
    client = web_client()
    assert client.get("/verify/", {"code": ""}).status_code == 422
    assert client.get("/verify/", {"code": "x" * 500}).status_code == 422
    assert client.get("/verify/", {"code": "CT-\u0000"}).status_code in (400, 422)
    assert client.get("/verify/?code=%FF%FE").status_code == 200
    assert client.post("/verify/", {"code": "CT-0000-0000"}).status_code == 405


def test_verify_is_rate_limited_per_address(web_client, monkeypatch):
    from corridor.contracts import views

    assert views.VERIFY_RATE == "30/m"
    monkeypatch.setattr(views, "VERIFY_RATE", "5/h")  # an hour's window does not roll over during the test
    client = web_client()
    for _ in range(5):
        assert client.get("/verify/", {"code": "CT-0000-0000"}).status_code == 200
    limited = client.get("/verify/", {"code": "CT-0000-0000"})
    assert limited.status_code == 429
    assert "Too many checks" in limited.content.decode()
    assert "No current document" not in limited.content.decode()
