"""The change-of-employer pages: the worker's (grace clock, openings, apply, withdraw, complete), the employer's
(open, accept, decline, close) and the authorities' list; refusals beside the field; the right roles only."""

import datetime

import pytest
from django.utils import timezone

from corridor.contracts import services as ct
from corridor.deployment import services as dp
from corridor.deployment.models import Journey
from corridor.mobility.models import ApplicationStatus, TransferApplication, TransferOpening

pytestmark = pytest.mark.django_db


def _later(days):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def test_the_worker_applies_and_completes_on_the_page(web_client, mb_opening, mb_worker, mb_journey, mb_employer_user,
                                                      sel_origin):
    client = web_client(mb_worker.user)
    assert client.get("/mobility/").url == "/mobility/me/"
    page = client.get("/mobility/me/")
    assert page.status_code == 200
    assert "Grape harvest" in page.content.decode()
    bad = client.post(f"/mobility/openings/{mb_opening.pk}/apply/", {f"a{mb_opening.pk}-cause": "bored"})
    assert bad.status_code == 422
    good = client.post(f"/mobility/openings/{mb_opening.pk}/apply/", {f"a{mb_opening.pk}-cause": "own_choice",
                                                                      f"a{mb_opening.pk}-message": "Hello"})
    assert good.status_code == 302
    application = TransferApplication.objects.get()
    again = client.post(f"/mobility/openings/{mb_opening.pk}/apply/", {f"a{mb_opening.pk}-cause": "own_choice"})
    assert again.status_code == 409 and "already applied" in again.content.decode()
    # The employer accepts on its page.
    employer = web_client(mb_employer_user)
    listing = employer.get("/mobility/employer/").content.decode()
    assert mb_worker.public_id in listing and "My own choice" not in listing
    assert employer.post(f"/mobility/applications/{application.pk}/accept/").status_code == 302
    application.refresh_from_db()
    # Completing before the contract is accepted is refused, on the worker's page.
    refused = client.post(f"/mobility/applications/{application.pk}/complete/")
    assert refused.status_code == 409 and "not accepted the new contract" in refused.content.decode()
    contract = ct.contract_sign(actor=mb_employer_user, contract=application.placement.contracts.get())
    contract = ct.contract_approve(actor=sel_origin, contract=contract)
    ct.contract_answer(actor=mb_worker.user, contract=contract, accept=True)
    assert "Complete my move" in client.get("/mobility/me/").content.decode()
    assert client.post(f"/mobility/applications/{application.pk}/complete/").status_code == 302
    assert Journey.objects.get(pk=mb_journey.pk).state == "moved"
    assert Journey.objects.get(previous=mb_journey).state == "employed"


def test_the_grace_clock_is_shown_to_the_worker(web_client, mb_worker, mb_journey):
    dp.employer_change_start(actor=mb_worker.user, journey=mb_journey)
    page = web_client(mb_worker.user).get("/mobility/me/").content.decode()
    end = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    assert f"Your stay stays lawful until {end} (60 days left)." in page


def test_the_worker_withdraws(web_client, mb_applied, mb_worker):
    client = web_client(mb_worker.user)
    assert client.post(f"/mobility/applications/{mb_applied.pk}/withdraw/").status_code == 302
    mb_applied.refresh_from_db()
    assert mb_applied.status == ApplicationStatus.WITHDRAWN


def test_the_employer_opens_declines_and_closes(web_client, make_mb_order, mb_employer_user, mb_applied):
    order = make_mb_order("Cherry harvest")
    client = web_client(mb_employer_user)
    assert client.get("/mobility/").url == "/mobility/employer/"
    bad = client.post("/mobility/employer/", {"job_order": str(order.pk), "positions": "0", "ends_on": _later(5)})
    assert bad.status_code == 422 and "positions" in bad.content.decode()
    ok = client.post("/mobility/employer/", {"job_order": str(order.pk), "positions": "3", "ends_on": _later(5)})
    assert ok.status_code == 302 and TransferOpening.objects.filter(job_order=order, positions=3).exists()
    empty = client.post(f"/mobility/applications/{mb_applied.pk}/decline/", {f"d{mb_applied.pk}-reason": ""})
    assert empty.status_code == 422
    done = client.post(f"/mobility/applications/{mb_applied.pk}/decline/", {f"d{mb_applied.pk}-reason": "Full."})
    assert done.status_code == 302
    mb_applied.refresh_from_db()
    assert mb_applied.decline_reason == "Full."
    opening = mb_applied.opening
    assert client.post(f"/mobility/openings/{opening.pk}/close/", {f"c{opening.pk}-reason": "Done."}).status_code == 302
    opening.refresh_from_db()
    assert opening.status == "closed"


def test_roles(web_client, mb_applied, mb_worker, mb_journey, sel_employer_user, dp_immigration, sel_origin,
               dp_inspector):
    old = web_client(sel_employer_user)
    assert old.post(f"/mobility/applications/{mb_applied.pk}/accept/").status_code == 404
    assert web_client(mb_worker.user).post(f"/mobility/applications/{mb_applied.pk}/accept/").status_code == 403
    assert web_client(mb_worker.user).get("/mobility/employer/").status_code == 403
    assert web_client(sel_employer_user).get("/mobility/me/").status_code == 403
    assert web_client(mb_worker.user).get("/mobility/changes/").status_code == 403
    immigration = web_client(dp_immigration)
    for url in ("/mobility/me/", "/mobility/employer/"):
        assert immigration.get(url).status_code == 403
    assert immigration.post(f"/mobility/applications/{mb_applied.pk}/withdraw/").status_code == 403
    dp.employer_change_start(actor=mb_worker.user, journey=mb_journey)
    end = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    for client in (immigration, web_client(sel_origin), web_client(dp_inspector)):
        page = client.get("/mobility/changes/")
        assert page.status_code == 200 and end in page.content.decode() and mb_worker.public_id in page.content.decode()
    assert "own_choice" not in immigration.get("/mobility/changes/").content.decode()
    assert immigration.get("/mobility/").url == "/mobility/changes/"
