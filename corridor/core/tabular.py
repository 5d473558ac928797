"""Reading a table of records from an uploaded CSV or XLSX file, with a column mapping. Plain Python, no Django.

Any import of many records at once (job orders, employers) reads its file here, so that every import accepts the
same files and explains the same mistakes in the same words.

- CSV: UTF-8 with or without a byte-order mark, else Windows-1252 (what spreadsheet programs on Windows save);
  comma, semicolon or tab, judged from the header line; blank lines skipped.
- XLSX: the first sheet of the workbook; blank rows skipped. Recognised by its content (a ZIP archive), whatever
  the file is called. The old binary .xls format is refused with a hint to save as XLSX or CSV.
- The first non-blank row is the header. `mapping` maps our field name to the file's column header; a field that
  is not mapped is read from the column whose header is the field's name. Headers are compared without regard to
  case, spaces, hyphens and underscores ("Wage amount" = "wage_amount").
- Row numbers are the file's line (or sheet row) numbers, the header being row 1, as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

MAX_BYTES = 20 * 1024 * 1024  # the largest file an import reads
MAX_ROWS = 100_000  # data rows in one file
MAX_COLUMNS = 200  # columns read from a sheet
MAX_UNPACKED_BYTES = 400 * 1024 * 1024  # what the parts of an XLSX archive may expand to
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the binary .xls format
ENCODING_XLSX = "xlsx"
_SEPARATORS = re.compile(r"[\s_\-]+")


class TableError(ValueError):
    """The file as a whole cannot be read. `field` is our field concerned, or "file" (or "mapping")."""

    def __init__(self, message: str, *, field: str = "file", row: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.row = row

    def as_error(self) -> dict:
        error = {"field": self.field, "message": self.message}
        if self.row is not None:
            error["row"] = self.row
        return error


@dataclass
class TableRow:
    """One data row: its row number in the file and its cells by our field name (stripped text).

    Only the fields whose column is in the file are present; `get` answers "" for the others."""

    row: int
    cells: dict[str, str]

    def get(self, name: str, default: str = "") -> str:
        return self.cells.get(name, default)


def normalise_header(name: object) -> str:
    """A header compared without regard to case, spaces, hyphens, underscores and a byte-order mark."""
    text = str(name if name is not None else "").replace("\ufeff", "").strip().casefold()
    return _SEPARATORS.sub("_", text).strip("_")


def decode(data: bytes) -> tuple[str, str]:
    """The text of `data` and the encoding used: "utf-8" (a byte-order mark removed) or "cp1252"."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise TableError(
            "The file is neither UTF-8 nor Windows-1252 text; save it as CSV UTF-8 or as XLSX and upload it again."
        ) from exc


def parse_mapping(text: str) -> dict[str, str]:
    """A mapping written one pair a line, "our_field = Their column" (also ":" or a tab); blank lines and lines
    starting with # are skipped. Raises TableError on field "mapping" for a line that is not a pair."""
    mapping: dict[str, str] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for separator in ("=", ":", "\t"):
            if separator in line:
                ours, _sep, theirs = line.partition(separator)
                break
        else:
            raise TableError(f'Line {number} of the column mapping is not "our_field = Their column".', field="mapping")
        ours, theirs = ours.strip(), theirs.strip()
        if not ours or not theirs:
            raise TableError(f'Line {number} of the column mapping is not "our_field = Their column".', field="mapping")
        mapping[ours] = theirs
    return mapping


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()


def _csv_rows(data: bytes) -> tuple[Iterator[tuple[int, list[str]]], str]:
    text, encoding = decode(data)
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter if counts[delimiter] else ",")

    def rows() -> Iterator[tuple[int, list[str]]]:
        start = 1
        try:
            for cells in reader:
                yield start, cells
                start = reader.line_num + 1
        except csv.Error as exc:
            raise TableError(f"Row {reader.line_num}: the CSV is malformed ({exc}).", row=reader.line_num) from exc

    return rows(), encoding


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise TableError("The file is not a readable XLSX workbook; save it again as XLSX or as CSV.") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise TableError("The XLSX workbook expands to more than the import can read; save the sheet as CSV.")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of error on damaged or foreign archives
        raise TableError("The file is not a readable XLSX workbook; save it again as XLSX or as CSV.") from exc
    try:
        if not workbook.worksheets:
            raise TableError("The XLSX workbook has no sheet.")
        sheet = workbook.worksheets[0]
        try:
            # Read-only sheets give every row from the first, blank ones as empty tuples, so the count is the row number.
            for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
                yield number, [_cell_text(v) for v in values]
        except TableError:
            raise
        except Exception as exc:  # a damaged sheet part
            raise TableError("The XLSX workbook's first sheet cannot be read; save it again as XLSX or as CSV.") from exc
    finally:
        workbook.close()


