"""The finance download buttons: on the Portfolio page, honouring the filters, producing the same files."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.database import db
from dashboard.files import finance
from dashboard.rules.appraisal import Assumptions, project_metrics
from dashboard.rules.filters import PortfolioFilters
from tests.conftest import DATA, build_db

pytestmark = pytest.mark.slow  # runs the app's pages (Streamlit AppTest)

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")


def test_streamlits_own_table_download_is_switched_off():
    config = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert "disableDataExport = true" in config.split("[client]", 1)[1].split("\n[", 1)[0]


def test_portfolio_page_offers_excel_and_csv_downloads(demo_db, monkeypatch):
    monkeypatch.setenv("COMMISSIONING_DB", str(demo_db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["as_of"] = "2026-11-22"
    at.run()
    assert not at.exception
    labels = [b.label for b in at.download_button]
    assert "Download finance workbook (Excel)" in labels
    assert "Download finance tables (CSV, zipped)" in labels
    assert not any(b.disabled for b in at.download_button if b.label.startswith("Download finance"))
    assert any(s.value == "Finance exports" for s in at.subheader)


def component_script():
    from datetime import date

    from dashboard import ui
    from dashboard.components.finance_downloads import render_finance_downloads
    from dashboard.rules.appraisal import Assumptions
    from dashboard.rules.filters import PortfolioFilters

    assumptions = Assumptions(as_of=date(2025, 6, 1), horizon_years=2)
    filters = PortfolioFilters(service_areas=("Carers",))
    render_finance_downloads(filters.apply(ui.metrics(assumptions)), filters, assumptions)


@pytest.fixture(scope="module")
def finance_db(tmp_path_factory) -> Path:
    return build_db(tmp_path_factory.mktemp("finance_downloads") / "finance.duckdb", DATA / "finance")


def test_component_lists_the_years_and_counts_the_projects_in_view(finance_db, monkeypatch):
    monkeypatch.setenv("COMMISSIONING_DB", str(finance_db))
    at = AppTest.from_function(component_script, default_timeout=60)
    at.run()
    assert not at.exception
    assert not at.multiselect  # every year unless someone asks to narrow them
    assert "for the 1 project in view" in at.caption[0].value
    at.toggle(key="finance_export_years_narrow").set_value(True).run()
    assert at.multiselect(key="finance_export_years").options == ["2024-25", "2025-26", "2026-27"]
    at.multiselect(key="finance_export_years").set_value(["2025-26"]).run()
    assert not at.exception
    assert len(at.download_button) == 2


def test_download_callables_build_the_filtered_workbook_and_zip(finance_db):
    from dashboard.components import finance_downloads

    assumptions = Assumptions(as_of=date(2025, 6, 1), horizon_years=2)
    filters = PortfolioFilters(service_areas=("Carers",))
    con = db.connect_read_only(finance_db)
    try:
        metrics = filters.apply(project_metrics(con, assumptions))
    finally:
        con.close()
    request = finance.FinanceRequest(assumptions, filters, ())
    version = db.database_version(finance_db)
    book = openpyxl.load_workbook(io.BytesIO(finance_downloads._workbook(version, request, "Council", metrics)))
    summary = [r for r in book["Summary by financial year"].iter_rows(values_only=True)]
    assert summary[1][:4] == ("2025-26", summary[1][1], summary[1][2], 1000.01)
    with zipfile.ZipFile(io.BytesIO(finance_downloads._csv_zip(version, request, "Council", metrics))) as archive:
        assert "4_projects.csv" in archive.namelist()
        assert "Q003" in archive.read("4_projects.csv").decode("utf-8-sig")
