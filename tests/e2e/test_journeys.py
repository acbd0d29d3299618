"""What a commissioner, a finance officer and a decision-maker do, done in a real browser: filter the portfolio and
see the figures change, open a project, download a finance export and open the file, record a decision."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from dashboard.database import db
from dashboard.files.finance import TABLES
from tests.e2e.streamlit_browser import declared_pages, metric_value, open_page, rerun_after

expect = pytest.importorskip("playwright.sync_api", reason="pip install -r requirements.txt").expect

DEMO_PROJECTS = pd.read_csv(db.DEMO_DIR / "projects.csv")
FILTER_AREA = "Carers"
CARERS = int((DEMO_PROJECTS["service_area"] == FILTER_AREA).sum())
DRUMKIT = DEMO_PROJECTS.set_index("project_id").loc["P001", "name"]


def choose_in_multiselect(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    rerun_after(page, lambda: page.get_by_role("option", name=option, exact=True).click())
    page.keyboard.press("Escape")
    page.get_by_role("listbox").wait_for(state="detached")  # its closing fade would skew a contrast scan


def test_choosing_a_service_area_changes_the_headline_figures_and_the_shareable_url(page, app_url):
    assert 0 < CARERS < len(DEMO_PROJECTS)
    open_page(page, app_url)
    assert metric_value(page, "Projects") == f"{len(DEMO_PROJECTS):,}"
    cost_before = metric_value(page, "Costs from now")

    choose_in_multiselect(page, "Service area", FILTER_AREA)

    assert metric_value(page, "Projects") == f"{CARERS:,}"
    assert metric_value(page, "Costs from now") != cost_before
    assert f"service_areas={FILTER_AREA}" in page.url

    shared = page.context.new_page()  # the URL alone brings a colleague to the same view
    open_page(shared, page.url.split("?")[0].removesuffix("/"), query=page.url.split("?")[1])
    assert metric_value(shared, "Projects") == f"{CARERS:,}"


def test_a_project_opens_from_its_link_and_another_can_be_chosen(page, app_url):
    open_page(page, app_url, "project", "project=P001")
    assert page.locator("h1").inner_text().strip() == DRUMKIT
    assert page.get_by_text("Projectitis risk").first.is_visible()

    other = DEMO_PROJECTS.iloc[1]
    page.get_by_role("combobox", name="Project").click()
    page.keyboard.type(other["project_id"])  # the list is long and scrolls: type to narrow it, as a person would
    option = page.get_by_role("option", name=f"{other['name']} ({other['project_id']})", exact=True)
    rerun_after(page, option.click)
    assert page.locator("h1").inner_text().strip() == other["name"]
    assert f"project={other['project_id']}" in page.url


def _download(page, label: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("button", name=label).click()
    download = info.value
    assert download.failure() is None
    return download.suggested_filename, open(download.path(), "rb").read()


def test_the_finance_workbook_and_csv_zip_download_for_the_projects_in_view_and_open_cleanly(page, app_url):
    open_page(page, app_url)
    if page.get_by_role("button", name="Download finance workbook (Excel)").count() == 0:
        pytest.skip("the Portfolio page has no finance download buttons yet")
    choose_in_multiselect(page, "Service area", FILTER_AREA)

    name, content = _download(page, "Download finance workbook (Excel)")
    assert name.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    assert workbook.sheetnames == list(TABLES.values())
    assert workbook["Projects"].max_row > CARERS  # a header, one row per project in view (and any totals)

    name, content = _download(page, "Download finance tables (CSV, zipped)")
    assert name.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        projects_csv = next(n for n in archive.namelist() if n.endswith("_projects.csv"))
        raw = archive.read(projects_csv)
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, so Excel keeps names like Zoe intact"
    projects = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    assert len(projects) == CARERS
    area_column = next(c for c in projects.columns if "service" in c.lower())
    assert set(projects[area_column]) == {FILTER_AREA}


def test_a_decision_is_recorded_from_the_decisions_page_and_shows_in_its_history(page, app_url):
    if "decisions" not in {p.url_path for p in declared_pages()}:
        pytest.skip("there is no Decisions page yet")
    project = DEMO_PROJECTS.iloc[2]
    open_page(page, app_url, "decisions", f"project={project['project_id']}")
    rationale = "Browser test: keep the lunch club running while the evaluation finishes."

    page.get_by_label("Rationale: why this decision (published)").fill(rationale)
    page.get_by_label("Evidence relied on").fill("Attendance registers for 2025-26.")
    page.get_by_label("Decided by (kept in the record, not published)").fill("A. Tester")
    page.get_by_label("Their role (published, e.g. Director of Adult Social Services)").fill("Head of Commissioning")
    rerun_after(page, page.get_by_role("button", name="Record the decision").click)

    success = page.locator('[data-testid="stAlertContentSuccess"]')
    refused = page.locator('[data-testid="stAlertContentError"]')
    success.or_(refused).first.wait_for(state="visible")
    assert refused.count() == 0, refused.first.inner_text()
    message = success.inner_text()
    assert message.startswith("Recorded decision ")
    decision_id = message.removeprefix("Recorded decision ").split(":")[0]

    expander = page.locator('[data-testid="stExpander"]').filter(has=page.locator("summary", has_text=decision_id))
    assert "Continue" in expander.locator("summary").inner_text()
    expander.locator("summary").click()
    expect(expander.get_by_text(rationale)).to_be_visible()  # waits for the expander to open
