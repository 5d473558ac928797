"""Reading wage CSV files. Plain Python, no Django.

A header row names the columns (any case, any order, other columns ignored). UTF-8 with or without a byte-order
mark, else Windows-1252; comma, semicolon or tab; blank lines skipped. Row numbers are line numbers in the file,
the header being row 1, as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from corridor.reference.crosswalk import CrosswalkFileError, decode

PREVAILING_COLUMNS = ("country", "region", "isco_code", "year", "amount", "currency", "unit")
PREVAILING_REQUIRED = ("country", "isco_code", "year", "amount", "currency", "unit")
MINIMUM_COLUMNS = ("country", "region", "sector", "valid_from", "valid_until", "amount", "currency", "unit")
MINIMUM_REQUIRED = ("country", "valid_from", "amount", "currency", "unit")


class WageFileError(ValueError):
    """The file as a whole cannot be read; `field` is the column concerned, or "file"."""

    def __init__(self, message: str, *, field: str = "file", row: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.row = row


@dataclass
class Row:
    """One data row; `row` is None for a single figure entered outside a file."""

    row: int | None
    cells: dict[str, str]
    errors: list[dict] = field(default_factory=list)

    def add_error(self, column: str, message: str) -> None:
        if self.row is None:
            self.errors.append({"field": column, "message": message[:1].upper() + message[1:]})
        else:
            self.errors.append(
                {"row": self.row, "field": column, "message": f"Row {self.row}, column {column}: {message}"}
            )


def _delimiter(text: str) -> str:
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read(data: bytes, *, columns: tuple[str, ...], required: tuple[str, ...]) -> tuple[list[Row], str]:
    """The data rows with their cells by column name (stripped; absent optional columns are ""), and the encoding."""
    try:
        text, encoding = decode(data)
    except CrosswalkFileError as exc:
        raise WageFileError(exc.message) from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    index: dict[str, int] | None = None
    rows: list[Row] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if index is None:
                index = {}
                for position, name in enumerate(cells):
                    key = name.replace("\ufeff", "").strip().lower().replace(" ", "_")
                    if key in columns and key not in index:
                        index[key] = position
                missing = [c for c in required if c not in index]
                if missing:
                    raise WageFileError(
                        f"The header row lacks the column {missing[0]!r}; the columns are {', '.join(columns)}.",
                        field=missing[0],
                        row=1,
                    )
                continue
            values = {c: (cells[i].strip() if i < len(cells) else "") for c, i in index.items()}
            for c in columns:
                values.setdefault(c, "")
            rows.append(Row(row=reader.line_num, cells=values))
    except csv.Error as exc:
        raise WageFileError(f"Row {reader.line_num}: the CSV is malformed ({exc}).", row=reader.line_num) from exc
    if index is None:
        raise WageFileError("The file is empty; it needs a header row and at least one data row.")
    if not rows:
        raise WageFileError("The file has a header row but no data rows.")
    return rows, encoding
