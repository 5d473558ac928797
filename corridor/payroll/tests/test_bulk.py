"""The bulk path (payroll/bulk.py): the same findings as the one-at-a-time service for the same input (a property
test over random payslips, bad ones included), all or nothing with every bad row named, the same permission rule,
the duplicate-period rule, one audit event per pay run; notices (worker, origin authority, labour inspectorate; never
immigration; one summary per organisation for a large run) and substitution alerts from pay runs."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from corridor.core import notify
from corridor.core.errors import Forbidden, InvalidInput
from corridor.core.models import AuditEvent, Notification
from corridor.deployment.models import AlertSource, Journey, SubstitutionAlert
from corridor.payroll import bulk, notices, services
from corridor.payroll.models import Payslip

pytestmark = pytest.mark.django_db

TYPES = ["tax", "social_security", "housing", "recruitment_fee", "meals", ""]


def _week(k: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=7 * (60 - k))


def _text(rng: random.Random, value: Decimal):
    """A number as an employer's system might send it."""
    return rng.choice([str(value), f" {value} ", float(value), f"{value:.1f}", str(value.normalize())])


def random_payslip(rng: random.Random, k: int) -> dict:
    """A weekly payslip for week `k`: mostly plausible, with the usual faults, sometimes impossible."""
    start = _week(k)
    if k % 5 == 0:  # lawful, in various spellings
        return {"period_start": start.isoformat(), "period_end": (start + datetime.timedelta(days=6)).isoformat(),
                "pay_date": start + datetime.timedelta(days=8), "currency": "CAD", "gross": _text(rng, Decimal("720.00")),
                "net": rng.choice(["648", 648, "648.00"]), "ordinary_hours": rng.choice([40, "40.00", " 40"]),
                "deductions": [{"type": "tax", "amount": rng.choice(["72", 72.0]), "evidence": "CRA"}],
                "payment_method": "Direct deposit", "stated_rate": rng.choice(["18", "", None]), "stated_unit": "hour"}
    hours = Decimal(rng.choice([0, 20, 38, 40, 40, 40, 44]))
    overtime = Decimal(rng.choice([0, 0, 2, 4.5]))
    gross = (hours * Decimal("18.00") + overtime * Decimal("27.00") - Decimal(rng.choice([0, 0, 0, 36, 150])))
    gross = max(gross, Decimal(0)).quantize(Decimal("0.01"))
    deductions = []
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        kind = rng.choice(TYPES)
        deductions.append({"type": kind, "amount": str((gross * Decimal(rng.choice([2, 5, 10, 30])) / 100)
                                                       .quantize(Decimal("0.01"))),
                           "evidence": rng.choice(["", "Receipt 1", "CRA-2026"])})
    net = gross - sum(Decimal(d["amount"]) for d in deductions) + Decimal(rng.choice([0, 0, 0, 0, 1]))
    data = {
        "period_start": start.isoformat(), "period_end": (start + datetime.timedelta(days=6)).isoformat(),
        "pay_date": (start + datetime.timedelta(days=rng.choice([7, 8, 13, 30]))).isoformat(),
        "currency": rng.choice(["CAD", "CAD", "CAD", "cad", "USD"]), "gross": _text(rng, gross),
        "net": _text(rng, max(net, Decimal(0))), "ordinary_hours": _text(rng, hours),
        "overtime_hours": _text(rng, overtime), "night_hours": rng.choice(["", "0", "4"]),
        "holiday_hours": rng.choice([None, "0", "8"]), "deductions": deductions,
        "payment_method": rng.choice(["Direct deposit", "Cheque"]),
        "stated_rate": rng.choice([None, "", "18.00", "18", "17.50"]), "stated_unit": rng.choice(["", "hour", "day"]),
    }
    fault = rng.random()
    if fault < 0.04:
        data["net"] = str(gross + 10)  # net above gross
    elif fault < 0.08:
        data["ordinary_hours"] = "-3"
    elif fault < 0.11:
        data["period_end"] = "2026-02-30"
    elif fault < 0.14:
        data["pay_date"] = (start - datetime.timedelta(days=3)).isoformat()
    elif fault < 0.16:
        data["gross"] = "lots"
    elif fault < 0.18:
        data["stated_unit"] = "fortnight"
    elif fault < 0.20:
        data["currency"] = "C$"
    return data


