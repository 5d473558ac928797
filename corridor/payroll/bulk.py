"""Pay runs: many payslips submitted at once by one employer, checked and written in bulk (docs/payroll.md, section 3).

`payslips_bulk_submit(actor=, rows=)` does what `services.payslip_submit` does for each row, for a pay run of any
size: the same permission rule (only workers the employer employs now, under an accepted contract), the same
parsing, the same checks against the same terms (`services.terms_from`), the same stored findings. The difference
is in how it reaches the database:

- reads: the journeys named by the rows (locked for the run), their contracts in force, the programmes' rule
  versions, and the payslips already submitted for those journeys, in a handful of queries; the wage floor is
  computed once per occupation, place and day, and the checks' `Prepared` terms once per contract, rule version
  and floor;
- writes: on PostgreSQL the payslips stream into a COPY while they are checked, their foreign keys checked by the
  server as the rows arrive; from PARALLEL_OVER rows the parsing and checking run in forked processes while this one
  streams; then the ids of the payslips the notices name are read back. Elsewhere one `bulk_create` in batches;
- one audit event for the whole pay run (counts, findings by code, arrears by currency and a SHA-256 digest of the
  payslips written), notices and substitution alerts in bulk (`notices.send`).

All or nothing: every row is validated; if any row is refused (bad input, a worker the employer does not employ
now, a period already submitted or twice in the run), InvalidInput lists every error with its row and field and
nothing is saved. `dry_run=True` checks everything and returns the same result without writing.

A row is a mapping with the fields of `services.payslip_submit` (deductions as a list of {type, amount, evidence})
and the worker, either as `journey` (the journey's id) or as `worker`: a journey id, the verification code of the
worker's contract (CT-XXXX-XXXX, any version), or the worker's public id (the journey the employer employs them on
now). `row` may give the row number to report (default: the position, from 1).
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from corridor.contracts.models import Contract, ContractStatus
from corridor.core import audit
from corridor.core.access import Role, organisation_of, roles_of
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.inputs import MAX_YEAR, MIN_YEAR
from corridor.deployment.models import Journey
from corridor.payroll import checks, notices, services
from corridor.payroll.models import Payslip
from corridor.programmes.models import Programme, RuleVersion
from corridor.programmes.rulebook import RuleSet

CENT = Decimal("0.01")
NULL = "\\N"  # COPY's text format
_JSON = json.JSONEncoder(ensure_ascii=False)
ZERO = Decimal(0)
UNITS = frozenset(("", "hour", "day", "week", "month", "piece"))
HOURS = ("ordinary_hours", "overtime_hours", "night_hours", "holiday_hours")
BATCH = 2000
PREVIEW_ROWS = 20
MAX_LISTED_ERRORS = 1000
NOT_YOURS = "No worker your organisation employs has this reference (give a journey id, a contract verification " \
            "code or the worker's public id)."
COPY_COLUMNS = ("journey_id", "contract_id", "period_start", "period_end", "pay_date", "currency", "gross", "net",
                "ordinary_hours", "overtime_hours", "night_hours", "holiday_hours", "deductions", "payment_method",
                "stated_rate", "stated_unit", "findings", "arrears", "due", "submitted_by_id", "submitted_at")


@dataclass
class PayRunResult:
    """What a pay run did (or, for a dry run, would do). `errors` are {row, field, message}."""

    dry_run: bool
    rows: int = 0
    valid: int = 0
    saved: int = 0
    with_findings: int = 0
    findings: dict[str, int] = field(default_factory=dict)  # code -> count
    arrears: dict[str, str] = field(default_factory=dict)  # currency -> amount owed in all
    committed: bool = False
    digest: str = ""
    notices: dict[str, int] = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)


class _Slow(Exception):
    """The fast parser leaves the row to `services._clean`, which names every field in error."""


@dataclass
class _Journey:
    pk: int
    state: str
    placement_id: int
    worker_user_id: int | None
    worker_ref: str
    nationality: str
    organisation_id: int
    programme_id: int
    destination: str
    facts: tuple  # services.floor_facts


# --- parsing -----------------------------------------------------------------------------------------------------


def _date(raw) -> datetime.date:
    if type(raw) is datetime.date:
        value = raw
    elif type(raw) is str:
        value = datetime.date.fromisoformat(raw.strip()[:10])
    else:
        raise _Slow
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise _Slow
    return value


def _amount(raw, limit: Decimal, required: bool = True) -> Decimal | None:
    text = raw.strip() if type(raw) is str else ("" if raw is None else str(raw).strip())
    if not text:
        if required:
            raise _Slow
        return None
    value = Decimal(text)
    if not value.is_finite() or value < 0 or value > limit:
        raise _Slow
    return value.quantize(CENT)


_HOURS: dict[str, Decimal] = {}


def _hours(raw) -> Decimal:
    """Hours as `services._clean` reads them (0 when empty), remembered: a pay run repeats the same few values."""
    if type(raw) is str:
        found = _HOURS.get(raw)
        if found is None:
            found = _amount(raw, services.MAX_HOURS, False) or ZERO
            if len(_HOURS) < 10_000:
                _HOURS[raw] = found
        return found
    return _amount(raw, services.MAX_HOURS, False) or ZERO


def _fast(data: Mapping) -> tuple[checks.Payslip, dict]:
    """`services._clean` for well-formed rows, faster; anything unusual raises for the full parser to explain."""
    start, end, paid = _date(data.get("period_start")), _date(data.get("period_end")), _date(data.get("pay_date"))
    currency = str(data.get("currency") or "").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise _Slow
    gross = _amount(data.get("gross"), services.MAX_MONEY)
    net = _amount(data.get("net"), services.MAX_MONEY)
    if net > gross:
        raise _Slow
    hours = {name: _hours(data.get(name)) for name in HOURS}
    method = str(data.get("payment_method") or "").strip()
    if not method or len(method) > 100:
        raise _Slow
    raw = data.get("deductions") or []
    if type(raw) is not list or len(raw) > 50:
        raise _Slow
    items, deductions = [], []
    for d in raw:
        if type(d) is not dict:
            raise _Slow
        kind = str(d.get("type") or "").strip()[:40]
        if not kind:
            raise _Slow
        amount = _amount(d.get("amount"), services.MAX_MONEY)
        evidence = str(d.get("evidence") or "").strip()[:200]
        items.append({"type": kind, "amount": str(amount or 0), "evidence": evidence})
        deductions.append(checks.Deduction(kind, amount or ZERO, bool(evidence)))  # the value of Decimal(that text)
    stated = _amount(data.get("stated_rate"), services.MAX_MONEY, False)
    unit = str(data.get("stated_unit") or "").strip()
    if unit not in UNITS:
        raise _Slow
    slip = checks.Payslip(period_start=start, period_end=end, pay_date=paid, currency=currency, gross=gross, net=net,
                          deductions=tuple(deductions), stated_rate=stated, stated_unit=unit, **hours)
    return slip, {"deductions": items, "payment_method": method, **hours}


def _parse(data: Mapping) -> tuple[checks.Payslip, dict] | list[dict]:
    """The payslip and its extra fields, or the errors of the row (field, message) as the single path names them."""
    try:
        return _fast(data)  # not yet validated: checks.check validates, and _errors explains
    except Exception:  # noqa: BLE001  the full parser decides, and names the fields
        pass
    return _errors(data) or services._clean(dict(data))


def _errors(data: Mapping) -> list[dict]:
    try:
        services._clean(dict(data))
    except InvalidInput as exc:
        return exc.as_errors()
    return []


def _reference(data: Mapping) -> tuple[str, str, object] | tuple[str, str, None]:
    """(field, kind, key): kind "j" with a journey id, "c" with a contract verification code, "w" with a worker's
    public id, or "" (key None) when the row names no worker."""
    if "journey" in data and str(data.get("journey") or "").strip():
        text, name = str(data["journey"]).strip(), "journey"
    else:
        text, name = str(data.get("worker") or "").strip(), "worker"
    if not text:
        return name, "", None
    if text.isascii() and text.isdigit():
        value = int(text)
        return (name, "j", value) if 1 <= value <= 2**63 - 1 else (name, "", None)
    if text.upper().startswith("CT-"):
        return name, "c", text.upper()
    return name, "w", text[:40]


# --- reads -------------------------------------------------------------------------------------------------------


def _employer_org(actor):
    org = organisation_of(actor)
    if Role.EMPLOYER not in roles_of(actor) or org is None:
        raise Forbidden("Only employers submit payslips, for the workers they employ.")
    return org


def _resolve(refs: list, org_id: int) -> dict[tuple, int | str]:
    """Each reference -> the journey id, or an error message."""
    out: dict[tuple, int | str] = {}
    codes = {key for _f, kind, key in refs if kind == "c"}
    if codes:
        found = dict(Contract.objects.filter(verification_code__in=codes, placement__journey__isnull=False)
                     .values_list("verification_code", "placement__journey__id"))
        for code in codes:
            out[("c", code)] = found.get(code) or NOT_YOURS
    people = {key for _f, kind, key in refs if kind == "w"}
    if people:
        seen: dict[str, list[int]] = {}
        for public_id, pk in Journey.objects.filter(
            worker__public_id__in=people, state__in=services.EMPLOYED,
            placement__job_order__employer__organisation_id=org_id,
        ).values_list("worker__public_id", "pk"):
            seen.setdefault(public_id, []).append(pk)
        for public_id in people:
            ids = seen.get(public_id, [])
            out[("w", public_id)] = ids[0] if len(ids) == 1 else NOT_YOURS if not ids else (
                "This worker has more than one journey with your organisation now; give the journey id or the "
                "contract's verification code instead.")
    for _f, kind, key in refs:
        if kind == "j":
            out[("j", key)] = key
    return out


def _journeys(ids: set[int], lock: bool) -> dict[int, _Journey]:
    qs = Journey.objects.filter(pk__in=ids)
    if lock:
        qs = qs.select_for_update(of=("self",))
    rows = qs.values_list(
        "pk", "state", "placement_id", "worker__user_id", "worker__public_id", "worker__nationality",
        "placement__job_order__employer__organisation_id", "placement__job_order__programme_id",
        "placement__job_order__programme__destination_country", "placement__job_order__worksite__country",
        "placement__job_order__worksite__region", "placement__job_order__isco_code", "placement__job_order__sector",
    )
    return {r[0]: _Journey(pk=r[0], state=r[1], placement_id=r[2], worker_user_id=r[3], worker_ref=r[4],
                           nationality=r[5], organisation_id=r[6], programme_id=r[7], destination=r[8],
                           facts=(r[7], r[9], r[10], r[11], r[12]))
            for r in rows}


class _Terms:
    """The checks' terms of each contract on each day, computed as `services.terms_of` does, each part once."""

    def __init__(self, programme_ids: set[int], contracts: dict[int, tuple[int, dict]]):
        self.programmes = Programme.objects.in_bulk(programme_ids)
        self.versions: dict[int, list] = {}
        for v in RuleVersion.objects.filter(programme_id__in=programme_ids).order_by("-effective_from").only(
                "pk", "programme_id", "effective_from", "effective_until", "rules"):
            self.versions.setdefault(v.programme_id, []).append(v)
        self.contracts = contracts  # placement id -> (contract id, pay)
        self._version: dict[tuple, RuleVersion | None] = {}
        self._rules: dict[int, RuleSet] = {}
        self._floor: dict[tuple, tuple | None] = {}
        self._prepared: dict[tuple, checks.Prepared] = {}

    def version(self, programme_id: int, day: datetime.date):
        key = (programme_id, day)
        if key not in self._version:
            self._version[key] = next((v for v in self.versions.get(programme_id, ())
                                       if v.effective_from <= day and (v.effective_until is None or v.effective_until >= day)),
                                      None)
        return self._version[key]

    def floors(self, wanted: Iterable[tuple[_Journey, datetime.date]]) -> None:
        """Compute the wage floors of these (journey, day) pairs now: no query may run while the COPY streams."""
        for journey, day in wanted:
            fkey = (journey.facts, day)
            if fkey not in self._floor:
                self._floor[fkey] = services.floor_result(self.programmes[journey.programme_id], journey.facts, day)

    def prepared(self, journey: _Journey, contract_id: int, pay: dict, day: datetime.date) -> checks.Prepared:
        version = self.version(journey.programme_id, day)
        fkey = (journey.facts, day)
        if fkey not in self._floor:
            raise RuntimeError(f"The wage floor of {fkey} was not read before the payslips were written.")
        found = self._floor[fkey]
        floor = found[0] if found is not None and found[1] == pay["currency"] else None
        key = (contract_id, version.pk if version else None, floor)
        prepared = self._prepared.get(key)
        if prepared is None:
            rules = None
            if version is not None:
                rules = self._rules.get(version.pk)
                if rules is None:
                    rules = self._rules[version.pk] = RuleSet.model_validate(version.rules)
            prepared = self._prepared[key] = checks.Prepared(services.terms_from(pay, rules, floor))
        return prepared


