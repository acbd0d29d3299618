"""The funding cliff as a working list: queries/projects_funding_ending.sql against a hand count of the demo's
funding lines, and the Portfolio page's filter and the headline figure that opens it (AppTest)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.database import db

pytestmark = pytest.mark.slow  # runs the app's pages (Streamlit AppTest)

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
AS_OF = date(2026, 11, 22)
# by hand from data/demo/funding.csv: a line ending on or after 22 November 2026 and before 22 May 2027
WITHIN_6_MONTHS = [
    "P003",
    "P005",
    "P006",
    "P017",
    "P020",
    "P022",
    "P023",
    "P031",
    "P043",
    "P051",
    "P052",
    "P058",
    "P060",
]
WITHIN_3_MONTHS = ["P003", "P051"]  # before 22 February 2027


def ending(read, demo_db, **window):
    params = {"as_of": AS_OF, "within_months": None, "by_date": None, "project_ids": None, **window}
    return db.query_df(read(demo_db), "projects_funding_ending", params).sort_values("project_id")


def test_the_list_behind_funding_ending_in_6_months_is_the_hand_counted_one(read, demo_db):
    six = ending(read, demo_db, within_months=6)
    assert six["project_id"].tolist() == WITHIN_6_MONTHS
    assert ending(read, demo_db, within_months=3)["project_id"].tolist() == WITHIN_3_MONTHS
    summary = db.query_df(read(demo_db), "funding_ending_summary", {"as_of": AS_OF, "project_ids": None}).iloc[0]
    assert summary["projects_funding_ending_6_months"] == len(WITHIN_6_MONTHS)  # the headline agrees
    assert six["funding_ending_gbp"].sum() == summary["funding_ending_6_months_gbp"]
    p020 = six.set_index("project_id").loc["P020"]  # one line ends 31 March 2027, another runs to June
    assert (p020["next_funding_end_date"].date(), p020["months_left"]) == (date(2027, 3, 31), 4)
    assert p020["later_funding_gbp"] == 320_000


def test_by_a_date_includes_that_date(read, demo_db):
    by_march = ending(read, demo_db, by_date=date(2027, 3, 31))["project_id"].tolist()
    assert "P005" in by_march and "P020" in by_march  # both have a line ending on 31 March 2027


def test_the_headline_figure_opens_its_list_and_the_url_carries_the_filter(demo_db, monkeypatch):
    monkeypatch.setenv("COMMISSIONING_DB", str(demo_db))
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["as_of"] = AS_OF.isoformat()
    at.run()
    next(b for b in at.button if b.label == f"List these {len(WITHIN_6_MONTHS)} projects").click().run()
    assert not at.exception
    assert next(m.value for m in at.metric if m.label == "Projects") == str(len(WITHIN_6_MONTHS))
    assert at.query_params["funding_ends_within"] in ("6", ["6"])
    table = next(d.value for d in at.dataframe if "Funding ends" in d.value.columns)
    assert list(table.columns[:7]) == ["Project", "Details", "Risk band", "Risk score", "Funding ends", "Months left",
                                       "Net value from now"]  # fmt: skip
    assert len(table) == len(WITHIN_6_MONTHS)
    assert all("project=" in link and "funding_ends_within=6" in link for link in table["Details"])
