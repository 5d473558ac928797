"""Licensing agencies: application, grant, refusal, renewal, status from the dates, scopes, agency_may_act, and due
process before a suspension or a revocation (notice, response, decision, appeal to a second officer)."""

import datetime
from decimal import Decimal

import pytest

from corridor.core.access import Role
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.models import AuditEvent
from corridor.recruitment import selectors, services
from corridor.recruitment.models import (
    AgencyLicence,
    LicenceProceeding,
    LicenceScope,
    LicenceStatus,
    ProceedingStage,
)

from .conftest import TODAY, VALID_UNTIL

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _fields(exc) -> set:
    return {e["field"] for e in exc.value.errors}


# --- applying ----------------------------------------------------------------------------------------------------


def test_an_agency_applies_with_ownership_capital_deposit_and_scopes(application, agency_org, programme):
    assert application.status == LicenceStatus.APPLIED
    assert application.issuing_country == "MX"
    assert application.number is None
    assert application.capital_amount == Decimal("250000.00") and application.deposit_currency == "MXN"
    assert [(s.programme.code, s.origin_country) for s in application.scopes.all()] == [("CA-SAG", "MX")]
    assert AuditEvent.objects.filter(action="licence.apply", subject_id=str(application.pk)).exists()


def test_the_application_lists_every_bad_field_at_once_and_saves_nothing(agency_user):
    bad = {"ownership": "", "capital_amount": "lots", "capital_currency": "XXQ", "deposit_amount": "0",
           "deposit_currency": "", "bond_reference": "x" * 101, "scopes": []}
    with pytest.raises(InvalidInput) as exc:
        services.licence_apply(actor=agency_user, **bad)
    assert _fields(exc) == {"ownership", "capital_amount", "capital_currency", "deposit_amount", "deposit_currency",
                            "bond_reference", "scopes"}
    assert not AgencyLicence.objects.exists()


@pytest.mark.parametrize("value", ["1e400", "NaN", "-5", "1.234", "9999999999999", "\x00", True])
def test_amounts_out_of_bounds_are_refused(agency_user, application_data, value):
    with pytest.raises(InvalidInput) as exc:
        services.licence_apply(actor=agency_user, **{**application_data, "capital_amount": value})
    assert "capital_amount" in _fields(exc)


def test_scopes_must_be_corridors_of_the_programme_from_the_agencys_country(agency_user, application_data, programme,
                                                                           jm_only_programme):
    scopes = [
        {"programme": "CA-SAG", "origin_country": "JM"},   # a corridor, but not the agency's country
        {"programme": "CA-JM", "origin_country": "MX"},    # the agency's country, but not a corridor
        {"programme": "NOPE", "origin_country": "MX"},     # no such programme
        {"programme": "CA-SAG", "origin_country": "ZZ"},   # no such country
        {"programme": "CA-SAG", "origin_country": "MX"},
        {"programme": "CA-SAG", "origin_country": "MX"},   # twice
        42,
    ]
    with pytest.raises(InvalidInput) as exc:
        services.licence_apply(actor=agency_user, **{**application_data, "scopes": scopes})
    fields = _fields(exc)
    assert fields == {"scopes[0].origin_country", "scopes[1].origin_country", "scopes[2].programme",
                      "scopes[3].origin_country", "scopes[5]", "scopes[6]"}
    messages = " ".join(e["message"] for e in exc.value.errors)
    assert "not an open corridor of programme CA-JM" in messages
    assert not LicenceScope.objects.exists()


def test_a_programme_code_alone_means_the_agencys_country(agency_user, application_data, programme):
    licence = services.licence_apply(actor=agency_user, **{**application_data, "scopes": "ca-sag"})
    assert [(s.programme.code, s.origin_country) for s in licence.scopes.all()] == [("CA-SAG", "MX")]


def test_only_agencies_apply(make_user, application_data):
    with pytest.raises(Forbidden):
        services.licence_apply(actor=make_user(Role.EMPLOYER), **application_data)


def test_one_application_or_licence_at_a_time(agency_user, application_data, application, mx_officer, today):
    with pytest.raises(Conflict, match="already has an application"):
        services.licence_apply(actor=agency_user, **application_data)
    services.licence_grant(actor=mx_officer, licence=application, valid_until=VALID_UNTIL, today=today)
    with pytest.raises(Conflict, match="renew"):
        services.licence_apply(actor=agency_user, today=today, **application_data)
    # Once the licence has expired, the agency may apply again.
    services.licence_apply(actor=agency_user, today=VALID_UNTIL + DAY, **application_data)


