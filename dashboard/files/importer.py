"""Checking and loading template data (projects, funding, costs, benefits, ... every table in TEMPLATE_TABLES).

Every problem in every file is found in one pass and reported as file, row, column, value and
reason, so a commissioner can fix a spreadsheet in one go. Nothing is written unless every row
passes; the write itself is one transaction on a copy of the database (see db.write_database),
so a crash or a kill part-way leaves the database as it was. Every attempt, accepted or rejected,
is recorded in the `imports` audit table with the source's name and SHA-256. The one exception is
asked for: a file whose rows stand alone (360Giving grants) may, with skip_invalid, load its sound
rows and leave out the bad ones, each recorded in `import_left_out`; never the template.

Ids are compared after trimming and Unicode NFC normalisation, case-sensitively; an id that differs
from another only in capitals, or a line id that would move to another project, is refused
(_id_clashes, in SQL). Values follow the one grammar in values.py, ASCII digits only, bounded by what
the database holds. A write the operating system refuses (a full disk, a read-only folder) is a
problem, never a traceback.

Checks are vectorised with pandas so a million-row costs file is checked in a few seconds.
Row numbers are spreadsheet rows: the header is row 1, the first data row is row 2.

Reading files of each kind (folder, zip, workbook, 360Giving) is in import_sources.py; this module
takes tables of strings (RawTable) from any of them.
"""

from __future__ import annotations

import csv
import errno
import getpass
import hashlib
import io
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from dashboard.database import db
from dashboard.database.schema import TEMPLATE_TABLES, Column, Table
from dashboard.files import values
from dashboard.files.import_limits import Budget, rows_in
from dashboard.rules import appraisal  # noqa: F401 (appraisal: its before-commit hook stores the figures)

ROW_COLUMN = "__row"  # spreadsheet row number carried beside the data

# dates, money and numbers: the one grammar in values.py (ASCII digits only)
_FINANCIAL_YEAR_RE = r"^[0-9]{4}-[0-9]{2}$"  # 2024-25
_NEUTRALISED_RE = r"^'[=+\-@\t\r\n]"  # a leading apostrophe our own CSV exports add against formula injection
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200

TABLE_LABELS = {
    "projects": ("project", "projects"),
    "funding": ("funding line", "funding lines"),
    "costs": ("cost line", "cost lines"),
    "benefits": ("benefit line", "benefit lines"),
    "outcomes": ("outcome measure", "outcome measures"),
}


def table_label(name: str, n: int) -> str:
    """'1 project', '97 cost lines', '3 outcome measures'."""
    one, many = TABLE_LABELS.get(name, (f"{name} row", f"{name} rows"))
    return f"{n:,} {one if n == 1 else many}"


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
        value = "" if self.value is None or self.value == "" else f" (value {_short(self.value)!r})"
        return f"{where}{value}: {self.reason}"


