"""Reading and checking a crosswalk file (national occupation codes to ISCO-08). Plain Python, no Django.

The file is CSV with a header row naming the columns `national_code`, `national_title` and `isco_code` (any case,
any order, other columns ignored). UTF-8 with or without a byte-order mark is read as such; a file that is not
valid UTF-8 is read as Windows-1252 (what spreadsheet programs on Windows save). Blank lines are skipped.
Row numbers are line numbers in the file, the header being row 1, as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

COLUMNS = ("national_code", "national_title", "isco_code")
MAX_NATIONAL_CODE = 40
MAX_NATIONAL_TITLE = 300


class CrosswalkFileError(ValueError):
    """The file as a whole cannot be read (encoding, header). `field` is the column concerned, if any."""

    def __init__(self, message: str, *, field: str = "file", row: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.row = row


@dataclass
class CrosswalkRow:
    """One data row of the file with what was found wrong with it."""

    row: int
    national_code: str
    national_title: str
    isco_code: str
    errors: list[dict] = field(default_factory=list)

    def add_error(self, column: str, message: str) -> None:
        self.errors.append({"row": self.row, "field": column, "message": message})

    @property
    def is_valid(self) -> bool:
        return not self.errors


def decode(data: bytes) -> tuple[str, str]:
    """The text of `data` and the encoding used: "utf-8" (a BOM removed) or "cp1252"."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise CrosswalkFileError(
            "The file is neither UTF-8 nor Windows-1252 text; save it as CSV UTF-8 and upload it again."
        ) from exc


def _delimiter(text: str) -> str:
    """Comma, or the semicolon or tab a spreadsheet in some locales uses, judged from the header line."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _header_index(header: list[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        key = name.replace("\ufeff", "").strip().lower().replace(" ", "_")
        if key in COLUMNS and key not in index:
            index[key] = position
    missing = [c for c in COLUMNS if c not in index]
    if missing:
        raise CrosswalkFileError(
            f"The header row lacks the column {missing[0]!r}; the columns must be "
            + ", ".join(COLUMNS)
            + ".",
            field=missing[0],
            row=1,
        )
    return index


def _cell(cells: list[str], position: int) -> str:
    return cells[position].strip() if position < len(cells) else ""


def parse(data: bytes, *, is_isco_code: Callable[[str], bool]) -> tuple[list[CrosswalkRow], str]:
    """Every data row of the file, each checked, and the encoding the file was read with.

    `is_isco_code` says whether a code is an ISCO-08 group. Raises CrosswalkFileError when the file cannot be
    read at all; problems of single rows are listed on the rows instead.
    """
    text, encoding = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    index: dict[str, int] | None = None
    rows: list[CrosswalkRow] = []
    first_row_of: dict[str, int] = {}
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # blank line
            if index is None:
                index = _header_index(cells)
                continue
            row = CrosswalkRow(
                row=reader.line_num,
                national_code=_cell(cells, index["national_code"]),
                national_title=_cell(cells, index["national_title"]),
                isco_code=_cell(cells, index["isco_code"]),
            )
            _check_row(row, is_isco_code=is_isco_code, first_row_of=first_row_of)
            rows.append(row)
    except csv.Error as exc:
        raise CrosswalkFileError(
            f"Row {reader.line_num}: the CSV is malformed ({exc}).", row=reader.line_num
        ) from exc
    if index is None:
        raise CrosswalkFileError("The file is empty; it needs a header row and at least one data row.")
    if not rows:
        raise CrosswalkFileError("The file has a header row but no data rows.")
    return rows, encoding


def _check_row(
    row: CrosswalkRow, *, is_isco_code: Callable[[str], bool], first_row_of: dict[str, int]
) -> None:
    if not row.national_code:
        row.add_error("national_code", f"Row {row.row}: the national code is missing.")
    elif len(row.national_code) > MAX_NATIONAL_CODE:
        row.add_error(
            "national_code",
            f"Row {row.row}: the national code is longer than {MAX_NATIONAL_CODE} characters.",
        )
    elif row.national_code in first_row_of:
        row.add_error(
            "national_code",
            f"Row {row.row}: the national code {row.national_code!r} is already on row {first_row_of[row.national_code]}.",
        )
    else:
        first_row_of[row.national_code] = row.row
    if not row.national_title:
        row.add_error("national_title", f"Row {row.row}: the national title is missing.")
    elif len(row.national_title) > MAX_NATIONAL_TITLE:
        row.add_error(
            "national_title",
            f"Row {row.row}: the national title is longer than {MAX_NATIONAL_TITLE} characters.",
        )
    if not row.isco_code:
        row.add_error("isco_code", f"Row {row.row}: the ISCO-08 code is missing.")
    elif not (row.isco_code.isascii() and row.isco_code.isdigit()) or not is_isco_code(row.isco_code):
        row.add_error("isco_code", f"Row {row.row}: {row.isco_code!r} is not an ISCO-08 code.")
