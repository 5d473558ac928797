"""Writes of the selection app: one atomic, audited action per state change (docs/selection.md)."""

from __future__ import annotations

import datetime
import json
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from corridor.accounts.models import OrgKind
from corridor.core import audit
from corridor.core.access import Role, organisation_of, roles_of
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.inputs import date_field
from corridor.employers.models import EmployerProfile
from corridor.joborders.models import JobOrder
from corridor.programmes.models import Programme, ProgrammeStatus
from corridor.programmes.rulebook import RuleSet, SelectionMode
from corridor.programmes.selectors import rule_version_in_force
from corridor.reference.selectors import isco_code_exists
from corridor.selection import assign, loading
from corridor.selection.models import (
    Appeal,
    AppealStatus,
    Nomination,
    NominationStatus,
    Outcome,
    PickStatus,
    Preference,
    RoundStatus,
    RunJobOrder,
    RunKind,
    RunStatus,
    SeasonRecord,
    SelectionRound,
    SelectionRun,
    SkillsTest,
)
from corridor.workers.models import ConsentPurpose, PoolStatus, Worker, consent_q
from corridor.workers.services import is_origin_officer_for

RUN_LOCK_STALE = datetime.timedelta(hours=1)
MAX_TEXT = 4000
STATUS_CODES = {assign.SELECTED: "s", assign.NOT_SELECTED: "n", assign.NOT_REACHED: "r", assign.INELIGIBLE: "i"}


# --- who may act -------------------------------------------------------------------------------------------------


def is_programme_admin(actor, programme: Programme) -> bool:
    """Platform administrators, and programme administrators of the destination ministry."""
    roles = roles_of(actor)
    if Role.PLATFORM_ADMIN in roles:
        return True
    org = organisation_of(actor)
    return bool(
        Role.MINISTRY_ADMIN in roles and org is not None and org.kind == OrgKind.DESTINATION_MINISTRY
        and org.country == programme.destination_country
    )


def is_ministry(actor, programme: Programme) -> bool:
    """Programme administrators and officers of the destination ministry."""
    org = organisation_of(actor)
    return is_programme_admin(actor, programme) or bool(
        Role.MINISTRY_OFFICER in roles_of(actor) and org is not None and org.kind == OrgKind.DESTINATION_MINISTRY
        and org.country == programme.destination_country
    )


def origin_country_of(actor, programme: Programme) -> str | None:
    """The origin country whose competent authority for the programme the actor belongs to, if any."""
    org = organisation_of(actor)
    if Role.ORIGIN_OFFICER not in roles_of(actor) or org is None or org.kind != OrgKind.ORIGIN_AUTHORITY:
        return None
    found = programme.corridors.filter(is_active=True, origin_country=org.country, competent_authority=org).exists()
    return org.country if found else None


def may_run(actor, rnd: SelectionRound) -> bool:
    """The programme administrator, or the origin authority of the round's corridor."""
    if is_programme_admin(actor, rnd.programme):
        return True
    country = origin_country_of(actor, rnd.programme)
    return bool(country and rnd.origin_country == country)


def _require_run(actor, rnd: SelectionRound) -> None:
    if not may_run(actor, rnd):
        raise Forbidden("Only the programme administrator, or the origin authority of this round's corridor, may do this.")


def _require_open(rnd: SelectionRound) -> None:
    if rnd.status != RoundStatus.OPEN:
        raise Conflict(f"Round {rnd.number} of {rnd.programme.code} is closed; nothing more can be done in it.",
                       field="round")


def _require_worker_or_origin(actor, worker: Worker) -> None:
    if worker.user_id is not None and worker.user_id == getattr(actor, "pk", None):
        return
    if is_origin_officer_for(actor, worker.nationality):
        return
    raise Forbidden("Only the worker, or the origin authority of the worker's country, may do this.")