# --- writes ------------------------------------------------------------------------------------------------------


def _ids_of(keys: list[tuple]) -> dict[tuple, int]:
    """The ids of payslips just written by COPY, by (journey id, period start, period end): only those the notices
    and the audit event name, read through the unique constraint's index."""
    wanted = list(dict.fromkeys((j, str(a), str(b)) for j, a, b in keys))
    out: dict[tuple, int] = {}
    table = Payslip._meta.db_table
    with connection.cursor() as cursor:
        for n in range(0, len(wanted), 50_000):
            part = wanted[n:n + 50_000]
            cursor.execute(
                f"SELECT p.id, p.journey_id, p.period_start, p.period_end FROM {table} p JOIN unnest(%s::bigint[], "
                f"%s::date[], %s::date[]) AS k(j, s, e) ON p.journey_id = k.j AND p.period_start = k.s "
                f"AND p.period_end = k.e", [[k[0] for k in part], [k[1] for k in part], [k[2] for k in part]])
            for pk, journey_id, start, end in cursor.fetchall():
                out[(journey_id, start.isoformat(), end.isoformat())] = pk
    return out


def _esc(text: str) -> str:
    """A value in COPY's text format."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


class _Writer:
    """Payslips as they are checked: streamed into a COPY (text format, in batches) on PostgreSQL, collected for
    bulk_create elsewhere. Each payslip comes as its values and its line (the values in COPY's text format, without
    the id and the submission); the pay run's digest is the SHA-256 of those lines."""

    def __init__(self, by: int, at: datetime.datetime):
        self.pg = connection.vendor == "postgresql"
        self.tail = f"\t{by}\t{at.isoformat()}\n"
        self.by = by
        self.objects: list[Payslip] = []
        self.lines: list[str] = []
        self.bodies: list[str] = []
        self.digest = hashlib.sha256()
        self._cm = self._copy = None
        self._deferred = ""

    def __enter__(self):
        if self.pg:
            self._cursor = connection.cursor()
            # The foreign keys (Django makes them DEFERRABLE INITIALLY DEFERRED) checked row by row as the COPY goes,
            # by the server on its own core, instead of all at once at the commit; back to deferred after the COPY.
            self._cursor.execute(
                "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' AND condeferrable",
                [Payslip._meta.db_table])
            self._deferred = ", ".join(connection.ops.quote_name(name) for (name,) in self._cursor.fetchall())
            if self._deferred:
                self._cursor.execute(f"SET CONSTRAINTS {self._deferred} IMMEDIATE")
            self._cm = self._cursor.cursor.copy(
                f"COPY {Payslip._meta.db_table} ({', '.join(COPY_COLUMNS)}) FROM STDIN")
            self._copy = self._cm.__enter__()
        return self

    def write(self, values: tuple, line: str) -> int | None:
        self.bodies.append(line)
        if self.pg:
            self.lines.append(line)
        else:
            (journey_id, contract_id, start, end, paid, currency, gross, net, oh, ot, nh, hh, deductions, method, stated,
             unit, findings, arrears, due) = values
            self.objects.append(Payslip(
                journey_id=journey_id, contract_id=contract_id, period_start=start, period_end=end, pay_date=paid,
                currency=currency, gross=gross, net=net, ordinary_hours=oh, overtime_hours=ot, night_hours=nh,
                holiday_hours=hh, deductions=json.loads(deductions), payment_method=method, stated_rate=stated,
                stated_unit=unit, findings=json.loads(findings), arrears=Decimal(arrears), due=Decimal(due),
                submitted_by_id=self.by))
        if len(self.bodies) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.bodies:
            self.digest.update("\n".join(self.bodies).encode() + b"\n")
            self.bodies = []
        if self.lines:
            self._copy.write(self.tail.join(self.lines) + self.tail)
            self.lines = []

    def __exit__(self, kind, exc, tb):
        if kind is None:
            self._flush()
        if self.pg:
            import psycopg

            try:
                result = self._cm.__exit__(kind, exc, tb)
                if self._deferred and kind is None:
                    self._cursor.execute(f"SET CONSTRAINTS {self._deferred} DEFERRED")
                return result
            except psycopg.IntegrityError as err:  # the database's constraints hold whatever was checked before
                raise IntegrityError(str(err)) from err
            finally:
                self._cursor.close()
        return False

    def saved_ids(self) -> list[int]:
        if self.pg:
            return []
        Payslip.objects.bulk_create(self.objects, batch_size=BATCH)
        return [p.pk for p in self.objects]


