"""What a user hands us, recognised and read: a folder or zip of template CSVs, one or more template CSVs,
an Excel workbook with one sheet per template table, or a 360Giving grants file (CSV, Excel or JSON).

The format is detected from the file's extension and then its headers, sheet names or keys (a
360Giving file has Identifier and Amount Awarded columns; template files are named like, or have
the columns of, a template table), or forced with format="template" / "360giving". Everything is
read into memory as text (a Batch of RawTables) and fingerprinted with SHA-256 for the audit trail;
checking and loading is importer.import_batch. No streamlit here: the Data page and the CLI share it.

Reading is bounded (import_limits.py): every file, zip member and sheet takes its bytes and rows from one
Budget as it is read, so a zip bomb or a sheet of a million blank rows is refused with a problem within
seconds. A damaged zip (bad CRC, a false size, Deflate64), an XLSX sheet whose <dimension> tag understates
its rows (read here without trusting it) and JSON nested too deeply each get a clear problem too.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path, PurePosixPath

import pandas as pd

from dashboard.database.schema import TABLES_BY_NAME, TEMPLATE_TABLES
from dashboard.files import giving360
from dashboard.files.import_limits import Budget, ImportLimits, LimitExceeded, read_stream, rows_in
from dashboard.files.importer import (
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

FORMATS = ("template", "360giving")
MAX_UPLOAD_MB = 200  # what the Data page's uploader accepts a file (the import's own caps then apply)
MAX_SHEET_COLUMNS = 1024  # a template sheet has under 20 columns, a 360Giving sheet under 200
ACCEPTED_EXTENSIONS = ("csv", "zip", "xlsx", "xlsm", "json")
# sheets our own template carries besides the tables; ignored on the way back in
_EXCEL_EPOCH = date(1899, 12, 30)
HELPER_SHEETS = {"guidance", "lists", "read me", "readme", "about", "about this export"}


@dataclass(frozen=True)
class SourceFile:
    name: str
    data: bytes


def too_large_message(name: str, size: int, limit_mb: int) -> str:
    return (
        f"is {size / 1024 / 1024:,.1f} MB, over the {limit_mb:,} MB limit; split it (for example one table per "
        "file), or for a trusted bulk load on the server: python -m dashboard import PATH --max-mb N"
    )


# ---------------------------------------------------------------- entry points


def import_path(
    path: Path | str,
    db_path: Path | str | None = None,
    *,
    format: str | None = None,
    as_of: date | None = None,
    imported_by: str | None = None,
    skip_invalid: bool = False,
    limits: ImportLimits | None = None,
) -> ImportResult:
    """Import a folder, zip, workbook, CSV or 360Giving file from disk: all rows or none (see skip_invalid)."""
    batch = read_path(path, format=format, as_of=as_of, limits=limits)
    return import_batch(batch, db_path, imported_by=imported_by, skip_invalid=skip_invalid)


def import_files(
    files: list[SourceFile],
    db_path: Path | str | None = None,
    *,
    format: str | None = None,
    as_of: date | None = None,
    imported_by: str | None = None,
    skip_invalid: bool = False,
    limits: ImportLimits | None = None,
) -> ImportResult:
    """Import uploaded files (the Data page): all rows or none (see skip_invalid)."""
    batch = read_files(files, format=format, as_of=as_of, limits=limits)
    return import_batch(batch, db_path, imported_by=imported_by, skip_invalid=skip_invalid)


def read_path(
    path: Path | str, *, format: str | None = None, as_of: date | None = None, limits: ImportLimits | None = None
) -> Batch:
    """Read a path; a file larger than the import's byte cap is refused before a byte of it is read."""
    path = Path(path)
    limits = limits or ImportLimits.from_environment()
    if path.is_dir():
        paths = sorted(path.glob("*.csv"))
        if not paths:
            return Batch(
                problems=[Problem(str(path), None, None, None, "holds no CSV files; expected " + _expected())],
                source_name=path.name,
            )
        total = sum(p.stat().st_size for p in paths)
        if total > limits.max_bytes:
            return Batch(
                problems=[Problem(path.name, None, None, None, too_large_message(path.name, total, limits.max_mb))],
                source_name=path.name,
            )
        files = [SourceFile(p.name, p.read_bytes()) for p in paths]
        batch = read_files(files, format=format, as_of=as_of, limits=limits)
        batch.source_name = path.name or str(path)
        if batch.format == "template":
            batch.format = "template-folder"
        return batch
    if not path.is_file():
        return Batch(problems=[Problem(str(path), None, None, None, "does not exist")], source_name=path.name)
    size = path.stat().st_size
    if size > limits.max_bytes:
        return Batch(
            problems=[Problem(path.name, None, None, None, too_large_message(path.name, size, limits.max_mb))],
            source_name=path.name,
        )
    return read_files([SourceFile(path.name, path.read_bytes())], format=format, as_of=as_of, limits=limits)


