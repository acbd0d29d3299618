"""The import template as files a commissioner can download: a blank Excel workbook (one sheet per table,
a Guidance sheet, drop-down lists), a zip of blank CSVs, and the current data written as a filled template.

Everything is generated from dashboard/database/schema.py, the same definition validation uses, so the template,
its guidance and the checks cannot drift apart; a table added to TEMPLATE_TABLES appears here by itself.

A filled template of the current data is the way to edit in bulk: download it, change or add rows,
upload it again (rows with an existing id replace the old ones). Fields a 360Giving import could only
fill with placeholders are written as empty cells, so they must be filled in before the file imports.
Workbooks are written with xlsxwriter with strings never turned into formulas, and text that begins
like a formula (=HYPERLINK(...), +, -, @) gets export_files.neutralise's leading apostrophe, as the CSVs
do (export_files: formula-injection safe, UTF-8 with BOM, CRLF); the importer removes it again.
"""

from __future__ import annotations

import io
from datetime import date

import duckdb
import pandas as pd
import xlsxwriter

from dashboard.database import db
from dashboard.database.schema import TEMPLATE_TABLES, Column, Table
from dashboard.files.export_files import csv_zip_bytes, neutralise
from dashboard.rules.formatting import code_label

GUIDANCE_SHEET = "Guidance"
LISTS_SHEET = "Lists"
VALIDATED_ROWS = 5000  # rows below the data that get drop-downs and checks in the blank workbook
_KIND_WORDS = {
    "id": "reference",
    "text": "text",
    "code": "code from a list",
    "date": "date",
    "bool": "true or false",
    "money": "pounds",
    "signed_money": "pounds (may be negative)",
    "month": "month",
    "share": "fraction 0 to 1",
    "int": "whole number",
    "number": "number",
}

INTRODUCTION = (
    "How to use this template",
    "Fill in one sheet per table (delete the example-free rows you do not need; a sheet can be left empty). "
    "Projects come first: every other row names the project_id it belongs to. Dates are YYYY-MM-DD "
    "(Excel dates are fine too). Money is in pounds, 0 or more. Upload the workbook on the Data page, "
    "or run: python -m dashboard import FILE. Nothing is imported unless every row passes; every problem "
    "is listed by sheet, row and column. A row whose id is already in the database replaces it.",
)


def guidance_frame() -> pd.DataFrame:
    """One row per template column: table, column, required, kind, what is allowed, what it means."""
    rows = []
    for table in TEMPLATE_TABLES:
        for col in table.columns:
            allowed = _allowed(table, col)
            if col.references:
                allowed += f"; must be a {col.references} id (in this upload or already imported)"
            if col.name == table.key:
                allowed += "; unique in the table"
            for start, end in table.date_ranges:
                if col.name == end:
                    allowed += f"; not before {start}"
            rows.append(
                {
                    "table": table.name,
                    "column": col.name,
                    "required": "required" if col.required else "optional",
                    "kind": _KIND_WORDS.get(col.kind, col.kind),
                    "what is allowed": allowed,
                    "what it means": col.description,
                    "table description": table.description,
                }
            )
    return pd.DataFrame(rows)


def _allowed(table: Table, col: Column) -> str:
    """col.allowed() with this table's own example id and each code's meaning in words."""
    if col.kind == "id" and col.name == table.key:
        return f"a short unique reference, for example {table.name[0].upper()}001"
    if col.kind == "code":
        return "one of: " + "; ".join(f"{code} = {code_label(col.name, code)}" for code in col.codes)
    return col.allowed()


def guidance_text() -> str:
    """The guidance as plain text, for the README in the CSV zip."""
    lines = [INTRODUCTION[0], "", INTRODUCTION[1], ""]
    for table in TEMPLATE_TABLES:
        lines += [f"{table.file_name}: {table.description}", ""]
        for col in table.columns:
            need = "required" if col.required else "optional"
            lines.append(f"  {col.name} ({need}): {col.description}. Allowed: {_allowed(table, col)}.")
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------- workbook


def _empty_frames() -> dict[str, pd.DataFrame]:
    return {t.name: pd.DataFrame(columns=t.column_names) for t in TEMPLATE_TABLES}


def blank_xlsx_bytes() -> bytes:
    """The blank template workbook: Guidance, then one sheet per table with drop-downs and checks."""
    return _workbook_bytes(_empty_frames())


def blank_csv_zip_bytes() -> bytes:
    """A zip of header-only CSVs, one per table, with the guidance as README.txt."""
    return csv_zip_bytes(_empty_frames(), readme=guidance_text())


def _workbook_bytes(frames: dict[str, pd.DataFrame]) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": True,
        },
    )
    formats = {
        "header": workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}),
        "optional": workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True}),
        "text": workbook.add_format({"num_format": "@"}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "money": workbook.add_format({"num_format": "0.00"}),
        "number": workbook.add_format({"num_format": "General"}),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "title": workbook.add_format({"bold": True, "font_size": 14}),
    }
    _write_guidance(workbook, formats)
    lists = workbook.add_worksheet(LISTS_SHEET)
    list_ranges = _write_lists(lists)
    for table in TEMPLATE_TABLES:
        _write_table_sheet(workbook, table, frames.get(table.name), formats, list_ranges)
    lists.hide()
    workbook.worksheets()[1 if len(workbook.worksheets()) > 1 else 0].activate()
    workbook.close()
    return buffer.getvalue()


