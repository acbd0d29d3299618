"""The decision log: an append-only file beside the database that anchors the decision record outside it.

Sealing each record with a key (dashboard/files/decision_key.py) stops anyone without the key from changing a decision
or inventing one. It cannot stop someone putting back an older copy of the whole file, or deleting the newest
records: what is left is still a valid sealed chain, only shorter. So every change to the record is also written,
before it happens, to a log file that is never rewritten, only appended to (and fsynced), beside the database:

    <database>.decision-log     one JSON object a line

Each line names the decision (id, record number, hash and seal), or the sealing of records made before keys
existed, or a restore from a backup; then a later line confirms it once the database file holds it ("committed")
or withdraws it if the write never completed ("aborted": a crash between the two). Each line carries the MAC of
the line before it and its own MAC under the key, so a line cannot be changed, removed from the middle or forged
without the key. Replaying the log gives the chain the database must hold; `compare` reports a database behind
the log (a rollback: an older copy put back, or the newest records deleted), a record that differs from the one
logged (an edit) and a record the log never saw (added outside the app, or the log cut short). The log also
knows the highest decision number ever issued, so an id is never given twice, even after a restore.

What it cannot do: someone who deletes or truncates the log as well as rolling the database back leaves a
consistent pair. The publication register carries every record's seal and the chain's head for that reason.

Plain Python (no streamlit).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dashboard.database import db
from dashboard.files.decision_key import RecordKey

LOG_SUFFIX = ".decision-log"
GENESIS = "0" * 64
LINE_LABEL = "decision-log-line-v1"
CHANGE_EVENTS = ("seal", "decision", "restore")
RESOLUTION_EVENTS = ("committed", "aborted")
_ID_NUMBER = re.compile(r"^D(\d+)$")


def log_path(db_path: Path | str | None) -> Path:
    """The decision log of a database: beside the real file (symbolic links followed)."""
    real = db.resolve_db_path(db_path)
    return real.with_name(real.name + LOG_SUFFIX)


def decision_number(decision_id: str | None) -> int:
    match = _ID_NUMBER.match(str(decision_id or ""))
    return int(match.group(1)) if match else 0


def _canonical(line: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in line.items() if k != "mac"}, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class ChainEntry:
    """One record as the log says the database must hold it."""

    decision_id: str
    sequence_no: int
    record_hash: str
    record_mac: str | None  # None for a record made before keys, sealed as part of a 'seal' line
    line_no: int


@dataclass
class Replay:
    """The log read from start to end."""

    exists: bool
    lines: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # the log itself was changed
    chain: list[ChainEntry] = field(default_factory=list)  # what the database must hold (confirmed changes)
    pending: list[dict] = field(default_factory=list)  # changes logged but not yet confirmed or withdrawn
    highest_number: int = 0  # the highest decision number ever issued
    head_mac: str = GENESIS  # the last line's MAC: the next line's "prev"
    valid_bytes: int = 0  # the length of the whole lines (a crash mid-append can leave a torn last line)
    sealed: dict | None = None  # the 'seal' line, if legacy records were sealed
    restores: list[dict] = field(default_factory=list)

    @property
    def after_pending(self) -> list[ChainEntry]:
        """The chain if the pending changes took effect."""
        chain = list(self.chain)
        for line in self.pending:
            chain = _apply(chain, line)
        return chain


def _apply(chain: list[ChainEntry], line: dict) -> list[ChainEntry]:
    event, n = line["event"], line["n"]
    if event == "seal":
        return [ChainEntry(r[0], int(r[1]), r[2], None, n) for r in line["records"]]
    if event == "decision":
        entry = ChainEntry(line["decision_id"], int(line["sequence_no"]), line["record_hash"], line["record_mac"], n)
        return [*chain, entry]
    if event == "restore":
        through = int(line["through_sequence_no"])
        kept = chain[:through]
        if line.get("records") is not None:  # a log started from the backup itself (no earlier log was found)
            kept = [ChainEntry(r[0], int(r[1]), r[2], r[3], n) for r in line["records"]]
        return kept
    raise ValueError(f"not a change: {event}")


def read(path: Path, key: RecordKey | None) -> Replay:
    """Replay the log at path; with a key, every line's MAC is checked too."""
    if not path.exists():
        return Replay(exists=False)
    replay = Replay(exists=True)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        replay.problems.append(f"The decision log {path} cannot be read: {exc}.")
        return replay
    # A crash while appending can leave a torn last line. Its change never reached the database (the line is
    # written and fsynced before the database is replaced), so it is ignored here and cut off by the next writer.
    replay.valid_bytes = raw.rfind(b"\n") + 1
    text = raw[: replay.valid_bytes].decode("utf-8", errors="replace")
    previous = GENESIS
    for number, raw_line in enumerate(text.splitlines(), start=1):
        try:
            line = json.loads(raw_line)
        except json.JSONDecodeError:
            line = None
        if not isinstance(line, dict) or not isinstance(line.get("n"), int):
            replay.problems.append(f"Decision log line {number} is not a line the app wrote: the log was edited.")
            return replay
        if line["n"] != number:
            replay.problems.append(
                f"Decision log line {number} is numbered {line['n']}: lines were removed or moved, or the log was "
                "edited."
            )
            return replay
        if line.get("prev") != previous:
            replay.problems.append(
                f"Decision log line {number} does not follow on from line {number - 1}: lines were removed or edited."
            )
        if key is None:
            pass
        elif line.get("key_id") == key.key_id:
            if not key.check(LINE_LABEL, _canonical(line), line.get("mac")):
                replay.problems.append(f"Decision log line {number} does not match its seal: it was changed.")
        else:
            replay.problems.append(
                f"Decision log line {number} was sealed with key {line.get('key_id')}, not the key in use "
                f"({key.key_id}): configure the key the record was made with (README.md, Security and access)."
            )
        previous = str(line.get("mac"))
        replay.lines.append(line)
        _replay_line(replay, line)
    replay.head_mac = previous
    return replay


