"""The payroll services: only the worker's employer submits, only while the worker is employed under an accepted
contract; bad input names its fields and saves nothing; findings come from the locked contract and the rule version;
disputes by the worker; who sees payslips (never the immigration authority)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from corridor.core.access import Role
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.models import AuditEvent
from corridor.deployment import services as dp
from corridor.deployment.models import Journey
from corridor.payroll import selectors, services
from corridor.payroll.models import Payslip, PayslipDispute

D = Decimal


def fields(error) -> list:
    return [e["field"] for e in error.value.as_errors()]


def codes(payslip: Payslip) -> list:
    return [f["code"] for f in payslip.findings]


def finding(payslip: Payslip, code: str) -> dict:
    found = [f for f in payslip.findings if f["code"] == code]
    assert len(found) == 1, codes(payslip)
    return found[0]


@pytest.fixture
def submitted(pr_employed, pr_employer, payslip_data):
    return services.payslip_submit(actor=pr_employer, journey=pr_employed, **payslip_data())


# --- who and when --------------------------------------------------------------------------------------------------


def test_only_the_journeys_employer_submits(pr_employed, payslip_data, ct_worker, sel_origin, dp_inspector,
                                            dp_immigration, make_user):
    other_employer = make_user(Role.EMPLOYER)
    for outsider in (ct_worker.user, sel_origin, dp_inspector, dp_immigration, other_employer):
        with pytest.raises(Forbidden):
            services.payslip_submit(actor=outsider, journey=pr_employed, **payslip_data())
    assert not Payslip.objects.exists()


@pytest.mark.parametrize("state", ["contracted", "cleared", "permit_issued", "travelled", "returned", "overstayed"])
def test_only_while_employed(pr_employed, pr_employer, payslip_data, state):
    Journey.objects.filter(pk=pr_employed.pk).update(
        state=state, returned_on=timezone.localdate() if state == "returned" else None)
    with pytest.raises(Conflict) as refused:
        services.payslip_submit(actor=pr_employer, journey=pr_employed, **payslip_data())
    assert fields(refused) == ["journey"]
    assert not Payslip.objects.exists()


def test_while_changing_employer_the_employer_still_submits(pr_employed, pr_employer, payslip_data):
    Journey.objects.filter(pk=pr_employed.pk).update(state="changing_employer")
    assert services.payslip_submit(actor=pr_employer, journey=pr_employed, **payslip_data()).findings == []


def test_needs_an_accepted_contract(ct_contract, sel_origin, sel_employer_user):
    journey = dp.journey_start(actor=sel_origin, placement=ct_contract.placement)  # contract not answered yet
    Journey.objects.filter(pk=journey.pk).update(state="employed", departed_on=timezone.localdate(),
                                                 arrived_on=timezone.localdate(), welfare_contact_name="Ana Ruiz")
    end = timezone.localdate() - datetime.timedelta(days=2)
    data = {"period_start": (end - datetime.timedelta(days=6)).isoformat(), "period_end": end.isoformat(),
            "pay_date": end.isoformat(), "currency": "CAD", "gross": "720.00", "net": "720.00", "ordinary_hours": "40",
            "payment_method": "Direct deposit"}
    with pytest.raises(Conflict) as refused:
        services.payslip_submit(actor=sel_employer_user, journey=journey, **data)
    assert fields(refused) == ["journey"]
    assert not Payslip.objects.exists()


# --- input ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("changes", "field"), [
    ({"period_start": ""}, "period_start"),
    ({"period_end": None}, "period_end"),
    ({"pay_date": "yesterday"}, "pay_date"),
    ({"currency": ""}, "currency"),
    ({"currency": "C4D"}, "currency"),
    ({"gross": ""}, "gross"),
    ({"gross": "a lot"}, "gross"),
    ({"net": "NaN"}, "net"),
    ({"ordinary_hours": "-1"}, "ordinary_hours"),
    ({"overtime_hours": "three"}, "overtime_hours"),
    ({"net": "800.00"}, "net"),
    ({"payment_method": ""}, "payment_method"),
    ({"deductions": [{"type": "", "amount": "10", "evidence": "x"}]}, "deductions.0.type"),
    ({"deductions": [{"type": "tax", "amount": "ten", "evidence": "x"}]}, "deductions.0.amount"),
    ({"deductions": [{"type": "tax", "amount": "-5", "evidence": "x"}]}, "deductions.0.amount"),
    ({"deductions": ["tax"]}, "deductions.0"),
    ({"deductions": "tax 72"}, "deductions"),
    ({"deductions": [{"type": "tax", "amount": "1", "evidence": "x"}] * 51}, "deductions"),
    ({"stated_unit": "fortnight"}, "stated_unit"),
])
def test_bad_input_names_the_field_and_saves_nothing(pr_employed, pr_employer, payslip_data, changes, field):
    before = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as refused:
        services.payslip_submit(actor=pr_employer, journey=pr_employed, **payslip_data(**changes))
    assert field in fields(refused)
    assert not Payslip.objects.exists()
    assert AuditEvent.objects.count() == before


def test_period_and_pay_date_order(pr_employed, pr_employer, payslip_data):
    data = payslip_data()
    with pytest.raises(InvalidInput) as refused:
        services.payslip_submit(actor=pr_employer, journey=pr_employed,
                                **{**data, "period_end": data["period_start"], "period_start": data["period_end"]})
    assert "period_end" in fields(refused)
    assert not Payslip.objects.exists()


# --- findings ------------------------------------------------------------------------------------------------------


def test_a_lawful_payslip_stores_no_findings(submitted, pr_employed, pr_employer):
    assert submitted.findings == [] and submitted.arrears == 0
    assert submitted.due == D("720.00") and submitted.gross == D("720.00") and submitted.net == D("648.00")
    assert submitted.journey == pr_employed and submitted.submitted_by == pr_employer
    assert submitted.contract.status == "accepted"
    assert submitted.deductions == [{"type": "tax", "amount": "72.00", "evidence": "CRA-2026-01"}]


def test_audit_event_written(submitted, pr_employer, sel_programme):
    event = AuditEvent.objects.get(action="payslip.submit")
    assert event.actor == pr_employer and event.subject_id == str(submitted.pk)
    assert event.programme_ref == sel_programme.pk
    assert event.subject_category == "wage"
    assert "0 findings" in event.reason


def test_recruitment_fee_deduction_is_caught_with_arrears(pr_employed, pr_employer, payslip_data):
    slip = services.payslip_submit(actor=pr_employer, journey=pr_employed, **payslip_data(
        net="498.00", deductions=[{"type": "tax", "amount": "72.00", "evidence": "CRA"},
                                  {"type": "recruitment_fee", "amount": "150.00", "evidence": "Agency invoice"}]))
    found = finding(slip, "deduction_not_allowed")
    assert found["rule"] == "deductions.allowed_types" and found["arrears"] == "150.00"
    assert found["amounts"]["type"] == "recruitment_fee"
    assert slip.arrears == D("150.00")


def test_underpaid_hours(pr_employed, pr_employer, payslip_data):
    # 40 hours paid at 16.75 instead of the contract's 18.00
    slip = services.payslip_submit(actor=pr_employer, journey=pr_employed, **payslip_data(
        gross="670.00", net="603.00", deductions=[{"type": "tax", "amount": "67.00", "evidence": "CRA"}]))
    found = finding(slip, "underpaid")
    assert found["rule"] == "equal_pay" and found["amounts"]["due"] == "720.00" and found["arrears"] == "50.00"
    assert slip.arrears == D("50.00") and slip.due == D("720.00")


def test_overtime_is_paid_at_the_contracts_overtime_rate(pr_employed, pr_employer, payslip_data):
    # 10 overtime hours at 150%: 270.00 due on top of 720.00; paid at the ordinary rate only
    slip = services.payslip_submit(actor=pr_employer, journey=pr_employed, **payslip_data(
        overtime_hours="10", gross="900.00", net="828.00"))
    assert finding(slip, "underpaid")["arrears"] == "90.00" and slip.due == D("990.00")


def test_late_payment(pr_employed, pr_employer, payslip_data):
    data = payslip_data()
    late = datetime.date.fromisoformat(data["period_end"]) + datetime.timedelta(days=8)
    slip = services.payslip_submit(actor=pr_employer, journey=pr_employed, **{**data, "pay_date": late.isoformat()})
    assert codes(slip) == ["paid_late"] and finding(slip, "paid_late")["amounts"]["days_late"] == 1
    assert slip.arrears == 0


def test_the_same_period_twice_is_refused(submitted, pr_employed, pr_employer, payslip_data):
    with pytest.raises(Conflict) as refused:
        services.payslip_submit(actor=pr_employer, journey=pr_employed, **payslip_data(gross="800.00", net="728.00"))
    assert fields(refused) == ["period_start"]
    assert Payslip.objects.count() == 1


def test_findings_use_the_rule_versions_deduction_rules(pr_employed, pr_employer, payslip_data):
    # CA-SAG (ca-sawp preset): housing allowed up to 5% of gross, 35% in all, net at least 65% of gross
    lawful = services.payslip_submit(actor=pr_employer, journey=pr_employed, **payslip_data(
        net="612.00", deductions=[{"type": "tax", "amount": "72.00", "evidence": "CRA"},
                                  {"type": "housing", "amount": "36.00", "evidence": "Lease"}]))
    assert lawful.findings == []
    data = payslip_data()
    week = datetime.timedelta(days=7)
    later = {name: (datetime.date.fromisoformat(data[name]) - week).isoformat()
             for name in ("period_start", "period_end", "pay_date")}
    over = services.payslip_submit(actor=pr_employer, journey=pr_employed, **payslip_data(
        **later, net="598.00", deductions=[{"type": "tax", "amount": "72.00", "evidence": "CRA"},
                                           {"type": "housing", "amount": "50.00", "evidence": "Lease"}]))
    found = finding(over, "deduction_over_cap")
    assert found["rule"] == "deductions.caps_percent.housing" and found["amounts"]["cap"] == "36.00"
    assert over.arrears == D("14.00")


def test_terms_come_from_the_contract_and_the_rule_version(ct_accepted, sel_programme):
    day = timezone.localdate()
    terms = services.terms_of(ct_accepted, day)
    rules = sel_programme.rule_versions.order_by("-number").first().rules["deductions"]
    assert (terms.currency, terms.unit, terms.amount, terms.hours_per_week) == ("CAD", "hour", D("18.00"), D(40))
    assert terms.overtime_percent == D(150)
    assert list(terms.allowed_types) == rules["allowed_types"]
    assert terms.caps_percent == {k: D(str(v)) for k, v in rules["caps_percent"].items()}
    assert terms.total_cap_percent == D(35) and terms.net_floor_percent == D(65)


def test_the_hourly_rate_follows_the_contracts_unit(ct_accepted):
    from corridor.payroll.checks import hourly_rate

    # the same pay stated per week: 720.00 for 40 hours is 18.00 an hour (in memory only: the contract is locked)
    ct_accepted.content["pay"].update(unit="week", amount="720.00")
    terms = services.terms_of(ct_accepted, timezone.localdate())
    assert terms.unit == "week" and hourly_rate(terms) == D("18.00")


# --- disputes ------------------------------------------------------------------------------------------------------


def test_dispute_by_the_worker_only(submitted, ct_worker, pr_employer, sel_origin, dp_inspector):
    for outsider in (pr_employer, sel_origin, dp_inspector):
        with pytest.raises(Forbidden):
            services.dispute_raise(actor=outsider, payslip=submitted, reason="Hours missing.")
    assert not PayslipDispute.objects.exists()


def test_dispute_needs_a_reason_and_one_open_per_payslip(submitted, ct_worker):
    for reason in ("", "   ", None):
        with pytest.raises(InvalidInput) as refused:
            services.dispute_raise(actor=ct_worker.user, payslip=submitted, reason=reason)
        assert fields(refused) == ["reason"]
    with pytest.raises(InvalidInput) as refused:
        services.dispute_raise(actor=ct_worker.user, payslip=submitted, reason="x" * 4001)
    assert fields(refused) == ["reason"]
    dispute = services.dispute_raise(actor=ct_worker.user, payslip=submitted, reason="  I worked 46 hours that week. ")
    assert dispute.reason == "I worked 46 hours that week." and dispute.status == "open"
    assert dispute.raised_by == ct_worker.user
    assert AuditEvent.objects.filter(action="payslip.dispute", subject_id=str(dispute.pk)).exists()
    with pytest.raises(Conflict) as refused:
        services.dispute_raise(actor=ct_worker.user, payslip=submitted, reason="And the week after.")
    assert fields(refused) == ["payslip"]
    assert PayslipDispute.objects.count() == 1


# --- who sees ------------------------------------------------------------------------------------------------------


def test_who_sees_payslips_and_disputes(submitted, ct_worker, pr_employer, sel_origin, dp_inspector, dp_immigration,
                                        sel_jm_origin, make_user):
    dispute = services.dispute_raise(actor=ct_worker.user, payslip=submitted, reason="Hours missing.")
    for user in (ct_worker.user, pr_employer, sel_origin, dp_inspector):
        assert list(selectors.payslip_list(user=user)) == [submitted], user
        assert selectors.payslip_get(user=user, pk=submitted.pk) == submitted
        assert list(selectors.disputes(user=user, payslip=submitted)) == [dispute]
    for user in (dp_immigration, sel_jm_origin, make_user(Role.EMPLOYER)):
        assert not selectors.payslip_list(user=user).exists(), user
        assert not PayslipDispute.objects.restrict(user).exists()
    assert not Payslip.objects.restrict(dp_immigration).exists()
    assert not Payslip.objects.restrict(dp_immigration).filter(pk=submitted.pk).exists()


def test_with_findings_filter(submitted, pr_employed, pr_employer, payslip_data, sel_origin):
    data = payslip_data()
    week = datetime.timedelta(days=7)
    earlier = {name: (datetime.date.fromisoformat(data[name]) - week).isoformat()
               for name in ("period_start", "period_end", "pay_date")}
    flagged = services.payslip_submit(actor=pr_employer, journey=pr_employed, **payslip_data(
        **earlier, gross="670.00", net="603.00", deductions=[{"type": "tax", "amount": "67.00", "evidence": "CRA"}]))
    assert list(selectors.payslip_list(user=sel_origin, with_findings=True)) == [flagged]
    assert list(selectors.payslip_list(user=sel_origin, journey=pr_employed)) == [submitted, flagged]
