"""The one safe way this app writes CSV and Excel files. Every export (finance, decisions, …) goes through here.

Why one module: spreadsheet files built from user-typed text (project names, funders, notes) are an
injection risk. A cell such as `=HYPERLINK("http://evil","Click")` becomes a live formula when a CSV is
opened in Excel. Following the OWASP CSV-injection guidance, every *text* value that begins with
`=`, `+`, `-`, `@`, tab, carriage return or line feed gets a leading apostrophe, so a spreadsheet shows it
as text; numbers, dates and booleans are never touched, so money stays summable. The Excel writer
additionally never lets xlsxwriter turn a string into a formula, URL or number, and writes text only with
`write_string`, so no cell in any export is ever a formula built from user text.

Public API (small on purpose):

- `neutralise(value)`: one value, made safe for a spreadsheet.
- `neutralise_frame(frame)`: every text cell of a DataFrame, made safe (numbers untouched).
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
"Total" row below the data that is a value (not a formula) equal to the sum of the exported, rounded cells.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter

# OWASP: "fields beginning with = + - @ tab carriage-return" (line feed added: some tools strip
# leading whitespace, and it costs nothing).
DANGEROUS_FIRST_CHARACTERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_DANGEROUS = re.compile(r"^[=+\-@\t\r\n]")
NEUTRALISING_PREFIX = "'"

MONEY_FORMAT = "£#,##0.00;[Red]-£#,##0.00"
DATE_FORMAT = "d mmmm yyyy"
DATETIME_FORMAT = "d mmmm yyyy hh:mm"
INTEGER_FORMAT = "#,##0"
RATIO_FORMAT = "0.00"
PERCENT_FORMAT = "0.0%"

CSV_LINE_TERMINATOR = "\r\n"
CSV_ENCODING = "utf-8-sig"

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


def is_text_column(series: pd.Series) -> bool:
    """True for columns that can hold user text (object or string dtype)."""
    return series.dtype == object or pd.api.types.is_string_dtype(series.dtype)


def neutralise_series(series: pd.Series) -> pd.Series:
    """Neutralise every text value of a column; a numeric or date column is returned as it is."""
    if not is_text_column(series):
        return series
    values = series.tolist()
    return pd.Series([neutralise(v) for v in values], index=series.index, dtype=object, name=series.name)


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame with every text cell neutralised and every numeric cell untouched."""
    out = frame.copy()
    for column in out.columns:
        if is_text_column(out[column]):
            out[column] = neutralise_series(out[column])
    return out


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
            values = pd.to_numeric(self.frame[column], errors="coerce").dropna()
            if column in self.money_columns:
                pence = sum(int(round(float(v) * 100)) for v in values)
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
    return Sheet(name=name, frame=frame, headers={"item": "Item", "value": "Value"}, widths={"item": 34, "value": 90})


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


def _csv_text_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp | datetime):
        return value.date().isoformat() if value == pd.Timestamp(value).normalize() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return str(value)
    return neutralise(value)


def _csv_ready(frame: pd.DataFrame, money_columns: Sequence[str] = ()) -> pd.DataFrame:
    """Every column as the exact text the CSV will hold: neutralised text, 2-dp money, ISO dates."""
    out = {}
    for column in frame.columns:
        series = frame[column]
        if column in money_columns:
            numbers = pd.to_numeric(series, errors="coerce")
            out[column] = [("" if pd.isna(v) else f"{float(v):.2f}") for v in numbers.tolist()]
        elif pd.api.types.is_datetime64_any_dtype(series.dtype):
            out[column] = [("" if pd.isna(v) else _csv_text_value(v)) for v in series.tolist()]
        elif pd.api.types.is_bool_dtype(series.dtype):
            out[column] = [("" if pd.isna(v) else ("true" if v else "false")) for v in series.tolist()]
        elif pd.api.types.is_integer_dtype(series.dtype):
            out[column] = [("" if pd.isna(v) else str(int(v))) for v in series.tolist()]
        elif pd.api.types.is_float_dtype(series.dtype):
            out[column] = [("" if pd.isna(v) else _plain_float(v)) for v in series.tolist()]
        else:
            out[column] = [_csv_text_value(v) for v in series.tolist()]
    return pd.DataFrame(out, columns=list(frame.columns), index=frame.index)


