"""Saved scenarios persist in the database; the Base case is always there and cannot be changed."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from datetime import date

import duckdb
import pytest

from dashboard import commands
from dashboard.database import db
from dashboard.rules import scenarios
from dashboard.rules.scenarios import BASE_CASE, Scenario, ScenarioError
from tests.conftest import AS_OF

PESSIMISTIC = Scenario(
    name="Pessimistic",
    description="Benefits 20% lower",
    discount_rate=0.035,
    horizon_years=5,
    optimism_bias=(0.0, 0.05, 0.10, 0.15, 0.25, 0.40),
    benefit_factor=0.8,
    cost_factor=1.2,
    grade_shift=1,
)


def run_cli(*argv) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = commands.main(list(argv))
    return code, out.getvalue()


def test_the_base_case_is_always_listed_first_and_comes_from_the_reference_tables(tiny_db, read):
    listed = scenarios.list_scenarios(read(tiny_db))
    assert [s.name for s in listed] == [BASE_CASE]
    base = listed[0]
    assert base.is_base_case
    assert (base.discount_rate, base.horizon_years, base.as_of_date) == (0.035, 5, None)
    assert base.optimism_bias == (0.0, 0.05, 0.10, 0.15, 0.25, 0.40)


def test_the_base_case_follows_the_reference_tables_when_they_change(tiny_db, read):
    with db.write_database(tiny_db) as con:
        con.execute("update ref_optimism_bias set optimism_bias_share = 0.5 where confidence_grade = 6")
        con.execute("update ref_discount_rates set rate = 0.03 where from_year = 0")
    base = scenarios.base_case(read(tiny_db))
    assert base.optimism_bias[-1] == 0.5
    assert base.discount_rate == 0.03


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_saved_scenario_persists_and_reads_back_identically(tiny_db, read):
    scenarios.save_scenario(PESSIMISTIC, tiny_db)
    fixed = Scenario(
        name="  Long   view ",
        discount_rate=0.015,
        horizon_years=10,
        optimism_bias=(0.0, 0.0, 0.1, 0.2, 0.3, 0.6),
        as_of_date=date(2026, 4, 1),
        drop_off_factor=1.5,
    )
    stored = scenarios.save_scenario(fixed, tiny_db)
    assert stored.name == "Long view"  # spaces tidied
    listed = scenarios.list_scenarios(read(tiny_db))  # a fresh connection to the swapped-in file
    assert [s.name for s in listed] == [BASE_CASE, "Long view", "Pessimistic"]
    assert listed[1] == Scenario(**{**fixed.__dict__, "name": "Long view"})
    assert listed[2] == PESSIMISTIC
    assert listed[1].assumptions().as_of == date(2026, 4, 1)
    assert listed[2].assumptions(AS_OF).as_of == AS_OF  # "today" scenarios use the day they are used


def test_the_base_case_cannot_be_saved_over_or_deleted(tiny_db, read):
    for name in ("Base case", "base CASE", "  Base   case "):
        with pytest.raises(ScenarioError, match="cannot be changed"):
            scenarios.save_scenario(Scenario(**{**PESSIMISTIC.__dict__, "name": name}), tiny_db, replace=True)
        with pytest.raises(ScenarioError, match="cannot be deleted"):
            scenarios.delete_scenario(name, tiny_db)
    assert [s.name for s in scenarios.list_scenarios(read(tiny_db))] == [BASE_CASE]


def test_the_database_itself_refuses_a_stored_row_named_base_case(tiny_db):
    with pytest.raises(duckdb.ConstraintException):
        with db.write_database(tiny_db) as con:
            con.execute(
                "insert into scenarios values ('Base Case', null, 0.01, 5, null, [0, 0, 0, 0, 0, 0], "
                "1, 1, 1, 1, 1, 0, now())"
            )


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_an_existing_name_is_refused_unless_replace_and_then_updated(tiny_db, read):
    scenarios.save_scenario(PESSIMISTIC, tiny_db)
    with pytest.raises(ScenarioError, match="already exists"):
        scenarios.save_scenario(Scenario(**{**PESSIMISTIC.__dict__, "name": "PESSIMISTIC"}), tiny_db)
    scenarios.save_scenario(Scenario(**{**PESSIMISTIC.__dict__, "benefit_factor": 0.5}), tiny_db, replace=True)
    saved = scenarios.saved_scenarios(read(tiny_db))
    assert [(s.name, s.benefit_factor) for s in saved] == [("Pessimistic", 0.5)]


def test_out_of_range_settings_and_bad_names_are_refused_with_a_reason(tiny_db):
    with pytest.raises(ScenarioError, match="discount rate"):
        scenarios.save_scenario(Scenario(**{**PESSIMISTIC.__dict__, "discount_rate": 0.5}), tiny_db)
    with pytest.raises(ScenarioError, match="needs a name"):
        scenarios.save_scenario(Scenario(**{**PESSIMISTIC.__dict__, "name": "   "}), tiny_db)
    with pytest.raises(ScenarioError, match="at most 80"):
        scenarios.save_scenario(Scenario(**{**PESSIMISTIC.__dict__, "name": "x" * 81}), tiny_db)


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_delete_removes_a_saved_scenario_and_unknown_names_are_reported(tiny_db, read):
    scenarios.save_scenario(PESSIMISTIC, tiny_db)
    scenarios.delete_scenario("pessimistic", tiny_db)
    assert scenarios.saved_scenarios(read(tiny_db)) == []
    with pytest.raises(ScenarioError, match="no saved scenario"):
        scenarios.delete_scenario("Pessimistic", tiny_db)


def test_get_scenario_lists_the_choices_when_the_name_is_unknown(tiny_db, read):
    with pytest.raises(ScenarioError, match="the scenarios are: Base case"):
        scenarios.get_scenario(read(tiny_db), "Nope")


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_compare_gives_portfolio_totals_and_per_project_figures(tiny_db, read):
    scenarios.save_scenario(PESSIMISTIC, tiny_db)
    con = read(tiny_db)
    chosen = [scenarios.get_scenario(con, BASE_CASE), scenarios.get_scenario(con, "Pessimistic")]
    totals, per_project = scenarios.compare_scenarios(con, chosen, AS_OF)
    base = totals.set_index("scenario_name").loc[BASE_CASE]
    # the forward view from November 2026: the drumkit's saving for five years (its cost is spent), the lunch club's
    # last two months (costs £2,003.33, benefits £403.65), nothing left of the ended pilot
    pv = 1500 * 12 * sum(1 / 1.035**t for t in range(5))
    lunch_benefits = 2 * (200 * 0.85 * 0.8 * 0.9 * 0.5 + 3000 / 12 * 0.75 * 0.75)
    lunch_club = lunch_benefits - 2 * (100 * 52 / 12 * 1.1 + 6000 / 12 * 1.05)
    assert base["forward_npv_gbp"] == pytest.approx(pv + lunch_club, abs=0.01)
    assert base["projects_paying_for_themselves"] == 1
    drumkit = per_project.set_index(["scenario_name", "project_id"]).loc[("Pessimistic", "P001")]
    # benefits x0.8 and grade 1 -> 2 (5% bias): 0.8 x 0.95 x PV; no cost left from now
    assert drumkit["forward_npv_gbp"] == pytest.approx(0.8 * 0.95 * pv, abs=0.01)
    wide = scenarios.side_by_side(per_project, [BASE_CASE, "Pessimistic"])
    assert list(wide.columns[:4]) == ["project_id", "name", "Base case: NPV", "Base case: BCR"]
    assert len(wide) == 3


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_metrics_cli_runs_at_a_named_scenario(tiny_db):
    scenarios.save_scenario(Scenario(**{**PESSIMISTIC.__dict__, "cost_factor": 1.0, "grade_shift": 0}), tiny_db)
    code, out = run_cli("metrics", "--db", str(tiny_db), "--scenario", "pessimistic", "--format", "json")
    assert code == 0
    drumkit = next(r for r in json.loads(out) if r["project_id"] == "P001")
    pv = 1500 * 12 * sum(1 / 1.035**t for t in range(5))
    assert drumkit["npv_gbp"] == pytest.approx(round(0.8 * pv - 350, 2), abs=0.006)  # £66,942.34


def test_metrics_cli_names_the_choices_for_an_unknown_scenario(tiny_db, capsys):
    assert commands.main(["metrics", "--db", str(tiny_db), "--scenario", "Nope"]) == 2
    assert "no scenario called 'Nope'" in capsys.readouterr().err


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_scenarios_cli_saves_lists_and_refuses_the_base_case(tiny_db, capsys):
    code, out = run_cli("scenarios", "save", "Ten years", "--horizon-years", "10", "--db", str(tiny_db))
    assert code == 0 and "10-year horizon" in out
    code, out = run_cli("scenarios", "list", "--db", str(tiny_db), "--format", "json")
    listed = json.loads(out)
    assert [r["scenario_name"] for r in listed] == [BASE_CASE, "Ten years"]
    assert listed[1]["horizon_years"] == 10 and listed[1]["is_base_case"] is False
    assert commands.main(["scenarios", "save", "Base case", "--db", str(tiny_db)]) == 2
    assert commands.main(["scenarios", "delete", "Base case", "--db", str(tiny_db)]) == 2
    assert "cannot be deleted" in capsys.readouterr().err
