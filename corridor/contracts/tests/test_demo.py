"""The demo takes placements and contracts of the Canadian programme to every state, once."""

from decimal import Decimal

import pytest

from corridor.contracts import clauses, selectors
from corridor.contracts.models import Contract, ContractStatus, ContractTemplate, Placement, PlacementStatus
from corridor.demo.content import build_demo

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_state_of_placements_and_contracts():
    build_demo()
    counts = (ContractTemplate.objects.count(), Placement.objects.count(), Contract.objects.count())
    build_demo()
    assert counts == (ContractTemplate.objects.count(), Placement.objects.count(), Contract.objects.count())
    assert ContractTemplate.objects.get(programme__code="CA-SAG").destination_language == "en"
    assert set(Placement.objects.values_list("status", flat=True)) == {
        PlacementStatus.PROPOSED, PlacementStatus.CONFIRMED, PlacementStatus.DECLINED}
    assert Placement.objects.filter(status=PlacementStatus.CONFIRMED, contracts__isnull=True).exists()
    assert Placement.objects.filter(status=PlacementStatus.PROPOSED, employer_confirmed_at__isnull=False,
                                    worker_confirmed_at__isnull=True).exists()
    assert set(Contract.objects.values_list("status", flat=True)) == {
        ContractStatus.DRAFT, ContractStatus.SIGNED, ContractStatus.ISSUED, ContractStatus.ACCEPTED,
        ContractStatus.REJECTED, ContractStatus.REVOKED}
    jose = list(Contract.objects.filter(placement__worker__user__username="worker").order_by("version"))
    assert [c.status for c in jose] == [ContractStatus.ACCEPTED, ContractStatus.ISSUED]
    assert [c["item"] for c in jose[1].changes] == ["pay"]
    assert Decimal(jose[1].content["pay"]["amount"]) > Decimal(jose[0].content["pay"]["amount"])
    for contract in Contract.objects.filter(locked_at__isnull=False):
        assert contract.content_hash == clauses.content_hash(contract.content)
        assert selectors.verify(contract.verification_code)["code"] == contract.verification_code
