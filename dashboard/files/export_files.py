"""The one safe way this app writes CSV and Excel files. Every export (finance, decisions, …) goes through here.

Why one module: spreadsheet files built from user-typed text (project names, funders, notes) are an
injection risk. A cell such as `=HYPERLINK("http://evil","Click")` becomes a live formula when a CSV is
opened in Excel. Following the OWASP CSV-injection guidance, every *text* value that begins with
`=`, `+`, `-`, `@`, tab, carriage return or line feed gets a leading apostrophe, so a spreadsheet shows it
as text; numbers, dates and booleans are never touched, so money stays summable. Workbooks are written by
dashboard/xlsx_writer.py, which can only write numbers, booleans and text (no formula, link or comment
exists in it), so no cell in any export is ever a formula built from user text.

Public API (small on purpose):

- `neutralise(value)`: one value, made safe for a spreadsheet.
- `Sheet`: a table to export plus how to present it (money / date / integer / ratio columns, headers, totals).
- `about_sheet(rows, name=...)`: a two-column "About this export" sheet from (item, value) pairs.
- `write_csv(frame, path_or_buffer)`, `csv_bytes(frame)`: one CSV (UTF-8 with BOM, RFC 4180, CRLF).
- `csv_zip_bytes({file_name: frame_or_sheet})`: several CSVs in one zip.
- `xlsx_bytes(sheets, properties=None)`, `write_xlsx(sheets, path)`: an Excel workbook.
- `write_bytes_atomically(path, data)`: write a file so a reader never sees half of it.

CSV conventions: UTF-8 with a byte-order mark (so Excel keeps "Wah Kiu", "Zoë", "£" intact), RFC 4180 quoting
(fields with commas, quotes or line breaks are quoted, quotes doubled), CRLF line endings throughout, dates
as ISO 8601 (2025-04-01), money with exactly two decimals and no £ sign or separators, empty cells for
missing values, no totals row (CSV is for machines and pivot tables; the workbook has the totals).

Excel conventions: header row frozen, autofilter over the data, GBP format with negatives in red and with a
minus sign, real Excel dates shown as "1 April 2025", column widths from the content, an optional bold
"Total" row below the data that is a value (not a formula) equal to the sum of the exported cells (money
cells are written rounded to the penny, so the total is exactly the sum of what a reader sees).
"""

from __future__ import annotations

import io
import math
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from dashboard.files import table_text, xlsx_writer

DANGEROUS_FIRST_CHARACTERS = table_text.FORMULA_START_CHARACTERS  # = + - @ tab CR LF (OWASP), stated there
NEUTRALISING_PREFIX = "'"

MONEY_FORMAT = "£#,##0.00;[Red]-£#,##0.00"
DATE_FORMAT = "d mmmm yyyy"
DATETIME_FORMAT = "d mmmm yyyy hh:mm"
INTEGER_FORMAT = "#,##0"
RATIO_FORMAT = "0.00"
PERCENT_FORMAT = "0.0%"

CSV_LINE_TERMINATOR = table_text.EXPORT_CSV.line_end
CSV_ENCODING = "utf-8-sig"  # table_text.EXPORT_CSV writes UTF-8 after a byte-order mark
ZIP_LEVEL = 1

EXCEL_SHEET_NAME_MAX = 31
_BAD_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_MAX_WIDTH = 60
_WIDTH_SAMPLE_ROWS = 2000


# --- neutralising ------------------------------------------------------------------------------------


def neutralise(value: Any) -> Any:
    """A value made safe for a spreadsheet: text starting = + - @ tab CR LF gets a leading apostrophe.

    Numbers, dates, booleans and None are returned unchanged. Lists/arrays become "a; b" text (then checked).
    """
    if isinstance(value, str):
        return NEUTRALISING_PREFIX + value if value.startswith(DANGEROUS_FIRST_CHARACTERS) else value
    if isinstance(value, list | tuple | np.ndarray):
        return neutralise("; ".join(str(v) for v in list(value)))
    return value


