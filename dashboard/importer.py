"""Reading, checking and loading template data (projects, funding, costs, benefits).

Every problem in every file is found in one pass and reported as file, row, column, value and
reason, so a commissioner can fix a spreadsheet in one go. Nothing is written unless every row
passes; the write itself is one transaction on a copy of the database (see db.write_database).

Checks are vectorised with pandas so a million-row costs file is validated in seconds.
Row numbers are spreadsheet rows: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from dashboard import db
from dashboard.schema import TEMPLATE_TABLES, Column, Table

ROW_COLUMN = "__row"  # spreadsheet row number carried beside the data

_DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
_INT_RE = r"^[+-]?\d+$"
_NUMBER_RE = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
_MONEY_RE = r"^\d+(\.\d{1,2})?$"


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        value = "" if self.value is None else f" (value {self.value!r})"
        return f"{where}{value}: {self.reason}"


@dataclass
class RawTable:
    """One table as read from a file or sheet: every cell a string, plus its spreadsheet row number."""

    table: Table
    source: str  # what to call it in messages: "costs.csv", "sheet costs", ...
    frame: pd.DataFrame


@dataclass
class ImportResult:
    added: dict[str, int] = field(default_factory=dict)
    replaced: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            n = len(self.problems)
            return f"Nothing was imported: {n} problem{'s' if n != 1 else ''} found."
        labels = {
            "projects": "projects",
            "funding": "funding lines",
            "costs": "cost lines",
            "benefits": "benefit lines",
        }
        parts = []
        for name, added in self.added.items():
            replaced = self.replaced.get(name, 0)
            total = added + replaced
            label = labels.get(name, name)
            part = f"{total:,} {label}"
            if replaced:
                part += f" ({replaced:,} replaced)"
            parts.append(part)
        return "Imported " + (", ".join(parts) if parts else "nothing") + "."


class ImportRejected(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) found; nothing was imported")


# ---------------------------------------------------------------- reading


def read_csv_table(path: Path, table: Table, source: str | None = None) -> tuple[RawTable | None, list[Problem]]:
    """Read a template CSV as strings; problems with the file itself or its header are returned."""
    source = source or path.name
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            header = next(csv.reader(f), None)
    except UnicodeDecodeError:
        return None, [Problem(source, None, None, None, "is not UTF-8 text; save it as 'CSV UTF-8' and try again")]
    if not header:
        return None, [Problem(source, None, None, None, "is empty; it needs a header row naming the columns")]
    problems = check_header(source, table, [h.strip() for h in header])
    if problems:
        return None, problems
    try:
        frame = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            encoding="utf-8-sig",
            skip_blank_lines=True,
        )
    except pd.errors.ParserError as exc:
        return None, [Problem(source, None, None, None, f"could not be read as CSV: {_parser_message(exc)}")]
    frame.columns = [c.strip() for c in frame.columns]
    return RawTable(table, source, _with_rows(frame)), []


def _parser_message(exc: Exception) -> str:
    text = str(exc).strip()
    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if match:
        expected, line, saw = match.groups()
        return f"line {line} has {saw} values but the header has {expected}; check for an unquoted comma"
    return text.splitlines()[-1] if text else "unknown error"


def _with_rows(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reset_index(drop=True)
    frame[ROW_COLUMN] = range(2, len(frame) + 2)
    return frame


def check_header(source: str, table: Table, header: list[str]) -> list[Problem]:
    problems = []
    expected = table.column_names
    for name in header:
        if name not in expected:
            problems.append(
                Problem(source, 1, name, None, f"is not a column of {table.file_name}; expected {', '.join(expected)}")
            )
    seen = set()
    for name in header:
        if name in seen:
            problems.append(Problem(source, 1, name, None, "appears twice in the header"))
        seen.add(name)
    for col in table.columns:
        if col.required and col.name not in header:
            problems.append(Problem(source, 1, col.name, None, "is a required column but is missing from the header"))
    return problems


def read_template_folder(folder: Path) -> tuple[list[RawTable], list[Problem]]:
    """Read whichever template CSVs a folder holds (projects.csv, funding.csv, costs.csv, benefits.csv)."""
    folder = Path(folder)
    if not folder.is_dir():
        return [], [Problem(str(folder), None, None, None, "is not a folder of template CSV files")]
    raws, problems = [], []
    for table in TEMPLATE_TABLES:
        path = folder / table.file_name
        if not path.is_file():
            continue
        raw, found = read_csv_table(path, table)
        problems.extend(found)
        if raw is not None:
            raws.append(raw)
    known = {t.file_name for t in TEMPLATE_TABLES}
    for path in sorted(folder.glob("*.csv")):
        if path.name not in known:
            problems.append(
                Problem(path.name, None, None, None, "is not a template file; expected " + ", ".join(sorted(known)))
            )
    if not raws and not problems:
        problems.append(
            Problem(str(folder), None, None, None, "holds none of the template files " + ", ".join(sorted(known)))
        )
    return raws, problems


# ---------------------------------------------------------------- checking


def _problems_where(raw: RawTable, mask: pd.Series, column: str, reason: str | pd.Series) -> list[Problem]:
    if not mask.any():
        return []
    rows = raw.frame.loc[mask, ROW_COLUMN].tolist()
    values = raw.frame.loc[mask, column].tolist() if column in raw.frame.columns else [None] * len(rows)
    reasons = reason[mask].tolist() if isinstance(reason, pd.Series) else [reason] * len(rows)
    return [Problem(raw.source, r, column, v, why) for r, v, why in zip(rows, values, reasons, strict=True)]


def _check_column(raw: RawTable, col: Column) -> tuple[pd.Series, list[Problem]]:
    """Clean one column and return (cleaned values with None for empty, problems)."""
    frame = raw.frame
    if col.name not in frame.columns:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object), []
    original = frame[col.name].astype(str)
    value = original if col.kind == "text" else original.str.strip()
    empty = value.str.strip() == ""
    problems: list[Problem] = []
    if col.required:
        problems += _problems_where(raw, empty, col.name, "is required but empty")
    present = ~empty
    bad = pd.Series(False, index=frame.index)
    if col.kind == "date":
        looks = value.str.match(_DATE_RE)
        parsed = pd.to_datetime(value.where(present & looks), format="%Y-%m-%d", errors="coerce")
        bad = present & parsed.isna()
        problems += _problems_where(
            raw, bad, col.name, "is not a real date; write it as YYYY-MM-DD, for example 2025-04-01"
        )
    elif col.kind == "bool":
        lowered = value.str.lower()
        bad = present & ~lowered.isin(["true", "false"])
        problems += _problems_where(raw, bad, col.name, "must be true or false")
        value = lowered
    elif col.kind in ("money", "share", "int", "number"):
        pattern = _INT_RE if col.kind == "int" else _NUMBER_RE
        numeric_text = present & value.str.match(pattern)
        not_number = present & ~numeric_text
        if col.kind == "money":
            hint = "is not an amount in pounds; write digits only, without £ signs or commas, for example 1500.50"
        elif col.kind == "int":
            hint = "is not a whole number"
        elif col.kind == "number":
            hint = "is not a number; write digits only, for example 0.75, 12 or -3"
        else:
            hint = "is not a number; write a fraction from 0 to 1, for example 0.25"
        problems += _problems_where(raw, not_number, col.name, hint)
        number = pd.to_numeric(value.where(numeric_text), errors="coerce")
        bad = not_number.copy()
        if col.kind == "money":
            negative = numeric_text & (number < 0)
            problems += _problems_where(raw, negative, col.name, "is negative; money must be 0 or more")
            too_precise = numeric_text & ~negative & ~value.str.match(_MONEY_RE)
            problems += _problems_where(raw, too_precise, col.name, "has more than 2 decimal places (pence)")
            bad |= negative | too_precise
        elif col.kind == "share":
            outside = numeric_text & ((number < 0) | (number > 1))
            problems += _problems_where(raw, outside, col.name, "must be a fraction from 0 to 1 (0.25 means a quarter)")
            bad |= outside
        else:
            low = numeric_text & (number < col.min_value) if col.min_value is not None else None
            high = numeric_text & (number > col.max_value) if col.max_value is not None else None
            outside = pd.Series(False, index=frame.index)
            for part in (low, high):
                if part is not None:
                    outside |= part
            what = col.allowed()
            if col.name == "confidence_grade":
                what = "a confidence grade from 1 to 6"
            problems += _problems_where(raw, outside, col.name, f"is out of range; it must be {what}")
            bad |= outside
    elif col.kind == "code":
        bad = present & ~value.isin(col.codes)
        problems += _problems_where(raw, bad, col.name, "is not a known code; use one of " + ", ".join(col.codes))
    cleaned = value.astype(object).where(present & ~bad, None)
    return cleaned, problems


def check_tables(
    raws: list[RawTable], con: duckdb.DuckDBPyConnection | None = None
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Check every rule on every row; return cleaned frames (strings, None for empty) and every problem."""
    problems: list[Problem] = []
    cleaned: dict[str, pd.DataFrame] = {}
    by_name = {raw.table.name: raw for raw in raws}
    for raw in raws:
        table = raw.table
        columns = {}
        for col in table.columns:
            values, found = _check_column(raw, col)
            problems += found
            columns[col.name] = values
        frame = pd.DataFrame(columns, index=raw.frame.index)
        key = frame[table.key]
        dup = key.notna() & key.duplicated(keep=False)
        if dup.any():
            first_row = raw.frame.loc[dup].groupby(key[dup])[ROW_COLUMN].transform("min")
            reason = "is a duplicate " + table.key + "; it also appears on row " + first_row.astype(str)
            later = dup & key.duplicated(keep="first")
            problems += _problems_where(raw, later, table.key, reason.reindex(raw.frame.index))
        for start, end in table.date_ranges:
            if start in frame and end in frame:
                both = frame[start].notna() & frame[end].notna()
                before = both & (frame[end].where(both, "") < frame[start].where(both, ""))
                problems += _problems_where(
                    raw, before, end, f"is before {start}; an end date cannot come before the start"
                )
        cleaned[table.name] = frame

    known_projects = set()
    if "projects" in cleaned:
        known_projects |= set(cleaned["projects"]["project_id"].dropna())
    if con is not None:
        known_projects |= {r[0] for r in con.execute("select project_id from projects").fetchall()}
    for name, frame in cleaned.items():
        raw = by_name[name]
        for col in raw.table.columns:
            if col.references == "projects":
                ids = frame[col.name]
                unknown = ids.notna() & ~ids.isin(known_projects)
                problems += _problems_where(
                    raw, unknown, col.name, "is not a known project_id; add the project to projects.csv first"
                )
    problems.sort(key=lambda p: (p.file, p.row or 0))
    return cleaned, problems


