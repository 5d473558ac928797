"""Demo journeys of the Canadian seasonal programme, built through the services on the placements and contracts of
corridor/contracts/demo.py:

- sel_mx_07 (accepted contract, a later amendment rejected): contract accepted, pre-departure not started;
- sel_jm_01 (Kemar): every pre-departure item done, cleared for departure;
- worker (José Luis): cleared, and his work permit recorded by the immigration authority;
- sel_mx_08, the past season: a proposed placement of the published run, confirmed and contracted months ago, the
  worker travelled, the employer confirmed the arrival and declared a lower wage than the contract's (a substitution
  alert for the origin authority and the labour inspectorate, shown to the worker), and the worker returned as
  agreed (his season record gives him recall by rule in the next round);
- at Fraser Valley Berry Farms, this season: sel_mx_06 employed; sel_jm_02 employed and changing employer; sel_jm_06
  employed, then transferred to another status by the immigration authority; sel_mx_10 travelled and stayed beyond
  the permit; sel_jm_05 withdrew after accepting the contract; sel_jm_04 left yesterday (travelled, arrival not yet
  confirmed);
- sel_mx_09: journey opened while the contract waits for the worker's answer (selected).

Past dates are made with the services' clock set back (`_clock`), so that each contract was locked long enough
before the departure. Running it twice changes nothing: it does nothing once the programme has journeys.
"""

from __future__ import annotations

import contextlib
import datetime
from decimal import Decimal
from unittest import mock

from django.db import transaction
from django.utils import timezone

from corridor.accounts.models import OrgKind, User
from corridor.contracts import services as contracts
from corridor.contracts.models import Placement, PlacementStatus
from corridor.core.access import Role
from corridor.deployment import services
from corridor.deployment.models import Journey
from corridor.programmes.models import Programme

ORIGIN_OFFICERS = {"MX": "origin_officer", "JM": "origin_officer_jm"}


@contextlib.contextmanager
def _clock(days_ago: int):
    """The services' clock set `days_ago` days back, for the steps of a past season."""
    at = timezone.now() - datetime.timedelta(days=days_ago)
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def _day(days_from_today: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days_from_today)


def _user(users: dict, username: str) -> User | None:
    return users.get(username) or User.objects.filter(username=username).first()


def _employer_user(placement: Placement) -> User | None:
    return (User.objects.filter(organisation_id=placement.job_order.employer.organisation_id,
                                role_assignments__role=Role.EMPLOYER, is_active=True).order_by("pk").first())


def _immigration_officer(users: dict, country: str) -> User | None:
    user = _user(users, "immigration_officer")
    if user is not None and user.organisation and user.organisation.kind == OrgKind.IMMIGRATION_AUTHORITY \
            and user.organisation.country == country:
        return user
    return None


def _placement(sag: Programme, username: str) -> Placement | None:
    return (Placement.objects.filter(job_order__programme=sag, worker__user__username=username)
            .select_related("worker__user", "job_order__employer").order_by("pk").first())


def _predeparture(journey: Journey, origin: User, departure: datetime.date, policy: str, booking: str) -> None:
    end = journey.placement.job_order.end_date
    services.predeparture_update(
        actor=origin, journey=journey, insurance_provider="Seguros Agrícolas del Pacífico", insurance_policy=policy,
        insurance_valid_until=(end + datetime.timedelta(days=30)).isoformat(), travel_booking=booking,
        planned_departure=departure.isoformat())


def _permit(journey: Journey, officer: User, number: str) -> None:
    order = journey.placement.job_order
    services.permit_record(
        actor=officer, journey=journey, kind="work_permit", number=number,
        valid_from=(order.start_date - datetime.timedelta(days=14)).isoformat(),
        valid_until=(order.end_date + datetime.timedelta(days=14)).isoformat(), entries="multiple",
        employer_name=order.employer.organisation.name, isco_code=order.isco_code,
        conditions="Work only for the named employer under the programme, in the named occupation; a change of "
        "employer goes through the programme's transfer procedure.")


