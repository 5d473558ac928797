"""Services: pathway status and its notice, certificates (attest, issue, revoke), referrals; who may see what."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from corridor.contracts.clauses import content_hash
from corridor.core.access import Role
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.models import AuditEvent, Notification
from corridor.pathways import selectors, services
from corridor.pathways.models import CertificateStatus, PathwayStatus, Referral, SkillsCertificate
from corridor.pathways.tests.conftest import TASKS, days_ago
from corridor.selection.models import SeasonRecord

pytestmark = pytest.mark.django_db


def _earlier_season(worker, programme, years_back=2):
    return SeasonRecord.objects.create(worker=worker, programme=programme, year=timezone.localdate().year - years_back,
                                       completed=True, returned_as_agreed=True)


# --- pathway status ----------------------------------------------------------------------------------------------


def test_one_season_and_six_months_is_nearly_eligible(pw_returned, ct_worker, sel_programme):
    (status,) = services.refresh(ct_worker)
    assert (status.seasons, status.months, status.eligible, status.near) == (1, 6, False, True)
    assert status.seasons_required == 2 and status.months_required == 6 and status.eligible_since is None
    assert not Notification.objects.filter(kind="pathway.eligible").exists()


def test_a_second_season_makes_the_worker_eligible_and_tells_them_once(pw_returned, ct_worker, sel_programme):
    services.refresh(ct_worker)
    _earlier_season(ct_worker, sel_programme)
    (status,) = services.refresh(ct_worker)
    assert status.eligible and status.eligible_since == timezone.localdate() and status.target_status == \
        "Permanent residence"
    notices = Notification.objects.filter(kind="pathway.eligible", user=ct_worker.user)
    assert notices.count() == 1 and notices.get().params["status"] == "Permanent residence"
    services.refresh(ct_worker)
    call_command("pathways-refresh")
    assert notices.count() == 1
    assert PathwayStatus.objects.filter(worker=ct_worker).count() == 1
    assert AuditEvent.objects.filter(action="pathway.eligible", subject_id=str(status.pk)).count() == 1


def test_seasons_not_completed_do_not_count(pw_returned, ct_worker, sel_programme):
    SeasonRecord.objects.create(worker=ct_worker, programme=sel_programme, year=timezone.localdate().year - 3,
                                completed=False)
    (status,) = services.refresh(ct_worker)
    assert status.seasons == 1 and not status.eligible


def test_a_stay_that_goes_on_counts_to_today_with_a_date_of_eligibility(dp_journey, pw_stay, ct_worker,
                                                                        sel_programme):
    pw_stay(dp_journey, 100)
    _earlier_season(ct_worker, sel_programme)
    result, version = selectors.progress_of(ct_worker, sel_programme)
    assert result.days == 100 and result.months == 3 and version is not None
    assert result.missing == {"seasons": 1, "months": 3}
    end = dp_journey.placement.job_order.end_date
    # This season, completed at the contract's end, is the second; the months are reached 83 days from today.
    expected = max(end, timezone.localdate() + datetime.timedelta(days=83))
    assert result.eligible_on == (expected if expected <= end else None)


def test_refresh_all_counts(pw_returned, ct_worker, sel_programme):
    _earlier_season(ct_worker, sel_programme)
    counts = services.refresh_all()
    assert counts["workers"] >= 1 and counts["eligible"] == 1 and counts["notified"] == 1
    assert services.refresh_all()["notified"] == 0


def test_status_visibility(pw_returned, ct_worker, sel_programme, sel_admin, sel_origin, dp_immigration,
                           sel_employer_user, sel_jm_origin):
    services.refresh(ct_worker)
    for user in (ct_worker.user, sel_admin, sel_origin, dp_immigration):
        assert selectors.status_list(user=user).count() == 1, user
    for user in (sel_employer_user, sel_jm_origin):
        assert selectors.status_list(user=user).count() == 0, user
    assert selectors.status_list(user=sel_admin, show="near").count() == 1
    assert selectors.status_list(user=sel_admin, show="eligible").count() == 0
    assert selectors.status_list(user=sel_admin, country="JM").count() == 0


# --- certificates ------------------------------------------------------------------------------------------------


def test_the_employer_attests_with_declared_hours(pw_certificate, pw_returned):
    cert = pw_certificate
    order = pw_returned.placement.job_order
    assert cert.status == CertificateStatus.ATTESTED and cert.hours_source == "declared"
    assert str(cert.hours_worked) == "640.0" and cert.isco_code == order.isco_code
    assert cert.start_date == pw_returned.arrived_on and cert.end_date == pw_returned.returned_on
    assert cert.verification_code is None and cert.content is None


def test_hours_come_from_the_payslips_when_there_are_some(dp_journey, pw_stay, pr_employer, payslip_data,
                                                          sel_origin, sel_employer_user):
    from corridor.deployment import services as dp
    from corridor.payroll import services as payroll

    journey = pw_stay(dp_journey, 30)
    payroll.payslip_submit(actor=pr_employer, journey=journey, **payslip_data(ordinary_hours="38", overtime_hours="4",
                                                                              gross="774.00", net="702.00"))
    journey = dp.return_record(actor=sel_origin, journey=journey, returned_on=days_ago(0).isoformat(), as_agreed=True)
    cert = services.certificate_attest(actor=sel_employer_user, journey=journey, tasks=TASKS, hours_worked="999")
    assert cert.hours_source == "payslips" and str(cert.hours_worked) == "42.0"


def test_attesting_is_for_the_employer_of_an_ended_season(pw_returned, dp_journey, sel_origin, ct_worker,
                                                          sel_employer_user, pw_stay):
    for user in (sel_origin, ct_worker.user):
        with pytest.raises(Forbidden):
            services.certificate_attest(actor=user, journey=pw_returned, tasks=TASKS, hours_worked="10")
    with pytest.raises(InvalidInput) as exc:
        services.certificate_attest(actor=sel_employer_user, journey=pw_returned, tasks=" ", hours_worked="",
                                    end_date=days_ago(0).isoformat())
    assert {e["field"] for e in exc.value.errors} == {"tasks", "hours_worked", "end_date"}
    with pytest.raises(InvalidInput) as exc:
        services.certificate_attest(actor=sel_employer_user, journey=pw_returned, tasks=TASKS, hours_worked="-3",
                                    start_date="1999-01-01")
    assert {e["field"] for e in exc.value.errors} == {"hours_worked", "start_date"}
    services.certificate_attest(actor=sel_employer_user, journey=pw_returned, tasks=TASKS, hours_worked="10")
    with pytest.raises(Conflict):
        services.certificate_attest(actor=sel_employer_user, journey=pw_returned, tasks=TASKS, hours_worked="10")
    assert SkillsCertificate.objects.count() == 1


def test_a_season_still_going_on_cannot_be_attested(dp_journey, pw_stay, sel_employer_user):
    journey = pw_stay(dp_journey, 30)
    with pytest.raises(Conflict) as exc:
        services.certificate_attest(actor=sel_employer_user, journey=journey, tasks=TASKS, hours_worked="10")
    assert exc.value.field == "journey"


def test_issuing_locks_the_content_under_a_hash_and_a_code(pw_issued, ct_worker):
    cert = pw_issued
    assert cert.status == CertificateStatus.ISSUED and cert.issued_at is not None
    assert cert.verification_code.startswith("SC-") and len(cert.verification_code) == 12
    assert cert.content_hash == content_hash(cert.content)
    assert cert.content["worker_name"] == ct_worker.full_name and cert.content["hours_worked"] == "640.0"
    assert Notification.objects.filter(kind="skills_certificate.issued", user=ct_worker.user).count() == 1
    assert AuditEvent.objects.filter(action="skills_certificate.issue", subject_id=str(cert.pk)).exists()


def test_only_the_origin_authority_or_the_ministry_issue(pw_certificate, sel_employer_user, sel_jm_origin,
                                                         dp_immigration, sel_officer):
    for user in (sel_employer_user, sel_jm_origin, dp_immigration):
        with pytest.raises(Forbidden):
            services.certificate_issue(actor=user, certificate=pw_certificate)
    cert = services.certificate_issue(actor=sel_officer, certificate=pw_certificate)
    with pytest.raises(Conflict):
        services.certificate_issue(actor=sel_officer, certificate=cert)


def test_revoking_needs_a_reason_and_verification_says_so(pw_issued, sel_origin, sel_employer_user):
    with pytest.raises(InvalidInput) as exc:
        services.certificate_revoke(actor=sel_origin, certificate=pw_issued, reason="  ")
    assert exc.value.field == "reason"
    with pytest.raises(Forbidden):
        services.certificate_revoke(actor=sel_employer_user, certificate=pw_issued, reason="Wrong")
    cert = services.certificate_revoke(actor=sel_origin, certificate=pw_issued, reason="Hours were overstated.")
    facts = selectors.verify(cert.verification_code)
    assert facts["current"] is False and facts["status"] == "revoked"
    assert facts["revocation_reason"] == "Hours were overstated."
    with pytest.raises(Conflict):
        services.certificate_revoke(actor=sel_origin, certificate=cert, reason="Again")


def test_verification_reads_codes_as_people_type_them(pw_issued, pw_certificate):
    code = pw_issued.verification_code
    facts = selectors.verify(code.lower().replace("-", " "))
    assert facts["code"] == code and facts["current"] is True and facts["occupation"] == pw_issued.occupation
    assert "wage" not in str(facts).lower() and "gross" not in facts
    assert selectors.verify("SC-0000-0000") is None and selectors.verify("") is None
    assert selectors.verify("CT-7KQ2-M9XD") is None


def test_certificate_visibility(pw_certificate, ct_worker, sel_employer_user, sel_origin, sel_admin, dp_immigration,
                                sel_jm_origin):
    for user in (ct_worker.user, sel_employer_user, sel_origin, sel_admin):
        assert selectors.certificate_list(user=user).count() == 1, user
    for user in (dp_immigration, sel_jm_origin):
        assert selectors.certificate_list(user=user).count() == 0, user


# --- referrals ---------------------------------------------------------------------------------------------------


def _refer(actor, worker, **changes):
    data = {"kind": "job_placement", "provider": "Servicio Nacional de Empleo", "referred_on": days_ago(2).isoformat(),
            "consent": True, "note": ""}
    data.update(changes)
    return services.referral_create(actor=actor, worker=worker, **data)


def test_the_origin_authority_refers_a_returned_worker_who_consents(pw_returned, ct_worker, sel_origin):
    referral = _refer(sel_origin, ct_worker)
    assert referral.consent and referral.outcome == "in_progress" and referral.journey_id == pw_returned.pk
    assert Notification.objects.filter(kind="referral.created", user=ct_worker.user).exists()
    referral = services.referral_outcome(actor=sel_origin, referral=referral, outcome="completed",
                                         note="Hired by a packing plant.")
    assert referral.outcome == "completed" and referral.outcome_on == timezone.localdate()
    referral = services.referral_outcome(actor=sel_origin, referral=referral, outcome="in_progress")
    assert referral.outcome_on is None


def test_referral_input_is_checked_field_by_field(pw_returned, ct_worker, sel_origin):
    with pytest.raises(InvalidInput) as exc:
        _refer(sel_origin, ct_worker, kind="loan", provider="", consent=False, referred_on="2099-01-01")
    assert {e["field"] for e in exc.value.errors} == {"kind", "provider", "consent", "referred_on"}
    with pytest.raises(InvalidInput) as exc:
        _refer(sel_origin, ct_worker, referred_on=days_ago(30).isoformat())
    assert exc.value.field == "referred_on"
    referral = _refer(sel_origin, ct_worker)
    with pytest.raises(InvalidInput) as exc:
        services.referral_outcome(actor=sel_origin, referral=referral, outcome="lost")
    assert exc.value.field == "outcome"
    assert Referral.objects.count() == 1


def test_only_returned_workers_are_referred(dp_journey, pw_stay, ct_worker, sel_origin):
    pw_stay(dp_journey, 30)
    with pytest.raises(InvalidInput) as exc:
        _refer(sel_origin, ct_worker)
    assert exc.value.field == "worker"


def test_only_the_origin_authority_of_the_worker_refers(pw_returned, ct_worker, sel_jm_origin, sel_admin,
                                                        sel_employer_user, sel_origin):
    for user in (sel_jm_origin, sel_admin, sel_employer_user, ct_worker.user):
        with pytest.raises(Forbidden):
            _refer(user, ct_worker)
    referral = _refer(sel_origin, ct_worker)
    with pytest.raises(Forbidden):
        services.referral_outcome(actor=sel_jm_origin, referral=referral, outcome="declined")


def test_referral_visibility(pw_returned, ct_worker, sel_origin, sel_admin, dp_immigration, sel_employer_user,
                             make_user):
    _refer(sel_origin, ct_worker)
    assert selectors.referral_list(user=ct_worker.user).count() == 1
    assert selectors.referral_list(user=sel_origin).count() == 1
    for user in (sel_admin, dp_immigration, sel_employer_user, make_user(Role.LABOUR_INSPECTOR)):
        assert selectors.referral_list(user=user).count() == 0


def test_the_database_refuses_changing_an_issued_certificate(pw_issued, sel_origin):
    from django.db import DatabaseError, transaction

    for change in ({"tasks": "Something else"}, {"hours_worked": 9999}, {"content": {"forged": True}},
                   {"verification_code": "SC-0000-0000"}):
        with pytest.raises(DatabaseError), transaction.atomic():
            SkillsCertificate.objects.filter(pk=pw_issued.pk).update(**change)
    cert = services.certificate_revoke(actor=sel_origin, certificate=pw_issued, reason="Wrong season.")
    with pytest.raises(DatabaseError), transaction.atomic():
        SkillsCertificate.objects.filter(pk=cert.pk).update(status="issued")
    assert SkillsCertificate.objects.get(pk=cert.pk).status == "revoked"


def test_an_attested_certificate_may_still_be_corrected_in_the_database(pw_certificate):
    SkillsCertificate.objects.filter(pk=pw_certificate.pk).update(tasks="Corrected before issue.")
    assert SkillsCertificate.objects.get(pk=pw_certificate.pk).tasks == "Corrected before issue."


def test_a_journey_continuing_with_a_new_employer_starts_where_the_previous_ended():
    from corridor.deployment.models import Journey

    moved_at = timezone.now() - datetime.timedelta(days=40)
    previous = Journey(pk=1, state="moved", state_since=moved_at, arrived_on=days_ago(100))
    chained = Journey(pk=2, state="returned", previous=previous, arrived_on=days_ago(100), returned_on=days_ago(5))
    assert selectors.stay_start(chained) == timezone.localdate(moved_at)
    assert selectors.stay_start(previous) == days_ago(100)
    alone = Journey(pk=3, state="returned", arrived_on=days_ago(30), returned_on=days_ago(2))
    assert selectors.stay_start(alone) == days_ago(30)
