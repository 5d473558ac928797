"""Reading the recruitment-cost ledger, always restricted to the reader (behind the immigration firewall).

- The worker: their own entries with findings and refund orders.
- The origin authority: entries of its nationals, by agency and by violation status; refund orders past due.
- Labour inspectors (destination of the programme or the worker's country), the destination ministry, the agency
  and the employer named: the entries that concern them (`CostEntry.visible_to`).
- SDG indicator 10.7.1 (`sdg_1071`): per worker, the recruitment costs the worker bore and the first monthly earnings
  at destination, and the indicator's mean and median. Researchers and the social partners get the aggregates only,
  withheld below MIN_CELL workers.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Count, Q, Sum
from django.http import FileResponse
from django.utils import timezone

from corridor.core.access import Role, roles_of
from corridor.core.errors import Forbidden, InvalidInput, NotFound
from corridor.programmes.models import Programme
from corridor.recruitment import ledger
from corridor.recruitment.models import (
    WORKER_BORNE,
    CostCategory,
    CostEntry,
    CostSource,
    FirstEarnings,
    Payer,
    RefundOrder,
    RefundStatus,
)
from corridor.workers.models import Worker

CENT = Decimal("0.01")
MIN_CELL = 5
# Who may read the SDG 10.7.1 figures: the programme's partners and researchers (aggregates only for the last three).
SDG_ROW_READERS = frozenset({Role.PLATFORM_ADMIN, Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER, Role.ORIGIN_OFFICER, Role.LABOUR_INSPECTOR})
SDG_AGGREGATE_READERS = frozenset({Role.RESEARCHER, Role.UNION, Role.EMPLOYERS_ORG})
LEDGER_ROLES = frozenset(
    {Role.PLATFORM_ADMIN, Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER, Role.ORIGIN_OFFICER, Role.LABOUR_INSPECTOR, Role.AGENCY, Role.EMPLOYER}
)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def own_worker(user) -> Worker | None:
    """The signed-in person's own worker record, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Worker.objects.filter(user_id=user.pk).first()


def _entries(user) -> models.QuerySet[CostEntry]:
    return CostEntry.objects.all().restrict(user).select_related(
        "worker", "programme", "agency", "employer__organisation", "rule_version", "refund__debtor_agency",
        "refund__debtor_employer__organisation",
    )


# --- entries -----------------------------------------------------------------------------------------------------


def my_costs(*, user) -> models.QuerySet[CostEntry]:
    """The signed-in worker's own entries, newest payment first."""
    worker = own_worker(user)
    if worker is None:
        return CostEntry.objects.none()
    return _entries(user).filter(worker=worker).order_by("-paid_on", "-pk")


def _bool(value) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise InvalidInput(f"{text[:10]!r} is not yes or no.", field="violation")


def _one_of(value: str, choices, field: str) -> str:
    value = (value or "").strip().lower()
    if value and value not in choices.values:
        raise InvalidInput(f"Unknown value {value[:20]!r}; one of {', '.join(choices.values)}.", field=field)
    return value


def cost_list(
    *, user, programme: str = "", agency: int | None = None, violation=None, source: str = "", payer: str = "",
    category: str = "", worker: str = "", nationality: str = "", refund: str = "",
) -> models.QuerySet[CostEntry]:
    """Entries the user may see, filtered. `refund`: "open", "paid", "drawn", "cancelled", or "none" (a violation
    with no refund order yet: nobody named to pay)."""
    qs = _entries(user)
    if programme:
        qs = qs.filter(programme__code=programme.strip().upper()[:30])
    if agency:
        qs = qs.filter(agency_id=agency)
    flag = _bool(violation)
    if flag is not None:
        qs = qs.filter(violation=flag)
    if source := _one_of(source, CostSource, "source"):
        qs = qs.filter(source=source)
    if payer := _one_of(payer, Payer, "payer"):
        qs = qs.filter(payer=payer)
    if category := _one_of(category, CostCategory, "category"):
        qs = qs.filter(category=category)
    if worker:
        qs = qs.filter(worker__public_id=worker.strip()[:12])
    if nationality:
        qs = qs.filter(worker__nationality=nationality.strip().upper()[:2])
    refund = (refund or "").strip().lower()
    if refund == "none":
        qs = qs.filter(violation=True, refund__isnull=True)
    elif refund:
        if refund not in RefundStatus.values:
            raise InvalidInput(f"Unknown refund status {refund[:20]!r}; one of none, {', '.join(RefundStatus.values)}.", field="refund")
        qs = qs.filter(refund__status=refund)
    return qs.order_by("-paid_on", "-pk")


