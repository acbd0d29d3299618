"""The decision record: every funding decision, why it was taken and the figures at the time, kept for good.

When funding ends, councils rarely say why, and the people who drew on a service are left disappointed.
Each decision (continue, extend, scale, mainstream, stop, pause) is recorded with its reason, rationale,
evidence, the people affected and, for a stop or a pause, what happens to them. The figures the decision
was taken on (the cost of stopping on the effective date, the appraisal, the projectitis score and its
factors, the project as it was, and the assumptions used) are frozen into the record, so the record and
its published report never change when the data or assumptions do.

The record is append-only:

- there is no update or delete anywhere in the code or the command line; the only write is
  `record_decision`, which appends one row through `db.write_database` (copy, one transaction, atomic swap);
- a mistake is put right by a new record that names the one it corrects (`corrects_decision_id`); both stay;
- each record carries a SHA-256 fingerprint chained to the previous record's and a seal, an HMAC-SHA-256
  under a key kept outside the database, chained to the previous record's seal (dashboard/files/decision_chain.py),
  so an edit, a deletion, a renumbering or an invented record is found even by someone who recomputes every
  fingerprint with this code;
- every change is first written to the decision log beside the database (dashboard/files/decision_anchor.py), which
  finds a rollback (an older copy put back, the newest records deleted) and knows the highest id ever issued,
  so an id is never given twice;
- `verify_decision_log` says which record and how; `record_decision` refuses to add to a record that fails it;
- one submission makes one record: a repeated form token returns the first record, and an identical decision
  on the same project within a few minutes is refused.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from dashboard.database import db
from dashboard.files import decision_anchor, decision_chain, decision_key
from dashboard.files.decision_chain import CHAIN_KEYED, GENESIS_HASH, HASHED_FIELDS, record_hash  # noqa: F401 (re-exported)
from dashboard.rules.access import SUPPRESS_UP_TO
from dashboard.rules.appraisal import Assumptions, project_metrics, reference_assumptions
from dashboard.rules.risk import factor_reasons, risk_sentence
from dashboard.rules.stopping import CostOfStopping, cost_of_stopping

DECISIONS = {
    "continue": "Continue",
    "extend": "Extend",
    "scale": "Scale up",
    "mainstream": "Mainstream",
    "stop": "Stop",
    "pause": "Pause",
}
# decisions that end or interrupt a service: people who draw on it need a transition plan
NEEDS_TRANSITION_PLAN = ("stop", "pause")

REASON_CATEGORIES = {
    "evidence_of_impact": "Evidence of impact",
    "value_for_money": "Value for money",
    "outcomes_not_achieved": "Outcomes not achieved",
    "external_funding_ended": "External funding ended",
    "budget_pressure": "Budget pressure",
    "strategic_priorities": "Change in strategic priorities",
    "need_changed": "Need has changed or been met",
    "provider_change": "Provider stopped or changed",
    "quality_or_safety": "Quality or safety concerns",
    "correction": "Correcting an earlier record",
    "other": "Other",
}

MIN_EXPLANATION_CHARACTERS = 20
MAX_TEXT_CHARACTERS = 10_000
MAX_NAME_CHARACTERS = 200
DEFAULT_SUPPRESS_UP_TO = SUPPRESS_UP_TO  # one small-number rule for every page and export
# the same decision on the same project by the same person, recorded again within this long, is a second press
DUPLICATE_WINDOW_SECONDS = 10 * 60

SNAPSHOT_COLUMNS = (
    "name",
    "description",
    "service_area",
    "innovation_type",
    "provider",
    "provider_type",
    "funding_mechanism",
    "locality",
    "status",
    "start_date",
    "end_date",
    "people_reached",
    "coproduction_level",
    "evidence_level",
    "has_exit_plan",
    "edi_considered",
    "committed_funding_gbp",
    "funders",
    "appraisal_start_date",
    "pv_fiscal_benefit_gbp",
    "fiscal_bcr",
    "fiscal_payback_months",
    "cost_per_person_gbp",
    "forward_pv_cost_gbp",
    "forward_pv_benefit_gbp",
    "forward_npv_gbp",
    "forward_bcr",
    "forward_fiscal_bcr",
    "latest_active_funding_end",
)


class DecisionError(ValueError):
    """A decision that cannot be recorded; .problems lists every reason, each a sentence."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__(" ".join(self.problems))