def _short(value: str, limit: int = 80) -> str:
    value = str(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def problems_frame(problems: Iterable[Problem]) -> pd.DataFrame:
    """Problems as a table for the Data page and downloads: one row per problem."""
    rows = [
        {
            "File or sheet": p.file,
            "Row": p.row,
            "Column": p.column or "",
            "Value": "" if p.value is None else _short(p.value, 200),
            "What is wrong and how to fix it": p.reason,
        }
        for p in problems
    ]
    frame = pd.DataFrame(rows, columns=["File or sheet", "Row", "Column", "Value", "What is wrong and how to fix it"])
    frame["Row"] = frame["Row"].astype("Int64")
    return frame


@dataclass
class RawTable:
    """One table as read from a file or sheet: every cell a string, plus its spreadsheet row number.

    column_labels maps a template column to what the source calls it (a 360Giving field name, say),
    so messages name the column the user can see.
    """

    table: Table
    source: str  # what to call it in messages: "costs.csv", "sheet costs", ...
    frame: pd.DataFrame
    column_labels: dict[str, str] = field(default_factory=dict)

    def label(self, column: str) -> str:
        return self.column_labels.get(column, column)


@dataclass(frozen=True)
class Flag:
    """A project field an import could not supply and filled with a placeholder: still to fill in."""

    project_id: str
    table_name: str  # "projects" for a project column; otherwise a table with no lines yet (costs, benefits)
    field: str  # the column, or "*" for "no lines yet in table_name"
    reason: str


@dataclass
class Batch:
    """Everything read from one upload or path, ready to check and load."""

    raws: list[RawTable] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # found while reading: nothing will be loaded
    warnings: list[Problem] = field(default_factory=list)  # worth knowing, but the rows still load
    flags: list[Flag] = field(default_factory=list)
    # project columns whose database value wins over the incoming one when the project already exists
    keep_existing: tuple[str, ...] = ()
    source_name: str = "(unnamed)"
    sha256: str = ""
    format: str = "template"
    # rows stand alone (360Giving grants): with skip_invalid the sound ones may load without the bad ones.
    # Never for the template, whose rows refer to each other: all or nothing there.
    row_noun: str | None = None  # what a row is, for messages: "grant"


@dataclass(frozen=True)
class LeftOut:
    """One problem of a row an import left out on purpose (skip_invalid)."""

    identifier: str
    problem: Problem


def _noun(noun: str, n: int) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


@dataclass
class ImportResult:
    added: dict[str, int] = field(default_factory=dict)
    replaced: dict[str, int] = field(default_factory=dict)
    rejected: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    flagged_projects: int = 0
    import_id: int | None = None
    source_name: str = ""
    format: str = ""
    row_noun: str | None = None
    left_out: list[LeftOut] = field(default_factory=list)  # what skip_invalid left out, one entry per problem
    sound_rows: int | None = None  # refused, but this many rows (grants) passed: skip_invalid would import them
    bad_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def can_skip_invalid(self) -> bool:
        """Refused only for problems on some rows (grants) while others are sound: skip_invalid would help."""
        return bool(self.problems) and bool(self.sound_rows) and self.bad_rows > 0

    @property
    def rows_left_out(self) -> int:
        return len({lo.problem.row for lo in self.left_out})

    def summary(self) -> str:
        if self.problems:
            n = len(self.problems)
            text = f"Nothing was imported: {n:,} problem{'s' if n != 1 else ''} found."
            if self.can_skip_invalid:
                noun = self.row_noun or "row"
                text = (
                    f"Nothing was imported: {n:,} problem{'s' if n != 1 else ''} found in "
                    f"{_noun(noun, self.bad_rows)}; the other {_noun(noun, self.sound_rows)} "
                    f"{'is' if self.sound_rows == 1 else 'are'} sound."
                )
            return text
        parts = []
        for name, added in self.added.items():
            replaced = self.replaced.get(name, 0)
            if not added + replaced:
                continue
            part = table_label(name, added + replaced)
            if replaced:
                part += f" ({replaced:,} replaced)"
            parts.append(part)
        text = "Imported " + (", ".join(parts) if parts else "nothing") + "."
        if self.left_out:
            text += f" Left out {_noun(self.row_noun or 'row', self.rows_left_out)} with problems (listed)."
        if self.flagged_projects:
            text += (
                f" {table_label('projects', self.flagged_projects)} still "
                f"{'needs' if self.flagged_projects == 1 else 'need'} fields filled in."
            )
        return text


# ---------------------------------------------------------------- reading


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


HEADER_LIMIT_BYTES = 65536  # a template header is well under 1 KB; anything longer is refused, never truncated


def _header_record(data: bytes, source: str) -> tuple[list[str] | None, list[Problem]]:
    """The first CSV record, read whole from the first 64 KB; a header that does not end there is refused.

    Reading it whole matters: a header cut short could hide a duplicate column beyond the cut, which the
    CSV parser would then rename and quietly drop.
    """
    import codecs

    try:
        head = codecs.getincrementaldecoder("utf-8-sig")().decode(data[:HEADER_LIMIT_BYTES])
    except UnicodeDecodeError:
        return None, [_not_utf8(data, source)]
    lines = head.splitlines(keepends=True)
    consumed: list[str] = []

    def feed():
        for line in lines:
            consumed.append(line)
            yield line

    try:
        header = next(csv.reader(feed()), None)
    except csv.Error as exc:
        return None, [Problem(source, 1, None, None, f"could not be read as CSV: {exc}")]
    if len(data) > HEADER_LIMIT_BYTES and (not consumed or not consumed[-1].endswith(("\n", "\r"))):
        return None, [
            Problem(
                source,
                1,
                None,
                None,
                f"has a header row longer than {HEADER_LIMIT_BYTES // 1024} KB; the header is one line naming "
                "the columns (see the template)",
            )
        ]
    return header, []


def read_csv_bytes(
    data: bytes, table: Table, source: str, budget: Budget | None = None
) -> tuple[RawTable | None, list[Problem]]:
    """Read a template CSV held in memory as strings; problems with the file itself or its header are returned.

    Accepts a UTF-8 byte-order mark, Windows (CRLF) line endings and quoted values over several lines. Every
    line below the header counts against the import's row cap before anything is parsed.
    """
    if budget is not None:
        budget.take_rows(rows_in(data), source)
    header, problems = _header_record(data, source)
    if problems:
        return None, problems
    if not header or not any(h.strip() for h in header):
        return None, [Problem(source, None, None, None, "is empty; it needs a header row naming the columns")]
    header = [h.strip() for h in header]
    problems = check_header(source, table, header)
    if problems:
        return None, problems
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            encoding="utf-8-sig",
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
        )
    except UnicodeDecodeError:
        return None, [_not_utf8(data, source)]
    except (pd.errors.ParserError, csv.Error) as exc:
        return None, [Problem(source, None, None, None, f"could not be read as CSV: {_parser_message(exc)}")]
    if len(frame.columns) != len(header):  # never trust the parser's renaming of what the header says
        return None, [Problem(source, 1, None, None, "could not be read as CSV: its header row could not be split")]
    frame.columns = header
    return RawTable(table, source, with_rows(frame)), []


def _not_utf8(data: bytes, source: str) -> Problem:
    try:
        data.decode("utf-8-sig")
        line = None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
    where = f" (the first bad character is on line {line})" if line else ""
    return Problem(
        source,
        None,
        None,
        None,
        f"is not UTF-8 text{where}; in Excel use File > Save As > 'CSV UTF-8 (Comma delimited)' and try again",
    )


def read_csv_table(path: Path, table: Table, source: str | None = None) -> tuple[RawTable | None, list[Problem]]:
    """Read a template CSV file as strings; problems with the file itself or its header are returned."""
    path = Path(path)
    return read_csv_bytes(path.read_bytes(), table, source or path.name)


