"""Fixtures for the change of employer, built on the payroll fixtures (CA-SAG, destination Canada, policy
'within_sector' with 60 days of grace; `pr_employed` is the MX worker ct_worker employed at Apple harvest of the
Niagara test orchard, sector A, employer user sel_employer_user).

- `sel_rules_override`: as upstream, but a test may parametrize it indirectly:
  `@pytest.mark.parametrize("sel_rules_override", [{"employer_change": {...}}], indirect=True)`.
- `mb_employer_user`, `mb_employer`: a second employer (Ontario), approved in CA-SAG by the programme administrator.
- `make_mb_order(title, **changes)`: an open job order of that employer (sector A, 9211, 18.50 CAD an hour).
- `mb_order`: one such order; `mb_opening`: it opened to transfers for 2 positions until today + 30 days.
- `mb_worker`: the employed worker (ct_worker); `mb_journey`: their journey (employed).
- `mb_applied`: mb_worker's application to mb_opening, of their own choice.
- `mb_accepted`: the same, accepted by the new employer (a confirmed placement and a draft contract).
- `mb_contract_accepted`: the new contract signed, approved by the MX origin authority and accepted by the worker.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from corridor.contracts import services as ct
from corridor.core.access import Role
from corridor.employers import services as employer_services
from corridor.joborders import services as joborder_services
from corridor.mobility import services as mb
from corridor.payroll.tests.conftest import *  # noqa: F403
from corridor.selection.tests.conftest import _clear_rate_limits, season, today  # noqa: F401  (autouse: see above)


@pytest.fixture
def sel_rules_override(request):
    return getattr(request, "param", {})


@pytest.fixture
def mb_employer_user(make_user):
    return make_user(Role.EMPLOYER, country="CA")


@pytest.fixture
def mb_employer(mb_employer_user, sel_admin, sel_programme):
    employer = employer_services.employer_register(
        actor=mb_employer_user, business_id="BN 88", sectors=["A"], contact_name="Ben Grower",
        contact_email="ben@example.org",
        worksites=[{"name": "Vineyard", "address": "9 Vine Road", "region": "Ontario", "country": "CA"}],
    )
    employer_services.employer_apply(actor=mb_employer_user, employer=employer, programme=sel_programme)
    employer_services.employer_approve(actor=sel_admin, employer=employer, programme=sel_programme)
    employer.refresh_from_db()
    return employer


@pytest.fixture
def make_mb_order(mb_employer_user, mb_employer, sel_programme, sel_wages, sel_admin, sel_officer, sel_origin,
                  sel_jm_origin, ct_template):
    worksite = mb_employer.worksites.get()
    unit = employer_services.housing_unit_create(
        actor=mb_employer_user, worksite=worksite, address="Vineyard house", beds_per_room=[2, 2], floor_area_m2="50",
        facilities=["kitchen", "laundry", "heating", "toilets", "shower", "drinking water", "bed"], charge_amount="0",
        charge_currency="CAD",
    )
    start, end = season()

    def make(title: str = "Grape harvest", **changes):
        data = {
            "title": title, "origin_countries": ["MX", "JM"], "isco_code": "9211", "sector": "A", "positions": 3,
            "worksite": worksite.pk, "wage_amount": "18.50", "wage_currency": "CAD", "wage_unit": "hour",
            "hours_per_week": "40", "overtime_rate_percent": "150", "deductions": [{"type": "tax", "amount": "200"}],
            "housing": unit.pk, "description": f"{title}: picking.", "start_date": start, "end_date": end,
            "adverts": [{"channel": "Job Bank", "start_date": (today() - datetime.timedelta(days=40)).isoformat(),
                         "end_date": (today() - datetime.timedelta(days=1)).isoformat(), "local_applicants": 2,
                         "local_hires": 0}],
        }
        data.update(changes)
        order = joborder_services.job_order_create(actor=mb_employer_user, employer=mb_employer,
                                                   programme=sel_programme, **data)
        order = joborder_services.job_order_submit(actor=mb_employer_user, order=order)
        order = joborder_services.job_order_review(actor=sel_officer, order=order)
        order = joborder_services.job_order_approve(actor=sel_admin, order=order)
        for officer in (sel_origin, sel_jm_origin):
            order = joborder_services.job_order_verify(actor=officer, order=order)
        order.refresh_from_db()
        return order

    return make


@pytest.fixture
def mb_order(make_mb_order):
    return make_mb_order()


@pytest.fixture
def mb_opening(mb_order, mb_employer_user):
    return mb.opening_create(actor=mb_employer_user, job_order=mb_order, positions=2,
                                   ends_on=(timezone.localdate() + datetime.timedelta(days=30)).isoformat())


@pytest.fixture
def mb_journey(pr_employed):
    return pr_employed


@pytest.fixture
def mb_worker(mb_journey):
    return mb_journey.worker


@pytest.fixture
def mb_applied(mb_opening, mb_worker):
    return mb.application_create(actor=mb_worker.user, opening=mb_opening, cause="own_choice",
                                       message="I would like to work at the vineyard.")


@pytest.fixture
def mb_accepted(mb_applied, mb_employer_user):
    return mb.application_accept(actor=mb_employer_user, application=mb_applied)


@pytest.fixture
def mb_contract_accepted(mb_accepted, mb_employer_user, sel_origin, mb_worker):
    contract = mb_accepted.placement.contracts.get()
    contract = ct.contract_sign(actor=mb_employer_user, contract=contract)
    contract = ct.contract_approve(actor=sel_origin, contract=contract)
    contract = ct.contract_answer(actor=mb_worker.user, contract=contract, accept=True, via="web")
    mb_accepted.refresh_from_db()
    return mb_accepted