def column_index(header: list[str], mapping: Mapping[str, str] | None, fields: Iterable[str],
                 required: Iterable[str] = ()) -> dict[str, int]:
    """Our field -> the position of its column in the file, for the fields the file has. Raises TableError for a
    mapping that names an unknown field or column, and for a required field without a column."""
    fields = tuple(fields)
    positions: dict[str, int] = {}
    for position, name in enumerate(header):
        key = normalise_header(name)
        if key and key not in positions:
            positions[key] = position
    listed = ", ".join(h for h in header if h) or "none"
    index: dict[str, int] = {}
    known = {normalise_header(f): f for f in fields}
    for ours, theirs in (mapping or {}).items():
        field = known.get(normalise_header(ours))
        if field is None:
            raise TableError(
                f"The column mapping names {ours!r}, which is not a field of this import; the fields are "
                f"{', '.join(fields)}.",
                field="mapping",
            )
        if not str(theirs or "").strip():
            continue
        position = positions.get(normalise_header(theirs))
        if position is None:
            raise TableError(
                f"The column mapping reads {field} from the column {theirs!r}, which the file does not have; "
                f"the file's columns are: {listed}.",
                field=field,
            )
        index[field] = position
    for field in fields:
        if field not in index and normalise_header(field) in positions:
            taken = positions[normalise_header(field)]
            if taken not in index.values():
                index[field] = taken
    missing = [f for f in required if f not in index]
    if missing:
        raise TableError(
            f"The file has no column for {missing[0]}"
            + (f" (nor for {', '.join(missing[1:])})" if len(missing) > 1 else "")
            + f"; the file's columns are: {listed}. Name the column {missing[0]!r} or map it.",
            field=missing[0],
        )
    return index


def is_xlsx(data: bytes) -> bool:
    return data[:4] == ZIP_MAGIC


def read_table(data: bytes, filename: str, mapping: Mapping[str, str] | None, fields: tuple[str, ...],
               required: tuple[str, ...], *, max_rows: int | None = None,
               max_bytes: int | None = None) -> tuple[list[TableRow], str, list[str]]:
    """The data rows of a CSV or XLSX file, the encoding ("utf-8", "cp1252" or "xlsx") and the file's header.

    Raises TableError for a file that cannot be read as a whole: too large, empty, without data rows, malformed,
    not a workbook, or lacking a required column (naming the field and listing the file's columns)."""
    data = data or b""
    name = (filename or "").strip().lower()
    max_rows = max_rows or MAX_ROWS
    max_bytes = max_bytes or MAX_BYTES
    if len(data) > max_bytes:
        raise TableError(f"The file is larger than {max_bytes / (1024 * 1024):g} MiB; split it into smaller files.")
    if not data.strip():
        raise TableError("The file is empty; it needs a header row and at least one data row.")
    if data[:8] == OLE_MAGIC or (name.endswith(".xls") and not is_xlsx(data)):
        raise TableError("Old Excel files (.xls) cannot be read; save the sheet as XLSX or as CSV.")
    if is_xlsx(data):
        source, encoding = _xlsx_rows(data), ENCODING_XLSX
    elif name.endswith((".xlsx", ".xlsm")):
        raise TableError("The file is called .xlsx but is not an XLSX workbook; save it again as XLSX or as CSV.")
    else:
        source, encoding = _csv_rows(data)
    header: list[str] | None = None
    index: dict[str, int] = {}
    rows: list[TableRow] = []
    for number, cells in source:
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = [cell.replace("\ufeff", "").strip() for cell in cells]
            index = column_index(header, mapping, fields, required)
            continue
        if len(rows) >= max_rows:
            raise TableError(f"The file has more than {max_rows:,} data rows; split it into smaller files.")
        width = len(cells)
        rows.append(TableRow(row=number, cells={f: (cells[i].strip() if i < width else "") for f, i in index.items()}))
    if header is None:
        raise TableError("The file is empty; it needs a header row and at least one data row.")
    if not rows:
        raise TableError("The file has a header row but no data rows.")
    return rows, encoding, header


def columns_used(header: list[str], mapping: Mapping[str, str] | None, fields: Iterable[str]) -> dict[str, str]:
    """Our field -> the file's column it is read from, for the fields the file has (in the order of `fields`)."""
    return {name: header[i] for name, i in column_index(header, mapping, fields).items()}


def capped(errors: list[dict], limit: int = 1000) -> list[dict]:
    """At most `limit` errors, followed by one saying how many more there are."""
    if len(errors) <= limit:
        return list(errors)
    more = len(errors) - limit
    return [*errors[:limit], {"field": "file", "message": f"… and {more} more errors ({len(errors)} in all); the "
                                                          f"dry run's report lists them all."}]


def write_report(errors: Iterable[Mapping], *, columns: tuple[str, ...] = ("row", "field", "message")) -> bytes:
    """A row-by-row error report as CSV (UTF-8 with a byte-order mark, so that spreadsheet programs read it as such)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(columns)
    for error in errors:
        writer.writerow(["" if error.get(c) is None else _safe(str(error.get(c))) for c in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _safe(text: str) -> str:
    """A cell that a spreadsheet program will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
