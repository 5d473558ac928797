"""Demo contracts: the Canadian seasonal programme's contract template, and placements from its published selection
run taken to every state, from a placement waiting for the worker's confirmation to José Luis's accepted contract with
a wage rise waiting for him to accept. Needs the published CA-SAG run of corridor/selection/demo.py."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from corridor.accounts.models import User
from corridor.contracts import services
from corridor.contracts.models import ContractTemplate, Placement
from corridor.programmes.models import Programme
from corridor.selection.models import RunStatus, SelectionRun

TEMPLATE = {
    "night_rate_percent": "100",
    "holiday_pay": "Public holidays are paid as the province's employment standards require: a day of regular pay, "
    "or 150% of the regular rate for hours worked on the holiday. Vacation pay of 4% of gross wages is added to "
    "each pay.",
    "payment_method": "Direct deposit to the worker's Canadian bank account (the employer helps open it on arrival), "
    "or a cheque if the worker asks",
    "pay_period": "every two weeks",
    "allowances": "No bonus is promised. Any bonus the employer pays is shown on the pay statement and is not "
    "taken back.",
    "food": "The housing has a fully equipped kitchen; workers buy and cook their own food. The employer provides "
    "free transport to a grocery store at least once a week.",
    "renewal": "At the end of the season the employer may name the worker for the next season; the worker is free to "
    "accept or refuse. A season completed as agreed gives priority in the next selection round.",
    "notice_days": "7",
    "entry_and_stay": "A work permit for this employer under the programme, valid until the end of this contract plus "
    "14 days, on a job offer approved by the government. Provincial health insurance covers the worker from arrival; "
    "the employer pays private cover for any waiting period.",
    "termination": "Only for serious misconduct, refusal to work without good reason, or another serious breach of "
    "this contract, after a written warning and consultation with the liaison officer of the worker's country. Never "
    "for a complaint, joining a union, or an illness or injury. If the contract ends early for any other reason than "
    "the worker's own choice, the employer pays the return journey.",
    "complaints": "The liaison officer of your country's consulate; the province's employment standards office "
    "(free, in confidence, in your language through an interpreter); or the complaints channel of this platform. "
    "Nobody may punish you or send you home for complaining.",
    "destination_language": "en",
}

# What happens to each placement of the published run (by the worker's username); the others stay proposed.
# Steps: "worker"/"employer" confirm, "decline", "draft", "sign", "approve", "accept", "reject", "revoke", "amend".
STORIES: dict[str, tuple[str, ...]] = {
    "sel_mx_01": ("employer",),                                              # waiting for the worker to confirm
    "sel_mx_02": ("worker", "employer"),                                     # confirmed, no contract yet
    "sel_mx_03": ("worker", "employer", "draft"),                            # draft
    "sel_mx_05": ("worker", "employer", "draft", "sign"),                    # signed, waiting for the origin authority
    "sel_mx_09": ("worker", "employer", "draft", "sign", "approve"),         # delivered, waiting for the worker
    "sel_jm_01": ("worker", "employer", "draft", "sign", "approve", "accept"),
    "sel_mx_07": ("worker", "employer", "draft", "sign", "approve", "accept", "amend", "sign", "approve", "reject"),
    "sel_jm_03": ("worker", "employer", "draft", "sign", "approve", "revoke"),
    "sel_mx_04": ("decline",),
    "worker": ("worker", "employer", "draft", "sign", "approve", "accept", "raise", "sign", "approve"),
}
ORIGIN_OFFICERS = {"MX": "origin_officer", "JM": "origin_officer_jm"}


def _user(users: dict, username: str) -> User | None:
    return users.get(username) or User.objects.filter(username=username).first()


def _employer_user(placement: Placement) -> User | None:
    from corridor.core.access import Role

    return (User.objects.filter(organisation_id=placement.job_order.employer.organisation_id,
                                role_assignments__role=Role.EMPLOYER, is_active=True).order_by("pk").first())


def _tell(placement: Placement, steps: tuple[str, ...], users: dict) -> None:
    worker = placement.worker
    employer = _employer_user(placement)
    origin = _user(users, ORIGIN_OFFICERS.get(worker.nationality, ""))
    if employer is None or origin is None or worker.user is None:
        return
    contract = None
    for step in steps:
        if step == "worker":
            placement = services.placement_confirm(actor=worker.user, placement=placement)
        elif step == "employer":
            placement = services.placement_confirm(actor=employer, placement=placement)
        elif step == "decline":
            services.placement_decline(
                actor=worker.user, placement=placement,
                reason="My father is ill and I must stay home this season. I would like to take part next year.")
        elif step == "draft":
            contract = services.contract_generate(actor=employer, placement=placement)
        elif step == "sign":
            contract = services.contract_sign(actor=employer, contract=contract)
        elif step == "approve":
            contract = services.contract_approve(actor=origin, contract=contract)
        elif step == "accept":
            contract = services.contract_answer(actor=worker.user, contract=contract, accept=True, via="web",
                                                note="Leído y aceptado." if worker.language == "es" else "")
        elif step == "reject":
            services.contract_answer(
                actor=worker.user, contract=contract, accept=False, via="office",
                note="I keep my contract as it is: the new housing charge was not explained to me.")
        elif step == "revoke":
            services.contract_revoke(
                actor=origin, contract=contract,
                reason="The worker withdrew from the programme for family reasons before departure; the position is "
                "offered again.")
        elif step == "amend":
            contract = services.contract_amend(
                actor=employer, contract=contract, changes={"housing.charge_amount": "45.00"},
                reason="The employer proposes a monthly charge for the renovated bunkhouse.")
        elif step == "raise":
            amount = Decimal(contract.content["pay"]["amount"]) + Decimal("0.75")
            contract = services.contract_amend(
                actor=employer, contract=contract, changes={"pay.amount": f"{amount:.2f}"},
                reason="Wage rise: the employer raises the pruning crew's wage by 75 cents an hour for the whole "
                "season.")


def _placements(users: dict) -> None:
    sag = Programme.objects.filter(code="CA-SAG").first()
    admin = _user(users, "ministry_admin")
    if sag is None or admin is None or Placement.objects.filter(job_order__programme=sag).exists():
        return
    run = SelectionRun.objects.filter(round__programme=sag, status=RunStatus.PUBLISHED).order_by("-pk").first()
    if run is None:
        return
    made = services.placements_from_run(actor=admin, run=run)
    by_username = {p.worker.user.username: p for p in made if p.worker.user_id}
    for username, steps in STORIES.items():
        placement = by_username.get(username)
        if placement is not None:
            _tell(placement, steps, users)


@transaction.atomic
def build(orgs: dict, users: dict) -> None:
    sag = Programme.objects.filter(code="CA-SAG").first()
    admin = _user(users, "ministry_admin")
    if sag is None or admin is None:
        return
    if not ContractTemplate.objects.filter(programme=sag).exists():
        services.template_set(actor=admin, programme=sag, **TEMPLATE)
    _placements(users)
