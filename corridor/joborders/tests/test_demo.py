"""The job-order demo (every status of the workflow, built through the services) and the generated data sets."""

import pytest
from django.db import transaction
from django.db.models import F

from corridor.accounts.models import User
from corridor.core.errors import InvalidInput
from corridor.core.models import AuditEvent
from corridor.demo import generate
from corridor.demo.content import build_demo
from corridor.employers.models import ApprovalStatus, EmployerApproval, EmployerProfile, HousingUnit
from corridor.joborders import demo, selectors, services
from corridor.joborders.models import (
    ON_BOARD,
    JobOrder,
    LabourMarketAdvert,
    OriginVerification,
    QuotaCounter,
    Status,
)

pytestmark = pytest.mark.django_db

WORKFLOW = {
    "job_order.create", "job_order.submit", "job_order.review", "job_order.approve", "job_order.verify",
    "job_order.return", "job_order.fill", "job_order.close", "job_order.cancel",
}


@pytest.fixture
def built():
    build_demo()


def _counts():
    models = (JobOrder, LabourMarketAdvert, OriginVerification, QuotaCounter, EmployerProfile, EmployerApproval, HousingUnit, AuditEvent)
    return [m.objects.count() for m in models]


def test_building_twice_creates_nothing_new(built):
    first = _counts()
    build_demo()
    assert _counts() == first
    assert JobOrder.objects.values("employer", "title").distinct().count() == JobOrder.objects.count()


def test_every_status_is_shown_under_the_seasonal_programme(built):
    statuses = set(JobOrder.objects.filter(programme__code="CA-SAG").values_list("status", flat=True))
    assert statuses == set(Status.values)
    assert JobOrder.objects.filter(programme__code="CA-SAG").values("employer").distinct().count() == 2


@pytest.mark.parametrize(("code", "authority"), [("ES-MA-CIRC", "origin_officer_ma"), ("KR-EPS", "origin_officer_np")])
def test_bilateral_programmes_have_an_open_order_verified_by_the_origin(built, code, authority):
    order = JobOrder.objects.get(programme__code=code)
    assert order.status == Status.OPEN
    verification = order.verifications.get()
    assert verification.verified_by == User.objects.get(username=authority)
    assert order.quota_held == order.positions and order.quota_year == order.start_date.year
    assert order.four_eyes and order.reviewed_by != order.approved_by


def test_open_orders_are_on_the_board_with_translations(built):
    board = list(selectors.board())
    assert {o.pk for o in board} == set(JobOrder.objects.filter(status__in=ON_BOARD).values_list("pk", flat=True))
    assert len(board) >= 6
    for order in board:
        if order.programme.code == "CA-SAG":
            assert {"fr", "es"} <= set(order.translations), order.title
            assert order.description_in("fr")[1] == "fr"
    transfers = list(selectors.board(transfers=True))
    assert [o.title for o in transfers] == ["Blueberry harvest, Abbotsford"]
    named = JobOrder.objects.get(title="Orchard pruning, returning crew")
    assert named.status == Status.OPEN and len(named.named_workers) == 3


def test_the_story_employer_housing_review_approval_verification_board(built):
    order = JobOrder.objects.get(title=demo.SHOWCASE_TITLE)
    assert order.employer.approvals.get(programme=order.programme).status == ApprovalStatus.APPROVED
    assert order.housing.inspections.filter(result="pass").exists()
    assert selectors.board_get(reference=order.reference).pk == order.pk
    assert order.reviewed_by.username == "ministry_officer" and order.approved_by.username == "ministry_admin"
    assert sorted(order.verifications.values_list("origin_country", flat=True)) == ["JM", "MX"]
    actions = list(AuditEvent.objects.filter(subject_type="joborders.joborder", subject_id=str(order.pk)).order_by("pk").values_list("action", flat=True))
    assert actions == ["job_order.create", "job_order.submit", "job_order.review", "job_order.approve", "job_order.verify", "job_order.verify"]


def test_the_audit_trail_has_every_workflow_step(built):
    actions = set(AuditEvent.objects.filter(subject_type="joborders.joborder").values_list("action", flat=True))
    assert WORKFLOW <= actions
    assert AuditEvent.objects.filter(action="employer.approve", subject_label__contains="Frutas del Condado").exists()


def test_the_returned_order_has_reasons(built):
    order = JobOrder.objects.get(status=Status.RETURNED)
    assert len(order.returned_reasons) == 2 and "advertise again" in order.returned_reasons[0].lower()
    event = AuditEvent.objects.get(action="job_order.return", subject_id=str(order.pk))
    assert event.reason.splitlines() == order.returned_reasons


