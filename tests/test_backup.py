"""Backups: a copy taken while the app runs can be brought back whole, decisions and all, and a damaged one is
refused before anything is replaced."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from dashboard.database import db
from dashboard.files import backup
from dashboard.files.decisions import DecisionInput, decision_history, record_decision, verify_decision_log

pytestmark = pytest.mark.slow  # backs up and restores in subprocesses, with the decision log

ROOT = Path(__file__).resolve().parent.parent


def a_decision(project_id: str, decision: str = "continue") -> DecisionInput:
    return DecisionInput(
        project_id=project_id,
        decision=decision,
        effective_date=date(2026, 4, 1),
        reason_category="evidence_of_impact",
        rationale="It keeps people independent at home for less than the support it replaces.",
        decided_by="Test Officer",
    )


def snapshot(path: Path) -> dict:
    """Everything a restore must bring back: every table's rows, and the decision chain."""
    con = db.connect_read_only(path)
    try:
        tables = [r[0] for r in con.execute(db.load_query("backup_tables")).fetchall()]
        rows = {
            t: sorted(map(repr, con.execute('select * from "' + t + '"').fetchall()))  # noqa: S608
            for t in tables
        }
        return {"rows": rows, "decision_ids": decision_history(con)["decision_id"].tolist()}
    finally:
        con.close()


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_backup_then_restore_brings_back_every_row_and_decision_exactly(tiny_db, tmp_path, base_assumptions):
    record_decision(tiny_db, a_decision("P001"), base_assumptions)
    record_decision(tiny_db, a_decision("P002"), base_assumptions)
    before = snapshot(tiny_db)

    done = cli("backup", "--db", str(tiny_db), "--out", str(tmp_path / "bk"))
    assert done.returncode == 0, done.stderr
    assert "2 decisions" in done.stdout

    with db.write_database(tiny_db) as con:  # a change after the backup, but no decision
        con.execute("delete from benefits")
    assert snapshot(tiny_db) != before

    done = cli("restore", str(tmp_path / "bk"), "--db", str(tiny_db))
    assert done.returncode == 0, done.stderr

    assert snapshot(tiny_db) == before
    con = db.connect_read_only(tiny_db)
    try:
        assert verify_decision_log(con) == []
    finally:
        con.close()
    kept = list(tmp_path.glob("tiny.duckdb.replaced-*"))
    assert len(kept) == 1
    assert len(snapshot(kept[0])["rows"]["benefits"]) == 0  # the replaced database is kept as it was


def test_a_backup_older_than_the_decision_log_is_refused_unless_the_loss_is_accepted(
    tiny_db, tmp_path, base_assumptions
):
    record_decision(tiny_db, a_decision("P001"), base_assumptions)
    assert cli("backup", "--db", str(tiny_db), "--out", str(tmp_path / "bk")).returncode == 0
    record_decision(tiny_db, a_decision("P002"), base_assumptions)  # D0002 and D0003, after the backup
    record_decision(tiny_db, a_decision("P003", "extend"), base_assumptions)
    newest = snapshot(tiny_db)

    done = cli("restore", str(tmp_path / "bk"), "--db", str(tiny_db))
    assert done.returncode == 2
    assert "is older than the decision record" in done.stderr
    assert "D0002 and D0003 were recorded after it and would be lost" in done.stderr
    assert "--accept-loss" in done.stderr and "Nothing was restored" in done.stderr
    assert snapshot(tiny_db) == newest  # untouched
    assert not list(tmp_path.glob("tiny.duckdb.replaced-*"))

    done = cli("restore", str(tmp_path / "bk"), "--db", str(tiny_db), "--accept-loss")
    assert done.returncode == 0, done.stderr
    assert "D0002 and D0003 were lost, as accepted with --accept-loss" in done.stderr
    assert snapshot(tiny_db)["decision_ids"] == ["D0001"]
    log = [json.loads(line) for line in (tmp_path / "tiny.duckdb.decision-log").read_text().splitlines()]
    restore_line = next(line for line in log if line["event"] == "restore")
    assert restore_line["accept_loss"] is True and restore_line["lost"] == ["D0002", "D0003"]
    assert log[-1] == {**log[-1], "event": "committed", "of": [restore_line["n"]]}

    con = db.connect_read_only(tiny_db)
    try:
        assert verify_decision_log(con) == []  # the loss was accepted and logged: the record is consistent
    finally:
        con.close()
    done = cli("verify-decisions", "--db", str(tiny_db))
    assert done.returncode == 0, done.stderr
    assert "D0002, D0003 were lost" in done.stdout  # an auditor is told

    after = record_decision(tiny_db, a_decision("P002"), base_assumptions)
    assert after["decision_id"] == "D0004"  # never D0002 again: the register cannot hold two different D0002s
    assert after["sequence_no"] == 2


