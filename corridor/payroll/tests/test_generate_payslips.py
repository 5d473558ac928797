"""`corridor generate` places deployed workers on employed journeys and submits their pay runs through the bulk path:
the payslips, their findings, the pay runs' audit events and the workers' notices are the real ones."""

import pytest

from corridor.contracts.models import ContractStatus
from corridor.core.models import AuditEvent, Notification
from corridor.demo import generate
from corridor.deployment.models import Journey
from corridor.payroll import notices
from corridor.payroll.models import Payslip

pytestmark = pytest.mark.django_db


def test_generate_makes_employed_journeys_and_their_pay_runs():
    results = {name: counts for name, counts, _ in generate.run(seed=41, scale=3)}
    counts = results["payslips"]
    assert counts["journeys"] > 0 and counts["payslips"] > 0, counts
    journeys = Journey.objects.filter(worker__public_id__startswith="G41-")
    assert journeys.count() == counts["journeys"]
    assert set(journeys.values_list("state", flat=True)) == {"employed"}
    for journey in journeys.select_related("placement"):
        contracts = list(journey.placement.contracts.all())
        assert [c.status for c in contracts] == [ContractStatus.ACCEPTED] and contracts[0].verification_code
    slips = Payslip.objects.filter(journey__in=journeys)
    assert slips.count() == counts["payslips"]
    assert slips.exclude(findings=[]).count() == counts["with_findings"]
    assert AuditEvent.objects.filter(action="payslip.pay_run").count() == counts["pay_runs"]
    with_account = slips.exclude(findings=[]).filter(journey__worker__user__isnull=False).count()
    assert Notification.objects.filter(kind=notices.KIND_WORKER, user__isnull=False).count() == with_account
