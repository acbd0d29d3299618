"""Every rejection rule of the template import, each with the message a user sees; and the inputs real
spreadsheets produce (byte-order mark, Windows line endings, multi-line text, UK dates, £ amounts) accepted."""

from __future__ import annotations

import shutil

import pytest

from dashboard.files.import_sources import import_path
from dashboard.files.importer import import_folder
from tests.conftest import TINY

COST_HEADER = "cost_id,project_id,item,amount_gbp,frequency,start_date,end_date,confidence_grade"
GOOD_COST = "C900,P001,Sticks,20,once,2025-07-01,,1"


def costs_folder(tmp_path, *rows: str, header: str = COST_HEADER):
    folder = tmp_path / "upload"
    folder.mkdir()
    (folder / "costs.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return folder


def problems_of(result) -> list[str]:
    assert not result.ok
    return [str(p) for p in result.problems]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "C900,P999,Sticks,20,once,2025-07-01,,1",
            "costs.csv, row 2, column project_id (value 'P999'): is not a known project_id",
        ),
        ("C900,P001,Sticks,-20,once,2025-07-01,,1", "column amount_gbp (value '-20'): is negative"),
        ("C900,P001,Sticks,20.123,once,2025-07-01,,1", "has more than 2 decimal places"),
        ("C900,P001,Sticks,twenty,once,2025-07-01,,1", "(value 'twenty'): is not an amount in pounds"),
        ("C900,P001,Sticks,20,daily,2025-07-01,,1", "(value 'daily'): is not a known code; use one of once, weekly"),
        ("C900,P001,Sticks,20,once,2025-02-30,,1", "(value '2025-02-30'): is not a real date"),
        ("C900,P001,Sticks,20,once,next week,,1", "(value 'next week'): is not a real date"),
        ("C900,P001,Sticks,20,once,0025-07-01,,1", "is not a plausible date"),
        (
            "C900,P001,Sticks,20,once,2025-07-01,2025-06-30,1",
            "column end_date (value '2025-06-30'): is before start_date",
        ),
        ("C900,P001,Sticks,20,once,2025-07-01,,7", "column confidence_grade (value '7'): is out of range"),
        ("C900,P001,Sticks,20,once,2025-07-01,,0", "column confidence_grade (value '0'): is out of range"),
        ("C900,P001,Sticks,20,once,2025-07-01,,2.5", "(value '2.5'): is not a whole number"),
        ("C900,P001,,20,once,2025-07-01,,1", "row 2, column item: is required but empty"),
    ],
)
def test_a_bad_cost_row_is_rejected_with_a_message_naming_row_column_and_reason(tiny_db, tmp_path, row, expected):
    result = import_folder(costs_folder(tmp_path, row), tiny_db)
    assert any(expected in p for p in problems_of(result)), problems_of(result)
    assert result.rejected == {"costs": 1}


def test_duplicate_ids_name_the_row_where_the_id_first_appears(tiny_db, tmp_path):
    result = import_folder(costs_folder(tmp_path, GOOD_COST, GOOD_COST.replace("Sticks", "Skins")), tiny_db)
    assert problems_of(result) == [
        "costs.csv, row 3, column cost_id (value 'C900'): is a duplicate cost_id; it also appears on row 2; "
        "give each row its own reference"
    ]


@pytest.mark.parametrize("share", ["1.5", "-0.1"])
def test_shares_outside_nought_to_one_are_rejected(tiny_db, tmp_path, share):
    folder = tmp_path / "upload"
    shutil.copytree(TINY, folder)
    (folder / "benefits.csv").write_text(
        (TINY / "benefits.csv").read_text().replace(",0.2,0.1,0.5,4", f",{share},0.1,0.5,4")
    )
    problems = problems_of(import_folder(folder, tiny_db))
    assert (
        f"benefits.csv, row 3, column deadweight_share (value '{share}'): must be a fraction from 0 to 1"
        in (problems[0])
    )


def test_every_problem_in_every_file_is_reported_in_one_pass(tiny_db, tmp_path):
    result = import_folder(
        costs_folder(tmp_path, "C900,P999,Sticks,-1,daily,2025-07-01,,9", "C901,P001,,20,once,bad,,1"), tiny_db
    )
    assert len(result.problems) == 6  # row 2: project, amount, frequency, grade; row 3: item, date
    assert result.rejected == {"costs": 2}
    assert result.summary() == "Nothing was imported: 6 problems found."