@dataclass(frozen=True)
class DecisionInput:
    """What a person enters to record a decision. Text is stored as typed (trimmed)."""

    project_id: str
    decision: str
    effective_date: date | str | None
    reason_category: str
    rationale: str
    decided_by: str
    transition_plan: str | None = None
    evidence: str | None = None
    decided_by_role: str | None = None
    people_affected: int | str | None = None  # default: the project's people_reached
    corrects_decision_id: str | None = None
    exit_costs_gbp: float | str | None = None  # one-off costs of stopping, paid by the council (default 0)
    decided_by_id: str | None = None  # from sign-in: the account's immutable id (Entra ID oid, else sub)


# --- reading -----------------------------------------------------------------------------------------


def decisions_table_exists(con: duckdb.DuckDBPyConnection) -> bool:
    """False for a database made before decisions existed (it gains the table on its next write)."""
    return bool(con.execute(db.load_query("table_columns"), {"table_name": "decisions"}).fetchall())


def decision_history(
    con: duckdb.DuckDBPyConnection, project_id: str | None = None, decision_id: str | None = None
) -> pd.DataFrame:
    """One row per decision (optionally one project's, or one decision), newest first, with its corrector."""
    if not decisions_table_exists(con):
        return pd.DataFrame(columns=[*HASHED_FIELDS, "record_hash", "corrected_by_decision_id", "is_current"])
    return db.query_df(con, "decision_history", {"project_id": project_id, "decision_id": decision_id})


def get_decision(con: duckdb.DuckDBPyConnection, decision_id: str) -> dict[str, Any]:
    """One decision as a dict, with its JSON columns decoded (keys ending _json dropped, e.g. assumptions)."""
    frame = decision_history(con, decision_id=str(decision_id).strip())
    if frame.empty:
        raise LookupError(f"There is no decision with the id {decision_id!r}")
    record = {k: _plain(v) for k, v in frame.iloc[0].to_dict().items()}
    for key in list(record):
        if key.endswith("_json"):
            record[key[: -len("_json")]] = json.loads(record[key])
    return record


def _plain(value: Any) -> Any:
    """A pandas/numpy cell as a plain Python value (None for missing)."""
    if isinstance(value, list | tuple | np.ndarray):
        return list(value)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


# --- tamper evidence (dashboard/files/decision_chain.py, dashboard/files/decision_anchor.py) ---------------------


def check_record(con: duckdb.DuckDBPyConnection, *, with_log: bool = True) -> decision_chain.RecordCheck:
    """Check the record in this database: its chain, its seals under the key and, with_log, the decision log.

    The log is the one beside the database file the connection has open (symbolic links followed).
    """
    key = decision_key.load_key(create=False)
    path = db.connection_path(con) if with_log else None
    return decision_chain.check(con, key, decision_anchor.log_path(path) if path else None)


def verify_decision_log(con: duckdb.DuckDBPyConnection, *, with_log: bool = True) -> list[str]:
    """Every way the stored record differs from an untouched, sealed, append-only chain; empty means intact."""
    return check_record(con, with_log=with_log).problems


# --- validation --------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _parse_date(value: date | str | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _exit_costs(entry: DecisionInput) -> float | None:
    """The exit costs in pounds to the penny (0 when none were given); None when they are not an amount."""
    text = _text(entry.exit_costs_gbp).replace("£", "").replace(",", "")
    if not text:
        return 0.0
    try:
        value = float(text)
    except ValueError:
        return None
    return round(value, 2) if 0 <= value < 1e12 else None


