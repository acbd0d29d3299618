"""Hostile text in the data, the URL and the forms: shown as text, harmless to the database, and neutralised in
every export.

A project is imported whose name, provider, locality and funder hold HTML, JavaScript, markdown (an image that
would fetch a tracking pixel, a javascript: link), SQL and spreadsheet formulas; a decision is recorded with
formula- and SQL-looking text. The pages must show all of it literally, the database must still hold exactly
what was typed, and neither the finance export nor the decisions register may hand a spreadsheet a formula.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.database import db
from dashboard.files.decisions import DecisionInput, decision_history, record_decision, register_bytes
from dashboard.files.export_files import DANGEROUS_FIRST_CHARACTERS
from dashboard.files.finance import FinanceRequest, build_finance_sheets, finance_csv_zip_bytes, finance_xlsx_bytes
from dashboard.rules.appraisal import Assumptions
from dashboard.rules.formatting import escape_markdown
from tests.conftest import TINY, build_db

pytestmark = pytest.mark.slow  # runs the app's pages (Streamlit AppTest) with hostile text

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")
AS_OF = date(2026, 11, 22)

NAME = (
    '=HYPERLINK("http://evil.example/x","Click") <script>alert(1)</script> **bold** '
    "[x](javascript:alert(1)) ![t](http://evil.example/pixel.png) :red[alarm] $x^2$"
)
PROVIDER = "<img src=x onerror=alert(1)>"
LOCALITY = "'; drop table projects; --"
FUNDER = '@SUM(1+1)*cmd|"/C calc"!A0'
RATIONALE = "=1+1 '); drop table decisions; -- <b>kept as typed</b> and long enough to record"
ROLE = "-2+3 Director"
# what must never reach a markdown element unescaped
RAW = ["<script>", "<img src=x", "](javascript:", "![t](", "**bold**", ":red[", "$x^2$"]


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile_csv")
    for path in TINY.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if path.name == "projects.csv":
            frame.loc[frame["project_id"] == "P002", ["name", "provider", "locality"]] = [NAME, PROVIDER, LOCALITY]
        if path.name == "funding.csv":
            frame.loc[frame["funding_id"] == "F002", "funder"] = FUNDER
        frame.to_csv(folder / path.name, index=False)
    path = build_db(tmp_path_factory.mktemp("hostile") / "hostile.duckdb", folder)
    record_decision(
        path,
        DecisionInput(
            project_id="P002",
            decision="continue",
            effective_date=date(2026, 4, 1),
            reason_category="evidence_of_impact",
            rationale=RATIONALE,
            decided_by="=cmd|' /C calc'!A0",
            decided_by_role=ROLE,
        ),
        Assumptions(as_of=AS_OF),
    )
    return path


def markdown_texts(at: AppTest) -> list[str]:
    kinds = ("markdown", "caption", "title", "header", "subheader", "warning", "info", "success", "error")
    return [e.value for kind in kinds for e in getattr(at, kind)]


def run(page: str | None, db_path: Path, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("COMMISSIONING_DB", str(db_path))
    monkeypatch.setenv("COMMISSIONING_ROLE", "admin")
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["as_of"] = AS_OF.isoformat()
    for key, value in params.items():
        at.query_params[key] = value
    if page:
        at.switch_page(f"views/{page}.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_the_stored_values_are_exactly_what_was_imported_and_typed(hostile_db):
    con = db.connect_read_only(hostile_db)
    try:
        row = con.execute("select name, provider, locality from projects where project_id = 'P002'").fetchall()[0]
        funder = con.execute("select funder from funding where funding_id = 'F002'").fetchall()[0][0]
        history = decision_history(con, "P002")
        assert con.execute("select count(*) from projects").fetchall()[0][0] == 3
    finally:
        con.close()
    assert row == (NAME, PROVIDER, LOCALITY) and funder == FUNDER
    assert history["rationale"].tolist() == [RATIONALE]


def test_no_page_hands_data_to_unsafe_html():
    offenders = []
    for path in (ROOT / "dashboard").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "unsafe_allow_html=True" in text:
            offenders.append(f"{path.name}: unsafe_allow_html")
        for call in re.findall(r"st\.html\(([^)]*)\)", text):
            if not re.fullmatch(r"_[A-Z_]+", call.strip()):  # only module constants (fixed CSS), never data
                offenders.append(f"{path.name}: st.html({call})")
    assert offenders == []


@pytest.mark.parametrize("page", ["project", "decisions"])
def test_hostile_names_are_shown_as_literal_text_on_the_project_pages(hostile_db, monkeypatch, page):
    at = run(page, hostile_db, monkeypatch, project="P002")
    texts = markdown_texts(at)
    for raw in RAW:
        assert not [t for t in texts if raw in t], f"{raw!r} reached markdown unescaped"
    if page == "project":
        assert at.title[0].value == escape_markdown(NAME)  # the name is there, as text
        assert any(escape_markdown(PROVIDER) in t for t in texts)
        assert any(escape_markdown(FUNDER) in t for t in texts)


@pytest.mark.parametrize("page", [None, "summary", "equity", "scenarios", "assumptions"])
def test_every_other_page_runs_with_hostile_names_and_escapes_them(hostile_db, monkeypatch, page):
    at = run(page, hostile_db, monkeypatch)
    for raw in RAW:
        assert not [t for t in markdown_texts(at) if raw in t], f"{raw!r} reached markdown unescaped"


def test_sql_in_a_filter_or_the_url_is_just_a_value(hostile_db, monkeypatch):
    at = run(None, hostile_db, monkeypatch, localities=[LOCALITY])  # the Portfolio filtered to that locality
    assert next(m.value for m in at.metric if m.label == "Projects") == "1"
    at = run("project", hostile_db, monkeypatch, project="' or 1=1; drop table projects; --")
    assert not at.exception
    at = run("decisions", hostile_db, monkeypatch, project="P001'); delete from decisions; --")
    assert any("There is no project with the id" in w.value for w in at.warning)
    con = db.connect_read_only(hostile_db)
    try:
        assert con.execute("select count(*) from projects").fetchall()[0][0] == 3
        assert con.execute("select count(*) from decisions").fetchall()[0][0] == 1
    finally:
        con.close()


def cells_from_csv(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]


def assert_no_formula_text(cells: list[str], where: str) -> None:
    for cell in cells:
        if cell.startswith(DANGEROUS_FIRST_CHARACTERS):
            assert re.fullmatch(r"-?[\d.,£%]+", cell), f"{where}: {cell!r} would run as a formula"


def assert_no_formula_cells(data: bytes, where: str) -> int:
    book = openpyxl.load_workbook(io.BytesIO(data))
    texts = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{where} {sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    texts += 1
                    assert_no_formula_text([cell.value], f"{where} {sheet.title}!{cell.coordinate}")
    return texts


def test_every_export_neutralises_formula_looking_text(hostile_db):
    con = db.connect_read_only(hostile_db)
    try:
        request = FinanceRequest(assumptions=Assumptions(as_of=AS_OF))
        sheets = build_finance_sheets(con, request)
        register_csv = register_bytes(con, "csv")
        register_xlsx = register_bytes(con, "xlsx")
    finally:
        con.close()
    finance_zip = finance_csv_zip_bytes(sheets)
    with zipfile.ZipFile(io.BytesIO(finance_zip)) as archive:
        finance_cells = [
            c for name in archive.namelist() if name.endswith(".csv") for c in cells_from_csv(archive.read(name))
        ]
    assert "'" + NAME in finance_cells and "'" + FUNDER in finance_cells  # there, and neutralised
    assert_no_formula_text(finance_cells, "finance CSV")
    assert_no_formula_cells(finance_xlsx_bytes(sheets, request), "finance workbook")

    register_cells = cells_from_csv(register_csv)
    assert "'" + RATIONALE in register_cells and "'" + ROLE in register_cells
    assert_no_formula_text(register_cells, "register CSV")
    assert assert_no_formula_cells(register_xlsx, "register workbook") > 0