def _parser_message(exc: Exception) -> str:
    text = str(exc).strip()
    match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if match:
        expected, line, saw = match.groups()
        return f"line {line} has {saw} values but the header has {expected}; check for an unquoted comma"
    return text.splitlines()[-1] if text else "unknown error"


def with_rows(frame: pd.DataFrame, first_row: int = 2) -> pd.DataFrame:
    """Number the rows as a spreadsheet shows them, then drop rows with nothing in them (blank lines, ',,,')."""
    frame = frame.reset_index(drop=True)
    frame[ROW_COLUMN] = range(first_row, len(frame) + first_row)
    data_columns = [c for c in frame.columns if c != ROW_COLUMN]
    if data_columns and len(frame):
        empty = pd.Series(True, index=frame.index)
        for column in data_columns:
            empty &= frame[column].astype(str).str.strip() == ""
        if empty.any():
            frame = frame.loc[~empty].reset_index(drop=True)
    return frame


def check_header(source: str, table: Table, header: list[str]) -> list[Problem]:
    problems = []
    expected = table.column_names
    for name in header:
        if name not in expected:
            problems.append(
                Problem(
                    source,
                    1,
                    name or "(blank)",
                    None,
                    f"is not a column of {table.name}; remove it or rename it to one of {', '.join(expected)}",
                )
            )
    seen = set()
    for name in header:
        if name in seen:
            problems.append(Problem(source, 1, name, None, "appears twice in the header; keep one of them"))
        seen.add(name)
    for col in table.columns:
        if col.required and col.name not in header:
            problems.append(
                Problem(source, 1, col.name, None, "is a required column but is missing from the header; add it")
            )
    return problems


def read_template_folder(folder: Path) -> tuple[list[RawTable], list[Problem]]:
    """Read whichever template CSVs a folder holds (projects.csv, funding.csv, ... one per TEMPLATE_TABLES)."""
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


