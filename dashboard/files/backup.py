"""Backups: a consistent copy of the database, and bringing one back, both without stopping the app.

Every write replaces the database file as a whole (db.write_database: copy, one transaction, checkpoint,
atomic rename), so the file at the database path is always complete and is never changed in place. A backup
is therefore a byte copy of that file, taken while holding the writers' lock so no write is mid-way, read
through one open handle (a swap during the copy cannot mix two versions). Beside it goes backup.json:
the SHA-256 of the copy, row counts per table and the decision record's length and head (newest id, hash and
seal), so a restore can prove the copy is whole and a reader can see what it holds.

A restore checks the copy before anything is replaced: its SHA-256, then a full read of every row of every table
(a truncated or damaged file fails here, not on some later page view), the row counts against the manifest, and
its decision record (chain and seals under the key). It then compares the copy's decisions with the decision log
beside the database (dashboard/files/decision_anchor.py): a backup older than the log's head would lose the decisions
recorded since, so it is refused unless the loss is accepted with --accept-loss, and the log records what was lost
(ids are never reused: the log knows the highest issued). A backup whose decisions differ from the log's is
refused outright. The database it replaces is kept beside it (`<name>.replaced-<time>`) and the copy swapped in
with the same atomic rename writes use. Open pages pick up the restored file on their next run.

    python -m dashboard backup --out backups/2026-11-22
    python -m dashboard restore backups/2026-11-22 [--db data/commissioning.duckdb] [--accept-loss]
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dashboard.database import db
from dashboard.files import decision_anchor, decision_chain, decision_key

BACKUP_FILE = "commissioning.duckdb"
MANIFEST_FILE = "backup.json"
READ_BATCH_ROWS = 100_000


class BackupError(RuntimeError):
    """A backup that cannot be written or a copy that cannot be restored; the message says why."""


@dataclass(frozen=True)
class Restored:
    manifest: dict
    kept: Path | None  # where the replaced database was kept
    lost: list[str] = field(default_factory=list)  # decisions the log had that the backup lacks (--accept-loss)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _quoted(table: str) -> str:
    return '"' + table.replace('"', '""') + '"'


def describe(path: Path, *, read_every_row: bool = False) -> dict:
    """Row counts per table and the decision record's length, head and problems, read from a database file.

    With read_every_row, every column of every row is read (not just counted), so a damaged block anywhere fails.
    """
    con = db.connect_read_only(path)
    try:
        tables = [r[0] for r in con.execute(db.load_query("backup_tables")).fetchall()]
        counts = {}
        for table in tables:  # names from the database's own catalogue, quoted
            if read_every_row:
                reader = con.execute("select * from " + _quoted(table)).to_arrow_reader(READ_BATCH_ROWS)  # noqa: S608
                counts[table] = sum(batch.num_rows for batch in reader)
            else:
                counts[table] = int(con.execute("select count(*) from " + _quoted(table)).fetchall()[0][0])  # noqa: S608
        # a copy has no decision log beside it: its chain and seals are checked here, the log at restore
        check = decision_chain.check(con, decision_key.load_key(create=False), None)
        head = check.head or {}
        return {
            "tables": counts,
            "decisions": check.count,
            "latest_decision_id": head.get("decision_id"),
            "latest_decision_hash": head.get("record_hash"),
            "latest_decision_seal": head.get("record_mac"),
            "key_id": check.key.key_id if check.key is not None and check.count else None,
            "decision_log_problems": check.problems,
        }
    finally:
        con.close()


def backup(db_path: Path | str | None, out_dir: Path | str) -> dict:
    """Write a consistent copy of the database and its manifest into out_dir; return the manifest."""
    source = db.resolve_db_path(db_path)
    if not source.is_file():
        raise BackupError(f"No database at {db_path or source} to back up")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / BACKUP_FILE
    if target.exists():
        raise BackupError(f"{out} already holds a backup; choose a new folder so no backup is overwritten")
    partial = out / (BACKUP_FILE + ".partial")
    with db.writer_lock(source):
        partial.unlink(missing_ok=True)  # left by a backup killed part-way (it too held this lock)
        try:
            with open(source, "rb") as reader, open(partial, "wb") as writer:
                shutil.copyfileobj(reader, writer, 1 << 20)
                writer.flush()
                os.fsync(writer.fileno())
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    facts = describe(target)
    manifest = {
        "created_at_utc": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "source": str(source),
        "file": BACKUP_FILE,
        "sha256": _sha256(target),
        "size_bytes": target.stat().st_size,
        "duckdb_version": duckdb.__version__,
        **facts,
    }
    (out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def check_backup(backup_dir: Path | str) -> dict:
    """The manifest of a backup folder, after checking the copy is whole, reads in full and its record is intact."""
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
        facts = describe(copy, read_every_row=True)
    except duckdb.Error as exc:
        raise BackupError(
            f"{copy} is damaged: it could not be read in full ({type(exc).__name__}: {exc}). It may have been cut "
            "short when it was copied; use another backup"
        ) from None
    if isinstance(manifest.get("tables"), dict) and facts["tables"] != manifest["tables"]:
        raise BackupError(f"{copy} does not hold the rows its manifest lists: the copy is damaged or was changed")
    if facts["decision_log_problems"]:
        raise BackupError("The backup's decision record is not intact: " + " ".join(facts["decision_log_problems"]))
    return manifest


def _decisions_in(path: Path) -> tuple[list[dict], list[dict]]:
    con = db.connect_read_only(path)
    try:
        return decision_chain.table_rows(con), decision_chain.seal_rows(con)
    finally:
        con.close()


def _entries(rows: list[dict]) -> list[decision_anchor.ChainEntry]:
    return [
        decision_anchor.ChainEntry(r["decision_id"], int(r["sequence_no"]), r["record_hash"], r.get("record_mac"), 0)
        for r in rows
    ]


def _lost_by_restoring(chain: list[decision_anchor.ChainEntry], backup_rows: list[dict]) -> tuple[list[str], list[str]]:
    """(the decisions in chain that the backup lacks, problems if the backup is not an earlier state of chain)."""
    if not decision_anchor.differences(chain, backup_rows):
        return [], []
    earlier = chain[: len(backup_rows)]
    if len(backup_rows) <= len(chain) and not decision_anchor.differences(earlier, backup_rows):
        return [entry.decision_id for entry in chain[len(backup_rows) :]], []
    held = {r["decision_id"] for r in backup_rows}
    return [e.decision_id for e in chain if e.decision_id not in held], decision_anchor.differences(chain, backup_rows)


def restore(backup_dir: Path | str, db_path: Path | str | None = None, *, accept_loss: bool = False) -> Restored:
    """Swap a checked backup in as the database; say where the replaced file was kept and what was lost, if any."""
    folder = Path(backup_dir)
    manifest = check_backup(folder)
    copy = folder / BACKUP_FILE
    target = db.resolve_db_path(db_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    backup_rows, _ = _decisions_in(copy)
    key = decision_key.load_key(create=True)
    log_file = decision_anchor.log_path(target)
    with db.writer_lock(target):
        db.remove_leftovers(target)
        replay = decision_anchor.read(log_file, key)
        if replay.problems:
            raise BackupError("The decision log beside the database is not intact: " + " ".join(replay.problems))
        writer = decision_anchor.Writer(log_file, key, replay)
        if target.exists():
            writer.resolve_pending(*_decisions_in(target))
        records = None
        if replay.exists:
            lost, problems = _lost_by_restoring(replay.chain, backup_rows)
            if problems:
                raise BackupError(
                    f"The decisions in {folder} are not an earlier state of this database's decision record (its "
                    "decision log), so it was not restored: " + " ".join(problems)
                )
        else:  # no log yet (a database from before the log, or a new machine): the database is the reference
            records = [
                [r["decision_id"], int(r["sequence_no"]), r["record_hash"], r.get("record_mac")] for r in backup_rows
            ]
            current = _decisions_in(target)[0] if target.exists() else []
            lost, problems = _lost_by_restoring(_entries(current), backup_rows)
            if problems and not accept_loss:
                raise BackupError(
                    f"The decisions in {folder} are not an earlier state of the decisions in {target}, and there is no "
                    "decision log to settle which is right. If restoring it is known to be right, add --accept-loss "
                    "(the new decision log records that it started from this backup): " + " ".join(problems)
                )
        if lost and not accept_loss:
            newest = backup_rows[-1]["decision_id"] if backup_rows else "none"
            were = "was" if len(lost) == 1 else "were"
            raise BackupError(
                f"The backup in {folder} is older than the decision record: it holds {len(backup_rows)} decisions "
                f"(newest {newest}), but {decision_anchor.join_and(lost)} {were} recorded after it and would be lost. "
                "Restore a newer backup, or, if the loss is known and accepted, add --accept-loss (the decision log "
                "records what was lost, and their ids are never reused)"
            )
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
            head = backup_rows[-1] if backup_rows else {}
            line = writer.append(
                "restore",
                backup=str(folder.resolve()),
                backup_created_at_utc=manifest.get("created_at_utc"),
                backup_sha256=manifest.get("sha256"),
                through_sequence_no=len(backup_rows),
                through_decision_id=head.get("decision_id"),
                through_record_hash=head.get("record_hash"),
                accept_loss=bool(accept_loss),
                lost=lost,
                replaced_kept_as=str(kept) if kept else None,
                records=records,
                highest_number=replay.highest_number,
                note=None if records is None else "no earlier decision log was found: this log starts from the backup",
            )
            os.replace(tmp, target)
            db.fsync_directory(target.parent)
            writer.append("committed", of=[line["n"]])
        finally:
            tmp.unlink(missing_ok=True)
    return Restored(manifest, kept, lost)
