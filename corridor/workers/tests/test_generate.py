"""`corridor generate` makes workers in every pool state, through bulk inserts."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from corridor.programmes.models import ProgrammeCorridor
from corridor.workers.models import (
    Consent,
    DuplicateFlag,
    DuplicateStatus,
    IdentityDocument,
    MedicalClearance,
    PoolStatus,
    Worker,
    WorkerContact,
    WorkerOccupation,
)

pytestmark = pytest.mark.django_db


def test_generate_makes_workers_of_the_corridors_in_every_state(capsys):
    call_command("generate", "--seed", "3", "--scale", "20", "--only", "programmes", "workers")
    assert "workers" in capsys.readouterr().out
    workers = Worker.objects.filter(public_id__startswith="G3-")
    assert workers.count() == 2000
    origins = set(ProgrammeCorridor.objects.filter(programme__code__startswith="G3-").values_list("origin_country", flat=True))
    assert set(workers.values_list("nationality", flat=True)) == origins
    by_status = dict(workers.values_list("status").annotate(n=Count("pk")))
    assert set(by_status) == {PoolStatus.REGISTERED, PoolStatus.VERIFIED, PoolStatus.WORK_READY, PoolStatus.MERGED}
    assert workers.filter(confirmed_at__isnull=True).exists() and workers.filter(banned_until__isnull=False).exists()
    assert workers.filter(deployed=True).exists() and workers.filter(user__isnull=False).exists()
    assert WorkerContact.objects.filter(worker__in=workers).count() == 2000
    assert not workers.filter(name_key="").exists()
    assert IdentityDocument.objects.filter(worker__in=workers).exists() and WorkerOccupation.objects.filter(worker__in=workers).exists()
    assert MedicalClearance.objects.filter(worker__status=PoolStatus.WORK_READY).exists()
    assert Consent.objects.filter(worker__status=PoolStatus.WORK_READY).exists()
    for merged in workers.filter(status=PoolStatus.MERGED):
        assert merged.merged_into.nationality == merged.nationality
        assert DuplicateFlag.objects.filter(first=merged.merged_into, second=merged, status=DuplicateStatus.MERGED).exists()
    # Every record a registered worker is verified from has a document; every work-ready one a valid medical clearance.
    assert not workers.filter(status=PoolStatus.WORK_READY, medical_clearances__isnull=True).exists()
    with pytest.raises(CommandError):
        call_command("generate", "--seed", "3", "--scale", "1", "--only", "workers")
