"""A link carries the view: scenario, assumptions, as-of date, financial years and filters, and absurd values in it
are left out with a sentence rather than an error (pages in AppTest, the rules directly)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.rules.appraisal import Assumptions
from dashboard.rules.filters import PortfolioFilters
from dashboard.rules.scenarios import Scenario
from dashboard.rules.view_state import link_params, read_link

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
TODAY = date(2026, 11, 22)
BASE = Scenario("Base case", 0.035, 5, (0.0, 0.05, 0.1, 0.15, 0.25, 0.4), is_base_case=True)
LOWER = Scenario("Benefits 20% lower", 0.035, 5, (0.0, 0.05, 0.1, 0.15, 0.25, 0.4), benefit_factor=0.8)
SCENARIOS = {s.name: s for s in (BASE, LOWER)}


def read(params):
    return read_link(params, SCENARIOS, "Base case", TODAY)


def test_a_scenario_link_reads_back_to_the_same_assumptions_and_writes_the_same_link():
    view = read({"scenario": ["Benefits 20% lower"], "as_of": ["2026-04-01"], "fy": ["2026-27", "2025-26"]})
    assert view.scenario == "Benefits 20% lower" and not view.problems
    assert view.assumptions == Assumptions(as_of=date(2026, 4, 1), benefit_factor=0.8)
    assert view.financial_years == ("2025-26", "2026-27")
    params = link_params(view, LOWER.assumptions(TODAY), "Base case")
    assert params == {"scenario": "Benefits 20% lower", "as_of": "2026-04-01", "fy": ["2025-26", "2026-27"]}
    assert read({k: [v] if isinstance(v, str) else v for k, v in params.items()}) == view


def test_assumptions_changed_from_a_scenario_travel_as_the_differences_only():
    view = read({"discount_rate": "0.05", "horizon_years": "10", "optimism_bias": "0,0.1,0.1,0.2,0.3,0.5"})
    assert view.assumptions.discount_rate == 0.05 and view.assumptions.horizon_years == 10
    assert link_params(view, BASE.assumptions(TODAY), "Base case") == {
        "discount_rate": "0.05",
        "horizon_years": "10",
        "optimism_bias": "0,0.1,0.1,0.2,0.3,0.5",
    }


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"as_of": "9999-12-31"}, "31 December 9999, is outside the dates"),
        ({"as_of": "2026-02-30"}, "is not a date written like 2026-11-22"),
        ({"scenario": "<b>nope</b>"}, "not saved here; the Base case is used"),
        ({"discount_rate": "4"}, "discount rate in the link, '4', cannot be used"),
        ({"horizon_years": "1e9"}, "horizon in the link"),
        ({"cost_factor": "nan"}, "not a number the dashboard can use"),
        ({"fy": "2025-27"}, "not written like 2025-26"),
    ],
)
def test_an_absurd_value_is_left_out_with_a_sentence_saying_why(params, words):
    view = read(params)
    assert view.assumptions == BASE.assumptions(TODAY)
    assert any(words in p for p in view.problems), view.problems


def test_the_funding_window_filter_round_trips_and_refuses_nonsense():
    filters, problems = PortfolioFilters.from_query_params_checked({"funding_ends_within": ["6"], "localities": "A"})
    assert not problems and filters.funding_window() == (6, None)
    assert PortfolioFilters.from_query_params(filters.to_query_params()) == filters
    assert filters.describe() == "localities: A; funding ends within 6 months"
    by_date, _ = PortfolioFilters.from_query_params_checked({"funding_ends_within": "2027-03-31"})
    assert by_date.funding_window() == (None, date(2027, 3, 31))
    for nonsense in ("7", "soon", "9999-12-31"):
        filters, problems = PortfolioFilters.from_query_params_checked({"funding_ends_within": nonsense})
        assert filters.is_empty() and problems


@pytest.mark.slow  # runs every page (Streamlit AppTest)
@pytest.mark.parametrize("page", [None, "summary", "project", "equity", "decisions", "assumptions", "scenarios"])
def test_every_page_opened_with_an_absurd_as_of_date_says_so_and_shows_its_figures(demo_db, monkeypatch, page):
    monkeypatch.setenv("COMMISSIONING_DB", str(demo_db))
    at = AppTest.from_file(APP, default_timeout=90)
    if page:
        at.switch_page(f"views/{page}.py")
    at.query_params["as_of"] = "9999-12-31"
    at.query_params["project"] = "P001"
    at.run()
    assert not at.exception
    assert any("31 December 9999" in w.value and "outside the dates" in w.value for w in at.warning)
    assert "as_of" not in at.query_params  # the address no longer carries what could not be used