def _current(sag: Programme, users: dict, immigration: User | None) -> None:
    """Journeys of this season's contracts: selected (contract delivered, not yet accepted), contracted, cleared,
    permit issued."""
    waiting = _placement(sag, "sel_mx_09")
    origin_mx = _user(users, "origin_officer")
    if waiting is not None and origin_mx is not None and waiting.status == PlacementStatus.CONFIRMED:
        services.journey_start(actor=origin_mx, placement=waiting)
    for username, upto, n in (("sel_mx_07", "contracted", 1), ("sel_jm_01", "cleared", 2), ("worker", "permit", 3)):
        placement = _placement(sag, username)
        if placement is None or contracts.in_force(placement) is None:
            continue
        origin = _user(users, ORIGIN_OFFICERS.get(placement.worker.nationality, ""))
        if origin is None:
            continue
        journey = services.journey_start(actor=origin, placement=placement)
        if upto == "contracted":
            continue
        _predeparture(journey, origin, _day(45 + 5 * n), f"POL-2027-{n:04d}", f"AC-{7410 + n}")
        services.clear_departure(actor=origin, journey=journey)
        if upto == "permit" and immigration is not None:
            _permit(journey, immigration, f"WP-{timezone.localdate().year}-{n:06d}")


def _past_season(sag: Programme, users: dict, immigration: User | None, while_employed=None) -> None:
    """sel_mx_08's season: contract locked 150 days ago, departure 100 days ago, a lower wage declared at
    destination, back home as agreed a week ago. `while_employed(journey, employer)`, if given, is called between
    the arrival and the return (the payroll demo submits the season's payslips there)."""
    placement = _placement(sag, "sel_mx_08")
    origin = _user(users, "origin_officer")
    if placement is None or placement.worker.user is None or origin is None or immigration is None:
        return
    employer = _employer_user(placement)
    worker = placement.worker.user
    if employer is None or placement.status not in (PlacementStatus.PROPOSED, PlacementStatus.CONFIRMED) \
            or placement.contracts.exists():
        return
    with _clock(160):
        if placement.status == PlacementStatus.PROPOSED:
            placement = contracts.placement_confirm(actor=worker, placement=placement)
            placement = contracts.placement_confirm(actor=employer, placement=placement)
        contract = contracts.contract_generate(actor=employer, placement=placement)
        contract = contracts.contract_sign(actor=employer, contract=contract)
    with _clock(150):
        contract = contracts.contract_approve(actor=origin, contract=contract)
    with _clock(145):
        contract = contracts.contract_answer(actor=worker, contract=contract, accept=True, via="office",
                                             note="Leído con la oficial de enlace y aceptado.")
    with _clock(130):
        journey = services.journey_start(actor=origin, placement=placement)
        _predeparture(journey, origin, _day(30), "POL-2026-0815", "AM-0684")  # 100 days ago, in real time
        services.clear_departure(actor=origin, journey=journey)
    with _clock(115):
        _permit(journey, immigration, f"WP-{timezone.localdate().year}-900001")
    with _clock(100):
        services.departure_record(actor=origin, journey=journey, departed_on=_day(0).isoformat())
    with _clock(99):
        services.arrival_confirm(actor=employer, journey=journey, arrived_on=_day(0).isoformat(),
                                 welfare_contact_name="Teresa Bouchard", welfare_contact_phone="+1 905 555 0142")
    with _clock(90):
        contract.refresh_from_db()
        lower = Decimal(str(contract.content["pay"]["amount"])) - Decimal("1.50")
        services.terms_declare(actor=employer, journey=journey, wage_amount=f"{lower:.2f}",
                               hours_per_week=str(contract.content["pay"]["hours_per_week"] or ""))
    if while_employed is not None:
        while_employed(journey, employer)
    with _clock(7):
        services.return_record(actor=origin, journey=journey, returned_on=_day(0).isoformat(), as_agreed=True,
                               note="Returned on the agreed date; the season was completed.")


