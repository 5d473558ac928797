"""The recruitment-cost ledger in the demo, built through the services (CA-SAG, the Mexican agency licensed for it).

- José Luis (the demo worker, `worker`): the agency charged him a recruitment fee of 6,500 MXN (with a receipt):
  a violation, with an open refund order owed jointly by the agency and Niagara Orchards, which it recruits for; his
  return flight, paid by the employer, is recorded for transparency and is no violation.
- A second worker paid the agency 1,500 MXN for the medical examination: a violation, refunded (recorded by the origin
  authority with the bank transfer).
- A third worker's family paid a 3,000 MXN "guarantee deposit" found by the labour inspector: an illegitimate cost;
  the refund was not paid by its due date and was drawn from the agency's guarantee deposit.
- Two more workers paid nothing (the employer and the agency paid their costs).
- Every one of the five has first earnings recorded, so that the SDG 10.7.1 page has figures (five workers: enough for
  researchers to see the aggregates).
- A worker-paid cost within a programme's listed lawful exception is shown only where a demo programme lists one
  (none does today: every preset says workers pay nothing); the function looks and records one if it finds one.

Running it twice changes nothing: each worker's entries are looked up first.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from corridor.accounts.models import User
from corridor.employers.models import EmployerProfile
from corridor.programmes.models import Programme
from corridor.programmes.selectors import rule_version_in_force
from corridor.recruitment import ledger
from corridor.recruitment.models import AgencyLicence, CostEntry, FirstEarnings, LicenceStatus, RefundStatus
from corridor.workers.models import ConsentPurpose, Worker

WORKER_PASSWORD = "corridor-demo-ledger-2026"
MXN_IN_CAD = "0.075"
RECEIPT = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"% Recibo 0042: cuota de colocacion 6,500 MXN, Reclutamiento Justo S.C.\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)
DEMO_WORKERS = [
    # username, given names, family names, sex, date of birth, phone
    ("ledger_mx_1", "Verónica", "Gómez Salinas", "female", datetime.date(1994, 8, 3), "+52 55 2000 0201"),
    ("ledger_mx_2", "Ernesto", "Luna Cabrera", "male", datetime.date(1986, 12, 12), "+52 55 2000 0202"),
    ("ledger_mx_3", "Adriana", "Paz Hidalgo", "female", datetime.date(1990, 2, 27), "+52 55 2000 0203"),
    ("ledger_mx_4", "Ramiro", "Vargas Soto", "male", datetime.date(1992, 10, 5), "+52 55 2000 0204"),
]


def _demo_worker(username, given, family, sex, born, phone) -> Worker:
    from corridor.workers import services as worker_services

    user = User.objects.filter(username=username).first()
    if user is not None:
        found = Worker.objects.filter(user=user).first()
        if found is not None:
            return found
    return worker_services.worker_register_self(
        username=username, password=WORKER_PASSWORD, given_names=given, family_names=family, sex=sex,
        date_of_birth=born.isoformat(), nationality="MX", language="es", phone=phone, region_of_origin="Tlaxcala", via="web",
    )


def _main_worker(user) -> Worker | None:
    """The demo worker's own record (made by the workers' demo), or one made here if it is missing."""
    if user is None:
        return None
    found = Worker.objects.filter(user=user).first()
    if found is not None:
        return found
    from corridor.workers import services as worker_services

    return worker_services.worker_profile_create(
        actor=user, given_names=user.first_name or "José Luis", family_names=user.last_name or "Martínez López", sex="male",
        date_of_birth="1989-06-21", nationality="MX", language="es", phone="+52 246 100 2030", region_of_origin="Tlaxcala",
    )


def _consent(worker: Worker, agency) -> None:
    from corridor.workers import services as worker_services

    if not worker.consents.filter(purpose=ConsentPurpose.AGENCY, agency=agency, withdrawn_at__isnull=True).exists():
        worker_services.consent_give(actor=worker.user, worker=worker, purpose=ConsentPurpose.AGENCY, agency=agency, language="es")


def _earnings(actor, worker: Worker, programme: Programme, amount: str, month: datetime.date) -> None:
    if not FirstEarnings.objects.filter(worker=worker, programme=programme).exists():
        ledger.earnings_record(actor=actor, worker=worker, programme=programme, amount=amount, currency="CAD",
                               month=month, rates={"MXN": MXN_IN_CAD})


def _exception_example(programme: Programme, worker: Worker, today: datetime.date) -> None:
    """A worker-paid cost within a listed lawful exception, if the programme's rules list one."""
    version = rule_version_in_force(programme=programme, day=today)
    fees = (version.rules or {}).get("fees", {}) if version else {}
    if fees.get("workers_pay_nothing", True) or not fees.get("lawful_exceptions"):
        return
    exception = fees["lawful_exceptions"][0]
    category = "travel" if exception["category"] == "travel_lodging" else exception["category"]
    amount = min(Decimal(str(exception["max_amount"])), Decimal("50")).quantize(Decimal("0.01"))
    if amount > 0:
        ledger.cost_record(actor=worker.user, worker=worker, programme=programme, category=category, payer="worker",
                           amount=amount, currency=exception["currency"], paid_on=today, note="Within the programme's listed exception.")