def cost_get(*, user, pk: int) -> CostEntry:
    entry = _entries(user).filter(pk=pk).first()
    if entry is None:
        raise NotFound(f"No cost entry {pk} that you may see.", field="id")
    return entry


def receipt_response(*, user, pk: int) -> FileResponse:
    """The receipt of an entry the user may see, served as a download (never from a public address)."""
    entry = cost_get(user=user, pk=pk)
    if not entry.receipt:
        raise NotFound("This entry has no receipt.", field="receipt")
    extension = entry.receipt.name.rsplit(".", 1)[-1]
    response = FileResponse(
        entry.receipt.open("rb"), content_type=entry.receipt_type or "application/octet-stream",
        as_attachment=entry.receipt_type == "application/pdf", filename=f"receipt-{entry.pk}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


def worker_for_cost(*, user, public_id: str) -> Worker:
    """The worker a cost is recorded for, by identifier: one the user may see, or (labour inspectors, who see no
    worker profiles) any worker; the service then checks the inspector's jurisdiction."""
    key = (public_id or "").strip()[:12]
    if not key or "\x00" in key:
        raise InvalidInput("Give the worker's identifier.", field="worker")
    worker = Worker.objects.filter(public_id=key).restrict(user).first()
    if worker is None and Role.LABOUR_INSPECTOR in roles_of(user):
        worker = Worker.objects.filter(public_id=key).first()
    if worker is None:
        raise NotFound(f"No worker {key!r} that you may record costs for.", field="worker")
    return worker


def entry_actions(*, user, entry: CostEntry, today: datetime.date | None = None) -> set[str]:
    """What `user` may do with the entry now (the services check again)."""
    actions: set[str] = set()
    order = refund_of(entry)
    if ledger.may_settle(user, entry):
        if entry.agency_id is None or entry.employer_id is None:
            actions.add("name_debtor")
        if order is not None and order.status == RefundStatus.OPEN:
            actions.add("mark_paid")
    if order is not None and order.status == RefundStatus.OPEN and order.debtor_agency_id and _today(today) > order.due_on:
        if ledger.may_draw(user, order):
            actions.add("draw")
    return actions


def refund_of(entry: CostEntry) -> RefundOrder | None:
    try:
        return entry.refund
    except RefundOrder.DoesNotExist:
        return None


# --- refund orders -----------------------------------------------------------------------------------------------


def _orders(user) -> models.QuerySet[RefundOrder]:
    return RefundOrder.objects.all().restrict(user).select_related(
        "cost__worker", "cost__programme", "debtor_agency", "debtor_employer__organisation"
    )


def refund_list(*, user, status: str = "", overdue: bool = False, agency: int | None = None, programme: str = "",
                today: datetime.date | None = None) -> models.QuerySet[RefundOrder]:
    qs = _orders(user)
    if status := _one_of(status, RefundStatus, "status"):
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status=RefundStatus.OPEN, due_on__lt=_today(today))
    if agency:
        qs = qs.filter(debtor_agency_id=agency)
    if programme:
        qs = qs.filter(cost__programme__code=programme.strip().upper()[:30])
    return qs.order_by("due_on", "pk")


