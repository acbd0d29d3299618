"""Links that must work for whoever opens them: deep links on a server that has just started, a page outside your
role, a scenario link in a fresh browser, absurd values in a link, the funding-cliff list, and names holding HTML.

Each server here is started for its test (tests/e2e/conftest.py starts the shared one): what matters is the first
request a freshly started server gets.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from dashboard.database import db
from dashboard.rules.appraisal import project_metrics, reference_assumptions
from dashboard.rules.formatting import gbp_headline
from tests.e2e.conftest import start_streamlit
from tests.e2e.streamlit_browser import ROOT, metric_value, open_page, rerun_after

AS_OF = "2026-11-22"
SCENARIO = "Benefits 20% lower"
# Counted by hand from data/demo/funding.csv: the projects with a funding line ending on or after 22 November 2026
# and before 22 May 2027 (within 6 months), the same 14 lines as the headline "Funding ending in 6 months"
ENDING_WITHIN_6_MONTHS = [
    "P003", "P005", "P006", "P017", "P020", "P022", "P023", "P031", "P043", "P051", "P052", "P058", "P060",
]  # fmt: skip
ENDING_WITHIN_3_MONTHS = ["P003", "P051"]
HOSTILE = '<a href="https://example.org/x">Evil link</a>'


def _cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=ROOT, check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def scenario_db(e2e_db, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("links") / "scenario.duckdb"
    shutil.copy(e2e_db, path)
    _cli("scenarios", "save", SCENARIO, "--benefit-factor", "0.8", "--db", str(path))
    return path


@pytest.fixture
def fresh_server(tmp_path):
    """start(db, role) -> the URL of a `streamlit run` that has served nothing yet; stopped after the test."""
    servers = []

    def start(database: Path, role: str) -> str:
        server, url = start_streamlit(database, role, tmp_path / f"streamlit-{len(servers)}.log")
        servers.append(server)
        return url

    yield start
    for server in servers:
        server.terminate()
        server.wait(timeout=20)


def test_a_deep_link_is_the_first_request_of_a_fresh_server_and_a_page_outside_the_role_says_no_access(
    new_page, fresh_server, e2e_db
):
    url = fresh_server(e2e_db, "commissioner")
    page = new_page()
    page.goto(f"{url}/data?from=a-shared-link", wait_until="domcontentloaded")  # the server's very first request
    refused = page.get_by_text("You do not have access")
    refused.first.wait_for(state="visible")
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0, "no page files listed outside the router"
    menu = {a.inner_text().split("\n")[-1] for a in page.locator('[data-testid="stPageLink-NavLink"]').all()}
    assert "Data" not in menu and "Portfolio" in menu  # the menu offers only the commissioner's pages

    other = new_page()
    open_page(other, url, "project", "project=P003")
    assert "Wah Kiu lunch club" in other.locator("h1").inner_text()


def test_a_viewer_following_a_project_link_is_told_they_do_not_have_access(new_page, fresh_server, e2e_db):
    url = fresh_server(e2e_db, "viewer")
    page = new_page()
    page.goto(f"{url}/project?project=P003", wait_until="domcontentloaded")
    page.get_by_text("You do not have access").first.wait_for(state="visible")
    assert page.get_by_text("Wah Kiu").count() == 0 and page.locator('[data-testid="stMetric"]').count() == 0
    assert page.get_by_text("Page not found").count() == 0


def test_a_scenario_link_opened_in_a_fresh_browser_shows_the_same_figures_and_names_the_scenario(
    browser, new_page, fresh_server, scenario_db
):
    url = fresh_server(scenario_db, "commissioner")
    page = new_page()
    open_page(page, url, "scenarios", f"as_of={AS_OF}")
    page.get_by_role("combobox", name="Scenario", exact=True).click()
    rerun_after(page, lambda: page.get_by_role("option", name=SCENARIO, exact=True).click())
    rerun_after(page, page.get_by_role("button", name="Use this scenario on every page").click)
    page.get_by_role("link", name="Portfolio").click()
    page.locator("h1", has_text="Portfolio").wait_for()
    open_page(page, page.url.split("?")[0].rsplit("/", 1)[0], "", page.url.split("?")[1])
    shared_link = page.url
    assert "scenario=Benefits+20%25+lower" in shared_link or "scenario=Benefits%2020%25%20lower" in shared_link
    here = metric_value(page, "Benefits from now")

    con = db.connect_read_only(scenario_db)
    expected = project_metrics(
        con, reference_assumptions(con, date.fromisoformat(AS_OF)).with_changes(benefit_factor=0.8)
    )["forward_pv_benefit_gbp"].sum()
    con.close()
    assert here == gbp_headline(expected)

    context = browser.new_context(viewport={"width": 1440, "height": 900})  # a colleague's browser: nothing shared
    try:
        fresh = context.new_page()
        base, query = shared_link.split("?")
        open_page(fresh, base.rstrip("/"), "", query)
        assert metric_value(fresh, "Benefits from now") == here
        basis = fresh.locator(".st-key-figures_basis").inner_text()
        assert SCENARIO in basis and "22 November 2026" in basis
        link = fresh.locator('[data-testid="stDataFrame"]').first  # "Open" carries the whole view
        assert link.is_visible()
    finally:
        context.close()


@pytest.mark.parametrize(
    "slug", ["", "summary", "project", "equity", "decisions", "budget", "assumptions", "scenarios"]
)
def test_an_absurd_date_in_a_link_gives_a_clear_message_not_an_error(page, app_url, slug):
    open_page(page, app_url, slug, "as_of=9999-12-31&discount_rate=4&scenario=%3Cb%3Enope%3C%2Fb%3E")
    assert page.locator('[data-testid="stException"]').count() == 0
    warning = page.locator('[data-testid="stAlertContentWarning"]', has_text="could not be used").inner_text()
    assert "31 December 9999" in warning and "outside the dates" in warning
    assert "discount rate" in warning and "nope" in warning


def _table_csv(page) -> pd.DataFrame:
    button = page.get_by_role("button", name="(CSV)").filter(has_text="Download these")
    with page.expect_download() as info:
        button.click()
    return pd.read_csv(io.BytesIO(open(info.value.path(), "rb").read()), encoding="utf-8-sig")


def test_funding_ends_within_gives_the_hand_counted_list_and_the_headline_figure_opens_it(page, app_url):
    open_page(page, app_url, "", f"as_of={AS_OF}")
    rerun_after(page, page.get_by_role("button", name="List these 13 projects").click)
    assert "funding_ends_within=6" in page.url
    assert metric_value(page, "Projects") == "13"
    listed = _table_csv(page)
    assert sorted(listed["Project ID"]) == ENDING_WITHIN_6_MONTHS
    assert {"Project", "Risk band", "Risk score", "Funding ends", "Months left", "Net value from now"} <= set(
        listed.columns
    )

    shared = page.context.new_page()  # the filter travels in the link
    open_page(shared, app_url, "", f"as_of={AS_OF}&funding_ends_within=3")
    assert sorted(_table_csv(shared)["Project ID"]) == ENDING_WITHIN_3_MONTHS


def test_the_key_columns_fit_at_1440_pixels(new_page, app_url):
    page = new_page(viewport={"width": 1440, "height": 900})
    open_page(page, app_url, "", f"as_of={AS_OF}")
    grid = page.locator('[data-testid="stDataFrame"]').first
    box = grid.bounding_box()
    scroller = grid.locator(".dvn-scroller").first
    widths = scroller.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert widths[0] <= widths[1] + 1, f"the key columns need sideways scrolling at 1440 pixels: {widths}"
    assert box["x"] + box["width"] <= 1440


@pytest.fixture(scope="module")
def hostile_db(e2e_db, tmp_path_factory) -> Path:
    """The demo with one more project whose name and locality hold a link (and a styled span)."""
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "hostile.duckdb"
    shutil.copy(e2e_db, path)
    projects = pd.read_csv(db.DEMO_DIR / "projects.csv", dtype=str, keep_default_na=False)
    row = projects[projects["project_id"] == "P005"].iloc[0].copy()
    row["project_id"], row["name"], row["locality"] = "H01", HOSTILE, '<span style="color:red">Redtown</span>'
    csv_folder = folder / "csv"
    csv_folder.mkdir()
    pd.DataFrame([row]).to_csv(csv_folder / "projects.csv", index=False, quoting=csv.QUOTE_MINIMAL)
    costs = pd.read_csv(db.DEMO_DIR / "costs.csv", dtype=str, keep_default_na=False)
    cost = costs[costs["project_id"] == "P005"].head(1).assign(cost_id="HC01", project_id="H01")
    cost.to_csv(csv_folder / "costs.csv", index=False)
    benefits = pd.read_csv(db.DEMO_DIR / "benefits.csv", dtype=str, keep_default_na=False)
    benefit = benefits[benefits["project_id"] == "P005"].head(1).assign(benefit_id="HB01", project_id="H01")
    benefit.to_csv(csv_folder / "benefits.csv", index=False)
    _cli("import", str(csv_folder), "--db", str(path))
    return path


def test_html_in_a_name_or_a_locality_is_drawn_as_text_in_every_chart(new_page, fresh_server, hostile_db):
    url = fresh_server(hostile_db, "admin")
    for slug, query in (("equity", ""), ("", f"as_of={AS_OF}&localities=%3Cspan+style%3D%22color%3Ared%22%3ERedtown")):
        page = new_page(viewport={"width": 1440, "height": 900})
        open_page(page, url, slug, query)
        charts = page.locator('[data-testid="stPlotlyChart"]')
        assert charts.count() > 0
        assert page.locator('[data-testid="stPlotlyChart"] a').count() == 0, "a name became a link in a chart"
        assert (
            page.locator(
                '[data-testid="stPlotlyChart"] svg text[style*="color:red"], '
                '[data-testid="stPlotlyChart"] tspan[style*="red"]'
            ).count()
            == 0
        )
        if slug == "equity":
            # a long label is drawn on several lines (charts.fit_narrow_screens), each a tspan: read them as words
            labels = page.evaluate(
                """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] svg text')].map((t) => {
                    const lines = [...t.querySelectorAll('tspan.line')];
                    return lines.length ? lines.map((l) => l.textContent).join(' ') : t.textContent;
                }).join(' ')"""
            )
            assert '<span style="color:red">Redtown</span>' in labels, "the locality is shown as its characters"