def validate_decision(
    con: duckdb.DuckDBPyConnection, entry: DecisionInput
) -> tuple[list[str], date | None, int | None, dict | None]:
    """(problems, effective date, people affected, project row). Problems are sentences naming the field."""
    problems: list[str] = []
    project_id = _text(entry.project_id)
    project = None
    if not project_id:
        problems.append("Project: choose the project the decision is about.")
    else:
        match = db.query_df(con, "decision_project", {"project_id": project_id})
        if match.empty:
            problems.append(f"Project: there is no project with the id {project_id!r}.")
        else:
            project = match.iloc[0].to_dict()

    decision = _text(entry.decision).lower()
    if decision not in DECISIONS:
        problems.append(f"Decision: {entry.decision!r} is not a decision; use one of {', '.join(DECISIONS)}.")

    effective = _parse_date(entry.effective_date)
    if effective is None:
        problems.append(f"Effective date: {_text(entry.effective_date)!r} is not a date written YYYY-MM-DD.")
    elif not 2000 <= effective.year <= 2100:
        problems.append("Effective date: give a date between the years 2000 and 2100.")
    elif project is not None and effective < pd.Timestamp(project["start_date"]).date():
        started = pd.Timestamp(project["start_date"]).date().isoformat()
        problems.append(f"Effective date: {effective.isoformat()} is before the project started ({started}).")

    reason = _text(entry.reason_category).lower()
    if reason not in REASON_CATEGORIES:
        problems.append(
            f"Reason: {entry.reason_category!r} is not a reason category; use one of {', '.join(REASON_CATEGORIES)}."
        )

    rationale = _text(entry.rationale)
    plan = _text(entry.transition_plan)
    if len(rationale) < MIN_EXPLANATION_CHARACTERS:
        problems.append(
            f"Rationale: explain why the decision was taken, in at least {MIN_EXPLANATION_CHARACTERS} characters; "
            "it is published with the decision."
        )
    if decision in NEEDS_TRANSITION_PLAN and len(plan) < MIN_EXPLANATION_CHARACTERS:
        problems.append(
            f"Transition plan: a {decision} decision must say what happens to the people who draw on the service "
            f"(at least {MIN_EXPLANATION_CHARACTERS} characters), so that no one is simply left without support."
        )
    for label, value in (
        ("Rationale", rationale),
        ("Transition plan", plan),
        ("Evidence", _text(entry.evidence)),
    ):
        if len(value) > MAX_TEXT_CHARACTERS:
            problems.append(f"{label}: keep it under {MAX_TEXT_CHARACTERS:,} characters.")
    decided_by = _text(entry.decided_by)
    if not decided_by:
        problems.append("Decided by: name the person who took the decision (it is kept in the record, not published).")
    names = (
        ("Decided by", decided_by),
        ("Role", _text(entry.decided_by_role)),
        ("Account", _text(entry.decided_by_id)),
    )
    for label, value in names:
        if len(value) > MAX_NAME_CHARACTERS:
            problems.append(f"{label}: keep it under {MAX_NAME_CHARACTERS} characters.")
    if _exit_costs(entry) is None:
        problems.append(f"Exit costs: {_text(entry.exit_costs_gbp)!r} is not an amount in pounds of 0 or more.")
    all_text = (
        rationale,
        plan,
        _text(entry.evidence),
        decided_by,
        _text(entry.decided_by_role),
        _text(entry.decided_by_id),
    )
    if any("\x00" in value for value in all_text):
        problems.append("Text fields cannot contain a null character.")

    people = None
    if entry.people_affected is None or _text(entry.people_affected) == "":
        people = int(project["people_reached"]) if project is not None else None
    else:
        try:
            people = int(_text(entry.people_affected))
            if people < 0:
                raise ValueError
        except ValueError:
            problems.append(f"People affected: {entry.people_affected!r} is not a whole number of 0 or more.")
            people = None

    corrects = _text(entry.corrects_decision_id)
    if corrects:
        history = decision_history(con, decision_id=corrects)
        if history.empty:
            problems.append(f"Corrects: there is no decision with the id {corrects!r} to correct.")
        else:
            earlier = history.iloc[0]
            if project is not None and earlier["project_id"] != project_id:
                problems.append(
                    f"Corrects: decision {corrects} is about project {earlier['project_id']}, not {project_id}."
                )
            if not pd.isna(earlier["corrected_by_decision_id"]):
                problems.append(
                    f"Corrects: decision {corrects} was already corrected by {earlier['corrected_by_decision_id']}; "
                    "correct that one instead."
                )
    return problems, effective, people, project