# --- deciding ----------------------------------------------------------------------------------------------------


def test_grant_gives_a_number_validity_and_the_deposit_balance(licence, mx_officer, today):
    assert licence.status == LicenceStatus.ACTIVE
    assert licence.number == "MX-2027-001"
    assert (licence.valid_from, licence.valid_until) == (today, VALID_UNTIL)
    assert licence.deposit_balance == licence.deposit_amount == Decimal("100000")
    assert licence.decided_by == mx_officer
    assert AuditEvent.objects.filter(action="licence.grant", subject_id=str(licence.pk)).exists()


def test_numbers_follow_in_sequence_per_country_and_year(licence, make_org, make_user, mx_officer, programme, today,
                                                         application_data):
    from corridor.accounts.models import OrgKind

    second_org = make_org(OrgKind.RECRUITMENT_AGENCY, "MX", name="Otra Agencia")
    second = services.licence_apply(actor=make_user(Role.AGENCY, organisation=second_org), today=today, **application_data)
    granted = services.licence_grant(actor=mx_officer, licence=second, valid_until=VALID_UNTIL, today=today)
    assert granted.number == "MX-2027-002"


def test_only_the_origin_authority_of_the_agencys_country_decides(application, jm_officer, make_user, agency_user):
    ministry = make_user(Role.MINISTRY_ADMIN, country="MX")  # a ministry of the same country still does not license
    for actor in (jm_officer, ministry, agency_user, make_user(Role.PLATFORM_ADMIN)):
        with pytest.raises(Forbidden):
            services.licence_grant(actor=actor, licence=application, valid_until=VALID_UNTIL, today=TODAY)
    application.refresh_from_db()
    assert application.status == LicenceStatus.APPLIED


def test_grant_checks_the_validity(application, mx_officer):
    with pytest.raises(InvalidInput) as exc:
        services.licence_grant(actor=mx_officer, licence=application, valid_from="2027-03-01", valid_until="2027-02-01", today=TODAY)
    assert _fields(exc) == {"valid_until"}
    with pytest.raises(InvalidInput) as exc:
        services.licence_grant(actor=mx_officer, licence=application, valid_from="2027-02-30", valid_until="", today=TODAY)
    assert _fields(exc) == {"valid_from", "valid_until"}
    with pytest.raises(InvalidInput, match="at most 10 years"):
        services.licence_grant(actor=mx_officer, licence=application, valid_until="2040-01-01", today=TODAY)


def test_refusal_needs_a_reason_and_ends_the_application(application, mx_officer, agency_user, application_data):
    with pytest.raises(InvalidInput) as exc:
        services.licence_refuse(actor=mx_officer, licence=application, reason="  ")
    assert _fields(exc) == {"reason"}
    refused = services.licence_refuse(actor=mx_officer, licence=application, reason="The bond is not from a licensed bank.")
    assert refused.status == LicenceStatus.REFUSED and refused.number is None
    with pytest.raises(Conflict):
        services.licence_grant(actor=mx_officer, licence=refused, valid_until=VALID_UNTIL, today=TODAY)
    # A refused agency may apply again.
    services.licence_apply(actor=agency_user, **application_data)


def test_a_granted_licence_cannot_be_granted_or_refused_again(licence, mx_officer):
    with pytest.raises(Conflict):
        services.licence_grant(actor=mx_officer, licence=licence, valid_until=VALID_UNTIL, today=TODAY)
    with pytest.raises(Conflict):
        services.licence_refuse(actor=mx_officer, licence=licence, reason="late")


# --- status from the dates, renewal ------------------------------------------------------------------------------


def test_a_licence_expires_by_its_dates_without_any_job(licence):
    assert selectors.status_on(licence, VALID_UNTIL) == LicenceStatus.ACTIVE
    assert selectors.status_on(licence, VALID_UNTIL + DAY) == LicenceStatus.EXPIRED
    annotated = selectors.with_current_status(AgencyLicence.objects.filter(pk=licence.pk), VALID_UNTIL + DAY).get()
    assert annotated.current_status == LicenceStatus.EXPIRED


