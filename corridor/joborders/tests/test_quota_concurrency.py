"""Parallel approvals never exceed a quota: officers approve at the same moment from separate connections to a real
PostgreSQL server (SQLite serialises writers, so the race only exists on PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from corridor.core.errors import Conflict
from corridor.joborders import services
from corridor.joborders.models import JobOrder, QuotaCounter, Status
from corridor.joborders.tests.conftest import TODAY
from corridor.reference.models import IscoGroup

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def isco(transactional_db):
    """Transactional tests start with empty reference tables: put back the groups these orders use."""
    parent = None
    for code in ("9", "92", "921", "9211"):
        parent, _ = IscoGroup.objects.get_or_create(
            code=code, defaults={"level": len(code), "title": f"Group {code}", "parent": parent}
        )


def test_parallel_approvals_keep_the_quota(isco, make_order, employer_user, ministry, make_user, ministry_admin):
    if connection.vendor != "postgresql":
        pytest.skip("the race needs concurrent writers: run against PostgreSQL (scripts/test does)")
    from corridor.core.access import Role

    officers = [make_user(Role.MINISTRY_OFFICER, organisation=ministry_admin.organisation) for _ in range(12)]
    orders = []
    for _ in range(12):
        order = services.job_order_submit(actor=employer_user, order=make_order(positions=6), today=TODAY)
        orders.append(services.job_order_review(actor=ministry, order=order, today=TODAY))
    # Quotas: MX 60 per year, so 10 of these 12 orders of 6 positions fit.
    barrier = threading.Barrier(len(orders))
    outcomes: list[str] = []
    lock = threading.Lock()

    def approve(officer, order):
        try:
            barrier.wait(timeout=30)
            services.job_order_approve(actor=officer, order=order, today=TODAY)
            result = "approved"
        except Conflict:
            result = "quota"
        except Exception as exc:  # noqa: BLE001 - reported in the assertion below
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=approve, args=pair) for pair in zip(officers, orders, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["approved"] * 10 + ["quota"] * 2, outcomes
    counter = QuotaCounter.objects.get(scope="origin", key="MX", year=TODAY.year)
    assert counter.used == 60 == counter.limit
    assert QuotaCounter.objects.get(scope="programme", year=TODAY.year).used == 60
    assert JobOrder.objects.filter(status=Status.APPROVED).count() == 10
