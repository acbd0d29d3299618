"""The Budget page as a finance officer uses it in a real browser: the year and the monitoring month are chosen on the
page, land in the address, and that address alone shows a colleague the same monitoring.

The figures on screen are checked against dashboard/budget.py (the SQL the page shows), not against numbers copied
from the page, so a page that formats or adds up differently from the export fails here.
"""

from __future__ import annotations

from datetime import date

from dashboard.database import db
from dashboard.rules import budget
from dashboard.rules.appraisal import reference_assumptions
from dashboard.rules.formatting import gbp
from tests.e2e.streamlit_browser import metric_value, open_page, rerun_after

AS_OF = "2026-11-22"


def choose_in_selectbox(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    rerun_after(page, lambda: page.get_by_role("option", name=option, exact=True).click())


def expected_actual_to_date(database, fy_start: int, month: date | None) -> str:
    con = db.connect_read_only(database)
    try:
        assumptions = reference_assumptions(con, date.fromisoformat(AS_OF))
        return gbp(budget.budget_monitoring(con, assumptions, fy_start, month)["actual_to_date_gbp"].sum())
    finally:
        con.close()


def test_a_budget_link_with_a_year_and_a_month_shows_that_monitoring_in_a_fresh_browser(page, app_url, e2e_db):
    open_page(page, app_url, "budget", f"as_of={AS_OF}&fy=2025-26&month=2026-01")

    assert metric_value(page, "Actual to January 2026") == expected_actual_to_date(e2e_db, 2025, date(2026, 1, 1))
    assert page.get_by_text("Plan for 2025-26").first.is_visible()
    assert page.get_by_role("combobox", name="Monitoring month").input_value() == "January 2026"


def test_choosing_a_monitoring_month_puts_it_in_the_address_and_the_address_reproduces_it(
    browser, page, app_url, e2e_db
):
    open_page(page, app_url, "budget", f"as_of={AS_OF}")
    # without a month the page monitors at the latest month of the as-of year with any actual (the demo's October)
    assert metric_value(page, "Actual to October 2026") == expected_actual_to_date(e2e_db, 2026, None)
    assert "month=" not in page.url

    choose_in_selectbox(page, "Monitoring month", "June 2026")

    assert "month=2026-06" in page.url and f"as_of={AS_OF}" in page.url
    shown = metric_value(page, "Actual to June 2026")
    assert shown == expected_actual_to_date(e2e_db, 2026, date(2026, 6, 1))

    context = browser.new_context(viewport={"width": 1440, "height": 900})  # a colleague's browser: nothing shared
    try:
        fresh = context.new_page()
        base, query = page.url.split("?")
        open_page(fresh, base.rsplit("/", 1)[0], "budget", query)
        assert metric_value(fresh, "Actual to June 2026") == shown
    finally:
        context.close()


def test_a_commissioner_is_told_they_do_not_have_access_to_the_budget(new_page, e2e_db, tmp_path):
    from tests.e2e.conftest import start_streamlit

    server, url = start_streamlit(e2e_db, "commissioner", tmp_path / "streamlit.log")
    try:
        page = new_page()
        open_page(page, url, "budget", f"as_of={AS_OF}")
        assert page.get_by_text("You do not have access").first.is_visible()
        assert not page.locator('[data-testid="stMetric"]').count()
    finally:
        server.terminate()
        server.wait(timeout=10)
