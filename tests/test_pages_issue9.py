"""AppTest smoke tests: the Equity and Scenarios pages, and sensitivity and outcomes on Project and Portfolio."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.rules import scenarios
from tests.conftest import DATA, build_db

pytestmark = pytest.mark.slow  # runs the app's pages (Streamlit AppTest)

PAGES = Path(__file__).resolve().parent.parent / "dashboard" / "views"


def page(name: str, db_path: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("COMMISSIONING_DB", str(db_path))
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=90)
    at.query_params["as_of"] = "2026-11-22"
    return at


@pytest.fixture
def equity_db(tmp_path) -> Path:
    return build_db(tmp_path / "equity.duckdb", DATA / "equity")


def texts(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption])


def test_equity_page_shows_the_spread_and_hides_small_counts(equity_db, monkeypatch):
    at = page("equity", equity_db, monkeypatch)
    at.run()
    assert not at.exception
    assert "Spend per person ranges from £50 in Southvale to £500 in Eastmoor: 10.0 times as much" in texts(at)
    crosstab = next(d.value for d in at.dataframe if "Carers" in d.value.columns and "Total" in d.value.columns)
    assert crosstab.loc["Northgate", "Carers"] == "*"
    assert "3" not in crosstab.to_numpy().ravel().tolist()
    assert any("Text alternative" in c.value for c in at.caption)
    at.toggle[0].set_value(True).run()  # only projects running now
    assert not at.exception


def test_equity_page_renders_on_the_demo_portfolio(demo_db, monkeypatch):
    at = page("equity", demo_db, monkeypatch)
    at.run()
    assert not at.exception
    assert [h.value for h in at.header][:2] == ["Spend per person, place by place", "By service area"]


def test_scenarios_page_saves_a_scenario_and_makes_it_the_one_every_page_uses(tiny_db, monkeypatch):
    at = page("scenarios", tiny_db, monkeypatch)
    at.run()
    assert not at.exception
    assert "using **Base case**" in at.success[-1].value
    at.text_input[0].set_value("Benefits down")
    benefits_slider = next(s for s in at.slider if s.label == "Change benefits by (%)")
    benefits_slider.set_value(-20)
    next(b for b in at.button if b.label == "Save scenario").click().run()
    assert not at.exception, at.exception
    assert any("Saved 'Benefits down'" in s.value for s in at.success)
    chooser = next(s for s in at.selectbox if s.label == "Scenario")
    chooser.set_value("Benefits down")
    next(b for b in at.button if b.label == "Use this scenario on every page").click().run()
    assert not at.exception
    assert at.session_state["view"].assumptions.benefit_factor == pytest.approx(0.8)
    assert at.session_state["view"].scenario == "Benefits down"
    assert at.query_params["scenario"] in ("Benefits down", ["Benefits down"])  # the view is in the address
    assert "using **Benefits down**" in at.success[-1].value
    totals = next(d.value for d in at.dataframe if "Scenario" in d.value.columns)
    assert totals["Scenario"].tolist() == ["Base case", "Benefits down"]


def test_scenarios_page_cannot_save_over_the_base_case(tiny_db, monkeypatch, read):
    at = page("scenarios", tiny_db, monkeypatch)
    at.run()
    at.text_input[0].set_value("Base case")
    next(b for b in at.button if b.label == "Save scenario").click().run()
    assert not at.exception
    assert any("cannot be changed" in e.value for e in at.error)
    assert [s.name for s in scenarios.list_scenarios(read(tiny_db))] == ["Base case"]


def test_project_page_shows_switching_values_tornado_table_and_outcomes(demo_db, monkeypatch):
    at = page("project", demo_db, monkeypatch)
    at.query_params["project"] = "P001"
    at.run()
    assert not at.exception
    headers = [h.value for h in at.header]
    assert "How sure are we?" in headers and "Outcomes beyond money" in headers
    body = texts(at)
    assert "Benefits could fall by" in body and "before this project stops paying for itself" in body
    assert "propels his own wheelchair" in body.lower()
    tornado = next(d.value for d in at.dataframe if "Net value at low setting" in d.value.columns)
    assert len(tornado) == 8


def test_portfolio_page_counts_projects_that_survive_pessimistic_assumptions(demo_db, monkeypatch):
    at = page("portfolio", demo_db, monkeypatch)
    at.run()
    assert not at.exception
    body = texts(at)
    assert "stay above break-even under a pessimistic scenario" in body
    assert "have at least one measured outcome beyond money" in body


def test_a_large_portfolio_waits_for_a_click_before_the_pessimistic_re_run(tiny_db, monkeypatch):
    from dashboard.components import sensitivity as component

    monkeypatch.setattr(component, "AUTO_RUN_LIMIT", 2)  # the tiny portfolio has 3 projects
    at = page("portfolio", tiny_db, monkeypatch)
    at.run()
    assert not at.exception
    assert "stay above break-even" not in texts(at)
    at.toggle(key="sensitivity_portfolio_run").set_value(True).run()
    assert not at.exception
    assert "1 of the 1 projects that pay for themselves" in texts(at)
