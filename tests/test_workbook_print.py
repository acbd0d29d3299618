"""Workbooks that print: A4 landscape, every column across one page, the header row on every page and tall
enough for its wrapped headings, and file names that say the years, filters and as-of date.

The print set-up is read back with openpyxl, and the demo's finance workbook is printed to PDF by LibreOffice
(headless) and the PDF read with pypdf: the pages are landscape, few, each names its sheet, every page of the
Projects sheet has its headings and its last column, and no heading runs into the first row of figures.
Install LibreOffice Calc (`apt-get install libreoffice-calc-nogui`; .ci/run and `make test` do it as root)
or those tests are skipped and say so.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from dashboard.commands import main
from dashboard.database import db
from dashboard.files import export_files, finance, xlsx_writer
from dashboard.files.export_files import Sheet
from dashboard.rules.appraisal import Assumptions, reference_assumptions
from dashboard.rules.filters import PortfolioFilters
from tests.conftest import AS_OF

pytestmark = pytest.mark.slow  # prints workbooks to PDF with LibreOffice

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice is not installed (apt-get install -y --no-install-recommends libreoffice-calc-nogui; "
    ".ci/run and make test install it as root): the printed-workbook checks are skipped",
)
ASSUMPTIONS = Assumptions(as_of=date(2026, 3, 31))


# --- file names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "years", "name"),
    [
        (PortfolioFilters(), (), "finance-all-years-all-projects-as-of-2026-03-31.xlsx"),
        (
            PortfolioFilters(service_areas=("Older people",), funders=("Better Care Fund",)),
            ("2025-26",),
            "finance-2025-26-older-people-better-care-fund-as-of-2026-03-31.xlsx",
        ),
        (
            PortfolioFilters(risk_bands=("high",)),
            ("2025-26", "2026-27"),
            "finance-2025-26-to-2026-27-risk-high-as-of-2026-03-31.xlsx",
        ),
        (
            PortfolioFilters(funders=("A", "B", "C")),
            ("2027-28", "2025-26"),
            "finance-2025-26-and-2027-28-3-funders-as-of-2026-03-31.xlsx",
        ),
        (PortfolioFilters(localities=("Zoë's Café & Co",)), (), "finance-all-years-zoes-cafe-co-as-of-2026-03-31.xlsx"),
    ],
)  # fmt: skip
def test_a_file_name_says_the_years_the_filters_and_the_as_of_date(filters, years, name):
    assert finance.file_name(finance.FinanceRequest(ASSUMPTIONS, filters, years), "xlsx") == name


def test_a_file_name_stays_short_and_safe_whatever_the_filters():
    filters = PortfolioFilters(service_areas=("x" * 300,), funders=("../../etc/passwd",), localities=("a/b\\c:d",))
    stem = finance.file_stem(finance.FinanceRequest(ASSUMPTIONS, filters))
    assert len(stem) <= finance.FILE_STEM_MAX
    assert stem.endswith("-as-of-2026-03-31")
    assert set(stem) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")


def test_the_cli_names_the_file_when_given_a_folder_or_no_out(tmp_path, monkeypatch, capsys, demo_db):
    args = ["export", "finance", "--db", str(demo_db), "--as-of", "2026-03-31", "--service-area", "Older people"]
    monkeypatch.chdir(tmp_path)
    assert main(args) == 0
    assert (tmp_path / "finance-all-years-older-people-as-of-2026-03-31.xlsx").is_file()
    folder = tmp_path / "exports"
    folder.mkdir()
    assert main([*args, "--out", str(folder), "--fy", "2025-26", "--table", "projects"]) == 0
    assert (folder / "finance-2025-26-older-people-as-of-2026-03-31-projects.csv").is_file()
    assert "Wrote" in capsys.readouterr().out


# --- print set-up ------------------------------------------------------------------------------------


def wide_sheet() -> Sheet:
    frame = pd.DataFrame({f"column_{i}": [float(i)] * 3 for i in range(12)})
    headers = {f"column_{i}": f"Present value of something quite long number {i} (£)" for i in range(12)}
    return Sheet("Wide", frame, money_columns=tuple(frame.columns), headers=headers)


def test_every_sheet_prints_landscape_fitted_to_the_width_with_its_header_row_repeated():
    book = openpyxl.load_workbook(io.BytesIO(export_files.xlsx_bytes([wide_sheet(), export_files.about_sheet([])])))
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == xlsx_writer.A4
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows.replace("$", "") == "1:1"
        assert "&P" in ws.oddFooter.center.text and "&A" in ws.oddHeader.left.text


def test_the_header_row_is_tall_enough_for_its_wrapped_headings():
    ws = openpyxl.load_workbook(io.BytesIO(export_files.xlsx_bytes([wide_sheet()])))["Wide"]
    width = ws.column_dimensions["A"].width  # a money column: narrower than its 52-character heading
    assert width < 30
    lines = xlsx_writer.wrapped_lines("Present value of something quite long number 0 (£)", 18.0)
    assert lines >= 3
    assert ws.row_dimensions[1].height >= 3 * xlsx_writer.LINE_HEIGHT_POINTS
    assert ws.row_dimensions[1].customHeight


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [("Project", 20, 1), ("Committed funding (£)", 14, 2), ("Unfunded spend, the gap (£)", 10, 4), ("x" * 30, 10, 4)],
)
def test_wrapped_lines_counts_as_a_spreadsheet_breaks_words(text, width, lines):
    assert xlsx_writer.wrapped_lines(text, width) == lines


def test_the_about_sheet_wraps_its_long_explanations():
    sheet = export_files.about_sheet([("Rule", "word " * 80)])
    ws = openpyxl.load_workbook(io.BytesIO(export_files.xlsx_bytes([sheet])))["About this export"]
    assert ws["B2"].alignment.wrap_text


# --- printed by LibreOffice --------------------------------------------------------------------------


def _pdf_of(path: Path, out_dir: Path) -> Path:
    profile = out_dir / "profile"  # a private LibreOffice profile: tests never share or touch a user's one
    command = [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf"]
    subprocess.run([*command, "--outdir", str(out_dir), str(path)], check=True, capture_output=True, timeout=180)
    return out_dir / (path.stem + ".pdf")


def _lines_with_heights(page) -> list[tuple[float, str]]:
    """(y, text) of every piece of text on a page, top of the page first."""
    pieces: list[tuple[float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            pieces.append((cm[5] + tm[5] * cm[3], text.strip()))

    page.extract_text(visitor_text=visit)
    return sorted(pieces, key=lambda p: -p[0])


@pytest.fixture(scope="module")
def printed(demo_db, tmp_path_factory):
    if SOFFICE is None:
        pytest.skip("LibreOffice is not installed")
    from pypdf import PdfReader

    out_dir = tmp_path_factory.mktemp("printed")
    con = db.connect_read_only(demo_db)
    try:
        request = finance.FinanceRequest(reference_assumptions(con, AS_OF))
        sheets = finance.build_finance_sheets(con, request, council_name="Exampleshire County Council")
    finally:
        con.close()
    path = out_dir / finance.file_name(request, "xlsx")
    export_files.write_xlsx(sheets, path)
    return PdfReader(_pdf_of(path, out_dir))


@needs_libreoffice
def test_the_printed_workbook_is_a_few_landscape_pages(printed):
    pages = printed.pages
    assert 6 <= len(pages) <= 16  # six sheets; it printed as 31 portrait pages before
    for page in pages:
        assert float(page.mediabox.width) > float(page.mediabox.height)


@needs_libreoffice
def test_every_printed_page_of_the_projects_sheet_has_its_headings_and_every_column(printed):
    project_pages = [p for p in printed.pages if (p.extract_text() or "").lstrip().startswith("Projects")]
    assert project_pages
    for page in project_pages:
        text = " ".join((page.extract_text() or "").split())
        assert "Project ID" in text and "Projectitis risk band" in text
        assert "Page " in text


@needs_libreoffice
def test_printed_headings_are_whole_and_above_the_first_row_of_figures(printed):
    # a header row one line high prints only the first line of each wrapped heading ("Committed funding",
    # without "(£)") and shows the rest over the first row on screen; every word must print above the figures
    page = next(p for p in printed.pages if (p.extract_text() or "").lstrip().startswith("Summary"))
    lines = _lines_with_heights(page)
    first_figures = max(y for y, text in lines if text == "2021-22")
    heading_words = " ".join(text for y, text in lines[1:] if y > first_figures).split()
    for heading in ("Committed funding (£)", "Unfunded spend, the gap (£)", "Projects with unfunded spend"):
        assert all(word in heading_words for word in heading.split()), heading
    assert heading_words.count("(£)") == 6