# --- sheets ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """One table to export and how to present it.

    name: the sheet name in Excel (made valid: at most 31 characters, no []:*?/\\) and the CSV file stem.
    frame: the data; column names are the machine names, `headers` maps them to what a reader sees.
    money_columns: shown as £ with pence, negatives red with a minus; summed in the totals row.
    date_columns: shown as real Excel dates (datetime64 columns are treated as dates anyway).
    integer_columns / ratio_columns / percent_columns: #,##0 / 0.00 / 0.0% (percent expects a fraction).
    formats: any other column -> Excel number format.
    totals: add a bold "Total" row under the data summing `total_columns` (default: the money columns).
    label_column: the column that holds the word "Total" (default: the first column).
    widths: column -> width in characters, to override the measured width.
    wrap_columns: columns whose long text wraps within the cell rather than running on.
    """

    name: str
    frame: pd.DataFrame
    money_columns: tuple[str, ...] = ()
    date_columns: tuple[str, ...] = ()
    integer_columns: tuple[str, ...] = ()
    ratio_columns: tuple[str, ...] = ()
    percent_columns: tuple[str, ...] = ()
    formats: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    totals: bool = False
    total_columns: tuple[str, ...] | None = None
    label_column: str | None = None
    widths: Mapping[str, float] = field(default_factory=dict)
    description: str = ""
    wrap_columns: tuple[str, ...] = ()  # long text wrapped within the column (on screen and on paper)

    def heading(self, column: str) -> str:
        return self.headers.get(column, column)

    def labelled_frame(self) -> pd.DataFrame:
        """The frame with reader-facing headings (what the CSV contains)."""
        return self.frame.rename(columns={c: self.heading(c) for c in self.frame.columns})

    def summed_columns(self) -> tuple[str, ...]:
        return self.money_columns if self.total_columns is None else self.total_columns

    def total_values(self) -> dict[str, float]:
        """Column -> the totals-row value: the exact sum of the exported cells (money to the penny)."""
        out = {}
        for column in self.summed_columns():
            values = pd.to_numeric(self.frame[column], errors="coerce").dropna().to_numpy(dtype=float)
            if column in self.money_columns:
                pence = int(np.rint(values * 100).astype(np.int64).sum())  # exact in whole pence
                out[column] = pence / 100
            else:
                out[column] = float(values.sum())
        return out

    def number_format(self, column: str) -> str | None:
        if column in self.formats:
            return self.formats[column]
        if column in self.money_columns:
            return MONEY_FORMAT
        if column in self.date_columns or pd.api.types.is_datetime64_any_dtype(self.frame[column].dtype):
            return DATE_FORMAT
        if column in self.integer_columns:
            return INTEGER_FORMAT
        if column in self.ratio_columns:
            return RATIO_FORMAT
        if column in self.percent_columns:
            return PERCENT_FORMAT
        return None


def about_sheet(rows: Iterable[tuple[str, Any]], name: str = "About this export") -> Sheet:
    """A two-column sheet of (item, value) pairs. Values keep their type: dates stay dates, numbers numbers."""
    frame = pd.DataFrame([(str(k), v) for k, v in rows], columns=["item", "value"])
    frame["value"] = frame["value"].astype(object)
    return Sheet(
        name=name,
        frame=frame,
        headers={"item": "Item", "value": "Value"},
        widths={"item": 34, "value": 90},
        wrap_columns=("item", "value"),
    )


def sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """A valid, unique Excel sheet name."""
    cleaned = re.sub(r"\s+", " ", _BAD_SHEET_CHARACTERS.sub(" ", name)).strip().strip("'") or "Sheet"
    cleaned = cleaned[:EXCEL_SHEET_NAME_MAX]
    lowered = {t.lower() for t in taken}
    candidate, n = cleaned, 2
    while candidate.lower() in lowered:
        suffix = f" ({n})"
        candidate = cleaned[: EXCEL_SHEET_NAME_MAX - len(suffix)] + suffix
        n += 1
    return candidate


# --- CSV ---------------------------------------------------------------------------------------------


# Written by dashboard/files/table_text.py (EXPORT_CSV): DuckDB formats every cell and the file is streamed, so a
# million-row table is written in seconds and never held in memory as Python strings. Its rules are the ones
# above; tests/reference_writers.py keeps the cell-by-cell writer this replaced and the tests hold the two equal.


def write_csv(frame: pd.DataFrame | Sheet, path_or_buffer, *, money_columns: Sequence[str] = ()) -> None:
    """Write one table as CSV: UTF-8 with BOM, RFC 4180 quoting, CRLF, every text cell neutralised.

    Given a Sheet, its headings and money columns are used. path_or_buffer is a path (written atomically)
    or a binary file object.
    """
    if isinstance(path_or_buffer, str | os.PathLike):
        with atomic_output(Path(path_or_buffer)) as handle:
            _write_csv(frame, handle, money_columns)
    else:
        _write_csv(frame, path_or_buffer, money_columns)


def _write_csv(table: pd.DataFrame | Sheet, handle: BinaryIO, money_columns: Sequence[str] = ()) -> None:
    if isinstance(table, Sheet):
        frame, money = table.frame, table.money_columns
        headings = [str(table.heading(c)) for c in frame.columns]
    else:
        frame, money, headings = table, tuple(money_columns), None
    table_text.write(frame, handle, table_text.EXPORT_CSV, money_columns=money, headings=headings)


def csv_bytes(frame: pd.DataFrame | Sheet, *, money_columns: Sequence[str] = ()) -> bytes:
    """The bytes write_csv would write."""
    buffer = io.BytesIO()
    _write_csv(frame, buffer, money_columns)
    return buffer.getvalue()


def csv_zip_bytes(tables: Mapping[str, pd.DataFrame | Sheet], *, readme: str | None = None) -> bytes:
    """A zip holding one CSV per table; keys are file names (".csv" added if missing).

    readme, if given, is added as README.txt (UTF-8) to explain the files.
    """
    buffer = io.BytesIO()
    write_csv_zip(tables, buffer, readme=readme)
    return buffer.getvalue()


def write_csv_zip(tables: Mapping[str, pd.DataFrame | Sheet], target, *, readme: str | None = None) -> None:
    """Write the zip csv_zip_bytes describes to a path (atomically) or a binary file object, one CSV at a time
    straight into the archive. Compressed at zlib level 1: a fifth larger than level 6 in a third of the time."""
    if isinstance(target, str | os.PathLike):
        with atomic_output(Path(target)) as handle:
            write_csv_zip(tables, handle, readme=readme)
        return
    stamp = datetime.now().timetuple()[:6]
    with (
        zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as archive,
        ThreadPoolExecutor(xlsx_writer.DEFLATE_THREADS, thread_name_prefix="deflate") as pool,
    ):
        used: set[str] = set()
        for name, table in tables.items():
            file_name = safe_file_name(name if name.lower().endswith(".csv") else f"{name}.csv")
            if file_name in used:
                raise ValueError(f"Two tables would both be written as {file_name}")
            used.add(file_name)
            info = zipfile.ZipInfo(file_name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as handle:
                xlsx_writer.deflate_in_parallel(handle, ZIP_LEVEL, pool)
                _write_csv(table, handle)
        if readme:
            info = zipfile.ZipInfo("README.txt", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, readme.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8-sig"))


def safe_file_name(name: str) -> str:
    """A file name with only letters, digits, dot, dash and underscore (spaces become underscores)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name.strip()).strip("._") or "table"
    return cleaned