def test_renewal_extends_an_expired_licence_and_it_is_active_again(licence, mx_officer, programme):
    later = VALID_UNTIL + 10 * DAY
    assert selectors.agency_may_act(licence.agency, programme, "MX", later)[0] is False
    renewed = services.licence_renew(actor=mx_officer, licence=licence, valid_until="2031-02-28", today=later)
    assert renewed.valid_from == later and renewed.valid_until == datetime.date(2031, 2, 28)
    assert renewed.number == licence.number
    assert selectors.agency_may_act(licence.agency, programme, "MX", later)[0] is True
    assert AuditEvent.objects.filter(action="licence.renew", subject_id=str(licence.pk)).exists()


def test_renewal_must_extend_and_is_refused_for_revoked_licences(licence, mx_officer):
    with pytest.raises(InvalidInput, match="after the current end"):
        services.licence_renew(actor=mx_officer, licence=licence, valid_until=VALID_UNTIL.isoformat(), today=TODAY)
    AgencyLicence.objects.filter(pk=licence.pk).update(status=LicenceStatus.REVOKED)
    licence.refresh_from_db()
    with pytest.raises(Conflict):
        services.licence_renew(actor=mx_officer, licence=licence, valid_until="2031-01-01", today=TODAY)


# --- agency_may_act ----------------------------------------------------------------------------------------------


def test_agency_may_act_within_its_licence(licence, programme):
    allowed, reason = selectors.agency_may_act(licence.agency, programme, "MX", TODAY)
    assert allowed and licence.number in reason
    assert selectors.agency_may_act(licence.agency, "CA-SAG", "mx", TODAY)[0]
    assert selectors.active_licence(licence.agency, TODAY) == licence


def test_agency_may_act_refuses_outside_the_scope(licence, programme, other_programme):
    allowed, reason = selectors.agency_may_act(licence.agency, other_programme, "MX", TODAY)
    assert not allowed and reason == f"Licence {licence.number} does not cover programme CA-LOW."
    allowed, reason = selectors.agency_may_act(licence.agency, programme, "JM", TODAY)
    assert not allowed and "does not cover origin country JM" in reason


def test_agency_may_act_refuses_without_a_licence_or_before_the_grant(agency_org, application, programme):
    allowed, reason = selectors.agency_may_act(agency_org, programme, "MX", TODAY)
    assert not allowed and "not been granted" in reason
    assert selectors.active_licence(agency_org, TODAY) is None


def test_agency_may_act_refuses_an_agency_with_nothing(make_org, programme):
    from corridor.accounts.models import OrgKind

    org = make_org(OrgKind.RECRUITMENT_AGENCY, "MX", name="Unlicensed")
    allowed, reason = selectors.agency_may_act(org, programme, "MX", TODAY)
    assert not allowed and reason == "Unlicensed holds no recruitment agency licence."


def test_agency_may_act_refuses_an_expired_or_not_yet_valid_licence(licence, programme):
    allowed, reason = selectors.agency_may_act(licence.agency, programme, "MX", VALID_UNTIL + DAY)
    assert not allowed and reason == f"Licence {licence.number} expired on {VALID_UNTIL.isoformat()}."
    allowed, reason = selectors.agency_may_act(licence.agency, programme, "MX", TODAY - DAY)
    assert not allowed and "valid only from" in reason


def test_agency_may_act_refuses_a_suspended_licence_until_the_suspension_ends(licence, programme, mx_officer):
    proceeding = services.proceeding_open(actor=mx_officer, licence=licence, kind="suspension", grounds="Fees charged.",
                                          respond_by=TODAY + 14 * DAY, today=TODAY)
    until = TODAY + 60 * DAY
    services.proceeding_decide(actor=mx_officer, proceeding=proceeding, decision="upheld", reason="Fees charged to 12 workers.",
                               sanction_until=until, today=TODAY + 15 * DAY)
    allowed, reason = selectors.agency_may_act(licence.agency, programme, "MX", TODAY + 20 * DAY)
    assert not allowed
    assert reason == f"Licence {licence.number} is suspended until {until.isoformat()}: Fees charged to 12 workers."
    assert selectors.active_licence(licence.agency, TODAY + 20 * DAY) is None
    # The day after the suspension ends, the agency may act again.
    assert selectors.agency_may_act(licence.agency, programme, "MX", until + DAY)[0]


def test_agency_may_register_workers_of_a_covered_origin_only(licence):
    assert selectors.agency_may_register_workers(licence.agency, "MX", TODAY)[0]
    allowed, reason = selectors.agency_may_register_workers(licence.agency, "JM", TODAY)
    assert not allowed and "JM" in reason
    assert services.agency_worker_check(licence.agency, "MX", TODAY)[0]


