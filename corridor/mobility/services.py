"""Writes of the change of employer: each step one atomic, audited function (docs/mobility.md).

opening_create / opening_close (the employer or the ministry) -> application_create (the worker, with a cause; nobody
else's permission) -> application_accept (the new employer: a confirmed placement and its contract) or
application_decline (with a reason) or application_withdraw (the worker) -> the new contract is signed, approved and
accepted on the contract pages -> move_complete (the worker or the new employer): the old journey ends 'moved', a new
journey goes on 'employed'. release_for_sanction runs inside an employer's suspension or ban; grace_notify tells the
worker and the ministry when a grace period has ended, and does nothing else.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from corridor.accounts.models import OrgKind
from corridor.accounts.selectors import labour_inspectorates, origin_authorities, role_organisations
from corridor.contracts import services as contracts
from corridor.contracts.models import LIVE_PLACEMENT, Placement, PlacementStatus
from corridor.core import audit, notify
from corridor.core.access import Category, Role, roles_of
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.inputs import date_field
from corridor.core.notify import Notice
from corridor.deployment import journey as path
from corridor.deployment.models import Journey, JourneyStep
from corridor.employers.models import ApprovalStatus, EmployerApproval
from corridor.joborders.models import HOLDS_QUOTA, JobOrder
from corridor.mobility import selectors
from corridor.mobility.models import (
    EMPLOYER_CAUSED,
    WORKER_CAUSES,
    ApplicationStatus,
    Cause,
    GraceNotice,
    OpeningStatus,
    Release,
    Sanction,
    TransferApplication,
    TransferOpening,
)
from corridor.programmes.rulebook import EmployerChangePolicy
from corridor.selection.services import is_ministry
from corridor.workers.models import Worker

MAX_TEXT = 4000
MAX_POSITIONS = 10000
WORKER_LINK = "/mobility/me/"
EMPLOYER_LINK = "/mobility/employer/"
OFFICIAL_LINK = "/mobility/changes/"


# --- helpers -----------------------------------------------------------------------------------------------------


def _text(value: Any, name: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = str(value if value is not None else "").strip()
    if required and not text:
        raise InvalidInput("This is required.", field=name)
    if len(text) > limit:
        raise InvalidInput(f"At most {limit} characters.", field=name)
    return text


def _programme_id(opening: TransferOpening) -> int:
    return opening.job_order.programme_id


def _require_approved(order: JobOrder, field: str) -> None:
    """A transfer goes only to an employer approved in the programme (never to one suspended or banned)."""
    status = selectors.approval_status(order.employer, order.programme)
    if status != ApprovalStatus.APPROVED:
        label = dict(ApprovalStatus.choices).get(status, "not approved") if status else "not approved"
        raise Conflict(f"{order.employer.organisation.name} is {str(label).lower()} in programme {order.programme.code}; "
                       "no worker can move to it.", field=field)


def _employer_orgs(order: JobOrder) -> list[tuple[int, str]]:
    return [(order.employer.organisation_id, Role.EMPLOYER)]


def _ministries(programme) -> list[tuple[int, str]]:
    out = []
    for role in (Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER):
        out += role_organisations(role, country=programme.destination_country, programme_id=programme.pk,
                                  kind=OrgKind.DESTINATION_MINISTRY)
    return out


def _journey_step(actor, journey: Journey, action: str, note: str = "") -> Journey:
    """One audited step of a journey, as deployment's own services take it (a JourneyStep and an audit event)."""
    try:
        target = path.step(journey.state, action)
    except path.TransitionRefused as exc:
        raise Conflict(str(exc), field="journey") from None
    before = audit.snapshot(journey)
    now = timezone.now()
    JourneyStep.objects.create(journey=journey, action=action, from_state=journey.state, to_state=target, at=now,
                               actor=actor if getattr(actor, "is_authenticated", False) else None, note=note)
    journey.state, journey.state_since = target, now
    journey.save(update_fields=["state", "state_since"])
    audit.record(actor=actor, action=f"journey.{action}", subject=journey, before=before, after=audit.snapshot(journey),
                 reason=note, programme_id=journey.placement.job_order.programme_id)
    return journey