def refund_get(*, user, pk: int) -> RefundOrder:
    order = _orders(user).filter(pk=pk).first()
    if order is None:
        raise NotFound(f"No refund order {pk} that you may see.", field="id")
    return order


def overdue_refunds(*, user, today: datetime.date | None = None) -> models.QuerySet[RefundOrder]:
    """Open refund orders past their due date, oldest first: candidates for a draw on the agency's deposit."""
    return refund_list(user=user, overdue=True, today=today)


# --- the origin authority's view by agency -----------------------------------------------------------------------


def agency_summary(*, user, programme: str = "", today: datetime.date | None = None) -> list[dict]:
    """Per agency named in entries the user may see: entries, violations, the amounts to refund per currency, open and
    overdue refund orders. Entries naming no agency are grouped as one line (agency None)."""
    day = _today(today)
    qs = CostEntry.objects.all().restrict(user)
    if programme:
        qs = qs.filter(programme__code=programme.strip().upper()[:30])
    lines: dict = {}
    counts = qs.values("agency_id", "agency__name").annotate(
        entries=Count("pk"), violations=Count("pk", filter=Q(violation=True)),
        worker_borne=Count("pk", filter=Q(payer__in=list(WORKER_BORNE))),
    )
    for row in counts:
        lines[row["agency_id"]] = {
            "agency_id": row["agency_id"], "agency": row["agency__name"] or "", "entries": row["entries"],
            "violations": row["violations"], "worker_borne": row["worker_borne"], "in_violation": [],
            "open_refunds": 0, "overdue_refunds": 0,
        }
    money = qs.filter(violation=True).values("agency_id", "currency").annotate(total=Sum("amount_in_violation")).order_by("currency")
    for row in money:
        lines[row["agency_id"]]["in_violation"].append({"currency": row["currency"], "amount": _q(row["total"])})
    orders = RefundOrder.objects.filter(cost__in=qs, status=RefundStatus.OPEN).values("cost__agency_id").annotate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=day))
    )
    for row in orders:
        line = lines.get(row["cost__agency_id"])
        if line is not None:
            line["open_refunds"], line["overdue_refunds"] = row["open"], row["overdue"]
    return sorted(lines.values(), key=lambda line: (line["agency_id"] is None, -line["violations"], line["agency"]))


# --- SDG indicator 10.7.1 ----------------------------------------------------------------------------------------


def _q(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT, ROUND_HALF_UP)


def _stats(ratios: list[Decimal]) -> dict:
    if not ratios:
        return {"workers": 0, "mean": None, "median": None}
    return {
        "workers": len(ratios),
        "mean": _q(sum(ratios, Decimal(0)) / len(ratios)),
        "median": _q(Decimal(statistics.median(ratios))),
    }


def sdg_readable(user, programme: Programme) -> bool:
    roles = roles_of(user)
    return bool(roles & (SDG_ROW_READERS | SDG_AGGREGATE_READERS))


