"""The one safe export path: formula injection neutralised, numbers kept numeric, files that open cleanly."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest

from dashboard.files import export_files
from dashboard.files.export_files import MONEY_FORMAT, Sheet

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


# --- the streaming writer (dashboard/files/xlsx_writer.py) ----------------------------------------------------

AWKWARD = [
    "Zoë 😀 中文 Wah Kiu",  # non-ASCII and an emoji (outside the BMP)
    "nul\x00 bell\x07 vt\x0b ff\x0c esc\x1b",  # characters XML 1.0 forbids
    "lone \ud800 surrogate",
    "noncharacter \ufffe",
    "typed _x0041_ escape",  # must not come back as "typed A escape"
    "  leading and trailing spaces  ",
    "line\nbreak",
    "a & b < c > d \" e ' f",
    "]]> not a CDATA end",
]


def awkward_sheet() -> Sheet:
    return Sheet("Awkward", pd.DataFrame({"t": pd.Series(AWKWARD, dtype=object)}))  # object: holds a lone surrogate


def xml_parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_xlsx_every_part_is_well_formed_xml_and_no_cell_is_a_formula_or_link():
    from xml.etree import ElementTree

    data = export_files.xlsx_bytes([sheet(totals=True), awkward_sheet()])
    parts = xml_parts(data)
    assert "[Content_Types].xml" in parts and "xl/sharedStrings.xml" in parts
    for text in parts.values():
        ElementTree.fromstring(text.encode("utf-8"))  # raises if not well-formed
        assert "<f>" not in text and "<f " not in text and "hyperlink" not in text.lower().replace("=hyperlink(", "")
    for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
        assert 't="str"' not in parts[name] and 't="inlineStr"' not in parts[name]  # text only as shared strings


def test_xlsx_awkward_text_survives_as_text():
    ws = workbook(awkward_sheet())["Awkward"]
    values = [ws.cell(row=r, column=1).value for r in range(2, len(AWKWARD) + 2)]
    assert all(ws.cell(row=r, column=1).data_type == "s" for r in range(2, len(AWKWARD) + 2))
    assert values[0] == "Zoë 😀 中文 Wah Kiu"
    assert "\x00" not in values[1] and values[1].startswith("nul") and values[1].endswith("esc_x001B_")
    assert values[2] == "lone \ufffd surrogate"  # cannot be stored in UTF-8: the replacement character
    assert values[3] == "noncharacter _xFFFE_"
    assert values[4] == "typed _x0041_ escape"  # written _x005F_x0041_, read back as the user typed it
    assert values[5] == "  leading and trailing spaces  "
    assert values[6] == "line\nbreak"
    assert values[7] == "a & b < c > d \" e ' f"
    assert values[8] == "]]> not a CDATA end"


def test_xlsx_writer_escapes_as_excel_reads_back():
    from dashboard.files.xlsx_writer import escape_text

    assert escape_text("plain") == "plain"
    assert escape_text("a<b&c") == "a&lt;b&amp;c"
    assert escape_text("\r") == "_x000D_" and escape_text("\x00") == "_x0000_"
    assert escape_text("\t\n") == "\t\n"  # allowed in XML, kept as they are
    assert escape_text("_x0041_") == "_x005F_x0041_"
    assert escape_text("_x41_") == "_x41_"  # not an escape (needs four hex digits)


def test_xlsx_rows_across_many_blocks_keep_their_order_and_blanks(monkeypatch):
    from dashboard.files import xlsx_writer

    monkeypatch.setattr(xlsx_writer, "ROWS_PER_BLOCK", 7)
    n = 50
    frame = pd.DataFrame(
        {
            "id": [f"P{i:03d}" for i in range(n)],
            "amount_gbp": [None if i % 5 == 0 else i * 1.01 for i in range(n)],
            "when": pd.to_datetime(["2025-04-01"] * n) + pd.to_timedelta(range(n), unit="D"),
            "flag": [i % 2 == 0 for i in range(n)],
            "kind": [None if i % 3 == 0 else ("odd" if i % 2 else "even") for i in range(n)],
        }
    )
    ws = workbook(Sheet("Long", frame, money_columns=("amount_gbp",), totals=True))["Long"]
    table = list(ws.iter_rows(values_only=True))
    assert len(table) == n + 2 and ws.auto_filter.ref == f"A1:E{n + 1}"
    for i, row in enumerate(table[1:-1]):
        expected_amount = None if i % 5 == 0 else round(i * 1.01, 2)
        assert row == (
            f"P{i:03d}",
            expected_amount,
            datetime(2025, 4, 1) + pd.Timedelta(days=i),
            i % 2 == 0,
            None if i % 3 == 0 else ("odd" if i % 2 else "even"),
        ), i
    assert table[-1][:2] == ("Total", round(sum(round(i * 1.01, 2) for i in range(n) if i % 5), 2))


def test_xlsx_money_is_written_to_the_penny_and_whole_numbers_without_a_point():
    frame = pd.DataFrame({"x_gbp": [0.1 + 0.2, 2.675, 3.0], "n": pd.array([1, 2, None], dtype="Int64")})
    data = export_files.xlsx_bytes([Sheet("S", frame, money_columns=("x_gbp",), totals=True)])
    xml = xml_parts(data)["xl/worksheets/sheet1.xml"]
    assert "<v>0.3</v>" in xml and "0.30000000000000004" not in xml
    assert '<c r="B2" s="' in xml and "<v>1</v>" in xml and "<v>1.0</v>" not in xml
    ws = openpyxl.load_workbook(io.BytesIO(data))["S"]
    # 2.675 is stored as 2.67499999999999982..., but x 100 is exactly 267.5: cells and totals round it alike
    assert [ws["A2"].value, ws["A3"].value, ws["A4"].value, ws["A5"].value] == [0.3, 2.68, 3, 5.98]
    assert ws["B4"].value is None and ws["A5"].value == round(ws["A2"].value + ws["A3"].value + ws["A4"].value, 2)


def test_xlsx_mixed_column_keeps_each_value_type():
    values = [1.5, date(2025, 4, 1), datetime(2025, 4, 1, 9, 30), True, "=1+1", None, float("nan"), "", "text"]
    ws = workbook(Sheet("Mixed", pd.DataFrame({"v": pd.Series(values, dtype=object)})))["Mixed"]
    got = [ws.cell(row=r, column=1) for r in range(2, len(values) + 2)]
    assert got[0].value == 1.5 and got[0].data_type == "n"
    assert got[1].value == datetime(2025, 4, 1) and got[1].number_format == "d mmmm yyyy"
    assert got[2].value == datetime(2025, 4, 1, 9, 30) and got[2].number_format == "d mmmm yyyy hh:mm"
    assert got[3].value is True
    assert got[4].value == "'=1+1" and got[4].data_type == "s"
    assert [c.value for c in got[5:8]] == [None, None, None]
    assert got[8].value == "text"


def test_xlsx_workbook_has_filter_names_properties_and_header_style():
    name = "Bob's sheet"
    data = export_files.xlsx_bytes(
        [Sheet(name, pd.DataFrame({"a": [1, 2]}))], {"title": "T", "author": "Zoë", "company": "Exampleshire"}
    )
    workbook_xml = xml_parts(data)["xl/workbook.xml"]
    assert '<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">\'Bob\'\'s sheet\'!$A$1:$A$3' in (
        workbook_xml
    )
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.properties.title == "T" and book.properties.creator == "Zoë"
    header = book[name]["A1"]
    assert header.font.bold and header.alignment.wrap_text and header.fill.fgColor.rgb == "FFF3F2F1"


def test_xlsx_refuses_more_rows_than_excel_holds(monkeypatch):
    from dashboard.files import xlsx_writer

    monkeypatch.setattr(xlsx_writer, "MAX_ROWS", 10)
    with pytest.raises(ValueError, match="at most 9 data rows"):
        export_files.xlsx_bytes([Sheet("Big", pd.DataFrame({"a": range(10)}))])


def test_xlsx_reads_back_with_pandas_as_the_frame_written():
    frame = pd.DataFrame({"name": ["Zoë", "=x", None], "amount_gbp": [1.25, None, -2.5]})
    back = pd.read_excel(io.BytesIO(export_files.xlsx_bytes([Sheet("S", frame, money_columns=("amount_gbp",))])))
    assert back["name"].tolist()[:2] == ["Zoë", "'=x"] and pd.isna(back["name"].iloc[2])
    assert back["amount_gbp"].iloc[0] == 1.25 and pd.isna(back["amount_gbp"].iloc[1])
    assert back["amount_gbp"].iloc[2] == -2.5


def test_long_sheets_built_by_duckdb_are_the_bytes_the_python_rows_were(monkeypatch):
    from dashboard.files import xlsx_writer

    n = 3_000
    frame = pd.DataFrame(
        {
            "id": [f"P{i:05d}" for i in range(n)],
            "name": [None if i % 7 == 0 else ("=odd" if i % 2 else "Zoë & <even>") for i in range(n)],
            "amount_gbp": [None if i % 5 == 0 else (i - 1500) * 1.005 for i in range(n)],
            "ratio": [float("inf") if i == 3 else i / 7 for i in range(n)],
            "when": pd.to_datetime(["2025-04-01"] * n) + pd.to_timedelta(range(n), unit="D"),
            "people": pd.array([None if i % 11 == 0 else i for i in range(n)], dtype="Int64"),
            "flag": [i % 3 == 0 for i in range(n)],
        }
    )
    sheet = Sheet("Long", frame, money_columns=("amount_gbp",), integer_columns=("people",), totals=True)

    def sheet_xml(rows_from: int) -> str:
        monkeypatch.setattr(xlsx_writer, "SQL_ROWS_FROM", rows_from)
        return xml_parts(export_files.xlsx_bytes([sheet]))["xl/worksheets/sheet1.xml"]

    by_duckdb, by_python = sheet_xml(1), sheet_xml(10**9)
    assert by_duckdb == by_python
    assert by_duckdb.count("<row ") == n + 2
