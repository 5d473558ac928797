"""The workers' demo: every pool state for Mexico, Jamaica, Morocco and Nepal, built through the services, linked to
the demo worker accounts, and built twice without change."""

import pytest
from django.utils import timezone

from corridor.accounts.models import User
from corridor.core.models import AuditEvent
from corridor.demo.content import build_demo
from corridor.workers import demo, selectors, services
from corridor.workers.models import Consent, DuplicateFlag, IdentityDocument, PoolStatus, Worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def built():
    build_demo()


def _state(worker: Worker) -> str:
    today = timezone.localdate()
    if worker.confirmed_at is None:
        return demo.BEHALF
    if worker.banned_until and worker.banned_until >= today:
        return demo.EXCLUDED
    if worker.status == PoolStatus.REGISTERED:
        if worker.documents.exists() and not services.valid_documents(worker).exists():
            return demo.EXPIRED
        return demo.SELF
    return worker.status


def test_every_state_for_every_country(built):
    for country, specs in demo.WORKERS.items():
        workers = [demo._existing(spec, country) for spec in specs]
        assert all(workers), country
        assert {_state(w) for w in workers} == set(demo.STATES), country
        for worker, spec in zip(workers, specs, strict=True):
            assert _state(worker) == spec.state, (country, spec.given)


def test_demo_accounts_are_linked(built):
    jose = Worker.objects.get(user__username="worker")
    assert jose.full_name == "José Luis Martínez López" and jose.status == PoolStatus.WORK_READY
    purposes = set(Consent.objects.filter(worker=jose, withdrawn_at__isnull=True, programme__code="CA-SAG")
                   .values_list("purpose", flat=True))
    assert purposes == {"selection", "employers"}
    employer = User.objects.get(username="employer")
    assert jose in selectors.worker_list(user=employer)
    assert Worker.objects.get(user__username="worker_ma").status == PoolStatus.VERIFIED
    assert Worker.objects.get(user__username="worker_np").status == PoolStatus.WORK_READY
    immigration = User.objects.get(username="immigration_officer")
    assert not selectors.worker_list(user=immigration).exists()


def test_built_through_the_services_and_twice_without_change(built):
    assert AuditEvent.objects.filter(action="worker.verify").count() >= 12
    assert AuditEvent.objects.filter(action="worker.exclude").count() == 4
    counts = [m.objects.count() for m in (Worker, IdentityDocument, Consent, DuplicateFlag, AuditEvent)]
    build_demo()
    assert [m.objects.count() for m in (Worker, IdentityDocument, Consent, DuplicateFlag, AuditEvent)] == counts


def test_second_registrations_are_caught(built):
    """A worker registered again with another spelling is flagged; one flag waits for review, one was merged with
    the merged record kept as history."""
    open_flag = DuplicateFlag.objects.get(status="open")
    assert {open_flag.first.given_names, open_flag.second.given_names} == {"Mohamed Amine", "Mohammed Amin"}
    merged_flag = DuplicateFlag.objects.get(status="merged")
    merged = Worker.objects.get(status=PoolStatus.MERGED)
    assert merged.merged_into_id in (merged_flag.first_id, merged_flag.second_id)
    assert AuditEvent.objects.filter(action="worker.duplicate.merge").exists()
    build_demo()
    assert DuplicateFlag.objects.count() == 2
