"""Demo of the change of employer in the Canadian seasonal programme (CA-SAG), built through the services on the
journeys of corridor/deployment/demo.py:

- sel_jm_02, employed at Fraser Valley Berry Farms and changing employer, applies of their own choice to an opening of
  Niagara Orchards (employer user `employer`); Niagara accepts; the contract is signed by Niagara, approved by the
  Jamaican origin authority (origin_officer_jm) and accepted by the worker; the worker completes the move. Fraser
  Valley was never asked: it is told once the worker has moved.
- a second Niagara job order stays open to transfers, for other workers at destination to see;
- sel_mx_06, whose employer deducted a recruitment fee from his pay (corridor/payroll/demo.py), starts a change of
  employer himself: his page shows the grace period during which his stay stays lawful, and the open opening.

Running it twice changes nothing: it does nothing once the programme has an opening.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from corridor.accounts.models import User
from corridor.contracts import services as contracts
from corridor.deployment import journey as path
from corridor.deployment import services as deployment
from corridor.deployment.models import Journey
from corridor.joborders.models import HOLDS_QUOTA, JobOrder
from corridor.mobility import services
from corridor.mobility.models import TransferOpening
from corridor.programmes.models import Programme


def _user(users: dict, username: str) -> User | None:
    return users.get(username) or User.objects.filter(username=username).first()


def _ends_on(order: JobOrder) -> str:
    return min(timezone.localdate() + datetime.timedelta(days=45), order.end_date).isoformat()


@transaction.atomic
def build(orgs: dict, users: dict) -> None:
    sag = Programme.objects.filter(code="CA-SAG").first()
    niagara = _user(users, "employer")
    origin = _user(users, "origin_officer_jm")
    if sag is None or niagara is None or TransferOpening.objects.filter(job_order__programme=sag).exists():
        return
    orders = list(JobOrder.objects.filter(programme=sag, employer__organisation_id=niagara.organisation_id,
                                          status__in=list(HOLDS_QUOTA), end_date__gt=timezone.localdate())
                  .order_by("start_date", "pk")[:2])
    if not orders:
        return
    journey = Journey.objects.filter(worker__user__username="sel_jm_02", state=path.CHANGING_EMPLOYER,
                                     placement__job_order__programme=sag).select_related("worker__user").first()
    if journey is not None and origin is not None:
        order = orders[0]
        opening = services.opening_create(actor=niagara, job_order=order, positions=2, ends_on=_ends_on(order),
                                          note="Workers already in Canada are welcome; housing on the farm.")
        worker = journey.worker.user
        application = services.application_create(
            actor=worker, opening=opening, cause="own_choice",
            message="I have picked berries for two seasons and would like to work in the orchard.")
        application = services.application_accept(actor=niagara, application=application)
        contract = application.placement.contracts.get()
        contract = contracts.contract_sign(actor=niagara, contract=contract)
        contract = contracts.contract_approve(actor=origin, contract=contract)
        contracts.contract_answer(actor=worker, contract=contract, accept=True, via="web",
                                  note="Accepted on my phone.")
        application.refresh_from_db()
        services.move_complete(actor=worker, application=application)
        orders = orders[1:]
    for order in orders[:1]:
        services.opening_create(actor=niagara, job_order=order, positions=3, ends_on=_ends_on(order),
                                note="Open to workers at destination who need a new employer.")
    looking = Journey.objects.filter(worker__user__username="sel_mx_06", state=path.EMPLOYED,
                                     placement__job_order__programme=sag).select_related("worker__user").first()
    if looking is not None:
        deployment.employer_change_start(actor=looking.worker.user, journey=looking,
                                         note="A recruitment fee was taken from my pay; I am looking for another farm.")