# --- the service -------------------------------------------------------------------------------------------------


def payslips_bulk_submit(*, actor, rows: Iterable[Mapping], dry_run: bool = False) -> PayRunResult:
    """Check and submit a pay run: every row or none (see the module's description). A dry run writes nothing."""
    rows = rows if isinstance(rows, list) else list(rows)
    if dry_run:
        return _run(actor, rows, dry_run=True)
    try:
        with transaction.atomic():
            return _run(actor, rows, dry_run=False)
    except IntegrityError as exc:  # a payslip submitted for the same period meanwhile
        raise Conflict("A payslip of this pay run was submitted meanwhile for the same worker and period; check the "
                       "run again.", field="period_start") from exc


def _period_ends(rows: list, refs: list, where: dict, journeys: dict, mine: set):
    """(journey, period end) of every row, the end read as `core.inputs.date_field` reads it (the parsers' rule), so
    that every wage floor the checks need is read before the COPY starts."""
    seen = set()
    for i, data in enumerate(rows):
        _name, kind, key = refs[i]
        target = where.get((kind, key)) if kind else None
        if type(target) is not int or target not in mine:
            continue
        raw = data.get("period_end")
        try:
            if isinstance(raw, datetime.datetime):
                raw = raw.date()
            day = raw if isinstance(raw, datetime.date) else datetime.date.fromisoformat(str(raw).strip()[:10])
        except (TypeError, ValueError):
            continue
        journey = journeys[target]
        if (journey.facts, day) not in seen:
            seen.add((journey.facts, day))
            yield journey, day


