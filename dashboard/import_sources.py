"""What a user hands us, recognised and read: a folder or zip of template CSVs, one or more template CSVs,
an Excel workbook with one sheet per template table, or a 360Giving grants file (CSV, Excel or JSON).

The format is detected from the file's extension and then its headers, sheet names or keys (a
360Giving file has Identifier and Amount Awarded columns; template files are named like, or have
the columns of, a template table), or forced with format="template" / "360giving". Everything is
read into memory as text (a Batch of RawTables) and fingerprinted with SHA-256 for the audit trail;
checking and loading is importer.import_batch. No streamlit here: the Data page and the CLI share it.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path, PurePosixPath

import pandas as pd

from dashboard import giving360
from dashboard.importer import (
    Batch,
    ImportResult,
    Problem,
    RawTable,
    import_batch,
    read_csv_bytes,
    sha256_hex,
    template_text,
    with_rows,
)
from dashboard.schema import TABLES_BY_NAME, TEMPLATE_TABLES

FORMATS = ("template", "360giving")
MAX_UPLOAD_MB = 200
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
MAX_ZIP_MEMBER_BYTES = 1024 * 1024 * 1024  # guards against a zip bomb: no member may unpack beyond 1 GB
ACCEPTED_EXTENSIONS = ("csv", "zip", "xlsx", "xlsm", "json")
# sheets our own template carries besides the tables; ignored on the way back in
_EXCEL_EPOCH = date(1899, 12, 30)
HELPER_SHEETS = {"guidance", "lists", "read me", "readme", "about", "about this export"}


@dataclass(frozen=True)
class SourceFile:
    name: str
    data: bytes


def too_large_message(name: str, size: int) -> str:
    return (
        f"is {size / 1024 / 1024:,.1f} MB, over the {MAX_UPLOAD_MB} MB limit; split it (for example one "
        "table per file) or import it on the server with: python -m dashboard import PATH"
    )


# ---------------------------------------------------------------- entry points


def import_path(
    path: Path | str,
    db_path: Path | str | None = None,
    *,
    format: str | None = None,
    as_of: date | None = None,
    imported_by: str | None = None,
) -> ImportResult:
    """Import a folder, zip, workbook, CSV or 360Giving file from disk: all rows or none."""
    return import_batch(read_path(path, format=format, as_of=as_of), db_path, imported_by=imported_by)


def import_files(
    files: list[SourceFile],
    db_path: Path | str | None = None,
    *,
    format: str | None = None,
    as_of: date | None = None,
    imported_by: str | None = None,
) -> ImportResult:
    """Import uploaded files (the Data page): all rows or none."""
    return import_batch(read_files(files, format=format, as_of=as_of), db_path, imported_by=imported_by)


def read_path(path: Path | str, *, format: str | None = None, as_of: date | None = None) -> Batch:
    path = Path(path)
    if path.is_dir():
        files = [SourceFile(p.name, p.read_bytes()) for p in sorted(path.glob("*.csv"))]
        if not files:
            return Batch(
                problems=[Problem(str(path), None, None, None, "holds no CSV files; expected " + _expected())],
                source_name=path.name,
            )
        batch = read_files(files, format=format, as_of=as_of)
        batch.source_name = path.name or str(path)
        if batch.format == "template":
            batch.format = "template-folder"
        return batch
    if not path.is_file():
        return Batch(problems=[Problem(str(path), None, None, None, "does not exist")], source_name=path.name)
    return read_files([SourceFile(path.name, path.read_bytes())], format=format, as_of=as_of)


def read_files(files: list[SourceFile], *, format: str | None = None, as_of: date | None = None) -> Batch:
    """Recognise and read uploaded files into one Batch (not yet checked against the database)."""
    as_of = as_of or date.today()
    if format is not None and format not in FORMATS:
        return Batch(problems=[Problem("format", None, None, format, "must be template or 360giving")])
    if not files:
        return Batch(problems=[Problem("upload", None, None, None, "no file was given")])
    oversized = [
        Problem(f.name, None, None, None, too_large_message(f.name, len(f.data)))
        for f in files
        if len(f.data) > MAX_UPLOAD_BYTES
    ]
    if oversized:
        return Batch(problems=oversized, source_name=_name_of(files), sha256=_digest(files))
    if len(files) > 1:
        if format == "360giving":
            problem = Problem(_name_of(files), None, None, None, "upload one 360Giving file at a time")
            return Batch(problems=[problem], source_name=_name_of(files), sha256=_digest(files), format="360giving")
        batch = _read_template_csvs(files, container=None)
        batch.source_name, batch.sha256 = _name_of(files), _digest(files)
        return batch
    file = files[0]
    ext = PurePosixPath(file.name).suffix.lower().lstrip(".")
    if ext == "zip":
        batch = _read_zip(file, format, as_of)
    elif ext in ("xlsx", "xlsm"):
        batch = _read_workbook(file, format, as_of)
    elif ext == "json":
        batch = _read_360_json(file, as_of)
    elif ext == "csv":
        batch = _read_single_csv(file, format, as_of)
    elif ext == "xls":
        batch = Batch(
            problems=[
                Problem(file.name, None, None, None, "is an old-style Excel file; open it in Excel and save as .xlsx")
            ]
        )
    else:
        batch = Batch(
            problems=[
                Problem(
                    file.name,
                    None,
                    None,
                    None,
                    "is not a file this can read; use " + ", ".join("." + e for e in ACCEPTED_EXTENSIONS),
                )
            ]
        )
    batch.source_name, batch.sha256 = file.name, sha256_hex(file.data)
    return batch


def _expected() -> str:
    return ", ".join(t.file_name for t in TEMPLATE_TABLES)


def _name_of(files: list[SourceFile]) -> str:
    names = [f.name for f in files]
    return names[0] if len(names) == 1 else ", ".join(names)


def _digest(files: list[SourceFile]) -> str:
    """One fingerprint for several files: SHA-256 over each file's name and bytes, in name order."""
    digest = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.name):
        digest.update(f.name.encode() + b"\0")
        digest.update(f.data)
    return digest.hexdigest()