def test_a_missing_required_column_is_reported_from_the_header(tiny_db, tmp_path):
    header = COST_HEADER.replace(",confidence_grade", "")
    problems = problems_of(
        import_folder(costs_folder(tmp_path, "C900,P001,Sticks,20,once,2025-07-01,", header=header), tiny_db)
    )
    assert problems == [
        "costs.csv, row 1, column confidence_grade: is a required column but is missing from the header; add it"
    ]


def test_an_unknown_column_is_reported_with_the_columns_expected(tiny_db, tmp_path):
    folder = costs_folder(tmp_path, GOOD_COST + ",x", header=COST_HEADER + ",colour")
    problems = problems_of(import_folder(folder, tiny_db))
    assert problems[0].startswith("costs.csv, row 1, column colour: is not a column of costs; remove it or rename it")


def test_a_file_that_is_not_utf8_is_rejected_with_how_to_save_it(tiny_db, tmp_path):
    folder = costs_folder(tmp_path)
    (folder / "costs.csv").write_bytes(
        (COST_HEADER + "\nC900,P001,Caf\xe9 lunch,20,once,2025-07-01,,1\n").encode("cp1252")
    )
    problems = problems_of(import_folder(folder, tiny_db))
    assert problems == [
        "costs.csv: is not UTF-8 text (the first bad character is on line 2); in Excel use File > Save As > "
        "'CSV UTF-8 (Comma delimited)' and try again"
    ]


def test_an_unknown_file_in_a_folder_is_rejected(tiny_db, tmp_path):
    folder = costs_folder(tmp_path, GOOD_COST)
    (folder / "notes.csv").write_text("a,b\n1,2\n")
    assert "notes.csv: is not a template file" in problems_of(import_folder(folder, tiny_db))[0]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_bom_crlf_and_multi_line_quoted_text_import_as_written(tiny_db, tmp_path, read):
    folder = tmp_path / "upload"
    folder.mkdir()
    projects = (TINY / "projects.csv").read_text().splitlines()
    row = projects[1].replace(
        "A stroke survivor's drumkit replaces personal-assistant support",
        '"Line one, with a comma\r\nline two ""quoted"""',
    )
    (folder / "projects.csv").write_bytes(("\ufeff" + projects[0] + "\r\n" + row + "\r\n").encode("utf-8"))
    result = import_folder(folder, tiny_db)
    assert result.ok, [str(p) for p in result.problems]
    description = read(tiny_db).execute("select description from projects where project_id = 'P001'").fetchall()
    assert description == [('Line one, with a comma\r\nline two "quoted"',)]


def test_rows_after_a_multi_line_value_keep_their_spreadsheet_row_numbers(tiny_db, tmp_path):
    folder = costs_folder(
        tmp_path, 'C900,P001,"two\nlines",20,once,2025-07-01,,1', "", "C901,P001,x,-5,once,2025-07-01,,1"
    )
    assert problems_of(import_folder(folder, tiny_db)) == [
        "costs.csv, row 4, column amount_gbp (value '-5'): is negative; money must be 0 or more"
    ]


def test_uk_dates_pound_signs_and_thousands_commas_are_read_as_excel_saves_them(tiny_db, tmp_path, read):
    folder = costs_folder(tmp_path, 'C900,P001,Sticks,"£1,500.50",once,01/07/2025,31/12/2025,1')
    result = import_folder(folder, tiny_db)
    assert result.ok, [str(p) for p in result.problems]
    row = read(tiny_db).execute("select amount_gbp, start_date, end_date from costs where cost_id = 'C900'").fetchall()
    assert [(float(a), s.isoformat(), e.isoformat()) for a, s, e in row] == [(1500.5, "2025-07-01", "2025-12-31")]


def test_a_misplaced_comma_in_an_amount_is_not_guessed(tiny_db, tmp_path):
    problems = problems_of(import_folder(costs_folder(tmp_path, 'C900,P001,Sticks,"1,50",once,2025-07-01,,1'), tiny_db))
    assert "(value '1,50'): is not an amount in pounds" in problems[0]


def test_a_single_template_csv_is_recognised_by_its_name(tiny_db, tmp_path):
    folder = costs_folder(tmp_path, GOOD_COST)
    result = import_path(folder / "costs.csv", tiny_db)
    assert result.ok and result.summary() == "Imported 1 cost line."