def _plain_float(value: float) -> str:
    """Shortest round-trip text for a float, without exponent for ordinary sizes (1.25, 3, 0.035)."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def write_csv(frame: pd.DataFrame | Sheet, path_or_buffer, *, money_columns: Sequence[str] = ()) -> None:
    """Write one table as CSV: UTF-8 with BOM, RFC 4180 quoting, CRLF, every text cell neutralised.

    Given a Sheet, its headings and money columns are used. path_or_buffer is a path (written atomically)
    or a binary file object.
    """
    data = csv_bytes(frame, money_columns=money_columns)
    if isinstance(path_or_buffer, str | os.PathLike):
        write_bytes_atomically(Path(path_or_buffer), data)
    else:
        path_or_buffer.write(data)


def csv_bytes(frame: pd.DataFrame | Sheet, *, money_columns: Sequence[str] = ()) -> bytes:
    """The bytes write_csv would write."""
    if isinstance(frame, Sheet):
        money = {frame.heading(c) for c in frame.money_columns}
        frame = frame.labelled_frame()
    else:
        money = set(money_columns)
    ready = _csv_ready(frame, [c for c in frame.columns if c in money])
    headers = [neutralise(str(c)) for c in ready.columns]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator=CSV_LINE_TERMINATOR, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(headers)
    writer.writerows(ready.itertuples(index=False, name=None))
    return text.getvalue().encode(CSV_ENCODING)


def csv_zip_bytes(tables: Mapping[str, pd.DataFrame | Sheet], *, readme: str | None = None) -> bytes:
    """A zip holding one CSV per table; keys are file names (".csv" added if missing).

    readme, if given, is added as README.txt (UTF-8) to explain the files.
    """
    buffer = io.BytesIO()
    stamp = datetime.now().timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        used: set[str] = set()
        for name, table in tables.items():
            file_name = safe_file_name(name if name.lower().endswith(".csv") else f"{name}.csv")
            if file_name in used:
                raise ValueError(f"Two tables would both be written as {file_name}")
            used.add(file_name)
            info = zipfile.ZipInfo(file_name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, csv_bytes(table))
        if readme:
            info = zipfile.ZipInfo("README.txt", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, readme.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8-sig"))
    return buffer.getvalue()


def safe_file_name(name: str) -> str:
    """A file name with only letters, digits, dot, dash and underscore (spaces become underscores)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name.strip()).strip("._") or "table"
    return cleaned


# --- Excel -------------------------------------------------------------------------------------------

WORKBOOK_OPTIONS = {
    "constant_memory": True,  # rows are streamed to disk as written: flat memory for 100,000-row sheets
    "strings_to_formulas": False,  # a string is never a formula …
    "strings_to_urls": False,  # … nor a hyperlink …
    "strings_to_numbers": False,  # … nor silently a number
    "nan_inf_to_errors": True,
    "remove_timezone": True,
}


def xlsx_bytes(sheets: Sequence[Sheet], properties: Mapping[str, Any] | None = None) -> bytes:
    """An Excel workbook with one worksheet per Sheet, in order."""
    buffer = io.BytesIO()
    _write_workbook(buffer, sheets, properties)
    return buffer.getvalue()


def write_xlsx(sheets: Sequence[Sheet], path: Path | str, properties: Mapping[str, Any] | None = None) -> None:
    """Write the workbook to path atomically (a reader never sees half a file)."""
    write_bytes_atomically(Path(path), xlsx_bytes(sheets, properties))


def _write_workbook(target, sheets: Sequence[Sheet], properties: Mapping[str, Any] | None) -> None:
    with tempfile.TemporaryDirectory(prefix="xlsx-") as tmpdir:
        workbook = xlsxwriter.Workbook(target, {**WORKBOOK_OPTIONS, "tmpdir": tmpdir})
        try:
            if properties:
                workbook.set_properties(dict(properties))
            header_format = workbook.add_format(
                {"bold": True, "text_wrap": True, "valign": "top", "bottom": 1, "bg_color": "#F3F2F1"}
            )
            formats: dict[tuple[str | None, bool], Any] = {}

            def cell_format(num_format: str | None, bold: bool = False):
                key = (num_format, bold)
                if key not in formats:
                    spec: dict[str, Any] = {"valign": "top"}
                    if num_format:
                        spec["num_format"] = num_format
                    if bold:
                        spec.update({"bold": True, "top": 1})
                    formats[key] = workbook.add_format(spec)
                return formats[key]

            taken: list[str] = []
            for sheet in sheets:
                name = sheet_name(sheet.name, taken)
                taken.append(name)
                _write_sheet(workbook.add_worksheet(name), sheet, header_format, cell_format)
        finally:
            workbook.close()


def _excel_serials(series: pd.Series) -> list[float]:
    """Dates as Excel serial day numbers (1900 date system), NaN where missing; vectorised."""
    values = pd.to_datetime(series, errors="coerce")
    days = (values.to_numpy(dtype="datetime64[ns]") - _EXCEL_EPOCH.astype("datetime64[ns]")) / np.timedelta64(1, "D")
    return days.tolist()


def _column_cells(sheet: Sheet, column: str) -> tuple[list[Any], str]:
    """(values, kind) where kind is number, date, bool or text; text values already neutralised."""
    series = sheet.frame[column]
    if column in sheet.date_columns or pd.api.types.is_datetime64_any_dtype(series.dtype):
        return _excel_serials(series), "number"
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.tolist(), "bool"
    if pd.api.types.is_numeric_dtype(series.dtype):
        return pd.to_numeric(series, errors="coerce").astype(float).tolist(), "number"
    return series.tolist(), "mixed"