def _replay_line(replay: Replay, line: dict) -> None:
    event, n = line.get("event"), line["n"]
    if event in CHANGE_EVENTS:
        if event == "seal":
            replay.sealed = line
            for record in line.get("records", []):
                replay.highest_number = max(replay.highest_number, decision_number(record[0]))
        if event == "decision":
            replay.highest_number = max(replay.highest_number, decision_number(line.get("decision_id")))
        if event == "restore":
            replay.restores.append(line)
            for lost in line.get("lost", []):
                replay.highest_number = max(replay.highest_number, decision_number(lost))
        replay.highest_number = max(replay.highest_number, int(line.get("highest_number", 0)))
        replay.pending.append(line)
        return
    if event in RESOLUTION_EVENTS:
        confirms = set(line.get("of", []))
        if confirms != {p["n"] for p in replay.pending}:
            replay.problems.append(f"Decision log line {n} confirms changes the log does not have open.")
        if event == "committed":
            replay.chain = replay.after_pending
        replay.pending = []
        return
    replay.problems.append(f"Decision log line {n} is of an unknown kind ({event!r}).")


def compare(replay: Replay, table: list[dict]) -> list[str]:
    """How the database's decisions (every row, in record order) differ from the chain the log says it holds."""
    if replay.pending:  # a write was interrupted: the database may hold the state before it or after it
        before = differences(replay.chain, table)
        after = differences(replay.after_pending, table)
        return [] if not before or not after else after
    return differences(replay.chain, table)