def stored(payslip: Payslip) -> tuple:
    return (payslip.findings, payslip.arrears, payslip.due, payslip.deductions, payslip.gross, payslip.net,
            payslip.ordinary_hours, payslip.overtime_hours, payslip.night_hours, payslip.holiday_hours,
            payslip.currency, payslip.stated_rate, payslip.stated_unit, payslip.payment_method, payslip.pay_date,
            payslip.contract_id)


@pytest.fixture(params=["sequential", "parallel"])
def mode(request, monkeypatch):
    """On PostgreSQL, "parallel" sends even small runs through the forked processes (bulk.PARALLEL_OVER)."""
    if request.param == "parallel":
        monkeypatch.setattr(bulk, "PARALLEL_OVER", 1)
        monkeypatch.setattr(bulk, "CHUNK", 7)
    return request.param


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bulk_finds_what_the_single_path_finds(pr_employed, pr_employer, seed, mode):
    rng = random.Random(seed)
    rows = [random_payslip(rng, k) for k in range(40)]
    single: dict[int, tuple] = {}
    refused: dict[int, list] = {}
    for k, data in enumerate(rows):
        try:
            single[k] = stored(services.payslip_submit(actor=pr_employer, journey=pr_employed, **data))
        except InvalidInput as exc:
            refused[k] = sorted(e["field"] for e in exc.as_errors())
    assert single and refused  # both kinds were drawn
    assert any(s[0] for s in single.values()) and any(not s[0] for s in single.values())
    Payslip.objects.all().delete()

    dry = bulk.payslips_bulk_submit(actor=pr_employer, rows=[{"journey": pr_employed.pk, **r} for r in rows],
                                    dry_run=True)
    assert dry.valid == len(single) and not Payslip.objects.exists()
    by_row: dict[int, list] = {}
    for e in dry.errors:
        by_row.setdefault(e["row"] - 1, []).append(e["field"])
    assert {k: sorted(v) for k, v in by_row.items()} == refused

    result = bulk.payslips_bulk_submit(actor=pr_employer, rows=[{"journey": pr_employed.pk, **rows[k]} for k in single])
    assert result.saved == len(single) and result.with_findings == sum(1 for s in single.values() if s[0])
    saved = {p.period_start: stored(p) for p in Payslip.objects.all()}
    assert saved == {datetime.date.fromisoformat(rows[k]["period_start"]): v for k, v in single.items()}


def test_all_or_nothing_with_every_bad_row_named(pr_employed, pr_employer, payslip_data, mode):
    rows = [
        {"journey": pr_employed.pk, **payslip_data(period_start=_week(1).isoformat(),
                                                   period_end=(_week(1) + datetime.timedelta(days=6)).isoformat())},
        {"journey": pr_employed.pk, **payslip_data(net="900.00")},
        {"worker": "", **payslip_data()},
        {"journey": pr_employed.pk, **payslip_data(gross="", currency="EURO")},
    ]
    with pytest.raises(InvalidInput) as refused:
        bulk.payslips_bulk_submit(actor=pr_employer, rows=rows)
    assert [(e["row"], e["field"]) for e in refused.value.as_errors()] == [
        (2, "net"), (3, "worker"), (4, "currency"), (4, "gross")]
    assert not Payslip.objects.exists() and not AuditEvent.objects.filter(action="payslip.pay_run").exists()


def test_duplicate_periods_are_row_errors(pr_employed, pr_employer, payslip_data, mode):
    services.payslip_submit(actor=pr_employer, journey=pr_employed, **payslip_data())
    other = payslip_data(period_start=_week(2).isoformat(), period_end=(_week(2) + datetime.timedelta(days=6)).isoformat())
    rows = [{"journey": pr_employed.pk, **other}, {"journey": pr_employed.pk, **payslip_data()},
            {"journey": pr_employed.pk, **other}]
    with pytest.raises(InvalidInput) as refused:
        bulk.payslips_bulk_submit(actor=pr_employer, rows=rows)
    errors = refused.value.as_errors()
    assert [(e["row"], e["field"]) for e in errors] == [(2, "period_start"), (3, "period_start")]
    assert "already submitted" in errors[0]["message"] and "row 1" in errors[1]["message"]
    assert Payslip.objects.count() == 1


