"""Fixtures for payroll, built on the deployment fixtures (CA-SAG, destination Canada; ct_accepted is the MX worker
ct_worker's accepted contract at Apple harvest, 18.00 CAD an hour, 40 hours a week).

- `pr_employed`: ct_accepted's journey, set to 'employed' (departed and arrived today); its employer user is
  sel_employer_user, its worker ct_worker.
- `pr_employer`: the employer user of that journey.
- `payslip_data(**changes)`: a lawful weekly payslip for it: 40 ordinary hours at 18.00 (720.00 gross), income tax
  72.00, net 648.00, paid two days after the week.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from corridor.deployment.models import Journey
from corridor.deployment.tests.conftest import *  # noqa: F403
from corridor.selection.tests.conftest import _clear_rate_limits  # noqa: F401  (autouse; `import *` skips it)


@pytest.fixture
def pr_employed(dp_journey):
    today = timezone.localdate()
    Journey.objects.filter(pk=dp_journey.pk).update(state="employed", departed_on=today, arrived_on=today,
                                                    welfare_contact_name="Ana Ruiz")
    dp_journey.refresh_from_db()
    return dp_journey


@pytest.fixture
def pr_employer(sel_employer_user):
    return sel_employer_user


@pytest.fixture
def payslip_data(pr_employed):
    start = timezone.localdate() - datetime.timedelta(days=9)

    def make(**changes):
        data = {
            "period_start": start.isoformat(), "period_end": (start + datetime.timedelta(days=6)).isoformat(),
            "pay_date": (start + datetime.timedelta(days=8)).isoformat(), "currency": "CAD",
            "gross": "720.00", "net": "648.00", "ordinary_hours": "40", "overtime_hours": "0", "night_hours": "0",
            "holiday_hours": "0", "deductions": [{"type": "tax", "amount": "72.00", "evidence": "CRA-2026-01"}],
            "payment_method": "Direct deposit",
        }
        data.update(changes)
        return data

    return make
