"""The one safe export path: formula injection neutralised, numbers kept numeric, files that open cleanly."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest

from dashboard import export_files
from dashboard.export_files import MONEY_FORMAT, Sheet

HOSTILE = ['=HYPERLINK("http://x","y")', "+SUM(1,2)", "-2+3", "@cmd", "<script>alert(1)</script>", "\tTAB", "\rCR"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+SUM(1,2)", "'+SUM(1,2)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tcalc", "'\tcalc"),
        ("\rcalc", "'\rcalc"),
        ("\ncalc", "'\ncalc"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
        ("Lunch club = fun", "Lunch club = fun"),
        ("Zoë", "Zoë"),
        ("", ""),
    ],
)
def test_neutralise_prefixes_only_text_that_starts_like_a_formula(value, expected):
    assert export_files.neutralise(value) == expected


@pytest.mark.parametrize("value", [-2.5, -3, 0, 1.25, None, True, date(2025, 4, 1)])
def test_neutralise_leaves_numbers_dates_and_booleans_alone(value):
    assert export_files.neutralise(value) is value


def test_neutralise_joins_lists_and_checks_the_result():
    assert export_files.neutralise(["=a", "b"]) == "'=a; b"


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": HOSTILE + ['Café Zoë, "quoted"\nnew line'],
            "amount_gbp": [1.5, -2.25, 3.0, None, 5.0, 0.1, 0.2, 1234567.89],
            "start_date": pd.to_datetime(
                ["2025-04-01", None, "2025-03-31", "2025-01-01", "2025-01-01", "2025-01-01", "2025-01-01", "2026-03-31"]
            ),
            "people": pd.array([1, None, 3, 4, 5, 6, 7, 8], dtype="Int64"),
            "ratio": [0.5, 1.25, None, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )


def sheet(**kw) -> Sheet:
    return Sheet(
        "Test sheet",
        frame(),
        money_columns=("amount_gbp",),
        integer_columns=("people",),
        ratio_columns=("ratio",),
        headers={"name": "Name", "amount_gbp": "Amount (£)"},
        **kw,
    )


# --- CSV ----------------------------------------------------------------------------------------------


def test_csv_is_utf8_with_bom_crlf_and_rfc4180_quoting():
    data = export_files.csv_bytes(sheet())
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    assert text.count("\r\n") == 9 and text.endswith("\r\n")  # header + 8 rows, each ended CRLF
    assert "\n" not in text.replace("\r\n", "").replace("\nnew line", "")  # only the quoted field has a bare LF
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["Name", "Amount (£)", "start_date", "people", "ratio"]
    assert rows[8][0] == 'Café Zoë, "quoted"\nnew line'
    assert '"Café Zoë, ""quoted""\nnew line"' in text


def test_csv_neutralises_hostile_text_and_keeps_numbers_numeric():
    rows = list(csv.reader(io.StringIO(export_files.csv_bytes(sheet())[3:].decode("utf-8"), newline="")))
    names = [r[0] for r in rows[1:8]]
    assert names == ["'" + h if h[0] in "=+-@\t\r" else h for h in HOSTILE]
    amounts = [r[1] for r in rows[1:]]
    assert amounts == ["1.50", "-2.25", "3.00", "", "5.00", "0.10", "0.20", "1234567.89"]  # negative stays a number
    assert [r[2] for r in rows[1:3]] == ["2025-04-01", ""]
    assert [r[3] for r in rows[1:3]] == ["1", ""]
    assert rows[1][4] == "0.5"


def test_csv_of_a_plain_frame_uses_money_columns_given():
    data = export_files.csv_bytes(pd.DataFrame({"x_gbp": [0.1 + 0.2]}), money_columns=["x_gbp"])
    assert data == "\ufeffx_gbp\r\n0.30\r\n".encode()


def test_write_csv_to_a_path_writes_the_same_bytes(tmp_path):
    path = tmp_path / "out.csv"
    export_files.write_csv(sheet(), path)
    assert path.read_bytes() == export_files.csv_bytes(sheet())
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left behind


def test_csv_zip_holds_one_file_per_table_and_a_readme():
    data = export_files.csv_zip_bytes({"one": sheet(), "two.csv": pd.DataFrame({"a": ["=1"]})}, readme="Hello")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["one.csv", "two.csv", "README.txt"]
        assert archive.read("two.csv") == "\ufeffa\r\n'=1\r\n".encode()
        assert archive.read("one.csv") == export_files.csv_bytes(sheet())


def test_csv_zip_refuses_two_tables_with_the_same_file_name():
    with pytest.raises(ValueError, match="both"):
        export_files.csv_zip_bytes({"a b": pd.DataFrame(), "a_b": pd.DataFrame()})


# --- Excel --------------------------------------------------------------------------------------------


def workbook(*sheets: Sheet) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(export_files.xlsx_bytes(list(sheets))))


def test_xlsx_hostile_text_arrives_as_harmless_text_and_nothing_is_a_formula():
    data = export_files.xlsx_bytes([sheet(totals=True)])
    ws = openpyxl.load_workbook(io.BytesIO(data))["Test sheet"]
    names = [ws.cell(row=r, column=1).value for r in range(2, 9)]
    # openpyxl shows a carriage return as the XML escape _x000D_ that Excel reads back as CR
    names = [n.replace("_x000D_", "\r") for n in names]
    assert names == ["'" + h if h[0] in "=+-@\t\r" else h for h in HOSTILE]
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", cell.coordinate
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    assert "hyperlink" not in sheet_xml.lower().replace("=hyperlink(", "").replace("'=hyperlink", "")


def test_xlsx_money_is_numeric_in_gbp_format_with_negatives_visible():
    ws = workbook(sheet())["Test sheet"]
    cell = ws["B3"]
    assert cell.value == -2.25 and cell.data_type == "n"
    assert cell.number_format == MONEY_FORMAT == "£#,##0.00;[Red]-£#,##0.00"
    assert ws["B5"].value is None  # missing money is blank, not zero
    assert ws["D2"].number_format == "#,##0" and ws["E3"].number_format == "0.00"


def test_xlsx_dates_are_real_excel_dates():
    ws = workbook(sheet())["Test sheet"]
    assert ws["C2"].value == datetime(2025, 4, 1)
    assert ws["C2"].is_date and ws["C2"].number_format == "d mmmm yyyy"
    assert ws["C9"].value == datetime(2026, 3, 31)


def test_xlsx_header_frozen_autofilter_and_widths():
    ws = workbook(sheet())["Test sheet"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:E9"
    assert [c.value for c in ws[1]] == ["Name", "Amount (£)", "start_date", "people", "ratio"]
    assert ws.column_dimensions["A"].width >= 20
    assert all(ws.column_dimensions[c].width >= 8 for c in "ABCDE")


def test_xlsx_totals_row_is_a_value_summing_the_exported_pence():
    ws = workbook(sheet(totals=True))["Test sheet"]
    assert ws["A10"].value == "Total"
    assert ws["B10"].value == round(1.5 - 2.25 + 3 + 5 + 0.1 + 0.2 + 1234567.89, 2) == 1234575.44
    assert ws["B10"].data_type == "n" and ws["B10"].font.bold
    assert ws.auto_filter.ref == "A1:E9"  # the totals row sits outside the filter


def test_about_sheet_keeps_value_types():
    about = export_files.about_sheet([("As of", date(2025, 6, 1)), ("Rate", 0.035), ("Filters", "=bad")])
    ws = workbook(about)["About this export"]
    assert ws["B2"].value == datetime(2025, 6, 1) and ws["B2"].is_date
    assert ws["B3"].value == 0.035
    assert ws["B4"].value == "'=bad"


def test_sheet_names_are_made_valid_and_unique():
    name = export_files.sheet_name("a/b:c*d?e[f]g\\h" * 3)
    assert len(name) <= 31 and not set(name) & set("[]:*?/\\")
    assert name.startswith("a b c d e f g h")
    assert export_files.sheet_name("Summary", ["summary"]) == "Summary (2)"
    assert len(export_files.sheet_name("x" * 40, ["x" * 31])) <= 31


def test_empty_frame_still_gives_headers_freeze_and_filter():
    ws = workbook(Sheet("Empty", pd.DataFrame({"a_gbp": pd.Series([], dtype=float)}), money_columns=("a_gbp",)))[
        "Empty"
    ]
    assert ws["A1"].value == "a_gbp" and ws.freeze_panes == "A2"


def test_write_xlsx_writes_atomically(tmp_path):
    path = tmp_path / "book.xlsx"
    export_files.write_xlsx([sheet()], path, properties={"title": "T"})
    assert openpyxl.load_workbook(path).properties.title == "T"
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]
