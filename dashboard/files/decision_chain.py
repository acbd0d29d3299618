"""Tamper evidence for the decision record: the hash chain, the keyed seals and checking both against the log.

Each record carries:

- `record_hash`, a SHA-256 of its content and the previous record's hash: a public fingerprint anyone can
  recompute, printed on the report and the register. It shows a record is consistent with its chain, but anyone
  holding the file can recompute it after an edit, so on its own it proves nothing against a person with a SQL
  client;
- `record_mac`, an HMAC-SHA-256 seal of that fingerprint under the council's key (dashboard/files/decision_key.py),
  chained through `previous_mac`: nobody without the key can make a seal that checks, so an edit, a deletion, a
  renumbering or an invented record is found even when every fingerprint has been recomputed.

Records made before seals existed (chain_scheme null) keep their fingerprints unchanged. On the first keyed write
they are sealed as a whole: one `decision_seals` row holds a seal of the count and the last fingerprint of that
chain, which vouches for every one of them as they were then (an edit would change the last fingerprint), and
the first keyed record's `previous_mac` is that seal. The decision log (dashboard/files/decision_anchor.py) records the
sealing with the id and fingerprint of every record it covered.

`check` runs every test: the chain in the table, every seal under the key, and the table against the log.

Plain Python (no streamlit).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from dashboard.database import db
from dashboard.files import decision_anchor
from dashboard.files.decision_key import RecordKey

GENESIS_HASH = "0" * 64
CHAIN_KEYED = "hmac-sha256"
RECORD_LABEL = "decision-record-v2"
SEAL_LABEL = "decision-seal-v1"

# what a record's fingerprint covers: records made before seals (chain_scheme null) ...
HASHED_FIELDS_V1 = (
    "decision_id",
    "sequence_no",
    "project_id",
    "project_name",
    "decision",
    "effective_date",
    "reason_category",
    "rationale",
    "evidence",
    "people_affected",
    "transition_plan",
    "decided_by",
    "decided_by_role",
    "recorded_at_utc",
    "corrects_decision_id",
    "stop_date",
    "first_lost_month_date",
    "costs_saved_gbp",
    "benefits_lost_gbp",
    "net_effect_gbp",
    "returning_to_council_gbp",
    "returning_to_council_monthly_gbp",
    "false_economy",
    "cost_of_stopping_json",
    "pv_cost_gbp",
    "pv_benefit_gbp",
    "npv_gbp",
    "bcr",
    "projectitis_score",
    "projectitis_band",
    "risk_factors_json",
    "project_snapshot_json",
    "assumptions_json",
    "previous_hash",
)
# ... and sealed records: every stored column but record_hash and record_mac themselves
HASHED_FIELDS = (
    *HASHED_FIELDS_V1,
    "decided_by_id",
    "request_token",
    "chain_scheme",
    "key_id",
    "previous_mac",
)


def _canonical(value: Any) -> Any:
    """A value as it is hashed: the same whether it comes from Python before the insert or from DuckDB after."""
    if value is None:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | Decimal | np.floating):
        number = float(value)
        return None if math.isnan(number) else f"{number:.6f}"
    if isinstance(value, datetime | pd.Timestamp):
        return pd.Timestamp(value).to_pydatetime().isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def record_hash(record: dict[str, Any]) -> str:
    """SHA-256 of the previous record's hash and this record's content (the fields its chain scheme covers)."""
    fields = HASHED_FIELDS if record.get("chain_scheme") == CHAIN_KEYED else HASHED_FIELDS_V1
    content = {name: _canonical(record.get(name)) for name in fields}
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((str(record.get("previous_hash")) + "\n" + payload).encode("utf-8")).hexdigest()


def record_mac(key: RecordKey, record: dict[str, Any]) -> str:
    """The record's seal: HMAC-SHA-256 under the key of its fingerprint, which covers previous_mac (the chain)."""
    return key.mac(RECORD_LABEL, record_hash(record))


