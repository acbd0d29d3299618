"""The Budget page renders on the demo data, keyed to the as-of date, the year and the monitoring month in the URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.slow  # runs the app's pages (Streamlit AppTest)

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


@pytest.fixture
def app(demo_db, monkeypatch):
    monkeypatch.setenv("COMMISSIONING_DB", str(demo_db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["as_of"] = "2026-11-22"
    at.switch_page("views/budget.py")
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label))


def test_budget_page_shows_monitoring_at_the_latest_month_with_actuals(app):
    app.run()
    assert not app.exception
    assert metric(app, "Plan for 2026-27").startswith("£")
    assert metric(app, "Actual to October 2026").startswith("£")
    assert any("monitored at October 2026" in m.value for m in app.markdown)
    headers = [h.value for h in app.header]
    assert headers == ["Budget monitoring by project", "The council's budget by year", "Who pays, who benefits"]


def test_the_month_and_year_in_the_url_choose_what_is_monitored(app):
    app.query_params["month"] = "2026-06"
    app.query_params["fy"] = "2026-27"
    app.run()
    assert not app.exception
    assert metric(app, "Actual to June 2026").startswith("£")
    app.selectbox(key="budget_month").set_value("September 2026").run()
    assert not app.exception
    assert app.query_params["month"] in ("2026-09", ["2026-09"])


def test_a_month_outside_the_year_is_left_out_with_a_sentence(app):
    app.query_params["month"] = "2030-01"
    app.run()
    assert not app.exception
    assert any("is not in 2026-27" in w.value for w in app.warning)


def test_a_commissioner_may_not_open_the_budget_page(app, monkeypatch):
    monkeypatch.setenv("COMMISSIONING_ROLE", "commissioner")
    app.run()
    assert not app.exception
    assert not any(m.label.startswith("Plan for") for m in app.metric)


def test_project_page_shows_the_drumkit_against_plan(demo_db, monkeypatch):
    monkeypatch.setenv("COMMISSIONING_DB", str(demo_db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["as_of"] = "2026-11-22"
    at.switch_page("views/project.py")
    at.query_params["project"] = "P001"
    at.run()
    assert not at.exception
    sentence = "Spending is on plan; savings are 100% of what was planned by October 2026."
    assert any(m.value == sentence for m in at.markdown)
    assert any(s.value == "Against plan: actual spend and savings" for s in at.subheader)
