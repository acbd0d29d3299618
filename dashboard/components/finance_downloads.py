"""Finance download buttons for the Portfolio page: the finance workbook and the CSV zip for the projects in view.

Why this shape: the files are built only when a button is pressed (Streamlit runs a callable `data` on
click, off the script thread) and `on_click="ignore"` means pressing it does not rerun the page. The
bytes are cached per database version, assumptions, filters and financial years, so a second click, or a
colleague asking for the same view, costs nothing. Every file goes through dashboard/export_files.py;
Streamlit's own table download is switched off (client.disableDataExport in .streamlit/config.toml).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import ui
from dashboard.database import db
from dashboard.files import finance
from dashboard.rules.appraisal import Assumptions
from dashboard.rules.filters import PortfolioFilters
from dashboard.rules.formatting import plural

YEARS_KEY = "finance_export_years"


def _build_sheets(version: tuple, request: finance.FinanceRequest, council: str, metrics: pd.DataFrame):
    con = db.connect_read_only(version[0])  # its own connection: this may run on the download thread
    try:
        return finance.finance_sheets(
            con,
            request,
            metrics,
            council_name=council,
            data_source=finance.describe_source(Path(version[0])),
        )
    finally:
        con.close()


@st.cache_data(max_entries=8, show_spinner=False)
def _workbook(version: tuple, request: finance.FinanceRequest, council: str, _metrics: pd.DataFrame) -> bytes:
    return finance.finance_xlsx_bytes(_build_sheets(version, request, council, _metrics), request, council)


@st.cache_data(max_entries=8, show_spinner=False)
def _csv_zip(version: tuple, request: finance.FinanceRequest, council: str, _metrics: pd.DataFrame) -> bytes:
    return finance.finance_csv_zip_bytes(_build_sheets(version, request, council, _metrics))


def _year_options(assumptions: Assumptions) -> list[str]:
    years = ui.query(
        "financial_years_with_money", as_of=assumptions.as_of, horizon_years=int(assumptions.horizon_years)
    )
    return years["financial_year"].tolist()


def render_finance_downloads(
    metrics_filtered: pd.DataFrame, filters: PortfolioFilters, assumptions: Assumptions
) -> None:
    """Draw the finance export section for the projects in view (metrics_filtered = filters applied)."""
    if not ui.can("export_finance"):  # finance, admin (dashboard/access.py)
        return
    st.subheader("Finance exports")
    st.caption(
        f"Committed funding and planned spend by financial year (April to March), by funder and by service area, "
        f"for the {plural(len(metrics_filtered), 'project')} in view, with each project's appraisal and the "
        "funding ending in the next 12 months. Nominal cash, to the penny; the workbook's About sheet says how "
        "every figure was worked out and how to reproduce it."
    )
    chosen: list[str] = []
    in_link = list(ui.financial_years())  # the years travel in the address (?fy=2025-26), like the filters
    if f"{YEARS_KEY}_narrow" not in st.session_state:
        st.session_state[f"{YEARS_KEY}_narrow"] = bool(in_link)
    # the year list is only worked out when someone asks to narrow the years (it reads every line's dates)
    if st.toggle("Only some financial years", key=f"{YEARS_KEY}_narrow", help="Off: every year with funding or spend."):
        options = _year_options(assumptions)
        st.session_state[YEARS_KEY] = [y for y in st.session_state.get(YEARS_KEY, in_link) if y in options]
        chosen = st.multiselect(
            "Financial years to include",
            options,
            key=YEARS_KEY,
            placeholder="Every year with funding or spend",
            help="Leave empty for every year. Totals then equal the committed funding in the database to the penny.",
        )
    ui.set_financial_years(chosen)
    request = finance.FinanceRequest(assumptions, filters, tuple(sorted(chosen)))
    version = ui.database_version()
    council = ui.council_name()
    empty = metrics_filtered.empty
    left, right = st.columns(2)
    left.download_button(
        "Download finance workbook (Excel)",
        data=lambda: _workbook(version, request, council, metrics_filtered),
        file_name=finance.file_name(request, "xlsx"),
        mime=finance.XLSX_MIME,
        on_click="ignore",
        icon=":material/download:",
        key="finance_download_xlsx",
        disabled=empty,
        width="stretch",
    )
    right.download_button(
        "Download finance tables (CSV, zipped)",
        data=lambda: _csv_zip(version, request, council, metrics_filtered),
        file_name=finance.file_name(request, "zip"),
        mime=finance.ZIP_MIME,
        on_click="ignore",
        icon=":material/folder_zip:",
        key="finance_download_zip",
        disabled=empty,
        width="stretch",
    )