# --- recording ---------------------------------------------------------------------------------------


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | pd.Timestamp):
        return pd.Timestamp(value).date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"cannot store {type(value).__name__} in a decision record")


def _money(value: Any) -> float | None:
    value = _plain(value)
    return None if value is None else round(float(value), 2)


def _assumptions_record(assumptions: Assumptions) -> dict:
    return {
        "as_of": assumptions.as_of.isoformat(),
        "discount_rate": assumptions.discount_rate,
        "horizon_years": assumptions.horizon_years,
        "optimism_bias": list(assumptions.optimism_bias),
        "cost_factor": assumptions.cost_factor,
        "benefit_factor": assumptions.benefit_factor,
        "deadweight_factor": assumptions.deadweight_factor,
        "attribution_factor": assumptions.attribution_factor,
        "drop_off_factor": assumptions.drop_off_factor,
        "grade_shift": assumptions.grade_shift,
    }


def build_record(
    con: duckdb.DuckDBPyConnection,
    entry: DecisionInput,
    assumptions: Assumptions,
    recorded_at_utc: datetime,
    *,
    key: decision_key.RecordKey,
    decision_number: int,
    previous_mac: str,
    request_token: str | None = None,
) -> dict[str, Any]:
    """The full row to append, with its figures frozen, its fingerprint and its seal; raises DecisionError if invalid.

    decision_number is the new id's number (never one issued before); previous_mac the seal it follows on from.
    """
    problems, effective, people, _ = validate_decision(con, entry)
    if problems:
        raise DecisionError(problems)
    project_id = _text(entry.project_id)
    row = project_metrics(con, assumptions, project_id).iloc[0].to_dict()
    stopping: CostOfStopping = cost_of_stopping(con, project_id, assumptions, effective, _exit_costs(entry) or 0.0)
    factors = [
        {"key": f.key, "label": f.label, "points": round(f.points, 1), "reason": f.reason} for f in factor_reasons(row)
    ]
    snapshot = {column: _plain(row.get(column)) for column in SNAPSHOT_COLUMNS}
    snapshot["risk_sentence"] = risk_sentence(row)

    rows = decision_chain.table_rows(con)
    sequence_no = len(rows) + 1
    previous = GENESIS_HASH if not rows else str(rows[-1]["record_hash"])
    decision = _text(entry.decision).lower()
    record: dict[str, Any] = {
        "decision_id": f"D{decision_number:04d}",
        "sequence_no": sequence_no,
        "project_id": project_id,
        "project_name": str(row["name"]),
        "decision": decision,
        "effective_date": effective,
        "reason_category": _text(entry.reason_category).lower(),
        "rationale": _text(entry.rationale),
        "evidence": _text(entry.evidence) or None,
        "people_affected": people,
        "transition_plan": _text(entry.transition_plan) or None,
        "decided_by": _text(entry.decided_by),
        "decided_by_role": _text(entry.decided_by_role) or None,
        "recorded_at_utc": recorded_at_utc.replace(microsecond=0),
        "corrects_decision_id": _text(entry.corrects_decision_id) or None,
        "stop_date": stopping.stop_date,
        # these columns predate stop against continue; they now hold its figures (the JSON holds every field):
        # the comparison window's first month, costs avoided, benefits lost, net saving, the council's cashable
        # benefits lost, and those in the first month
        "first_lost_month_date": stopping.window_start_date,
        "costs_saved_gbp": _money(stopping.costs_avoided_gbp),
        "benefits_lost_gbp": _money(stopping.benefits_lost_gbp),
        "net_effect_gbp": _money(stopping.net_saving_gbp),
        "returning_to_council_gbp": _money(stopping.council_cashable_benefits_lost_gbp),
        "returning_to_council_monthly_gbp": _money(stopping.returning_to_council_first_month_gbp),
        "false_economy": bool(stopping.false_economy),
        "cost_of_stopping_json": _json(stopping.to_dict()),
        "pv_cost_gbp": _money(row.get("pv_cost_gbp")),
        "pv_benefit_gbp": _money(row.get("pv_benefit_gbp")),
        "npv_gbp": _money(row.get("npv_gbp")),
        "bcr": _plain(row.get("bcr")),
        "projectitis_score": _plain(row.get("projectitis_score")),
        "projectitis_band": _plain(row.get("projectitis_band")),
        "risk_factors_json": _json(factors),
        "project_snapshot_json": _json(snapshot),
        "assumptions_json": _json(_assumptions_record(assumptions)),
        "previous_hash": previous,
        "decided_by_id": _text(entry.decided_by_id) or None,
        "request_token": _text(request_token) or None,
        "chain_scheme": CHAIN_KEYED,
        "key_id": key.key_id,
        "previous_mac": previous_mac,
    }
    record["record_hash"] = record_hash(record)
    record["record_mac"] = decision_chain.record_mac(key, record)
    return record


