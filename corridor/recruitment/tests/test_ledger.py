"""The cost-ledger services: who records, bad input named and nothing saved, assessment against the rule version in
force, refund orders with their debtors (joint liability), refunds paid, deposit draws never below zero, first
earnings and the SDG 10.7.1 figures."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from corridor.accounts.models import OrgKind
from corridor.core.access import Role
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.models import AuditEvent
from corridor.programmes import services as programme_services
from corridor.programmes.models import ProgrammeStatus
from corridor.recruitment import ledger, ledger_selectors
from corridor.recruitment import services as agency_services
from corridor.recruitment.models import AgencyLicence, CostEntry, FirstEarnings, RefundOrder, RefundStatus

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 3, 1)
PDF = b"%PDF-1.4\n% receipt\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
EXCEPTION_RULES = {
    "workers_pay_nothing": False,
    "lawful_exceptions": [{"category": "medical", "max_amount": 100, "currency": "USD",
                           "justification": "Medical examination at a public clinic, agreed with the social partners."}],
}


@pytest.fixture
def worker(make_worker):
    return make_worker("MX")


@pytest.fixture
def ca_inspector(make_user):
    return make_user(Role.LABOUR_INSPECTOR, country="CA")


@pytest.fixture
def mx_inspector(make_user):
    return make_user(Role.LABOUR_INSPECTOR, country="MX")


@pytest.fixture
def jm_inspector(make_user):
    return make_user(Role.LABOUR_INSPECTOR, country="JM")


def record(actor, worker, **kw):
    data = {"category": "recruitment_fee", "payer": "worker", "amount": "350", "currency": "USD", "paid_on": TODAY, "today": TODAY}
    data.update(kw)
    return ledger.cost_record(actor=actor, worker=worker, **data)


def codes(exc) -> dict:
    return {e["field"]: e["message"] for e in exc.value.as_errors()}


# --- the worker records ------------------------------------------------------------------------------------------


def test_a_fee_the_agency_charged_the_worker_is_a_violation_with_a_refund_order(worker, programme, agency_org):
    entry = record(worker.user, worker, programme=programme, agency=agency_org, paid_to="Reclutamiento Justo")
    assert entry.source == "worker" and entry.violation
    assert entry.amount_in_violation == Decimal("350.00")
    assert "principle 7" in entry.finding and "C181 Art 7" in entry.finding
    assert entry.rule_version == programme.rule_versions.get(number=1)
    order = entry.refund
    assert order.amount == Decimal("350.00") and order.currency == "USD"
    assert order.due_on == TODAY + datetime.timedelta(days=30)
    assert order.debtor_agency == agency_org and order.debtor_employer is None
    assert order.status == RefundStatus.OPEN
    actions = set(AuditEvent.objects.filter(subject_id__in=[str(entry.pk), str(order.pk)]).values_list("action", flat=True))
    assert {"cost.record", "refund.order"} <= actions
    event = AuditEvent.objects.get(action="cost.record", subject_id=str(entry.pk))
    assert event.programme_ref == programme.pk and event.rule_version_ref == entry.rule_version_id
    assert "principle 7" in event.reason


def test_the_worker_can_always_record_even_naming_nobody_and_the_refund_order_follows_the_debtor(worker, programme, agency_org, mx_officer):
    entry = record(worker.user, worker, programme=programme, paid_to="a man from the agency")
    assert entry.violation
    assert not RefundOrder.objects.filter(cost=entry).exists()
    assert ledger_selectors.cost_list(user=mx_officer, refund="none").get() == entry
    ledger.cost_name_debtor(actor=mx_officer, entry=entry, agency=agency_org.pk, today=TODAY)
    order = RefundOrder.objects.get(cost=entry)
    assert order.debtor_agency == agency_org and order.amount == Decimal("350.00")
    assert AuditEvent.objects.filter(action="cost.name_debtor", subject_id=str(entry.pk)).exists()


def test_naming_a_debtor_is_for_the_worker_the_origin_authority_and_inspectors(worker, programme, agency_org, jm_officer, agency_user, employer):
    entry = record(worker.user, worker, programme=programme)
    for stranger in (jm_officer, agency_user, employer.member):
        with pytest.raises(Forbidden):
            ledger.cost_name_debtor(actor=stranger, entry=entry, agency=agency_org)
    with pytest.raises(InvalidInput) as exc:
        ledger.cost_name_debtor(actor=worker.user, entry=entry)
    assert "agency" in codes(exc)
    with pytest.raises(InvalidInput) as exc:
        ledger.cost_name_debtor(actor=worker.user, entry=entry, agency=employer.organisation.pk)
    assert "agency" in codes(exc)
    ledger.cost_name_debtor(actor=worker.user, entry=entry, employer=employer, today=TODAY)
    assert RefundOrder.objects.get(cost=entry).debtor_employer == employer
    other = ledger.cost_name_debtor(actor=worker.user, entry=entry, agency=agency_org, today=TODAY)
    assert other.agency == agency_org
    assert RefundOrder.objects.get(cost=entry).debtor_agency == agency_org  # an open order gains the agency
    with pytest.raises(Conflict):
        ledger.cost_name_debtor(actor=worker.user, entry=entry, employer=_other_employer_profile(employer))


def _other_employer_profile(employer):
    from corridor.accounts.models import Organisation
    from corridor.employers.models import EmployerProfile

    org = Organisation.objects.create(name="Other farm", kind=OrgKind.EMPLOYER, country="CA")
    return EmployerProfile.objects.create(organisation=org, business_id="BN 2", sectors=["A"], contact_name="X", contact_email="x@example.org")


def test_an_agency_linked_to_one_employer_makes_the_employer_jointly_liable(worker, programme, licence, agency_user, agency_org, employer):
    agency_services.link_record(actor=agency_user, employer=employer, programme=programme, since=TODAY, today=TODAY)
    entry = record(worker.user, worker, programme=programme, agency=agency_org)
    order = entry.refund
    assert order.debtor_agency == agency_org and order.debtor_employer == employer
    assert "jointly" in order.note


def test_a_worker_records_only_for_themselves(worker, make_worker, programme):
    other = make_worker("MX")
    with pytest.raises(Forbidden):
        record(other.user, worker, programme=programme)


# --- the other sources -------------------------------------------------------------------------------------------


def test_costs_paid_by_the_employer_are_recorded_for_transparency_never_violations(worker, programme, employer):
    _share_with_employers(worker, programme)
    entry = record(employer.member, worker, programme=programme, payer="employer", category="travel", amount="780", currency="CAD")
    assert entry.source == "employer" and entry.employer == employer
    assert not entry.violation and entry.amount_in_violation == 0
    assert "guideline 6.2" in entry.finding
    assert not RefundOrder.objects.exists()


def test_an_employer_records_for_its_own_profile_and_workers_it_may_see(worker, programme, employer):
    with pytest.raises(Forbidden):
        record(employer.member, worker, programme=programme, payer="employer")
    _share_with_employers(worker, programme)
    with pytest.raises(InvalidInput) as exc:
        record(employer.member, worker, programme=programme, payer="employer", employer=_other_employer_profile(employer))
    assert "employer" in codes(exc)
    assert not CostEntry.objects.exists()


def _share_with_employers(worker, programme):
    from django.utils import timezone

    from corridor.workers.models import Consent

    worker.status, worker.verified_at = "work_ready", timezone.now()
    worker.save()
    Consent.objects.create(worker=worker, purpose="employers", programme=programme, wording="Share my profile.", language="es")


def test_a_licensed_agency_declares_what_it_charged(worker, programme, licence, agency_user, agency_org, consent_to):
    consent_to(worker, agency_org)
    entry = record(agency_user, worker, programme=programme, category="medical", amount="1200", currency="MXN")
    assert entry.source == "agency" and entry.agency == agency_org
    assert entry.violation and entry.refund.debtor_agency == agency_org


def test_an_agency_outside_its_licence_is_refused_naming_the_programme(worker, other_programme, licence, agency_user, agency_org, consent_to):
    consent_to(worker, agency_org)
    with pytest.raises(InvalidInput) as exc:
        record(agency_user, worker, programme=other_programme)
    assert "does not cover programme CA-LOW" in codes(exc)["programme"]
    assert not CostEntry.objects.exists()


def test_an_agency_outside_its_licence_country_is_refused(make_worker, programme, licence, agency_user, agency_org, consent_to):
    jamaican = make_worker("JM")
    consent_to(jamaican, agency_org)
    with pytest.raises(InvalidInput) as exc:
        record(agency_user, jamaican, programme=programme)
    assert "origin country JM" in codes(exc)["programme"]


def test_an_agency_without_a_licence_is_refused_naming_the_agency(worker, programme, make_org, make_user, consent_to):
    unlicensed = make_org(OrgKind.RECRUITMENT_AGENCY, "MX", name="Sin Licencia S.A.")
    staff = make_user(Role.AGENCY, organisation=unlicensed)
    consent_to(worker, unlicensed)
    with pytest.raises(InvalidInput) as exc:
        record(staff, worker, programme=programme)
    assert "holds no recruitment agency licence" in codes(exc)["agency"]
    assert not CostEntry.objects.exists()


def test_an_agency_names_the_programme_itself_and_needs_the_workers_consent(worker, programme, licence, agency_user, agency_org, consent_to, make_org):
    with pytest.raises(Forbidden):
        record(agency_user, worker, programme=programme)
    consent_to(worker, agency_org)
    other = make_org(OrgKind.RECRUITMENT_AGENCY, "MX")
    with pytest.raises(InvalidInput) as exc:
        record(agency_user, worker, agency=other)
    assert {"agency", "programme"} <= set(codes(exc))


def test_an_agency_with_a_suspended_licence_is_refused(worker, programme, licence, agency_user, agency_org, consent_to):
    consent_to(worker, agency_org)
    AgencyLicence.objects.filter(pk=licence.pk).update(status="suspended", suspended_until=TODAY + datetime.timedelta(days=90))
    with pytest.raises(InvalidInput) as exc:
        record(agency_user, worker, programme=programme)
    assert "suspended" in codes(exc)["agency"]


def test_labour_inspectors_of_the_destination_or_the_workers_country_record_findings(worker, programme, ca_inspector, mx_inspector, jm_inspector):
    assert record(ca_inspector, worker, programme=programme).source == "inspector"
    assert record(mx_inspector, worker, category="illegitimate", amount="50").source == "inspector"
    with pytest.raises(Forbidden):
        record(jm_inspector, worker, programme=programme)
    with pytest.raises(Forbidden):
        record(ca_inspector, worker)  # no programme: only the worker's own country's inspectors


@pytest.mark.parametrize("role", [Role.ORIGIN_OFFICER, Role.IMMIGRATION_OFFICER, Role.RESEARCHER, Role.MINISTRY_ADMIN, Role.UNION])
def test_other_roles_do_not_record_costs(role, make_user, worker, programme):
    with pytest.raises(Forbidden):
        record(make_user(role, country="MX" if role == Role.ORIGIN_OFFICER else "CA"), worker, programme=programme)


# --- bad input ---------------------------------------------------------------------------------------------------


def test_every_bad_field_is_named_at_once_and_nothing_is_saved(worker, programme):
    with pytest.raises(InvalidInput) as exc:
        record(worker.user, worker, programme=programme, amount=None, currency="", category="gift", payer="cousin",
               paid_on=TODAY + datetime.timedelta(days=1), note="a\x00b", paid_to="x" * 201)
    errors = codes(exc)
    assert set(errors) == {"amount", "currency", "category", "payer", "paid_on", "note", "paid_to"}
    assert "amount" in errors["amount"] and "currency" in errors["currency"]
    assert "future" in errors["paid_on"]
    assert not CostEntry.objects.exists() and not AuditEvent.objects.filter(action="cost.record").exists()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("amount", "0", "more than 0"),
        ("amount", "-5", "more than 0"),
        ("amount", "abc", "not a number"),
        ("amount", "NaN", "not a number"),
        ("amount", "1.234", "at most 2 decimals"),
        ("amount", "1e40", "at most"),
        ("currency", "XYZ", "Unknown ISO 4217"),
        ("currency", 12, "required"),
        ("paid_on", "2027-02-30", "not a date"),
        ("paid_on", "1900-01-01", "on or after"),
        ("agency", 999999, "No recruitment agency"),
        ("employer", "abc", "No employer"),
    ],
)
def test_bad_values_are_named(worker, programme, field, value, message):
    with pytest.raises(InvalidInput) as exc:
        record(worker.user, worker, programme=programme, **{field: value})
    assert message in codes(exc)[field]
    assert not CostEntry.objects.exists()


def test_a_receipt_must_be_what_it_claims_and_not_too_large(worker, programme, settings):
    fake = SimpleUploadedFile("receipt.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    with pytest.raises(InvalidInput) as exc:
        record(worker.user, worker, programme=programme, receipt=fake, amount="")
    assert {"receipt", "amount"} <= set(codes(exc))
    settings.CORRIDOR_MAX_UPLOAD_BYTES = 100
    big = SimpleUploadedFile("receipt.pdf", PDF + b"0" * 200, content_type="application/pdf")
    with pytest.raises(InvalidInput) as exc:
        record(worker.user, worker, programme=programme, receipt=big)
    assert "larger" in codes(exc)["receipt"]
    assert not CostEntry.objects.exists()


@pytest.mark.parametrize("content, kind", [(PDF, "application/pdf"), (JPEG, "image/jpeg"), (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "image/png")])
def test_a_receipt_is_kept_with_its_type_under_a_random_name(worker, programme, content, kind, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    entry = record(worker.user, worker, programme=programme, receipt=SimpleUploadedFile("my receipt.txt", content))
    assert entry.receipt_type == kind
    assert entry.receipt.name.startswith("receipts/") and "my receipt" not in entry.receipt.name
    assert entry.receipt.read() == content


# --- the policy of the rule version in force ---------------------------------------------------------------------


@pytest.fixture
def exception_programme(ministry_admin, mx_authority):
    """Workers pay nothing until 31 January 2027; from 1 February 2027, a medical examination up to 100 USD."""
    from corridor.programmes.presets import PRESETS

    rules = dict(PRESETS["ca-sawp"].rules)
    programme = programme_services.programme_create(
        actor=ministry_admin, code="CA-MED", name="With an exception", institutional_design="bilateral", category="seasonal",
        destination_country="CA", rules=rules, rules_effective_from=datetime.date(2026, 1, 1),
    )
    programme_services.rule_version_create(
        actor=ministry_admin, programme=programme, rules={**rules, "fees": EXCEPTION_RULES},
        effective_from=datetime.date(2027, 2, 1), note="Medical examinations at public clinics may be charged, capped.",
    )
    programme_services.corridor_add(actor=ministry_admin, programme=programme, origin_country="MX", competent_authority=mx_authority)
    programme_services.programme_set_status(actor=ministry_admin, programme=programme, status=ProgrammeStatus.ACTIVE)
    return programme


def test_a_listed_exception_is_lawful_and_the_excess_over_its_maximum_is_refunded(worker, exception_programme, agency_org):
    first = record(worker.user, worker, programme=exception_programme, category="medical", amount="80", agency=agency_org)
    assert not first.violation and "Medical examination at a public clinic" in first.finding
    assert first.rule_version.number == 2
    assert not RefundOrder.objects.exists()
    second = record(worker.user, worker, programme=exception_programme, category="medical", amount="40", agency=agency_org)
    assert second.violation and second.amount_in_violation == Decimal("20.00")
    assert second.refund.amount == Decimal("20.00")


def test_the_rule_version_in_force_on_the_day_of_payment_applies(worker, exception_programme, agency_org):
    before = record(worker.user, worker, programme=exception_programme, category="medical", amount="80", agency=agency_org,
                    paid_on=datetime.date(2027, 1, 15))
    assert before.violation and before.rule_version.number == 1


def test_before_any_rule_version_or_without_a_programme_principle_7_applies(worker, programme):
    early = record(worker.user, worker, programme=programme, category="medical", paid_on=datetime.date(2025, 6, 1))
    assert early.violation and early.rule_version is None
    assert "No rule version of CA-SAG was in force on 2025-06-01" in early.finding
    alone = record(worker.user, worker, category="medical")
    assert alone.violation and alone.programme is None and alone.rule_version is None


def test_illegitimate_costs_are_violations_whoever_records_them(worker, programme, ca_inspector):
    entry = record(ca_inspector, worker, programme=programme, category="illegitimate", payer="family", amount="90")
    assert entry.violation and "never allowed" in entry.finding


# --- refunds -----------------------------------------------------------------------------------------------------


@pytest.fixture
def order(worker, programme, agency_org):
    return record(worker.user, worker, programme=programme, agency=agency_org).refund


def test_the_origin_authority_records_a_refund_paid(order, mx_officer):
    paid = ledger.refund_mark_paid(actor=mx_officer, order=order, paid_on=TODAY + datetime.timedelta(days=5),
                                   evidence="Bank transfer BANAMEX 0042", today=TODAY + datetime.timedelta(days=6))
    assert paid.status == RefundStatus.PAID and paid.settled_by == mx_officer
    assert paid.settled_on == TODAY + datetime.timedelta(days=5) and "BANAMEX 0042" in paid.note
    assert AuditEvent.objects.filter(action="refund.paid", subject_id=str(order.pk)).exists()
    with pytest.raises(Conflict):
        ledger.refund_mark_paid(actor=mx_officer, order=order, paid_on=TODAY, evidence="again", today=TODAY)


def test_the_worker_confirms_a_refund_and_bad_input_is_named(order, worker, agency_user, jm_officer):
    for stranger in (agency_user, jm_officer):
        with pytest.raises(Forbidden):
            ledger.refund_mark_paid(actor=stranger, order=order, paid_on=TODAY, evidence="paid", today=TODAY)
    with pytest.raises(InvalidInput) as exc:
        ledger.refund_mark_paid(actor=worker.user, order=order, paid_on=TODAY + datetime.timedelta(days=1), evidence=" ", today=TODAY)
    assert set(codes(exc)) == {"paid_on", "evidence"}
    with pytest.raises(InvalidInput) as exc:
        ledger.refund_mark_paid(actor=worker.user, order=order, paid_on=TODAY - datetime.timedelta(days=1), evidence="cash", today=TODAY)
    assert "on or after" in codes(exc)["paid_on"]
    order.refresh_from_db()
    assert order.status == RefundStatus.OPEN
    assert ledger.refund_mark_paid(actor=worker.user, order=order, paid_on=TODAY, evidence="Cash, in front of the mayor", today=TODAY).status == "paid"


AFTER_DUE = TODAY + datetime.timedelta(days=31)


def test_an_unpaid_order_past_due_is_drawn_from_the_agencys_deposit(order, licence, mx_officer):
    with pytest.raises(Conflict) as exc:
        ledger.refund_draw_from_deposit(actor=mx_officer, order=order, exchange_rate="17", today=TODAY + datetime.timedelta(days=30))
    assert exc.value.field == "due_on"
    with pytest.raises(InvalidInput) as exc:
        ledger.refund_draw_from_deposit(actor=mx_officer, order=order, today=AFTER_DUE)
    assert "MXN per USD" in codes(exc)["exchange_rate"]
    drawn = ledger.refund_draw_from_deposit(actor=mx_officer, order=order, exchange_rate="17.25", today=AFTER_DUE)
    assert drawn.status == RefundStatus.DRAWN and drawn.amount_recovered == Decimal("350.00")
    assert drawn.settled_on == AFTER_DUE
    licence.refresh_from_db()
    assert licence.deposit_balance == Decimal("100000") - Decimal("6037.50")
    assert {"licence.deposit_draw", "refund.draw"} <= set(AuditEvent.objects.values_list("action", flat=True))
    with pytest.raises(Conflict):
        ledger.refund_draw_from_deposit(actor=mx_officer, order=order, exchange_rate="17", today=AFTER_DUE)


def test_a_short_deposit_gives_what_it_holds_never_below_zero_and_the_rest_stays_open(order, licence, mx_officer):
    AgencyLicence.objects.filter(pk=licence.pk).update(deposit_balance=Decimal("100.00"))
    partly = ledger.refund_draw_from_deposit(actor=mx_officer, order=order, exchange_rate="17", today=AFTER_DUE)
    assert partly.status == RefundStatus.OPEN
    assert partly.amount_recovered == Decimal("5.88")  # 100 MXN at 17 MXN per USD, rounded down
    assert "344.12 USD still owed" in partly.note
    licence.refresh_from_db()
    assert licence.deposit_balance == 0
    with pytest.raises(Conflict) as exc:
        ledger.refund_draw_from_deposit(actor=mx_officer, order=order, exchange_rate="17", today=AFTER_DUE)
    assert exc.value.field == "deposit_balance"
    licence.refresh_from_db()
    assert licence.deposit_balance == 0


def test_a_deposit_in_the_refunds_currency_needs_no_rate(worker, programme, licence, agency_org, mx_officer):
    entry = record(worker.user, worker, programme=programme, agency=agency_org, amount="2500", currency="MXN")
    order = ledger.refund_draw_from_deposit(actor=mx_officer, order=entry.refund, today=AFTER_DUE)
    assert order.status == RefundStatus.DRAWN
    licence.refresh_from_db()
    assert licence.deposit_balance == Decimal("97500.00")


def test_only_the_licensing_authority_draws_and_only_on_an_agency(order, licence, jm_officer, ca_inspector, worker, programme, employer):
    for stranger in (jm_officer, ca_inspector, worker.user):
        with pytest.raises(Forbidden):
            ledger.refund_draw_from_deposit(actor=stranger, order=order, exchange_rate="17", today=AFTER_DUE)
    employer_only = record(worker.user, worker, programme=programme, employer=employer).refund
    with pytest.raises(Conflict) as exc:
        ledger.refund_draw_from_deposit(actor=jm_officer, order=employer_only, today=AFTER_DUE)
    assert exc.value.field == "debtor_agency"


def test_the_database_refuses_a_negative_deposit(licence):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        AgencyLicence.objects.filter(pk=licence.pk).update(deposit_balance=Decimal("-1"))


# --- first earnings and SDG 10.7.1 -------------------------------------------------------------------------------


def test_first_earnings_are_recorded_once_per_programme_and_corrected(worker, programme, mx_officer, jm_officer):
    first = ledger.earnings_record(actor=worker.user, worker=worker, programme=programme, amount="2600", currency="CAD",
                                   month="2027-02-14", rates={"USD": "1.35", "mxn": "0.08"}, today=TODAY)
    assert first.month == datetime.date(2027, 2, 1) and first.rates == {"USD": "1.35", "MXN": "0.08"}
    again = ledger.earnings_record(actor=mx_officer, worker=worker, programme=programme, amount="2700", currency="CAD",
                                   month="2027-02-01", today=TODAY)
    assert again.pk == first.pk and again.amount == Decimal("2700") and FirstEarnings.objects.count() == 1
    assert AuditEvent.objects.filter(action="earnings.correct").exists()
    with pytest.raises(Forbidden):
        ledger.earnings_record(actor=jm_officer, worker=worker, programme=programme, amount="1", currency="CAD", month=TODAY)
    with pytest.raises(InvalidInput) as exc:
        ledger.earnings_record(actor=worker.user, worker=worker, programme=programme, amount="0", currency="CAD",
                               month="2099-01-01", rates={"CAD": "1", "XXQ": "-1"}, today=TODAY)
    assert {"amount", "month", "rates.CAD", "rates.XXQ"} <= set(codes(exc))


@pytest.fixture
def cohort(make_worker, programme, agency_org, ca_inspector):
    """Six workers who started in 2027: costs of 0, 1, 2, 3, 4 and 5 months of earnings (one in MXN with a rate)."""
    workers = []
    for index in range(6):
        w = make_worker("MX")
        workers.append(w)
        if index:
            record(w.user, w, programme=programme, agency=agency_org, amount=str(1000 * index), currency="CAD",
                   paid_on=datetime.date(2026, 12, 1), today=TODAY)
        ledger.earnings_record(actor=ca_inspector, worker=w, programme=programme, amount="1000", currency="CAD",
                               month="2027-02-01", today=TODAY)
    record(workers[1].user, workers[1], programme=programme, payer="employer", amount="999", currency="CAD")  # not borne
    return workers


def test_sdg_1071_gives_per_worker_ratios_mean_and_median_to_authorities(cohort, programme, mx_officer):
    figures = ledger_selectors.sdg_1071(user=mx_officer, programme=programme, year=2027)
    assert figures["workers"] == 6 and figures["workers_with_earnings"] == 6
    assert figures["mean"] == Decimal("2.50") and figures["median"] == Decimal("2.50")
    assert figures["share_paid_anything_percent"] == Decimal("83.33")
    assert [row["ratio"] for row in figures["rows"]] == [Decimal(n) for n in range(6)]
    assert ledger_selectors.sdg_1071(user=mx_officer, programme=programme, year=2026)["workers"] == 0


def test_sdg_1071_converts_with_recorded_rates_and_leaves_out_workers_without_one(cohort, programme, mx_officer, ca_inspector):
    record(cohort[0].user, cohort[0], programme=programme, agency=None, amount="5000", currency="MXN")
    figures = ledger_selectors.sdg_1071(user=mx_officer, programme=programme, year=2027)
    assert figures["workers"] == 5 and figures["excluded_no_rate"] == 1
    ledger.earnings_record(actor=ca_inspector, worker=cohort[0], programme=programme, amount="1000", currency="CAD",
                           month="2027-02-01", rates={"MXN": "0.08"}, today=TODAY)
    figures = ledger_selectors.sdg_1071(user=mx_officer, programme=programme, year=2027)
    assert figures["workers"] == 6 and figures["rows"][0]["ratio"] == Decimal("0.40")


def test_researchers_get_aggregates_only_and_nothing_below_five_workers(cohort, programme, make_user, make_worker, agency_org):
    researcher = make_user(Role.RESEARCHER)
    figures = ledger_selectors.sdg_1071(user=researcher, programme=programme, year=2027)
    assert figures["rows"] is None and figures["mean"] == Decimal("2.50")
    by_sex = {g["sex"]: g for g in figures["by_sex"]}
    assert by_sex["female"]["workers"] == 6
    cohort[0].sex = "male"
    cohort[0].save()
    by_sex = {g["sex"]: g for g in ledger_selectors.sdg_1071(user=researcher, programme=programme, year=2027)["by_sex"]}
    assert by_sex["male"]["suppressed"] and by_sex["male"]["mean"] is None and by_sex["male"]["workers"] is None
    FirstEarnings.objects.filter(worker__in=cohort[:3]).delete()
    small = ledger_selectors.sdg_1071(user=researcher, programme=programme, year=2027)
    assert small["suppressed"] and small["mean"] is None and small["median"] is None and small["workers_with_earnings"] is None


@pytest.mark.parametrize("role", [Role.IMMIGRATION_OFFICER, Role.AGENCY, Role.EMPLOYER, Role.WORKER])
def test_sdg_figures_are_not_for_everyone(role, make_user, programme):
    with pytest.raises(Forbidden):
        ledger_selectors.sdg_1071(user=make_user(role), programme=programme, year=2027)


# --- reading -----------------------------------------------------------------------------------------------------


def test_each_reader_sees_the_entries_that_concern_them(worker, make_worker, programme, agency_org, mx_officer, jm_officer, agency_user, make_user, ca_inspector):
    mine = record(worker.user, worker, programme=programme, agency=agency_org)
    jamaican = make_worker("JM")
    theirs = record(jamaican.user, jamaican, programme=programme)
    assert list(ledger_selectors.my_costs(user=worker.user)) == [mine]
    assert list(ledger_selectors.cost_list(user=mx_officer)) == [mine]
    assert list(ledger_selectors.cost_list(user=jm_officer)) == [theirs]
    assert list(ledger_selectors.cost_list(user=agency_user)) == [mine]
    assert set(ledger_selectors.cost_list(user=ca_inspector)) == {mine, theirs}
    assert not ledger_selectors.cost_list(user=make_user(Role.IMMIGRATION_OFFICER)).exists()
    assert not ledger_selectors.cost_list(user=make_user(Role.RESEARCHER)).exists()
    summary = ledger_selectors.agency_summary(user=mx_officer, today=AFTER_DUE)
    assert summary[0]["agency_id"] == agency_org.pk and summary[0]["violations"] == 1
    assert summary[0]["in_violation"] == [{"currency": "USD", "amount": Decimal("350.00")}]
    assert summary[0]["overdue_refunds"] == 1
    assert list(ledger_selectors.overdue_refunds(user=mx_officer, today=AFTER_DUE)) == [mine.refund]
    assert not ledger_selectors.overdue_refunds(user=mx_officer, today=TODAY).exists()
    with pytest.raises(InvalidInput):
        ledger_selectors.cost_list(user=mx_officer, refund="lost")


# --- the demo ----------------------------------------------------------------------------------------------------


def test_the_demo_shows_a_violation_with_an_open_refund_a_refunded_one_and_a_draw_and_runs_twice():
    from corridor.demo.content import build_demo

    build_demo()
    counts = (CostEntry.objects.count(), RefundOrder.objects.count(), FirstEarnings.objects.count())
    worker = CostEntry.objects.get(category="recruitment_fee").worker
    assert worker.user.username == "worker" and worker.nationality == "MX"
    fee = CostEntry.objects.get(category="recruitment_fee")
    assert fee.violation and fee.receipt_type == "application/pdf"
    assert fee.refund.status == RefundStatus.OPEN and fee.refund.debtor_agency.name == "Reclutamiento Justo S.C."
    assert fee.refund.debtor_employer is not None  # jointly liable through the agency-employer link
    assert not CostEntry.objects.get(category="travel", payer="employer").violation
    assert set(RefundOrder.objects.values_list("status", flat=True)) == {"open", "paid", "drawn"}
    assert ledger_selectors.sdg_1071(user=worker.user.__class__.objects.get(username="researcher"),
                                     programme=fee.programme, year=timezone.localdate().year)["workers"] == 5
    build_demo()
    assert (CostEntry.objects.count(), RefundOrder.objects.count(), FirstEarnings.objects.count()) == counts
