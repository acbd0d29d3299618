"""Every page renders on the demo data without an exception, and widgets change what is shown."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.rules.formatting import gbp

pytestmark = pytest.mark.slow  # runs the app's pages (Streamlit AppTest)

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


@pytest.fixture
def app(demo_db, monkeypatch):
    monkeypatch.setenv("COMMISSIONING_DB", str(demo_db))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["as_of"] = "2026-11-22"
    return at


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_portfolio_page_shows_headline_figures_for_the_whole_demo_portfolio(app):
    app.run()
    assert not app.exception
    assert metric(app, "Projects") == "60"
    assert metric(app, "Committed funding").startswith("£")
    assert any("Text alternative" in c.value for c in app.caption)


def test_a_filter_change_changes_the_figures_and_the_url(app):
    app.run()
    before = metric(app, "Costs from now")
    app.multiselect(key="filter_service_areas").set_value(["Carers"]).run()
    assert not app.exception
    assert metric(app, "Projects") != "60"
    assert metric(app, "Costs from now") != before
    assert app.query_params["service_areas"] in ("Carers", ["Carers"])


def test_filters_in_the_url_open_the_same_view(app):
    app.query_params["risk_bands"] = ["high"]
    app.run()
    assert not app.exception
    assert metric(app, "Projects at high risk") == metric(app, "Projects")


def test_as_of_date_changes_the_funding_ending_figures(app):
    app.run()
    before = metric(app, "Funding ending in 12 months")
    app.date_input[0].set_value(date(2028, 1, 1)).run()
    assert not app.exception
    assert metric(app, "Funding ending in 12 months") != before


def test_project_page_explains_the_drumkit(app):
    app.switch_page("views/project.py")
    app.query_params["project"] = "P001"
    app.run()
    assert not app.exception
    assert app.title[0].value == "Drumkit from a personal budget"
    assert metric(app, "Benefits, whole life") == "£84,115"  # the whole-life view comes first
    assert any("cover its costs from month 1" in m.value for m in app.markdown)
    assert any(c.value.startswith("Present values at") for c in app.caption)
    assert any(m.value.startswith("**Low risk") for m in app.markdown)


def test_project_page_shows_a_closed_project_as_not_scored(app):
    app.switch_page("views/project.py")
    ended = "P035"
    app.query_params["project"] = ended
    app.run()
    assert not app.exception
    assert any("Not scored" in m.value for m in app.markdown)


def test_assumptions_page_changes_every_figure(app):
    app.switch_page("views/assumptions.py")
    app.run()
    assert not app.exception
    app.number_input[0].set_value(1.5)
    app.button[0].click().run()
    assert not app.exception
    assert any("Applied" in s.value for s in app.success)
    app.switch_page("views/project.py")
    app.query_params["project"] = "P001"
    app.run()
    # £1,500 a month for 5 years at 1.5% instead of 3.5%
    assert metric(app, "Benefits, whole life") == gbp(sum(18000 / 1.015**t for t in range(5)))
    assert metric(app, "Benefits, whole life") == "£87,379"
