"""Imports are all-or-nothing even when the process dies part-way, re-imports replace rows by id, and every
attempt (accepted or rejected) leaves an audit record with the file's SHA-256."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dashboard.database import db
from dashboard.files.import_sources import import_path
from dashboard.files.importer import import_folder
from tests.conftest import TINY

pytestmark = pytest.mark.slow  # imports killed part-way in subprocesses

ROOT = Path(__file__).resolve().parent.parent

CRASHING_IMPORT = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from dashboard.database import db
    from dashboard.files import importer

    mode, folder, database, marker = sys.argv[1:5]
    real_upsert = db.upsert_rows

    def upsert_then_die(con, table, frame, key):
        replaced = real_upsert(con, table, frame, key)
        if table == "projects":  # projects written, the rest not yet: die in the middle of the write
            Path(marker).write_text("projects written")
            if mode == "exit":
                os._exit(9)
            time.sleep(60)  # mode "kill": wait to be killed by the test
        return replaced

    db.upsert_rows = upsert_then_die
    importer.import_folder(Path(folder), Path(database))
    """
)


def changed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "changed"
    folder.mkdir()
    for name in ("projects.csv", "costs.csv"):
        text = (TINY / name).read_text()
        text = text.replace("Drumkit from a personal budget", "Renamed drumkit").replace(",350,once,", ",999,once,")
        (folder / name).write_text(text)
    return folder


def snapshot(read, path: Path):
    con = read(path)
    return (
        con.execute("select project_id, name from projects order by all").fetchall(),
        con.execute("select cost_id, amount_gbp from costs order by all").fetchall(),
    )


def run_crashing_import(tmp_path: Path, database: Path, mode: str) -> tuple[subprocess.Popen, Path]:
    marker = tmp_path / "marker.txt"
    return subprocess.Popen(
        [sys.executable, "-c", CRASHING_IMPORT, mode, str(changed_folder(tmp_path)), str(database), str(marker)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ), marker


def test_an_import_that_exits_part_way_leaves_the_database_as_it_was(tiny_db, tmp_path, read):
    before = snapshot(read, tiny_db)
    process, marker = run_crashing_import(tmp_path, tiny_db, "exit")
    assert process.wait(timeout=120) == 9
    assert marker.read_text() == "projects written"  # it really died mid-write
    assert snapshot(read, tiny_db) == before
    assert read(tiny_db).execute("select count(*) from imports").fetchall() == [(1,)]  # only the fixture's import


def test_an_import_killed_mid_write_leaves_the_database_as_it_was_and_the_next_import_works(tiny_db, tmp_path, read):
    before = snapshot(read, tiny_db)
    process, marker = run_crashing_import(tmp_path, tiny_db, "kill")
    deadline = time.time() + 120
    while not marker.exists() and time.time() < deadline:
        time.sleep(0.1)
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    assert snapshot(read, tiny_db) == before
    (tmp_path / "again").mkdir()
    assert import_folder(changed_folder(tmp_path / "again"), tiny_db).ok
    assert ("P001", "Renamed drumkit") in snapshot(read, tiny_db)[0]


def test_reimporting_rows_replaces_them_by_id_and_records_added_and_replaced(tiny_db, tmp_path, read):
    folder = changed_folder(tmp_path)
    costs = (folder / "costs.csv").read_text() + "C100,P001,Drum lessons,25,weekly,2025-07-01,2025-12-31,2\n"
    (folder / "costs.csv").write_text(costs)
    result = import_folder(folder, tiny_db, imported_by="Asha (commissioner)")
    assert result.summary() == "Imported 3 projects (3 replaced), 5 cost lines (4 replaced)."
    con = read(tiny_db)
    assert con.execute("select count(*), sum(amount_gbp) from costs").fetchall()[0][0] == 5
    assert con.execute("select amount_gbp from costs where cost_id = 'C001'").fetchall()[0][0] == 999
    record = db.query_df(con, "import_history").iloc[0]
    assert record["outcome"] == "imported"
    assert record["imported_by"] == "Asha (commissioner)"
    assert record["source_name"] == "changed"
    assert record["source_format"] == "template-folder"
    assert (record["rows_added"], record["rows_replaced"], record["rows_rejected"]) == (1, 7, 0)
    assert record["rows_by_table"] == "costs 5, projects 3"
    assert len(record["source_sha256"]) == 64


def test_a_rejected_import_is_recorded_with_its_rejected_rows_and_changes_no_data(tiny_db, tmp_path, read):
    bad = tmp_path / "costs.csv"
    bad.write_text(
        "cost_id,project_id,item,amount_gbp,frequency,start_date,end_date,confidence_grade\n"
        "C900,P001,Sticks,-20,once,2025-07-01,,1\n"
        "C901,P001,Skins,20,once,2025-07-01,,1\n"
    )
    before = snapshot(read, tiny_db)
    result = import_path(bad, tiny_db, imported_by="Asha")
    assert not result.ok
    assert snapshot(read, tiny_db) == before
    record = db.query_df(read(tiny_db), "import_history").iloc[0]
    assert (record["outcome"], record["problem_count"], record["rows_rejected"]) == ("rejected", 1, 1)
    assert record["source_sha256"] == hashlib.sha256(bad.read_bytes()).hexdigest()
    assert record["summary"] == "Nothing was imported: 1 problem found."


def test_a_reader_holding_the_database_open_does_not_block_an_import_and_sees_it_after_reopening(tiny_db, tmp_path):
    reader = db.connect_read_only(tiny_db)
    try:
        assert (
            reader.execute("select name from projects where project_id = 'P001'").fetchall()[0][0] != "Renamed drumkit"
        )
        assert import_folder(changed_folder(tmp_path), tiny_db).ok
    finally:
        reader.close()
    fresh = db.connect_read_only(tiny_db)
    try:
        assert fresh.execute("select name from projects where project_id = 'P001'").fetchall() == [("Renamed drumkit",)]
    finally:
        fresh.close()