# --- due process -------------------------------------------------------------------------------------------------


@pytest.fixture
def notice(licence, mx_officer):
    return services.proceeding_open(actor=mx_officer, licence=licence, kind="revocation", grounds="Passports retained.",
                                    respond_by=TODAY + 14 * DAY, today=TODAY)


def test_notice_needs_grounds_a_kind_and_at_least_14_days(licence, mx_officer):
    with pytest.raises(InvalidInput) as exc:
        services.proceeding_open(actor=mx_officer, licence=licence, kind="fine", grounds="", respond_by=TODAY + 13 * DAY, today=TODAY)
    assert _fields(exc) == {"kind", "grounds", "respond_by"}
    with pytest.raises(InvalidInput) as exc:
        services.proceeding_open(actor=mx_officer, licence=licence, kind="suspension", grounds="x", respond_by="soon", today=TODAY)
    assert _fields(exc) == {"respond_by"}
    assert not LicenceProceeding.objects.exists()


def test_notice_changes_nothing_for_the_licence_yet(notice, licence, programme):
    assert notice.stage == ProceedingStage.NOTICE
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.ACTIVE
    assert selectors.agency_may_act(licence.agency, programme, "MX", TODAY + DAY)[0]


def test_only_one_open_proceeding_per_licence(notice, licence, mx_officer):
    with pytest.raises(Conflict, match="still open"):
        services.proceeding_open(actor=mx_officer, licence=licence, kind="suspension", grounds="x", respond_by=TODAY + 20 * DAY, today=TODAY)


def test_no_proceeding_against_an_application(application, mx_officer):
    with pytest.raises(Conflict):
        services.proceeding_open(actor=mx_officer, licence=application, kind="suspension", grounds="x",
                                 respond_by=TODAY + 20 * DAY, today=TODAY)


def test_the_authority_cannot_decide_before_the_response_or_the_deadline(notice, mx_officer):
    with pytest.raises(Conflict, match="Wait for the agency's response"):
        services.proceeding_decide(actor=mx_officer, proceeding=notice, decision="upheld", reason="r", today=TODAY + 14 * DAY)
    # The day after the deadline, without a response, it may.
    decided = services.proceeding_decide(actor=mx_officer, proceeding=notice, decision="upheld", reason="Proven.", today=TODAY + 15 * DAY)
    assert decided.stage == ProceedingStage.DECIDED


def test_the_agency_responds_once_before_the_deadline(notice, agency_user, mx_officer, make_user):
    with pytest.raises(Forbidden):
        services.proceeding_respond(actor=make_user(Role.AGENCY, country="MX"), proceeding=notice, response="Not us.", today=TODAY)
    with pytest.raises(InvalidInput) as exc:
        services.proceeding_respond(actor=agency_user, proceeding=notice, response="", today=TODAY)
    assert _fields(exc) == {"response"}
    with pytest.raises(Conflict, match="ended"):
        services.proceeding_respond(actor=agency_user, proceeding=notice, response="Late.", today=TODAY + 15 * DAY)
    responded = services.proceeding_respond(actor=agency_user, proceeding=notice, response="The passports were returned.", today=TODAY + DAY)
    assert responded.responded_at is not None
    with pytest.raises(Conflict, match="already responded"):
        services.proceeding_respond(actor=agency_user, proceeding=notice, response="Again.", today=TODAY + DAY)
    # After the response the authority may decide at once.
    services.proceeding_decide(actor=mx_officer, proceeding=notice, decision="dismissed", reason="Returned in time.", today=TODAY + 2 * DAY)


def test_dismissal_changes_nothing_and_closes(notice, agency_user, mx_officer, licence):
    services.proceeding_respond(actor=agency_user, proceeding=notice, response="Returned.", today=TODAY)
    closed = services.proceeding_decide(actor=mx_officer, proceeding=notice, decision="dismissed", reason="No evidence.", today=TODAY)
    assert closed.stage == ProceedingStage.CLOSED
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.ACTIVE
    with pytest.raises(Conflict):
        services.proceeding_appeal(actor=agency_user, proceeding=closed, appeal="Nothing to appeal.", today=TODAY)