class _AlreadyRecorded(Exception):
    """Raised inside the write to abandon it: this submission already made a record (carried in .decision_id)."""

    def __init__(self, decision_id: str):
        self.decision_id = decision_id
        super().__init__(decision_id)


def new_request_token() -> str:
    """A token for one form submission or command: the record it makes carries it, so a repeat makes no other."""
    return uuid.uuid4().hex


def _duplicate_of(con: duckdb.DuckDBPyConnection, entry: DecisionInput, recorded_at: datetime) -> str | None:
    """The id of an identical decision on the same project recorded within DUPLICATE_WINDOW_SECONDS, if any."""
    problems, effective, people, _ = validate_decision(con, entry)
    if problems:
        return None  # build_record reports them
    params = {
        "project_id": _text(entry.project_id),
        "decision": _text(entry.decision).lower(),
        "effective_date": effective,
        "reason_category": _text(entry.reason_category).lower(),
        "rationale": _text(entry.rationale),
        "transition_plan": _text(entry.transition_plan) or None,
        "evidence": _text(entry.evidence) or None,
        "people_affected": people,
        "decided_by": _text(entry.decided_by),
        "decided_by_role": _text(entry.decided_by_role) or None,
        "corrects_decision_id": _text(entry.corrects_decision_id) or None,
        "recorded_at_utc": recorded_at.replace(microsecond=0),
        "window_seconds": DUPLICATE_WINDOW_SECONDS,
    }
    found = db.query_df(con, "recent_identical_decision", params)
    return None if found.empty else str(found["decision_id"].iloc[0])


