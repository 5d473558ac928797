"""What follows a payslip with findings, for one payslip or a whole pay run (docs/payroll.md, section 4).

- The worker gets one notice per payslip with findings, translated into their language when read (English msgids
  with named parameters: the period, the number of problems, the arrears and the currency).
- The origin authority of the worker's country and the labour inspectorate of the destination get one notice per
  payslip with findings when there are at most `ORG_NOTICE_LIMIT` of them in the pay run; above that, each of those
  organisations gets ONE summary notice for the pay run, with the counts of the payslips of its remit.
- A finding that is a contract substitution signal (the payslip states another rate, unit or currency than the
  locked contract) raises a deployment SubstitutionAlert with source "pay_run": one per journey, item and stated
  value, none when the same alert is still open (`deployment.services.alerts_from_pay_run`).

Payslips are wage data (Category.WAGE): immigration officers are never addressed and never read these notices.
Everything is written in bulk, inside the caller's transaction.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext_noop

from corridor.accounts.selectors import labour_inspectorates, origin_authorities
from corridor.core import notify
from corridor.core.access import Category
from corridor.payroll import checks
from corridor.payroll.models import Payslip

ORG_NOTICE_LIMIT = 20  # payslips with findings in one pay run up to which the organisations get one notice each
KIND_WORKER = "payslip.findings"
KIND_ORG = "payslip.findings"
KIND_SUMMARY = "payslip.pay_run_findings"
SUBJECT = Payslip._meta.label_lower  # notices name their payslip as (type, id), without a model instance each
SUBSTITUTION = {"rate_differs": "wage_amount", "currency_differs": "wage_currency", "unit_differs": "wage_unit"}


@dataclass
class Flagged:
    """A payslip with findings, with what its notices and alerts need."""

    payslip_id: int
    journey_id: int
    contract_id: int
    worker_user_id: int | None
    worker_ref: str  # the worker's public id
    nationality: str
    programme_id: int
    destination: str
    period_start: str
    period_end: str
    currency: str
    arrears: int  # cents
    findings: list[dict] = field(default_factory=list)  # as stored on the payslip: {code, rule, message, amounts...}


OWED = gettext_noop("The checks found %(count)s problem(s) on your payslip for %(start)s to %(end)s. You are owed "
                    "%(arrears)s %(currency)s. Open the payslip to see each problem; you can dispute it.")
NOT_OWED = gettext_noop("The checks found %(count)s problem(s) on your payslip for %(start)s to %(end)s. Open the "
                        "payslip to see each problem; you can dispute it.")


def _worker_params(f: Flagged) -> dict:
    return {"start": f.period_start, "end": f.period_end, "count": len(f.findings),
            "arrears": checks.money(f.arrears), "currency": f.currency}


def _worker_notice(f: Flagged) -> notify.Notice:
    return notify.Notice(kind=KIND_WORKER, message=OWED if f.arrears else NOT_OWED, category=Category.WAGE,
                         params=_worker_params(f), link=f"/payslips/me/#payslip-{f.payslip_id}",
                         subject=(SUBJECT, f.payslip_id), programme_id=f.programme_id)


def _org_notice(f: Flagged, employer: str) -> notify.Notice:
    params = {"worker": f.worker_ref, "employer": employer, "start": f.period_start, "end": f.period_end,
              "count": len(f.findings), "codes": ", ".join(dict.fromkeys(x["code"] for x in f.findings)),
              "arrears": checks.money(f.arrears), "currency": f.currency}
    return notify.Notice(
        kind=KIND_ORG, category=Category.WAGE, params=params, link=f"/payslips/{f.payslip_id}/",
        subject=(SUBJECT, f.payslip_id), programme_id=f.programme_id,
        message=gettext_noop("The payslip of worker %(worker)s at %(employer)s for %(start)s to %(end)s has "
                             "%(count)s finding(s): %(codes)s. Arrears: %(arrears)s %(currency)s."),
    )


def _money_by_currency(amounts: dict[str, int]) -> str:
    return ", ".join(f"{checks.money(c)} {cur}" for cur, c in sorted(amounts.items())) or "0.00"


def send(*, flagged: list[Flagged], employer: str, payslips: int, summary_over: int | None = None) -> dict:
    """Write the notices and alerts for the payslips with findings of one submission or pay run of `payslips`
    payslips. Returns counts: worker_notices, org_notices, summaries, alerts."""
    summary_over = ORG_NOTICE_LIMIT if summary_over is None else summary_over
    if not flagged:
        return {"worker_notices": 0, "org_notices": 0, "summaries": 0, "alerts": 0}
    origin_cache: dict[tuple, list] = {}
    inspect_cache: dict[tuple, list] = {}

    def addresses(f: Flagged) -> list[tuple[int, str]]:
        ko, ki = (f.nationality, f.programme_id), (f.destination, f.programme_id)
        if ko not in origin_cache:
            origin_cache[ko] = origin_authorities(f.nationality, f.programme_id)
        if ki not in inspect_cache:
            inspect_cache[ki] = labour_inspectorates(f.destination, f.programme_id)
        return origin_cache[ko] + inspect_cache[ki]

    batch: list = []
    worker_notices = 0
    for f in flagged:
        if f.worker_user_id is not None:
            batch.append((_worker_notice(f), [f.worker_user_id], ()))
            worker_notices += 1
    org_notices = summaries = 0
    if len(flagged) <= summary_over:
        for f in flagged:
            to = addresses(f)
            if to:
                batch.append((_org_notice(f, employer), (), to))
                org_notices += len(to)
    else:
        remit: dict[tuple[int, str], dict] = defaultdict(lambda: {"n": 0, "arrears": Counter(), "codes": Counter(),
                                                                   "programmes": set()})
        for f in flagged:
            for address in addresses(f):
                r = remit[address]
                r["n"] += 1
                r["arrears"][f.currency] += f.arrears
                r["codes"].update(x["code"] for x in f.findings)
                r["programmes"].add(f.programme_id)
        for address, r in remit.items():
            params = {"employer": employer, "with_findings": r["n"], "payslips": payslips,
                      "codes": ", ".join(f"{c} {n}" for c, n in r["codes"].most_common()),
                      "arrears": _money_by_currency(r["arrears"])}
            programmes = sorted(r["programmes"])
            batch.append((notify.Notice(
                kind=KIND_SUMMARY, category=Category.WAGE, params=params, link="/payslips/?with_findings=1",
                programme_id=programmes[0] if len(programmes) == 1 else None,
                message=gettext_noop("A pay run of %(employer)s (%(payslips)s payslips): %(with_findings)s payslips "
                                     "of workers in your remit have findings (%(codes)s). Arrears: %(arrears)s."),
            ), (), [address]))
            summaries += 1
    notify.send_many(batch)
    return {"worker_notices": worker_notices, "org_notices": org_notices, "summaries": summaries,
            "alerts": raise_alerts(flagged)}


def raise_alerts(flagged: list[Flagged]) -> int:
    """SubstitutionAlerts (source "pay_run") for the substitution signals among the findings."""
    from corridor.deployment.services import alerts_from_pay_run

    found = []
    for f in flagged:
        for x in f.findings:
            item = SUBSTITUTION.get(x["code"])
            if item is not None:
                amounts = x.get("amounts") or {}
                found.append((f.journey_id, f.contract_id, {"field": item, "contract": str(amounts.get("contract", "")),
                                                            "declared": str(amounts.get("payslip", ""))}))
    return len(alerts_from_pay_run(found)) if found else 0