# ---------------------------------------------------------------- template CSVs


def _table_for_csv(name: str, header: list[str]) -> str | None:
    stem = PurePosixPath(name).stem.strip().lower()
    if stem in TABLES_BY_NAME:
        return stem
    header_set = {h.strip() for h in header}
    for table in TEMPLATE_TABLES:  # a renamed file: recognise it by its columns
        required = {c.name for c in table.columns if c.required}
        if required <= header_set and header_set <= set(table.column_names):
            return table.name
    return None


def _csv_header(data: bytes) -> list[str]:
    try:
        first = data[:65536].decode("utf-8-sig", errors="replace").splitlines()
    except UnicodeDecodeError:  # pragma: no cover - errors="replace" never raises
        return []
    if not first:
        return []
    import csv

    return next(csv.reader([first[0]]), [])


def _read_template_csvs(files: list[SourceFile], container: str | None) -> Batch:
    batch = Batch(format="template")
    seen: dict[str, str] = {}
    for f in files:
        label = f"{container}/{f.name}" if container else f.name
        table_name = _table_for_csv(f.name, _csv_header(f.data))
        if table_name is None:
            batch.problems.append(
                Problem(
                    label,
                    None,
                    None,
                    None,
                    f"is not a template file; name it after its table ({_expected()}) or check its header row",
                )
            )
            continue
        if table_name in seen:
            batch.problems.append(
                Problem(label, None, None, None, f"holds {table_name} again (so does {seen[table_name]}); keep one")
            )
            continue
        seen[table_name] = label
        raw, problems = read_csv_bytes(f.data, TABLES_BY_NAME[table_name], label)
        batch.problems += problems
        if raw is not None:
            batch.raws.append(raw)
    batch.raws.sort(key=lambda r: [t.name for t in TEMPLATE_TABLES].index(r.table.name))
    return batch


def _read_single_csv(file: SourceFile, format: str | None, as_of: date) -> Batch:
    header = _csv_header(file.data)
    if format == "360giving" or (format is None and giving360.looks_like_360giving(header)):
        return _read_360_csv(file, as_of)
    return _read_template_csvs([file], container=None)


def _read_zip(file: SourceFile, format: str | None, as_of: date) -> Batch:
    try:
        archive = zipfile.ZipFile(io.BytesIO(file.data))
    except zipfile.BadZipFile:
        return Batch(problems=[Problem(file.name, None, None, None, "is not a readable zip file")])
    members = []
    with archive:
        for info in archive.infolist():
            path = PurePosixPath(info.filename)
            if info.is_dir() or path.name.startswith(".") or "__MACOSX" in path.parts:
                continue
            if path.suffix.lower() != ".csv":
                continue  # README.txt and the like
            if info.file_size > MAX_ZIP_MEMBER_BYTES:
                return Batch(problems=[Problem(f"{file.name}/{info.filename}", None, None, None, "is too large")])
            members.append(SourceFile(path.name, archive.read(info)))
    if not members:
        return Batch(problems=[Problem(file.name, None, None, None, "holds no CSV files; expected " + _expected())])
    if len(members) == 1 and (
        format == "360giving" or (format is None and giving360.looks_like_360giving(_csv_header(members[0].data)))
    ):
        batch = _read_360_csv(members[0], as_of, label=f"{file.name}/{members[0].name}")
        return batch
    return _read_template_csvs(members, container=file.name)


# ---------------------------------------------------------------- workbooks


def _sheet_frames(data: bytes) -> dict[str, list[tuple]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}
    finally:
        workbook.close()


