"""Writes keep the database path's identity and clean up after killed writers.

A container often mounts the database as a volume and points the app at it through a symbolic link. Each write
replaces the file by renaming a finished copy over it; renaming over the link itself would turn the link into an
ordinary file on the container's own disk, and every later decision would land there while the volume kept the
old data. Writes therefore resolve the link and work beside its target.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.database import db
from dashboard.files.importer import import_folder
from tests.conftest import TINY, build_db

ROOT = Path(__file__).resolve().parent.parent


def project_count(path: Path) -> int:
    con = db.connect_read_only(path)
    try:
        return con.execute("select count(*) from projects").fetchall()[0][0]
    finally:
        con.close()


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_write_through_a_symlink_replaces_the_target_and_the_link_stays_a_link(tmp_path):
    volume = tmp_path / "volume"
    volume.mkdir()
    target = build_db(volume / "commissioning.duckdb", None)
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    link = app_dir / "commissioning.duckdb"
    link.symlink_to(target)

    assert import_folder(TINY, link).ok  # a write through the link

    assert link.is_symlink(), "the link was replaced by an ordinary file"
    assert os.readlink(link) == str(target)
    assert project_count(target) == 3  # the volume holds the new data
    assert project_count(link) == 3
    assert sorted(p.name for p in app_dir.iterdir()) == ["commissioning.duckdb"]  # nothing written beside the link
    assert (volume / "commissioning.duckdb.lock").exists()  # the lock is the target's, shared by every path to it


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_chain_of_links_and_a_relative_link_resolve_to_the_real_file(tmp_path, monkeypatch):
    target = build_db(tmp_path / "real.duckdb", None)
    (tmp_path / "hop.duckdb").symlink_to("real.duckdb")  # relative
    (tmp_path / "entry.duckdb").symlink_to(tmp_path / "hop.duckdb")
    monkeypatch.setenv("COMMISSIONING_DB", str(tmp_path / "entry.duckdb"))
    assert db.resolve_db_path() == target.resolve()

    assert import_folder(TINY, None).ok  # the default path, through two links

    assert (tmp_path / "entry.duckdb").is_symlink() and (tmp_path / "hop.duckdb").is_symlink()
    assert not target.is_symlink()
    assert project_count(target) == 3


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_a_write_removes_the_temporary_files_of_killed_writes_and_nothing_else(tiny_db):
    folder = tiny_db.parent
    stale = [folder / (tiny_db.name + s) for s in (".tmpab12cd", ".tmpab12cd.wal", ".restorezz9")]
    for path in stale:
        path.write_bytes(b"x" * 1000)
    kept = [
        folder / (tiny_db.name + ".replaced-20261122T103000Z"),
        folder / (tiny_db.name + ".decision-log"),
        folder / (tiny_db.name + ".wal"),  # DuckDB's own log for the main file is never ours to remove
        folder / "other.duckdb.tmp123",
    ]
    for path in kept:
        path.write_bytes(b"keep")

    assert import_folder(TINY, tiny_db).ok

    assert not [p for p in stale if p.exists()]
    assert all(p.read_bytes() == b"keep" for p in kept)


HOLD_LOCK = """
import fcntl, sys, time
with open(sys.argv[1], "a") as f:
    fcntl.flock(f, fcntl.LOCK_EX)
    print("locked", flush=True)
    sys.stdin.readline()
"""


def test_start_up_cleaning_never_touches_the_files_of_a_write_under_way(tiny_db):
    in_use = tiny_db.with_name(tiny_db.name + ".tmpLIVE01")
    in_use.write_bytes(b"a live writer's copy")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(tiny_db.with_name(tiny_db.name + ".lock"))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert db.clean_leftovers(tiny_db) == []  # the lock is held: someone is writing
        assert in_use.exists()
    finally:
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=30)
    assert db.clean_leftovers(tiny_db) == [in_use]  # the writer has gone: its file is a leftover
    assert not in_use.exists()


def test_start_up_cleaning_of_a_missing_or_read_only_folder_does_nothing(tmp_path):
    assert db.clean_leftovers(tmp_path / "nowhere" / "x.duckdb") == []
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "x.duckdb.tmp1").write_bytes(b"x")
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):  # root ignores the mode: nothing to show here
            return
        assert db.clean_leftovers(folder / "x.duckdb") == []
    finally:
        folder.chmod(0o755)


def test_the_writers_lock_is_held_for_the_whole_write(tiny_db):
    """clean_leftovers' safety rests on this: a writer's copy exists only while it holds the lock."""
    lock = tiny_db.with_name(tiny_db.name + ".lock")
    with db.write_database(tiny_db):
        with open(lock, "a") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                locked_by_other = False
            except BlockingIOError:
                locked_by_other = True
        assert locked_by_other
        assert db._leftovers(tiny_db), "the copy being written exists during the write"