def folder_sha256(folder: Path) -> str:
    """One fingerprint for a folder of CSVs: SHA-256 over each file's name and bytes, in name order."""
    digest = hashlib.sha256()
    for path in sorted(Path(folder).glob("*.csv")):
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def template_text(value) -> str:
    """A cell value from a workbook or the database as template text ('' for empty)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | pd.Timestamp):
        if pd.isna(value):
            return ""
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


# ---------------------------------------------------------------- checking


def _problems_where(raw: RawTable, mask: pd.Series, column: str, reason: str | pd.Series) -> list[Problem]:
    if not mask.any():
        return []
    rows = raw.frame.loc[mask, ROW_COLUMN].tolist()
    values = raw.frame.loc[mask, column].tolist() if column in raw.frame.columns else [None] * len(rows)
    reasons = reason[mask].tolist() if isinstance(reason, pd.Series) else [reason] * len(rows)
    label = raw.label(column)
    return [Problem(raw.source, r, label, v, why) for r, v, why in zip(rows, values, reasons, strict=True)]


def _ids(value: pd.Series, present: pd.Series) -> pd.Series:
    """Ids in Unicode NFC (so 'Pé1' typed with a combining accent is the same id as with a precomposed one).

    Only values that are not plain ASCII need the work, so a million ASCII ids cost one vectorised test.
    """
    other = present & ~value.str.isascii()
    if not other.any():
        return value
    value = value.copy()
    value[other] = [unicodedata.normalize("NFC", v) for v in value[other].tolist()]
    return value


def _check_column(raw: RawTable, col: Column) -> tuple[pd.Series, list[Problem]]:
    """Clean one column and return (cleaned values with None for empty, problems)."""
    frame = raw.frame
    if col.name not in frame.columns:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object), []
    value = frame[col.name].astype(str).str.strip()
    empty = value == ""
    problems: list[Problem] = []
    if col.required:
        hint = "fill it in" if col.kind in ("text", "id") else f"fill in {col.allowed()}"
        problems += _problems_where(raw, empty, col.name, f"is required but empty; {hint}")
    present = ~empty
    bad = pd.Series(False, index=frame.index)
    neutralised = present & value.str.startswith("'") & value.str.match(_NEUTRALISED_RE)
    if neutralised.any():
        value = value.where(~neutralised, value.str.slice(1))
    if col.kind == "id":
        value = _ids(value, present)
    elif col.kind == "date":
        value, reasons = values.date_series(value, present)
        looks = value.str.match(values.PLAIN_ISO_DATE)
        parsed = pd.to_datetime(value.where(present & looks), format="%Y-%m-%d", errors="coerce")
        bad = present & parsed.isna()
        foreign = reasons.eq(values.FOREIGN_DIGITS_REASON)
        reason = pd.Series(
            "is not a real date; write it as YYYY-MM-DD, for example 2025-04-01", index=frame.index, dtype=object
        ).where(~foreign, values.FOREIGN_DIGITS_REASON)
        problems += _problems_where(raw, bad, col.name, reason)
        year = parsed.dt.year
        implausible = present & ~bad & ((year < EARLIEST_YEAR) | (year > LATEST_YEAR))
        problems += _problems_where(
            raw,
            implausible,
            col.name,
            f"is not a plausible date (the year must be from {EARLIEST_YEAR} to {LATEST_YEAR}); check the year",
        )
        bad |= implausible
    elif col.kind == "bool":
        lowered = value.str.lower()
        lowered = lowered.replace({"yes": "true", "no": "false", "y": "true", "n": "false", "1": "true", "0": "false"})
        bad = present & ~lowered.isin(["true", "false"])
        problems += _problems_where(raw, bad, col.name, "must be true or false (yes or no also work)")
        value = lowered
    elif col.kind == "month":
        value, reasons = values.month_series(value, present)
        unreadable = present & reasons.notna()
        problems += _problems_where(raw, unreadable, col.name, reasons)
        year = pd.to_numeric(value.where(present & ~unreadable).str.slice(0, 4), errors="coerce")
        implausible = present & ~unreadable & ((year < EARLIEST_YEAR) | (year > LATEST_YEAR))
        problems += _problems_where(
            raw,
            implausible,
            col.name,
            f"is not a plausible month (the year must be from {EARLIEST_YEAR} to {LATEST_YEAR}); check the year",
        )
        bad = unreadable | implausible
    elif col.kind in ("money", "signed_money"):
        value, reasons = values.money_series(value, present, allow_negative=col.kind == "signed_money")
        unreadable = present & reasons.notna()
        problems += _problems_where(
            raw,
            unreadable,
            col.name,
            reasons.where(
                ~reasons.eq("is not an amount in pounds"),
                "is not an amount in pounds; write digits only, for example 1500.50",
            ),
        )
        bad = unreadable
    elif col.kind in ("share", "int", "number"):
        pattern = values.INT_TEXT if col.kind == "int" else values.NUMBER_TEXT
        numeric_text = present & value.str.match(pattern)
        not_number = present & ~numeric_text
        if col.kind == "int":
            hint = f"is not a whole number; write {col.allowed()}"
        elif col.kind == "number":
            hint = "is not a number; write digits only, for example 0.75, 12 or -3"
        else:
            hint = "is not a number; write a fraction from 0 to 1, for example 0.25"
        if not_number.any():
            foreign = not_number & value.map(values.has_foreign_digits, na_action="ignore").astype(bool)
            problems += _problems_where(raw, foreign, col.name, values.FOREIGN_DIGITS_REASON)
            problems += _problems_where(raw, not_number & ~foreign, col.name, hint)
        number = pd.to_numeric(value.where(numeric_text), errors="coerce").astype("float64")
        bad = not_number.copy()
        infinite = numeric_text & ~np.isfinite(number)
        problems += _problems_where(raw, infinite, col.name, "is too large to be a number")
        bad |= infinite
        numeric_text &= ~infinite
        if col.kind == "share":
            outside = numeric_text & ((number < 0) | (number > 1))
            problems += _problems_where(
                raw, outside, col.name, "must be a fraction from 0 to 1 (0.25 means a quarter, not 25)"
            )
            bad |= outside
        else:
            outside = pd.Series(False, index=frame.index)
            if col.min_value is not None:
                outside |= numeric_text & (number < col.min_value)
            if col.max_value is not None:
                outside |= numeric_text & (number > col.max_value)
            what = col.allowed()
            if col.name == "confidence_grade":
                what = "a confidence grade from 1 to 6 (1 audited figures, 6 expert judgement)"
            problems += _problems_where(raw, outside, col.name, f"is out of range; it must be {what}")
            bad |= outside
            if col.kind == "int":  # what the database's integer holds, whatever the column allows
                too_big = numeric_text & ~outside & ((number < values.INT_MIN) | (number > values.INT_MAX))
                problems += _problems_where(
                    raw, too_big, col.name, f"is too large; a whole number here must be at most {values.INT_MAX:,}"
                )
                bad |= too_big
    elif col.kind == "financial_year":
        looks = present & value.str.match(_FINANCIAL_YEAR_RE)
        first = pd.to_numeric(value.where(looks).str.slice(0, 4), errors="coerce")
        second = pd.to_numeric(value.where(looks).str.slice(5, 7), errors="coerce")
        bad = present & ~(looks & ((first + 1) % 100 == second))
        problems += _problems_where(
            raw,
            bad,
            col.name,
            "is not a financial year; write it as YYYY-YY, for example 2024-25 for April 2024 to March 2025",
        )
    elif col.kind == "code":
        lowered = value.str.lower()
        bad = present & ~lowered.isin(col.codes)
        problems += _problems_where(raw, bad, col.name, "is not a known code; use one of " + ", ".join(col.codes))
        value = lowered
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
            reason = (
                "is a duplicate "
                + raw.label(table.key)
                + "; it also appears on row "
                + first_row.astype(str)
                + "; give each row its own reference"
            )
            later = dup & key.duplicated(keep="first")
            problems += _problems_where(raw, later, table.key, reason.reindex(raw.frame.index))
        for start, end in table.date_ranges:
            if start in frame and end in frame:
                both = frame[start].notna() & frame[end].notna()
                before = both & (frame[end].where(both, "") < frame[start].where(both, ""))
                problems += _problems_where(
                    raw,
                    before,
                    end,
                    f"is before {raw.label(start)}; an end date cannot come before the start (swap them?)",
                )
        cleaned[table.name] = frame

    problems += _id_clashes(raws, cleaned, con)
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
                    raw,
                    unknown,
                    col.name,
                    "is not a known project_id; add the project to projects (projects.csv or the projects sheet) "
                    "in the same upload, or check the spelling",
                )
    problems += _unknown_price_years(cleaned, by_name, con)
    problems.sort(key=lambda p: (p.file, p.row or 0))
    return cleaned, problems


def _incoming_ids(raws: list[RawTable], cleaned: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every incoming key with its table, project and spreadsheet row, for the id checks in SQL."""
    parts = []
    for raw in raws:
        frame = cleaned.get(raw.table.name)
        if frame is None or not len(frame):
            continue
        key = frame[raw.table.key]
        project = frame["project_id"] if "project_id" in frame.columns else key
        keep = key.notna()
        parts.append(
            pd.DataFrame(
                {
                    "table_name": raw.table.name,
                    "id": key[keep],
                    "project_id": project[keep],
                    "row_number": raw.frame.loc[keep, ROW_COLUMN].astype("int64"),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["table_name", "id", "project_id", "row_number"])
    return pd.concat(parts, ignore_index=True)


def _id_clashes(
    raws: list[RawTable], cleaned: dict[str, pd.DataFrame], con: duckdb.DuckDBPyConnection | None
) -> list[Problem]:
    """A line id belongs to one project, and one id is one spelling: ids that differ only in capitals (or in how
    their accents are encoded) from another incoming id or from one already in the database are refused.

    Compared in SQL (DuckDB's lower and nfc_normalize) on both sides, so the rule is the same for a million
    rows as for one. Without a database connection only the upload itself is checked.
    """
    incoming = _incoming_ids(raws, cleaned)
    if incoming.empty:
        return []
    by_name = {raw.table.name: raw for raw in raws}
    own = con is None
    cur = duckdb.connect() if own else con
    cur.register("incoming_ids", incoming)
    try:
        within = cur.execute(db.load_query("incoming_id_case_clashes")).fetchall()
        against = [] if own else cur.execute(db.load_query("incoming_id_clashes_with_database")).fetchall()
    finally:
        cur.unregister("incoming_ids")
        if own:
            cur.close()
    problems = []
    for table_name, row, value, first_id, first_row in within:
        raw = by_name[table_name]
        problems.append(
            Problem(
                raw.source,
                int(row),
                raw.label(raw.table.key),
                value,
                f"differs only in capitals from {first_id!r} on row {first_row}; ids are case-sensitive, so one "
                "thing must have one spelling: use the same one, or choose a different id",
            )
        )
    for table_name, row, value, clash, existing_id, existing_project in against:
        raw = by_name[table_name]
        key = raw.label(raw.table.key)
        if clash == "moved":
            reason = (
                f"already belongs to project {existing_project!r}; a line cannot move to another project: give "
                f"this line its own {key}, or set {raw.label('project_id')} back to {existing_project!r}"
            )
        elif clash == "case":
            reason = (
                f"differs only in capitals from the existing {key} {existing_id!r}; ids are case-sensitive: write "
                f"{existing_id!r} to replace it, or choose a different id"
            )
        else:
            reason = (
                f"is the existing {key} {existing_id!r} with its accents encoded differently (Unicode); the two "
                "cannot be told apart on screen: write it exactly as the existing one, or choose a different id"
            )
        problems.append(Problem(raw.source, int(row), key, value, reason))
    unique = {str(p): p for p in problems}  # a 360Giving row is a project and a funding line: one message
    return list(unique.values())


def _unknown_price_years(
    cleaned: dict[str, pd.DataFrame], by_name: dict[str, RawTable], con: duckdb.DuckDBPyConnection | None
) -> list[Problem]:
    """Price years the GDP deflator table cannot convert to the council's price base year, named by row.

    They are checked against the database being imported into (an import always has one); without one there is
    no table to check against.
    """
    problems: list[Problem] = []
    if con is None:
        return problems
    wanted = [
        (name, col.name)
        for name, frame in cleaned.items()
        for col in by_name[name].table.columns
        if col.kind == "financial_year" and frame[col.name].notna().any()
    ]
    if not wanted:
        return problems
    known = {r[0] for r in con.execute(db.load_query("gdp_deflator_years")).fetchall()}
    available = ", ".join(sorted(known)) if known else "none: fill in data/reference/gdp_deflators.csv"
    for name, column in wanted:
        years = cleaned[name][column]
        unknown = years.notna() & ~years.isin(known)
        problems += _problems_where(
            by_name[name],
            unknown,
            column,
            f"is a price year the GDP deflator table does not hold; the years available are {available}",
        )
    return problems


def rejected_rows(raws: list[RawTable], problems: list[Problem]) -> dict[str, int]:
    """How many distinct rows of each table have at least one problem."""
    tables_of: dict[str, list[str]] = {}
    for raw in raws:
        tables_of.setdefault(raw.source, []).append(raw.table.name)
    rows: dict[str, set[int]] = {}
    for p in problems:
        if p.row is not None and p.row > 1:
            for name in tables_of.get(p.file, []):  # a 360Giving row is both a project and a funding line
                rows.setdefault(name, set()).add(p.row)
    return {name: len(found) for name, found in rows.items()}


# ---------------------------------------------------------------- loading


def apply_tables(con: duckdb.DuckDBPyConnection, cleaned: dict[str, pd.DataFrame], result: ImportResult) -> None:
    """Upsert checked frames into the database inside the caller's transaction."""
    for table in TEMPLATE_TABLES:  # projects first, so references hold at every step
        if table.name in cleaned:
            frame = cleaned[table.name]
            replaced = db.upsert_rows(con, table.name, frame, key=table.key)
            result.replaced[table.name] = replaced
            result.added[table.name] = len(frame) - replaced


def _ids_frame(values) -> pd.DataFrame:
    return pd.DataFrame({"project_id": pd.Series(sorted(values), dtype=object)})


def _keep_filled_values(con: duckdb.DuckDBPyConnection, cleaned: dict[str, pd.DataFrame], batch: Batch) -> list[Flag]:
    """Where an incoming placeholder meets a value someone has since filled in, keep theirs and drop the flag.

    So re-importing a 360Giving file after filling in a project's service area (say) through the template
    does not put the placeholder back: a flagged field of a project already in the database keeps the
    database value unless that field is still flagged there. Columns in batch.keep_existing always keep
    the database value of an existing project. "No cost lines yet" flags are dropped for projects with some.
    """
    flags = list(batch.flags)
    projects = cleaned.get("projects")
    if projects is None or projects.empty or (not flags and not batch.keep_existing):
        return flags
    con.register("incoming_ids", _ids_frame(set(projects["project_id"].dropna())))
    try:
        open_flags = {tuple(r) for r in con.execute(db.load_query("import_flags_for_projects")).fetchall()}
        with_lines = {tuple(r) for r in con.execute(db.load_query("project_line_tables")).fetchall()}
        existing = db.query_df(con, "projects_for_import")
    finally:
        con.unregister("incoming_ids")
    flagged_fields: dict[str, list[str]] = {}
    for f in flags:
        if f.table_name == "projects":
            flagged_fields.setdefault(f.project_id, []).append(f.field)
    kept: set[tuple[str, str]] = set()
    position = {k: i for i, k in enumerate(projects["project_id"].tolist())}
    for record in existing.to_dict("records"):
        pid = record["project_id"]
        i = position.get(pid)
        if i is None:
            continue
        for column in flagged_fields.get(pid, []):
            if (pid, "projects", column) in open_flags:
                continue  # still the placeholder there: keep the flag
            projects.iat[i, projects.columns.get_loc(column)] = template_text(record[column]) or None
            kept.add((pid, column))
        for column in batch.keep_existing:
            value = template_text(record[column])
            if value:
                projects.iat[i, projects.columns.get_loc(column)] = value
    return [
        f
        for f in flags
        if not (f.table_name == "projects" and (f.project_id, f.field) in kept)
        and not (f.table_name != "projects" and (f.project_id, f.table_name) in with_lines)
    ]


def _update_flags(
    con: duckdb.DuckDBPyConnection, cleaned: dict[str, pd.DataFrame], new_flags: list[Flag], import_id: int
) -> int:
    """Clear the flags this import answers, record the new ones; return how many projects this import flags.

    Rows of a table for a project answer that project's flags on that table: a template projects row
    supplies every project column, cost lines answer "no cost lines yet".
    """
    for name, frame in cleaned.items():
        if "project_id" not in frame.columns:
            continue
        con.register("cleared_ids", _ids_frame(set(frame["project_id"].dropna())))
        try:
            con.execute(db.load_query("clear_import_flags"), {"table_name": name})
        finally:
            con.unregister("cleared_ids")
    if new_flags:
        frame = pd.DataFrame(
            {
                "project_id": pd.Series([f.project_id for f in new_flags], dtype=object),
                "table_name": pd.Series([f.table_name for f in new_flags], dtype=object),
                "field": pd.Series([f.field for f in new_flags], dtype=object),
                "reason": pd.Series([f.reason for f in new_flags], dtype=object),
            }
        ).drop_duplicates(["project_id", "table_name", "field"])
        frame["import_id"] = import_id
        con.register("new_flags", frame)
        try:
            con.execute(db.load_query("insert_import_flags"))
        finally:
            con.unregister("new_flags")
    return len({f.project_id for f in new_flags})


def current_user() -> str | None:
    """Who is running this, when the operating system knows (the CLI); None otherwise."""
    try:
        return os.environ.get("COMMISSIONING_USER") or getpass.getuser()
    except (KeyError, OSError):
        return None


def _record_import(
    con: duckdb.DuckDBPyConnection, import_id: int, batch: Batch, result: ImportResult, imported_by: str | None
) -> None:
    outcome = "imported" if result.ok else "rejected"
    con.execute(
        db.load_query("insert_import"),
        {
            "import_id": import_id,
            "imported_at": datetime.now().replace(microsecond=0),
            "imported_by": imported_by,
            "source_name": batch.source_name,
            "source_sha256": batch.sha256,
            "source_format": batch.format,
            "outcome": outcome,
            "problem_count": len(result.problems),
            "warning_count": len(result.warnings),
            "flagged_projects": result.flagged_projects,
            "summary": result.summary(),
        },
    )
    names = [t.name for t in TEMPLATE_TABLES if t.name in {r.table.name for r in batch.raws}]
    counts = pd.DataFrame(
        {
            "import_id": import_id,
            "table_name": pd.Series(names, dtype=object),
            "rows_added": [result.added.get(n, 0) for n in names],
            "rows_replaced": [result.replaced.get(n, 0) for n in names],
            "rows_rejected": [result.rejected.get(n, 0) for n in names],
        }
    )
    if len(counts):
        con.register("new_counts", counts)
        try:
            con.execute(db.load_query("insert_import_counts"))
        finally:
            con.unregister("new_counts")


SKIP_INVALID_TEMPLATE_REASON = (
    'cannot be imported with --skip-invalid ("import the sound rows and leave out the rest"): that is only for '
    "360Giving grant files, whose grants stand alone; the template's rows refer to each other, so a template "
    "import is all or nothing: fix the rows listed and import it again without --skip-invalid"
)


def _write_failed(path: Path, exc: BaseException) -> Problem:
    """A write that the operating system refused (disk full, read-only folder, no permission), in words."""
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT) or "No space left" in str(exc) or "disk is full" in str(exc).lower():
        why = "the disk is full"
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS) or "Read-only" in str(exc) or "Permission denied" in str(exc):
        why = "its folder is read-only or this account may not write there"
    else:
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return Problem(
        str(path),
        None,
        None,
        None,
        f"could not be written ({why}); nothing was imported, the database is exactly as it was and no temporary "
        "file was left behind. The attempt could not be recorded in the import history either. Free some space or "
        "fix the folder's permissions and import again",
    )


