"""Crafted hostile files (issue 18): each is refused with a clear problem naming the file, within bounded memory,
with an audit row, and nothing of it reaches the portfolio; or, where the input is sound but odd, read right.

Zip bombs, damaged zips (a bad CRC, a false size, Deflate64), an XLSX sheet whose <dimension> tag understates its
rows, numbers the database cannot hold, digits that are not 0-9, 360Giving amounts and durations no grant has,
deeply nested JSON, a header long enough to hide a duplicate column, a disk that fills and a folder that is
read-only during the write. Memory is measured with tracemalloc (allocations made through Python's and numpy's
allocators: the decompressed data, the parsed frames), never time.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import tracemalloc
import zipfile
from datetime import date
from pathlib import Path

import pytest
import xlsxwriter

from dashboard.database import db
from dashboard.files import template
from dashboard.files.import_limits import ImportLimits
from dashboard.files.import_sources import SourceFile, import_files, import_path
from tests.conftest import DATA, TINY, build_db

pytestmark = pytest.mark.slow  # crafted hostile files, some hundreds of megabytes unpacked, and full disks

HOSTILE = DATA / "hostile"
ZIP_BOMB = HOSTILE / "zip-bomb-3x300MB-blank-lines.zip"  # made by make_zip_bomb() below, kept to save 9 s a run
AS_OF = date(2026, 11, 22)
COST_HEADER = "cost_id,project_id,item,amount_gbp,frequency,start_date,end_date,confidence_grade"
GRANT_HEADER = (
    "Identifier,Title,Description,Currency,Amount Awarded,Award Date,Planned Dates:Start Date,"
    "Planned Dates:Duration (months),Funding Org:Identifier,Funding Org:Name,Recipient Org:Identifier,"
    "Recipient Org:Name"
)
MB = 1024 * 1024


def make_zip_bomb(path: Path) -> None:
    """Three 300 MB members of blank lines: 917 KB zipped (how tests/data/hostile's file was made)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in ("projects.csv", "funding.csv", "costs.csv"):
            with archive.open(name, "w", force_zip64=True) as member:
                for _ in range(300):
                    member.write(b"\n" * MB)


def zipped(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def patched(data: bytes, *, crc: int | None = None, size: int | None = None, method: int | None = None) -> bytes:
    """A one-member zip with its local header and central directory entry both saying something false."""
    out = bytearray(data)
    local, central = out.find(b"PK\x03\x04"), out.find(b"PK\x01\x02")
    if method is not None:
        struct.pack_into("<H", out, local + 8, method)
        struct.pack_into("<H", out, central + 10, method)
    if crc is not None:
        struct.pack_into("<I", out, local + 14, crc)
        struct.pack_into("<I", out, central + 16, crc)
    if size is not None:
        struct.pack_into("<I", out, local + 22, size)
        struct.pack_into("<I", out, central + 24, size)
    return bytes(out)


def costs(*rows: str, header: str = COST_HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def grants(*rows: str) -> bytes:
    return ("\n".join([GRANT_HEADER, *rows]) + "\n").encode("utf-8")


def grant(**changes: str) -> str:
    values = {
        "id": "360G-H-1",
        "title": "Lunch club",
        "description": "Weekly",
        "currency": "GBP",
        "amount": "12000",
        "award": "2025-01-10",
        "start": "2025-02-01",
        "months": "12",
        "funder_id": "GB-CHC-1",
        "funder": "A Trust",
        "recipient_id": "GB-CHC-2",
        "recipient": "A Charity",
    }
    values.update(changes)
    return ",".join(values.values())


def portfolio(path: Path) -> dict[str, list]:
    con = db.connect_read_only(path)
    try:
        return {
            t: sorted(map(repr, con.execute('select * from "' + t + '"').fetchall()))  # noqa: S608 - fixed names
            for t in ("projects", "funding", "costs", "benefits", "outcomes")
        }
    finally:
        con.close()


def history(path: Path):
    con = db.connect_read_only(path)
    try:
        return db.query_df(con, "import_history")
    finally:
        con.close()


def refused(result, path: Path, before: dict, *expected: str):
    """Refused with each expected text in some problem, nothing changed, and the attempt recorded."""
    assert not result.ok, result.summary()
    text = [str(p) for p in result.problems]
    for fragment in expected:
        assert any(fragment in t for t in text), (fragment, text)
    assert all(p.file and len(p.reason) >= 10 for p in result.problems)
    assert not any("fault in the importer" in t for t in text), text
    assert portfolio(path) == before
    newest = history(path).iloc[0]
    assert (newest["outcome"], newest["problem_count"]) == ("rejected", len(result.problems))
    return text


def peak_mb(action) -> tuple[object, float]:
    tracemalloc.start()
    try:
        result = action()
        return result, tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_db(tmp_path_factory.mktemp("hostile") / "tiny.duckdb", TINY)


@pytest.fixture
def tiny_db(built, tmp_path) -> Path:
    """A fresh copy of the tiny portfolio for each test (copying is quicker than building it again)."""
    path = tmp_path / "tiny.duckdb"
    shutil.copyfile(built, path)
    return path


@pytest.fixture
def before(tiny_db) -> dict:
    return portfolio(tiny_db)


# ---------------------------------------------------------------- bounded resources


def test_the_917_kb_zip_of_three_300_mb_members_of_blank_lines_is_refused_unopened(tiny_db, before):
    assert ZIP_BOMB.stat().st_size < 1 * MB
    with zipfile.ZipFile(ZIP_BOMB) as archive:
        assert [i.file_size for i in archive.infolist()] == [300 * MB] * 3
    upload = [SourceFile(ZIP_BOMB.name, ZIP_BOMB.read_bytes())]
    result, peak = peak_mb(lambda: import_files(upload, tiny_db))
    refused(result, tiny_db, before, "unpacks to 900.0 MB, over this import's limit of 256 MB of uncompressed data")
    assert peak < 64, f"{peak:.0f} MB"


def test_a_zip_bomb_that_understates_its_size_is_never_unpacked_beyond_what_it_declares(tiny_db, before):
    bomb = zipped({"costs.csv": costs() + b"\n" * (50 * MB)})
    result, peak = peak_mb(lambda: import_files([SourceFile("small.zip", patched(bomb, size=1000))], tiny_db))
    refused(result, tiny_db, before, "small.zip/costs.csv: is damaged and cannot be unpacked")
    assert peak < 64, f"{peak:.0f} MB"


def test_a_19_kb_zip_of_20_million_newlines_is_refused_at_the_row_cap_while_unpacking(tiny_db, before):
    bomb = zipped({"costs.csv": costs() + b"\n" * 20_000_000})
    assert len(bomb) < 25_000
    result, peak = peak_mb(lambda: import_files([SourceFile("newlines.zip", bomb)], tiny_db))
    refused(result, tiny_db, before, "newlines.zip/costs.csv: takes this import over its limit of 2,000,000 rows")
    assert peak < 64, f"{peak:.0f} MB"  # it stops after 2 or 3 of the 20 megabytes


def test_blank_lines_count_in_a_plain_csv_and_on_the_command_line_path(tiny_db, before, tmp_path):
    path = tmp_path / "costs.csv"
    path.write_bytes(costs("C900,P001,Sticks,20,once,2025-07-01,,1") + b"\r\n" * 3_000_000)
    result, peak = peak_mb(lambda: import_path(path, tiny_db))
    refused(result, tiny_db, before, "costs.csv: takes this import over its limit of 2,000,000 rows (blank rows")
    assert peak < 64, f"{peak:.0f} MB"  # counted before anything is parsed
    small = tmp_path / "small" / "costs.csv"
    small.parent.mkdir()
    small.write_bytes(costs("C900,P001,Sticks,20,once,2025-07-01,,1") + b"\n" * 20)
    assert "over its limit of 10 rows" in str(import_path(small, tiny_db, limits=ImportLimits(max_rows=10)).problems[0])
    assert import_path(small, tiny_db, limits=ImportLimits(max_rows=30)).ok  # raised for a trusted load


def test_a_file_over_the_byte_cap_is_refused_before_it_is_read(tiny_db, before, tmp_path):
    path = tmp_path / "costs.csv"
    path.write_bytes(costs("C900,P001,Sticks,20,once,2025-07-01,,1") + b"x" * (2 * MB))
    result = import_path(path, tiny_db, limits=ImportLimits(max_mb=1))
    refused(result, tiny_db, before, "costs.csv: is 2.0 MB, over the 1 MB limit")


def test_the_caps_come_from_the_environment(monkeypatch, tiny_db, before):
    monkeypatch.setenv("COMMISSIONING_IMPORT_MAX_ROWS", "3")
    data = costs(*[f"C9{i:02d},P001,Sticks,20,once,2025-07-01,,1" for i in range(4)])
    result = import_files([SourceFile("costs.csv", data)], tiny_db)
    refused(result, tiny_db, before, "costs.csv: takes this import over its limit of 3 rows")
    monkeypatch.setenv("COMMISSIONING_IMPORT_MAX_ROWS", "many")
    with pytest.raises(ValueError, match="COMMISSIONING_IMPORT_MAX_ROWS must be a whole number"):
        ImportLimits.from_environment()


def test_a_workbook_of_a_million_empty_rows_per_sheet_is_refused_at_the_row_cap(tiny_db, before):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name in ("projects", "costs", "benefits"):
        sheet = book.add_worksheet(name)
        sheet.write_string(0, 0, "cost_id")
        sheet.write_string(1_048_575, 0, "x")  # the last row Excel has: a million empty rows in between
    book.close()
    result = import_files([SourceFile("empty-rows.xlsx", buffer.getvalue())], tiny_db)
    refused(result, tiny_db, before, "empty-rows.xlsx, sheet costs: takes this import over its limit of 2,000,000 rows")
    # (memory: bench/bench_hostile_import.py reports this file's peak; tracemalloc here would take half a minute)


# ---------------------------------------------------------------- no partial import


def understated(workbook: bytes, sheet_part: str, real: str, claimed: str) -> bytes:
    """The same workbook with one sheet's <dimension ref=...> changed from what it is to what it claims."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == sheet_part:
                assert f'<dimension ref="{real}"/>'.encode() in data
                data = data.replace(f'<dimension ref="{real}"/>'.encode(), f'<dimension ref="{claimed}"/>'.encode())
            out.writestr(info, data)
    return buffer.getvalue()


def test_an_xlsx_sheet_whose_dimension_understates_its_rows_imports_every_row(tiny_db, read):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("costs")
    for c, name in enumerate(COST_HEADER.split(",")):
        sheet.write_string(0, c, name)
    for r in range(1, 11):
        for c, value in enumerate([f"X{r:02d}", "P001", "Sticks", "20", "once", "2025-07-01", "", "1"]):
            sheet.write_string(r, c, value)
    book.close()
    crafted = understated(buffer.getvalue(), "xl/worksheets/sheet1.xml", "A1:H11", "A1:H3")
    result = import_files([SourceFile("costs.xlsx", crafted)], tiny_db)
    assert result.ok, [str(p) for p in result.problems]
    assert result.summary() == "Imported 10 cost lines."  # not the 2 the tag claims
    assert read(tiny_db).execute("select count(*) from costs where cost_id like 'X%'").fetchall() == [(10,)]


# ---------------------------------------------------------------- damaged zips


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ({"crc": 0x12345678}, "upload.zip/costs.csv: is damaged and cannot be unpacked (Bad CRC-32"),
        ({"size": 10}, "upload.zip/costs.csv: is damaged and cannot be unpacked"),
        ({"size": 3_000_000_000}, "upload.zip: unpacks to 2,861.0 MB, over this import's limit of 256 MB"),
        ({"method": 9}, "upload.zip/costs.csv: is compressed with Deflate64 (Windows makes these for large zips)"),
        ({"method": 99}, "upload.zip/costs.csv: uses a compression method that cannot be unpacked here"),
    ],
)
def test_a_zip_with_a_bad_crc_a_false_size_or_deflate64_is_refused_by_name(tiny_db, before, damage, expected):
    good = zipped({"costs.csv": costs("C900,P001,Sticks,20,once,2025-07-01,,1")})
    result = import_files([SourceFile("upload.zip", patched(good, **damage))], tiny_db)
    refused(
        result, tiny_db, before, expected if expected.startswith("upload.zip") else f"upload.zip/costs.csv: {expected}"
    )


def test_a_zip_claiming_a_million_members_is_refused_before_its_directory_is_read(tiny_db, before):
    good = bytearray(zipped({"costs.csv": costs()}))
    end = good.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", good, end + 8, 0xFFFE, 0xFFFE)
    result = import_files([SourceFile("many.zip", bytes(good))], tiny_db)
    refused(result, tiny_db, before, "many.zip: holds 65,534 files, more than the 1,000 this reads")


# ---------------------------------------------------------------- numbers the database cannot hold


def projects_row(people: str) -> bytes:
    header = (TINY / "projects.csv").read_text(encoding="utf-8").splitlines()[0]
    row = f"PX9,Name,,Older people,social,Provider,vcse,grant,Riverside,2025-01-01,,active,{people},2,2,true,true"
    return f"{header}\n{row}\n".encode()


@pytest.mark.parametrize(
    ("people", "expected"),
    [
        ("2147483648", "is too large; a whole number here must be at most 2,147,483,647"),
        ("99999999999999999999999", "is too large; a whole number here must be at most 2,147,483,647"),
        ("１２", "is written with digits other than 0-9 (full-width or Arabic-Indic, say)"),
        ("١٢", "is written with digits other than 0-9"),
    ],
)
def test_people_reached_beyond_the_database_or_in_other_digits_is_a_problem(tiny_db, before, people, expected):
    result = import_files([SourceFile("projects.csv", projects_row(people))], tiny_db)
    refused(result, tiny_db, before, f"projects.csv, row 2, column people_reached (value '{people}'): {expected}")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("10000000000000000", "is too large; amounts must be below £9,999,999,999,999,999.99"),
        ("1.2e22", "is too large; amounts must be below"),
        ("１５００", "is written with digits other than 0-9"),
        ("٣٠٠", "is written with digits other than 0-9"),
        ("--5", "is not an amount in pounds; write digits only"),
        ("-5", "is negative; money must be 0 or more"),
        ("1.234", "has more than 2 decimal places; round it to whole pence"),
    ],
)
def test_amounts_the_database_cannot_hold_or_written_wrongly_get_the_right_reason(tiny_db, before, amount, expected):
    data = costs(f"C900,P001,Sticks,{amount},once,2025-07-01,,1")
    result = import_files([SourceFile("costs.csv", data)], tiny_db)
    refused(result, tiny_db, before, f"costs.csv, row 2, column amount_gbp (value '{amount}'): {expected}")


@pytest.mark.parametrize(
    ("amount", "stored"),
    [("-0", "0.00"), ("+5", "5.00"), (".5", "0.50"), ("5.", "5.00"), ("20.100", "20.10"), ("1.5E+03", "1500.00")],
)
def test_sensible_ways_of_writing_an_amount_are_read_as_meant(tiny_db, read, amount, stored):
    data = costs(f"C900,P001,Sticks,{amount},once,2025-07-01,,1")
    result = import_files([SourceFile("costs.csv", data)], tiny_db)
    assert result.ok, [str(p) for p in result.problems]
    assert read(tiny_db).execute("select amount_gbp::varchar from costs where cost_id = 'C900'").fetchall() == [
        (stored,)
    ]


def test_dates_in_other_digits_are_refused_for_that_reason(tiny_db, before):
    data = costs("C900,P001,Sticks,20,once,٢٠٢٥-٠٧-٠١,,1")
    result = import_files([SourceFile("costs.csv", data)], tiny_db)
    refused(result, tiny_db, before, "column start_date (value '٢٠٢٥-٠٧-٠١'): is written with digits other than 0-9")


# ---------------------------------------------------------------- 360Giving values no grant has


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"amount": "1.2e22"}, "column Amount Awarded (value '1.2e22'): is too large; amounts must be below"),
        (
            {"months": "99999999999 months"},
            "column Planned Dates:Duration (months) (value '99999999999 months'): is longer than 100 years",
        ),
        ({"amount": "１２０００"}, "column Amount Awarded (value '１２０００'): is written with digits other than 0-9"),
        ({"start": "٢٠٢٥-٠٢-٠١"}, "column Planned Dates:Start Date (value '٢٠٢٥-٠٢-٠١'): is written with digits"),
        ({"start": "9999-12-01"}, "is not a plausible date"),
    ],
)
def test_360giving_amounts_durations_and_dates_no_grant_has_are_problems(tiny_db, before, changes, expected):
    result = import_files([SourceFile("grants.csv", grants(grant(**changes)))], tiny_db, as_of=AS_OF)
    refused(result, tiny_db, before, f"grants.csv, row 2, {expected}" if "column" in expected else expected)


def test_a_360giving_amount_of_100_005_is_rounded_to_the_penny_with_a_note(tiny_db, read):
    result = import_files([SourceFile("grants.csv", grants(grant(amount="100.005")))], tiny_db, as_of=AS_OF)
    assert result.ok, [str(p) for p in result.problems]
    assert [str(w) for w in result.warnings if "decimal" in w.reason] == [
        "grants.csv, row 2, column Amount Awarded (value '100.005'): has more than 2 decimal places; imported as "
        "£100.01 (rounded to the nearest penny, half up)"
    ]
    assert read(tiny_db).execute(
        "select amount_gbp::varchar from funding where funding_id = '360G-H-1'"
    ).fetchall() == [("100.01",)]


@pytest.mark.parametrize("depth", [100_000, 5_000])
def test_deeply_nested_json_is_refused_clearly(tiny_db, before, depth):
    nested = '{"grants": [' + "[" * depth + "]" * depth + "]}"
    result = import_files([SourceFile("deep.json", nested.encode())], tiny_db, as_of=AS_OF)
    refused(result, tiny_db, before, "deep.json: is nested too deeply to read")


def test_json_nested_just_below_the_parsers_limit_is_read_without_walking_all_of_it(tiny_db, before):
    grant_json = {"id": "G1", "title": "T", "deep": json.loads("[" * 500 + "]" * 500)}
    result = import_files([SourceFile("g.json", json.dumps({"grants": [grant_json]}).encode())], tiny_db, as_of=AS_OF)
    refused(result, tiny_db, before, "g.json grants, row 1, column Amount Awarded: is empty")  # the grant's own


def test_a_json_number_of_thousands_of_digits_is_refused_clearly(tiny_db, before):
    data = ('{"grants": [{"id": "G1", "amountAwarded": ' + "9" * 5000 + "}]}").encode()
    result = import_files([SourceFile("big.json", data)], tiny_db, as_of=AS_OF)
    refused(result, tiny_db, before, "big.json: is not valid JSON")


# ---------------------------------------------------------------- headers


def test_a_64_kb_header_cannot_hide_a_duplicate_column(tiny_db, before):
    padding = ",".join(f"pad{i}" for i in range(9000))  # over 64 KB before the second amount_gbp
    data = costs("C900,P001,Sticks,20,once,2025-07-01,,1", header=f"{COST_HEADER},{padding},amount_gbp")
    assert data.index(b",amount_gbp\n") > 65536
    result = import_files([SourceFile("costs.csv", data)], tiny_db)
    refused(result, tiny_db, before, "costs.csv, row 1: has a header row longer than 64 KB")


def test_a_duplicate_column_at_the_end_of_a_long_header_is_named(tiny_db, before):
    data = costs("C900,P001,Sticks,20,once,2025-07-01,,1,99", header=f"{COST_HEADER},amount_gbp")
    result = import_files([SourceFile("costs.csv", data)], tiny_db)
    refused(result, tiny_db, before, "costs.csv, row 1, column amount_gbp: appears twice in the header")


# ---------------------------------------------------------------- the write fails


def files_beside(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if not p.name.endswith(".lock"))


def test_a_disk_that_fills_during_the_import_is_a_clear_problem_and_nothing_is_half_written(tiny_db, monkeypatch):
    before_bytes = hashlib.sha256(tiny_db.read_bytes()).hexdigest()
    before_files = files_beside(tiny_db)

    def copy_until_full(source, target, *args, **kwargs):
        with open(source, "rb") as src, open(target, "wb") as dst:
            dst.write(src.read(4096))  # part of the copy lands, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(db.shutil, "copyfile", copy_until_full)
    result = import_files([SourceFile("costs.csv", costs("C900,P001,Sticks,20,once,2025-07-01,,1"))], tiny_db)
    assert not result.ok and result.import_id is None
    assert [p.reason for p in result.problems][0].startswith(
        "could not be written (the disk is full); nothing was imported, the database is exactly as it was"
    )
    assert str(result.problems[0]).startswith(str(tiny_db))
    assert hashlib.sha256(tiny_db.read_bytes()).hexdigest() == before_bytes
    assert files_beside(tiny_db) == before_files  # no temporary copy left behind


def test_a_read_only_folder_is_a_clear_problem(tiny_db, monkeypatch):
    before_bytes = hashlib.sha256(tiny_db.read_bytes()).hexdigest()

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(db.tempfile, "mkstemp", read_only)
    result = import_files([SourceFile("costs.csv", costs("C900,P001,Sticks,20,once,2025-07-01,,1"))], tiny_db)
    assert not result.ok
    assert "could not be written (its folder is read-only or this account may not write there)" in str(
        result.problems[0]
    )
    assert hashlib.sha256(tiny_db.read_bytes()).hexdigest() == before_bytes


def make_read_only(folder: Path) -> bool:
    """Make a folder truly read-only, even for root (the immutable attribute); False if this system cannot."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return True
    done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
    return done.returncode == 0


def undo_read_only(folder: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True, check=False)
    folder.chmod(0o755)


def test_a_truly_read_only_folder_is_a_clear_problem_and_nothing_changes(tiny_db):
    before_bytes = hashlib.sha256(tiny_db.read_bytes()).hexdigest()
    if not make_read_only(tiny_db.parent):
        pytest.skip("this file system cannot make a folder read-only for root (chattr +i)")
    try:
        result = import_files([SourceFile("costs.csv", costs("C900,P001,Sticks,20,once,2025-07-01,,1"))], tiny_db)
    finally:
        undo_read_only(tiny_db.parent)
    assert not result.ok
    assert "could not be written (its folder is read-only or this account may not write there)" in str(
        result.problems[0]
    )
    assert hashlib.sha256(tiny_db.read_bytes()).hexdigest() == before_bytes


def test_the_database_refusing_a_value_is_reported_and_recorded(tiny_db, before, monkeypatch):
    import duckdb

    from dashboard.files import importer

    def refuse(*args, **kwargs):
        raise duckdb.ConversionException("Could not convert string 'x' to INT32")

    monkeypatch.setattr(importer, "apply_tables", refuse)
    result = import_files([SourceFile("costs.csv", costs("C900,P001,Sticks,20,once,2025-07-01,,1"))], tiny_db)
    refused(result, tiny_db, before, "passed every check but the database refused it (Could not convert")


# ---------------------------------------------------------------- what goes out


def test_the_current_data_template_neutralises_formulas_in_text(tiny_db, tmp_path):
    from openpyxl import load_workbook

    data = projects_row("12").replace(b"PX9,Name,", b'PX9,"=HYPERLINK(""http://x.example"",""click"")",')
    assert import_files([SourceFile("projects.csv", data)], tiny_db).ok
    con = db.connect_read_only(tiny_db)
    try:
        workbook = load_workbook(io.BytesIO(template.current_xlsx_bytes(con)))
    finally:
        con.close()
    names = [row[1] for row in workbook["projects"].iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x.example","click")' in names
    assert not any(isinstance(n, str) and n.startswith("=") for n in names)
    # and it comes back in as typed
    path = tmp_path / "current.xlsx"
    con = db.connect_read_only(tiny_db)
    try:
        path.write_bytes(template.current_xlsx_bytes(con))
    finally:
        con.close()
    assert import_path(path, tiny_db).ok
    con = db.connect_read_only(tiny_db)
    try:
        assert con.execute("select name from projects where project_id = 'PX9'").fetchall() == [
            ('=HYPERLINK("http://x.example","click")',)
        ]
    finally:
        con.close()