def record_decision(
    path: Path | str | None,
    entry: DecisionInput,
    assumptions: Assumptions | None = None,
    *,
    now: datetime | None = None,
    request_token: str | None = None,
) -> dict[str, Any]:
    """Append one decision to the database at path (default: the app's database) and return the stored record.

    The write goes through db.write_database: the figures are worked out and the row appended inside one
    transaction on a copy, which replaces the file only if everything succeeded. Before the swap the decision is
    written to the decision log (fsynced), and confirmed there after it. Nothing is appended while the record fails
    its checks (an edit, a deletion, a rollback, a wrong key): the problems are raised as a DecisionError.

    Assumptions default to the council's reference assumptions as of the day it is recorded. A request_token
    already used returns the record it made (one submission, one record); the same decision recorded again
    within DUPLICATE_WINDOW_SECONDS is refused.
    """
    recorded_at = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    key = decision_key.load_key(create=True)
    log_file = decision_anchor.log_path(path)
    plan: dict[str, Any] = {"writer": None, "events": [], "logged": []}

    def log_changes() -> None:  # the database copy is on disk; it replaces the file next
        for event, fields in plan["events"]:
            plan["logged"].append(plan["writer"].append(event, **fields)["n"])

    def confirm_changes() -> None:
        if plan["logged"]:
            plan["writer"].append("committed", of=plan["logged"])

    try:
        with db.write_database(path, before_swap=log_changes, after_swap=confirm_changes) as con:
            replay = decision_anchor.read(log_file, key)
            writer = decision_anchor.Writer(log_file, key, replay)
            plan["writer"] = writer
            if not replay.problems:
                writer.resolve_pending(decision_chain.table_rows(con), decision_chain.seal_rows(con))
            check = decision_chain.check(con, key, log_file)
            if check.problems:
                raise DecisionError(
                    ["The decision record has been altered outside the app, so no decision can be added to it:"]
                    + check.problems
                )
            if request_token:
                earlier = db.query_df(con, "decision_by_request_token", {"request_token": request_token})
                if not earlier.empty:
                    raise _AlreadyRecorded(str(earlier["decision_id"].iloc[0]))
            duplicate = _duplicate_of(con, entry, recorded_at)
            if duplicate:
                raise DecisionError(
                    [
                        f"This decision was already recorded as {duplicate} a moment ago (the same decision on the "
                        f"same project, with the same reasons, by the same person, within "
                        f"{DUPLICATE_WINDOW_SECONDS // 60} minutes). It was not recorded twice; to put it right, "
                        "record a correction instead."
                    ]
                )
            used = assumptions or reference_assumptions(con, recorded_at.date())
            previous_mac = _seal_earlier_records(con, key, check, recorded_at, plan["events"])
            record = build_record(
                con,
                entry,
                used,
                recorded_at,
                key=key,
                decision_number=check.highest_number + 1,
                previous_mac=previous_mac,
                request_token=request_token,
            )
            con.execute(db.load_query("insert_decision"), record).fetchall()
            plan["events"].append(
                (
                    "decision",
                    {
                        "decision_id": record["decision_id"],
                        "sequence_no": record["sequence_no"],
                        "project_id": record["project_id"],
                        "record_hash": record["record_hash"],
                        "record_mac": record["record_mac"],
                        "highest_number": decision_anchor.decision_number(record["decision_id"]),
                    },
                )
            )
    except _AlreadyRecorded as done:
        con = db.connect_read_only(path)
        try:
            return get_decision(con, done.decision_id)
        finally:
            con.close()
    return record


def _seal_earlier_records(
    con: duckdb.DuckDBPyConnection,
    key: decision_key.RecordKey,
    check: decision_chain.RecordCheck,
    sealed_at: datetime,
    events: list,
) -> str:
    """The seal the new record follows on from; seals the records made before keyed seals first, if any need it."""
    rows = decision_chain.table_rows(con)
    if not rows:
        return GENESIS_HASH
    if rows[-1].get("chain_scheme") == CHAIN_KEYED:
        return str(rows[-1]["record_mac"])
    if not check.needs_seal:  # sealed earlier, no keyed record yet
        return str(check.sealed["seal_mac"])
    legacy = rows[: check.legacy_count]
    head = legacy[-1]
    seal = {
        "sealed_at_utc": sealed_at.replace(microsecond=0),
        "through_sequence_no": len(legacy),
        "through_decision_id": head["decision_id"],
        "through_record_hash": head["record_hash"],
        "key_id": key.key_id,
        "seal_mac": decision_chain.seal_mac(key, len(legacy), head["record_hash"]),
    }
    con.execute(db.load_query("insert_decision_seal"), seal).fetchall()
    events.append(
        (
            "seal",
            {
                "through_sequence_no": len(legacy),
                "through_decision_id": head["decision_id"],
                "through_record_hash": head["record_hash"],
                "seal_mac": seal["seal_mac"],
                "records": [[r["decision_id"], int(r["sequence_no"]), r["record_hash"]] for r in legacy],
                "highest_number": max(decision_anchor.decision_number(r["decision_id"]) for r in legacy),
                "note": "records made before keyed seals, sealed as they were at this moment",
            },
        )
    )
    return seal["seal_mac"]


