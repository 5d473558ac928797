"""The columns of a job-order file and how a row of it becomes the input of one job order. Plain Python, no Django.

The file itself is read by `corridor.core.tabular.read_table` (CSV or XLSX, header row, column mapping), re-exported
here. One row is one job order; the columns are the job-order fields, with these spellings for what a form would
hold as a list:

- `origin_countries` and `named_workers`: separated by ";" (or ","), e.g. `MX;JM`;
- `deductions`: `type:amount` pairs separated by ";", e.g. `housing:120; food:80` (amounts per month);
- `translations`: a JSON object of language code to text, e.g. `{"es": "Cosecha de manzanas"}`;
- `worksite`: the worksite's number or its name; `housing`: the housing unit's number or its address;
- `advert_channel`, `advert_start`, `advert_end`, `local_applicants`, `local_hires`, `advert_url`: one advert of
  the labour-market test (more can be added to the order afterwards);
- `employer`: the employer's business identifier (needed when a ministry imports for several employers).
"""

from __future__ import annotations

import json

from corridor.core.tabular import (
    TableError,
    TableRow,
    capped,
    column_index,
    columns_used,
    normalise_header,
    parse_mapping,
    read_table,
    write_report,
)

__all__ = [
    "ADVERT_COLUMNS", "COLUMNS", "REQUIRED", "TableError", "TableRow", "capped", "column_index", "columns_used", "field_of", "normalise_header",
    "order_input",
    "parse_mapping", "read_table", "write_report",
]

ORDER_COLUMNS = (
    "title", "origin_countries", "isco_code", "esco_uri", "national_classification", "national_code", "sector",
    "positions", "start_date", "end_date", "worksite", "wage_amount", "wage_currency", "wage_unit", "hours_per_week",
    "overtime_rate_percent", "deductions", "housing", "outbound_travel_worker_percent", "return_travel_worker_percent",
    "named_workers", "language", "language_level", "min_experience_months", "description", "description_language",
    "translations", "open_to_transfers",
)
# Column -> the key of the advert it fills.
ADVERT_COLUMNS = {
    "advert_channel": "channel",
    "advert_start": "start_date",
    "advert_end": "end_date",
    "local_applicants": "local_applicants",
    "local_hires": "local_hires",
    "advert_url": "url",
}
COLUMNS = ("employer", *ORDER_COLUMNS, *ADVERT_COLUMNS)
REQUIRED = (
    "title", "origin_countries", "positions", "start_date", "end_date", "worksite", "wage_amount", "wage_currency",
    "wage_unit", "hours_per_week",
)
_ADVERT_FIELD = {key: column for column, key in ADVERT_COLUMNS.items()}


def order_input(row: TableRow) -> tuple[dict, list[dict]]:
    """The input of `services.clean_order_input` for one row (worksite and housing still as written in the file),
    and the errors found in cells that need unpacking here (translations)."""
    cells = row.cells
    data = {name: cells[name] for name in ORDER_COLUMNS if name in cells}
    errors: list[dict] = []
    text = cells.get("translations", "")
    if text:
        try:
            translations = json.loads(text)
        except ValueError:
            translations = None
        if not isinstance(translations, dict):
            errors.append({"field": "translations", "message": 'Write the translations as {"es": "text", ...}.'})
            translations = {}
        data["translations"] = translations
    else:
        data.pop("translations", None)
    advert = {key: cells[column] for column, key in ADVERT_COLUMNS.items() if cells.get(column)}
    if advert:
        data["adverts"] = [advert]
    return data, errors


def field_of(name: str) -> tuple[str, str]:
    """(the column, a prefix for the message) for a field named by the job-order checks: "deductions[1].amount"
    is the `deductions` column, item 2; "adverts[0].start_date" is the `advert_start` column."""
    if name.startswith("adverts"):
        _head, _dot, key = name.partition(".")
        return _ADVERT_FIELD.get(key, "advert_channel"), ""
    if name.startswith("deductions["):
        head, _dot, key = name.partition(".")
        number = head[len("deductions["):-1]
        item = f"Deduction {int(number) + 1}" if number.isdigit() else "A deduction"
        return "deductions", f"{item}{', ' + key if key else ''}: "
    if name.startswith("translations."):
        return "translations", f"{name.partition('.')[2]}: "
    return name, ""