def seal_mac(key: RecordKey, through_sequence_no: int, through_record_hash: str) -> str:
    """The seal over records 1..through_sequence_no made before keyed seals, through their chain's last hash."""
    return key.mac(SEAL_LABEL, f"{int(through_sequence_no)}\n{through_record_hash}")


# --- reading ---------------------------------------------------------------------------------------------


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute(db.load_query("table_columns"), {"table_name": name}).fetchall())


def _rows(con: duckdb.DuckDBPyConnection, query: str) -> list[dict[str, Any]]:
    cursor = con.execute(db.load_query(query))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def table_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every decision row in record order (columns a database made before seals lacks read as None)."""
    if not _has_table(con, "decisions"):
        return []
    rows = _rows(con, "decision_log")
    for row in rows:
        for name in (*HASHED_FIELDS, "record_mac"):
            row.setdefault(name, None)
    return rows


def seal_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return _rows(con, "decision_seal_log") if _has_table(con, "decision_seals") else []


# --- checking ----------------------------------------------------------------------------------------------


@dataclass
class RecordCheck:
    """The outcome of checking the decision record: problems (tampering or a rollback) and notes (facts)."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    count: int = 0
    legacy_count: int = 0  # records made before keyed seals
    sealed: dict | None = None  # the decision_seals row, if any
    head: dict | None = None  # the newest record (decision_id, sequence_no, record_hash, record_mac)
    replay: decision_anchor.Replay | None = None
    key: RecordKey | None = None
    table_highest: int = 0  # the highest decision number in the table

    @property
    def needs_seal(self) -> bool:
        """Records made before keyed seals that no seal covers yet (the next keyed write seals them)."""
        return self.legacy_count > 0 and self.sealed is None

    @property
    def highest_number(self) -> int:
        """The highest decision number ever issued, by the table or (after a restore) only by the log."""
        logged = self.replay.highest_number if self.replay is not None else 0
        return max(logged, self.table_highest)


def check_table(rows: list[dict], seals: list[dict], key: RecordKey | None) -> RecordCheck:
    """Check the chain and every seal in the table (nothing outside it)."""
    result = RecordCheck(count=len(rows), key=key)
    problems = result.problems
    expected_hash, expected_mac = GENESIS_HASH, GENESIS_HASH
    keyed_seen = False
    cannot_check = False
    for position, record in enumerate(rows, start=1):
        label = f"Decision {record['decision_id']} (record {record['sequence_no']})"
        result.table_highest = max(result.table_highest, decision_anchor.decision_number(record["decision_id"]))
        if record["sequence_no"] != position:
            problems.append(f"{label}: expected record number {position}; a record before it is missing.")
        if record["previous_hash"] != expected_hash:
            problems.append(f"{label}: it does not follow on from the record before it (a record was removed).")
        fingerprint = record_hash(record)
        if fingerprint != record["record_hash"]:
            problems.append(f"{label}: its content no longer matches its hash; it was changed after it was recorded.")
        keyed = record.get("chain_scheme") == CHAIN_KEYED
        if not keyed:
            if record.get("chain_scheme") is not None:
                problems.append(f"{label}: its chain scheme {record['chain_scheme']!r} is not one the app writes.")
            if keyed_seen:
                problems.append(
                    f"{label}: it has no seal but comes after sealed records: it was added or altered outside the app."
                )
            else:
                result.legacy_count = position
        else:
            if not keyed_seen:
                expected_mac = _seal_start(result, rows, seals, key, problems)
            keyed_seen = True
            if record.get("previous_mac") != expected_mac:
                problems.append(f"{label}: its seal does not follow on from the record before it.")
            if key is None:
                cannot_check = True
            elif record.get("key_id") != key.key_id:
                problems.append(
                    f"{label}: it was sealed with key {record.get('key_id')}, not the key in use ({key.key_id}). "
                    "Configure the key the record was made with (README.md, Security and access)."
                )
            elif not key.check(RECORD_LABEL, fingerprint, record.get("record_mac")):
                problems.append(
                    f"{label}: its seal does not match its content: it was changed, or made, without the council's key."
                )
            expected_mac = str(record.get("record_mac"))
        expected_hash = record["record_hash"]
    if not keyed_seen and seals:
        _seal_start(result, rows, seals, key, problems)
    if cannot_check:
        problems.append(
            "No decision-record key is configured here, so the seals cannot be checked. Configure the key the record "
            "was made with (README.md, Security and access)."
        )
    if rows:
        last = rows[-1]
        result.head = {k: last.get(k) for k in ("decision_id", "sequence_no", "record_hash", "record_mac")}
    return result