def _row_no(data: Mapping, i: int) -> int:
    value = data.get("row") if isinstance(data, Mapping) else None
    return value if type(value) is int else i + 1


def _check_one(i: int, data, refs, where, journeys, mine, contracts, terms, errors: list):
    """Row `i` resolved to a journey the actor's organisation employs now, parsed and checked against its locked
    contract: (row number, journey, payslip, extra fields, contract id, outcome), or None with the row's errors
    appended to `errors`. The same for the in-process and the forked paths."""
    row = _row_no(data, i)
    name, kind, key = refs[i]

    def refuse(message: str) -> None:
        errors.append({"row": row, "field": name, "message": message})

    if not kind:
        refuse("Name the worker: a journey id, a contract verification code or the worker's public id.")
        return None
    target = where.get((kind, key))
    if type(target) is str:
        refuse(target)
        return None
    journey = journeys.get(target)
    if journey is None or journey.pk not in mine:
        refuse(NOT_YOURS)
        return None
    if journey.state not in services.EMPLOYED:
        refuse("This worker is not employed by your organisation now; no payslip can be submitted.")
        return None
    contract = contracts.get(journey.placement_id)
    if contract is None:
        refuse("The worker has no accepted contract to check the payslip against.")
        return None
    parsed = _parse(data)
    if type(parsed) is list:
        errors.extend({"row": row, "field": e.get("field") or "", "message": e["message"]} for e in parsed)
        return None
    slip, extra = parsed
    contract_id, pay = contract
    try:
        outcome = checks.check(slip, terms.prepared(journey, contract_id, pay, slip.period_end))
    except ValueError:  # impossible input (checks.validate): the full parser names the fields
        errors.extend({"row": row, "field": e.get("field") or "", "message": e["message"]}
                      for e in _errors(data) or [{"field": "", "message": "This payslip is impossible."}])
        return None
    return row, journey, slip, extra, contract_id, outcome