# ---------------------------------------------------------------- loading


def apply_tables(con: duckdb.DuckDBPyConnection, cleaned: dict[str, pd.DataFrame], result: ImportResult) -> None:
    """Upsert checked frames into the database inside the caller's transaction."""
    for table in TEMPLATE_TABLES:  # projects first, so references hold at every step
        if table.name in cleaned:
            frame = cleaned[table.name]
            replaced = db.upsert_rows(con, table.name, frame, key=table.key)
            result.replaced[table.name] = replaced
            result.added[table.name] = len(frame) - replaced


class _Abort(Exception):
    """Raised inside write_database so the copy is thrown away rather than swapped in."""


def import_raw_tables(raws: list[RawTable], db_path: Path | str | None = None) -> ImportResult:
    """Check raws against the database and, only if every row passes, load them in one transaction."""
    path = Path(db_path) if db_path else db.default_db_path()
    if not path.is_file():
        message = f"does not exist yet; create it with: python -m dashboard init --empty --db {path}"
        return ImportResult(problems=[Problem(str(path), None, None, None, message)])
    result = ImportResult()
    try:
        with db.write_database(path) as con:
            cleaned, result.problems = check_tables(raws, con)
            if result.problems:
                raise _Abort
            apply_tables(con, cleaned, result)
    except _Abort:
        pass
    return result


def import_folder(folder: Path | str, db_path: Path | str | None = None) -> ImportResult:
    """Import a folder of template CSVs: all rows or none."""
    raws, problems = read_template_folder(Path(folder))
    if problems:
        return ImportResult(problems=problems)
    return import_raw_tables(raws, db_path)
