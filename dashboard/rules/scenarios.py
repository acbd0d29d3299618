"""Named, saved sets of appraisal assumptions: the Base case and a council's own scenarios.

A commissioner wants to ask "what if benefits are 20% lower and we look ten years ahead?" once,
give it a name, and see every page and export at it. Saved scenarios live in the database
(table `scenarios`, queries/schema/30_scenarios.sql) and are written only through
db.write_database. The Base case is never stored: it is derived each time from the reference
tables (the same `reference_assumptions` every page starts from), so it cannot be edited or
deleted, and a check constraint stops any stored row from taking its name.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.database import db
from dashboard.rules.appraisal import DEFAULT_HORIZON_YEARS, AssumptionError, Assumptions, project_metrics
from dashboard.rules.appraisal import reference_assumptions as _reference_assumptions
from dashboard.rules.formatting import long_date, percent

BASE_CASE = "Base case"
MAX_NAME_LENGTH = 80

SHIFT_LABELS = {
    "cost_factor": "costs",
    "benefit_factor": "benefits",
    "deadweight_factor": "deadweight",
    "attribution_factor": "attribution",
    "drop_off_factor": "drop-off",
}


class ScenarioError(AssumptionError):
    """A scenario that cannot be saved, found or deleted; the message says why in plain words."""


@dataclass(frozen=True)
class Scenario:
    """A named set of assumptions. as_of_date None means "as of the day it is used"."""

    name: str
    discount_rate: float
    horizon_years: int
    optimism_bias: tuple[float, ...]
    as_of_date: date | None = None
    cost_factor: float = 1.0
    benefit_factor: float = 1.0
    deadweight_factor: float = 1.0
    attribution_factor: float = 1.0
    drop_off_factor: float = 1.0
    grade_shift: int = 0
    description: str = ""
    is_base_case: bool = False

    def assumptions(self, today: date | None = None) -> Assumptions:
        """The Assumptions this scenario stands for (raises AssumptionError if they are out of range)."""
        return Assumptions(
            as_of=self.as_of_date or today or date.today(),
            discount_rate=float(self.discount_rate),
            horizon_years=int(self.horizon_years),
            optimism_bias=tuple(float(b) for b in self.optimism_bias),
            cost_factor=float(self.cost_factor),
            benefit_factor=float(self.benefit_factor),
            deadweight_factor=float(self.deadweight_factor),
            attribution_factor=float(self.attribution_factor),
            drop_off_factor=float(self.drop_off_factor),
            grade_shift=int(self.grade_shift),
        )

    @classmethod
    def from_assumptions(
        cls, name: str, assumptions: Assumptions, *, description: str = "", fixed_as_of: bool = False
    ) -> Scenario:
        """A scenario holding these assumptions; the as-of date is kept only if fixed_as_of."""
        return cls(
            name=name,
            description=description,
            discount_rate=assumptions.discount_rate,
            horizon_years=assumptions.horizon_years,
            optimism_bias=tuple(assumptions.optimism_bias),
            as_of_date=assumptions.as_of if fixed_as_of else None,
            cost_factor=assumptions.cost_factor,
            benefit_factor=assumptions.benefit_factor,
            deadweight_factor=assumptions.deadweight_factor,
            attribution_factor=assumptions.attribution_factor,
            drop_off_factor=assumptions.drop_off_factor,
            grade_shift=assumptions.grade_shift,
        )

    def matches(self, assumptions: Assumptions, today: date | None = None) -> bool:
        """Whether these assumptions are exactly this scenario's (used to tell if a page changed them)."""
        try:
            return self.assumptions(today or assumptions.as_of) == assumptions
        except AssumptionError:
            return False

    def describe(self) -> str:
        """The settings in one plain-English line."""
        parts = [
            f"discount rate {percent(self.discount_rate, 1)}",
            f"{self.horizon_years}-year horizon",
            "as of today" if self.as_of_date is None else f"as of {long_date(self.as_of_date)}",
        ]
        for attribute, label in SHIFT_LABELS.items():
            factor = float(getattr(self, attribute))
            if abs(factor - 1) > 1e-9:
                change = factor - 1
                parts.append(f"{label} {'+' if change > 0 else '−'}{percent(abs(change))}")
        if self.grade_shift:
            steps = abs(self.grade_shift)
            sureness = "less" if self.grade_shift > 0 else "more"
            parts.append(f"confidence grades {steps} step{'s' if steps != 1 else ''} {sureness} sure")
        bias = ", ".join(percent(b) for b in self.optimism_bias)
        parts.append(f"optimism bias by grade 1–6: {bias}")
        return "; ".join(parts)