def _seal_start(
    result: RecordCheck, rows: list[dict], seals: list[dict], key: RecordKey | None, problems: list[str]
) -> str:
    """Check the seal over the records made before seals; return the MAC the first sealed record follows on from."""
    legacy = result.legacy_count
    if legacy == 0:
        if seals:
            problems.append("There is a seal over earlier records, but no records before the sealed ones.")
        return GENESIS_HASH
    if not seals:
        problems.append(f"Records 1 to {legacy} have no seal, but records after them are sealed: the seal was removed.")
        return GENESIS_HASH
    if len(seals) > 1:
        problems.append(f"There are {len(seals)} seals over earlier records; the app writes one.")
    seal = seals[0]
    result.sealed = seal
    head = rows[legacy - 1]
    if int(seal["through_sequence_no"]) != legacy or seal["through_record_hash"] != head["record_hash"]:
        problems.append(
            f"The seal over the records made before keyed seals covers records 1 to {seal['through_sequence_no']} "
            f"ending {str(seal['through_record_hash'])[:12]}…, but the table has {legacy} such records ending "
            f"{str(head['record_hash'])[:12]}…: they were changed after they were sealed."
        )
    elif key is not None and seal.get("key_id") == key.key_id:
        if not key.check(SEAL_LABEL, f"{legacy}\n{head['record_hash']}", seal.get("seal_mac")):
            problems.append("The seal over the records made before keyed seals was not made with the council's key.")
    elif key is not None:
        problems.append(
            f"The records made before keyed seals were sealed with key {seal.get('key_id')}, not the key in use "
            f"({key.key_id})."
        )
    return str(seal["seal_mac"])


def check(con: duckdb.DuckDBPyConnection, key: RecordKey | None, log_file: Path | None) -> RecordCheck:
    """Check the record in the table and, when log_file is given, against the decision log."""
    rows = table_rows(con)
    seals = seal_rows(con)
    result = check_table(rows, seals, key)
    if log_file is None:
        return result
    replay = decision_anchor.read(log_file, key)
    result.replay = replay
    result.problems += replay.problems
    keyed = any(r.get("chain_scheme") == CHAIN_KEYED for r in rows) or bool(seals)
    if not replay.exists:
        if keyed:
            result.problems.append(
                f"The decision log {log_file} is missing, but the record has sealed decisions: it was deleted or the "
                "database was moved without it. Put the log back beside the database (README.md, Security and access)."
            )
        elif rows:
            result.notes.append(
                f"The {len(rows)} decisions were recorded before keyed seals and are protected only by their SHA-256 "
                "chain; the next decision seals them under the council's key."
            )
        return result
    result.problems += decision_anchor.compare(replay, rows)
    if replay.sealed is not None:
        sealed = replay.sealed
        result.notes.append(
            f"Records 1 to {sealed['through_sequence_no']} were made before keyed seals and were sealed under key "
            f"{sealed['key_id']} on {sealed['at'][:10]} (decision log line {sealed['n']}); their SHA-256 "
            "fingerprints are as published before then."
        )
    for restore in replay.restores:
        if restore.get("lost"):
            result.notes.append(
                f"On {restore['at'][:10]} a backup was restored with --accept-loss; decisions "
                f"{', '.join(restore['lost'])} were lost (decision log line {restore['n']})."
            )
    return result