def test_a_backup_whose_decisions_differ_from_the_log_is_refused_even_accepting_loss(
    tiny_db, tmp_path, base_assumptions
):
    other = tmp_path / "other" / "other.duckdb"
    other.parent.mkdir()
    other.write_bytes(tiny_db.read_bytes())  # the same portfolio, but its own decisions
    record_decision(other, a_decision("P003", "scale"), base_assumptions)
    backup.backup(other, tmp_path / "bk-other")
    record_decision(tiny_db, a_decision("P001"), base_assumptions)
    before = snapshot(tiny_db)
    for extra in ((), ("--accept-loss",)):
        done = cli("restore", str(tmp_path / "bk-other"), "--db", str(tiny_db), *extra)
        assert done.returncode == 2
        assert "are not an earlier state of this database's decision record" in done.stderr
        assert snapshot(tiny_db) == before


def test_a_truncated_backup_is_refused_clearly_before_anything_is_replaced(tiny_db, tmp_path, base_assumptions):
    record_decision(tiny_db, a_decision("P001"), base_assumptions)
    backup.backup(tiny_db, tmp_path / "bk")
    copy = tmp_path / "bk" / backup.BACKUP_FILE
    with open(copy, "r+b") as f:
        f.truncate(copy.stat().st_size * 2 // 3)
    manifest_path = tmp_path / "bk" / backup.MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text())
    manifest["sha256"] = backup._sha256(copy)  # as if the copy was cut before its manifest was written
    manifest_path.write_text(json.dumps(manifest))
    before = snapshot(tiny_db)

    done = cli("restore", str(tmp_path / "bk"), "--db", str(tiny_db))

    assert done.returncode == 2
    assert "is damaged: it could not be read in full" in done.stderr
    assert "Nothing was restored" in done.stderr and "Traceback" not in done.stderr
    assert snapshot(tiny_db) == before
    assert not list(tmp_path.glob("tiny.duckdb.replaced-*"))


def test_the_manifest_records_the_hash_row_counts_and_newest_decision(tiny_db, tmp_path, base_assumptions):
    record = record_decision(tiny_db, a_decision("P001"), base_assumptions)
    manifest = backup.backup(tiny_db, tmp_path / "bk")
    assert manifest["tables"]["projects"] == 3
    assert manifest["decisions"] == 1
    assert manifest["latest_decision_hash"] == record["record_hash"]
    assert manifest["sha256"] == backup._sha256(tmp_path / "bk" / backup.BACKUP_FILE)


def test_a_backup_never_overwrites_an_earlier_one(tiny_db, tmp_path):
    backup.backup(tiny_db, tmp_path / "bk")
    with pytest.raises(backup.BackupError, match="already holds a backup"):
        backup.backup(tiny_db, tmp_path / "bk")


def test_a_damaged_backup_is_refused_and_the_database_left_alone(tiny_db, tmp_path):
    backup.backup(tiny_db, tmp_path / "bk")
    copy = tmp_path / "bk" / backup.BACKUP_FILE
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    before = snapshot(tiny_db)
    done = cli("restore", str(tmp_path / "bk"), "--db", str(tiny_db))
    assert done.returncode == 2
    assert "does not match the SHA-256" in done.stderr
    assert "Nothing was restored" in done.stderr
    assert snapshot(tiny_db) == before
    assert not list(tmp_path.glob("tiny.duckdb.replaced-*"))


def test_backup_of_a_missing_database_says_so(tmp_path):
    done = cli("backup", "--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "bk"))
    assert done.returncode == 2
    assert "No database at" in done.stderr
