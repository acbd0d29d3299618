"""The projectitis score: every factor's points as of a date, worked by hand (tests/data/risk)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard.rules.appraisal import Assumptions, project_metrics
from dashboard.rules.risk import factor_reasons, risk_sentence
from tests.conftest import DATA, build_db

POINTS = [
    "risk_funding_runway_points",
    "risk_short_term_funding_points",
    "risk_funder_concentration_points",
    "risk_no_exit_plan_points",
    "risk_weak_evidence_points",
    "risk_little_coproduction_points",
    "risk_poor_value_points",
]


@pytest.fixture
def risk(tmp_path, read):
    path = build_db(tmp_path / "risk.duckdb", DATA / "risk")
    return project_metrics(read(path), Assumptions(as_of=date(2026, 11, 22))).set_index("project_id")


@pytest.mark.parametrize(
    ("project_id", "points", "score", "band"),
    [
        ("R1", [25, 20, 10, 0, 0, 0, 0], 55.0, "medium"),  # funding ends January 2027: 2 months
        ("R2", [18, 20, 10, 0, 0, 0, 0], 48.0, "medium"),  # April 2027: 5 months
        ("R3", [10, 20, 10, 0, 0, 0, 0], 40.0, "medium"),  # September 2027: 10 months
        ("R4", [0, 20, 10, 0, 0, 0, 0], 30.0, "low"),  # July 2028: 20 months
        ("R5", [0, 0, 0, 0, 0, 0, 0], 0.0, "low"),  # its only cost was one-off, in the past
        ("R6", [0, 5, 7.5, 15, 10, 10, 0], 47.5, "medium"),  # recurrent core funding, 25% time-limited
        ("R7", [25, 20, 10, 15, 5, 5, 10], 90.0, "high"),  # needs funding and has none
    ],
)
@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_each_factor_scores_as_the_rules_say(risk, project_id, points, score, band):
    row = risk.loc[project_id]
    assert [row[c] for c in POINTS] == points
    assert row["projectitis_score"] == score
    assert row["projectitis_band"] == band


def test_closed_projects_are_not_scored(tiny_db, read, base_assumptions):
    metrics = project_metrics(read(tiny_db), base_assumptions).set_index("project_id")
    ended = metrics.loc["P003"]
    assert pd.isna(ended["projectitis_score"])
    assert pd.isna(ended["projectitis_band"])
    assert risk_sentence(ended).startswith("Not scored")


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_runway_counts_whole_calendar_months_to_the_latest_active_funding_end(risk):
    assert risk.loc["R1", "runway_months"] == 2
    assert risk.loc["R4", "runway_months"] == 20


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_funding_that_has_ended_no_longer_counts_as_active(tmp_path, read):
    path = build_db(tmp_path / "risk.duckdb", DATA / "risk")
    later = project_metrics(read(path), Assumptions(as_of=date(2027, 2, 1))).set_index("project_id")
    # R1's only funding ended on 31 January 2027, so it now has none
    assert later.loc["R1", "active_funding_gbp"] == 0
    assert later.loc["R1", "projectitis_score"] == 55.0


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_risk_sentence_names_the_main_reasons_in_plain_english(risk):
    sentence = risk_sentence(risk.loc["R7"])
    assert sentence.startswith("High risk (90 out of 100): it has running costs but no funding in place")
    assert "there is no exit plan" in sentence
    one_funder = risk_sentence(risk.loc["R1"])
    assert "its only funding, a time-limited award from Lottery, ends in 2 months" in one_funder


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_factor_reasons_explain_every_factor_largest_first(risk):
    factors = factor_reasons(risk.loc["R6"])
    assert [f.points for f in factors] == sorted([f.points for f in factors], reverse=True)
    assert len(factors) == 7
    reasons = {f.key: f.reason for f in factors}
    assert reasons["funding_runway"] == "it has recurrent (core) funding in place"
    assert reasons["funder_concentration"] == "Council core budget provides 75% of its funding, across 2 funders"
    assert sum(f.points for f in factors) == risk.loc["R6", "projectitis_score"]


def test_lunch_club_scores_as_worked_by_hand(tiny_db, read, base_assumptions):
    club = project_metrics(read(tiny_db), base_assumptions).set_index("project_id").loc["P002"]
    # recurrent funding active -> no runway points; 75% time-limited -> 15; lottery 75% -> 7.5;
    # no exit plan 15; evidence 1 -> 10; co-production 3 -> 2.5; BCR below 1 -> 10
    assert [club[c] for c in POINTS] == [0, 15, 7.5, 15, 10, 2.5, 10]
    assert (club["projectitis_score"], club["projectitis_band"]) == (60.0, "medium")