def clean_name(name: str) -> str:
    """The name as stored, or ScenarioError saying what is wrong with it."""
    text = " ".join(str(name or "").split())
    if not text:
        raise ScenarioError("A scenario needs a name")
    if len(text) > MAX_NAME_LENGTH:
        raise ScenarioError(f"A scenario name can be at most {MAX_NAME_LENGTH} characters")
    if text.lower() == BASE_CASE.lower():
        raise ScenarioError(f"{BASE_CASE!r} is the council's reference assumptions and cannot be changed or replaced")
    return text


# ------------------------------------------------------------------ reading


def base_case(con: duckdb.DuckDBPyConnection) -> Scenario:
    """The Base case, derived from the reference tables (optimism bias, Green Book discount rate)."""
    reference = _reference_assumptions(con)
    return Scenario(
        name=BASE_CASE,
        description="The council's reference assumptions; always present and cannot be changed",
        discount_rate=reference.discount_rate,
        horizon_years=DEFAULT_HORIZON_YEARS,
        optimism_bias=tuple(reference.optimism_bias),
        is_base_case=True,
    )


def _has_scenarios_table(con: duckdb.DuckDBPyConnection) -> bool:
    return not db.query_df(con, "table_columns", {"table_name": "scenarios"}).empty


def saved_scenarios(con: duckdb.DuckDBPyConnection) -> list[Scenario]:
    """Every saved scenario by name (none if the database predates saved scenarios)."""
    if not _has_scenarios_table(con):
        return []
    frame = db.query_df(con, "saved_scenarios")
    names = {f.name for f in fields(Scenario)} - {"name", "is_base_case"}
    scenarios = []
    for record in frame.to_dict("records"):
        values = {k: record[k] for k in names if k in record}
        values["optimism_bias"] = tuple(float(b) for b in record["optimism_bias"])
        as_of = record["as_of_date"]
        values["as_of_date"] = None if as_of is None or pd.isna(as_of) else pd.Timestamp(as_of).date()
        values["description"] = record["description"] if isinstance(record["description"], str) else ""
        values["horizon_years"] = int(record["horizon_years"])
        values["grade_shift"] = int(record["grade_shift"])
        scenarios.append(Scenario(name=record["scenario_name"], **values))
    return scenarios


def list_scenarios(con: duckdb.DuckDBPyConnection) -> list[Scenario]:
    """The Base case first, then every saved scenario."""
    return [base_case(con), *saved_scenarios(con)]


def get_scenario(con: duckdb.DuckDBPyConnection, name: str) -> Scenario:
    """The scenario of this name (ignoring case and extra spaces), or ScenarioError listing the choices."""
    wanted = " ".join(str(name or "").split()).lower()
    scenarios = list_scenarios(con)
    for scenario in scenarios:
        if scenario.name.lower() == wanted:
            return scenario
    choices = ", ".join(s.name for s in scenarios)
    raise ScenarioError(f"There is no scenario called {name!r}; the scenarios are: {choices}")


