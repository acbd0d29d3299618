"""Killing the process part-way through an import or a decision leaves a database that opens, holds exactly
the last committed state, and keeps every committed decision with its hash chain intact.

Each kill is aimed at the middle of a write: the parent waits until the writer's temporary copy of the
database exists (db.write_database works on that copy and only renames it over the original at the end),
waits a little longer, then sends SIGKILL, which cannot be caught or cleaned up after.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from dashboard.database import db
from dashboard.files.decisions import decision_history, verify_decision_log
from dashboard.files.importer import import_folder
from tests.conftest import TINY

pytestmark = pytest.mark.slow  # kills imports and decision writes part-way, in subprocesses, until enough kills land

ROOT = Path(__file__).resolve().parent.parent
KILLS = 4
BIG_COST_LINES = 150_000

DECIDE_FOREVER = """
import os
import sys
from datetime import date
from dashboard.files.decisions import DecisionInput, record_decision
from dashboard.rules.appraisal import Assumptions
path = sys.argv[1]
n = 0
while True:
    n += 1
    entry = DecisionInput(
        project_id=("P001", "P002", "P003")[n % 3], decision="continue", effective_date=date(2026, 4, 1),
        reason_category="evidence_of_impact", decided_by="Crash Test",
        rationale="Recorded by the crash-safety test, number " + str(n) + " of process " + str(os.getpid())
        + ", to be killed mid-write.",
    )
    record = record_decision(path, entry, Assumptions(as_of=date(2026, 11, 22)))
    print("committed", record["decision_id"], record["record_hash"], flush=True)
"""


def big_costs_folder(folder: Path) -> Path:
    """The tiny projects with a very long costs file, so an import takes long enough to be killed mid-way."""
    folder.mkdir()
    (folder / "projects.csv").write_bytes((TINY / "projects.csv").read_bytes())
    n = BIG_COST_LINES
    pd.DataFrame(
        {
            "cost_id": [f"BIG{i:07d}" for i in range(n)],
            "project_id": ["P001", "P002", "P003"] * (n // 3) + ["P001"] * (n % 3),
            "item": "Session",
            "amount_gbp": "10",
            "frequency": "once",
            "start_date": "2025-06-01",
            "end_date": "",
            "confidence_grade": "2",
        }
    ).to_csv(folder / "costs.csv", index=False)
    return folder


def temp_copies(db_path: Path) -> list[Path]:
    return [p for p in db_path.parent.glob(db_path.name + ".tmp*") if not p.name.endswith(".wal")]


def kill_mid_write(
    command: list[str], db_path: Path, rng: random.Random, writes_first: int = 0, max_delay: float = 0.15
) -> tuple[str, bool]:
    """Start command, wait for its (writes_first + 1)th write to be under way, SIGKILL it; return its output and
    whether the kill landed inside a write."""
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        seen, was_writing = 0, False
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            writing = bool(temp_copies(db_path))
            if writing and not was_writing:
                seen += 1
                if seen > writes_first:
                    time.sleep(rng.uniform(0.0, max_delay))
                    break
            was_writing = writing
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.002)
        else:
            raise AssertionError("the write never started")
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode in (0, -signal.SIGKILL)  # 0: it finished first (the write was quicker than the wait)
    # a write that finishes removes its temporary copy; one left behind by a killed process proves the kill
    # landed inside the write
    landed = proc.returncode == -signal.SIGKILL and bool(temp_copies(db_path))
    return out, landed


def state(db_path: Path) -> tuple[int, int, list[tuple[str, str]], list[str]]:
    con = db.connect_read_only(db_path)  # the database still opens
    try:
        projects = con.execute("select count(*) from projects").fetchall()[0][0]
        costs = con.execute("select count(*) from costs").fetchall()[0][0]
        history = decision_history(con)
        decisions = sorted(zip(history["decision_id"], history["record_hash"], strict=True))
        return projects, costs, decisions, verify_decision_log(con)
    finally:
        con.close()


def test_killing_an_import_mid_write_leaves_the_database_as_it_was(tiny_db, tmp_path):
    rng = random.Random(8)
    folder = big_costs_folder(tmp_path / "big")
    before = state(tiny_db)
    complete = (before[0], before[1] + BIG_COST_LINES, before[2], before[3])
    command = [sys.executable, "-m", "dashboard", "import", str(folder), "--db", str(tiny_db)]
    landed, delay = 0, 0.4  # the write takes about a second here; a kill that comes too late halves the wait
    for _ in range(KILLS * 10):
        _, inside = kill_mid_write(command, tiny_db, rng, max_delay=delay)
        landed += inside
        delay = delay if inside else delay / 2
        # all of the import or none of it (none, unless the kill came after the swap), never part of it
        assert state(tiny_db) in (before, complete)
        for leftover in temp_copies(tiny_db):  # what a kill leaves: only the writer's own temporary copy
            leftover.unlink()
        if landed == KILLS:
            break
    assert landed == KILLS
    print(f"\n{landed} imports killed mid-write; the database opened and was whole every time")
    result = import_folder(folder, tiny_db)  # and the next import works
    assert result.ok
    assert state(tiny_db)[1] == before[1] + BIG_COST_LINES


def test_killing_a_decision_write_keeps_every_committed_decision_and_the_chain(tiny_db, tmp_path):
    rng = random.Random(9)
    committed: list[tuple[str, str]] = []
    landed = 0
    env_command = [sys.executable, "-c", DECIDE_FOREVER, str(tiny_db)]
    loops = 0
    # kill until KILLS kills have landed inside a write (a kill that comes between writes proves less), however
    # fast the machine: the same rule as the import test above, the wait halving after each kill that came too late
    delay = 0.15
    for kill in range(KILLS * 10):
        loops += 1
        out, inside = kill_mid_write(env_command, tiny_db, rng, writes_first=2 + kill % KILLS, max_delay=delay)
        landed += inside
        delay = delay if inside else delay / 2
        committed += [tuple(line.split()[1:3]) for line in out.splitlines() if line.startswith("committed")]
        projects, _, decisions, problems = state(tiny_db)
        assert projects == 3
        assert problems == []  # the hash chain is whole
        assert set(committed) <= set(decisions)  # every decision reported as recorded is there
        assert len(decisions) - len(committed) in (0, 1)  # at most the one whose confirmation the kill cut off
        for leftover in temp_copies(tiny_db):
            leftover.unlink()
        if landed == KILLS:
            break
    assert landed == KILLS
    assert len(committed) >= KILLS * 2
    print(
        f"\n{loops} decision loops killed, {landed} inside a write; "
        f"all {len(committed)} committed decisions intact, chain verified"
    )