def test_only_workers_the_employer_employs_now(pr_employed, pr_employer, payslip_data, make_user, ct_worker):
    from corridor.core.access import Role

    other = make_user(Role.EMPLOYER)
    with pytest.raises(InvalidInput) as refused:
        bulk.payslips_bulk_submit(actor=other, rows=[{"journey": pr_employed.pk, **payslip_data()},
                                                     {"worker": ct_worker.public_id, **payslip_data()}])
    assert [(e["row"], e["field"]) for e in refused.value.as_errors()] == [(1, "journey"), (2, "worker")]
    for outsider in (ct_worker.user, make_user(Role.LABOUR_INSPECTOR)):
        with pytest.raises(Forbidden):
            bulk.payslips_bulk_submit(actor=outsider, rows=[{"journey": pr_employed.pk, **payslip_data()}])
    Journey.objects.filter(pk=pr_employed.pk).update(state="returned", returned_on=timezone.localdate())
    with pytest.raises(InvalidInput) as refused:
        bulk.payslips_bulk_submit(actor=pr_employer, rows=[{"journey": pr_employed.pk, **payslip_data()}])
    assert "not employed" in refused.value.as_errors()[0]["message"]
    assert not Payslip.objects.exists()


def test_worker_by_contract_code_or_public_id_and_one_audit_event(pr_employed, pr_employer, payslip_data, ct_accepted,
                                                                  ct_worker, mode):
    rows = [{"worker": ct_accepted.verification_code.lower(), **payslip_data()},
            {"worker": ct_worker.public_id, **_fee(payslip_data, 3)}]
    result = bulk.payslips_bulk_submit(actor=pr_employer, rows=rows)
    assert result.saved == 2 and result.with_findings == 1 and result.arrears == {"CAD": "100.00"}
    assert set(Payslip.objects.values_list("journey_id", flat=True)) == {pr_employed.pk}
    events = AuditEvent.objects.filter(action="payslip.pay_run")
    assert events.count() == 1 and not AuditEvent.objects.filter(action="payslip.submit").exists()
    after = events.get().after
    assert after["payslips"] == 2 and after["with_findings"] == 1 and after["sha256"] == result.digest
    assert len(result.digest) == 64 and after["findings"] == {"deduction_not_allowed": 1}


# --- notices and alerts --------------------------------------------------------------------------------------------


def _fee(payslip_data, k: int, **changes):
    start = _week(k)
    data = {"period_start": start.isoformat(), "period_end": (start + datetime.timedelta(days=6)).isoformat(),
            "pay_date": (start + datetime.timedelta(days=8)).isoformat(), "net": "548.00", "deductions": [
                {"type": "tax", "amount": "72.00", "evidence": "CRA"},
                {"type": "recruitment_fee", "amount": "100.00", "evidence": "Invoice"}]}
    return payslip_data(**{**data, **changes})


def test_single_payslip_with_findings_notifies_worker_origin_and_inspectorate(
        pr_employed, pr_employer, payslip_data, ct_worker, sel_origin, dp_inspector, dp_immigration):
    services.payslip_submit(actor=pr_employer, journey=pr_employed, **payslip_data())  # lawful: no notice
    assert not Notification.objects.filter(kind__startswith="payslip").exists()
    slip = services.payslip_submit(actor=pr_employer, journey=pr_employed, **_fee(payslip_data, 5))
    mine = list(Notification.objects.restrict(ct_worker.user).filter(kind=notices.KIND_WORKER))
    assert len(mine) == 1 and mine[0].user_id == ct_worker.user_id
    assert mine[0].params["arrears"] == "100.00" and mine[0].params["currency"] == "CAD"
    assert mine[0].params["start"] == slip.period_start.isoformat() and mine[0].link.endswith(f"#payslip-{slip.pk}")
    assert "You are owed 100.00 CAD" in mine[0].text
    for official in (sel_origin, dp_inspector):
        seen = list(Notification.objects.restrict(official).filter(kind=notices.KIND_ORG))
        assert len(seen) == 1 and seen[0].params["codes"] == "deduction_not_allowed"
    assert not Notification.objects.restrict(dp_immigration).exists()
    assert not Notification.objects.filter(role="immigration_officer").exists()