def _write_guidance(workbook, formats) -> None:
    sheet = workbook.add_worksheet(GUIDANCE_SHEET)
    sheet.write_string(0, 0, INTRODUCTION[0], formats["title"])
    sheet.merge_range(1, 0, 1, 5, INTRODUCTION[1], formats["wrap"])
    sheet.set_row(1, 75)
    frame = guidance_frame()
    for c, name in enumerate(frame.columns):
        sheet.write_string(3, c, name, formats["header"])
    for r, row in enumerate(frame.itertuples(index=False), start=4):
        for c, value in enumerate(row):
            sheet.write_string(r, c, str(value), formats["wrap"])
    for c, width in enumerate((12, 26, 10, 16, 50, 60, 50)):
        sheet.set_column(c, c, width)
    sheet.freeze_panes(4, 0)


def _write_lists(sheet) -> dict[str, str]:
    """Each code list in a column of the hidden Lists sheet; returns column name -> absolute range."""
    ranges: dict[str, str] = {}
    c = 0
    for table in TEMPLATE_TABLES:
        for col in table.columns:
            codes = col.codes if col.kind == "code" else (("true", "false") if col.kind == "bool" else ())
            if not codes:
                continue
            key = f"{table.name}.{col.name}"
            sheet.write_string(0, c, key)
            for r, code in enumerate(codes, start=1):
                sheet.write_string(r, c, code)
            letter = xlsxwriter.utility.xl_col_to_name(c)
            ranges[key] = f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(codes) + 1}"
            c += 1
    return ranges


def _column_format(col: Column, formats) -> object:
    if col.kind == "date":
        return formats["date"]
    if col.kind in ("money", "signed_money"):
        return formats["money"]
    if col.kind in ("share", "int", "number"):
        return formats["number"]
    return formats["text"]


def _validation(col: Column, list_range: str | None) -> dict | None:
    message = (col.description + ". " + col.allowed())[:255]
    title = col.name[:32]
    base = {"input_title": title, "input_message": message, "error_title": col.name[:32], "error_message": message}
    if list_range:
        return {**base, "validate": "list", "source": list_range}
    if col.kind == "date":
        return {
            **base,
            "validate": "date",
            "criteria": "between",
            "minimum": date(1900, 1, 1),
            "maximum": date(2200, 12, 31),
        }
    if col.kind == "money":
        return {**base, "validate": "decimal", "criteria": ">=", "value": 0}
    if col.kind == "signed_money":
        return {**base, "validate": "decimal", "criteria": "between", "minimum": -1e15, "maximum": 1e15}
    if col.kind == "share":
        return {**base, "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1}
    if col.kind == "int":
        low = -2_000_000_000 if col.min_value is None else col.min_value
        high = 2_000_000_000 if col.max_value is None else col.max_value
        return {**base, "validate": "integer", "criteria": "between", "minimum": low, "maximum": high}
    return {**base, "validate": "any"}


def _write_table_sheet(workbook, table: Table, frame: pd.DataFrame | None, formats, list_ranges) -> None:
    sheet = workbook.add_worksheet(table.name)
    frame = frame if frame is not None else pd.DataFrame(columns=table.column_names)
    n = len(frame)
    for c, col in enumerate(table.columns):
        sheet.write_string(0, c, col.name, formats["header" if col.required else "optional"])
        sheet.write_comment(0, c, f"{'Required' if col.required else 'Optional'}. {col.description}. {col.allowed()}.")
        width = max(12, min(40, len(col.name) + 4))
        sheet.set_column(c, c, width, _column_format(col, formats))
        rule = _validation(col, list_ranges.get(f"{table.name}.{col.name}"))
        if rule:
            sheet.data_validation(1, c, n + VALIDATED_ROWS, c, rule)
        if n:
            _write_column(sheet, c, col, frame[col.name].tolist(), formats)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(n, 1), len(table.columns) - 1)


def _write_column(sheet, c: int, col: Column, values: list, formats) -> None:
    for r, value in enumerate(values, start=1):
        if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
            continue
        if col.kind == "date":
            sheet.write_datetime(r, c, pd.Timestamp(value).to_pydatetime(), formats["date"])
        elif col.kind in ("money", "signed_money", "share", "int", "number"):
            sheet.write_number(r, c, float(value))
        elif col.kind == "month":  # text YYYY-MM, so Excel cannot turn it into a day
            sheet.write_string(r, c, pd.Timestamp(value).strftime("%Y-%m"))
        elif col.kind == "bool":
            sheet.write_string(r, c, "true" if value else "false")
        else:  # text that Excel would run as a formula gets the apostrophe the importer removes again
            sheet.write_string(r, c, neutralise(str(value)))


# ---------------------------------------------------------------- current data


def current_frames(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """Every template table's rows in template column order, with still-flagged placeholders emptied."""
    frames = {}
    for table in TEMPLATE_TABLES:
        frame = con.table(table.name).select(*table.column_names).order(table.key).df()
        for col in table.columns:
            if col.kind == "month":
                frame[col.name] = pd.to_datetime(frame[col.name]).dt.strftime("%Y-%m")
        frames[table.name] = frame.astype(object).where(frame.notna(), None)
    flags = db.query_df(con, "open_project_flags")
    projects = frames.get("projects")
    if projects is not None and not flags.empty:
        position = {pid: i for i, pid in enumerate(projects["project_id"].tolist())}
        for pid, column in zip(flags["project_id"], flags["field"], strict=True):
            if pid in position and column in projects.columns:
                projects.iat[position[pid], projects.columns.get_loc(column)] = None
    return frames


def current_xlsx_bytes(con: duckdb.DuckDBPyConnection) -> bytes:
    """The current data as a filled template workbook, ready to edit and upload again."""
    return _workbook_bytes(current_frames(con))


def current_csv_zip_bytes(con: duckdb.DuckDBPyConnection) -> bytes:
    """The current data as a zip of template CSVs, ready to edit and upload again."""
    return csv_zip_bytes(current_frames(con), readme=guidance_text())
