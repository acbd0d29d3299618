"""How a command prints a table: CSV or JSON on standard output, the same bytes whichever command prints it."""

from __future__ import annotations

import io
import sys

import pandas as pd
import pyarrow as pa

from dashboard.files import table_text


def write_table(table: pd.DataFrame | pa.Table, fmt: str, out=None, *, order_by: tuple[str, ...] = ()) -> None:
    """Print a table as CSV or JSON (records, ISO dates, null for empty), formatted by DuckDB (table_text).

    CSV as pandas' to_csv wrote it, with formula-safe text; JSON as its to_json(orient="records", indent=2).
    out: a text stream (default stdout; its byte buffer is written when it has one) or a binary file.
    """
    out = out or sys.stdout
    text_format = table_text.RECORDS_JSON if fmt == "json" else table_text.CLI_CSV
    if isinstance(out, io.TextIOBase) and not hasattr(out, "buffer"):  # e.g. StringIO
        data = table_text.to_bytes(table, text_format, order_by=order_by)
        out.write(data.decode("utf-8") + ("\n" if fmt == "json" else ""))
        return
    if isinstance(out, io.TextIOBase):
        out.flush()
        out = out.buffer
    table_text.write(table, out, text_format, order_by=order_by)
    if fmt == "json":
        out.write(b"\n")
    out.flush()
