"""What a user hands over is recognised: folders, zips, several CSVs, workbooks (template or 360Giving), and
files that are none of these get a clear message."""

from __future__ import annotations

import io
import zipfile

import pytest
import xlsxwriter

from dashboard.files.import_limits import ImportLimits
from dashboard.files.import_sources import SourceFile, import_files, import_path, read_files
from tests.conftest import TINY


def tiny_files() -> list[SourceFile]:
    return [SourceFile(p.name, p.read_bytes()) for p in sorted(TINY.glob("*.csv"))]


def zipped(files: list[SourceFile], folder: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for f in files:
            archive.writestr(folder + f.name, f.data)
        archive.writestr(folder + "README.txt", "ignored")
    return buffer.getvalue()


def workbook(sheets: dict[str, list[list]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def test_several_uploaded_csvs_import_together_as_one_template(tiny_db):
    result = import_files(tiny_files(), tiny_db)
    assert result.ok
    assert result.source_name == "benefits.csv, costs.csv, funding.csv, projects.csv"
    assert result.replaced == {"projects": 3, "funding": 4, "costs": 4, "benefits": 3}


def test_a_zip_of_template_csvs_in_a_subfolder_imports(tiny_db):
    result = import_files([SourceFile("upload.zip", zipped(tiny_files(), "exampleshire/"))], tiny_db)
    assert result.ok and result.format == "template"


def test_a_zip_with_a_stray_csv_names_it(tiny_db):
    files = tiny_files() + [SourceFile("notes.csv", b"a,b\n1,2\n")]
    result = import_files([SourceFile("upload.zip", zipped(files))], tiny_db)
    assert [str(p) for p in result.problems] == [
        "upload.zip/notes.csv: is not a template file; name it after its table (projects.csv, funding.csv, "
        "costs.csv, benefits.csv, outcomes.csv, actuals.csv) or check its header row"
    ]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_renamed_template_csv_is_recognised_by_its_columns(tiny_db):
    costs = (TINY / "costs.csv").read_bytes()
    result = import_files([SourceFile("Copy of our costs (3).csv", costs)], tiny_db)
    assert result.ok and result.replaced == {"costs": 4}


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_workbook_with_typed_excel_cells_imports_and_reports_sheet_rows(tiny_db, read):
    from datetime import datetime

    header = ["cost_id", "project_id", "item", "amount_gbp", "frequency", "start_date", "end_date", "confidence_grade"]
    rows = [header, ["X1", "P001", "Sticks", 20.5, "once", datetime(2025, 7, 1), None, 1.0], [None] * 8]
    rows.append(["X2", "P001", "Skins", -3, "once", datetime(2025, 7, 1), None, 2])
    data = workbook({"Guidance": [["ignored"]], "Costs": rows, "Notes": [["my notes"]]})
    result = import_files([SourceFile("ours.xlsx", data)], tiny_db)
    assert [str(p) for p in result.problems] == [
        "ours.xlsx, sheet Costs, row 4, column amount_gbp (value '-3'): is negative; money must be 0 or more"
    ]
    assert [str(w) for w in result.warnings] == ["ours.xlsx, sheet Notes: is not a template sheet, so it was ignored"]
    rows[3][3] = 3
    assert import_files([SourceFile("ours.xlsx", workbook({"costs": rows}))], tiny_db).ok
    assert read(tiny_db).execute(
        "select cast(amount_gbp as double), start_date::varchar from costs where cost_id = 'X1'"
    ).fetchall() == [(20.5, "2025-07-01")]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_360giving_workbook_is_detected_by_its_headers(tiny_db):
    rows = [
        ["Identifier", "Title", "Currency", "Amount Awarded", "Award Date", "Funding Org:Name", "Recipient Org:Name"],
        ["G1", "Lunch club", "GBP", 1000, "2025-01-01", "A Trust", "A Charity"],
    ]
    result = import_files([SourceFile("grants.xlsx", workbook({"grants": rows}))], tiny_db)
    assert result.ok and result.format == "360giving"


def test_files_that_are_not_imports_get_a_clear_message():
    assert read_files([SourceFile("old.xls", b"\xd0\xcf")]).problems[0].reason.startswith("is an old-style Excel file")
    assert read_files([SourceFile("x.xlsx", b"not a workbook")]).problems[0].reason.startswith("could not be opened")
    assert read_files([SourceFile("x.zip", b"not a zip")]).problems[0].reason == "is not a readable zip file"
    assert read_files([SourceFile("x.pdf", b"%PDF")]).problems[0].reason.startswith("is not a file this can read")
    assert read_files([]).problems[0].reason == "no file was given"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tiny_db):
    big = SourceFile("huge.csv", b"x" * (1024 * 1024 + 1))
    result = import_files([big], tiny_db, limits=ImportLimits(max_mb=1))
    assert "over the 1 MB limit" in str(result.problems[0])
    assert "python -m dashboard import PATH --max-mb N" in result.problems[0].reason


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_folder_path_reads_its_csvs(tiny_db):
    result = import_path(TINY, tiny_db)
    assert result.ok and result.format == "template-folder" and result.source_name == "tiny"