def test_upheld_revocation_revokes_with_the_reason(notice, agency_user, mx_officer, licence, programme):
    services.proceeding_respond(actor=agency_user, proceeding=notice, response="Denied.", today=TODAY)
    services.proceeding_decide(actor=mx_officer, proceeding=notice, decision="upheld", reason="Twelve passports held.", today=TODAY)
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.REVOKED and licence.status_reason == "Twelve passports held."
    allowed, reason = selectors.agency_may_act(licence.agency, programme, "MX", TODAY + DAY)
    assert not allowed and reason == f"Licence {licence.number} was revoked: Twelve passports held."
    assert AuditEvent.objects.filter(action="licence.revoke", subject_id=str(licence.pk)).exists()


def test_a_suspension_needs_an_end_date_after_today(licence, mx_officer, agency_user):
    proceeding = services.proceeding_open(actor=mx_officer, licence=licence, kind="suspension", grounds="Fees.",
                                          respond_by=TODAY + 14 * DAY, today=TODAY)
    services.proceeding_respond(actor=agency_user, proceeding=proceeding, response="No.", today=TODAY)
    with pytest.raises(InvalidInput) as exc:
        services.proceeding_decide(actor=mx_officer, proceeding=proceeding, decision="upheld", reason="Fees.", today=TODAY)
    assert _fields(exc) == {"sanction_until"}
    with pytest.raises(InvalidInput) as exc:
        services.proceeding_decide(actor=mx_officer, proceeding=proceeding, decision="maybe", reason="", sanction_until=TODAY, today=TODAY)
    assert _fields(exc) == {"decision", "reason"}


def test_the_agency_appeals_within_30_days_and_a_second_officer_decides(notice, agency_user, mx_officer, mx_officer2, licence):
    services.proceeding_respond(actor=agency_user, proceeding=notice, response="Denied.", today=TODAY)
    decided = services.proceeding_decide(actor=mx_officer, proceeding=notice, decision="upheld", reason="Proven.", today=TODAY)
    deadline = selectors.appeal_deadline(decided)
    with pytest.raises(Conflict, match="time to appeal"):
        services.proceeding_appeal(actor=agency_user, proceeding=decided, appeal="Unfair.", today=deadline + DAY)
    with pytest.raises(Conflict, match="after the agency appealed"):
        services.proceeding_decide_appeal(actor=mx_officer2, proceeding=decided, decision="overturned", reason="r")
    appealed = services.proceeding_appeal(actor=agency_user, proceeding=decided, appeal="The witness was mistaken.", today=deadline)
    assert appealed.stage == ProceedingStage.APPEALED
    with pytest.raises(Forbidden, match="Four eyes"):
        services.proceeding_decide_appeal(actor=mx_officer, proceeding=appealed, decision="overturned", reason="r")
    with pytest.raises(InvalidInput) as exc:
        services.proceeding_decide_appeal(actor=mx_officer2, proceeding=appealed, decision="dismissed", reason="")
    assert _fields(exc) == {"decision", "reason"}
    done = services.proceeding_decide_appeal(actor=mx_officer2, proceeding=appealed, decision="overturned", reason="Mistaken witness.")
    assert done.stage == ProceedingStage.CLOSED and done.appeal_decided_by == mx_officer2
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.ACTIVE and licence.status_reason == ""
    assert AuditEvent.objects.filter(action="licence.restore", subject_id=str(licence.pk)).exists()
    with pytest.raises(Conflict):
        services.proceeding_decide_appeal(actor=mx_officer2, proceeding=done, decision="upheld", reason="again")


def test_an_upheld_appeal_leaves_the_sanction(licence, mx_officer, mx_officer2, agency_user):
    proceeding = services.proceeding_open(actor=mx_officer, licence=licence, kind="suspension", grounds="Fees.",
                                          respond_by=TODAY + 14 * DAY, today=TODAY)
    until = TODAY + 90 * DAY
    services.proceeding_decide(actor=mx_officer, proceeding=proceeding, decision="upheld", reason="Fees.", sanction_until=until,
                               today=TODAY + 15 * DAY)
    services.proceeding_appeal(actor=agency_user, proceeding=proceeding, appeal="Too harsh.", today=TODAY + 16 * DAY)
    services.proceeding_decide_appeal(actor=mx_officer2, proceeding=proceeding, decision="upheld", reason="Proportionate.")
    licence.refresh_from_db()
    assert licence.status == LicenceStatus.SUSPENDED and licence.suspended_until == until


