"""The decision record: validation, frozen figures, append-only with tamper evidence, the publication register."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from dashboard.commands import build_parser, main
from dashboard.database import db
from dashboard.files.decisions import (
    DecisionError,
    DecisionInput,
    decision_history,
    get_decision,
    publication_register,
    record_decision,
    register_bytes,
    verify_decision_log,
)

NOW = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)
RATIONALE = "The personal budget was reviewed and this support is no longer funded."
PLAN = "The person keeps the drumkit; their social worker reviews their support plan within four weeks."


def stop_drumkit(**changes) -> DecisionInput:
    values = {
        "project_id": "P001",
        "decision": "stop",
        "effective_date": date(2025, 6, 30),
        "reason_category": "budget_pressure",
        "rationale": RATIONALE,
        "transition_plan": PLAN,
        "decided_by": "Jane Smith",
        "decided_by_role": "Head of commissioning",
        "evidence": "Support plan review, May 2025",
    }
    values.update(changes)
    return DecisionInput(**values)


def continue_lunch_club(**changes) -> DecisionInput:
    values = {
        "project_id": "P002",
        "decision": "continue",
        "effective_date": "2026-04-01",
        "reason_category": "evidence_of_impact",
        "rationale": "The lunch club reduces loneliness among Chinese older people; keep funding it.",
        "decided_by": "Sam Lee",
    }
    values.update(changes)
    return DecisionInput(**values)


def count_decisions(path: Path) -> int:
    con = db.connect_read_only(path)
    try:
        return len(decision_history(con))
    finally:
        con.close()


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_stop_decision_freezes_the_cost_of_stopping_and_appraisal(tiny_db, read, base_assumptions):
    record = record_decision(tiny_db, stop_drumkit(), base_assumptions, now=NOW)
    assert record["decision_id"] == "D0001"
    stored = get_decision(read(tiny_db), "D0001")
    assert stored["project_name"] == "Drumkit from a personal budget"
    assert stored["recorded_at_utc"] == datetime(2026, 11, 22, 10, 30)
    assert stored["effective_date"].date() == date(2025, 6, 30)
    # stopping against continuing over July 2025 to June 2030: nothing left to pay for (the drumkit was bought), and
    # in this tiny portfolio the saving has no persistence, so the model lets it end
    assert float(stored["costs_saved_gbp"]) == 0  # costs avoided
    assert float(stored["benefits_lost_gbp"]) == 84115.43
    assert float(stored["returning_to_council_gbp"]) == 84115.43  # the council's cashable savings lost
    assert float(stored["returning_to_council_monthly_gbp"]) == 1500  # ... in the first month
    assert stored["false_economy"] is False or stored["false_economy"] == 0  # nothing to stop
    assert stored["cost_of_stopping"]["nothing_to_stop"] is True
    assert stored["people_affected"] == 1  # the project's people_reached by default
    # P001 appraisal: £350 drumkit; benefit months 0..59 = 82,615.43 + the first month's £1,500
    assert float(stored["pv_cost_gbp"]) == 350
    assert float(stored["pv_benefit_gbp"]) == 84115.43
    assert stored["bcr"] == round(84115.43 / 350, 2)
    assert stored["projectitis_score"] == 7.5  # weak evidence only: 10 * (5 - 2) / 4
    assert stored["assumptions"]["discount_rate"] == 0.035
    assert stored["assumptions"]["as_of"] == "2026-11-22"
    assert stored["cost_of_stopping"]["benefits_lost_by_agency"] == {"council_asc": 84115.43}
    assert stored["project_snapshot"]["people_reached"] == 1
    assert [f["key"] for f in stored["risk_factors"]][0] == "weak_evidence"
    assert verify_decision_log(read(tiny_db)) == []


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_frozen_figures_do_not_change_when_the_data_change(tiny_db, read, base_assumptions, tmp_path):
    record_decision(tiny_db, stop_drumkit(), base_assumptions, now=NOW)
    folder = tmp_path / "changed"
    folder.mkdir()
    benefits = pd.read_csv(Path(__file__).parent / "data" / "tiny" / "benefits.csv", dtype=str)
    benefits.loc[benefits["benefit_id"] == "B001", "amount_gbp"] = "3000"
    benefits.to_csv(folder / "benefits.csv", index=False)
    from dashboard.files.importer import import_folder

    assert import_folder(folder, tiny_db).ok
    stored = get_decision(read(tiny_db), "D0001")
    assert float(stored["benefits_lost_gbp"]) == 84115.43
    assert verify_decision_log(read(tiny_db)) == []


def test_a_stop_without_a_transition_plan_is_refused_and_nothing_is_written(tiny_db, base_assumptions):
    before = db.database_version(tiny_db)
    with pytest.raises(DecisionError) as refused:
        record_decision(tiny_db, stop_drumkit(transition_plan="  "), base_assumptions)
    assert any(p.startswith("Transition plan: a stop decision must say what happens") for p in refused.value.problems)
    assert db.database_version(tiny_db) == before
    assert count_decisions(tiny_db) == 0


def test_a_stop_without_a_rationale_is_refused(tiny_db, base_assumptions):
    with pytest.raises(DecisionError) as refused:
        record_decision(tiny_db, stop_drumkit(rationale="", transition_plan=None), base_assumptions)
    problems = refused.value.problems
    assert len(problems) == 2
    assert problems[0].startswith("Rationale: explain why the decision was taken")
    assert problems[1].startswith("Transition plan:")


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_pause_needs_a_transition_plan_but_continue_does_not(tiny_db, base_assumptions):
    with pytest.raises(DecisionError, match="a pause decision must say what happens"):
        record_decision(tiny_db, stop_drumkit(decision="pause", transition_plan=None), base_assumptions)
    record = record_decision(tiny_db, continue_lunch_club(), base_assumptions)
    assert record["transition_plan"] is None
    assert count_decisions(tiny_db) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"project_id": "P999"}, "Project: there is no project with the id 'P999'."),
        ({"decision": "cancel"}, "Decision: 'cancel' is not a decision"),
        ({"effective_date": "2025-02-30"}, "Effective date: '2025-02-30' is not a date written YYYY-MM-DD."),
        ({"effective_date": "2025-05-31"}, "Effective date: 2025-05-31 is before the project started (2025-06-01)."),
        ({"reason_category": "because"}, "Reason: 'because' is not a reason category"),
        ({"decided_by": " "}, "Decided by: name the person who took the decision"),
        ({"people_affected": "-3"}, "People affected: '-3' is not a whole number of 0 or more."),
        ({"corrects_decision_id": "D0042"}, "Corrects: there is no decision with the id 'D0042' to correct."),
    ],
)
def test_invalid_input_is_refused_with_a_message_naming_the_field(tiny_db, base_assumptions, changes, message):
    with pytest.raises(DecisionError) as refused:
        record_decision(tiny_db, stop_drumkit(**changes), base_assumptions)
    assert any(p.startswith(message) for p in refused.value.problems), refused.value.problems


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_correction_is_a_new_record_and_the_original_stays(tiny_db, read, base_assumptions):
    record_decision(tiny_db, stop_drumkit(), base_assumptions, now=NOW)
    record_decision(tiny_db, continue_lunch_club(), base_assumptions, now=NOW)
    fixed = record_decision(
        tiny_db,
        stop_drumkit(corrects_decision_id="D0001", reason_category="correction", effective_date="2025-07-31"),
        base_assumptions,
        now=NOW,
    )
    assert fixed["decision_id"] == "D0003"
    history = decision_history(read(tiny_db), "P001")
    assert history["decision_id"].tolist() == ["D0003", "D0001"]
    assert history.set_index("decision_id").loc["D0001", "corrected_by_decision_id"] == "D0003"
    assert history.set_index("decision_id").loc["D0001", "rationale"] == RATIONALE
    with pytest.raises(DecisionError, match="already corrected by D0003; correct that one instead"):
        record_decision(tiny_db, stop_drumkit(corrects_decision_id="D0001"), base_assumptions)
    with pytest.raises(DecisionError, match="decision D0002 is about project P002, not P001"):
        record_decision(tiny_db, stop_drumkit(corrects_decision_id="D0002"), base_assumptions)
    assert verify_decision_log(read(tiny_db)) == []


def test_there_is_no_update_or_delete_path_in_code_or_command_line():
    root = Path(__file__).resolve().parent.parent
    sources = [root / "dashboard" / name / "decisions.py" for name in ("files", "views", "commands")]
    sources += sorted((root / "queries").glob("*decision*.sql"))
    for path in sources:
        text = path.read_text(encoding="utf-8").lower()
        assert not re.search(r"\bupdate\s+decisions\b|\bdelete\s+from\s+decisions\b", text), path
    commands = build_parser()._subparsers._group_actions[0].choices  # noqa: SLF001
    assert "decide" in commands
    assert not [name for name in commands if re.search("update|delete|amend|edit|remove", name)]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_an_attempt_to_overwrite_a_record_is_refused_by_the_database(tiny_db, base_assumptions):
    record = record_decision(tiny_db, stop_drumkit(), base_assumptions, now=NOW)
    with db.write_database(tiny_db) as con, pytest.raises(duckdb.ConstraintException):
        con.execute(db.load_query("insert_decision"), {**record, "rationale": "Rewritten afterwards"}).fetchall()
    assert count_decisions(tiny_db) == 1


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_editing_a_row_directly_in_the_file_is_detected(tiny_db, read, base_assumptions, capsys):
    record_decision(tiny_db, stop_drumkit(), base_assumptions, now=NOW)
    record_decision(tiny_db, continue_lunch_club(), base_assumptions, now=NOW)
    con = duckdb.connect(str(tiny_db))  # a person with the file and a SQL client, not the app
    con.execute("update decisions set benefits_lost_gbp = 0, false_economy = false where decision_id = 'D0001'")
    con.close()
    problems = verify_decision_log(read(tiny_db))
    assert problems == [
        "Decision D0001 (record 1): its content no longer matches its hash; it was changed after it was recorded.",
        "Decision D0001 (record 1): its seal does not match its content: it was changed, or made, without the "
        "council's key.",
    ]
    assert main(["verify-decisions", "--db", str(tiny_db)]) == 1
    assert "has been altered" in capsys.readouterr().err
    with pytest.raises(DecisionError, match="altered outside the app"):
        record_decision(tiny_db, continue_lunch_club(), base_assumptions)


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_deleting_a_row_directly_in_the_file_is_detected(tiny_db, read, base_assumptions):
    for n in range(3):
        record_decision(tiny_db, continue_lunch_club(people_affected=40 + n), base_assumptions, now=NOW)
    con = duckdb.connect(str(tiny_db))
    con.execute("delete from decisions where decision_id = 'D0002'")
    con.close()
    problems = verify_decision_log(read(tiny_db))
    assert problems == [
        "Decision D0003 (record 3): expected record number 2; a record before it is missing.",
        "Decision D0003 (record 3): it does not follow on from the record before it (a record was removed).",
        "Decision D0003 (record 3): its seal does not follow on from the record before it.",
        "Decision D0002 was recorded (decision log line 3) but is no longer in the database: it was deleted.",
    ]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_cli_decide_records_and_refuses_with_clear_messages(tiny_db, capsys):
    args = ["decide", "P001", "--decision", "stop", "--effective", "2025-06-30", "--reason", "budget_pressure"]
    args += ["--rationale", RATIONALE, "--by", "Jane Smith", "--db", str(tiny_db)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "the decision was not recorded" in err and "Transition plan: a stop decision" in err
    assert "Traceback" not in err
    assert main([*args, "--transition-plan", PLAN, "--role", "Head of commissioning"]) == 0
    assert "Recorded decision D0001: stop P001" in capsys.readouterr().out
    assert (
        main(
            ["decide", "P001", "--decision", "stop", "--effective", "30/06/2025", "--reason", "other"]
            + ["--rationale", RATIONALE, "--transition-plan", PLAN, "--by", "J", "--db", str(tiny_db)]
        )
        == 2
    )
    assert "Effective date: '30/06/2025' is not a date written YYYY-MM-DD." in capsys.readouterr().err
    assert main(["verify-decisions", "--db", str(tiny_db)]) == 0
    assert "intact: 1 decisions" in capsys.readouterr().out


# --- publication register -----------------------------------------------------------------------------


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_register_suppresses_small_counts_and_leaves_out_names(tiny_db, read, base_assumptions):
    record_decision(tiny_db, stop_drumkit(), base_assumptions, now=NOW)  # 1 person
    record_decision(tiny_db, continue_lunch_club(), base_assumptions, now=NOW)  # 40 people
    record_decision(tiny_db, continue_lunch_club(people_affected=7), base_assumptions, now=NOW)
    record_decision(tiny_db, continue_lunch_club(people_affected=8), base_assumptions, now=NOW)
    record_decision(tiny_db, continue_lunch_club(people_affected=0), base_assumptions, now=NOW)
    con = read(tiny_db)
    register = publication_register(con)
    assert register["decision_id"].tolist() == ["D0001", "D0002", "D0003", "D0004", "D0005"]
    assert register["people_affected"].tolist() == ["*", "40", "*", "8", "0"]
    assert "decided_by" not in register.columns
    assert register["decided_by_role"].tolist()[0] == "Head of commissioning"
    assert register["false_economy"].tolist()[:2] == ["No", "No"]
    assert register["benefits_lost_gbp"].tolist()[0] == 84115.43
    text = register.to_csv()
    assert "Jane Smith" not in text and "Sam Lee" not in text
    assert publication_register(con, suppress_up_to=0)["people_affected"].tolist()[0] == "1"
    assert publication_register(con, suppress_up_to=40)["people_affected"].tolist()[:2] == ["*", "*"]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_register_files_are_formula_safe(tiny_db, read, base_assumptions):
    record_decision(
        tiny_db,
        continue_lunch_club(rationale='=HYPERLINK("http://example.invalid","Click for the full rationale")'),
        base_assumptions,
        now=NOW,
    )
    con = read(tiny_db)
    csv_text = register_bytes(con, "csv").decode("utf-8-sig")
    assert '"\'=HYPERLINK(""http://example.invalid""' in csv_text
    assert "Decision ID,Recorded on,Project ID" in csv_text.splitlines()[0]
    book = openpyxl.load_workbook(io.BytesIO(register_bytes(con, "xlsx")))
    sheet = book["Decision register"]
    headers = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=headers.index("Rationale") + 1)
    assert cell.data_type == "s" and cell.value.startswith("'=HYPERLINK")
    assert sheet.cell(row=2, column=headers.index("People affected") + 1).value == "40"


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_cli_export_decisions_writes_csv_and_xlsx(tiny_db, base_assumptions, tmp_path, capsys):
    record_decision(tiny_db, stop_drumkit(), base_assumptions, now=NOW)
    out = tmp_path / "register.csv"
    assert main(["export", "decisions", "--out", str(out), "--db", str(tiny_db)]) == 0
    frame = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert frame["Decision ID"].tolist() == ["D0001"]
    assert frame["People affected"].tolist() == ["*"]
    out_xlsx = tmp_path / "register.xlsx"
    assert main(["export", "decisions", "--out", str(out_xlsx), "--suppress-up-to", "0", "--db", str(tiny_db)]) == 0
    assert openpyxl.load_workbook(out_xlsx).sheetnames == ["Decision register", "About this export"]
    assert main(["export", "decisions", "--out", str(tmp_path / "register.txt"), "--db", str(tiny_db)]) == 2
    assert "must end .csv or .xlsx" in capsys.readouterr().err


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_decision_history_query_marks_the_current_record(tiny_db, read, base_assumptions):
    record_decision(tiny_db, stop_drumkit(), base_assumptions, now=NOW)
    record_decision(tiny_db, stop_drumkit(corrects_decision_id="D0001"), base_assumptions, now=NOW)
    frame = db.query_df(read(tiny_db), "decision_history", {"project_id": "P001", "decision_id": None})
    assert frame[["decision_id", "is_current"]].values.tolist() == [["D0002", True], ["D0001", False]]


def test_a_database_without_decisions_yet_reads_as_empty(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))  # made before decisions existed: only the first two schema files
    for name in ("01_template_tables.sql", "02_reference_tables.sql"):
        con.execute((db.QUERIES_DIR / "schema" / name).read_text(encoding="utf-8"))
    con.close()
    reader = db.connect_read_only(path)
    try:
        assert decision_history(reader).empty
        assert publication_register(reader).empty
        assert verify_decision_log(reader) == []
    finally:
        reader.close()
