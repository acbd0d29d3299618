"""The finance workbook and CSV zip: what a finance officer opens and what an auditor reconciles.

Built from tests/data/finance (hostile names, figures worked out in test_finance_years.py), as of
1 June 2025 with a 2-year horizon.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from dashboard.commands import main
from dashboard.database import db
from dashboard.files import finance
from dashboard.files.export_files import MONEY_FORMAT
from dashboard.rules.appraisal import Assumptions, project_metrics
from dashboard.rules.filters import PortfolioFilters
from tests.conftest import DATA, build_db

AS_OF = date(2025, 6, 1)
ASSUMPTIONS = Assumptions(as_of=AS_OF, horizon_years=2)
PRODUCED = datetime(2025, 6, 2, 9, 30)
SHEET_NAMES = [
    "Summary by financial year",
    "By funder and year",
    "By service area and year",
    "Projects",
    "Funding ending in 12 months",
    "Budget monitoring",
    "MTFS by year",
    "Who pays by year",
    "Who pays, present value",
    "About this export",
]


@pytest.fixture(scope="module")
def finance_db(tmp_path_factory) -> Path:
    return build_db(tmp_path_factory.mktemp("finance_export") / "finance.duckdb", DATA / "finance")


def build(finance_db, request: finance.FinanceRequest):
    con = db.connect_read_only(finance_db)
    try:
        sheets = finance.build_finance_sheets(con, request, produced_at=PRODUCED, data_source="finance.duckdb")
        council = "Exampleshire County Council"
        return sheets, finance.finance_xlsx_bytes(sheets, request, council)
    finally:
        con.close()


@pytest.fixture(scope="module")
def book(finance_db):
    _, data = build(finance_db, finance.FinanceRequest(ASSUMPTIONS))
    return openpyxl.load_workbook(io.BytesIO(data))


def rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def column(ws, heading: str) -> list:
    table = rows(ws)
    i = table[0].index(heading)
    return [r[i] for r in table[1:]]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_workbook_has_its_sheets_in_order(book):
    assert book.sheetnames == SHEET_NAMES


def test_every_sheet_has_a_frozen_header_and_an_autofilter(book):
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title


def test_summary_values_formats_and_totals_reconcile_to_the_database(book, finance_db):
    ws = book["Summary by financial year"]
    table = rows(ws)
    assert table[0][:4] == ["Financial year", "From", "To", "Committed funding (£)"]
    assert [r[0] for r in table[1:]] == ["2024-25", "2025-26", "2026-27", "Total"]
    assert column(ws, "Committed funding (£)") == [666.67, 2133.34, 0, 2800.01]
    assert column(ws, "Planned spend (£)") == [2687.17, 4306.65, 720, 7713.82]
    assert column(ws, "Unfunded spend, the gap (£)") == [2020.50, 2313.32, 720, 5053.82]
    assert column(ws, "Funding less spend (£)")[-1] == -4913.81
    assert ws["B2"].value == datetime(2024, 4, 1) and ws["B2"].is_date
    assert ws["D2"].number_format == MONEY_FORMAT and ws["D5"].number_format == MONEY_FORMAT
    assert ws["A5"].font.bold
    con = db.connect_read_only(finance_db)
    try:
        database_pence = int(con.execute("select sum(amount_gbp) * 100 from funding").fetchall()[0][0])
    finally:
        con.close()
    assert round(ws["D5"].value * 100) == database_pence


def test_funder_and_service_area_totals_equal_the_summary_total(book):
    summary_total = column(book["Summary by financial year"], "Committed funding (£)")[-1]
    assert column(book["By funder and year"], "Committed funding (£)")[-1] == summary_total
    assert column(book["By service area and year"], "Committed funding (£)")[-1] == summary_total
    assert column(book["By service area and year"], "Planned spend (£)")[-1] == 7713.82
    assert column(book["Projects"], "Committed funding (£)")[-1] == summary_total
    assert column(book["Projects"], "Planned spend in years shown (£)")[-1] == 7713.82


def test_totals_equal_the_sum_of_the_cells_above_them(book):
    for name in SHEET_NAMES[:5]:
        ws = book[name]
        table = rows(ws)
        assert table[-1][0] == "Total" or "Total" in table[-1], name
        for i, heading in enumerate(table[0]):
            if heading.endswith("(£)") and table[-1][i] is not None:
                above = sum(r[i] or 0 for r in table[1:-1])
                assert round(above, 2) == table[-1][i], (name, heading)


def test_hostile_names_arrive_as_harmless_text(book):
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)
    projects = book["Projects"]
    assert column(projects, "Project")[:3] == ['\'=HYPERLINK("http://x","y")', "'+SUM(1,2)", "Café Zoë lunch club"]
    assert column(projects, "Service area")[1] == "'-2+3"
    assert column(projects, "Locality")[0] == "'@cmd"
    assert column(projects, "Provider")[0] == "<script>alert(1)</script>"
    assert "'=cmd|' /C calc'!A0" in column(book["By funder and year"], "Funder")
    assert column(projects, "Funders")[0] == "'=cmd|' /C calc'!A0; Better Care Fund"


def test_projects_sheet_has_identifiers_dates_and_the_appraisal(book):
    ws = book["Projects"]
    headings = rows(ws)[0]
    for heading in [
        "Project ID",
        "Status",
        "Start date",
        "People reached",
        "Present value of costs, whole life (£)",
        "Net present value, whole life (£)",
        "Benefit-cost ratio, whole life",
        "Fiscal benefit-cost ratio, whole life",
        "Present value of costs from now (£)",
        "Net present value from now (£)",
        "Benefit-cost ratio from now",
        "Fiscal payback (months)",
        "Projectitis score (0-100)",
        "Projectitis risk band",
    ]:
        assert heading in headings
    assert column(ws, "Project ID")[:3] == ["Q001", "Q002", "Q003"]
    assert column(ws, "Start date")[0] == datetime(2024, 4, 1)
    assert column(ws, "People reached")[-1] == 47  # the totals row adds people too
    # whole-life present values are each discounted to their own project's start: never totalled
    assert column(ws, "Present value of costs, whole life (£)")[-1] is None
    forward = column(ws, "Present value of costs from now (£)")
    assert forward[-1] == round(sum(v or 0 for v in forward[:-1]), 2)


def test_funding_ending_sheet_lists_lines_with_the_risk_band(book):
    ws = book["Funding ending in 12 months"]
    assert column(ws, "Funding ID") == ["G3", "G2", "G4", "Total"]
    assert column(ws, "Amount (£)")[-1] == 2700.01
    assert set(column(ws, "Projectitis risk band")[:3]) <= {"low", "medium", "high"}
    assert column(ws, "End date")[0] == datetime(2025, 6, 30)


def test_about_sheet_lets_an_auditor_reproduce_the_export(book):
    about = {r[0]: r[1] for r in rows(book["About this export"])[1:]}
    assert about["Council"] == "Exampleshire County Council"
    assert about["As-of date"] == datetime(2025, 6, 1)
    assert about["Produced"] == PRODUCED
    assert about["Discount rate (appraisal columns only)"] == "3.5%"
    assert about["Optimism bias, confidence grade 6 (appraisal only)"] == "40%"
    assert about["Filters applied"] == "none (the whole portfolio)"
    assert about["Rows in costs: in this export / in the database"] == "8 / 8"
    assert about["Committed funding of the chosen projects in the database (£)"] == 2800.01
    assert "31 March 2027" in about["Open-ended cost lines"]
    assert about["Reproduce with"] == (
        "python -m dashboard export finance --out finance.xlsx --as-of 2025-06-01 --discount-rate 0.035 "
        "--horizon-years 2"
    )


def test_reproduce_command_keeps_values_that_start_with_a_dash_as_values():
    request = finance.FinanceRequest(ASSUMPTIONS, PortfolioFilters(service_areas=("-2+3",)))
    assert finance.reproduce_command(request).endswith("--service-area=-2+3")


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_filters_and_years_narrow_the_export_and_are_recorded(finance_db):
    request = finance.FinanceRequest(
        ASSUMPTIONS, PortfolioFilters(service_areas=("Older people",), funders=("Better Care Fund",)), ("2025-26",)
    )
    _, data = build(finance_db, request)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert column(book["Summary by financial year"], "Financial year") == ["2025-26", "Total"]
    assert column(book["Summary by financial year"], "Committed funding (£)") == [633.33, 633.33]
    assert column(book["Projects"], "Project ID") == ["Q001", "Total"]
    about = {r[0]: r[1] for r in rows(book["About this export"])[1:]}
    assert about["Financial years shown"] == "2025-26"
    assert about["Filters applied"] == "service areas: Older people; funders: Better Care Fund"
    assert "--fy=2025-26 --service-area='Older people' --funder='Better Care Fund'" in about["Reproduce with"]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_csv_zip_has_one_csv_per_table_in_workbook_order(finance_db):
    sheets, _ = build(finance_db, finance.FinanceRequest(ASSUMPTIONS))
    with zipfile.ZipFile(io.BytesIO(finance.finance_csv_zip_bytes(sheets))) as archive:
        names = archive.namelist()
        assert names == [f"{i}_{key}.csv" for i, key in enumerate(finance.TABLES, start=1)] + ["README.txt"]
        summary = archive.read("1_summary_by_financial_year.csv")
        projects = archive.read("4_projects.csv").decode("utf-8-sig")
    assert summary.startswith(b"\xef\xbb\xbf") and b"\r\n" in summary
    table = list(csv.reader(io.StringIO(summary.decode("utf-8-sig"), newline="")))
    assert table[1][:4] == ["2024-25", "2024-04-01", "2025-03-31", "666.67"]
    assert len(table) == 4  # no totals row in CSV
    assert sum(round(float(r[3]) * 100) for r in table[1:]) == 280001
    project_rows = list(csv.reader(io.StringIO(projects, newline="")))
    assert project_rows[1][1] == '\'=HYPERLINK("http://x","y")' and project_rows[3][1] == "Café Zoë lunch club"


# --- command line ---------------------------------------------------------------------------------


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_cli_writes_the_workbook(finance_db, tmp_path, capsys):
    out = tmp_path / "month-end.xlsx"
    code = main(["export", "finance", "--db", str(finance_db), "--out", str(out), "--as-of", "2025-06-01",
                 "--horizon-years", "2"])  # fmt: skip
    assert code == 0
    assert "3 projects" in capsys.readouterr().out
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == SHEET_NAMES
    assert column(book["Summary by financial year"], "Committed funding (£)")[-1] == 2800.01


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_cli_writes_a_zip_with_repeatable_filters(finance_db, tmp_path):
    out = tmp_path / "tables.zip"
    code = main(["export", "finance", "--db", str(finance_db), "--out", str(out), "--as-of", "2025-06-01",
                 "--service-area", "Carers", "--service-area=-2+3", "--fy", "2025-26"])  # fmt: skip
    assert code == 0
    with zipfile.ZipFile(out) as archive:
        projects = archive.read("4_projects.csv").decode("utf-8-sig")
    assert [r[0] for r in csv.reader(io.StringIO(projects, newline=""))][1:] == ["Q002", "Q003"]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_cli_writes_one_chosen_table_as_csv(finance_db, tmp_path):
    out = tmp_path / "funders.csv"
    code = main(["export", "finance", "--db", str(finance_db), "--out", str(out), "--as-of", "2025-06-01",
                 "--table", "by_funder_and_financial_year"])  # fmt: skip
    assert code == 0
    assert out.read_bytes().startswith("\ufeffFunder,Financial year".encode())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "x.pdf"], "must end .xlsx"),
        (["--out", "x"], "no extension"),
        (["--out", "x.xlsx", "--fy", "2025"], "not a financial year"),
        (["--out", "x.xlsx", "--table", "projects"], "only applies to a .csv"),
    ],
)
def test_cli_rejects_bad_output_and_years_with_a_clear_message(finance_db, tmp_path, capsys, args, message):
    args = [a if not a.startswith("x") else str(tmp_path / a) for a in args]
    assert main(["export", "finance", "--db", str(finance_db), *args]) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # nothing half-written


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_cli_warns_when_no_project_matches(finance_db, tmp_path, capsys):
    out = tmp_path / "none.xlsx"
    assert main(["export", "finance", "--db", str(finance_db), "--out", str(out), "--funder", "Nobody"]) == 0
    assert "no project matches" in capsys.readouterr().err
    assert openpyxl.load_workbook(out).sheetnames == SHEET_NAMES


@pytest.mark.parametrize(
    "request_",
    [
        finance.FinanceRequest(ASSUMPTIONS),
        finance.FinanceRequest(ASSUMPTIONS, PortfolioFilters(service_areas=("Older people",)), ("2025-26",)),
    ],
)
@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_project_years_kept_for_one_export_give_the_tables_worked_out_from_the_lines(finance_db, request_):
    con = db.connect_read_only(finance_db)
    try:
        metrics = request_.filters.apply(project_metrics(con, ASSUMPTIONS))
        ids = None if request_.filters.is_empty() else metrics["project_id"].tolist()
        names = (
            "finance_summary_by_financial_year",
            "finance_by_service_area_and_financial_year",
            "finance_by_project",
        )
        computed = [finance._query(con, name, request_, ids) for name in names]
        with finance._project_years_kept(con, request_, ids):
            kept = [finance._query(con, name, request_, ids) for name in names]
        assert con.execute("select count(*) from duckdb_tables() where temporary").fetchall() == [(0,)]
        again = [finance._query(con, name, request_, ids) for name in names]
    finally:
        con.close()
    for a, b, c in zip(computed, kept, again, strict=True):
        assert a.equals(b) and a.equals(c)
        assert len(a) > 0