def _run(actor, rows: list, *, dry_run: bool) -> PayRunResult:
    org = _employer_org(actor)
    result = PayRunResult(dry_run=dry_run, rows=len(rows))
    errors = result.errors
    refs = [_reference(r) if isinstance(r, Mapping) else ("worker", "", None) for r in rows]
    where = _resolve(refs, org.pk)
    journeys = _journeys({v for v in where.values() if type(v) is int}, lock=not dry_run)
    mine = {pk for pk, j in journeys.items() if j.organisation_id == org.pk}
    contracts = {pid: (pk, content["pay"]) for pk, pid, content in Contract.objects.filter(
        placement_id__in=[journeys[pk].placement_id for pk in mine], status=ContractStatus.ACCEPTED,
    ).values_list("pk", "placement_id", "content")}
    taken: dict[tuple, int] = {k: 0 for k in Payslip.objects.filter(journey_id__in=mine).values_list(
        "journey_id", "period_start", "period_end")}
    terms = _Terms({journeys[pk].programme_id for pk in mine}, contracts)
    terms.floors(_period_ends(rows, refs, where, journeys, mine))
    now = timezone.now()
    by = actor.pk
    if not dry_run and connection.vendor == "postgresql" and len(rows) >= PARALLEL_OVER and _can_fork():
        return _run_parallel(actor, org, rows, result, refs, where, journeys, mine, contracts, taken, terms, now)
    codes: Counter = Counter()
    arrears: Counter = Counter()
    flagged: list[tuple[int, _Journey, int, checks.Payslip, int, list]] = []  # (index, journey, contract, ...)
    first = last = None
    writer = _Writer(by, now) if not dry_run else None
    pks: list[int | None] = []
    dumps = _JSON.encode

    def refuse(row: int, name: str, message: str) -> None:
        errors.append({"row": row, "field": name, "message": message})

    with _no_gc(), writer if writer is not None else _Nothing():
        for i, data in enumerate(rows):
            checked = _check_one(i, data, refs, where, journeys, mine, contracts, terms, errors)
            if checked is None:
                continue
            row, journey, slip, extra, contract_id, outcome = checked
            period = (journey.pk, slip.period_start, slip.period_end)
            before = taken.get(period)
            if before is not None:
                refuse(row, "period_start", "A payslip for this period is already submitted; correct it by a new "
                                            "period or a dispute." if before == 0 else
                       f"The same worker and period are already on row {before}.")
                continue
            taken[period] = row
            found = [{"code": f.code, "rule": f.rule, "message": f.message, "amounts": f.amounts,
                      "arrears": checks.money(f.arrears)} for f in outcome.findings]
            result.valid += 1
            if found:
                result.with_findings += 1
                codes.update(f.code for f in outcome.findings)
                arrears[slip.currency] += outcome.arrears
            if len(result.preview) < PREVIEW_ROWS:
                result.preview.append({
                    "row": row, "worker": journey.worker_ref, "period": f"{slip.period_start}–{slip.period_end}",
                    "currency": slip.currency, "gross": str(slip.gross), "net": str(slip.net),
                    "findings": ", ".join(f["code"] for f in found), "arrears": checks.money(outcome.arrears)})
            if writer is None or errors:
                continue  # a dry run, or a run already refused: check the rest, write nothing
            deductions = dumps(extra["deductions"])
            findings = dumps(found) if found else "[]"
            arrears_text, due_text = checks.money(outcome.arrears), checks.money(outcome.due)
            values = (journey.pk, contract_id, slip.period_start, slip.period_end, slip.pay_date, slip.currency,
                      slip.gross, slip.net, extra["ordinary_hours"], extra["overtime_hours"], extra["night_hours"],
                      extra["holiday_hours"], deductions, extra["payment_method"], slip.stated_rate,
                      slip.stated_unit, findings, arrears_text, due_text)
            line = (f"{journey.pk}\t{contract_id}\t{slip.period_start}\t{slip.period_end}\t{slip.pay_date}\t"
                    f"{_esc(slip.currency)}\t{slip.gross}\t{slip.net}\t{extra['ordinary_hours']}\t"
                    f"{extra['overtime_hours']}\t{extra['night_hours']}\t{extra['holiday_hours']}\t{_esc(deductions)}\t"
                    f"{_esc(extra['payment_method'])}\t{NULL if slip.stated_rate is None else slip.stated_rate}\t"
                    f"{_esc(slip.stated_unit)}\t{_esc(findings)}\t{arrears_text}\t{due_text}")
            writer.write(values, line)
            pks.append((journey.pk, slip.period_start, slip.period_end))
            if first is None:
                first = slip
            if found:
                flagged.append((len(pks) - 1, journey, contract_id, slip, outcome.arrears, found))
        if errors and writer is not None:
            raise InvalidInput(_capped(errors))
    result.findings = dict(codes.most_common())
    result.arrears = {cur: checks.money(c) for cur, c in sorted(arrears.items())}
    if dry_run:
        return result
    if not result.valid:
        raise InvalidInput("The pay run has no payslips.", field="file")
    saved = writer.saved_ids()
    count = len(pks)
    if saved:
        pks = saved
    else:  # PostgreSQL: read back the ids of the payslips the notices and the audit event name
        named = [n for n, *_ in flagged] + [0, count - 1]
        ids = _ids_of([pks[n] for n in named])
        pks = {n: ids[(pks[n][0], str(pks[n][1]), str(pks[n][2]))] for n in named}
    last = pks[count - 1]
    result.saved, result.committed, result.digest = count, True, writer.digest.hexdigest()
    employer = org.name
    result.notices = notices.send(flagged=[notices.Flagged(
        payslip_id=pks[n], journey_id=j.pk, contract_id=contract_id, worker_user_id=j.worker_user_id,
        worker_ref=j.worker_ref, nationality=j.nationality, programme_id=j.programme_id, destination=j.destination,
        period_start=slip.period_start.isoformat(), period_end=slip.period_end.isoformat(), currency=slip.currency,
        arrears=owed, findings=found,
    ) for n, j, contract_id, slip, owed, found in flagged], employer=employer, payslips=result.saved)
    _audit(actor, org, result, journeys, mine, taken, (pks[0], first.period_start, first.period_end), last)
    return result


