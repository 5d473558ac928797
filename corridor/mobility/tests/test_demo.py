"""The demo: sel_jm_02 moves from Fraser Valley to Niagara without Fraser Valley's permission, one opening stays
open; twice without change."""

import pytest

from corridor.demo.content import build_demo
from corridor.deployment.models import Journey
from corridor.mobility import demo
from corridor.mobility.models import ApplicationStatus, OpeningStatus, TransferApplication, TransferOpening

pytestmark = pytest.mark.django_db


def test_the_demo_shows_a_completed_change_and_an_open_opening():
    build_demo()
    demo.build({}, {})
    application = TransferApplication.objects.get(worker__user__username="sel_jm_02")
    assert application.status == ApplicationStatus.COMPLETED and application.cause == "own_choice"
    old = application.journey
    assert old.state == "moved" and old.placement.job_order.employer.organisation.name.startswith("Fraser Valley")
    new = Journey.objects.get(previous=old)
    assert new.state == "employed" and new.placement.job_order.employer == application.opening.job_order.employer
    assert TransferOpening.objects.filter(status=OpeningStatus.OPEN).exclude(pk=application.opening_id).exists()
    counts = (TransferOpening.objects.count(), TransferApplication.objects.count(), Journey.objects.count())
    demo.build({}, {})
    assert counts == (TransferOpening.objects.count(), TransferApplication.objects.count(), Journey.objects.count())
