"""Outcomes that are not pounds: they import, are validated like the other tables, and show per project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from dashboard.database import db
from dashboard.database.schema import OUTCOMES, TEMPLATE_TABLES
from dashboard.files.importer import import_folder
from dashboard.rules import outcomes
from tests.conftest import DATA


@pytest.fixture
def tiny_with_outcomes(tiny_db) -> Path:
    result = import_folder(DATA / "outcomes_ok", tiny_db)
    assert result.ok, [str(p) for p in result.problems]
    return tiny_db


def test_outcomes_is_an_optional_template_table_and_matches_its_ddl(tiny_db, read):
    assert OUTCOMES in TEMPLATE_TABLES and not OUTCOMES.required_file
    con = read(tiny_db)
    types = dict(
        con.execute("select column_name, data_type from duckdb_columns() where table_name = 'outcomes'").fetchall()
    )
    for column in OUTCOMES.columns:
        expected = column.sql_type.upper()
        assert types[column.name] == ("VARCHAR" if expected == "VARCHAR" else expected), column.name


def test_outcomes_import_and_show_change_progress_and_people(tiny_with_outcomes, read):
    frame = outcomes.project_outcomes(read(tiny_with_outcomes), "P001").set_index("outcome_id")
    wheelchair = frame.loc["T1"]
    assert (wheelchair["baseline"], wheelchair["latest"], wheelchair["target"]) == (0, 1, 1)
    assert wheelchair["progress_share"] == 1 and wheelchair["direction"] == "towards target"
    ascot = frame.loc["T2"]  # a negative ASCOT score is a real value
    assert ascot["change_from_baseline"] == pytest.approx(0.7)
    assert ascot["progress_share"] == pytest.approx(0.7 / 0.9)  # from -0.1 towards 0.8
    sentence = outcomes.outcome_sentence(ascot)
    assert "from -0.1 to 0.6, a change of +0.7; 78% of the way to its target of 0.8" in sentence
    assert "for 1 person, one person's story" in sentence
    assert "it has reached its target of 1" in outcomes.outcome_sentence(wheelchair)


def test_a_measure_with_no_target_or_no_change_is_worded_plainly(tiny_with_outcomes, read):
    frame = outcomes.project_outcomes(read(tiny_with_outcomes), "P002").set_index("outcome_id")
    flat = frame.loc["T4"]
    assert pd.isna(flat["progress_share"]) and flat["change_from_baseline"] == 0
    assert outcomes.outcome_sentence(flat).endswith("Measured on 31 March 2026 for 25 people.")
    carers = frame.loc["T3"]
    assert carers["progress_share"] == pytest.approx(0.5)
    assert "50% of the way to its target of 50" in outcomes.outcome_sentence(carers)


def test_share_of_projects_with_any_measured_outcome(tiny_with_outcomes, read):
    con = read(tiny_with_outcomes)
    coverage = outcomes.outcome_coverage(con)
    assert coverage == {
        "projects": 3,
        "projects_with_outcome": 2,
        "share_with_outcome": pytest.approx(2 / 3),
        "outcome_measures": 4,
        "people_measured": 39,
    }
    assert outcomes.outcome_coverage(con, ["P003"])["share_with_outcome"] == 0
    assert outcomes.coverage_sentence(coverage).startswith("2 of 3 projects (67%) have at least one measured outcome")


def test_bad_outcomes_are_reported_by_file_row_column_and_reason_and_nothing_is_written(tiny_db, read, tmp_path):
    folder = tmp_path / "bad"
    shutil.copytree(DATA / "outcomes_bad", folder)
    result = import_folder(folder, tiny_db)
    assert not result.ok
    found = {(p.row, p.column): p.reason for p in result.problems}
    assert found[(2, "latest")].startswith("is not a number")
    assert "not a known project_id" in found[(3, "project_id")]
    assert "out of range" in found[(4, "people_measured")]
    assert found[(5, "baseline")].startswith("is not a number")
    assert (5, "measured_on") in found
    assert all(p.file == "outcomes.csv" for p in result.problems)
    assert read(tiny_db).execute("select count(*) from outcomes").fetchall() == [(0,)]


def test_the_demo_portfolio_records_that_the_drumkit_player_propels_his_own_wheelchair(demo_db, read):
    con = read(demo_db)
    drumkit = outcomes.project_outcomes(con, "P001")
    assert drumkit["measure"].str.contains("propels his own wheelchair", case=False).any()
    coverage = outcomes.outcome_coverage(con)
    assert 20 <= coverage["projects_with_outcome"] <= 30


def test_a_database_without_the_outcomes_table_simply_has_no_outcomes(tiny_db, read):
    with db.write_database(tiny_db) as con:
        con.execute("drop table outcomes")
    con = read(tiny_db)
    assert outcomes.project_outcomes(con, "P001").empty
    coverage = outcomes.outcome_coverage(con)
    assert (coverage["projects"], coverage["projects_with_outcome"], coverage["share_with_outcome"]) == (3, 0, 0.0)
    assert outcomes.outcome_coverage(con, ["P001", "P002"])["projects"] == 2