# --- large pay runs on PostgreSQL: parse and check in forked processes, stream to COPY here ------------------------

PARALLEL_OVER = 50_000  # rows from which a pay run on PostgreSQL is checked by PROCESSES forked processes
PROCESSES = 2
CHUNK = 20_000
_SHARED: dict = {}  # what the forked processes read: set just before they fork, cleared after


def _can_fork() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1


def _check_chunk(bounds: tuple[int, int]) -> tuple[list, list]:
    """Rows [start, stop) checked in a forked process (no database access: everything was read before the fork).
    Returns the row errors and, per checked row, (row, journey id, period start, period end, COPY line, findings or
    None, currency, arrears in cents, (gross, net) for the first rows)."""
    start, stop = bounds
    sh = _SHARED
    rows, refs, where, journeys, mine, contracts, terms = (sh["rows"], sh["refs"], sh["where"], sh["journeys"],
                                                           sh["mine"], sh["contracts"], sh["terms"])
    errors: list = []
    records: list = []
    dumps = _JSON.encode
    money = checks.money

    for i in range(start, stop):
        checked = _check_one(i, rows[i], refs, where, journeys, mine, contracts, terms, errors)
        if checked is None:
            continue
        row, journey, slip, extra, contract_id, outcome = checked
        found = [{"code": f.code, "rule": f.rule, "message": f.message, "amounts": f.amounts,
                  "arrears": money(f.arrears)} for f in outcome.findings]
        findings = dumps(found) if found else "[]"
        line = (f"{journey.pk}\t{contract_id}\t{slip.period_start}\t{slip.period_end}\t{slip.pay_date}\t"
                f"{_esc(slip.currency)}\t{slip.gross}\t{slip.net}\t{extra['ordinary_hours']}\t"
                f"{extra['overtime_hours']}\t{extra['night_hours']}\t{extra['holiday_hours']}\t"
                f"{_esc(dumps(extra['deductions']))}\t{_esc(extra['payment_method'])}\t"
                f"{NULL if slip.stated_rate is None else slip.stated_rate}\t{_esc(slip.stated_unit)}\t"
                f"{_esc(findings)}\t{money(outcome.arrears)}\t{money(outcome.due)}")
        records.append((row, journey.pk, slip.period_start.isoformat(), slip.period_end.isoformat(), line,
                        found or None, slip.currency, outcome.arrears,
                        (str(slip.gross), str(slip.net)) if len(records) < PREVIEW_ROWS else None))
    return errors, records