def _text(value: Any, name: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise InvalidInput("This is required.", field=name)
    if len(text) > limit:
        raise InvalidInput(f"At most {limit} characters.", field=name)
    return text


def _version(programme: Programme, day: datetime.date | None = None):
    version = rule_version_in_force(programme=programme, day=day)
    if version is None:
        raise Conflict(f"Programme {programme.code} has no rules in force today.", field="programme")
    return version


def _rules(version) -> RuleSet:
    return RuleSet.model_validate(version.rules)


def _locked_round(rnd: SelectionRound) -> SelectionRound:
    return SelectionRound.objects.select_for_update().select_related("programme").get(pk=rnd.pk)


def _round_event(actor, action: str, rnd: SelectionRound, before=None, reason: str = "", version_id=None) -> None:
    audit.record(actor=actor, action=action, subject=rnd, before=before, after=audit.snapshot(rnd, exclude=("running_since",)),
                 reason=reason, programme_id=rnd.programme_id, rule_version_id=version_id)


# --- rounds ------------------------------------------------------------------------------------------------------


@transaction.atomic
def round_create(*, actor, programme: Programme, origin_country: Any = "", title: Any = "",
                 preferences_close_on: Any = None) -> SelectionRound:
    """Open a round of selection for a programme (and one corridor, or all); its lottery seed is drawn and published
    now, before any preference is known to the officer."""
    origin = str(origin_country or "").strip().upper()
    if not is_programme_admin(actor, programme):
        mine = origin_country_of(actor, programme)
        if mine is None:
            raise Forbidden("Only the programme administrator or an origin authority of the programme may open a round.")
        if origin and origin != mine:
            raise Forbidden(f"Your authority opens rounds for its own corridor ({mine}) only.")
        origin = mine
    if programme.status != ProgrammeStatus.ACTIVE:
        raise Conflict(f"Programme {programme.code} is not active.", field="programme")
    if origin and not programme.corridors.filter(origin_country=origin, is_active=True).exists():
        raise InvalidInput(f"Programme {programme.code} has no open corridor from {origin}.", field="origin_country")
    version = _version(programme)
    date_errors: list[dict] = []
    close_on = date_field({"preferences_close_on": preferences_close_on}, "preferences_close_on", date_errors, required=False)
    if date_errors:
        raise InvalidInput(date_errors)
    if close_on is not None and close_on < timezone.localdate():
        raise InvalidInput("The closing date is in the past.", field="preferences_close_on")
    number = (SelectionRound.objects.filter(programme=programme, origin_country=origin).aggregate(n=Max("number"))["n"] or 0) + 1
    label = _text(title, "title", required=False, limit=200) or f"{programme.code} {origin or ''} round {number}".replace("  ", " ")
    rnd = SelectionRound.objects.create(
        programme=programme, number=number, origin_country=origin, title=label, seed=secrets.token_hex(32),
        preferences_close_on=close_on, created_by=actor,
    )
    _round_event(actor, "selection_round.create", rnd, version_id=version.pk,
                 reason=f"Lottery seed published: {rnd.seed}")
    return rnd


@transaction.atomic
def round_close(*, actor, rnd: SelectionRound, reason: Any = "") -> SelectionRound:
    """Close a round: no more preferences, runs or appeals in it."""
    rnd = _locked_round(rnd)
    _require_run(actor, rnd)
    _require_open(rnd)
    note = _text(reason, "reason")
    if Appeal.objects.filter(outcome__run__round=rnd, status=AppealStatus.LODGED).exists():
        raise Conflict("Decide the lodged appeals before closing the round.", field="round")
    before = audit.snapshot(rnd, exclude=("running_since",))
    rnd.status, rnd.closed_at, rnd.closed_by = RoundStatus.CLOSED, timezone.now(), actor
    rnd.save(update_fields=["status", "closed_at", "closed_by"])
    _round_event(actor, "selection_round.close", rnd, before, reason=note)
    return rnd


def has_published(rnd: SelectionRound) -> bool:
    return rnd.runs.filter(kind=RunKind.PUBLISHED).exists()


# --- preferences -------------------------------------------------------------------------------------------------


def _require_preferences_open(rnd: SelectionRound) -> None:
    _require_open(rnd)
    if has_published(rnd):
        raise Conflict("Results of this round are published; preferences can no longer change.", field="job_orders")
    if rnd.preferences_close_on is not None and timezone.localdate() > rnd.preferences_close_on:
        raise Conflict(f"Preferences for this round closed on {rnd.preferences_close_on.isoformat()}.", field="job_orders")


def _require_taking_part(rnd: SelectionRound, worker: Worker) -> None:
    if worker.status == PoolStatus.MERGED:
        raise Conflict("This worker record was merged into another one.", field="worker")
    if rnd.origin_country and worker.nationality != rnd.origin_country:
        raise Forbidden(f"This round is for workers from {rnd.origin_country}.")
    if not rnd.programme.corridors.filter(origin_country=worker.nationality, is_active=True).exists():
        raise Forbidden(f"Programme {rnd.programme.code} has no open corridor from {worker.nationality}.")
    if not Worker.objects.filter(pk=worker.pk).filter(
        consent_q("", purpose=ConsentPurpose.SELECTION, programme_id=rnd.programme_id)
    ).exists():
        raise Conflict(
            f"Give your consent to take part in selection for {rnd.programme.code} first (profile, consents).",
            field="consent",
        )


def eligibility_for(rnd: SelectionRound, worker: Worker, orders: list[JobOrder], day: datetime.date | None = None) -> dict:
    """Job order id -> unmet criteria ([code, params] lists) for the worker, as the run will check them."""
    day = day or timezone.localdate()
    version = _version(rnd.programme, day)
    rules = _rules(version)
    info = loading.worker_info(rnd, [worker.pk], rules, day)[worker.pk]
    memo: dict = {}
    return {o.pk: loading.pair_unmet(info, o, version.rules, day, memo) for o in orders}


@transaction.atomic
def preferences_set(*, actor, rnd: SelectionRound, worker: Worker, job_orders: Any) -> list[Preference]:
    """Replace the worker's ranking in the round: `job_orders` lists job order references (or ids), first choice
    first. Only eligible job orders of the round are accepted; every refusal names the entry and the reason."""
    rnd = _locked_round(rnd)
    _require_worker_or_origin(actor, worker)
    _require_preferences_open(rnd)
    _require_taking_part(rnd, worker)
    if not isinstance(job_orders, list | tuple):
        raise InvalidInput("Give a list of job orders, first choice first.", field="job_orders")
    # Blank entries are skipped; every refusal names the entry by its place in the list as given.
    wanted = [(i, str(x).strip()) for i, x in enumerate(job_orders) if str(x).strip()]
    if not wanted:
        raise InvalidInput("Rank at least one job order (or withdraw from the round).", field="job_orders")
    limit = _rules(_version(rnd.programme)).selection.max_preferences
    if len(wanted) > limit:
        raise InvalidInput(f"Rank at most {limit} job orders in this programme.", field="job_orders")
    available = {o.reference: o for o in loading.round_job_orders(rnd)}
    by_id = {str(o.pk): o for o in available.values()}
    errors, chosen, places = [], [], []
    for i, ref in wanted:
        order = available.get(ref) or by_id.get(ref)
        if order is None:
            errors.append({"field": f"job_orders.{i}", "message": f"'{ref}' is not an open job order of this round."})
        elif order in chosen:
            errors.append({"field": f"job_orders.{i}", "message": f"'{ref}' is ranked twice."})
        else:
            chosen.append(order)
            places.append(i)
    if errors:
        raise InvalidInput(errors)
    unmet = eligibility_for(rnd, worker, chosen)
    from corridor.selection.explain import reason_text

    for i, order in zip(places, chosen, strict=True):
        if unmet[order.pk]:
            text = " ".join(reason_text(code, params) for code, params in unmet[order.pk])
            errors.append({"field": f"job_orders.{i}", "message": f"{order.reference}: {text}"})
    if errors:
        raise InvalidInput(errors)
    old = list(Preference.objects.filter(round=rnd, worker=worker).values_list("job_order__reference", flat=True))
    Preference.objects.filter(round=rnd, worker=worker).delete()
    rows = Preference.objects.bulk_create(
        [Preference(round=rnd, worker=worker, job_order=o, rank=i + 1) for i, o in enumerate(chosen)]
    )
    audit.record(actor=actor, action="selection.preferences_set", subject=worker, before={"ranking": old},
                 after={"round": rnd.pk, "ranking": [o.reference for o in chosen]}, programme_id=rnd.programme_id)
    return rows


@transaction.atomic
def preferences_withdraw(*, actor, rnd: SelectionRound, worker: Worker) -> None:
    """The worker leaves the round: the ranking is removed."""
    rnd = _locked_round(rnd)
    _require_worker_or_origin(actor, worker)
    _require_preferences_open(rnd)
    old = list(Preference.objects.filter(round=rnd, worker=worker).values_list("job_order__reference", flat=True))
    if not old:
        raise Conflict("There is no ranking to withdraw in this round.", field="job_orders")
    Preference.objects.filter(round=rnd, worker=worker).delete()
    audit.record(actor=actor, action="selection.preferences_withdraw", subject=worker, before={"ranking": old},
                 after={"round": rnd.pk, "ranking": []}, programme_id=rnd.programme_id)


# --- recall: season records, nominations -------------------------------------------------------------------------


def _require_record_keeper(actor, worker: Worker, programme: Programme) -> None:
    if is_ministry(actor, programme) or is_origin_officer_for(actor, worker.nationality):
        return
    raise Forbidden("Only the destination ministry or the worker's origin authority may record seasons.")


@transaction.atomic
def season_record_add(*, actor, worker: Worker, programme: Programme, year: Any, employer: Any = None,
                      completed: Any = True, returned_as_agreed: Any = True, note: Any = "") -> SeasonRecord:
    """Record a season the worker spent in the programme; a completed season with a return as agreed gives recall
    priority by rule in later rounds."""
    _require_record_keeper(actor, worker, programme)
    errors = []
    try:
        season = int(str(year).strip())
    except (TypeError, ValueError):
        season = None
    if season is None or not 1990 <= season <= timezone.localdate().year:
        errors.append({"field": "year", "message": f"Give the season's year, 1990 to {timezone.localdate().year}."})
    profile = None
    if employer not in (None, ""):
        profile = EmployerProfile.objects.filter(pk=employer if str(employer).isdigit() else -1).first()
        if profile is None:
            errors.append({"field": "employer", "message": f"No employer with id '{employer}'."})
    if errors:
        raise InvalidInput(errors)
    if SeasonRecord.objects.filter(worker=worker, programme=programme, year=season).exists():
        raise Conflict(f"The {season} season of this worker in {programme.code} is already recorded.", field="year")
    record = SeasonRecord.objects.create(
        worker=worker, programme=programme, year=season, employer=profile, completed=_flag(completed),
        returned_as_agreed=_flag(returned_as_agreed), note=_text(note, "note", required=False), recorded_by=actor,
    )
    audit.record(actor=actor, action="selection.season_record", subject=worker, after=audit.snapshot(record),
                 programme_id=programme.pk)
    for listener in list(_season_listeners):
        listener(actor, record)
    return record


# Called inside the transaction that writes a season record: fn(actor, record). The pathways app installs the
# refresh of the worker's pathway progress.
_season_listeners: list = []


def register_season_listener(fn) -> None:
    if fn not in _season_listeners:
        _season_listeners.append(fn)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


@transaction.atomic
def season_record_remove(*, actor, record: SeasonRecord, reason: Any) -> None:
    _require_record_keeper(actor, record.worker, record.programme)
    why = _text(reason, "reason")
    audit.record(actor=actor, action="selection.season_record_remove", subject=record.worker,
                 before=audit.snapshot(record), reason=why, programme_id=record.programme_id)
    record.delete()


def find_worker(public_id: Any, field: str = "worker") -> Worker:
    ident = str(public_id or "").strip().upper()
    if not ident:
        raise InvalidInput("Give the worker's identifier.", field=field)
    worker = Worker.objects.filter(public_id=ident).first()
    if worker is None:
        raise InvalidInput(f"No worker in the pool has the identifier '{ident}'.", field=field)
    if worker.status == PoolStatus.MERGED:
        raise InvalidInput(f"Worker {ident} was merged into another record; use that one.", field=field)
    return worker


@transaction.atomic
def nomination_create(*, actor, rnd: SelectionRound, job_order: JobOrder, worker: Any) -> Nomination:
    """The employer names a returning worker for one of its job orders; it counts once the worker consents."""
    rnd = _locked_round(rnd)
    if Role.EMPLOYER not in roles_of(actor) or organisation_of(actor) is None or \
            job_order.employer.organisation_id != organisation_of(actor).pk:
        raise Forbidden("Only the job order's employer may name workers for recall to it.")
    _require_preferences_open(rnd)
    rules = _rules(_version(rnd.programme))
    if not (rules.recall.enabled and rules.recall.named_by_employer_allowed):
        raise Conflict(f"Programme {rnd.programme.code} does not let employers name workers.", field="worker")
    if not loading.round_job_orders(rnd).filter(pk=job_order.pk).exists():
        raise InvalidInput("This job order is not open in this round.", field="job_order")
    person = worker if isinstance(worker, Worker) else find_worker(worker)
    if not SeasonRecord.objects.filter(worker=person, programme=rnd.programme, employer=job_order.employer,
                                       completed=True).exists():
        raise InvalidInput(
            f"{person.public_id} has no completed season with your organisation in {rnd.programme.code}; "
            "employers name only workers returning to them.", field="worker",
        )
    unmet = eligibility_for(rnd, person, [job_order])[job_order.pk]
    if unmet:
        from corridor.selection.explain import reason_text

        raise InvalidInput(f"{person.public_id} is not eligible for this job order: "
                           + " ".join(reason_text(c, p) for c, p in unmet), field="worker")
    named = Nomination.objects.filter(round=rnd, job_order=job_order).exclude(
        status__in=[NominationStatus.DECLINED, NominationStatus.WITHDRAWN]).count()
    if named >= job_order.positions:
        raise Conflict(f"You have already named {named} workers for {job_order.positions} positions.", field="worker")
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(round=rnd, job_order=job_order, worker=person, nominated_by=actor)
    except IntegrityError:
        raise Conflict(f"{person.public_id} is already named for this job order.", field="worker") from None
    audit.record(actor=actor, action="selection.nominate", subject=person, after=audit.snapshot(nomination),
                 programme_id=rnd.programme_id, organisation_id=job_order.employer.organisation_id)
    return nomination


@transaction.atomic
def nomination_answer(*, actor, nomination: Nomination, consent: Any) -> Nomination:
    """The worker accepts or declines being named. Declining costs the worker nothing: no reason is asked, and the
    worker keeps the recall priority by rule and the points like anybody else."""
    nomination = Nomination.objects.select_for_update().select_related("round__programme", "worker").get(pk=nomination.pk)
    _require_worker_or_origin(actor, nomination.worker)
    _require_preferences_open(nomination.round)
    if nomination.status == NominationStatus.WITHDRAWN:
        raise Conflict("The employer withdrew this nomination.", field="consent")
    before = audit.snapshot(nomination)
    nomination.status = NominationStatus.CONSENTED if _flag(consent) else NominationStatus.DECLINED
    nomination.answered_at = timezone.now()
    nomination.save(update_fields=["status", "answered_at"])
    audit.record(actor=actor, action="selection.nomination_answer", subject=nomination.worker, before=before,
                 after=audit.snapshot(nomination), programme_id=nomination.round.programme_id)
    return nomination


@transaction.atomic
def nomination_withdraw(*, actor, nomination: Nomination) -> Nomination:
    nomination = Nomination.objects.select_for_update().select_related("round__programme", "job_order__employer").get(pk=nomination.pk)
    org = organisation_of(actor)
    if org is None or nomination.job_order.employer.organisation_id != org.pk:
        raise Forbidden("Only the employer who named the worker may withdraw the nomination.")
    _require_preferences_open(nomination.round)
    before = audit.snapshot(nomination)
    nomination.status, nomination.answered_at = NominationStatus.WITHDRAWN, timezone.now()
    nomination.save(update_fields=["status", "answered_at"])
    audit.record(actor=actor, action="selection.nomination_withdraw", subject=nomination.worker, before=before,
                 after=audit.snapshot(nomination), programme_id=nomination.round.programme_id)
    return nomination


# --- skills tests ------------------------------------------------------------------------------------------------


@transaction.atomic
def skills_test_add(*, actor, worker: Worker, isco_code: Any, test: Any, score: Any, taken_on: Any) -> SkillsTest:
    """The origin authority records a skills test result; it counts in the points score of later runs."""
    if not is_origin_officer_for(actor, worker.nationality):
        raise Forbidden("Only the origin authority of the worker's country records skills tests.")
    errors = []
    code = str(isco_code or "").strip()
    if not code.isdigit() or not 1 <= len(code) <= 4 or not isco_code_exists(code):
        errors.append({"field": "isco_code", "message": f"'{code}' is not an ISCO-08 code."})
    name = str(test or "").strip()
    if not name or len(name) > 200:
        errors.append({"field": "test", "message": "Name the test (at most 200 characters)."})
    try:
        value = Decimal(str(score).strip())
        if not value.is_finite() or not 0 <= value <= 100:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        value = None
        errors.append({"field": "score", "message": "Give a score from 0 to 100."})
    day = date_field({"taken_on": taken_on}, "taken_on", errors)
    if day is not None and day > timezone.localdate():
        errors.append({"field": "taken_on", "message": "The date is in the future."})
    if errors:
        raise InvalidInput(errors)
    result = SkillsTest.objects.create(worker=worker, isco_code=code, test=name, score=value.quantize(Decimal("0.01")),
                                       taken_on=day, recorded_by=actor)
    audit.record(actor=actor, action="selection.skills_test", subject=worker, after=audit.snapshot(result))
    return result


# --- runs --------------------------------------------------------------------------------------------------------


def _acquire(rnd: SelectionRound) -> datetime.datetime:
    """Mark the round as running with one conditional update; the mark is the lock's token."""
    now = timezone.now()
    taken = SelectionRound.objects.filter(pk=rnd.pk).filter(
        Q(running_since__isnull=True) | Q(running_since__lt=now - RUN_LOCK_STALE)
    ).update(running_since=now)
    if not taken:
        since = SelectionRound.objects.filter(pk=rnd.pk).values_list("running_since", flat=True).first()
        when = timezone.localtime(since).strftime("%H:%M:%S") if since else "just now"
        raise Conflict(f"A run of this round is already in progress (started {when}); wait for it to finish.",
                       field="round")
    return now


def _release(rnd: SelectionRound, token: datetime.datetime) -> None:
    """Clear the mark, unless another run took it over as stale meanwhile."""
    SelectionRound.objects.filter(pk=rnd.pk, running_since=token).update(running_since=None)


def run_round(*, actor, rnd: SelectionRound, publish: bool = False, reason: Any = "",
              day: datetime.date | None = None, system: bool = False) -> SelectionRun:
    """Compute the round. A dry run is stored for review and changes nothing else. A published run is final and
    immutable; publishing again (a re-run, e.g. after an upheld appeal) needs a reason and supersedes the run in
    force. Two runs of one round never overlap; a run is written completely or not at all. `system` is the command
    line (`corridor select run`), run by the platform's operator: no user, audited as the system."""
    rnd = SelectionRound.objects.select_related("programme").get(pk=rnd.pk)
    if not system:
        _require_run(actor, rnd)
    _require_open(rnd)
    why = _text(reason, "reason", required=False)
    if publish and has_published(rnd) and not why:
        raise InvalidInput("Say why the published run is run again (for example the appeal upheld).", field="reason")
    token = _acquire(rnd)
    try:
        return _run(actor, rnd, publish, why, day or timezone.localdate())
    finally:
        _release(rnd, token)


def _run(actor, rnd: SelectionRound, publish: bool, why: str, day: datetime.date) -> SelectionRun:
    started = timezone.now()
    version = _version(rnd.programme, day)
    loaded = loading.load(rnd, version, day=day)
    inp = loaded.inp
    if not inp.workers:
        raise Conflict("No worker has ranked a job order in this round yet.", field="round")
    if not any(inp.capacities):
        raise Conflict("No job order of this round has positions left to fill.", field="round")
    try:
        result = assign.solve(inp)
    except ValueError as exc:
        raise Conflict(f"The programme's selection targets cannot be applied to this round: {exc}.",
                       field="targets") from exc
    digest = loading.inputs_hash(rnd, version, loaded)
    statuses = assign.statuses(inp, result)
    summary = assign.summary(inp, result, sex=[i.sex for i in loaded.info], region=[i.region for i in loaded.info],
                             returning=[i.returning for i in loaded.info])
    titles = dict(zip(inp.jobs, (o.title for o in loaded.orders), strict=True))
    summary["unfilled"] = [dict(u, title=titles[u["job"]]) for u in summary["unfilled"]]
    summary["ineligible_pairs"] = summary["pairs"] - summary["eligible_pairs"]
    summary["mode"] = loaded.mode
    if loaded.mode == SelectionMode.EMPLOYER_SHORTLIST:
        summary["shortlist_per_position"] = loaded.shortlist
    with transaction.atomic():
        locked = _locked_round(rnd)
        _require_open(locked)
        previous = locked.runs.filter(status=RunStatus.PUBLISHED).first() if publish else None
        if previous is not None and not why:
            # Published by another run since this one was asked for: superseding it needs a reason all the same.
            raise InvalidInput("Say why the published run is run again (for example the appeal upheld).", field="reason")
        if previous is not None:
            previous.status = RunStatus.SUPERSEDED
            previous.save(update_fields=["status"])
        now = timezone.now()
        run = SelectionRun.objects.create(
            round=locked, kind=RunKind.PUBLISHED if publish else RunKind.DRY,
            status=RunStatus.PUBLISHED if publish else RunStatus.DRY, mode=loaded.mode, rule_version=version,
            seed=locked.seed, inputs_hash=digest, code_version=loading.code_version(), summary=summary, reason=why,
            supersedes=previous, started_by=actor, started_at=started, finished_at=now,
            published_at=now if publish else None,
        )
        _write_results(run, loaded, result, statuses)
        action = "selection_run.publish" if publish else "selection_run.dry_run"
        text = (f"Inputs {digest}; seed {locked.seed}; {summary['selected']} of {summary['positions']} "
                f"{'places' if loaded.shortlist > 1 else 'positions'} filled.")
        if previous is not None:
            text += f" Supersedes run {previous.pk}: {why}"
        audit.record(actor=actor, action=action, subject=run, after=audit.snapshot(run, exclude=("summary",)),
                     reason=text, programme_id=locked.programme_id, rule_version_id=version.pk)
    return run


def _write_results(run: SelectionRun, loaded: loading.Loaded, result: assign.RoundResult, statuses: list[str]) -> None:
    inp = loaded.inp
    applicants = [0] * len(inp.jobs)
    for j, ok in zip(inp.pair_job, inp.pair_eligible, strict=True):
        if ok:
            applicants[j] += 1
    rows = []
    for j, order in enumerate(loaded.orders):
        cut = result.cutoff_pair[j]
        rows.append(RunJobOrder(
            run=run, job_order=order, positions=loaded.positions[j], capacity=inp.capacities[j],
            selected=len(result.selected[j]), applicants=applicants[j],
            cutoff_tier=inp.pair_tier[cut] if cut >= 0 else None,
            cutoff_points=Decimal(f"{inp.pair_points[cut]:.2f}") if cut >= 0 else None,
            cutoff_lottery=inp.lottery[inp.pair_worker[cut]] if cut >= 0 else None,
        ))
    RunJobOrder.objects.bulk_create(rows, batch_size=2000)
    # Details per worker: [job order id, worker's rank, status code, tier, points, unmet criteria (ineligible only)].
    n = len(inp.workers)
    details: list[list] = [[] for _ in range(n)]
    job_ids = loaded.job_ids
    for pair, status in enumerate(statuses):
        w = inp.pair_worker[pair]
        entry = [job_ids[inp.pair_job[pair]], loaded.pair_ranks[pair], STATUS_CODES[status], inp.pair_tier[pair],
                 inp.pair_points[pair]]
        if status == assign.INELIGIBLE:
            entry.append(loaded.reasons.get(pair, []))
        details[w].append(entry)
    gone = loaded.extra.get("gone", {})
    pending = PickStatus.PENDING if loaded.mode == SelectionMode.EMPLOYER_SHORTLIST else ""
    matched = result.matched_pair.tolist()
    outcomes = []
    for w, wid in enumerate(loaded.worker_ids):
        rows_w = details[w]
        closed = gone.get(wid)
        if closed:
            rows_w.extend([jid, rank, "i", 0, 0, [["job_order_closed", {}]]] for rank, jid in closed)
            rows_w.sort(key=lambda e: e[1])
        pair = matched[w]
        job = job_ids[inp.pair_job[pair]] if pair >= 0 else None
        outcomes.append((run.pk, wid, job, loaded.pair_ranks[pair] if pair >= 0 else None, inp.lottery[w], rows_w,
                         pending if pair >= 0 else ""))
    _insert_outcomes(outcomes)


def _insert_outcomes(rows: list[tuple]) -> None:
    """Write the outcomes: COPY on PostgreSQL (six times faster than a multi-row insert for 200,000 rows with their
    explanations), a bulk insert elsewhere."""
    if connection.vendor == "postgresql":
        table = Outcome._meta.db_table
        with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {table} (run_id, worker_id, job_order_id, choice, lottery, details, pick, pick_reason) FROM STDIN"
        ) as copy:
            for run_id, wid, job, choice, lottery, details, pick in rows:
                copy.write_row((run_id, wid, job, choice, lottery, json.dumps(details, separators=(",", ":")), pick, ""))
        return
    Outcome.objects.bulk_create(
        [Outcome(run_id=run_id, worker_id=wid, job_order_id=job, choice=choice, lottery=lottery, details=details, pick=pick)
         for run_id, wid, job, choice, lottery, details, pick in rows],
        batch_size=5000,
    )