def test_large_pay_run_sends_organisations_one_summary(pr_employed, pr_employer, payslip_data, ct_worker, sel_origin,
                                                       dp_inspector, dp_immigration, monkeypatch, mode):
    monkeypatch.setattr(notices, "ORG_NOTICE_LIMIT", 2)
    rows = [{"journey": pr_employed.pk, **_fee(payslip_data, k)} for k in range(4)]
    rows.append({"journey": pr_employed.pk, **payslip_data()})
    result = bulk.payslips_bulk_submit(actor=pr_employer, rows=rows)
    assert result.with_findings == 4
    assert Notification.objects.restrict(ct_worker.user).filter(kind=notices.KIND_WORKER).count() == 4
    for official in (sel_origin, dp_inspector):
        seen = list(Notification.objects.restrict(official))
        assert [n.kind for n in seen] == [notices.KIND_SUMMARY]
        assert seen[0].params["with_findings"] == "4" and seen[0].params["payslips"] == "5"
        assert seen[0].params["arrears"] == "400.00 CAD"
    assert not Notification.objects.restrict(dp_immigration).exists()


def test_small_pay_run_notifies_per_payslip(pr_employed, pr_employer, payslip_data, sel_origin):
    rows = [{"journey": pr_employed.pk, **_fee(payslip_data, k)} for k in range(3)]
    bulk.payslips_bulk_submit(actor=pr_employer, rows=rows)
    assert Notification.objects.restrict(sel_origin).filter(kind=notices.KIND_ORG).count() == 3


def test_substitution_signals_raise_pay_run_alerts_once(pr_employed, pr_employer, payslip_data, ct_accepted, mode):
    rows = [{"journey": pr_employed.pk, **_fee(payslip_data, k, stated_rate="16.50", stated_unit="hour")}
            for k in range(3)]
    rows.append({"journey": pr_employed.pk, **_fee(payslip_data, 9, currency="USD")})
    bulk.payslips_bulk_submit(actor=pr_employer, rows=rows)
    alerts = SubstitutionAlert.objects.filter(journey=pr_employed, source=AlertSource.PAY_RUN)
    assert sorted(alerts.values_list("field", "contract_value", "declared_value")) == [
        ("wage_amount", "18.00", "16.50"), ("wage_currency", "CAD", "USD")]
    assert all(a.contract_id == ct_accepted.pk for a in alerts)
    services.payslip_submit(actor=pr_employer, journey=pr_employed,
                            **_fee(payslip_data, 12, stated_rate="16.50", stated_unit="hour"))
    assert alerts.count() == 2  # the same alert is still open
    services.payslip_submit(actor=pr_employer, journey=pr_employed, **_fee(payslip_data, 13, stated_unit="day"))
    assert alerts.filter(field="wage_unit", declared_value="day").count() == 1


def test_large_runs_write_the_same_worker_notices(pr_employed, pr_employer, payslip_data, ct_worker, monkeypatch, mode):
    """Above notify.COPY_OVER the notices are written by COPY on PostgreSQL: the same rows as in batches."""
    monkeypatch.setattr(notify, "COPY_OVER", 0)
    rows = [{"journey": pr_employed.pk, **_fee(payslip_data, k)} for k in range(2)]
    rows.append({"journey": pr_employed.pk, **_fee(payslip_data, 7, net="648.00", deductions=[
        {"type": "tax", "amount": "72.00", "evidence": ""}])})
    bulk.payslips_bulk_submit(actor=pr_employer, rows=rows)
    seen = Notification.objects.restrict(ct_worker.user).filter(kind=notices.KIND_WORKER).order_by("subject_id")
    slips = list(Payslip.objects.order_by("pk"))
    assert [n.subject_id for n in seen] == [str(p.pk) for p in slips]
    assert [n.subject_type for n in seen] == ["payroll.payslip"] * 3
    first, last = seen[0], seen[2]
    assert first.params == {"start": slips[0].period_start.isoformat(), "end": slips[0].period_end.isoformat(),
                            "count": "1", "arrears": "100.00", "currency": "CAD"}
    assert first.link == f"/payslips/me/#payslip-{slips[0].pk}" and first.category == "wage"
    assert "You are owed 100.00 CAD" in first.text and "owed" not in last.text
    assert first.programme_ref == pr_employed.placement.job_order.programme_id and first.read_at is None
