"""Backups: a copy taken while the app runs can be brought back whole, decisions and all, and a damaged one is
refused before anything is replaced."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from dashboard import backup, db
from dashboard.decisions import DecisionInput, decision_history, record_decision, verify_decision_log

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

    record_decision(tiny_db, a_decision("P003", "extend"), base_assumptions)  # made after the backup
    with db.write_database(tiny_db) as con:
        con.execute("delete from benefits")
    assert snapshot(tiny_db) != before

    done = cli("restore", str(tmp_path / "bk"), "--db", str(tiny_db))
    assert done.returncode == 0, done.stderr
    assert "1 decisions recorded after this backup" in done.stderr

    assert snapshot(tiny_db) == before
    con = db.connect_read_only(tiny_db)
    try:
        assert verify_decision_log(con) == []
    finally:
        con.close()
    kept = list(tmp_path.glob("tiny.duckdb.replaced-*"))
    assert len(kept) == 1
    assert len(snapshot(kept[0])["decision_ids"]) == 3  # the replaced database, with the later decision, is kept


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