def _locked_journey(journey: Journey) -> Journey:
    return Journey.objects.select_for_update(of=("self",)).select_related(
        "worker", "placement__job_order__programme", "placement__job_order__employer__organisation", "previous",
    ).get(pk=journey.pk)


def _locked_opening(opening: TransferOpening) -> TransferOpening:
    return TransferOpening.objects.select_for_update(of=("self",)).select_related(
        "job_order__programme", "job_order__employer__organisation").get(pk=opening.pk)


def _locked_application(application: TransferApplication) -> TransferApplication:
    return TransferApplication.objects.select_for_update(of=("self",)).select_related(
        "worker", "journey__placement__job_order__employer__organisation", "journey__placement__job_order__programme",
        "opening__job_order__programme", "opening__job_order__employer__organisation", "placement",
    ).get(pk=application.pk)


def _may_manage_opening(actor, order: JobOrder) -> bool:
    return contracts.is_employer_of(actor, order) or is_ministry(actor, order.programme)


def _own_choice_allowed(journey: Journey, field: str = "cause") -> None:
    """The programme's policy for a change of the worker's own choice (changes caused by the employer pass)."""
    programme = journey.placement.job_order.programme
    rules = selectors.change_rules(programme)
    if rules.policy == EmployerChangePolicy.NOT_ALLOWED:
        raise Conflict(f"Programme {programme.code} does not allow a change of employer of the worker's own choice; a "
                       "change because the employer closed, ill-treated the worker or was sanctioned is always possible.",
                       field=field)
    if rules.policy == EmployerChangePolicy.LIMITED and rules.max_changes is not None:
        done = selectors.changes_counted(journey)
        if done >= rules.max_changes:
            raise Conflict(f"Programme {programme.code} allows {rules.max_changes} change(s) of employer of the worker's "
                           f"own choice in one stay; {done} already made. Changes caused by the employer do not count.",
                           field=field)


def _sector_allowed(journey: Journey, order: JobOrder) -> None:
    programme = order.programme
    if selectors.change_rules(programme).policy == EmployerChangePolicy.WITHIN_SECTOR:
        current = journey.placement.job_order.sector
        if order.sector != current:
            raise Conflict(f"Programme {programme.code} allows a change of the worker's own choice only within the same "
                           f"sector (ISIC {current}); this job is in sector {order.sector}.", field="opening")


# --- openings ----------------------------------------------------------------------------------------------------


@transaction.atomic
def opening_create(*, actor, job_order: JobOrder, positions: Any, ends_on: Any, note: Any = "") -> TransferOpening:
    """An approved employer opens one of its approved or open job orders to workers already at destination."""
    order = JobOrder.objects.select_for_update(of=("self",)).select_related("employer__organisation", "programme").get(pk=job_order.pk)
    if not contracts.is_employer_of(actor, order):
        raise Forbidden("Only the employer of the job order opens it to workers changing employer.")
    errors: list = []
    try:
        count = int(str(positions).strip())
        if not 1 <= count <= MAX_POSITIONS:
            raise ValueError
    except (TypeError, ValueError):
        errors.append({"field": "positions", "message": f"Give a whole number of positions, 1 to {MAX_POSITIONS}."})
        count = 0
    day = date_field({"ends_on": ends_on}, "ends_on", errors)
    today = timezone.localdate()
    if day is not None and day < today:
        errors.append({"field": "ends_on", "message": "The opening must end today or later."})
    elif day is not None and day > order.end_date:
        errors.append({"field": "ends_on", "message": f"The job order ends on {order.end_date.isoformat()}; the opening "
                                                      "cannot last longer."})
    remark = str(note or "").strip()
    if len(remark) > MAX_TEXT:
        errors.append({"field": "note", "message": f"At most {MAX_TEXT} characters."})
    if errors:
        raise InvalidInput(errors)
    if order.status not in HOLDS_QUOTA:
        raise Conflict(f"Only an approved or open job order takes workers changing employer; this one is "
                       f"{order.get_status_display().lower()}.", field="job_order")
    _require_approved(order, "job_order")
    if TransferOpening.objects.filter(job_order=order, status=OpeningStatus.OPEN).exists():
        raise Conflict("This job order is already open to workers changing employer; close that opening first.",
                       field="job_order")
    opening = TransferOpening.objects.create(job_order=order, positions=count, ends_on=day, note=remark, opened_by=actor)
    audit.record(actor=actor, action="transfer_opening.create", subject=opening, after=audit.snapshot(opening),
                 programme_id=order.programme_id, organisation_id=order.employer.organisation_id)
    return opening


