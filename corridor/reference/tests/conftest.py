"""Fixtures of the reference-data tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _reference_data_present(request):
    """The data migration loads ISCO-08 and ESCO into every test database. A test elsewhere that uses
    `transaction=True` empties the tables when it ends; load them again (inside this test's transaction) if so."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        yield
        return
    transactional = marker.kwargs.get("transaction", False)
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.db import transaction

    from corridor.reference.loading import load_reference
    from corridor.reference.models import EscoOccupation, IscoGroup

    if IscoGroup.objects.count() != 619 or EscoOccupation.objects.count() != 2942:
        with transaction.atomic():
            load_reference(IscoGroup, EscoOccupation)
    yield


CROSSWALK_OK = (
    b"national_code,national_title,isco_code\n"
    b"73300,Transport truck drivers,8332\n"
    b"63200,Cooks,5120\n"
    b"85101,Harvesting labourers,9211\n"
)


@pytest.fixture
def crosswalk_ok() -> bytes:
    return CROSSWALK_OK
