"""Demo of the end of the stay, built through the services on the journeys of corridor/deployment/demo.py:

- sel_mx_08, back from the past season (deployment's demo recorded his return a week ago through `return_record`):
  the origin officer adds the return's details (exit stamp and boarding pass; the recall standing follows the rule of
  docs/returns.md); his employer records the final pay, which he confirms; he evaluates the employer (low on pay:
  the employer paid the lower wage it declared at destination) and the employer evaluates him; he answers it;
- the daily run (`services.daily`): the overstay prompt for any journey whose permit ended with no return (sel_mx_10's
  stay beyond the permit is already recorded by the immigration authority, so it is not flagged again), and the
  retaliation scan of rounds with recall nominations.

Running it twice changes nothing: each step is skipped once done.
"""

from __future__ import annotations

import contextlib
import datetime
from unittest import mock

from django.db import transaction
from django.utils import timezone

from corridor.accounts.models import User
from corridor.core.access import Role
from corridor.deployment import journey as path
from corridor.deployment.models import Journey
from corridor.programmes.models import Programme
from corridor.returns import services
from corridor.returns.models import EmployerEvaluation, Payout, ReturnRecord, WorkerEvaluation


@contextlib.contextmanager
def _clock(days_ago: int):
    at = timezone.now() - datetime.timedelta(days=days_ago)
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def _user(users: dict, username: str) -> User | None:
    return users.get(username) or User.objects.filter(username=username).first()


def _employer_user(journey: Journey) -> User | None:
    return User.objects.filter(organisation_id=journey.placement.job_order.employer.organisation_id,
                               role_assignments__role=Role.EMPLOYER, is_active=True).order_by("pk").first()


def _returned(sag: Programme) -> Journey | None:
    return (Journey.objects.filter(placement__job_order__programme=sag, worker__user__username="sel_mx_08",
                                   state=path.RETURNED)
            .select_related("worker__user", "placement__job_order__employer__organisation").first())


def _season_end(journey: Journey, origin: User, employer: User) -> None:
    worker = journey.worker.user
    if not ReturnRecord.objects.filter(journey=journey).exists():
        early = journey.returned_on < services.contract_end(journey)
        with _clock(6):
            services.return_details_add(
                actor=origin, journey=journey,
                evidence="Exit stamp seen, passport page 12; boarding pass AC 992 Toronto–Morelia.",
                early_reason="employer_closure" if early else "",
                note="The orchard's harvest ended before the contract's end date; he came home on the flight the "
                     "employer booked." if early else "")
    if not Payout.objects.filter(journey=journey).exists():
        with _clock(5):
            payout = services.payout_record(actor=employer, journey=journey, kind="final_pay", amount="1384.60",
                                            currency="CAD", transferred_on=(timezone.localdate()).isoformat(),
                                            reference="NIAG-FP-0815")
        with _clock(2):
            services.payout_confirm(actor=worker, payout=payout, received=True, note="Llegó a mi cuenta de Bancomer.")
    if not EmployerEvaluation.objects.filter(journey=journey).exists():
        with _clock(4):
            services.employer_evaluate(
                actor=worker, journey=journey, pay=2, housing=4, safety=4, respect=3, would_return=3,
                comment="Nos pagaron menos de lo que decía el contrato. La vivienda estaba bien.")
    if not WorkerEvaluation.objects.filter(journey=journey).exists():
        with _clock(4):
            evaluation = services.worker_evaluate(actor=employer, journey=journey, skills=5, reliability=4,
                                                  would_rehire=5, comment="Careful picker; trained two new workers.")
        with _clock(3):
            services.evaluation_respond(actor=worker, evaluation=evaluation,
                                        response="Gracias. Me gustaría volver si se respeta el salario del contrato.")


@transaction.atomic
def build(orgs: dict, users: dict) -> dict:
    """Returns what the daily run found (for the demo's log)."""
    sag = Programme.objects.filter(code="CA-SAG").first()
    origin = _user(users, "origin_officer")
    journey = _returned(sag) if sag is not None else None
    if journey is not None and origin is not None and journey.worker.user is not None:
        employer = _employer_user(journey)
        if employer is not None:
            _season_end(journey, origin, employer)
    return services.daily()
