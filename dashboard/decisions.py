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
- each record carries a SHA-256 hash of its own content chained to the previous record's hash
  (`previous_hash`, `record_hash`). An edit, a deletion or a re-ordering made outside the app, for example
  with a SQL client on the file, breaks the chain, and `verify_decision_log` says which record and how.
  Removing the newest records leaves a shorter valid chain, so the publication register prints every
  record's hash: a published hash that is no longer in the log shows records were removed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from dashboard import db
from dashboard.access import SUPPRESS_UP_TO
from dashboard.appraisal import Assumptions, project_metrics, reference_assumptions
from dashboard.risk import factor_reasons, risk_sentence
from dashboard.stopping import CostOfStopping, UnknownProjectError, cost_of_stopping

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
GENESIS_HASH = "0" * 64
DEFAULT_SUPPRESS_UP_TO = SUPPRESS_UP_TO  # one small-number rule for every page and export

# every stored column except record_hash, in a fixed order: what a record's hash covers
HASHED_FIELDS = (
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


# --- the hash chain ----------------------------------------------------------------------------------


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
    """SHA-256 of the previous record's hash and this record's content (every field in HASHED_FIELDS)."""
    content = {name: _canonical(record.get(name)) for name in HASHED_FIELDS}
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((str(record.get("previous_hash")) + "\n" + payload).encode("utf-8")).hexdigest()


def verify_decision_log(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every way the stored log differs from an untouched append-only chain; an empty list means intact."""
    if not decisions_table_exists(con):
        return []
    cursor = con.execute(db.load_query("decision_log"))
    rows = cursor.fetchall()
    names = [d[0] for d in cursor.description]
    problems = []
    expected_previous = GENESIS_HASH
    for position, values in enumerate(rows, start=1):
        record = dict(zip(names, values, strict=True))
        label = f"Decision {record['decision_id']} (record {record['sequence_no']})"
        if record["sequence_no"] != position:
            problems.append(f"{label}: expected record number {position}; a record before it is missing.")
        if record["previous_hash"] != expected_previous:
            problems.append(f"{label}: it does not follow on from the record before it (a record was removed).")
        if record_hash(record) != record["record_hash"]:
            problems.append(f"{label}: its content no longer matches its hash; it was changed after it was recorded.")
        expected_previous = record["record_hash"]
    return problems


def latest_hash(con: duckdb.DuckDBPyConnection) -> str | None:
    log = db.query_df(con, "decision_log") if decisions_table_exists(con) else pd.DataFrame()
    return None if log.empty else str(log["record_hash"].iloc[-1])


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
    for label, value in (("Decided by", decided_by), ("Role", _text(entry.decided_by_role))):
        if len(value) > MAX_NAME_CHARACTERS:
            problems.append(f"{label}: keep it under {MAX_NAME_CHARACTERS} characters.")
    if _exit_costs(entry) is None:
        problems.append(f"Exit costs: {_text(entry.exit_costs_gbp)!r} is not an amount in pounds of 0 or more.")
    all_text = (rationale, plan, _text(entry.evidence), decided_by, _text(entry.decided_by_role))
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
) -> dict[str, Any]:
    """The full row to append, with its figures frozen and its hash; raises DecisionError if invalid."""
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

    log = db.query_df(con, "decision_log")
    sequence_no = len(log) + 1
    previous = GENESIS_HASH if log.empty else str(log["record_hash"].iloc[-1])
    decision = _text(entry.decision).lower()
    record: dict[str, Any] = {
        "decision_id": f"D{sequence_no:04d}",
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
    }
    record["record_hash"] = record_hash(record)
    return record


def record_decision(
    path: Path | str | None,
    entry: DecisionInput,
    assumptions: Assumptions | None = None,
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Append one decision to the database at path (default: the app's database) and return the stored record.

    The write goes through db.write_database: the figures are worked out and the row appended inside one
    transaction on a copy, which replaces the file only if everything succeeded. Assumptions default to the
    council's reference assumptions as of the day it is recorded.
    """
    recorded_at = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    with db.write_database(path) as con:
        used = assumptions or reference_assumptions(con, recorded_at.date())
        problems = verify_decision_log(con)
        if problems:
            raise DecisionError(
                ["The decision log has been altered outside the app, so no decision can be added to it:", *problems]
            )
        record = build_record(con, entry, used, recorded_at)
        con.execute(db.load_query("insert_decision"), record).fetchall()
    return record


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
    from dashboard.export_files import Sheet

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


def register_about(suppress_up_to: int, council: str | None = None) -> list[tuple[str, Any]]:
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
        ("Created", datetime.now().strftime("%Y-%m-%d %H:%M")),
    ]


def register_bytes(con: duckdb.DuckDBPyConnection, fmt: str, suppress_up_to: int = DEFAULT_SUPPRESS_UP_TO) -> bytes:
    """The register as CSV or Excel bytes, through the one safe export writer."""
    from dashboard import export_files

    frame = publication_register(con, suppress_up_to)
    sheet = register_sheet(frame, suppress_up_to)
    if fmt == "csv":
        return export_files.csv_bytes(sheet)
    if fmt == "xlsx":
        council = _council_name(con)
        about = export_files.about_sheet(register_about(suppress_up_to, council))
        return export_files.xlsx_bytes([sheet, about], {"title": "Decision register"})
    raise ValueError(f"Unknown format {fmt!r}: use csv or xlsx")


def _council_name(con: duckdb.DuckDBPyConnection) -> str:
    frame = db.query_df(con, "council_settings")
    return dict(zip(frame["setting"], frame["value"], strict=True)).get("council_name", "The council")


# --- command line ------------------------------------------------------------------------------------


def add_commands(subparsers) -> None:
    from dashboard.cli import add_assumption_options, add_db_option

    p = subparsers.add_parser(
        "decide",
        help="record a funding decision (append-only; a correction is a new record with --corrects)",
        description=(
            "Append a funding decision to the decision record, with the figures at the time frozen into it. "
            "Records are never changed or deleted: to put one right, record a new decision with --corrects ID."
        ),
    )
    p.add_argument("project_id", metavar="PROJECT_ID")
    p.add_argument("--decision", required=True, help=f"one of: {', '.join(DECISIONS)}")
    p.add_argument("--effective", required=True, help="date it takes effect (for a stop: the last day), YYYY-MM-DD")
    p.add_argument("--reason", required=True, help=f"reason category, one of: {', '.join(REASON_CATEGORIES)}")
    p.add_argument("--rationale", required=True, help="why, in plain English (published)")
    p.add_argument("--transition-plan", default=None, help="what happens to the people affected (needed to stop)")
    p.add_argument("--by", required=True, dest="decided_by", help="who decided (kept in the record, not published)")
    p.add_argument("--role", default=None, dest="decided_by_role", help="their role (published)")
    p.add_argument("--evidence", default=None, help="the evidence relied on")
    p.add_argument("--people-affected", default=None, help="default: the project's people reached")
    p.add_argument("--corrects", default=None, metavar="DECISION_ID", help="the earlier decision this one corrects")
    p.add_argument(
        "--exit-costs", default=None, metavar="GBP", help="one-off costs of stopping, paid by the council (default 0)"
    )
    add_db_option(p)
    add_assumption_options(p)
    p.set_defaults(func=cmd_decide)

    p = subparsers.add_parser("verify-decisions", help="check the decision record has not been altered")
    add_db_option(p)
    p.set_defaults(func=cmd_verify)


def add_export_commands(export_subparsers) -> None:
    from dashboard.cli import add_db_option

    p = export_subparsers.add_parser(
        "decisions",
        help="the publication register of decisions (.csv or .xlsx; no names; small counts suppressed)",
    )
    p.add_argument("--out", type=Path, required=True, help="register.csv or register.xlsx")
    p.add_argument(
        "--suppress-up-to",
        type=int,
        default=DEFAULT_SUPPRESS_UP_TO,
        help=f"counts of people from 1 to this are shown as * (default {DEFAULT_SUPPRESS_UP_TO})",
    )
    add_db_option(p)
    p.set_defaults(func=cmd_export_register)


def cmd_decide(args: argparse.Namespace) -> int:
    from dashboard.cli import assumptions_from_args

    entry = DecisionInput(
        project_id=args.project_id,
        decision=args.decision,
        effective_date=args.effective,
        reason_category=args.reason,
        rationale=args.rationale,
        decided_by=args.decided_by,
        transition_plan=args.transition_plan,
        evidence=args.evidence,
        decided_by_role=args.decided_by_role,
        people_affected=args.people_affected,
        corrects_decision_id=args.corrects,
        exit_costs_gbp=args.exit_costs,
    )
    con = db.connect_read_only(args.db)
    try:
        assumptions = assumptions_from_args(con, args)
    finally:
        con.close()
    if args.as_of is None:
        assumptions = assumptions.with_changes(as_of=datetime.now(UTC).date())
    try:
        record = record_decision(args.db, entry, assumptions)
    except (DecisionError, UnknownProjectError) as exc:
        problems = exc.problems if isinstance(exc, DecisionError) else [str(exc)]
        print("error: the decision was not recorded:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    print(
        f"Recorded decision {record['decision_id']}: {DECISIONS[record['decision']].lower()} "
        f"{record['project_id']} ({record['project_name']}) from {record['effective_date'].isoformat()}. "
        f"Report: python -m dashboard report {record['decision_id']} --out {record['decision_id']}.pdf"
    )
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    con = db.connect_read_only(args.db)
    try:
        problems = verify_decision_log(con)
        count = len(decision_history(con))
        newest = latest_hash(con)
    finally:
        con.close()
    if problems:
        print("error: the decision record has been altered:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"The decision record is intact: {count} decisions." + (f" Latest hash {newest}." if newest else ""))
    return 0


def cmd_export_register(args: argparse.Namespace) -> int:
    from dashboard.export_files import write_bytes_atomically

    suffix = args.out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        print(f"error: {args.out} must end .csv or .xlsx", file=sys.stderr)
        return 2
    if args.suppress_up_to < 0:
        print("error: --suppress-up-to cannot be negative", file=sys.stderr)
        return 2
    con = db.connect_read_only(args.db)
    try:
        data = register_bytes(con, suffix[1:], args.suppress_up_to)
        count = len(decision_history(con))
    finally:
        con.close()
    write_bytes_atomically(args.out, data)
    print(f"Wrote the decision register ({count} decisions) to {args.out}")
    return 0