def _decline_pending(actor, opening: TransferOpening, reason: str) -> list[TransferApplication]:
    pending = list(TransferApplication.objects.select_for_update(of=("self",)).select_related("worker").filter(
        opening=opening, status=ApplicationStatus.APPLIED))
    now = timezone.now()
    for application in pending:
        before = audit.snapshot(application)
        application.status, application.decline_reason = ApplicationStatus.DECLINED, reason
        application.decided_by = actor if getattr(actor, "is_authenticated", False) else None
        application.decided_at = now
        application.save(update_fields=["status", "decline_reason", "decided_by", "decided_at"])
        audit.record(actor=actor, action="transfer_application.decline", subject=application, before=before,
                     after=audit.snapshot(application), reason=reason, programme_id=_programme_id(opening))
    if pending:
        notify.send_many([(Notice(kind="mobility.declined", category=Category.WORKER_IDENTITY, link=WORKER_LINK,
                                  message=gettext_noop("%(employer)s will not take you: %(reason)s"),
                                  params={"employer": opening.job_order.employer.organisation.name, "reason": reason},
                                  subject=a, programme_id=_programme_id(opening)), [a.worker.user_id], [])
                           for a in pending])
    return pending


def _close(actor, opening: TransferOpening, reason: str) -> TransferOpening:
    before = audit.snapshot(opening)
    opening.status, opening.closed_at, opening.close_reason = OpeningStatus.CLOSED, timezone.now(), reason
    opening.closed_by = actor if getattr(actor, "is_authenticated", False) else None
    opening.save(update_fields=["status", "closed_at", "close_reason", "closed_by"])
    audit.record(actor=actor, action="transfer_opening.close", subject=opening, before=before,
                 after=audit.snapshot(opening), reason=reason, programme_id=_programme_id(opening),
                 organisation_id=opening.job_order.employer.organisation_id)
    _decline_pending(actor, opening, reason or "The opening was closed.")
    return opening


@transaction.atomic
def opening_close(*, actor, opening: TransferOpening, reason: Any = "") -> TransferOpening:
    """The employer or the destination ministry closes an opening; applications still waiting are declined with the
    reason (accepted ones go on)."""
    opening = _locked_opening(opening)
    if not _may_manage_opening(actor, opening.job_order):
        raise Forbidden("Only the employer or the destination ministry closes an opening.")
    if opening.status != OpeningStatus.OPEN:
        raise Conflict("This opening is already closed.", field="status")
    return _close(actor, opening, _text(reason, "reason", required=False) or "The opening was closed.")


# --- applications ------------------------------------------------------------------------------------------------


def _worker_of(actor) -> Worker:
    worker = Worker.objects.filter(user_id=actor.pk).first() if Role.WORKER in roles_of(actor) else None
    if worker is None:
        raise Forbidden("Only a worker applies to change employer, for themself.")
    return worker