def _row_numbers(raws: list[RawTable]) -> set[int]:
    return {int(r) for raw in raws for r in raw.frame[ROW_COLUMN].tolist()}


def _merge_problems(first: list[Problem], then: list[Problem]) -> list[Problem]:
    """first, then what then adds about other cells (a 360Giving row's own message beats the template's)."""
    seen = {(p.file, p.row, p.column) for p in first}
    rows = {p.row for p in first if p.row is not None}
    merged = list(first)
    for p in then:
        if (p.file, p.row, p.column) in seen or (p.row in rows and "is required but empty" in p.reason):
            continue
        seen.add((p.file, p.row, p.column))
        merged.append(p)
    return merged


def _rows_to_leave_out(raws: list[RawTable], problems: list[Problem]) -> dict[int, list[Problem]]:
    """Each bad row with its problems; a row whose key appears again is left out every time it appears.

    Which of two grants with the same Identifier is right cannot be told, so neither is imported.
    """
    bad: dict[int, list[Problem]] = {}
    for p in problems:
        bad.setdefault(int(p.row), []).append(p)
    main = raws[0]
    key = main.frame[main.table.key].astype(str).str.strip()
    rows = main.frame[ROW_COLUMN]
    repeated = key.ne("") & key.duplicated(keep=False)
    if repeated.any():
        first_row = rows[repeated].groupby(key[repeated]).transform("min")
        last_row = rows[repeated].groupby(key[repeated]).transform("max")
        for row, value, first, last in zip(rows[repeated], key[repeated], first_row, last_row, strict=True):
            if int(row) not in bad:
                other = int(last) if int(row) == int(first) else int(first)
                bad[int(row)] = [
                    Problem(
                        main.source,
                        int(row),
                        main.label(main.table.key),
                        value,
                        f"appears again on row {other}; which of the two is right cannot be told, so every row "
                        "with it is left out",
                    )
                ]
    return bad


