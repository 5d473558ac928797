"""Fixtures for deployment, built on the contracts fixtures (CA-SAG, destination Canada; ct_accepted is the MX worker
ct_worker's accepted contract at Apple harvest) and made through the services only.

- `dp_immigration`: an immigration officer of Canada's immigration authority (the programme's destination).
- `dp_inspector`: a labour inspector of Canada's labour inspectorate.
- `predeparture_data`: pre-departure facts that complete the checklist (insurance to the end of the season, a travel
  booking, departure today + 60 days: past the contract delivery lead time after the contract was locked today).
- `permit_data(**changes)`: valid data for services.permit_record (a work permit to the end of the season + 14 days).
- `dp_journey`: ct_accepted's journey, opened by the MX origin officer (sel_origin): 'contracted'.
- `dp_ready`: the same journey with the pre-departure facts recorded (the checklist passes), still 'contracted'.
- `dp_cleared`: cleared for departure by the origin officer.
- `dp_permitted`: a work permit recorded by dp_immigration: 'permit_issued'.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from corridor.contracts.tests.conftest import *  # noqa: F403
from corridor.deployment import services as dp
from corridor.selection.tests.conftest import (
    _clear_rate_limits,  # noqa: F401  (autouse; `import *` skips it)
    season,
)


def _today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture
def dp_immigration(make_user, sel_programme):
    from corridor.core.access import Role

    return make_user(Role.IMMIGRATION_OFFICER, country=sel_programme.destination_country)


@pytest.fixture
def dp_inspector(make_user, sel_programme):
    from corridor.core.access import Role

    return make_user(Role.LABOUR_INSPECTOR, country=sel_programme.destination_country)


@pytest.fixture
def predeparture_data():
    _, end = season()
    return {
        "insurance_provider": "Seguros del Campo", "insurance_policy": "POL-1001",
        "insurance_valid_until": (end + datetime.timedelta(days=30)).isoformat(),
        "travel_booking": "AM-4412", "planned_departure": (_today() + datetime.timedelta(days=60)).isoformat(),
    }


@pytest.fixture
def permit_data():
    start, end = season()

    def make(**changes):
        data = {"kind": "work_permit", "number": "WP-000001", "valid_from": (start - datetime.timedelta(days=7)).isoformat(),
                "valid_until": (end + datetime.timedelta(days=14)).isoformat(), "entries": "multiple",
                "employer_name": "", "isco_code": "9211", "conditions": "Work for the named employer only."}
        data.update(changes)
        return data

    return make


@pytest.fixture
def dp_journey(ct_accepted, sel_origin):
    return dp.journey_start(actor=sel_origin, placement=ct_accepted.placement)


@pytest.fixture
def dp_ready(dp_journey, sel_origin, predeparture_data):
    return dp.predeparture_update(actor=sel_origin, journey=dp_journey, **predeparture_data)


@pytest.fixture
def dp_cleared(dp_ready, sel_origin):
    return dp.clear_departure(actor=sel_origin, journey=dp_ready)


@pytest.fixture
def dp_permitted(dp_cleared, dp_immigration, permit_data):
    dp.permit_record(actor=dp_immigration, journey=dp_cleared, **permit_data())
    dp_cleared.refresh_from_db()
    return dp_cleared