@transaction.atomic
def application_create(*, actor, opening: TransferOpening, cause: Any, message: Any = "") -> TransferApplication:
    """The worker applies to an opening, with the cause of the change. Nobody's permission is asked: not the current
    employer's, not a recruiter's. A change of the worker's own choice follows the programme's policy (not allowed,
    within the sector, or a number of changes per stay); one caused by the employer is always possible. If the
    worker's employer was suspended or banned, the cause is set to that by the system."""
    worker = _worker_of(actor)
    opening = _locked_opening(opening)
    order = opening.job_order
    journey = selectors.current_journeys(worker).filter(placement__job_order__programme=order.programme).first()
    if journey is None:
        raise Conflict(f"Only workers employed at destination in programme {order.programme.code} apply to its openings.",
                       field="journey")
    journey = _locked_journey(journey)
    if opening.status != OpeningStatus.OPEN or opening.ends_on < timezone.localdate():
        raise Conflict("This opening is closed.", field="opening")
    if order.employer_id == journey.placement.job_order.employer_id:
        raise InvalidInput("This opening is your current employer's.", field="opening")
    if selectors.released(journey) is not None:
        chosen = Cause.EMPLOYER_SANCTIONED
    else:
        chosen = str(cause or "").strip()
        if chosen not in WORKER_CAUSES:
            raise InvalidInput(f"Choose the cause: {', '.join(WORKER_CAUSES)}.", field="cause")
    text = _text(message, "message", required=False, limit=2000)
    _require_approved(order, "opening")
    if chosen not in EMPLOYER_CAUSED:
        _own_choice_allowed(journey)
        _sector_allowed(journey, order)
    if selectors.positions_left(opening) <= 0:
        raise Conflict("Every position of this opening is taken.", field="opening")
    if TransferApplication.objects.filter(worker=worker, opening=opening, status__in=[
            ApplicationStatus.APPLIED, ApplicationStatus.ACCEPTED]).exists():
        raise Conflict("You have already applied to this opening.", field="opening")
    try:
        with transaction.atomic():
            application = TransferApplication.objects.create(opening=opening, worker=worker, journey=journey,
                                                             cause=chosen, message=text)
    except IntegrityError:
        raise Conflict("You have already applied to this opening.", field="opening") from None
    audit.record(actor=actor, action="transfer_application.create", subject=application,
                 after=audit.snapshot(application), programme_id=order.programme_id)
    notify.send(Notice(kind="mobility.applied", category=Category.WORKER_IDENTITY, link=EMPLOYER_LINK,
                       message=gettext_noop("Worker %(worker)s applied to your opening “%(title)s”."),
                       params={"worker": worker.public_id, "title": order.title}, subject=application,
                       programme_id=order.programme_id), organisations=_employer_orgs(order))
    return application


@transaction.atomic
def application_withdraw(*, actor, application: TransferApplication, reason: Any = "") -> TransferApplication:
    """The worker withdraws an application not yet completed; a placement made on acceptance is cancelled."""
    application = _locked_application(application)
    if not contracts.is_worker(actor, application.worker):
        raise Forbidden("Only the worker withdraws their application.")
    if application.status not in (ApplicationStatus.APPLIED, ApplicationStatus.ACCEPTED):
        raise Conflict(f"This application is {application.get_status_display().lower()}; it cannot be withdrawn.",
                       field="status")
    why = _text(reason, "reason", required=False) or "The worker withdrew the application."
    before = audit.snapshot(application)
    if application.placement is not None:
        _cancel_placement(actor, application.placement, "The worker withdrew the application to change employer.")
    application.status, application.withdrawn_at = ApplicationStatus.WITHDRAWN, timezone.now()
    application.save(update_fields=["status", "withdrawn_at"])
    audit.record(actor=actor, action="transfer_application.withdraw", subject=application, before=before,
                 after=audit.snapshot(application), reason=why, programme_id=_programme_id(application.opening))
    if before["status"] == ApplicationStatus.ACCEPTED:
        order = application.opening.job_order
        notify.send(Notice(kind="mobility.withdrawn", category=Category.WORKER_IDENTITY, link=EMPLOYER_LINK,
                           message=gettext_noop("Worker %(worker)s withdrew from “%(title)s”."),
                           params={"worker": application.worker.public_id, "title": order.title},
                           subject=application, programme_id=order.programme_id), organisations=_employer_orgs(order))
    return application


def _cancel_placement(actor, placement: Placement, reason: str) -> None:
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if placement.status not in LIVE_PLACEMENT:
        return
    before = audit.snapshot(placement)
    placement.status, placement.reason = PlacementStatus.CANCELLED, reason
    placement.save(update_fields=["status", "reason"])
    audit.record(actor=actor, action="placement.cancel", subject=placement, before=before,
                 after=audit.snapshot(placement), reason=reason, programme_id=placement.job_order.programme_id)