def _without_rows(batch: Batch, rows: set[int]) -> Batch:
    """The batch without some rows, their warnings and their flags."""
    kept = [
        RawTable(raw.table, raw.source, raw.frame.loc[~raw.frame[ROW_COLUMN].isin(rows)], raw.column_labels)
        for raw in batch.raws
    ]
    main = batch.raws[0]
    left_ids = set(main.frame.loc[main.frame[ROW_COLUMN].isin(rows), main.table.key].astype(str).str.strip())
    kept_ids = set(kept[0].frame[main.table.key].astype(str).str.strip())
    return Batch(
        raws=kept,
        problems=[],
        warnings=[w for w in batch.warnings if w.row is None or w.row not in rows],
        flags=[f for f in batch.flags if f.project_id not in left_ids - kept_ids],
        keep_existing=batch.keep_existing,
        source_name=batch.source_name,
        sha256=batch.sha256,
        format=batch.format,
        row_noun=batch.row_noun,
    )


def _check(
    con: duckdb.DuckDBPyConnection, batch: Batch, result: ImportResult, skip_invalid: bool
) -> tuple[Batch, dict[str, pd.DataFrame] | None]:
    """Check a batch against the database; return what to load (None: nothing) with result's problems set.

    A batch whose rows stand alone (row_noun) and whose every problem is on a row is split: refused with a
    count of sound rows, or with skip_invalid, loaded without the bad rows, which are listed in result.left_out.
    """
    if batch.problems and (batch.row_noun is None or any(p.row is None or p.row < 2 for p in batch.problems)):
        result.problems = list(batch.problems)
        return batch, None
    cleaned, checked = check_tables(batch.raws, con)
    problems = _merge_problems(batch.problems, checked)
    result.problems = []
    if not problems:
        return batch, cleaned
    if batch.row_noun is None or any(p.row is None or p.row < 2 for p in problems):
        result.problems = problems
        return batch, None
    bad = _rows_to_leave_out(batch.raws, problems)
    total = len(_row_numbers(batch.raws[:1]))
    result.bad_rows, result.sound_rows = len(bad), total - len(bad)
    if not skip_invalid or not result.sound_rows:
        result.problems = problems
        return batch, None
    kept = _without_rows(batch, set(bad))
    for _ in range(3):  # leaving rows out cannot create problems in the rest, but make sure
        cleaned, again = check_tables(kept.raws, con)
        if not again:
            break
        if any(p.row is None or p.row < 2 for p in again):
            result.problems = again
            return batch, None
        for row, found in _rows_to_leave_out(kept.raws, again).items():
            bad.setdefault(row, []).extend(found)
        kept = _without_rows(batch, set(bad))
    else:
        result.problems = again
        return batch, None
    main = batch.raws[0]
    ids = dict(zip(main.frame[ROW_COLUMN].astype(int), main.frame[main.table.key].astype(str).str.strip(), strict=True))
    result.left_out = [LeftOut(ids.get(row, ""), p) for row in sorted(bad) for p in bad[row]]
    result.warnings = kept.warnings
    result.sound_rows, result.bad_rows = None, 0
    return kept, cleaned


