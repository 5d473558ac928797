"""`corridor generate` opens selection rounds and writes workers' rankings at scale, as the services would accept them."""

import pytest
from django.db.models import Count, Max, Min

from corridor.core.models import AuditEvent
from corridor.demo import generate
from corridor.joborders.models import JobOrder
from corridor.programmes.rulebook import RuleSet
from corridor.programmes.selectors import rule_version_in_force
from corridor.selection import services
from corridor.selection.loading import OPEN_STATUSES
from corridor.selection.models import Preference, SelectionRound
from corridor.workers.models import Consent, ConsentPurpose, PoolStatus, Worker

pytestmark = pytest.mark.django_db


def _results(**kwargs) -> dict:
    return {name: counts for name, counts, _ in generate.run(**kwargs)}


def test_generate_opens_rounds_and_writes_rankings_that_respect_the_rules():
    results = _results(seed=31, scale=2)
    counts = results["selection"]
    rounds = list(SelectionRound.objects.filter(programme__code__startswith="G31-").select_related("programme"))
    with_orders = set(JobOrder.objects.filter(programme__code__startswith="G31-", status__in=OPEN_STATUSES)
                      .values_list("programme_id", flat=True))
    assert rounds and counts["rounds"] == len(rounds)
    assert {r.programme_id for r in rounds} <= with_orders
    for rnd in rounds:
        assert rnd.number == 1 and rnd.origin_country == "" and rnd.title.startswith("G31 ")
        assert len(rnd.seed) == 64 and int(rnd.seed, 16) >= 0
        event = AuditEvent.objects.get(action="selection_round.create", subject_id=str(rnd.pk))
        assert rnd.seed in event.reason and event.programme_ref == rnd.programme_id

    prefs = Preference.objects.filter(round__in=rounds)
    assert counts["preferences"] == prefs.count() > 0
    assert counts["consents"] > 0 and counts["workers_ranking"] > 0
    # Unique per worker and round: each job order once, ranks 1..n without gaps, at most the programme's limit.
    per_worker = prefs.values("round_id", "worker_id").annotate(
        n=Count("pk"), jobs=Count("job_order_id", distinct=True), ranks=Count("rank", distinct=True),
        low=Min("rank"), high=Max("rank"),
    )
    assert len(per_worker) == counts["workers_ranking"]
    limits = {r.pk: RuleSet.model_validate(rule_version_in_force(programme=r.programme).rules).selection.max_preferences
              for r in rounds}
    assert any(row["n"] > 1 for row in per_worker)
    for row in per_worker:
        assert row["n"] == row["jobs"] == row["ranks"] == row["high"] <= limits[row["round_id"]]
        assert row["low"] == 1
    # Eligible-looking: open job orders of the round's programme accepting the worker's nationality, ranked by
    # work-ready workers of this run with a valid consent to take part in selection for the programme.
    for pref in prefs.select_related("round", "worker", "job_order"):
        order, worker = pref.job_order, pref.worker
        assert order.programme_id == pref.round.programme_id and order.status in OPEN_STATUSES
        assert worker.nationality in order.origin_countries
        assert worker.status == PoolStatus.WORK_READY and not worker.deployed and worker.public_id.startswith("G31-")
    consenting = set(Consent.objects.filter(purpose=ConsentPurpose.SELECTION, withdrawn_at__isnull=True)
                     .values_list("worker_id", "programme_id"))
    assert set(prefs.values_list("worker_id", "round__programme_id")) <= consenting

    # The rankings are what a run reads: a generated round runs end to end.
    busiest = prefs.values("round_id").annotate(n=Count("pk")).order_by("-n", "round_id").first()
    run = services.run_round(actor=None, rnd=SelectionRound.objects.get(pk=busiest["round_id"]), system=True)
    assert run.outcomes.count() == prefs.filter(round_id=busiest["round_id"]).values("worker_id").distinct().count()

    with pytest.raises(ValueError):
        generate.run(seed=31, scale=2)


def test_generate_selection_alone_ranks_the_consenting_workers_already_in_the_pool():
    generate.run(seed=32, scale=1)
    before = Preference.objects.count()
    counts = _results(seed=33, scale=1, only=["selection"])["selection"]
    rounds = SelectionRound.objects.filter(title__startswith="G33 ")
    assert counts["rounds"] == rounds.count() > 0
    assert set(rounds.values_list("number", flat=True)) == {2}  # after the rounds of seed 32
    assert counts["consents"] == 0  # the workers are not this run's: only those who consented take part
    assert Preference.objects.filter(round__in=rounds).count() == counts["preferences"] == Preference.objects.count() - before
    ranked = Worker.objects.filter(selection_preferences__round__in=rounds).distinct()
    assert ranked.count() == counts["workers_ranking"] > 0
    assert not ranked.exclude(status=PoolStatus.WORK_READY).exists()
    with pytest.raises(ValueError):
        generate.run(seed=33, scale=1, only=["selection"])