def test_the_wrong_party_cannot_take_a_step(notice, agency_user, jm_officer, mx_officer):
    with pytest.raises(Forbidden):
        services.proceeding_respond(actor=mx_officer, proceeding=notice, response="x", today=TODAY)
    with pytest.raises(Forbidden):
        services.proceeding_decide(actor=jm_officer, proceeding=notice, decision="dismissed", reason="x", today=TODAY + 20 * DAY)
    with pytest.raises(Forbidden):
        services.proceeding_decide(actor=agency_user, proceeding=notice, decision="dismissed", reason="x", today=TODAY + 20 * DAY)
    with pytest.raises(Forbidden):
        services.proceeding_open(actor=agency_user, licence=notice.licence, kind="suspension", grounds="x",
                                 respond_by=TODAY + 20 * DAY, today=TODAY)


def test_every_step_of_due_process_is_audited(notice, agency_user, mx_officer, mx_officer2):
    services.proceeding_respond(actor=agency_user, proceeding=notice, response="No.", today=TODAY)
    services.proceeding_decide(actor=mx_officer, proceeding=notice, decision="upheld", reason="Yes.", today=TODAY)
    services.proceeding_appeal(actor=agency_user, proceeding=notice, appeal="Appeal.", today=TODAY)
    services.proceeding_decide_appeal(actor=mx_officer2, proceeding=notice, decision="upheld", reason="Stands.")
    actions = list(AuditEvent.objects.filter(subject_type="recruitment.licenceproceeding", subject_id=str(notice.pk))
                   .order_by("pk").values_list("action", flat=True))
    assert actions == ["licence.proceeding_open", "licence.proceeding_respond", "licence.proceeding_decide",
                       "licence.proceeding_appeal", "licence.proceeding_decide_appeal"]


def test_proceeding_actions_follow_the_stage(notice, agency_user, mx_officer, mx_officer2):
    assert selectors.proceeding_actions(user=agency_user, proceeding=notice, today=TODAY) == {"respond"}
    assert selectors.proceeding_actions(user=mx_officer, proceeding=notice, today=TODAY) == set()
    assert selectors.proceeding_actions(user=mx_officer, proceeding=notice, today=TODAY + 15 * DAY) == {"decide"}
    services.proceeding_respond(actor=agency_user, proceeding=notice, response="No.", today=TODAY)
    services.proceeding_decide(actor=mx_officer, proceeding=notice, decision="upheld", reason="Yes.", today=TODAY)
    notice.refresh_from_db()
    assert selectors.proceeding_actions(user=agency_user, proceeding=notice, today=TODAY) == {"appeal"}
    services.proceeding_appeal(actor=agency_user, proceeding=notice, appeal="Appeal.", today=TODAY)
    notice.refresh_from_db()
    assert selectors.proceeding_actions(user=mx_officer, proceeding=notice) == set()
    assert selectors.proceeding_actions(user=mx_officer2, proceeding=notice) == {"decide_appeal"}


# --- links -------------------------------------------------------------------------------------------------------


def test_an_agency_records_the_employers_it_recruits_for(licence, agency_user, employer, programme, other_programme):
    link = services.link_record(actor=agency_user, employer=employer, programme=programme, today=TODAY)
    assert link.since == TODAY and link.agency_id == licence.agency_id
    assert selectors.jointly_liable_agencies(employer, programme, TODAY) == [licence.agency]
    assert list(selectors.link_list(user=employer.member)) == [link]
    with pytest.raises(Conflict):
        services.link_record(actor=agency_user, employer=employer, programme=programme, today=TODAY)
    services.link_end(actor=agency_user, link=link, ended_on=TODAY + 30 * DAY)
    assert selectors.jointly_liable_agencies(employer, programme, TODAY + 31 * DAY) == []


def test_no_link_outside_the_licence(licence, agency_user, employer, programme, other_programme):
    with pytest.raises(InvalidInput, match="takes no part"):
        services.link_record(actor=agency_user, employer=employer, programme=other_programme, today=TODAY)
    with pytest.raises(InvalidInput, match="expired"):
        services.link_record(actor=agency_user, employer=employer, programme=programme, today=VALID_UNTIL + DAY)
    with pytest.raises(InvalidInput) as exc:
        services.link_record(actor=agency_user, employer="x", programme="NOPE", since="2027-02-31", today=TODAY)
    assert _fields(exc) == {"employer", "programme", "since"}


def test_no_link_without_a_licence(agency_user, employer, programme):
    with pytest.raises(InvalidInput, match="holds no recruitment agency licence"):
        services.link_record(actor=agency_user, employer=employer, programme=programme, today=TODAY)