def _run_parallel(actor, org, rows, result, refs, where, journeys, mine, contracts, taken, terms, now) -> PayRunResult:
    """The same checks and writes as `_run`, with the rows parsed and checked in PROCESSES forked processes (in
    chunks, in order) while this process streams the checked payslips into the COPY and the server stores them."""
    import multiprocessing

    errors = result.errors
    taken = {(jpk, start.isoformat(), end.isoformat()): v for (jpk, start, end), v in taken.items()}
    codes: Counter = Counter()
    arrears: Counter = Counter()
    flagged: list = []
    written = 0
    first = last = None
    writer = _Writer(actor.pk, now)
    _SHARED.update(rows=rows, refs=refs, where=where, journeys=journeys, mine=mine, contracts=contracts, terms=terms)
    chunks = [(a, min(a + CHUNK, len(rows))) for a in range(0, len(rows), CHUNK)]
    try:
        with _no_gc(), writer, multiprocessing.get_context("fork").Pool(PROCESSES) as pool:
            for chunk_errors, records in pool.imap(_check_chunk, chunks):
                errors.extend(chunk_errors)
                for row, jpk, start, end, line, found, currency, owed, amounts in records:
                    key = (jpk, start, end)
                    before = taken.get(key)
                    if before is not None:
                        errors.append({"row": row, "field": "period_start", "message": (
                            "A payslip for this period is already submitted; correct it by a new period or a dispute."
                            if before == 0 else f"The same worker and period are already on row {before}.")})
                        continue
                    taken[key] = row
                    result.valid += 1
                    if found:
                        result.with_findings += 1
                        codes.update(f["code"] for f in found)
                        arrears[currency] += owed
                    if amounts is not None and len(result.preview) < PREVIEW_ROWS:
                        result.preview.append({
                            "row": row, "worker": journeys[jpk].worker_ref, "period": f"{start}–{end}",
                            "currency": currency, "gross": amounts[0], "net": amounts[1],
                            "findings": ", ".join(f["code"] for f in found or ()), "arrears": checks.money(owed)})
                    if errors:
                        continue  # refused already: check the rest, write nothing
                    writer.write((), line)
                    written += 1
                    if first is None:
                        first = key
                    last = key
                    if found:
                        flagged.append((key, jpk, start, end, currency, owed, found))
            if errors:
                errors.sort(key=lambda e: e.get("row") or 0)
                raise InvalidInput(_capped(errors))
    finally:
        _SHARED.clear()
    result.findings = dict(codes.most_common())
    result.arrears = {cur: checks.money(c) for cur, c in sorted(arrears.items())}
    if not result.valid:
        raise InvalidInput("The pay run has no payslips.", field="file")
    result.saved, result.committed, result.digest = written, True, writer.digest.hexdigest()
    ids = _ids_of([k for k, *_ in flagged] + [first, last])
    result.notices = notices.send(flagged=[notices.Flagged(
        payslip_id=ids[key], journey_id=jpk, contract_id=contracts[journeys[jpk].placement_id][0],
        worker_user_id=journeys[jpk].worker_user_id, worker_ref=journeys[jpk].worker_ref,
        nationality=journeys[jpk].nationality, programme_id=journeys[jpk].programme_id,
        destination=journeys[jpk].destination, period_start=start, period_end=end, currency=currency, arrears=owed,
        findings=found,
    ) for key, jpk, start, end, currency, owed, found in flagged], employer=org.name, payslips=result.saved)
    _audit(actor, org, result, journeys, mine, taken, (ids[first], first[1], first[2]), ids[last])
    return result