# --- Excel -------------------------------------------------------------------------------------------
# Written by dashboard/xlsx_writer.py: values only (numbers, booleans, text), so no cell can be a formula,
# and text is neutralised here before it gets there. Columns are converted whole (vectorised), not cell
# by cell: a 100,000-project workbook is written in about two seconds.


def xlsx_bytes(sheets: Sequence[Sheet], properties: Mapping[str, Any] | None = None) -> bytes:
    """An Excel workbook with one worksheet per Sheet, in order."""
    buffer = io.BytesIO()
    xlsx_writer.write_workbook(buffer, worksheets(sheets), properties)
    return buffer.getvalue()


def write_xlsx(sheets: Sequence[Sheet], path: Path | str, properties: Mapping[str, Any] | None = None) -> None:
    """Write the workbook to path atomically (a reader never sees half a file), streamed rather than built in
    memory first."""
    with atomic_output(Path(path)) as handle:
        xlsx_writer.write_workbook(handle, worksheets(sheets), properties)


def worksheets(sheets: Sequence[Sheet]) -> list[xlsx_writer.WorksheetData]:
    """The sheets as the writer's worksheets, with valid unique names."""
    out, taken = [], []
    for sheet in sheets:
        name = sheet_name(sheet.name, taken)
        taken.append(name)
        out.append(_worksheet(sheet, name))
    return out


def _excel_serials(series: pd.Series) -> np.ndarray:
    """Dates as Excel serial day numbers (1900 date system), NaN where missing; vectorised."""
    values = pd.to_datetime(series, errors="coerce")
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    days = (values.to_numpy(dtype="datetime64[ns]") - _EXCEL_EPOCH.astype("datetime64[ns]")) / np.timedelta64(1, "D")
    return np.asarray(days, dtype=float)


def _is_whole(values: np.ndarray) -> bool:
    finite = values[np.isfinite(values)]
    return bool(np.all(finite == np.floor(finite)) and np.all(np.abs(finite) < 2**53))


def _text_values(series: pd.Series) -> list[str | None] | None:
    """The column as neutralised text (None for missing), or None if it holds anything but text."""
    if pd.api.types.infer_dtype(series, skipna=True) not in ("string", "empty"):
        return None
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if len(uniques) * 2 > len(series):  # mostly distinct (names): neutralise each value directly
        return [neutralise(v) if isinstance(v, str) and v else None for v in series.tolist()]
    safe = [neutralise(v) if v else None for v in uniques.tolist()] + [None]
    return [safe[c] for c in codes.tolist()]  # code -1 (missing) picks the trailing None