def _record_left_out(con: duckdb.DuckDBPyConnection, import_id: int, result: ImportResult) -> None:
    if not result.left_out:
        return
    frame = pd.DataFrame(
        {
            "import_id": import_id,
            "row_number": pd.Series([lo.problem.row for lo in result.left_out], dtype="int64"),
            "identifier": pd.Series([lo.identifier for lo in result.left_out], dtype=object),
            "column_name": pd.Series([lo.problem.column for lo in result.left_out], dtype=object),
            "value": pd.Series([lo.problem.value for lo in result.left_out], dtype=object),
            "reason": pd.Series([lo.problem.reason for lo in result.left_out], dtype=object),
        }
    )
    con.register("new_left_out", frame)
    try:
        con.execute(db.load_query("insert_import_left_out"))
    finally:
        con.unregister("new_left_out")


def import_batch(
    batch: Batch,
    db_path: Path | str | None = None,
    *,
    imported_by: str | None = None,
    skip_invalid: bool = False,
) -> ImportResult:
    """Check a batch against the database and, only if every row passes, load it in one transaction.

    With skip_invalid, a batch whose rows stand alone (a 360Giving file) loads its sound rows and leaves out
    the rest, listing each; a template batch given skip_invalid is refused. Whatever the outcome, the attempt
    is recorded in `imports` (when the database exists and can be written).
    """
    path = Path(db_path) if db_path else db.default_db_path()
    result = ImportResult(
        problems=list(batch.problems),
        warnings=list(batch.warnings),
        source_name=batch.source_name,
        format=batch.format,
        row_noun=batch.row_noun,
    )
    if not path.is_file():
        message = f"does not exist yet; create it with: python -m dashboard init --empty --db {path}"
        result.problems = [Problem(str(path), None, None, None, message)] + result.problems
        return result
    if skip_invalid and batch.row_noun is None:
        batch = Batch(
            raws=batch.raws,
            problems=[Problem(batch.source_name, None, None, None, SKIP_INVALID_TEMPLATE_REASON)] + batch.problems,
            warnings=batch.warnings,
            source_name=batch.source_name,
            sha256=batch.sha256,
            format=batch.format,
        )
    elif not batch.problems and not any(len(raw.frame) for raw in batch.raws):
        reason = "has no rows to import; fill in at least one table below its header row"
        batch.problems = [Problem(batch.source_name, None, None, None, reason)]
    try:
        with db.write_database(path) as con:
            import_id = int(con.execute(db.load_query("next_import_id")).fetchall()[0][0])
            loading, cleaned = _check(con, batch, result, skip_invalid)
            # refused: the rows with problems; with skip_invalid: the rows left out
            result.rejected = rejected_rows(batch.raws, result.problems or [lo.problem for lo in result.left_out])
            if cleaned is not None:
                try:
                    flags = _keep_filled_values(con, cleaned, loading)
                    apply_tables(con, cleaned, result)
                    result.flagged_projects = _update_flags(con, cleaned, flags, import_id)
                except (duckdb.IOException, duckdb.PermissionException):
                    raise  # the disk, not the data: reported below as a write that failed
                except duckdb.Error as exc:  # a value the checks passed but the database refused: say so, record it
                    con.rollback()
                    con.begin()
                    result.problems = [_not_stored(batch.source_name, exc)]
                    result.left_out, result.flagged_projects = [], 0
            _record_import(con, import_id, batch, result, imported_by)
            _record_left_out(con, import_id, result)
            result.import_id = import_id
    except (OSError, duckdb.IOException, duckdb.PermissionException) as exc:
        result.problems = [_write_failed(path, exc)]
        result.import_id = None
    if not result.ok:
        result.added, result.replaced, result.left_out = {}, {}, []
    return result


def _not_stored(source: str, exc: BaseException) -> Problem:
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return Problem(
        source,
        None,
        None,
        None,
        f"passed every check but the database refused it ({detail}); nothing was imported. Please report this "
        "with the file, so the check that should have caught it can be added",
    )


def import_folder(
    folder: Path | str, db_path: Path | str | None = None, *, imported_by: str | None = None
) -> ImportResult:
    """Import a folder of template CSVs: all rows or none."""
    folder = Path(folder)
    raws, problems = read_template_folder(folder)
    batch = Batch(
        raws=raws,
        problems=problems,
        source_name=folder.name or str(folder),
        sha256=folder_sha256(folder) if folder.is_dir() else "",
        format="template-folder",
    )
    return import_batch(batch, db_path, imported_by=imported_by)
