"""Backups: a consistent copy of the database, and bringing one back, both without stopping the app.

Every write replaces the database file as a whole (db.write_database: copy, one transaction, checkpoint,
atomic rename), so the file at the database path is always complete and is never changed in place. A backup
is therefore a byte copy of that file, taken while holding the writers' lock so no write is mid-way, read
through one open handle (a swap during the copy cannot mix two versions). Beside it goes backup.json:
the SHA-256 of the copy, row counts per table and the decision log's length and newest hash, so a restore
can prove the copy is whole and a reader can see what it holds.

A restore checks the copy (hash, opens, decision chain intact), keeps the database it replaces beside it
(`<name>.replaced-<time>`), then swaps the copy in with the same atomic rename writes use. Pages that are
open pick up the restored file on their next run, as they do after an import.

    python -m dashboard backup --out backups/2026-11-22
    python -m dashboard restore backups/2026-11-22 [--db data/commissioning.duckdb]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dashboard import db

BACKUP_FILE = "commissioning.duckdb"
MANIFEST_FILE = "backup.json"


class BackupError(RuntimeError):
    """A backup that cannot be written or a copy that cannot be restored; the message says why."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe(path: Path) -> dict:
    """Row counts per table and the decision log's length and newest hash, read from a database file."""
    from dashboard.decisions import decisions_table_exists, latest_hash, verify_decision_log

    con = db.connect_read_only(path)
    try:
        tables = [r[0] for r in con.execute(db.load_query("backup_tables")).fetchall()]
        counts = {}
        for table in tables:  # names from the database's own catalogue, quoted
            counts[table] = int(con.execute('select count(*) from "' + table.replace('"', '""') + '"').fetchall()[0][0])  # noqa: S608
        has_log = decisions_table_exists(con)
        return {
            "tables": counts,
            "decisions": counts.get("decisions", 0) if has_log else 0,
            "latest_decision_hash": latest_hash(con) if has_log else None,
            "decision_log_problems": verify_decision_log(con),
        }
    finally:
        con.close()


def backup(db_path: Path | str | None, out_dir: Path | str) -> dict:
    """Write a consistent copy of the database and its manifest into out_dir; return the manifest."""
    source = Path(db_path) if db_path else db.default_db_path()
    if not source.is_file():
        raise BackupError(f"No database at {source} to back up")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / BACKUP_FILE
    if target.exists():
        raise BackupError(f"{out} already holds a backup; choose a new folder so no backup is overwritten")
    partial = out / (BACKUP_FILE + ".partial")
    with db._writer_lock(source), open(source, "rb") as reader, open(partial, "wb") as writer:
        shutil.copyfileobj(reader, writer, 1 << 20)
        writer.flush()
        os.fsync(writer.fileno())
    os.replace(partial, target)
    facts = describe(target)
    manifest = {
        "created_at_utc": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "source": str(source.resolve()),
        "file": BACKUP_FILE,
        "sha256": _sha256(target),
        "size_bytes": target.stat().st_size,
        "duckdb_version": duckdb.__version__,
        **facts,
    }
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def check_backup(backup_dir: Path | str) -> dict:
    """The manifest of a backup folder, after checking the copy is whole, opens and has an intact decision log."""
    folder = Path(backup_dir)
    manifest_path, copy = folder / MANIFEST_FILE, folder / BACKUP_FILE
    if not manifest_path.is_file() or not copy.is_file():
        raise BackupError(f"{folder} is not a backup folder: it needs {BACKUP_FILE} and {MANIFEST_FILE}")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BackupError(f"{manifest_path} cannot be read: {exc}") from None
    if _sha256(copy) != manifest.get("sha256"):
        raise BackupError(f"{copy} does not match the SHA-256 in {MANIFEST_FILE}: the copy is damaged or was changed")
    try:
        facts = describe(copy)
    except duckdb.Error as exc:
        raise BackupError(f"{copy} does not open as a database: {exc}") from None
    if facts["decision_log_problems"]:
        raise BackupError("The backup's decision log is not intact: " + " ".join(facts["decision_log_problems"]))
    return manifest


def restore(backup_dir: Path | str, db_path: Path | str | None = None) -> tuple[dict, Path | None]:
    """Swap a checked backup in as the database; return its manifest and where the replaced database was kept."""
    manifest = check_backup(backup_dir)
    copy = Path(backup_dir) / BACKUP_FILE
    target = Path(db_path) if db_path else db.default_db_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    with db._writer_lock(target):
        fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".restore", dir=target.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            shutil.copyfile(copy, tmp)
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            kept = None
            if target.exists():
                stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
                kept = target.with_name(f"{target.name}.replaced-{stamp}")
                try:
                    os.link(target, kept)  # a second name for the current file; the swap below leaves it intact
                except OSError:  # a file system without hard links
                    shutil.copy2(target, kept)
            os.replace(tmp, target)
            dir_fd = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        finally:
            tmp.unlink(missing_ok=True)
    return manifest, kept


# ---------------------------------------------------------------- command line


def add_commands(subparsers) -> None:
    from dashboard.cli import add_db_option

    p = subparsers.add_parser("backup", help="write a consistent copy of the database and a manifest into a folder")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="a new or empty folder for the backup")
    add_db_option(p)
    p.set_defaults(func=cmd_backup)

    p = subparsers.add_parser("restore", help="check a backup folder and swap it in as the database")
    p.add_argument("backup_dir", type=Path, metavar="DIR", help="a folder written by the backup command")
    add_db_option(p)
    p.set_defaults(func=cmd_restore)


def cmd_backup(args: argparse.Namespace) -> int:
    try:
        manifest = backup(args.db, args.out)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = sum(manifest["tables"].values())
    print(
        f"Backed up {manifest['source']} to {Path(args.out) / BACKUP_FILE}: {rows:,} rows in "
        f"{len(manifest['tables'])} tables, {manifest['decisions']:,} decisions; SHA-256 {manifest['sha256']}."
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    target = args.db or db.default_db_path()
    try:
        manifest, kept = restore(args.backup_dir, target)
    except BackupError as exc:
        print(f"error: {exc} Nothing was restored.", file=sys.stderr)
        return 2
    print(
        f"Restored {target} from the backup of {manifest['created_at_utc']} "
        f"({manifest['decisions']:,} decisions)." + (f" The database it replaced is kept as {kept}." if kept else "")
    )
    if kept is not None:
        replaced = describe(kept)
        newer = replaced["decisions"] - manifest["decisions"]
        if newer > 0:
            print(
                f"warning: the replaced database had {newer:,} decisions recorded after this backup; "
                f"they are in {kept}.",
                file=sys.stderr,
            )
    return 0
