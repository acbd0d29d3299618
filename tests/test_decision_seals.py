"""The decision record cannot be rewritten quietly: attacks by someone holding the database file but not the key.

Each test plays the attacker with a SQL client on the file and the project's own functions, then checks that
`verify-decisions` names what was done and that nothing more can be recorded until it is put right.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard.database import db
from dashboard.files import backup, decision_anchor, decision_chain, decision_key
from dashboard.files.decision_key import RecordKey
from dashboard.files.decisions import (
    DecisionError,
    DecisionInput,
    check_record,
    decision_history,
    record_decision,
    record_hash,
    register_bytes,
    verify_decision_log,
)

pytestmark = pytest.mark.slow  # forges and rolls back the decision record, with keys generated in subprocesses

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 22, 10, 30, tzinfo=UTC)


def decide(project_id: str, n: int = 0, **changes) -> DecisionInput:
    values = {
        "project_id": project_id,
        "decision": "continue",
        "effective_date": "2026-04-01",
        "reason_category": "evidence_of_impact",
        "rationale": f"It keeps people independent at home for less than the support it replaces ({n}).",
        "decided_by": "Sam Lee",
        "decided_by_role": "Head of commissioning",
    }
    return DecisionInput(**{**values, **changes})


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def problems(path: Path) -> list[str]:
    con = db.connect_read_only(path)
    try:
        return verify_decision_log(con)
    finally:
        con.close()


def rows(con) -> list[dict]:
    return decision_chain.table_rows(con)


def log_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in decision_anchor.log_path(path).read_text().splitlines()]


@pytest.fixture
def three(tiny_db, base_assumptions) -> Path:
    for n, project in enumerate(("P001", "P002", "P003"), start=1):
        record_decision(tiny_db, decide(project, n), base_assumptions, now=NOW)
    assert problems(tiny_db) == []
    return tiny_db


def assert_refused(path: Path, base_assumptions, *expected: str) -> None:
    """verify-decisions fails naming each expected problem, and no decision can be added."""
    done = cli("verify-decisions", "--db", str(path))
    assert done.returncode == 1, done.stdout
    for text in expected:
        assert text in done.stderr, done.stderr
    assert "No decision can be added until this is resolved" in done.stderr
    before = decision_anchor.log_path(path).read_bytes() if decision_anchor.log_path(path).exists() else None
    with pytest.raises(DecisionError, match="altered outside the app"):
        record_decision(path, decide("P002", 99), base_assumptions)
    after = decision_anchor.log_path(path).read_bytes() if decision_anchor.log_path(path).exists() else None
    assert after == before  # a refused append writes nothing to the log either


# ---- forgery without the key


def forge(path: Path, attacker_key: RecordKey | None) -> None:
    """Edit D0001, delete D0002, renumber D0003 as D0002 and recompute every fingerprint (and, with a key of the
    attacker's own, every seal) with the project's own functions, as issue 18 describes."""
    con = duckdb.connect(str(path))
    try:
        records = rows(con)
        records[0]["benefits_lost_gbp"] = 0.0
        records[0]["false_economy"] = False
        records[0]["rationale"] = "Rewritten afterwards to say the opposite of what was decided."
        del records[1]
        previous_hash = previous_mac = decision_chain.GENESIS_HASH
        for position, record in enumerate(records, start=1):
            record["sequence_no"] = position
            record["decision_id"] = f"D{position:04d}"
            record["previous_hash"] = previous_hash
            record["previous_mac"] = previous_mac
            if attacker_key is not None:
                record["key_id"] = attacker_key.key_id  # or leave the council's id: the seal fails either way
            record["record_hash"] = record_hash(record)
            record["record_mac"] = (
                decision_chain.record_mac(attacker_key, record) if attacker_key is not None else record["record_mac"]
            )
            previous_hash, previous_mac = record["record_hash"], record["record_mac"]
        con.execute("delete from decisions")
        con.register("forged", pd.DataFrame(records))
        con.execute("insert into decisions by name select * from forged")
    finally:
        con.close()


def test_a_forgery_that_recomputes_every_hash_without_the_key_is_found(three, base_assumptions):
    forge(three, attacker_key=RecordKey(b"the attacker's own guess at a key, 32+ characters", "attacker"))

    found = problems(three)
    assert not any("content no longer matches its hash" in p for p in found)  # the SHA-256 chain alone is fooled
    assert_refused(
        three,
        base_assumptions,
        "Decision D0001 (record 1): it was sealed with key",
        "not the key in use",
        "The database is behind the decision log: D0003 was recorded but is not in the database.",
        "Decision D0001 (record 1) is not as the decision log recorded it",
        "Decision D0002 (record 2) is not as the decision log recorded it",
    )


def test_a_forgery_that_keeps_the_councils_key_id_and_old_seals_is_found(three, base_assumptions):
    forge(three, attacker_key=None)  # seals copied across unchanged: they no longer match the new fingerprints
    assert_refused(
        three,
        base_assumptions,
        "Decision D0001 (record 1): its seal does not match its content: it was changed, or made, without the "
        "council's key.",
    )


def test_a_forgery_that_also_deletes_the_decision_log_is_still_found(three, base_assumptions):
    forge(three, attacker_key=RecordKey(b"the attacker's own guess at a key, 32+ characters", "attacker"))
    decision_anchor.log_path(three).unlink()
    assert_refused(three, base_assumptions, "is missing, but the record has sealed decisions", "not the key in use")


def test_an_invented_record_appended_with_the_codes_own_functions_is_found(three, base_assumptions):
    con = duckdb.connect(str(three))
    try:
        last = rows(con)[-1]
        invented = {**last, "decision_id": "D0004", "sequence_no": 4, "project_id": "P001", "decision": "stop"}
        invented.update(previous_hash=last["record_hash"], previous_mac=last["record_mac"])
        invented["record_hash"] = record_hash(invented)
        invented["record_mac"] = "0" * 64
        con.register("invented", pd.DataFrame([invented]))
        con.execute("insert into decisions by name select * from invented")
    finally:
        con.close()
    assert_refused(
        three,
        base_assumptions,
        "Decision D0004 (record 4): its seal does not match its content",
        "Decision D0004 (record 4) is in the database but not in the decision log",
    )


def test_the_decision_log_cannot_be_edited_or_cut_in_the_middle_without_the_key(three, base_assumptions):
    log = decision_anchor.log_path(three)
    original = log.read_text()
    lines = original.splitlines()
    edited = json.loads(lines[2])
    edited["record_mac"] = "f" * 64
    log.write_text("\n".join([*lines[:2], json.dumps(edited), *lines[3:]]) + "\n")
    assert_refused(three, base_assumptions, "Decision log line 3 does not match its seal: it was changed.")

    log.write_text("\n".join([*lines[:2], *lines[4:]]) + "\n")  # two lines taken out of the middle
    assert_refused(three, base_assumptions, "Decision log line 3 is numbered 5: lines were removed or moved")


# ---- rollback


def test_copying_an_older_database_over_the_file_is_found_and_blocks_new_decisions(tiny_db, tmp_path, base_assumptions):
    record_decision(tiny_db, decide("P001", 1), base_assumptions, now=NOW)
    older = tmp_path / "older-copy.duckdb"
    shutil.copyfile(tiny_db, older)
    record_decision(tiny_db, decide("P002", 2), base_assumptions, now=NOW)
    record_decision(tiny_db, decide("P003", 3), base_assumptions, now=NOW)

    shutil.copyfile(older, tiny_db)  # an older copy put back by hand (or a volume snapshot rolled back)

    assert_refused(
        tiny_db,
        base_assumptions,
        "The database is behind the decision log: D0002 and D0003 were recorded but are not in the database.",
    )
    # put right the documented way: back up what is there and restore it, accepting the loss
    backup.backup(tiny_db, tmp_path / "as-found")
    assert cli("restore", str(tmp_path / "as-found"), "--db", str(tiny_db), "--accept-loss").returncode == 0
    assert problems(tiny_db) == []
    assert record_decision(tiny_db, decide("P002", 4), base_assumptions)["decision_id"] == "D0004"


def test_deleting_the_newest_decisions_is_found(three, base_assumptions):
    con = duckdb.connect(str(three))
    con.execute("delete from decisions where sequence_no >= 2")
    con.close()
    assert problems(three)[0].startswith(
        "The database is behind the decision log: D0002 and D0003 were recorded but are not in the database."
    )
    assert_refused(three, base_assumptions, "behind the decision log")


def test_the_register_carries_every_seal_and_the_head_and_catches_a_rollback_of_database_and_log(
    three, tmp_path, base_assumptions
):
    published = tmp_path / "register-2026-11.csv"
    con = db.connect_read_only(three)
    try:
        published.write_bytes(register_bytes(con, "csv"))
        about = register_bytes(con, "xlsx")
        head = rows(con)[-1]
    finally:
        con.close()
    register = pd.read_csv(published, encoding="utf-8-sig", dtype=str)
    assert register["Record seal (HMAC-SHA-256)"].tolist()[-1] == head["record_mac"]
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(about))["About this export"]
    about_text = {row[0].value: row[1].value for row in sheet.iter_rows() if row[0].value}
    assert head["record_mac"] in about_text["Head of the record"] and "D0003" in about_text["Head of the record"]

    done = cli("verify-decisions", "--db", str(three), "--published", str(published))
    assert done.returncode == 0, done.stderr
    assert "Every decision published in" in done.stdout

    # the worst case: the newest decision deleted from the database and its lines cut from the log
    con = duckdb.connect(str(three))
    con.execute("delete from decisions where sequence_no = 3")
    con.close()
    log = decision_anchor.log_path(three)
    lines = log.read_text().splitlines()
    log.write_text("\n".join(lines[:-2]) + "\n")
    assert problems(three) == []  # a consistent pair: only a copy kept elsewhere can tell
    done = cli("verify-decisions", "--db", str(three), "--published", str(published))
    assert done.returncode == 1
    assert f"Decision D0003 was published in {published} but is not in the database." in done.stderr


# ---- records made before keyed seals


def make_legacy(path: Path) -> None:
    """Turn the record into one written before keyed seals: SHA-256 chain only, old table shape, no log."""
    con = duckdb.connect(str(path))
    try:
        records = rows(con)
        previous = decision_chain.GENESIS_HASH
        for record in records:
            for column in ("decided_by_id", "request_token", "chain_scheme", "key_id", "previous_mac", "record_mac"):
                record.pop(column)
            record["previous_hash"] = previous
            record["record_hash"] = record_hash(record)
            previous = record["record_hash"]
        con.execute("drop table decisions")
        con.execute("drop table decision_seals")
        old_schema = (db.QUERIES_DIR / "schema" / "10_decisions.sql").read_text().split("    -- who decided, from")[0]
        con.execute(old_schema.rstrip().rstrip(",") + "\n);")
        con.register("legacy", pd.DataFrame(records))
        con.execute("insert into decisions by name select * from legacy")
    finally:
        con.close()
    decision_anchor.log_path(path).unlink()


def test_a_database_from_before_seals_keeps_working_and_is_sealed_on_first_keyed_use(tiny_db, base_assumptions):
    for n, project in enumerate(("P001", "P002"), start=1):
        record_decision(tiny_db, decide(project, n), base_assumptions, now=NOW)
    make_legacy(tiny_db)
    legacy_hashes = [r["record_hash"] for r in rows(db.connect_read_only(tiny_db))]

    done = cli("verify-decisions", "--db", str(tiny_db))  # read-only, on the old table shape
    assert done.returncode == 0, done.stderr
    assert "protected only by their SHA-256 chain; the next decision seals them" in done.stdout
    con = db.connect_read_only(tiny_db)
    try:
        assert "Record seal (HMAC-SHA-256)" in register_bytes(con, "csv").decode("utf-8-sig").splitlines()[0]
    finally:
        con.close()

    third = record_decision(tiny_db, decide("P003", 3), base_assumptions, now=NOW)

    assert third["decision_id"] == "D0003"
    con = db.connect_read_only(tiny_db)
    try:
        stored = rows(con)
        seals = decision_chain.seal_rows(con)
        check = check_record(con)
    finally:
        con.close()
    assert [r["record_hash"] for r in stored[:2]] == legacy_hashes  # the old records are never rewritten
    assert [r["chain_scheme"] for r in stored] == [None, None, "hmac-sha256"]
    assert len(seals) == 1 and seals[0]["through_sequence_no"] == 2
    assert stored[2]["previous_mac"] == seals[0]["seal_mac"]
    assert check.problems == []
    assert any("Records 1 to 2 were made before keyed seals and were sealed under key" in n for n in check.notes)
    first = log_lines(tiny_db)[0]
    assert first["event"] == "seal" and [r[0] for r in first["records"]] == ["D0001", "D0002"]
    assert first["through_record_hash"] == legacy_hashes[-1]

    con = duckdb.connect(str(tiny_db))  # editing a sealed legacy record, fingerprints recomputed
    try:
        records = rows(con)
        records[0]["rationale"] = "Changed after sealing, with every fingerprint recomputed to match."
        previous = decision_chain.GENESIS_HASH
        for record in records[:2]:
            record["previous_hash"] = previous
            record["record_hash"] = record_hash(record)
            previous = record["record_hash"]
        con.execute("delete from decisions where sequence_no <= 2")
        con.register("edited", pd.DataFrame(records[:2]))
        con.execute("insert into decisions by name select * from edited")
    finally:
        con.close()
    assert_refused(tiny_db, base_assumptions, "they were changed after they were sealed")


# ---- the key


def test_a_key_is_generated_once_readable_by_its_owner_only_with_a_warning(tmp_path, monkeypatch, tiny_db):
    key_file = tmp_path / "keys" / "decision-record.key"
    monkeypatch.setenv("COMMISSIONING_DECISION_KEY_FILE", str(key_file))
    args = ["decide", "P002", "--decision", "continue", "--effective", "2026-04-01", "--reason", "evidence_of_impact"]
    args += ["--rationale", "It keeps people independent at home for less.", "--by", "Sam Lee", "--db", str(tiny_db)]
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", *args], cwd=ROOT, capture_output=True, text=True, env=os.environ
    )
    assert done.returncode == 0, done.stderr
    assert "No decision-record key was configured, so a new one was generated in" in done.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key_file.read_text().strip()) == 64
    key = decision_key.load_key()
    assert key.path == key_file and not key.generated
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", *args[:-2], "--rationale", "Another decision, a day later.", *args[-2:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    assert done.returncode == 0 and "generated" not in done.stderr  # the same key from then on
    assert decision_key.load_key().key_id == key.key_id


def test_a_key_from_the_environment_or_the_apps_secrets_comes_first(monkeypatch):
    monkeypatch.setenv("COMMISSIONING_DECISION_KEY", "e" * 40)
    assert decision_key.load_key().source == "the environment variable COMMISSIONING_DECISION_KEY"
    decision_key.configure("s" * 40, "Streamlit secrets")
    try:
        assert decision_key.load_key().source == "Streamlit secrets"
        assert decision_key.load_key().key_id != RecordKey(b"e" * 40, "").key_id
        assert "s" * 40 not in repr(decision_key.load_key())  # the secret is never printed
    finally:
        decision_key.configure(None, "")
    monkeypatch.setenv("COMMISSIONING_DECISION_KEY", "short")
    with pytest.raises(decision_key.DecisionKeyError, match="too short: use at least 32 characters"):
        decision_key.load_key()


def test_the_wrong_key_is_reported_as_the_wrong_key_not_as_tampering(three, monkeypatch, base_assumptions):
    council = decision_key.load_key().key_id
    monkeypatch.setenv("COMMISSIONING_DECISION_KEY", "another key entirely, at least 32 characters")
    found = problems(three)
    assert any(f"it was sealed with key {council}, not the key in use" in p for p in found)
    assert not any("was changed" in p and "line" not in p for p in found if "sealed with key" not in p)
    with pytest.raises(DecisionError):
        record_decision(three, decide("P002", 9), base_assumptions)


# ---- interrupted writes and one record per submission


def test_a_write_killed_between_the_log_and_the_swap_is_withdrawn_and_its_id_not_reused(three, base_assumptions):
    con = db.connect_read_only(three)
    try:
        key = decision_key.load_key()
        replay = decision_anchor.read(decision_anchor.log_path(three), key)
    finally:
        con.close()
    writer = decision_anchor.Writer(decision_anchor.log_path(three), key, replay)
    killed = writer.append(  # what a process killed just after logging, before the rename, leaves behind
        "decision",
        decision_id="D0004",
        sequence_no=4,
        project_id="P001",
        record_hash="a" * 64,
        record_mac="b" * 64,
        highest_number=4,
    )
    assert problems(three) == []  # the database may hold the state before the write or after it

    after = record_decision(three, decide("P001", 5), base_assumptions, now=NOW)

    assert after["decision_id"] == "D0005"  # D0004 was issued (logged) even though it never landed
    withdrawn = next(line for line in log_lines(three) if line["event"] == "aborted")
    assert withdrawn["of"] == [killed["n"]]
    assert problems(three) == []


def test_a_write_killed_between_the_swap_and_the_confirmation_is_confirmed_by_the_next(three, base_assumptions):
    log = decision_anchor.log_path(three)
    lines = log.read_text().splitlines()
    assert json.loads(lines[-1])["event"] == "committed"
    log.write_text("\n".join(lines[:-1]) + "\n")  # the swap happened; the confirmation never reached the log
    assert problems(three) == []
    record_decision(three, decide("P001", 6), base_assumptions, now=NOW)
    assert [line["event"] for line in log_lines(three)][-4:] == ["decision", "committed", "decision", "committed"]
    assert log_lines(three)[-3]["note"].startswith("confirmed by the next write")
    assert problems(three) == []


def test_a_torn_last_line_from_a_crash_mid_append_is_ignored_and_cut_by_the_next_write(three, base_assumptions):
    log = decision_anchor.log_path(three)
    with open(log, "ab") as f:
        f.write(b'{"n": 7, "event": "decis')
    assert problems(three) == []
    record_decision(three, decide("P001", 7), base_assumptions, now=NOW)
    assert all(line.startswith("{") and line.endswith("}") for line in log.read_text().splitlines())
    assert problems(three) == []


def test_the_same_submission_twice_makes_one_record(tiny_db, base_assumptions):
    first = record_decision(tiny_db, decide("P001", 1), base_assumptions, now=NOW, request_token="tok-1")
    again = record_decision(tiny_db, decide("P001", 1), base_assumptions, now=NOW, request_token="tok-1")
    assert again["decision_id"] == first["decision_id"] == "D0001"
    assert len(decision_history(db.connect_read_only(tiny_db))) == 1


def test_an_identical_decision_within_minutes_is_refused_but_not_a_day_later(tiny_db, base_assumptions):
    entry = decide("P002", 1)
    record_decision(tiny_db, entry, base_assumptions, now=NOW)
    with pytest.raises(DecisionError, match="already recorded as D0001 a moment ago"):
        record_decision(tiny_db, entry, base_assumptions, now=NOW + timedelta(minutes=3))
    with pytest.raises(DecisionError):  # another tab, another token: still one decision
        record_decision(tiny_db, entry, base_assumptions, now=NOW + timedelta(seconds=1), request_token="other-tab")
    assert record_decision(tiny_db, dataclasses.replace(entry, people_affected=41), base_assumptions, now=NOW)
    later = record_decision(tiny_db, entry, base_assumptions, now=NOW + timedelta(days=1))
    assert later["decision_id"] == "D0003"