def differences(chain: list[ChainEntry], table: list[dict]) -> list[str]:
    """Every way the table's decisions differ from the chain (empty when they match exactly)."""
    logged = {entry.decision_id: entry for entry in chain}
    stored = {row["decision_id"]: row for row in table}
    problems = []
    for row in table:
        entry = logged.get(row["decision_id"])
        if entry is None:
            problems.append(
                f"Decision {row['decision_id']} (record {row['sequence_no']}) is in the database but not in the "
                "decision log: it was added outside the app, or the log was cut short."
            )
        elif (
            int(row["sequence_no"]) != entry.sequence_no
            or row["record_hash"] != entry.record_hash
            or (entry.record_mac is not None and row.get("record_mac") != entry.record_mac)
        ):
            problems.append(
                f"Decision {row['decision_id']} (record {row['sequence_no']}) is not as the decision log recorded it "
                f"(record {entry.sequence_no}, log line {entry.line_no}): it was changed or renumbered afterwards."
            )
    missing = [entry for entry in chain if entry.decision_id not in stored]
    tail = chain[len(chain) - len(missing) :] if missing else []
    if missing and missing == tail and len(table) == len(chain) - len(missing):
        ids = join_and([m.decision_id for m in missing])
        one = len(missing) == 1
        problems.insert(
            0,
            f"The database is behind the decision log: {ids} {'was' if one else 'were'} recorded but "
            f"{'is' if one else 'are'} not in the database. An older copy of the database was put back, or the "
            "newest records were deleted. Restore the newest backup; if the loss is known and accepted, restore "
            "with --accept-loss so that the log records it.",
        )
    else:
        for entry in missing:
            problems.insert(
                0,
                f"Decision {entry.decision_id} was recorded (decision log line {entry.line_no}) but is no longer in "
                "the database: it was deleted.",
            )
    return problems


def join_and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def retire(db_path: Path | str | None) -> tuple[Path, Replay] | None:
    """Move a database's decision log aside (init made a new, empty database): returns where, and what it held.

    The old log is kept, renamed `<log>.retired-<time>`, never deleted: it is the evidence of what was recorded.
    """
    path = log_path(db_path)
    if not path.exists():
        return None
    held = read(path, None)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    retired = path.with_name(f"{path.name}.retired-{stamp}")
    os.replace(path, retired)
    db.fsync_directory(path.parent)
    return retired, held


class Writer:
    """Appends lines to a decision log under the writers' lock (the caller holds it), each fsynced."""

    def __init__(self, path: Path, key: RecordKey, replay: Replay):
        self.path = path
        self.key = key
        self.replay = replay
        self.next_n = len(replay.lines) + 1
        self.prev = replay.head_mac

    def append(self, event: str, **fields: Any) -> dict:
        line = {
            "n": self.next_n,
            "event": event,
            "at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "key_id": self.key.key_id,
            **fields,
            "prev": self.prev,
        }
        line["mac"] = self.key.mac(LINE_LABEL, _canonical(line))
        data = (json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        new_file = not self.path.exists()
        if not new_file and self.path.stat().st_size > self.replay.valid_bytes:
            os.truncate(self.path, self.replay.valid_bytes)  # a torn line from a crash mid-append (see read)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            written = os.write(fd, data)
            if written != len(data):
                raise OSError(f"only {written} of {len(data)} bytes reached the decision log")
            os.fsync(fd)
        finally:
            os.close(fd)
        if new_file:
            db.fsync_directory(self.path.parent)
        self.replay.lines.append(line)
        _replay_line(self.replay, line)
        self.replay.head_mac = line["mac"]
        self.replay.valid_bytes += len(data)
        self.next_n += 1
        self.prev = line["mac"]
        return line

    def resolve_pending(self, table: list[dict], seals: list[dict]) -> None:
        """Confirm or withdraw a change an interrupted write left open, from what the database now holds."""
        pending = self.replay.pending
        if not pending:
            return
        of = [p["n"] for p in pending]
        took_effect = not differences(self.replay.after_pending, table)
        if any(p["event"] == "seal" for p in pending):
            took_effect = took_effect and bool(seals)
        if took_effect:
            self.append("committed", of=of, note="confirmed by the next write: the database holds the change")
        else:
            self.append("aborted", of=of, note="the write did not complete: the database does not hold the change")