@transaction.atomic
def build(orgs: dict, users: dict) -> None:
    """The ledger's demo entries; needs content.py's organisations and users, CA-SAG, Niagara Orchards' profile and
    the Mexican agency's licence (corridor/recruitment/demo.py)."""
    today = timezone.localdate()
    sag = Programme.objects.filter(code="CA-SAG").first()
    agency = orgs.get("mx_agency")
    employer = EmployerProfile.objects.filter(organisation=orgs.get("ca_employer")).first()
    licence = AgencyLicence.objects.filter(agency=agency, status=LicenceStatus.ACTIVE).first() if agency else None
    if sag is None or agency is None or employer is None or licence is None:
        return
    officer, inspector = users["origin_officer"], users["labour_inspector"]
    main = _main_worker(users.get("worker"))
    second, third, fourth, fifth = (_demo_worker(*spec) for spec in DEMO_WORKERS)
    season = today - datetime.timedelta(days=60)

    # 1. The agency's recruitment fee charged to José Luis: a violation, refund open (agency and employer jointly).
    if main is not None and not CostEntry.objects.filter(worker=main).exists():
        ledger.cost_record(
            actor=main.user, worker=main, programme=sag, category="recruitment_fee", payer="worker", amount="6500",
            currency="MXN", paid_on=today - datetime.timedelta(days=6), agency=agency, paid_to="Reclutamiento Justo S.C., Tlaxcala office",
            note="They said the fee was for putting my name on the list for Canada.", receipt=ContentFile(RECEIPT, name="recibo.pdf"),
        )
        ledger.cost_record(
            actor=main.user, worker=main, programme=sag, category="travel", payer="employer", amount="780", currency="CAD",
            paid_on=today - datetime.timedelta(days=5), employer=employer, paid_to="Air Canada",
            note="Return flight Mexico City–Toronto, paid by Niagara Orchards.",
        )
        _exception_example(sag, main, today)

    # 2. A medical examination paid to the agency: refunded, recorded by the origin authority.
    if not CostEntry.objects.filter(worker=second).exists():
        entry = ledger.cost_record(
            actor=second.user, worker=second, programme=sag, category="medical", payer="worker", amount="1500",
            currency="MXN", paid_on=season, agency=agency, paid_to="Clínica del Centro (sent by the agency)",
            today=season,
        )
        ledger.refund_mark_paid(actor=officer, order=entry.refund, paid_on=season + datetime.timedelta(days=12),
                                evidence="Bank transfer BBVA 4471-22 from Reclutamiento Justo S.C. to the worker.")

    # 3. A "guarantee deposit" demanded of the family, found by the inspector; unpaid, drawn from the deposit.
    if not CostEntry.objects.filter(worker=third).exists():
        entry = ledger.cost_record(
            actor=inspector, worker=third, programme=sag, category="illegitimate", payer="family", amount="3000",
            currency="MXN", paid_on=season - datetime.timedelta(days=3), agency=agency, paid_to="Agency recruiter, in cash",
            note="Found during a worksite visit: the family left 3,000 MXN 'so that she comes back'.", today=season,
        )
        order = entry.refund
        if order.status == RefundStatus.OPEN and today > order.due_on:
            ledger.refund_draw_from_deposit(actor=officer, order=order, today=today)

    # 4-5. Workers who paid nothing: the agency paid the visa fee, the employer the insurance.
    if not CostEntry.objects.filter(worker=fourth).exists():
        _consent(fourth, agency)
        ledger.cost_record(actor=users["agency"], worker=fourth, programme=sag, category="administrative", payer="agency",
                           amount="2300", currency="MXN", paid_on=season, paid_to="Consulate of Canada (visa fee)", today=season)
    if not CostEntry.objects.filter(worker=fifth).exists():
        ledger.cost_record(actor=fifth.user, worker=fifth, programme=sag, category="insurance", payer="employer", amount="120",
                           currency="CAD", paid_on=season, employer=employer, paid_to="Provincial health insurance", today=season)

    # First earnings at destination: the SDG 10.7.1 page has five workers.
    month = today.replace(day=1)
    for worker, amount in ((main, "2900"), (second, "2750"), (third, "2800"), (fourth, "3100"), (fifth, "2650")):
        if worker is not None:
            _earnings(inspector, worker, sag, amount, month)
