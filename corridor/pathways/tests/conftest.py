"""Fixtures for pathways, built on the payroll fixtures (CA-SAG, destination Canada; ct_worker the MX worker of
ct_accepted at Apple harvest; sel_origin the MX origin officer; sel_employer_user the employer).

- `sel_rules_override`: the programme's pathway: 2 completed seasons and 6 months lead to "Permanent residence".
- `pw_stay(journey, arrived_days_ago)`: sets the journey employed, arrived that many days ago.
- `pw_returned`: ct_accepted's journey, arrived 200 days ago and returned 10 days ago (190 days: 6 whole months), its
  season recorded by the return; no payslips.
- `pw_certificate`: the season attested by the employer (640 hours declared), not yet issued.
- `pw_issued`: the same certificate issued by the MX origin officer.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from corridor.deployment import services as dp
from corridor.deployment.models import Journey
from corridor.pathways import services as pathway_services  # `import *` brings its own `services`
from corridor.payroll.tests.conftest import *  # noqa: F403
from corridor.selection.tests.conftest import _clear_rate_limits  # noqa: F401  (autouse; `import *` skips it)

TASKS = "Harvesting apples by hand; grading fruit; safe use of ladders."


@pytest.fixture
def sel_rules_override():
    return {"pathway": {"enabled": True, "seasons_required": 2, "months_required": 6,
                        "target_status": "Permanent residence"}}


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def pw_stay():
    def make(journey: Journey, arrived_days_ago: int) -> Journey:
        Journey.objects.filter(pk=journey.pk).update(
            state="employed", departed_on=days_ago(arrived_days_ago + 1), arrived_on=days_ago(arrived_days_ago),
            welfare_contact_name="Ana Ruiz")
        journey.refresh_from_db()
        return journey

    return make


@pytest.fixture
def pw_returned(dp_journey, pw_stay, sel_origin):
    journey = pw_stay(dp_journey, 200)
    return dp.return_record(actor=sel_origin, journey=journey, returned_on=days_ago(10).isoformat(), as_agreed=True)


@pytest.fixture
def pw_certificate(pw_returned, sel_employer_user):
    return pathway_services.certificate_attest(actor=sel_employer_user, journey=pw_returned, tasks=TASKS, hours_worked="640")


@pytest.fixture
def pw_issued(pw_certificate, sel_origin):
    return pathway_services.certificate_issue(actor=sel_origin, certificate=pw_certificate)