# --- publication register ----------------------------------------------------------------------------

REGISTER_HEADERS = {
    "decision_id": "Decision ID",
    "recorded_date": "Recorded on",
    "project_id": "Project ID",
    "project_name": "Project",
    "decision": "Decision",
    "effective_date": "Effective date",
    "reason": "Reason",
    "rationale": "Rationale",
    "people_affected": "People affected",
    "costs_saved_gbp": "Costs avoided by stopping, after exit costs (£, present value)",
    "benefits_lost_gbp": "Benefits lost by stopping (£, present value)",
    "net_effect_gbp": "Net saving from stopping (£, present value)",
    "returning_to_council_gbp": "Council cashable savings lost (£, present value)",
    "false_economy": "Stopping would be a false economy",
    "bcr": "Benefit-cost ratio",
    "projectitis_score": "Projectitis risk score (0-100)",
    "decided_by_role": "Decided by (role)",
    "corrects_decision_id": "Corrects decision",
    "corrected_by_decision_id": "Corrected by decision",
    "record_hash": "Record hash (SHA-256)",
    "record_mac": "Record seal (HMAC-SHA-256)",
}
REGISTER_MONEY_COLUMNS = ("costs_saved_gbp", "benefits_lost_gbp", "net_effect_gbp", "returning_to_council_gbp")