def _excel_serial_date(value):
    """A date cell that lost its date format arrives as Excel's day count (45839 is 1 July 2025)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        return (_EXCEL_EPOCH + timedelta(days=int(value))).isoformat()
    return value


def _sheet_to_frame(rows: list[tuple], date_columns: frozenset[str] = frozenset()) -> tuple[list[str], pd.DataFrame]:
    """A sheet's rows as (header, frame of text). Trailing empty header cells are dropped."""
    if not rows:
        return [], pd.DataFrame()
    header = [template_text(v).strip() for v in rows[0]]
    while header and not header[-1]:
        header.pop()
    width = len(header)
    dates = {i for i, h in enumerate(header) if h in date_columns}
    body = [
        [
            template_text(_excel_serial_date(v) if i in dates else v)
            for i, v in enumerate((list(r) + [None] * width)[:width])
        ]
        for r in rows[1:]
    ]
    return header, pd.DataFrame(body, columns=header, dtype=object)


def _read_workbook(file: SourceFile, format: str | None, as_of: date) -> Batch:
    try:
        sheets = _sheet_frames(file.data)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or disguised file
        return Batch(
            problems=[Problem(file.name, None, None, None, f"could not be opened as an Excel workbook ({exc})")]
        )
    template_sheets = {name: rows for name, rows in sheets.items() if name.strip().lower() in TABLES_BY_NAME}
    grant_sheets = [
        name
        for name, rows in sheets.items()
        if rows and giving360.looks_like_360giving([template_text(v) for v in rows[0]])
    ]
    if format == "360giving" or (format is None and not template_sheets and grant_sheets):
        if not grant_sheets:
            return Batch(
                problems=[
                    Problem(
                        file.name,
                        None,
                        None,
                        None,
                        "has no sheet with 360Giving columns (Identifier, Amount Awarded, ...)",
                    )
                ],
                format="360giving",
            )
        name = "grants" if "grants" in grant_sheets else grant_sheets[0]
        header, frame = _sheet_to_frame(sheets[name])
        records = giving360.records_from_frame(frame, f"{file.name}, sheet {name}")
        return giving360.grants_to_batch(records, as_of, source_name=file.name, sha256="")
    batch = Batch(format="template")
    if not template_sheets:
        batch.problems.append(
            Problem(
                file.name,
                None,
                None,
                None,
                "has no sheet named after a template table; name the sheets "
                + ", ".join(t.name for t in TEMPLATE_TABLES)
                + " (download the blank template to start from)",
            )
        )
        return batch
    for sheet_name, rows in sheets.items():
        key = sheet_name.strip().lower()
        label = f"{file.name}, sheet {sheet_name}"
        if key in TABLES_BY_NAME:
            table = TABLES_BY_NAME[key]
            header, frame = _sheet_to_frame(rows, frozenset(c.name for c in table.columns if c.kind == "date"))
            if not header:
                continue  # an empty sheet: nothing to import for that table
            from dashboard.importer import check_header

            problems = check_header(label, table, header)
            if problems:
                batch.problems += problems
                continue
            batch.raws.append(RawTable(table, label, with_rows(frame)))
        elif key not in HELPER_SHEETS and any(any(v is not None and str(v).strip() for v in r) for r in rows):
            batch.warnings.append(Problem(label, None, None, None, "is not a template sheet, so it was ignored"))
    batch.raws.sort(key=lambda r: [t.name for t in TEMPLATE_TABLES].index(r.table.name))
    return batch


# ---------------------------------------------------------------- 360Giving


def _decode_360(file: SourceFile, label: str) -> tuple[str, list[Problem]]:
    try:
        return file.data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        warning = Problem(
            label,
            None,
            None,
            None,
            "is not UTF-8; it was read as Windows-1252 (Excel's older CSV): check £ signs and accented letters",
        )
        return file.data.decode("cp1252", errors="replace"), [warning]


def _read_360_csv(file: SourceFile, as_of: date, label: str | None = None) -> Batch:
    label = label or file.name
    text, warnings = _decode_360(file, label)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        return Batch(
            problems=[Problem(label, None, None, None, f"could not be read as CSV: {exc}")], format="360giving"
        )
    frame.columns = [str(c).strip() for c in frame.columns]
    batch = giving360.grants_to_batch(
        giving360.records_from_frame(frame, label), as_of, source_name=file.name, sha256=""
    )
    batch.warnings = warnings + batch.warnings
    return batch


def _read_360_json(file: SourceFile, as_of: date) -> Batch:
    text, warnings = _decode_360(file, file.name)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return Batch(
            problems=[Problem(file.name, exc.lineno, None, None, f"is not valid JSON: {exc.msg} (column {exc.colno})")],
            format="360giving",
        )
    grants = document.get("grants") if isinstance(document, dict) else document
    if not isinstance(grants, list):
        return Batch(
            problems=[Problem(file.name, None, None, None, 'has no "grants" list; is it a 360Giving JSON file?')],
            format="360giving",
        )
    records = giving360.records_from_json(grants, f"{file.name} grants")
    batch = giving360.grants_to_batch(records, as_of, source_name=file.name, sha256="")
    batch.warnings = warnings + batch.warnings
    return batch