def _measure_width(sheet: Sheet, column: str, values: list[Any], kind: str) -> float:
    if column in sheet.widths:
        return float(sheet.widths[column])
    heading = sheet.heading(column)
    longest_word = max((len(w) for w in heading.split()), default=4)
    fmt = sheet.number_format(column)
    sample = values[:_WIDTH_SAMPLE_ROWS]
    if fmt in (DATE_FORMAT,):
        content = 17
    elif kind == "number":
        present = [abs(v) for v in sample if v == v]
        biggest = max(present, default=0)
        digits = len(f"{biggest:,.0f}")
        content = digits + (4 if fmt == MONEY_FORMAT else 2)
    else:
        content = max((len(_text_for_width(v)) for v in sample), default=0)
    width = max(longest_word + 2, min(len(heading) + 2, 18), content + 2, 8)
    return float(min(width, _MAX_WIDTH))


def _text_for_width(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, date | datetime):
        return "30 September 2025"
    return str(neutralise(value))


def _write_sheet(worksheet, sheet: Sheet, header_format, cell_format) -> None:
    frame = sheet.frame
    columns = list(frame.columns)
    n_rows = len(frame)

    prepared = []
    for c, column in enumerate(columns):
        values, kind = _column_cells(sheet, column)
        num_format = sheet.number_format(column)
        fmt = cell_format(num_format)
        worksheet.set_column(c, c, _measure_width(sheet, column, values, kind), None)
        prepared.append((c, values, kind, fmt))

    date_fmt = cell_format(DATE_FORMAT)
    datetime_fmt = cell_format(DATETIME_FORMAT)
    text_fmt = cell_format(None)

    # header row (row 0): headings are text too, so they are neutralised and written as strings
    worksheet.set_row(0, None, header_format)
    for c, column in enumerate(columns):
        worksheet.write_string(0, c, neutralise(str(sheet.heading(column))), header_format)

    write_number = worksheet.write_number
    write_string = worksheet.write_string
    write_boolean = worksheet.write_boolean
    write_datetime = worksheet.write_datetime
    for r in range(n_rows):
        row = r + 1
        for c, values, kind, fmt in prepared:
            value = values[r]
            if kind == "number":
                if value == value and value not in (math.inf, -math.inf):  # NaN is blank
                    write_number(row, c, value, fmt)
            elif kind == "bool":
                if value is not None and value == value:
                    write_boolean(row, c, bool(value), fmt)
            else:
                _write_mixed(
                    row,
                    c,
                    value,
                    fmt,
                    text_fmt,
                    date_fmt,
                    datetime_fmt,
                    write_number,
                    write_string,
                    write_boolean,
                    write_datetime,
                )

    last_data_row = n_rows  # header is row 0
    if sheet.totals and columns:
        totals = sheet.total_values()
        label_index = columns.index(sheet.label_column) if sheet.label_column else 0
        total_row = last_data_row + 1
        worksheet.write_string(total_row, label_index, "Total", cell_format(None, bold=True))
        for c, column in enumerate(columns):
            if column in totals:
                worksheet.write_number(total_row, c, totals[column], cell_format(sheet.number_format(column), True))

    worksheet.freeze_panes(1, 0)
    if columns:
        worksheet.autofilter(0, 0, max(last_data_row, 1) if n_rows else 0, len(columns) - 1)


def _write_mixed(
    row, c, value, fmt, text_fmt, date_fmt, datetime_fmt, write_number, write_string, write_boolean, write_datetime
) -> None:
    """An object-column cell: its own type decides (numbers stay numbers, dates dates, text neutralised)."""
    if value is None:
        return
    if isinstance(value, bool | np.bool_):
        write_boolean(row, c, bool(value), fmt)
    elif isinstance(value, int | float | np.integer | np.floating | Decimal):
        number = float(value)
        if not math.isnan(number) and not math.isinf(number):
            write_number(row, c, number, fmt)
    elif isinstance(value, pd.Timestamp | datetime):
        if pd.isna(value):
            return
        ts = pd.Timestamp(value).tz_localize(None) if pd.Timestamp(value).tzinfo else pd.Timestamp(value)
        if ts == ts.normalize():
            write_datetime(row, c, ts.to_pydatetime(), date_fmt)
        else:
            write_datetime(row, c, ts.to_pydatetime(), datetime_fmt)
    elif isinstance(value, date):
        write_datetime(row, c, datetime(value.year, value.month, value.day), date_fmt)
    else:
        text = neutralise(value)
        if not isinstance(text, str):
            text = str(text)
        if text:
            write_string(row, c, text, text_fmt if fmt is None else fmt)


# --- files -------------------------------------------------------------------------------------------


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write data to path via a temporary file in the same folder and a rename: never half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