def publication_register(con: duckdb.DuckDBPyConnection, suppress_up_to: int = DEFAULT_SUPPRESS_UP_TO) -> pd.DataFrame:
    """One row per decision for the transparency page: no names, people counts 1..suppress_up_to shown as '*'."""
    if int(suppress_up_to) < 0:
        raise ValueError("The suppression threshold cannot be negative")
    columns = list(REGISTER_HEADERS)
    if not decisions_table_exists(con):
        return pd.DataFrame(columns=columns)
    frame = db.query_df(con, "decision_register", {"suppress_up_to": int(suppress_up_to)})
    if "record_mac" not in frame.columns:  # a database made before seals
        frame["record_mac"] = None
    frame["decision"] = frame["decision"].map(DECISIONS).fillna(frame["decision"])
    frame["reason"] = frame["reason_category"].map(REASON_CATEGORIES).fillna(frame["reason_category"])
    frame["false_economy"] = frame["false_economy"].map({True: "Yes", False: "No"})
    for column in REGISTER_MONEY_COLUMNS:
        frame[column] = frame[column].astype(float)
    for column in ("recorded_date", "effective_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame[columns]


def register_sheet(frame: pd.DataFrame, suppress_up_to: int = DEFAULT_SUPPRESS_UP_TO):
    """The register as an export_files.Sheet (headings, money and date formats)."""
    from dashboard.files.export_files import Sheet

    return Sheet(
        name="Decision register",
        frame=frame,
        money_columns=REGISTER_MONEY_COLUMNS,
        date_columns=("recorded_date", "effective_date"),
        ratio_columns=("bcr",),
        headers=REGISTER_HEADERS,
        description=(
            f"One row per funding decision. Counts of people from 1 to {suppress_up_to} are shown as * to "
            "protect privacy. The name of the person who decided is not published; their role is."
        ),
    )


def register_about(
    suppress_up_to: int, council: str | None = None, check: decision_chain.RecordCheck | None = None
) -> list[tuple[str, Any]]:
    head = [] if check is None else [("Head of the record", head_sentence(check))]
    if check is not None and check.key is not None and check.count > check.legacy_count:
        head.append(("Seal key id", check.key.key_id))
    return [
        ("What this is", f"{council or 'The council'}'s register of funding decisions on adult social care projects"),
        ("One row per", "decision; a correction is a new row naming the decision it corrects (both are kept)"),
        ("Privacy", f"counts of people from 1 to {suppress_up_to} are shown as *; no names are published"),
        (
            "Figures",
            "as they were when the decision was recorded: present values over the rest of the project's appraisal "
            "window (HM Treasury Green Book discounting) of the costs saved and benefits lost by stopping it "
            "after the effective date",
        ),
        ("Record hash", "each decision's SHA-256 fingerprint: a later change to a published record would not match"),
        (
            "Record seal",
            "each decision's HMAC-SHA-256 seal under the council's key, chained to the one before: nobody without "
            "the key can make a record that matches it. Keep this file: python -m dashboard verify-decisions "
            "--published FILE checks the database still holds every decision as published here",
        ),
        *head,
        ("Created", datetime.now().strftime("%Y-%m-%d %H:%M")),
    ]


def register_bytes(con: duckdb.DuckDBPyConnection, fmt: str, suppress_up_to: int = DEFAULT_SUPPRESS_UP_TO) -> bytes:
    """The register as CSV or Excel bytes, through the one safe export writer."""
    from dashboard.files import export_files

    frame = publication_register(con, suppress_up_to)
    sheet = register_sheet(frame, suppress_up_to)
    if fmt == "csv":
        return export_files.csv_bytes(sheet)
    if fmt == "xlsx":
        council = _council_name(con)
        check = decision_chain.check(con, decision_key.load_key(create=False), None)
        about = export_files.about_sheet(register_about(suppress_up_to, council, check))
        return export_files.xlsx_bytes([sheet, about], {"title": "Decision register"})
    raise ValueError(f"Unknown format {fmt!r}: use csv or xlsx")


def _council_name(con: duckdb.DuckDBPyConnection) -> str:
    frame = db.query_df(con, "council_settings")
    return dict(zip(frame["setting"], frame["value"], strict=True)).get("council_name", "The council")


def head_sentence(check: decision_chain.RecordCheck) -> str:
    """The chain's head in words, for the register, the CLI and the page: what a published copy must match."""
    head = check.head
    if not head:
        return "The decision record is empty."
    seal = f", seal {head['record_mac']}" if head.get("record_mac") else " (recorded before keyed seals)"
    return (
        f"Newest decision {head['decision_id']} (record {head['sequence_no']} of {check.count}), fingerprint "
        f"{head['record_hash']}{seal}."
    )


PUBLISHED_ID, PUBLISHED_HASH, PUBLISHED_SEAL = (
    REGISTER_HEADERS["decision_id"],
    REGISTER_HEADERS["record_hash"],
    REGISTER_HEADERS["record_mac"],
)


def read_published_register(path: Path) -> pd.DataFrame:
    """A register this app published (CSV or Excel), as text: decision id, fingerprint and seal (may be empty)."""
    if path.suffix.lower() == ".xlsx":
        frame = pd.read_excel(path, sheet_name=register_sheet(pd.DataFrame()).name, dtype=str)
    else:
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    if PUBLISHED_ID not in frame.columns or PUBLISHED_HASH not in frame.columns:
        raise ValueError(
            f"{path} is not a decision register: it needs the columns {PUBLISHED_ID!r} and {PUBLISHED_HASH!r}"
        )
    if PUBLISHED_SEAL not in frame.columns:  # published before seals
        frame[PUBLISHED_SEAL] = ""
    return frame[[PUBLISHED_ID, PUBLISHED_HASH, PUBLISHED_SEAL]].fillna("")


def compare_with_published(con: duckdb.DuckDBPyConnection, published: pd.DataFrame, source: str) -> list[str]:
    """Every decision in a published register that the database no longer holds exactly as published."""
    stored = {row["decision_id"]: row for row in decision_chain.table_rows(con)}
    problems = []
    for decision_id, published_hash, published_seal in published.itertuples(index=False):
        row = stored.get(decision_id)
        if row is None:
            problems.append(f"Decision {decision_id} was published in {source} but is not in the database.")
        elif row["record_hash"] != published_hash or (published_seal and row.get("record_mac") != published_seal):
            problems.append(f"Decision {decision_id} in the database is not the one published in {source}.")
    return problems
