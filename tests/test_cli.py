"""`python -m dashboard`: init, import and metrics behave as the README says, with clear errors."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest

from dashboard.commands import commands_for, main
from tests.conftest import TINY


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.slow  # builds and imports the demo through the command line
def test_init_import_and_metrics_round_trip(tmp_path, capsys):
    path = tmp_path / "cli.duckdb"
    assert run(capsys, "init", "--empty", "--db", path)[0] == 0
    code, out, _ = run(capsys, "import", TINY, "--db", path)
    assert code == 0
    assert "3 projects" in out
    code, out, _ = run(capsys, "metrics", "--db", path, "--as-of", "2026-11-22", "--format", "json")
    assert code == 0
    records = json.loads(out)
    assert [r["project_id"] for r in records] == ["P001", "P002", "P003"]
    rows = {r["project_id"]: r for r in records}
    assert rows["P001"]["pv_benefit_gbp"] == 84115.43
    assert rows["P001"]["start_date"] == "2025-06-01"
    assert list(rows["P001"])[:17] == [
        "project_id", "name",
        "pv_cost_gbp", "pv_benefit_gbp", "npv_gbp", "bcr", "fiscal_bcr", "cost_per_person_gbp",
        "forward_pv_cost_gbp", "forward_pv_benefit_gbp", "forward_npv_gbp", "forward_bcr", "forward_fiscal_bcr",
        "fiscal_payback_months", "people_reached", "projectitis_score", "projectitis_band",
    ]  # fmt: skip


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_metrics_csv_takes_discount_rate_and_horizon(tiny_db, capsys):
    code, out, _ = run(
        capsys, "metrics", "--db", tiny_db, "--as-of", "2026-11-22", "--discount-rate", "0", "--horizon-years", "1"
    )
    assert code == 0
    rows = {r["project_id"]: r for r in csv.DictReader(io.StringIO(out))}
    assert float(rows["P001"]["pv_benefit_gbp"]) == 18000.0
    assert rows["P002"]["funders"] == "Exampleshire CC core budget; National Lottery Community Fund"


def test_metrics_refuses_an_impossible_assumption_without_a_traceback(tiny_db, capsys):
    code, _, err = run(capsys, "metrics", "--db", tiny_db, "--horizon-years", "0")
    assert code == 2
    assert "horizon" in err
    assert "Traceback" not in err


def test_metrics_on_a_missing_database_says_how_to_create_one(tmp_path, capsys):
    code, _, err = run(capsys, "metrics", "--db", tmp_path / "nope.duckdb")
    assert code == 2
    assert "python -m dashboard init" in err


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_import_of_a_bad_folder_reports_every_problem_and_changes_nothing(tiny_db, tmp_path, capsys, read):
    bad = tmp_path / "bad"
    shutil.copytree(TINY, bad)
    costs = (bad / "costs.csv").read_text()
    costs = costs.replace("C001,P001,Drumkit,350,once", "C001,P001,Drumkit,-350,once")
    costs = costs.replace(
        "C004,P003,Staff time,1000,monthly,2023-04-01,2024-03-31,4",
        "C004,P999,Staff,1000,fortnightly,2023-04-01,2022-03-31,9",
    )
    (bad / "costs.csv").write_text(costs)
    before = read(tiny_db).execute("select sum(amount_gbp) from costs").fetchall()
    code, _, err = run(capsys, "import", bad, "--db", tiny_db)
    assert code == 1
    assert "costs.csv, row 2, column amount_gbp (value '-350'): is negative" in err
    assert "costs.csv, row 5, column project_id (value 'P999')" in err
    assert "row 5, column frequency (value 'fortnightly'): is not a known code" in err
    assert "row 5, column end_date (value '2022-03-31'): is before start_date" in err
    assert "row 5, column confidence_grade (value '9'): is out of range" in err
    assert "Nothing was imported" in err
    assert read(tiny_db).execute("select sum(amount_gbp) from costs").fetchall() == before


@pytest.mark.parametrize("args", [["init"], ["import"], ["metrics", "--format", "xml"]])
def test_bad_command_lines_exit_with_usage(capsys, args):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2


def test_init_refuses_to_replace_an_existing_database_without_force(tiny_db, capsys, read):
    code, _, err = run(capsys, "init", "--empty", "--db", tiny_db)
    assert code == 2
    assert "3 projects and 0 decisions" in err
    assert "--force" in err
    assert read(tiny_db).execute("select count(*) from projects").fetchall() == [(3,)]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_init_with_force_replaces_an_existing_database(tiny_db, capsys, read):
    assert run(capsys, "init", "--empty", "--force", "--db", tiny_db)[0] == 0
    assert read(tiny_db).execute("select count(*) from projects").fetchall() == [(0,)]


@pytest.mark.parametrize(
    "command",
    [
        "init", "import", "metrics", "export finance", "export decisions", "cost-of-stopping", "decide", "report",
        "scenarios save", "scenarios list", "scenarios delete", "backup", "restore", "verify-decisions",
        "refresh-figures",
    ],
)  # fmt: skip
def test_every_command_explains_itself_with_help(capsys, command):
    with pytest.raises(SystemExit) as exc:
        main([*command.split(), "--help"])
    assert exc.value.code == 0
    assert "usage: python -m dashboard" in capsys.readouterr().out


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_saved_scenario_applies_to_every_command_that_appraises(tiny_db, capsys):
    assert run(capsys, "scenarios", "save", "Low rate", "--discount-rate", "0", "--db", tiny_db)[0] == 0
    code, out, _ = run(
        capsys, "cost-of-stopping", "P001", "--db", tiny_db, "--scenario", "Low rate", "--format", "json"
    )
    assert code == 0
    # carrying on from July 2025 to June 2030 at 0%: 60 months of £1,500 (no persistence in the tiny portfolio)
    assert json.loads(out)["benefits_lost_gbp"] == 60 * 1500
    code, out, _ = run(capsys, "metrics", "--db", tiny_db, "--scenario", "low rate", "--format", "json")
    assert {r["project_id"]: r for r in json.loads(out)}["P001"]["pv_benefit_gbp"] == 90000
    code, _, err = run(capsys, "metrics", "--db", tiny_db, "--scenario", "No such thing")
    assert code == 2
    assert "There is no scenario called 'No such thing'" in err


@pytest.mark.parametrize(
    ("argv", "built"),
    [
        (["metrics", "--db", "x"], ("init", "import", "metrics", "export")),
        (["decide", "P001"], ("init", "import", "metrics", "export", "decide", "verify-decisions", "export decisions")),
        (["export", "finance"], ("init", "import", "metrics", "export", "export finance")),
        (["backup"], ("init", "import", "metrics", "export", "backup", "restore", "refresh-figures")),
        (["cost-of-stopping", "P001"], ("init", "import", "metrics", "export", "cost-of-stopping")),
    ],
)
def test_a_command_builds_only_the_commands_it_needs(argv, built):
    """Each command imports only its own module (PDF fonts and openpyxl cost every command 0.2 s otherwise); an
    error message's usage line lists the commands built, so the set is kept as it was."""
    assert commands_for(argv) == built
    assert len(commands_for(["--help"])) == len(commands_for(["no-such-command"])) == 14