# --- employer shortlists -----------------------------------------------------------------------------------------


@transaction.atomic
def shortlist_decide(*, actor, run_job: RunJobOrder, picks: Any, reasons: Any, passed_over_reason: Any) -> list[Outcome]:
    """In shortlist programmes the employer picks workers from the shortlist of its job order, up to the positions,
    stating a reason for each; the others on the shortlist are passed over with a stated reason and move up in later
    rounds once passed over often enough."""
    run_job = RunJobOrder.objects.select_related("run__round__programme", "job_order__employer").get(pk=run_job.pk)
    run = run_job.run
    org = organisation_of(actor)
    if Role.EMPLOYER not in roles_of(actor) or org is None or run_job.job_order.employer.organisation_id != org.pk:
        raise Forbidden("Only the job order's employer may choose from its shortlist.")
    if run.mode != SelectionMode.EMPLOYER_SHORTLIST:
        raise Conflict("This programme selects by matching; there is no shortlist to choose from.", field="picks")
    if run.status != RunStatus.PUBLISHED:
        raise Conflict("Only the published run in force can be chosen from.", field="picks")
    _require_open(run.round)
    shortlist = {o.worker.public_id: o for o in Outcome.objects.select_for_update().select_related("worker").filter(
        run=run, job_order=run_job.job_order)}
    if any(o.pick != PickStatus.PENDING for o in shortlist.values()):
        raise Conflict("The choice from this shortlist is already recorded.", field="picks")
    if not isinstance(picks, list | tuple) or not picks:
        raise InvalidInput("Pick at least one worker from the shortlist.", field="picks")
    if not isinstance(reasons, list | tuple) or len(reasons) != len(picks):
        raise InvalidInput("Give one reason for each worker picked.", field="reasons")
    if len(picks) > run_job.positions:
        raise InvalidInput(f"Pick at most {run_job.positions} workers, one per position.", field="picks")
    errors, chosen = [], []
    for i, (ident, why) in enumerate(zip(picks, reasons, strict=True)):
        key = str(ident or "").strip().upper()
        if key not in shortlist:
            errors.append({"field": f"picks.{i}", "message": f"'{key}' is not on this shortlist."})
        elif key in [c for c, _ in chosen]:
            errors.append({"field": f"picks.{i}", "message": f"'{key}' is picked twice."})
        elif not str(why or "").strip():
            errors.append({"field": f"reasons.{i}", "message": "State the reason for this pick."})
        else:
            chosen.append((key, str(why).strip()[:MAX_TEXT]))
    others = [k for k in shortlist if k not in dict(chosen)]
    passed_why = str(passed_over_reason or "").strip()
    if others and not passed_why:
        errors.append({"field": "passed_over_reason", "message": "State why the other candidates were not picked."})
    if errors:
        raise InvalidInput(errors)
    now = timezone.now()
    changed = []
    for key, why in chosen:
        o = shortlist[key]
        o.pick, o.pick_reason, o.picked_by, o.picked_at = PickStatus.PICKED, why, actor, now
        changed.append(o)
    for key in others:
        o = shortlist[key]
        o.pick, o.pick_reason, o.picked_by, o.picked_at = PickStatus.PASSED_OVER, passed_why[:MAX_TEXT], actor, now
        changed.append(o)
    Outcome.objects.bulk_update(changed, ["pick", "pick_reason", "picked_by", "picked_at"])
    audit.record(actor=actor, action="selection.shortlist_decide", subject=run_job.job_order,
                 after={"picked": dict(chosen), "passed_over": others, "passed_over_reason": passed_why},
                 programme_id=run.round.programme_id, organisation_id=org.pk)
    return changed