def _to_contract(placement: Placement, employer: User, origin: User, locked_days_ago: int):
    """Confirm the placement and take its contract to acceptance, locked `locked_days_ago` days ago."""
    worker = placement.worker.user
    with _clock(locked_days_ago + 5):
        if placement.worker_confirmed_at is None:
            placement = contracts.placement_confirm(actor=worker, placement=placement)
        if placement.employer_confirmed_at is None:
            placement = contracts.placement_confirm(actor=employer, placement=placement)
        contract = contracts.contract_generate(actor=employer, placement=placement)
        contracts.contract_sign(actor=employer, contract=contract)
    with _clock(locked_days_ago):
        contract = contracts.contract_approve(actor=origin, contract=contract)
    with _clock(locked_days_ago - 2):
        contracts.contract_answer(actor=worker, contract=contract, accept=True, via="web")
    return placement


def _this_season(sag: Programme, users: dict, immigration: User | None) -> None:
    """Fraser Valley's crew: employed, changing employer, transferred to another status, beyond the permit,
    withdrawn."""
    if immigration is None:
        return
    stories = (("sel_mx_06", "employed"), ("sel_jm_02", "changing"), ("sel_jm_06", "status"), ("sel_mx_10", "overstay"),
               ("sel_jm_05", "withdrawn"), ("sel_jm_04", "travelled"))
    for n, (username, story) in enumerate(stories, start=1):
        placement = _placement(sag, username)
        if placement is None or placement.worker.user is None or placement.contracts.exists() \
                or placement.status not in (PlacementStatus.PROPOSED, PlacementStatus.CONFIRMED):
            continue
        origin = _user(users, ORIGIN_OFFICERS.get(placement.worker.nationality, ""))
        employer = _employer_user(placement)
        if origin is None or employer is None:
            continue
        placement = _to_contract(placement, employer, origin, 90)
        with _clock(80):
            journey = services.journey_start(actor=origin, placement=placement)
            if story == "withdrawn":
                services.withdraw(actor=placement.worker.user, journey=journey,
                                  reason="My mother fell ill; I stay home this season.")
                continue
            _predeparture(journey, origin, _day(40), f"POL-2026-{100 + n:04d}", f"WS-{2200 + n}")
            services.clear_departure(actor=origin, journey=journey)
        with _clock(70):
            _permit(journey, immigration, f"WP-{timezone.localdate().year}-{800000 + n:06d}")
        with _clock(1 if story == "travelled" else 40):
            services.departure_record(actor=origin, journey=journey, departed_on=_day(0).isoformat())
        if story == "travelled":
            continue
        if story == "overstay":
            with _clock(2):
                services.overstay_record(actor=immigration, journey=journey,
                                         note="Did not report to the employer and left the address given at entry.")
            continue
        with _clock(39):
            services.arrival_confirm(actor=employer, journey=journey, arrived_on=_day(0).isoformat(),
                                     welfare_contact_name="Gurpreet Dhillon", welfare_contact_phone="+1 604 555 0177")
        if story == "changing":
            with _clock(5):
                services.employer_change_start(actor=placement.worker.user, journey=journey,
                                               note="I want to move to the raspberry farm my cousin works on.")
        elif story == "status":
            with _clock(3):
                services.status_change_record(actor=immigration, journey=journey,
                                              note="Granted an open work permit for vulnerable workers after a complaint.")


@transaction.atomic
def build(orgs: dict, users: dict, while_employed=None) -> None:
    sag = Programme.objects.filter(code="CA-SAG").first()
    if sag is None or Journey.objects.filter(placement__job_order__programme=sag).exists():
        return
    immigration = _immigration_officer(users, sag.destination_country)
    _current(sag, users, immigration)
    _past_season(sag, users, immigration, while_employed)
    _this_season(sag, users, immigration)