def read_files(
    files: list[SourceFile],
    *,
    format: str | None = None,
    as_of: date | None = None,
    limits: ImportLimits | None = None,
) -> Batch:
    """Recognise and read uploaded files into one Batch (not yet checked against the database).

    Whatever goes wrong while reading becomes a problem naming the file, never an exception: the caps,
    a damaged file, and (as a last resort, so the attempt is still recorded) anything unforeseen.
    """
    budget = Budget(limits)
    try:
        return _read_files(files, format=format, as_of=as_of or date.today(), budget=budget)
    except LimitExceeded as exc:
        return Batch(
            problems=[Problem(exc.source, None, None, None, exc.reason)],
            source_name=_name_of(files),
            sha256=_digest(files),
        )
    except RecursionError:
        return Batch(
            problems=[Problem(_name_of(files), None, None, None, "is nested too deeply to be read")],
            source_name=_name_of(files),
            sha256=_digest(files),
        )
    except Exception as exc:  # noqa: BLE001 - an upload must end in a problem list and an audit row, never a crash
        reason = f"could not be read ({type(exc).__name__}: {str(exc)[:200]}); {UNFORESEEN}"
        return Batch(
            problems=[Problem(_name_of(files), None, None, None, reason)],
            source_name=_name_of(files),
            sha256=_digest(files),
        )


UNFORESEEN = "this is a fault in the importer, not in your file alone: please report it with the file"


def _read_files(files: list[SourceFile], *, format: str | None, as_of: date, budget: Budget) -> Batch:
    if format is not None and format not in FORMATS:
        return Batch(problems=[Problem("format", None, None, format, "must be template or 360giving")])
    if not files:
        return Batch(problems=[Problem("upload", None, None, None, "no file was given")])
    oversized = [
        Problem(f.name, None, None, None, too_large_message(f.name, len(f.data), budget.limits.max_mb))
        for f in files
        if len(f.data) > budget.limits.max_bytes
    ]
    if oversized:
        return Batch(problems=oversized, source_name=_name_of(files), sha256=_digest(files))
    if len(files) > 1:
        if format == "360giving":
            problem = Problem(_name_of(files), None, None, None, "upload one 360Giving file at a time")
            return Batch(problems=[problem], source_name=_name_of(files), sha256=_digest(files), format="360giving")
        batch = _read_template_csvs(files, container=None, budget=budget)
        batch.source_name, batch.sha256 = _name_of(files), _digest(files)
        return batch
    file = files[0]
    ext = PurePosixPath(file.name).suffix.lower().lstrip(".")
    if ext == "zip":
        batch = _read_zip(file, format, as_of, budget)
    elif ext in ("xlsx", "xlsm"):
        batch = _read_workbook(file, format, as_of, budget)
    elif ext == "json":
        budget.take_bytes(len(file.data), file.name)
        batch = _read_360_json(file, as_of, budget)
    elif ext == "csv":
        budget.take_bytes(len(file.data), file.name)
        batch = _read_single_csv(file, format, as_of, budget)
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
    try:
        return next(csv.reader([first[0]]), [])
    except csv.Error:
        return []


def _read_template_csvs(files: list[SourceFile], container: str | None, budget: Budget, counted: bool = False) -> Batch:
    """Template CSVs; their rows are taken from the budget here unless a zip reader counted them as it unpacked."""
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
        raw, problems = read_csv_bytes(f.data, TABLES_BY_NAME[table_name], label, None if counted else budget)
        batch.problems += problems
        if raw is not None:
            batch.raws.append(raw)
    batch.raws.sort(key=lambda r: [t.name for t in TEMPLATE_TABLES].index(r.table.name))
    return batch


def _read_single_csv(file: SourceFile, format: str | None, as_of: date, budget: Budget) -> Batch:
    header = _csv_header(file.data)
    if format == "360giving" or (format is None and giving360.looks_like_360giving(header)):
        return _read_360_csv(file, as_of, budget)
    return _read_template_csvs([file], container=None, budget=budget)


MAX_ZIP_MEMBERS = 1000  # a template zip holds five CSVs and an XLSX some twenty parts
DEFLATE64 = 9  # the compression method Windows Explorer uses for large zips; Python cannot unpack it