@transaction.atomic
def application_accept(*, actor, application: TransferApplication) -> TransferApplication:
    """The new employer accepts: in one transaction a placement confirmed by both (the worker by applying, the
    employer by accepting) and its contract, generated from the job order and the programme's template. The contract
    then goes the usual way: signed by the employer, approved by the origin authority, accepted by the worker."""
    application = _locked_application(application)
    opening = application.opening
    order = opening.job_order
    if not contracts.is_employer_of(actor, order):
        raise Forbidden("Only the employer of the opening accepts or declines an application.")
    if application.status != ApplicationStatus.APPLIED:
        raise Conflict(f"This application is {application.get_status_display().lower()}.", field="status")
    _require_approved(order, "opening")
    journey = _locked_journey(application.journey)
    if journey.state not in selectors.AT_DESTINATION:
        raise Conflict("The worker is no longer employed at destination under this journey.", field="journey")
    if application.cause not in EMPLOYER_CAUSED:
        _own_choice_allowed(journey)
    _locked_opening(opening)
    if selectors.positions_left(opening) <= 0:
        raise Conflict("Every position of this opening is taken; close it or open more positions.", field="positions")
    if TransferApplication.objects.filter(worker=application.worker, status=ApplicationStatus.ACCEPTED).exists():
        raise Conflict("Another employer has already accepted this worker; the worker completes or withdraws that move "
                       "first.", field="application")
    if Placement.objects.filter(worker=application.worker, job_order=order, status__in=LIVE_PLACEMENT).exists():
        raise Conflict("The worker already has a placement at this job order.", field="placement")
    now = timezone.now()
    # contracts has no service that makes a placement outside a selection run: the placement is made here, confirmed
    # by both sides (the worker applied, the employer accepted), without a selection outcome.
    placement = Placement.objects.create(worker=application.worker, job_order=order, status=PlacementStatus.CONFIRMED,
                                         worker_confirmed_at=application.applied_at, employer_confirmed_at=now,
                                         employer_confirmed_by=actor, created_by=actor)
    audit.record(actor=actor, action="placement.transfer", subject=placement, after=audit.snapshot(placement),
                 reason=f"Change of employer: application {application.pk}", programme_id=order.programme_id,
                 organisation_id=order.employer.organisation_id)
    contracts.contract_generate(actor=actor, placement=placement)
    before = audit.snapshot(application)
    application.status, application.placement = ApplicationStatus.ACCEPTED, placement
    application.decided_by, application.decided_at = actor, now
    application.save(update_fields=["status", "placement", "decided_by", "decided_at"])
    audit.record(actor=actor, action="transfer_application.accept", subject=application, before=before,
                 after=audit.snapshot(application), programme_id=order.programme_id)
    worker = application.worker
    params = {"employer": order.employer.organisation.name, "title": order.title, "worker": worker.public_id}
    notify.send_many([
        (Notice(kind="mobility.accepted", category=Category.WORKER_IDENTITY, link="/contracts/me/", params=params,
                message=gettext_noop("%(employer)s accepted you for “%(title)s”. Your new contract comes to you once "
                                     "the employer signs it and your origin authority approves it."),
                subject=application, programme_id=order.programme_id), [worker.user_id], []),
        (Notice(kind="mobility.accepted", category=Category.WORKER_IDENTITY, link="/contracts/", params=params,
                message=gettext_noop("Worker %(worker)s is moving to %(employer)s (“%(title)s”); the new contract will "
                                     "come to you for approval."),
                subject=application, programme_id=order.programme_id), [],
         origin_authorities(worker.nationality, order.programme_id)),
    ])
    return application


@transaction.atomic
def application_decline(*, actor, application: TransferApplication, reason: Any) -> TransferApplication:
    """The new employer declines, with a reason the worker reads."""
    application = _locked_application(application)
    order = application.opening.job_order
    if not contracts.is_employer_of(actor, order):
        raise Forbidden("Only the employer of the opening accepts or declines an application.")
    if application.status != ApplicationStatus.APPLIED:
        raise Conflict(f"This application is {application.get_status_display().lower()}.", field="status")
    why = _text(reason, "reason", limit=2000)
    before = audit.snapshot(application)
    application.status, application.decline_reason = ApplicationStatus.DECLINED, why
    application.decided_by, application.decided_at = actor, timezone.now()
    application.save(update_fields=["status", "decline_reason", "decided_by", "decided_at"])
    audit.record(actor=actor, action="transfer_application.decline", subject=application, before=before,
                 after=audit.snapshot(application), reason=why, programme_id=order.programme_id)
    notify.send(Notice(kind="mobility.declined", category=Category.WORKER_IDENTITY, link=WORKER_LINK,
                       message=gettext_noop("%(employer)s will not take you: %(reason)s"),
                       params={"employer": order.employer.organisation.name, "reason": why}, subject=application,
                       programme_id=order.programme_id), users=[application.worker.user_id])
    return application