def scenarios_frame(scenarios: list[Scenario]) -> pd.DataFrame:
    """One row per scenario, for tables and the CLI's `scenarios list`."""
    rows = []
    for s in scenarios:
        rows.append(
            {
                "scenario_name": s.name,
                "is_base_case": s.is_base_case,
                "description": s.description,
                "discount_rate": s.discount_rate,
                "horizon_years": s.horizon_years,
                "as_of_date": s.as_of_date,
                "optimism_bias": list(s.optimism_bias),
                "cost_factor": s.cost_factor,
                "benefit_factor": s.benefit_factor,
                "deadweight_factor": s.deadweight_factor,
                "attribution_factor": s.attribution_factor,
                "drop_off_factor": s.drop_off_factor,
                "grade_shift": s.grade_shift,
                "settings": s.describe(),
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ writing


def save_scenario(scenario: Scenario, db_path: Path | str | None = None, *, replace: bool = False) -> Scenario:
    """Save a scenario (checked first); an existing name is refused unless replace=True. Returns what was stored."""
    name = clean_name(scenario.name)
    try:
        scenario.assumptions()  # the same limits as everywhere else
    except AssumptionError as exc:
        raise ScenarioError(str(exc)) from None
    stored = Scenario(**{**{f.name: getattr(scenario, f.name) for f in fields(Scenario)}, "name": name})
    frame = pd.DataFrame(
        [
            {
                "scenario_name": name,
                "description": (scenario.description or "").strip() or None,
                "discount_rate": float(scenario.discount_rate),
                "horizon_years": int(scenario.horizon_years),
                "as_of_date": scenario.as_of_date,
                "optimism_bias": [float(b) for b in scenario.optimism_bias],
                "cost_factor": float(scenario.cost_factor),
                "benefit_factor": float(scenario.benefit_factor),
                "deadweight_factor": float(scenario.deadweight_factor),
                "attribution_factor": float(scenario.attribution_factor),
                "drop_off_factor": float(scenario.drop_off_factor),
                "grade_shift": int(scenario.grade_shift),
                "saved_at": datetime.now().replace(microsecond=0),
            }
        ]
    )
    frame["as_of_date"] = pd.to_datetime(frame["as_of_date"]).astype("datetime64[s]")
    with db.write_database(db_path) as con:
        existing = db.query_df(con, "scenario_by_name", {"scenario_name": name})
        if not existing.empty:
            if not replace:
                raise ScenarioError(f"A scenario called {existing.iloc[0, 0]!r} already exists; choose another name")
            for old in existing["scenario_name"]:
                con.execute(db.load_query("delete_scenario"), {"scenario_name": old}).fetchall()
        db.upsert_rows(con, "scenarios", frame, key="scenario_name")
    return stored


def delete_scenario(name: str, db_path: Path | str | None = None) -> None:
    """Delete a saved scenario; the Base case and unknown names are refused with a reason."""
    if " ".join(str(name or "").split()).lower() == BASE_CASE.lower():
        raise ScenarioError(f"{BASE_CASE!r} is always present and cannot be deleted")
    with db.write_database(db_path) as con:
        existing = db.query_df(con, "scenario_by_name", {"scenario_name": name})
        if existing.empty:
            raise ScenarioError(f"There is no saved scenario called {name!r}")
        for old in existing["scenario_name"]:
            con.execute(db.load_query("delete_scenario"), {"scenario_name": old}).fetchall()


# ------------------------------------------------------------------ comparing


def compare_scenarios(
    con: duckdb.DuckDBPyConnection, scenarios: list[Scenario], today: date | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Portfolio totals (one row per scenario) and per-project figures (one row per project and scenario).

    Both are the forward view (from each scenario's as-of month), so the projects' figures add up to the totals.
    """
    totals, per_project = [], []
    for scenario in scenarios:
        metrics = project_metrics(con, scenario.assumptions(today))
        pv_cost = float(metrics["forward_pv_cost_gbp"].sum())
        pv_benefit = float(metrics["forward_pv_benefit_gbp"].sum())
        bands = metrics["projectitis_band"]
        totals.append(
            {
                "scenario_name": scenario.name,
                "projects": len(metrics),
                "forward_pv_cost_gbp": round(pv_cost, 2),
                "forward_pv_benefit_gbp": round(pv_benefit, 2),
                "forward_npv_gbp": round(float(metrics["forward_npv_gbp"].sum()), 2),
                "forward_bcr": round(pv_benefit / pv_cost, 2) if pv_cost > 0 else None,
                "projects_paying_for_themselves": int((metrics["forward_npv_gbp"] > 0).sum()),
                "high_risk_projects": int((bands == "high").sum()),
                "medium_risk_projects": int((bands == "medium").sum()),
                "low_risk_projects": int((bands == "low").sum()),
            }
        )
        part = metrics[
            ["project_id", "name", "forward_npv_gbp", "forward_bcr", "projectitis_score", "projectitis_band"]
        ].copy()
        part.insert(0, "scenario_name", scenario.name)
        per_project.append(part)
    columns = [
        "scenario_name",
        "project_id",
        "name",
        "forward_npv_gbp",
        "forward_bcr",
        "projectitis_score",
        "projectitis_band",
    ]
    long = pd.concat(per_project, ignore_index=True) if per_project else pd.DataFrame(columns=columns)
    return pd.DataFrame(totals), long


def side_by_side(per_project: pd.DataFrame, scenario_names: list[str]) -> pd.DataFrame:
    """One row per project with forward NPV, BCR and risk band under each scenario in columns, in the order given."""
    frame = per_project.pivot(index=["project_id", "name"], columns="scenario_name")
    out = frame.index.to_frame(index=False)
    for name in scenario_names:
        out[f"{name}: NPV"] = frame[("forward_npv_gbp", name)].to_numpy()
        out[f"{name}: BCR"] = frame[("forward_bcr", name)].to_numpy()
        out[f"{name}: risk band"] = frame[("projectitis_band", name)].to_numpy()
    return out