def test_the_waiting_order_is_in_mexicos_verification_queue(built):
    order = JobOrder.objects.get(status=Status.APPROVED)
    queue = selectors.verification_queue(user=User.objects.get(username="origin_officer"))
    assert list(queue) == [order]


def test_four_eyes_throughout(built):
    for order in JobOrder.objects.filter(approved_by__isnull=False):
        assert order.four_eyes and order.approved_by_id != order.reviewed_by_id, order.title


def test_the_wrong_order_stays_a_draft_because_the_rules_refuse_it(built):
    order = JobOrder.objects.get(title=demo.REFUSED_TITLE)
    employer = User.objects.get(username="employer")
    with pytest.raises(InvalidInput) as exc:
        services.job_order_submit(actor=employer, order=order)
    errors = exc.value.as_errors()
    assert {e["field"] for e in errors} == {"wage_amount", "housing", "adverts"}
    assert "below the floor of 17.60 CAD/hour" in " ".join(e["message"] for e in errors)
    order.refresh_from_db()
    assert order.status == Status.DRAFT
    draft = JobOrder.objects.get(title="Apple thinning crew")
    assert services.order_findings(draft)[0] == []


# --- generated data ------------------------------------------------------------------------------------------


class _Rollback(Exception):
    pass


def _generated(prefix: str):
    orders = JobOrder.objects.filter(reference__startswith=f"JO-{prefix}-").order_by("reference")
    return (
        list(
            EmployerProfile.objects.filter(organisation__name__startswith=f"{prefix} ")
            .order_by("organisation__name")
            .values_list("organisation__name", "organisation__country", "business_id", "sectors", "approvals__status")
        ),
        list(
            orders.values_list(
                "reference", "employer__organisation__name", "programme__code", "status", "title", "positions",
                "positions_filled", "start_date", "end_date", "wage_amount", "wage_currency", "wage_unit", "origin_countries",
                "quota_held",
            )
        ),
        LabourMarketAdvert.objects.filter(job_order__in=orders).count(),
        OriginVerification.objects.filter(job_order__in=orders).count(),
    )


def test_generate_makes_employers_and_job_orders_reproducibly():
    with pytest.raises(_Rollback), transaction.atomic():
        generate.run(seed=11, scale=2)
        first = _generated("G11")
        raise _Rollback
    assert not JobOrder.objects.exists()
    results = {name: counts for name, counts, _ in generate.run(seed=11, scale=2)}
    assert _generated("G11") == first
    employers, orders, adverts, verifications = first
    assert len(employers) == 2 * generate.EMPLOYERS_PER_PROGRAMME == results["employers"]["employers"]
    assert len(orders) == results["joborders"]["job_orders"] > 200
    assert adverts and verifications
    statuses = {row[3] for row in orders}
    assert statuses == set(Status.values)


def test_generated_job_orders_are_consistent():
    generate.run(seed=12, scale=3)
    orders = JobOrder.objects.filter(reference__startswith="JO-G12-")
    not_recruiting = EmployerApproval.objects.filter(status__in=[ApprovalStatus.PENDING, ApprovalStatus.REJECTED]).values("employer")
    assert not orders.filter(employer__in=not_recruiting).exclude(status=Status.DRAFT).exists()
    for order in orders.exclude(status=Status.DRAFT).select_related("programme"):
        assert order.submitted_by_id and order.rule_version_id and order.submitted_at <= order.updated_at
        if order.housing_id:
            assert order.housing.capacity >= order.positions
        if order.status in ON_BOARD | {Status.FILLED, Status.CLOSED}:
            assert order.approved_by_id != order.reviewed_by_id and order.opened_at
            assert order.verifications.count() == len(order.origin_countries)
    assert orders.filter(status=Status.PARTLY_FILLED, positions_filled=0).count() == 0
    assert orders.filter(status=Status.FILLED).exclude(positions_filled=F("positions")).count() == 0
    # The programmes' annual quota counters hold exactly what the orders hold.
    expected = {}
    for order in orders.filter(quota_held__gt=0).select_related("rule_version"):
        if (order.rule_version.rules.get("quotas") or {}).get("annual") is not None:
            key = (order.programme_id, order.quota_year)
            expected[key] = expected.get(key, 0) + order.quota_held
    counters = QuotaCounter.objects.filter(programme__code__startswith="G12-", scope="programme")
    assert {(c.programme_id, c.year): c.used for c in counters} == expected
    assert all(c.used <= c.limit for c in counters)
