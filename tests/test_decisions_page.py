"""AppTest of the Decisions page on the tiny portfolio: cost of stopping, the decision form, history, downloads."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import TINY, build_db

PAGE = str(Path(__file__).resolve().parent.parent / "dashboard" / "views" / "decisions.py")
PLAN = "Their social worker reviews their support plan within four weeks."


@pytest.fixture
def page_db(tmp_path, monkeypatch):
    path = build_db(tmp_path / "page.duckdb", TINY)
    monkeypatch.setenv("COMMISSIONING_DB", str(path))
    return path


def open_page(project: str | None = "P001") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if project:
        at.query_params["project"] = project
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def fill_form(at: AppTest, *, decision: str, plan: str) -> AppTest:
    at.selectbox(key="decision").set_value(decision)
    at.selectbox(key="reason").set_value("budget_pressure")
    at.text_area(key="rationale").input("The personal budget was reviewed and this support is no longer funded.")
    at.text_area(key="transition_plan").input(plan)
    at.text_input(key="decided_by").input("Jane Smith")
    at.text_input(key="decided_by_role").input("Head of commissioning")
    at.button[0].click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_drumkit_page_says_there_is_nothing_to_stop(page_db):
    at = open_page("P001")
    assert at.selectbox[0].value == "P001"
    assert any(i.value.startswith("There is nothing to stop after 30 June 2025") for i in at.info)
    assert not at.warning
    assert any("No decisions have been recorded" in i.value for i in at.info)
    assert at.query_params["project"] == "P001"


def test_lunch_club_page_leads_with_continuing_then_the_council_then_everyone_else(page_db):
    at = open_page("P002")
    at.date_input[0].set_value("2026-06-30")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [m.label for m in at.metric]
    assert labels[:3] == ["Carrying on costs", "and brings benefits of", "Net saving from stopping"]
    assert labels[3:6] == [
        "Council-paid costs avoided",
        "Council cashable savings lost",
        "Wider public and social value lost",
    ]
    texts = [i.value for i in at.info] + [w.value for w in at.warning]
    assert any(t.startswith("Continuing after 30 June 2026 would cost") for t in texts)
    assert any(t.startswith("For the council's adult social care budget") for t in texts)
    assert any(m.value.startswith("Beyond the council, stopping would lose") for m in at.markdown)


def test_an_unknown_project_in_the_url_is_said_plainly(page_db):
    at = open_page("P999")
    assert "There is no project with the id 'P999'" in at.warning[0].value


def test_a_stop_without_a_transition_plan_is_refused_on_the_form(page_db):
    at = fill_form(open_page("P001"), decision="stop", plan="")
    assert "The decision was not recorded" in at.error[0].value
    assert "Transition plan: a stop decision must say" in at.error[0].value
    assert any("No decisions have been recorded" in i.value for i in at.info)


def test_a_valid_stop_is_recorded_and_shown_in_the_history(page_db):
    at = fill_form(open_page("P001"), decision="stop", plan=PLAN)
    assert not at.error
    assert "Recorded decision D0001: stop" in at.success[0].value
    history = at.dataframe[0].value
    assert history["Decision ID"].tolist() == ["D0001"]
    assert history["False economy"].tolist() == ["No"]  # nothing to stop
    assert at.selectbox[-1].value == "D0001"  # the report picker
