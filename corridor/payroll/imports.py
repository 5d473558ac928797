"""A pay run uploaded by the employer as a CSV (or XLSX) file, one payslip a row (docs/payroll.md, section 3).

The file is read with `corridor.core.tabular` (as every import: UTF-8 or Windows-1252, comma, semicolon or tab,
headers matched without regard to case and spaces, an optional column mapping) and submitted through the bulk path
`bulk.payslips_bulk_submit`: every row is validated first; any bad row refuses the whole file, with each error
naming its row (the file's line, the header being row 1) and field, and nothing is saved. A dry run checks
everything, the checks' findings included, and saves nothing.

Columns (* required): worker*, period_start*, period_end*, pay_date*, currency*, gross*, net*, ordinary_hours,
overtime_hours, night_hours, holiday_hours, deductions, payment_method*, stated_rate, stated_unit.

- `worker`: the journey id, the verification code of the worker's contract (CT-XXXX-XXXX, printed on the contract),
  or the worker's public id (then the journey on which the employer employs the worker now).
- money and hours: a dot for decimals (a comma is read as the decimal separator when there is no dot: 720,00).
- `deductions`: `type:amount[:evidence]` items separated by `;`, e.g. `tax:72.00:CRA-2026-01;housing:120:Lease 4B`
  (evidence may contain colons, not semicolons); or a JSON list `[{"type": "tax", "amount": "72.00",
  "evidence": "CRA-2026-01"}]` when the payroll system exports JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from corridor.core import tabular
from corridor.core.errors import InvalidInput
from corridor.core.imports import ImportReportMixin
from corridor.payroll import bulk

COLUMNS = ("worker", "period_start", "period_end", "pay_date", "currency", "gross", "net", "ordinary_hours",
           "overtime_hours", "night_hours", "holiday_hours", "deductions", "payment_method", "stated_rate", "stated_unit")
REQUIRED = ("worker", "period_start", "period_end", "pay_date", "currency", "gross", "net", "payment_method")
NUMBERS = ("gross", "net", "ordinary_hours", "overtime_hours", "night_hours", "holiday_hours", "stated_rate")
MAX_ROWS = 100_000


@dataclass
class PayslipImportReport(ImportReportMixin):
    """What an upload did (or, for a dry run, would do). `errors` are {row, field, message}."""

    filename: str
    dry_run: bool
    encoding: str
    rows: int = 0
    valid: int = 0
    saved: int = 0
    with_findings: int = 0
    findings: dict[str, int] = field(default_factory=dict)
    arrears: dict[str, str] = field(default_factory=dict)
    committed: bool = False
    digest: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    header: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)


def report_csv(report: PayslipImportReport) -> bytes:
    return tabular.write_report(report.errors)


def _number(text: str) -> str:
    text = text.strip()
    return text.replace(",", ".") if "," in text and "." not in text and text.count(",") == 1 else text


def deductions_cell(text: str) -> list[dict]:
    """The deductions of one row; ValueError with a message for a cell that cannot be read."""
    text = (text or "").strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            items = json.loads(text)
        except ValueError:
            raise ValueError("The deductions are not valid JSON; give a list of {type, amount, evidence}.") from None
        if not isinstance(items, list) or not all(isinstance(d, dict) for d in items):
            raise ValueError("Give the deductions as a JSON list of objects {type, amount, evidence}.")
        return [{"type": d.get("type"), "amount": d.get("amount"), "evidence": d.get("evidence")} for d in items]
    items = []
    for n, part in enumerate(p for p in text.split(";") if p.strip()):
        pieces = part.split(":", 2)
        if len(pieces) < 2:
            raise ValueError(f"Deduction {n + 1} ({part.strip()[:40]!r}) is not type:amount or type:amount:evidence.")
        items.append({"type": pieces[0].strip(), "amount": _number(pieces[1]),
                      "evidence": pieces[2].strip() if len(pieces) > 2 else ""})
    return items


def _read(data: bytes, filename: str, mapping):
    try:
        if isinstance(mapping, str):
            mapping = tabular.parse_mapping(mapping)
        rows, encoding, header = tabular.read_table(data, filename, mapping, COLUMNS, REQUIRED, max_rows=MAX_ROWS)
    except tabular.TableError as exc:
        raise InvalidInput([exc.as_error()]) from exc
    return rows, encoding, header, tabular.columns_used(header, mapping, COLUMNS)


def payslip_import(*, actor, data: bytes, filename: str = "", mapping: dict | str | None = None,
                   dry_run: bool = True) -> PayslipImportReport:
    """Check a pay-run file row by row and, unless `dry_run`, submit every payslip or none (InvalidInput listing
    each error with its row and field). Only the employer, for the workers it employs now."""
    rows, encoding, header, columns = _read(data, filename, mapping)
    report = PayslipImportReport(filename=(filename or "")[:200], dry_run=dry_run, encoding=encoding, rows=len(rows),
                                 header=header, columns=columns)
    first: list[dict] = []
    payslips = []
    for r in rows:
        cells = dict(r.cells)
        for name in NUMBERS:
            if name in cells:
                cells[name] = _number(cells[name])
        try:
            cells["deductions"] = deductions_cell(cells.get("deductions", ""))
        except ValueError as exc:
            first.append({"row": r.row, "field": "deductions", "message": str(exc)})
            cells["deductions"] = []
        cells["row"] = r.row
        payslips.append(cells)
    check_only = dry_run or bool(first)
    result = bulk.payslips_bulk_submit(actor=actor, rows=payslips, dry_run=check_only)
    errors = sorted(first + result.errors, key=lambda e: e.get("row") or 0) if first else result.errors
    if errors and not dry_run:
        raise InvalidInput(bulk._capped(errors))
    report.errors = errors
    for name in ("valid", "saved", "with_findings", "findings", "arrears", "committed", "digest", "preview"):
        setattr(report, name, getattr(result, name))
    if first:
        report.valid = result.valid - len({e["row"] for e in first} - {e["row"] for e in result.errors})
    return report