def zip_entry_count(data: bytes) -> int | None:
    """How many members a zip's end record says it holds, read before the central directory is parsed
    (a directory of millions of entries would otherwise be parsed into memory first). None if not found."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if at < 0 or len(data) < at + 22:
        return None
    entries = int.from_bytes(data[at + 10 : at + 12], "little")
    if entries == 0xFFFF:  # zip64: the count is in the zip64 end record
        at64 = data.rfind(b"PK\x06\x06", 0, at)
        if at64 >= 0 and len(data) >= at64 + 40:
            entries = int.from_bytes(data[at64 + 32 : at64 + 40], "little")
    return entries


def open_zip(data: bytes, name: str, what: str = "zip file") -> tuple[zipfile.ZipFile | None, Problem | None]:
    """A zip opened with its member count checked first; (None, problem) when it cannot be read."""
    entries = zip_entry_count(data)
    if entries is not None and entries > MAX_ZIP_MEMBERS:
        reason = f"holds {entries:,} files, more than the {MAX_ZIP_MEMBERS:,} this reads; it is not a {what} to import"
        return None, Problem(name, None, None, None, reason)
    try:
        return zipfile.ZipFile(io.BytesIO(data)), None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return None, Problem(name, None, None, None, f"is not a readable {what}")


def damaged_member(label: str, info: zipfile.ZipInfo, exc: BaseException | None = None) -> Problem:
    """Why a zip member cannot be unpacked, in words."""
    if info.compress_type == DEFLATE64:
        reason = (
            "is compressed with Deflate64 (Windows makes these for large zips), which cannot be unpacked here; "
            "unzip it and zip it again with ordinary compression (7-Zip: Deflate), or upload the CSV itself"
        )
    elif info.flag_bits & 0x1:
        reason = "is encrypted (password-protected); zip it again without a password"
    elif isinstance(exc, NotImplementedError):
        reason = "uses a compression method that cannot be unpacked here; zip it again with ordinary compression"
    else:
        detail = str(exc).splitlines()[0] if exc is not None and str(exc) else "its data is damaged"
        reason = (
            f"is damaged and cannot be unpacked ({detail}: its check sum or recorded size does not match its "
            "data); make the zip again from the original files"
        )
    return Problem(label, None, None, None, reason)


ZIP_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError, ValueError)


def _read_zip(file: SourceFile, format: str | None, as_of: date, budget: Budget) -> Batch:
    archive, problem = open_zip(file.data, file.name)
    if archive is None:
        return Batch(problems=[problem])
    members = []
    with archive:
        wanted = []
        for info in archive.infolist():
            path = PurePosixPath(info.filename)
            if info.is_dir() or path.name.startswith(".") or "__MACOSX" in path.parts:
                continue
            if path.suffix.lower() != ".csv":
                continue  # README.txt and the like
            wanted.append((info, path))
        # what the members say they unpack to: Python never unpacks a member beyond its recorded size
        budget.check_declared(sum(info.file_size for info, _ in wanted), file.name)
        for info, path in wanted:
            label = f"{file.name}/{info.filename}"
            if info.compress_type == DEFLATE64 or info.flag_bits & 0x1:
                return Batch(problems=[damaged_member(label, info)])
            try:
                with archive.open(info) as member:
                    data = read_stream(member, label, budget)
            except ZIP_READ_ERRORS as exc:
                return Batch(problems=[damaged_member(label, info, exc)])
            members.append(SourceFile(path.name, data))
    if not members:
        return Batch(problems=[Problem(file.name, None, None, None, "holds no CSV files; expected " + _expected())])
    if len(members) == 1 and (
        format == "360giving" or (format is None and giving360.looks_like_360giving(_csv_header(members[0].data)))
    ):
        return _read_360_csv(members[0], as_of, budget, label=f"{file.name}/{members[0].name}", counted=True)
    return _read_template_csvs(members, container=file.name, budget=budget, counted=True)


# ---------------------------------------------------------------- workbooks


class SheetTooWide(Exception):
    def __init__(self, label: str, width: int):
        self.label, self.width = label, width


def _sheet_rows(ws, label: str, budget: Budget) -> list[tuple]:
    """Every row of a sheet, the header first, each row as wide as the header.

    The sheet's <dimension> tag is not trusted: openpyxl's read-only mode stops at the last row it names, so
    a tag that understates the rows would import a sheet silently incomplete. reset_dimensions() makes it
    read to the sheet's real end. Every row below the header, empty ones too, is taken from the budget.
    """
    ws.reset_dimensions()
    header = next(iter(ws.iter_rows(min_row=1, max_row=1, values_only=True)), ())
    header = list(header or ())
    while header and (header[-1] is None or str(header[-1]).strip() == ""):
        header.pop()
    if len(header) > MAX_SHEET_COLUMNS:
        raise SheetTooWide(label, len(header))
    if not header:
        # no header: only whether the sheet holds anything matters (a note that it was ignored)
        for row in ws.iter_rows(min_row=2, max_col=MAX_SHEET_COLUMNS, values_only=True):
            budget.take_rows(1, label)
            if any(v is not None and str(v).strip() for v in row):
                return [(), row]
        return []
    rows: list[tuple] = [tuple(header)]
    for row in ws.iter_rows(min_row=2, max_col=len(header), values_only=True):
        rows.append(row)
        if len(rows) % 4096 == 0:  # in blocks: the budget check costs more than the row
            budget.take_rows(4096, label)
    budget.take_rows((len(rows) - 1) % 4096, label)
    return rows


def _sheet_frames(data: bytes, name: str, budget: Budget) -> dict[str, list[tuple]]:
    """Every sheet's rows, read within the budget (the workbook's parts are counted as unpacked)."""
    from openpyxl import load_workbook

    archive, problem = open_zip(data, name, "workbook")
    if archive is None:
        if problem.reason.startswith("is not a readable"):
            raise WorkbookUnreadable("could not be opened as an Excel workbook (it is damaged, or not a workbook)")
        raise WorkbookUnreadable(problem.reason)
    with archive:
        infos = archive.infolist()
        budget.check_declared(sum(i.file_size for i in infos), name)
        budget.take_bytes(sum(i.file_size for i in infos), name)
        for info in infos:
            if info.compress_type == DEFLATE64 or info.flag_bits & 0x1:
                raise WorkbookUnreadable(damaged_member(f"{name}/{info.filename}", info).reason)
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return {ws.title: _sheet_rows(ws, f"{name}, sheet {ws.title}", budget) for ws in workbook.worksheets}
    finally:
        workbook.close()


class WorkbookUnreadable(Exception):
    pass


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


def _read_workbook(file: SourceFile, format: str | None, as_of: date, budget: Budget) -> Batch:
    try:
        sheets = _sheet_frames(file.data, file.name, budget)
    except (LimitExceeded, RecursionError):
        raise
    except SheetTooWide as exc:
        reason = f"has {exc.width:,} columns in its header row; a sheet to import has at most {MAX_SHEET_COLUMNS:,}"
        return Batch(problems=[Problem(exc.label, 1, None, None, reason)])
    except WorkbookUnreadable as exc:
        return Batch(problems=[Problem(file.name, None, None, None, str(exc))])
    except Exception as exc:  # openpyxl raises many kinds for a damaged or disguised file
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        return Batch(
            problems=[Problem(file.name, None, None, None, f"could not be opened as an Excel workbook ({detail})")]
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
            from dashboard.files.importer import check_header

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


def _read_360_csv(
    file: SourceFile, as_of: date, budget: Budget, label: str | None = None, counted: bool = False
) -> Batch:
    label = label or file.name
    if not counted:
        budget.take_rows(rows_in(file.data), label)
    text, warnings = _decode_360(file, label)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        return Batch(
            problems=[Problem(label, None, None, None, f"could not be read as CSV: {detail}")], format="360giving"
        )
    frame.columns = [str(c).strip() for c in frame.columns]
    batch = giving360.grants_to_batch(
        giving360.records_from_frame(frame, label), as_of, source_name=file.name, sha256=""
    )
    batch.warnings = warnings + batch.warnings
    return batch


def _read_360_json(file: SourceFile, as_of: date, budget: Budget) -> Batch:
    """A 360Giving JSON file: every object ({...}) in it counts as a row against the import's row cap."""
    text, warnings = _decode_360(file, file.name)
    objects = 0

    def counted(pairs):
        nonlocal objects
        objects += 1
        if objects % 1024 == 0:
            budget.take_rows(1024, file.name)
        return dict(pairs)

    try:
        document = json.loads(text, object_pairs_hook=counted)
    except json.JSONDecodeError as exc:
        return Batch(
            problems=[Problem(file.name, exc.lineno, None, None, f"is not valid JSON: {exc.msg} (column {exc.colno})")],
            format="360giving",
        )
    except RecursionError:
        return Batch(
            problems=[
                Problem(
                    file.name,
                    None,
                    None,
                    None,
                    "is nested too deeply to read (lists or objects inside each other hundreds of levels deep); "
                    "a 360Giving file nests three or four levels",
                )
            ],
            format="360giving",
        )
    except ValueError as exc:  # a number of thousands of digits, say
        detail = str(exc).splitlines()[0][:200]
        return Batch(
            problems=[Problem(file.name, None, None, None, f"is not valid JSON: {detail}")], format="360giving"
        )
    budget.take_rows(objects % 1024, file.name)
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