def _audit(actor, org, result: PayRunResult, journeys, mine, taken, first, last) -> None:
    """The pay run's one audit event; its subject is the run's first payslip (wage data, behind the firewall)."""
    programmes = {journeys[pk].programme_id for pk in mine}
    subject = Payslip(pk=first[0], period_start=first[1], period_end=first[2])
    audit.record(
        actor=actor, action="payslip.pay_run", subject=subject,
        after={"payslips": result.saved, "with_findings": result.with_findings, "findings": result.findings,
               "arrears": result.arrears, "journeys": len({k[0] for k, v in taken.items() if v}),
               "first_payslip": first[0], "last_payslip": last, "sha256": result.digest, "notices": result.notices},
        reason=f"Pay run of {result.saved} payslips; {result.with_findings} with findings.",
        programme_id=next(iter(programmes)) if len(programmes) == 1 else None, organisation_id=org.pk,
    )


def _capped(errors: list[dict]) -> list[dict]:
    if len(errors) <= MAX_LISTED_ERRORS:
        return errors
    more = len(errors) - MAX_LISTED_ERRORS
    return [*errors[:MAX_LISTED_ERRORS], {"field": "file", "message": f"… and {more} more errors ({len(errors)} in "
                                                                      f"all); the dry run's report lists them all."}]


@contextlib.contextmanager
def _no_gc():
    """The cyclic garbage collector paused: the loop makes millions of short-lived objects and no cycles, and each
    full collection would walk every row of the pay run again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