# --- completion --------------------------------------------------------------------------------------------------


def _continue(actor, previous: Journey, placement: Placement, welfare_name: str, welfare_phone: str) -> Journey:
    """The journey with the new employer: employed at once, the stay's facts carried over from the one before."""
    now = timezone.now()
    journey = Journey.objects.create(
        placement=placement, worker=previous.worker, state=path.EMPLOYED, state_since=now, previous=previous,
        departed_on=previous.departed_on, arrived_on=previous.arrived_on, arrival_confirmed_by=previous.arrival_confirmed_by,
        insurance_provider=previous.insurance_provider, insurance_policy=previous.insurance_policy,
        insurance_valid_until=previous.insurance_valid_until, planned_departure=previous.planned_departure,
        travel_booking=previous.travel_booking, welfare_contact_name=welfare_name, welfare_contact_phone=welfare_phone,
    )
    JourneyStep.objects.create(journey=journey, action="continue", from_state="", to_state=path.EMPLOYED, at=now,
                               actor=actor if getattr(actor, "is_authenticated", False) else None,
                               note=f"Continues journey {previous.pk} with a new employer.")
    audit.record(actor=actor, action="journey.continue", subject=journey, after=audit.snapshot(journey),
                 reason=f"Change of employer from journey {previous.pk}.", programme_id=placement.job_order.programme_id)
    return journey


@transaction.atomic
def move_complete(*, actor, application: TransferApplication, welfare_contact_name: Any = None,
                  welfare_contact_phone: Any = None) -> Journey:
    """Once the worker has accepted the new contract, the worker or the new employer completes the move: the journey
    with the old employer ends 'moved', the new one starts 'employed' (the new employer may name a new welfare
    contact). The old employer is told; it is never asked."""
    application = _locked_application(application)
    order = application.opening.job_order
    is_worker = contracts.is_worker(actor, application.worker)
    is_new_employer = contracts.is_employer_of(actor, order)
    if not (is_worker or is_new_employer):
        raise Forbidden("Only the worker or the new employer completes the move.")
    if application.status != ApplicationStatus.ACCEPTED:
        raise Conflict(f"This application is {application.get_status_display().lower()}; only an accepted one is "
                       "completed.", field="status")
    placement = application.placement
    if contracts.in_force(placement) is None:
        raise Conflict("The worker has not accepted the new contract yet (the employer signs it, the origin authority "
                       "approves it, then the worker accepts it).", field="contract")
    _require_approved(order, "opening")
    old = _locked_journey(application.journey)
    if old.state not in selectors.AT_DESTINATION:
        raise Conflict("The worker is no longer employed at destination under the old journey.", field="journey")
    if Journey.objects.filter(previous=old).exists() or Journey.objects.filter(placement=placement).exists():
        raise Conflict("This move is already completed.", field="journey")
    if application.cause not in EMPLOYER_CAUSED:
        _own_choice_allowed(old)
    name, phone = old.welfare_contact_name, old.welfare_contact_phone
    if is_new_employer and welfare_contact_name not in (None, ""):
        name = _text(welfare_contact_name, "welfare_contact_name", limit=200)
        phone = _text(welfare_contact_phone, "welfare_contact_phone", required=False, limit=40)
    old_employer = old.placement.job_order
    _journey_step(actor, old, "move", f"Moved to {order.employer.organisation.name} (application {application.pk}).")
    journey = _continue(actor, old, placement, name, phone)
    before = audit.snapshot(application)
    application.status, application.new_journey = ApplicationStatus.COMPLETED, journey
    application.completed_at, application.completed_by = timezone.now(), actor
    application.save(update_fields=["status", "new_journey", "completed_at", "completed_by"])
    audit.record(actor=actor, action="transfer_application.complete", subject=application, before=before,
                 after=audit.snapshot(application), programme_id=order.programme_id)
    for other in TransferApplication.objects.select_for_update().filter(
            worker=application.worker, status=ApplicationStatus.APPLIED).exclude(pk=application.pk):
        prior = audit.snapshot(other)
        other.status, other.withdrawn_at = ApplicationStatus.WITHDRAWN, timezone.now()
        other.save(update_fields=["status", "withdrawn_at"])
        audit.record(actor=actor, action="transfer_application.withdraw", subject=other, before=prior,
                     after=audit.snapshot(other), reason="The worker moved to another employer.",
                     programme_id=other.opening.job_order.programme_id)
    worker = application.worker
    params = {"worker": worker.public_id, "employer": order.employer.organisation.name, "title": order.title,
              "old": old_employer.employer.organisation.name}
    notify.send_many([
        (Notice(kind="mobility.moved", category=Category.WORKER_IDENTITY, link=f"/journeys/{old.pk}/", params=params,
                message=gettext_noop("Worker %(worker)s has moved to another employer and no longer works for you."),
                subject=old, programme_id=order.programme_id), [], _employer_orgs(old_employer)),
        (Notice(kind="mobility.moved", category=Category.WORKER_IDENTITY, link=f"/journeys/{journey.pk}/", params=params,
                message=gettext_noop("Worker %(worker)s has moved from %(old)s to %(employer)s (“%(title)s”)."),
                subject=journey, programme_id=order.programme_id), [],
         origin_authorities(worker.nationality, order.programme_id)),
        (Notice(kind="mobility.moved", category=Category.WORKER_IDENTITY, link="/journeys/me/", params=params,
                message=gettext_noop("Your move to %(employer)s is complete. Your stay goes on lawfully with your new "
                                     "employer."),
                subject=journey, programme_id=order.programme_id), [worker.user_id], []),
    ])
    return journey


