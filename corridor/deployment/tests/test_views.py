"""The journey pages: the list, one journey with the forms of each role, the worker's page, the substitution alerts;
immigration officers never see alerts, declarations or the checklist detail."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from corridor.core.access import Role
from corridor.deployment import services as dp
from corridor.deployment.models import AlertStatus, Journey, Permit, SubstitutionAlert

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _abroad(journey, state="travelled") -> Journey:
    """Put the journey past the departure (the lead time after a contract locked today cannot pass in a test)."""
    today = timezone.localdate()
    values = {"state": state, "departed_on": today - datetime.timedelta(days=2)}
    if state == "employed":
        values.update(arrived_on=today - datetime.timedelta(days=1), welfare_contact_name="Ana Ruiz")
    Journey.objects.filter(pk=journey.pk).update(**values)
    journey.refresh_from_db()
    return journey


@pytest.fixture
def declared(dp_permitted, sel_employer_user):
    journey = _abroad(dp_permitted, "employed")
    dp.terms_declare(actor=sel_employer_user, journey=journey, wage_amount="17.20")
    return journey


# --- the list and the start --------------------------------------------------------------------------------------


def test_origin_officer_starts_a_journey_from_a_placement(ct_accepted, sel_origin, web_client):
    client = web_client(sel_origin)
    page = client.get("/journeys/")
    assert page.status_code == 200 and "start-placement" in page.content.decode()
    placement = ct_accepted.placement
    response = client.post("/journeys/start/", {"start-placement": placement.pk})
    journey = Journey.objects.get(placement=placement)
    assert response.status_code == 302 and response["Location"] == f"/journeys/{journey.pk}/"
    assert journey.state == "contracted"
    again = client.post("/journeys/start/", {"start-placement": placement.pk})
    assert again.status_code == 409 and "already has a journey" in _text(again)
    assert client.post("/journeys/start/", {"start-placement": "abc"}).status_code == 422
    assert client.post("/journeys/start/", {"start-placement": "999999"}).status_code == 404


def test_list_filters_and_counts_open_alerts(declared, sel_origin, dp_immigration, web_client):
    origin = web_client(sel_origin)
    page = origin.get("/journeys/?state=employed")
    text = _text(page)
    assert page.status_code == 200 and declared.worker.public_id in text
    assert 'class="alerts-count"><strong>1</strong>' in text
    assert declared.worker.public_id not in _text(origin.get("/journeys/?state=returned"))
    assert origin.get("/journeys/?state=nonsense&programme=zz%3Cb%3E").status_code == 200
    immigration = web_client(dp_immigration).get("/journeys/")
    assert immigration.status_code == 200 and declared.worker.public_id in _text(immigration)
    assert "Open alerts" not in _text(immigration) and "alerts-count" not in _text(immigration)


def test_workers_and_strangers_are_refused_the_list(ct_worker, make_user, web_client, dp_journey):
    assert web_client(ct_worker.user).get("/journeys/").status_code == 403
    assert web_client(make_user(Role.RESEARCHER)).get("/journeys/").status_code == 403
    assert web_client().get("/journeys/").status_code == 302  # to sign in


# --- one journey -------------------------------------------------------------------------------------------------


def test_origin_officer_records_predeparture_and_clears(dp_journey, sel_origin, predeparture_data, web_client):
    client = web_client(sel_origin)
    page = client.get(f"/journeys/{dp_journey.pk}/")
    text = _text(page)
    assert page.status_code == 200 and "Pre-departure checklist" in text and "Needed" in text
    bad = client.post(f"/journeys/{dp_journey.pk}/predeparture/", {"pre-planned_departure": "31/02/2027"})
    assert bad.status_code == 422 and "field-error" in bad.content.decode()
    refused = client.post(f"/journeys/{dp_journey.pk}/clear/")
    assert refused.status_code == 422 and "Health insurance covering the whole stay." in _text(refused)
    ok = client.post(f"/journeys/{dp_journey.pk}/predeparture/", {f"pre-{k}": v for k, v in predeparture_data.items()})
    assert ok.status_code == 302
    cleared = client.post(f"/journeys/{dp_journey.pk}/clear/")
    assert cleared.status_code == 302
    dp_journey.refresh_from_db()
    assert dp_journey.state == "cleared"


def test_immigration_sees_identity_state_and_permits_only(declared, dp_immigration, web_client):
    client = web_client(dp_immigration)
    page = client.get(f"/journeys/{declared.pk}/")
    text = _text(page)
    assert page.status_code == 200
    assert declared.worker.public_id in text and "Permits" in text and "WP-000001" in text
    for hidden in ("Pre-departure checklist", "Substitution alerts", "Terms declared", "17.20", "Ana Ruiz",
                   "Seguros del Campo"):
        assert hidden not in text
    assert "Record a stay beyond the permit" in text
    assert client.get("/journeys/alerts/").status_code == 403
    assert client.get("/journeys/me/").status_code == 403
    assert client.post(f"/journeys/{declared.pk}/terms/", {"terms-wage_amount": "10"}).status_code == 403
    alert = SubstitutionAlert.objects.get(journey=declared)
    assert client.post(f"/journeys/alerts/{alert.pk}/resolve/", {f"a{alert.pk}-resolution": "x"}).status_code == 403


def test_immigration_records_the_permit_and_bad_input_is_shown(dp_cleared, dp_immigration, permit_data, web_client):
    client = web_client(dp_immigration)
    page = client.get(f"/journeys/{dp_cleared.pk}/")
    assert page.status_code == 200 and "Record the permit" in _text(page)
    bad = client.post(f"/journeys/{dp_cleared.pk}/permit/", {"permit-kind": "passport", "permit-number": "",
                                                              "permit-valid_from": "soon", "permit-entries": "many"})
    assert bad.status_code == 422 and "field-error" in bad.content.decode()
    garbled = client.post(f"/journeys/{dp_cleared.pk}/permit/",
                          {f"permit-{k}": v for k, v in permit_data(valid_from="2027-13-40").items()})
    assert garbled.status_code == 422 and "is not a date" in _text(garbled)
    ok = client.post(f"/journeys/{dp_cleared.pk}/permit/", {f"permit-{k}": v for k, v in permit_data().items()})
    assert ok.status_code == 302
    assert Permit.objects.filter(journey=dp_cleared, number="WP-000001").exists()


def test_a_refused_transition_shows_the_message(dp_journey, dp_immigration, permit_data, web_client):
    response = web_client(dp_immigration).post(f"/journeys/{dp_journey.pk}/permit/",
                                               {f"permit-{k}": v for k, v in permit_data().items()})
    assert response.status_code == 409
    assert "&#x27;issue_permit&#x27; is not possible when the journey is &#x27;contracted&#x27;" in response.content.decode()
    dp_journey.refresh_from_db()
    assert dp_journey.state == "contracted"


def test_wrong_roles_get_403_or_404(dp_journey, sel_jm_origin, sel_employer_user, ct_worker, web_client):
    jm = web_client(sel_jm_origin)
    assert jm.get(f"/journeys/{dp_journey.pk}/").status_code == 404
    assert jm.get("/journeys/999999/").status_code == 404
    employer = web_client(sel_employer_user)
    assert employer.get(f"/journeys/{dp_journey.pk}/").status_code == 200
    assert employer.post(f"/journeys/{dp_journey.pk}/clear/").status_code == 403
    assert employer.post(f"/journeys/{dp_journey.pk}/withdraw/", {"withdraw-reason": "no"}).status_code == 403
    assert employer.get("/journeys/alerts/").status_code == 403
    assert web_client(ct_worker.user).get("/journeys/alerts/").status_code == 403


def test_employer_confirms_arrival_and_declares_terms(dp_permitted, sel_employer_user, web_client):
    journey = _abroad(dp_permitted)
    client = web_client(sel_employer_user)
    page = client.get(f"/journeys/{journey.pk}/")
    assert "Confirm the arrival" in _text(page)
    today = timezone.localdate().isoformat()
    missing = client.post(f"/journeys/{journey.pk}/arrival/", {"arrival-arrived_on": today})
    assert missing.status_code == 422
    ok = client.post(f"/journeys/{journey.pk}/arrival/", {"arrival-arrived_on": today,
                                                          "arrival-welfare_contact_name": "Ana Ruiz",
                                                          "arrival-welfare_contact_phone": "+1 905 555 0101"})
    assert ok.status_code == 302
    journey.refresh_from_db()
    assert journey.state == "employed"
    empty = client.post(f"/journeys/{journey.pk}/terms/", {})
    assert empty.status_code == 422
    declared = client.post(f"/journeys/{journey.pk}/terms/", {"terms-wage_amount": "17.20", "terms-hours_per_week": ""})
    assert declared.status_code == 302
    assert SubstitutionAlert.objects.filter(journey=journey, field="wage_amount").exists()


# --- the worker's page -------------------------------------------------------------------------------------------


def test_worker_sees_the_alert_and_the_welfare_contact(declared, ct_worker, ct_accepted, web_client):
    client = web_client(ct_worker.user)
    page = client.get("/journeys/me/")
    text = _text(page)
    assert page.status_code == 200
    agreed = ct_accepted.content["pay"]["amount"]
    assert (f"Your employer declared a wage lower than your contract: 17.20 instead of {agreed} CAD an hour. "
            "The origin authority and the labour inspectorate are informed.") in text
    assert "Ana Ruiz" in text and "You are working at destination." in text
    assert "Start a change of employer" in text
    assert client.get(f"/journeys/{declared.pk}/")["Location"].startswith("/journeys/me/")


def test_worker_withdraws_before_travel(dp_journey, ct_worker, web_client):
    client = web_client(ct_worker.user)
    page = client.get("/journeys/me/")
    assert "Withdraw before you travel" in _text(page)
    empty = client.post(f"/journeys/{dp_journey.pk}/withdraw/", {"withdraw-reason": " "})
    assert empty.status_code == 422 and "field-error" in empty.content.decode()
    refused = client.post(f"/journeys/{dp_journey.pk}/change-employer/", {"change-note": "x"})
    assert refused.status_code == 409 and "is not possible" in _text(refused)
    ok = client.post(f"/journeys/{dp_journey.pk}/withdraw/", {"withdraw-reason": "My mother is ill."})
    assert ok.status_code == 302 and ok["Location"].startswith("/journeys/me/")
    dp_journey.refresh_from_db()
    assert dp_journey.state == "withdrawn"


def test_worker_without_journey_and_officials_on_the_worker_page(ct_worker, sel_origin, web_client):
    page = web_client(ct_worker.user).get("/journeys/me/")
    assert page.status_code == 200 and "Your journey starts" in _text(page)
    assert web_client(sel_origin).get("/journeys/me/").status_code == 403


# --- alerts ------------------------------------------------------------------------------------------------------


def test_inspector_resolves_an_alert(declared, dp_inspector, sel_origin, web_client):
    alert = SubstitutionAlert.objects.get(journey=declared)
    assert str(alert.pk) in _text(web_client(sel_origin).get("/journeys/alerts/"))
    client = web_client(dp_inspector)
    page = client.get("/journeys/alerts/")
    assert page.status_code == 200 and "17.20" in _text(page) and f"/journeys/alerts/{alert.pk}/resolve/" in _text(page)
    empty = client.post(f"/journeys/alerts/{alert.pk}/resolve/", {f"a{alert.pk}-resolution": ""})
    assert empty.status_code == 422
    ok = client.post(f"/journeys/alerts/{alert.pk}/resolve/",
                     {f"a{alert.pk}-resolution": "The employer corrected the wage to the contract's."})
    assert ok.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    again = client.post(f"/journeys/alerts/{alert.pk}/resolve/", {f"a{alert.pk}-resolution": "Again."})
    assert again.status_code == 409 and "already resolved" in _text(again)


# --- links from the other pages ----------------------------------------------------------------------------------


def test_contracts_page_offers_to_start_the_journey(ct_accepted, sel_origin, sel_employer_user, web_client):
    origin = web_client(sel_origin)
    page = _text(origin.get("/contracts/"))
    assert "Start the journey" in page and 'action="/journeys/start/"' in page
    assert "Start the journey" not in _text(web_client(sel_employer_user).get("/contracts/"))
    response = origin.post("/journeys/start/", {"start-placement": ct_accepted.placement_id})
    assert response.status_code == 302
    journey = Journey.objects.get(placement_id=ct_accepted.placement_id)
    page = _text(origin.get("/contracts/"))
    assert "Start the journey" not in page and f'href="/journeys/{journey.pk}/"' in page


def test_home_and_contract_page_link_to_the_journey(ct_worker, dp_immigration, web_client):
    worker = web_client(ct_worker.user)
    assert 'href="/journeys/me/"' in _text(worker.get("/"))
    assert 'href="/journeys/me/"' in _text(worker.get("/contracts/me/"))
    assert 'href="/journeys/"' in _text(web_client(dp_immigration).get("/"))


def test_origin_officer_reads_alerts_and_declarations_on_the_journey(declared, sel_origin, web_client):
    text = _text(web_client(sel_origin).get(f"/journeys/{declared.pk}/"))
    assert "Substitution alerts" in text and "Terms declared at destination" in text
    assert "<strong>Wage</strong>" in text and "Wage 17.20" in text
    assert "Journey opened" in text and "Cleared for departure" in text
