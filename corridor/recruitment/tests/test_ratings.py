"""Workers rate the agencies that recruited or registered them; an origin officer moderates; the public sees only
averages over at least five counted ratings, never a comment."""

import pytest

from corridor.core.access import Role
from corridor.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from corridor.core.models import AuditEvent
from corridor.recruitment import selectors, services
from corridor.recruitment.models import AgencyRating, RatingStatus

pytestmark = pytest.mark.django_db

SCORES = {"fees": 5, "information": 4, "contract_honesty": 4, "treatment": 3}


@pytest.fixture
def rater(make_worker, agency_org, consent_to):
    worker = make_worker()
    consent_to(worker, agency_org)
    return worker


def test_a_worker_with_a_consent_to_the_agency_rates_it(rater, agency_org):
    rating = services.rating_submit(actor=rater.user, agency=agency_org, comment="Clear and honest.", **SCORES)
    assert rating.status == RatingStatus.PENDING and rating.treatment == 3
    assert AuditEvent.objects.filter(action="agency_rating.submit", subject_id=str(rating.pk)).exists()


def test_registration_by_the_agency_or_a_cost_entry_naming_it_also_qualifies(make_worker, agency_org, programme):
    registered = make_worker(registered_by_organisation=agency_org)
    services.rating_submit(actor=registered.user, agency=agency_org, **SCORES)
    from corridor.recruitment.models import CostEntry

    paid = make_worker()
    CostEntry.objects.create(worker=paid, programme=programme, category="medical", payer="worker", agency=agency_org,
                             amount="50", currency="MXN", paid_on="2027-01-10", source="worker", violation=True)
    services.rating_submit(actor=paid.user, agency=agency_org, **SCORES)
    assert AgencyRating.objects.count() == 2


def test_a_worker_with_no_tie_to_the_agency_cannot_rate_it(make_worker, agency_org, consent_to):
    stranger = make_worker()
    with pytest.raises(Forbidden):
        services.rating_submit(actor=stranger.user, agency=agency_org, **SCORES)
    withdrawn = consent_to(stranger, agency_org)
    from django.utils import timezone

    withdrawn.withdrawn_at = timezone.now()
    withdrawn.save()
    with pytest.raises(Forbidden):
        services.rating_submit(actor=stranger.user, agency=agency_org, **SCORES)
    assert not AgencyRating.objects.exists()


def test_only_workers_rate(make_user, agency_org, agency_user):
    for actor in (make_user(Role.WORKER), agency_user, make_user(Role.ORIGIN_OFFICER, country="MX")):
        with pytest.raises(Forbidden):
            services.rating_submit(actor=actor, agency=agency_org, **SCORES)


def test_scores_are_1_to_5_and_every_bad_score_is_named(rater, agency_org):
    with pytest.raises(InvalidInput) as exc:
        services.rating_submit(actor=rater.user, agency=agency_org, fees=0, information="six", contract_honesty=None,
                               treatment=True, comment="x" * 2001)
    assert {e["field"] for e in exc.value.errors} == {"fees", "information", "contract_honesty", "treatment", "comment"}
    assert not AgencyRating.objects.exists()


def test_only_agencies_are_rated(rater, employer):
    with pytest.raises(NotFound):
        services.rating_submit(actor=rater.user, agency=employer.organisation, **SCORES)
    with pytest.raises(NotFound):
        services.rating_submit(actor=rater.user, agency=999999, **SCORES)


def test_one_rating_per_worker_and_agency_an_update_goes_back_to_moderation(rater, agency_org, mx_officer):
    first = services.rating_submit(actor=rater.user, agency=agency_org, **SCORES)
    services.rating_moderate(actor=mx_officer, rating=first, decision="publish")
    second = services.rating_submit(actor=rater.user, agency=agency_org, **{**SCORES, "fees": 1}, comment="They asked for money later.")
    assert second.pk == first.pk and second.fees == 1
    assert second.status == RatingStatus.PENDING and second.moderated_by is None
    assert AgencyRating.objects.filter(agency=agency_org).count() == 1
    assert AuditEvent.objects.filter(action="agency_rating.update", subject_id=str(first.pk)).exists()