# --- release when an employer is sanctioned ------------------------------------------------------------------------


def release_for_sanction(actor, employer, programme, reason: str) -> list[Release]:
    """Installed as the employers app's sanction listener (it runs inside the suspension or ban's transaction): every
    worker of the employer in the programme who is employed starts a change of employer at once, the release is
    recorded (the change never counts toward a limit), the employer's openings in the programme close, and the
    workers, their origin authority and the labour inspectorate are told."""
    approval = EmployerApproval.objects.filter(employer=employer, programme=programme).first()
    sanction = Sanction.BANNED if approval is not None and approval.status == ApprovalStatus.BANNED else Sanction.SUSPENDED
    label = gettext_noop("banned") if sanction == Sanction.BANNED else gettext_noop("suspended")
    journeys = Journey.objects.select_for_update(of=("self",)).select_related(
        "worker", "placement__job_order__programme", "placement__job_order__employer__organisation").filter(
        placement__job_order__employer=employer, placement__job_order__programme=programme,
        state__in=selectors.AT_DESTINATION).exclude(pk__in=Release.objects.values("journey_id")).order_by("pk")
    released: list[Release] = []
    note = f"Released: the employer was {label} in {programme.code} ({reason})."[:MAX_TEXT]
    for journey in journeys:
        if journey.state == path.EMPLOYED:
            _journey_step(actor, journey, "start_employer_change", note)
        release = Release.objects.create(journey=journey, employer=employer, programme=programme, sanction=sanction,
                                         reason=reason, released_by=actor if getattr(actor, "is_authenticated", False) else None)
        audit.record(actor=actor, action="mobility.release", subject=release, after=audit.snapshot(release),
                     reason=note, programme_id=programme.pk, organisation_id=employer.organisation_id)
        # A change already under way is now caused by the sanction: it will not count either.
        for application in TransferApplication.objects.select_for_update().filter(
                journey=journey, status__in=[ApplicationStatus.APPLIED, ApplicationStatus.ACCEPTED]).exclude(
                cause=Cause.EMPLOYER_SANCTIONED):
            before = audit.snapshot(application)
            application.cause = Cause.EMPLOYER_SANCTIONED
            application.save(update_fields=["cause"])
            audit.record(actor=actor, action="transfer_application.cause", subject=application, before=before,
                         after=audit.snapshot(application), reason=note, programme_id=programme.pk)
        released.append(release)
    for opening in TransferOpening.objects.select_for_update(of=("self",)).select_related(
            "job_order__employer__organisation").filter(job_order__employer=employer, job_order__programme=programme,
                                                        status=OpeningStatus.OPEN):
        _close(actor, opening, f"The employer was {label} in {programme.code}.")
    if not released:
        return released
    params = {"employer": employer.organisation.name, "programme": programme.code, "sanction": label}
    translated = ("sanction",)
    batch = [(Notice(kind="mobility.released", category=Category.WORKER_IDENTITY, link=WORKER_LINK, params=params, translated=translated,
                     message=gettext_noop("%(employer)s was %(sanction)s in %(programme)s. You may change employer now: "
                                          "your stay stays lawful while you look, and this change does not count "
                                          "against you."),
                     subject=r.journey, programme_id=programme.pk), [r.journey.worker.user_id], [])
             for r in released]
    for country in sorted({r.journey.worker.nationality for r in released}):
        count = sum(1 for r in released if r.journey.worker.nationality == country)
        batch.append((Notice(kind="mobility.released", category=Category.WORKER_IDENTITY, link=OFFICIAL_LINK,
                             params={**params, "count": count}, translated=translated,
                             message=gettext_noop("%(employer)s was %(sanction)s in %(programme)s: %(count)s of your "
                                                  "workers are released to change employer."),
                             subject=employer, programme_id=programme.pk), [],
                      origin_authorities(country, programme.pk)))
    batch.append((Notice(kind="mobility.released", category=Category.INSPECTION, link=OFFICIAL_LINK,
                         params={**params, "count": len(released)}, translated=translated,
                         message=gettext_noop("%(employer)s was %(sanction)s in %(programme)s: %(count)s workers are "
                                              "released to change employer."),
                         subject=employer, programme_id=programme.pk), [],
                  labour_inspectorates(programme.destination_country, programme.pk)))
    notify.send_many(batch)
    return released


