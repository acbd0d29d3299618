"""The pandas writers the CLI and the export path used before files/table_text.py, kept verbatim as references.

Why keep them: the DuckDB writer must produce the same bytes as these did, on the demo and on any frame a
future column change brings. Tests run both on the same frame and compare, so a new column needs no new
golden file. Nothing in dashboard/ imports this module.

- `write_table(frame, fmt, out)`: cli.write_table as it was (pandas to_csv / to_json). The one deliberate
  change in the new writer is that CSV text cells get the formula-safe apostrophe there too;
  `neutralised_for_cli` applies that rule to a frame first so the two can be compared on hostile text.
- `csv_bytes(frame_or_sheet, money_columns)`: export_files.csv_bytes as it was (csv.writer cell by cell).
"""

from __future__ import annotations

import csv
import io
import math
import sys
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from dashboard.files.export_files import CSV_ENCODING, CSV_LINE_TERMINATOR, Sheet, neutralise

# --- cli.write_table ---------------------------------------------------------------------------------


def write_table(frame: pd.DataFrame, fmt: str, out=None) -> None:
    """Print a table as CSV or JSON (records, ISO dates, null for empty)."""
    out = out or sys.stdout
    if fmt == "csv":
        frame = frame.copy()
        for column in frame.columns:
            if frame[column].map(lambda v: isinstance(v, list | tuple) or hasattr(v, "tolist")).any():
                frame[column] = frame[column].map(lambda v: "; ".join(map(str, list(v))))
    if fmt == "json":
        frame = frame.copy()
        for column in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[column]):
                frame[column] = frame[column].dt.strftime("%Y-%m-%d")
        out.write(frame.to_json(orient="records", date_format="iso", indent=2))
        out.write("\n")
    else:
        frame.to_csv(out, index=False, lineterminator="\n")


def write_table_text(frame: pd.DataFrame, fmt: str) -> str:
    out = io.StringIO()
    write_table(frame, fmt, out)
    return out.getvalue()


def neutralised_for_cli(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with the formula-safe rule applied to text and to list cells (joined as the CSV joins them)."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            values = []
            for v in series.tolist():
                if isinstance(v, list | tuple | np.ndarray):
                    v = "; ".join(map(str, list(v)))
                values.append(neutralise(v) if isinstance(v, str) else v)
            out[column] = pd.Series(values, index=series.index, dtype=object)
    return out


# --- export_files.csv_bytes --------------------------------------------------------------------------


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
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def csv_bytes(frame: pd.DataFrame | Sheet, *, money_columns: Sequence[str] = ()) -> bytes:
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
