"""Choosing a project stays bounded at any portfolio size: a list up to 2,000 projects, a search above."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.slow  # runs the picker in Streamlit's AppTest

PICKER_SCRIPT = """
import pandas as pd
import streamlit as st
from dashboard.components import project_picker
n = st.session_state.get("n", 5)
projects = pd.DataFrame({"project_id": [f"P{i:07d}" for i in range(n)], "name": [f"Scheme {i}" for i in range(n)]})
row = project_picker.pick_project(projects, key="test")
st.write("chosen", row["project_id"])
"""


def picker(n: int) -> AppTest:
    at = AppTest.from_string(PICKER_SCRIPT, default_timeout=30)
    at.session_state["n"] = n
    return at


def test_a_small_portfolio_is_a_list_in_name_order_and_follows_the_url():
    at = picker(5)
    at.query_params["project"] = "P0000003"
    at.run()
    assert not at.exception
    assert at.selectbox[0].value == "P0000003"
    assert at.selectbox[0].options[:2] == ["Scheme 0 (P0000000)", "Scheme 1 (P0000001)"]
    assert not at.text_input


def test_a_large_portfolio_is_searched_and_never_lists_more_than_the_match_limit():
    at = picker(5000)
    at.run()
    assert not at.exception
    assert len(at.selectbox[0].options) == 1  # nothing typed yet: only a first project to show
    at.text_input[0].set_value("Scheme 1").run()
    assert not at.exception
    options = at.selectbox[0].options
    assert len(options) == 201  # the project already chosen (now in the URL) and 200 matches
    assert options[0] == "Scheme 0 (P0000000)"
    assert all("Scheme 1" in option for option in options[1:])


def test_a_large_portfolio_keeps_the_project_named_in_the_url():
    at = picker(5000)
    at.query_params["project"] = "P0004321"
    at.run()
    assert not at.exception
    assert at.selectbox[0].value == "P0004321"


def test_an_unknown_project_in_the_url_is_said_plainly():
    at = picker(5)
    at.query_params["project"] = "<b>nope</b>"
    at.run()
    assert not at.exception
    assert "There is no project with the id" in at.warning[0].value