def sdg_1071(*, user, programme: Programme, year: int) -> dict:
    """SDG indicator 10.7.1 for the workers whose first job at destination under `programme` began in `year`.

    Per worker k: C_k, what the worker and family paid (every worker-borne entry of the programme, whatever its date,
    before any refund), converted into the earnings currency with the rates recorded beside the earnings; E_k, the
    first monthly earnings at destination; the ratio C_k / E_k ("months of earnings"). A worker whose costs are in a
    currency with no recorded rate is left out (no imputation) and counted as such. The indicator is the mean and the
    median of the ratios (a statistic of ratios, not a ratio of totals), also by sex. Workers who paid nothing count,
    with a ratio of 0.

    Rows (one per worker) only for readers who may see those workers' costs; researchers and the social partners get
    aggregates only, and none over fewer than MIN_CELL workers.
    """
    roles = roles_of(user)
    if not roles & (SDG_ROW_READERS | SDG_AGGREGATE_READERS):
        raise Forbidden("SDG 10.7.1 figures are for the programme's authorities, the social partners and researchers.")
    if not isinstance(year, int) or not 1950 <= year <= 2200:
        raise InvalidInput("Give a year between 1950 and 2200.", field="year")
    with_rows = bool(roles & SDG_ROW_READERS)
    earnings = list(FirstEarnings.objects.filter(programme=programme, month__year=year).select_related("worker"))
    worker_ids = [e.worker_id for e in earnings]
    costs: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in (
        CostEntry.objects.filter(programme=programme, worker_id__in=worker_ids, payer__in=list(WORKER_BORNE))
        .values("worker_id", "currency").annotate(total=Sum("amount"))
    ):
        costs[row["worker_id"]][row["currency"]] += row["total"]
    waiting = (
        CostEntry.objects.filter(programme=programme, payer__in=list(WORKER_BORNE), paid_on__year=year)
        .exclude(worker__first_earnings__programme=programme).values("worker_id").distinct().count()
    )
    visible_workers = set()
    if with_rows:
        visible_workers = set(
            CostEntry.objects.filter(programme=programme, worker_id__in=worker_ids).restrict(user).values_list("worker_id", flat=True)
        ) | set(FirstEarnings.objects.filter(pk__in=[e.pk for e in earnings]).restrict(user).values_list("worker_id", flat=True))

    ratios: list[Decimal] = []
    by_sex: dict[str, list[Decimal]] = defaultdict(list)
    excluded = paid_anything = 0
    rows = []
    for record in sorted(earnings, key=lambda e: e.worker.public_id):
        paid = costs.get(record.worker_id, {})
        total, missing = Decimal(0), []
        for currency, amount in paid.items():
            if currency == record.currency:
                total += amount
            elif currency in (record.rates or {}):
                total += amount * Decimal(str(record.rates[currency]))
            else:
                missing.append(currency)
        ratio = None
        if missing:
            excluded += 1
        else:
            ratio = total / record.amount
            ratios.append(ratio)
            by_sex[record.worker.sex].append(ratio)
            paid_anything += 1 if total > 0 else 0
        if with_rows and record.worker_id in visible_workers:
            rows.append({
                "worker": record.worker.public_id,
                "sex": record.worker.sex,
                "costs": [{"currency": c, "amount": _q(a)} for c, a in sorted(paid.items())],
                "cost_in_earnings_currency": None if missing else _q(total),
                "earnings": record.amount,
                "currency": record.currency,
                "month": record.month,
                "ratio": _q(ratio),
                "excluded_reason": f"No exchange rate recorded for {', '.join(sorted(missing))}." if missing else "",
            })

    def shown(group: list[Decimal]) -> dict:
        result = _stats(group)
        suppressed = not with_rows and 0 < len(group) < MIN_CELL
        if suppressed:
            result = {"workers": None, "mean": None, "median": None}
        return {**result, "suppressed": suppressed}

    overall = shown(ratios)
    share = None
    if ratios and not overall["suppressed"]:
        share = _q(Decimal(100) * paid_anything / len(ratios))
    return {
        "programme": programme.code,
        "year": year,
        "workers_with_earnings": len(earnings) if (with_rows or len(earnings) >= MIN_CELL or not earnings) else None,
        "workers_without_earnings_yet": waiting,
        "excluded_no_rate": excluded if not overall["suppressed"] else None,
        **{k: overall[k] for k in ("workers", "mean", "median", "suppressed")},
        "share_paid_anything_percent": share,
        "by_sex": [{"sex": sex, **shown(group)} for sex, group in sorted(by_sex.items())],
        "min_cell": MIN_CELL,
        "rows": rows if with_rows else None,
    }


def earnings_of(*, user, worker: Worker) -> models.QuerySet[FirstEarnings]:
    return FirstEarnings.objects.filter(worker=worker).restrict(user).select_related("programme")