def test_moderation_by_the_origin_authority_of_the_agencys_country(rater, agency_org, jm_officer, mx_officer, make_user):
    rating = services.rating_submit(actor=rater.user, agency=agency_org, **SCORES)
    for actor in (jm_officer, make_user(Role.MINISTRY_ADMIN), rater.user):
        with pytest.raises(Forbidden):
            services.rating_moderate(actor=actor, rating=rating, decision="publish")
    with pytest.raises(InvalidInput) as exc:
        services.rating_moderate(actor=mx_officer, rating=rating, decision="reject", note="")
    assert [e["field"] for e in exc.value.errors] == ["note"]
    with pytest.raises(InvalidInput):
        services.rating_moderate(actor=mx_officer, rating=rating, decision="hide")
    rejected = services.rating_moderate(actor=mx_officer, rating=rating, decision="reject", note="Names a person.")
    assert rejected.status == RatingStatus.REJECTED and rejected.moderation_note == "Names a person."
    with pytest.raises(Conflict):
        services.rating_moderate(actor=mx_officer, rating=rating, decision="publish")


def test_the_moderation_queue_holds_pending_ratings_of_the_country(rater, agency_org, mx_officer, jm_officer):
    rating = services.rating_submit(actor=rater.user, agency=agency_org, **SCORES)
    assert list(selectors.moderation_queue(user=mx_officer)) == [rating]
    assert list(selectors.moderation_queue(user=jm_officer)) == []


def _published(make_worker, consent_to, agency, officer, scores_list):
    for scores in scores_list:
        worker = make_worker()
        consent_to(worker, agency)
        rating = services.rating_submit(actor=worker.user, agency=agency, comment="private words", **scores)
        services.rating_moderate(actor=officer, rating=rating, decision="publish")


def test_aggregates_appear_only_over_five_counted_ratings(make_worker, consent_to, agency_org, mx_officer):
    _published(make_worker, consent_to, agency_org, mx_officer, [SCORES] * 4)
    # A pending and a rejected rating are never counted.
    pending = make_worker()
    consent_to(pending, agency_org)
    services.rating_submit(actor=pending.user, agency=agency_org, **SCORES)
    assert selectors.rating_aggregate(agency_org) == {"shown": False, "count": None, "averages": None}
    _published(make_worker, consent_to, agency_org, mx_officer, [{"fees": 1, "information": 2, "contract_honesty": 3, "treatment": 4}])
    aggregate = selectors.rating_aggregate(agency_org)
    assert aggregate["shown"] and aggregate["count"] == 5
    assert aggregate["averages"] == {"fees": 4.2, "information": 3.6, "contract_honesty": 3.8, "treatment": 3.2}


def test_rating_rows_are_seen_by_the_worker_and_the_moderators_only(rater, agency_org, agency_user, mx_officer, make_user,
                                                                    make_worker):
    rating = services.rating_submit(actor=rater.user, agency=agency_org, **SCORES)
    assert list(selectors.rating_list(user=rater.user)) == [rating]
    assert list(selectors.rating_list(user=mx_officer)) == [rating]
    assert list(selectors.rating_list(user=agency_user)) == []  # the agency never sees who rated it
    assert list(selectors.rating_list(user=make_worker().user)) == []
    assert list(selectors.rating_list(user=make_user(Role.MINISTRY_ADMIN))) == []


def test_immigration_cannot_see_rating_rows(rater, agency_org, make_user, make_user_with_roles):
    services.rating_submit(actor=rater.user, agency=agency_org, **SCORES)
    with pytest.raises(Forbidden):
        selectors.rating_list(user=make_user(Role.IMMIGRATION_OFFICER))
    # An immigration officer who also holds an origin role still sees nothing.
    with pytest.raises(Forbidden):
        selectors.rating_list(user=make_user_with_roles(Role.IMMIGRATION_OFFICER, Role.ORIGIN_OFFICER))


def test_agencies_to_rate_lists_the_agencies_tied_to_the_worker(rater, agency_org):
    assert selectors.agencies_to_rate(user=rater.user) == [(agency_org, None)]
    rating = services.rating_submit(actor=rater.user, agency=agency_org, **SCORES)
    assert selectors.agencies_to_rate(user=rater.user) == [(agency_org, rating)]