# --- appeals -----------------------------------------------------------------------------------------------------


@transaction.atomic
def appeal_lodge(*, actor, outcome: Outcome, grounds: Any) -> Appeal:
    """The worker appeals against a published outcome; the appeal is decided with reasons."""
    outcome = Outcome.objects.select_related("run__round__programme", "worker").get(pk=outcome.pk)
    _require_worker_or_origin(actor, outcome.worker)
    if outcome.run.status != RunStatus.PUBLISHED:
        raise Conflict("Only the published outcome in force can be appealed.", field="outcome")
    _require_open(outcome.run.round)
    text = _text(grounds, "grounds")
    if outcome.appeals.filter(status=AppealStatus.LODGED).exists():
        raise Conflict("An appeal against this outcome is already waiting for a decision.", field="outcome")
    appeal = Appeal.objects.create(outcome=outcome, grounds=text, lodged_by=actor)
    audit.record(actor=actor, action="selection.appeal_lodge", subject=outcome.worker, after=audit.snapshot(appeal),
                 programme_id=outcome.run.round.programme_id)
    return appeal


@transaction.atomic
def appeal_decide(*, actor, appeal: Appeal, upheld: Any, decision: Any) -> Appeal:
    """Decide an appeal with reasons. Upholding it does not change the published run by itself: the officer corrects
    what was wrong and re-runs the round, which supersedes the run with an audit trail."""
    appeal = Appeal.objects.select_for_update().select_related("outcome__run__round__programme", "outcome__worker").get(pk=appeal.pk)
    rnd = appeal.outcome.run.round
    _require_run(actor, rnd)
    if appeal.status != AppealStatus.LODGED:
        raise Conflict("This appeal is already decided.", field="status")
    text = _text(decision, "decision")
    before = audit.snapshot(appeal)
    appeal.status = AppealStatus.UPHELD if _flag(upheld) else AppealStatus.DISMISSED
    appeal.decision, appeal.decided_by, appeal.decided_at = text, actor, timezone.now()
    appeal.save(update_fields=["status", "decision", "decided_by", "decided_at"])
    audit.record(actor=actor, action="selection.appeal_decide", subject=appeal.outcome.worker, before=before,
                 after=audit.snapshot(appeal), reason=text, programme_id=rnd.programme_id)
    return appeal