def _column(sheet: Sheet, column: str) -> tuple[xlsx_writer.Column, list[Any], str]:
    """The writer's column for one frame column, plus a sample and its kind for measuring the width."""
    series = sheet.frame[column]
    num_format = sheet.number_format(column)
    style = xlsx_writer.Style(num_format, wrap=column in sheet.wrap_columns)
    heading = neutralise(str(sheet.heading(column)))
    if column in sheet.date_columns or pd.api.types.is_datetime64_any_dtype(series.dtype):
        serials = _excel_serials(series)
        kind = "integer" if _is_whole(serials) else "number"
        return xlsx_writer.Column(heading, kind, serials, style), [], "number"
    if pd.api.types.is_bool_dtype(series.dtype):
        values = [None if pd.isna(v) else bool(v) for v in series.tolist()]
        return xlsx_writer.Column(heading, "bool", values, style), values[:_WIDTH_SAMPLE_ROWS], "bool"
    if pd.api.types.is_numeric_dtype(series.dtype):
        numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if column in sheet.money_columns:
            numbers = np.round(numbers * 100) / 100  # the cells the totals row adds up, to the penny
        kind = "integer" if _is_whole(numbers) else "number"
        return xlsx_writer.Column(heading, kind, numbers, style), numbers[:_WIDTH_SAMPLE_ROWS].tolist(), "number"
    text = _text_values(series)
    if text is not None:
        return xlsx_writer.Column(heading, "text", text, style), text[:_WIDTH_SAMPLE_ROWS], "text"
    values = series.tolist()
    cells = [_typed_cell(v, style) for v in values]
    return xlsx_writer.Column(heading, "cells", cells, style), values[:_WIDTH_SAMPLE_ROWS], "mixed"


def _typed_cell(value: Any, style: xlsx_writer.Style) -> tuple[str, Any, xlsx_writer.Style] | None:
    """An object-column cell: its own type decides (numbers stay numbers, dates dates, text neutralised)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return ("bool", bool(value), style)
    if isinstance(value, int | float | np.integer | np.floating | Decimal):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else ("number", number, style)
    if isinstance(value, pd.Timestamp | datetime):
        ts = pd.Timestamp(value)
        ts = ts.tz_localize(None) if ts.tzinfo else ts
        serial = (ts - pd.Timestamp("1899-12-30")) / pd.Timedelta(days=1)
        return ("number", serial, xlsx_writer.Style(DATE_FORMAT if ts == ts.normalize() else DATETIME_FORMAT))
    if isinstance(value, date):
        return ("number", float((value - date(1899, 12, 30)).days), xlsx_writer.Style(DATE_FORMAT))
    text = neutralise(value)
    text = text if isinstance(text, str) else str(text)
    return ("text", text, style) if text else None


def _worksheet(sheet: Sheet, name: str) -> xlsx_writer.WorksheetData:
    columns = []
    for column in sheet.frame.columns:
        data, sample, kind = _column(sheet, column)
        data.width = _measure_width(sheet, column, sample, kind)
        columns.append(data)
    totals = None
    if sheet.totals and columns:
        names = list(sheet.frame.columns)
        totals = [None] * len(names)
        bold = xlsx_writer.Style(None, bold=True)
        totals[names.index(sheet.label_column) if sheet.label_column else 0] = ("text", "Total", bold)
        for column, value in sheet.total_values().items():
            totals[names.index(column)] = ("number", value, xlsx_writer.Style(sheet.number_format(column), bold=True))
    return xlsx_writer.WorksheetData(name, columns, totals)


def _measure_width(sheet: Sheet, column: str, values: list[Any], kind: str) -> float:
    if column in sheet.widths:
        return float(sheet.widths[column])
    heading = sheet.heading(column)
    longest_word = max((len(w) for w in heading.split()), default=4)
    fmt = sheet.number_format(column)
    if fmt in (DATE_FORMAT,):
        content = 17
    elif kind == "number":
        present = [abs(v) for v in values if v == v and abs(v) != math.inf]
        biggest = max(present, default=0)
        digits = len(f"{biggest:,.0f}")
        content = digits + (4 if fmt == MONEY_FORMAT else 2)
    else:
        content = max((len(_text_for_width(v)) for v in values), default=0)
    width = max(longest_word + 2, min(len(heading) + 2, 18), content + 2, 8)
    return float(min(width, _MAX_WIDTH))


def _text_for_width(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, date | datetime):
        return "30 September 2025"
    return str(neutralise(value))


# --- files -------------------------------------------------------------------------------------------


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write data to path via a temporary file in the same folder and a rename: never half a file."""
    with atomic_output(path) as handle:
        handle.write(data)


@contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """A binary file to write path through: a temporary file in the same folder, renamed over path only when
    the block succeeds (and flushed to disk first), so a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