# --- the end of a grace period -----------------------------------------------------------------------------------


@transaction.atomic
def grace_notify(*, today: datetime.date | None = None) -> list[GraceNotice]:
    """Tell the worker and the destination ministry, once per change, that a grace period has ended. Nothing else
    happens to the worker: no step of the journey, no sanction (run daily: `corridor mobility-grace`)."""
    today = today or timezone.localdate()
    sent: list[GraceNotice] = []
    batch = []
    journeys = Journey.objects.filter(state=path.CHANGING_EMPLOYER).select_related(
        "worker", "placement__job_order__programme").order_by("pk")
    for journey in journeys:
        info = selectors.grace(journey, today)
        if info is None or not info["ended"]:
            continue
        notice, created = GraceNotice.objects.get_or_create(
            journey=journey, change_started_at=journey.state_since, defaults={"grace_ended_on": info["end"]})
        if not created:
            continue
        audit.record(actor=None, action="mobility.grace_ended", subject=notice, after=audit.snapshot(notice),
                     programme_id=journey.placement.job_order.programme_id)
        programme = journey.placement.job_order.programme
        params = {"date": info["end"].isoformat(), "worker": journey.worker.public_id}
        batch.append((Notice(kind="mobility.grace_ended", category=Category.WORKER_IDENTITY, link=WORKER_LINK,
                             params=params, subject=journey, programme_id=programme.pk,
                             message=gettext_noop("The grace period to find a new employer ended on %(date)s. Contact "
                                                  "your origin authority's liaison officer: they can help you.")),
                      [journey.worker.user_id], []))
        batch.append((Notice(kind="mobility.grace_ended", category=Category.WORKER_IDENTITY, link=OFFICIAL_LINK,
                             params=params, subject=journey, programme_id=programme.pk,
                             message=gettext_noop("Worker %(worker)s's grace period to find a new employer ended on "
                                                  "%(date)s.")),
                      [], _ministries(programme)))
        sent.append(notice)
    if batch:
        notify.send_many(batch)
    return sent
