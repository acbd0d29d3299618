"""AppTest of the Decisions page on the tiny portfolio: cost of stopping, the decision form, history, downloads."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import TINY, build_db

pytestmark = pytest.mark.slow  # runs the app's pages (Streamlit AppTest)

PAGE = str(Path(__file__).resolve().parent.parent / "dashboard" / "views" / "decisions.py")
PLAN = "Their social worker reviews their support plan within four weeks."


@pytest.fixture
def page_db(tmp_path, monkeypatch):
    path = build_db(tmp_path / "page.duckdb", TINY)
    monkeypatch.setenv("COMMISSIONING_DB", str(path))
    return path


def form_key(at: AppTest, name: str) -> str:
    """The Decisions form's widget key for a field (each form has its own, by its submission token)."""
    return f"{name}_{at.session_state['decision_form_token']}"


def open_page(project: str | None = "P001") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if project:
        at.query_params["project"] = project
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def fill_form(at: AppTest, *, decision: str, plan: str) -> AppTest:
    at.selectbox(key=form_key(at, "decision")).set_value(decision)
    at.selectbox(key=form_key(at, "reason")).set_value("budget_pressure")
    at.text_area(key=form_key(at, "rationale")).input(
        "The personal budget was reviewed and this support is no longer funded."
    )
    at.text_area(key=form_key(at, "transition_plan")).input(plan)
    at.text_input(key=form_key(at, "decided_by")).input("Jane Smith")
    at.text_input(key=form_key(at, "decided_by_role")).input("Head of commissioning")
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


def test_after_recording_the_form_is_clear_and_names_the_new_record_and_its_report(page_db):
    at = fill_form(open_page("P001"), decision="stop", plan=PLAN)
    message = at.success[0].value
    assert message.startswith("Recorded decision D0001: stop from 30 June 2025.")
    assert "(decisions?project=P001&decision=D0001#decisions-on-this-project)" in message
    assert at.text_area(key=form_key(at, "rationale")).value == ""  # a fresh form for the next decision
    assert at.text_input(key=form_key(at, "decided_by")).value == ""
    assert at.selectbox(key="report_for").value == "D0001"
    assert at.query_params["decision"] == ["D0001"] or at.query_params["decision"] == "D0001"


def test_the_same_form_submitted_again_records_nothing_more(page_db):
    at = open_page("P001")
    at.selectbox(key=form_key(at, "decision")).set_value("continue")
    at.text_area(key=form_key(at, "rationale")).input("Keep it: the drumkit is the cheapest way to meet this need.")
    at.text_input(key=form_key(at, "decided_by")).input("Jane Smith")
    token = at.session_state["decision_form_token"]
    at.button[0].click()
    at.run()
    assert "Recorded decision D0001" in at.success[0].value
    # the second press of a double-click arrives carrying the first form's token
    at.session_state["decision_form_submitted"] = token
    at.run()
    assert not at.exception
    assert at.dataframe[0].value["Decision ID"].tolist() == ["D0001"]


def test_a_decision_record_altered_outside_the_app_stops_the_form(page_db):
    at = fill_form(open_page("P001"), decision="stop", plan=PLAN)
    copy = page_db.with_name("edited.duckdb")  # a SQL client on a copy, put back over the file
    shutil.copyfile(page_db, copy)
    con = duckdb.connect(str(copy))
    con.execute("update decisions set rationale = 'Rewritten afterwards' where decision_id = 'D0001'")
    con.close()
    os.replace(copy, page_db)
    at = open_page("P001")
    assert any("altered outside the app, so no decision can be added" in e.value for e in at.error)
    submit = next(b for b in at.button if b.label == "Record the decision")
    assert submit.disabled
