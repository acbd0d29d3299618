"""One press records one decision, in a real browser: a double-click on "Record the decision" makes one record, and
the form is then clear and names the new record."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.database import db
from dashboard.files.decisions import decision_history
from tests.e2e.streamlit_browser import open_page, wait_until_idle

expect = pytest.importorskip("playwright.sync_api", reason="pip install -r requirements.txt").expect
DEMO_PROJECTS = pd.read_csv(db.DEMO_DIR / "projects.csv")


def decisions_with(path, rationale: str) -> list[str]:
    con = db.connect_read_only(path)
    try:
        history = decision_history(con)
    finally:
        con.close()
    return history.loc[history["rationale"] == rationale, "decision_id"].tolist()


def test_a_double_click_on_record_the_decision_makes_one_record(page, app_url, e2e_db):
    project = DEMO_PROJECTS.iloc[4]
    open_page(page, app_url, "decisions", f"project={project['project_id']}")
    rationale = "Browser test: a double-click must record this continue decision exactly once."
    page.get_by_label("Rationale: why this decision (published)").fill(rationale)
    page.get_by_label("Decided by (kept in the record, not published)").fill("A. Tester")
    page.get_by_label("Their role (published, e.g. Director of Adult Social Services)").fill("Head of Commissioning")

    page.get_by_role("button", name="Record the decision").dblclick()

    success = page.locator('[data-testid="stAlertContentSuccess"]')
    success.wait_for(state="visible")
    wait_until_idle(page)
    recorded = decisions_with(e2e_db, rationale)
    assert len(recorded) == 1, recorded
    assert success.inner_text().startswith(f"Recorded decision {recorded[0]}: continue")
    expect(success.get_by_role("link", name="Its report")).to_have_attribute(
        "href", f"decisions?project={project['project_id']}&decision={recorded[0]}#decisions-on-this-project"
    )
    expect(page.get_by_label("Rationale: why this decision (published)")).to_have_value("")
    assert not page.locator('[data-testid="stAlertContentError"]').count()
