"""The portfolio metrics computed the way an analyst would in pandas, as the benchmark's baseline.

Why it exists: the claim "the SQL appraisal is N times faster" is only honest against a fair,
straightforward alternative that gives the same numbers. This is that alternative: read the four
template tables into DataFrames, expand every cost and benefit line into one row per month of its
project's appraisal window, apply the Green Book / GMCA rules row by row (vectorised), group by
project and month, and work out payback, present values and the projectitis risk score with
groupby and merges. Projects are processed in chunks so a million projects fit in memory, as an
analyst would do once the monthly table no longer fits.

tests/test_pandas_baseline.py holds it equal, column by column and to the penny, to
dashboard.appraisal.project_metrics, so the speed comparison compares like with like.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from dashboard.appraisal import Assumptions
from dashboard.schema import FISCAL_BENEFIT_TYPES, OPEN_STATUSES

CHUNK_PROJECTS = 50_000

METRIC_COLUMNS = [
    "pv_cost_gbp",
    "pv_benefit_gbp",
    "pv_fiscal_benefit_gbp",
    "npv_gbp",
    "bcr",
    "fiscal_bcr",
    "payback_months",
    "cost_per_person_gbp",
    "projectitis_score",
    "projectitis_band",
    "risk_funding_runway_points",
    "risk_short_term_funding_points",
    "risk_funder_concentration_points",
    "risk_no_exit_plan_points",
    "risk_weak_evidence_points",
    "risk_little_coproduction_points",
    "risk_poor_value_points",
    "needs_funding",
    "active_funding_gbp",
    "runway_months",
]


@dataclass
class Tables:
    projects: pd.DataFrame
    funding: pd.DataFrame
    costs: pd.DataFrame
    benefits: pd.DataFrame
    discount_rates: pd.DataFrame
    weights: pd.DataFrame
    runway: pd.DataFrame
    bands: pd.DataFrame


def load_tables(con: duckdb.DuckDBPyConnection) -> Tables:
    """Every table the metrics need, as DataFrames (money as float, dates as datetime64)."""

    def frame(table: str) -> pd.DataFrame:
        return con.sql("select * from " + table).df()  # noqa: S608 - fixed table names

    tables = Tables(
        projects=frame("projects"),
        funding=frame("funding"),
        costs=frame("costs"),
        benefits=frame("benefits"),
        discount_rates=frame("ref_discount_rates"),
        weights=frame("ref_projectitis_weights"),
        runway=frame("ref_projectitis_runway"),
        bands=frame("ref_projectitis_bands"),
    )
    for t in (tables.funding, tables.costs, tables.benefits):
        t["amount_gbp"] = t["amount_gbp"].astype(float)
    return tables


def _month_number(dates: pd.Series) -> pd.Series:
    """Months since year 0 (so a difference is DuckDB's datediff('month', ...)); NaN for a missing date."""
    return dates.dt.year * 12 + dates.dt.month - 1


def round_half_up(values: pd.Series | np.ndarray, digits: int) -> np.ndarray:
    """As the SQL macro round_half_up: drop noise beyond 6 decimal places, then round halves away from zero."""
    x = np.asarray(values, dtype=float)
    micro = np.rint(x * 1e6)
    step = 10 ** (6 - digits)
    whole = np.floor((np.abs(micro) + step // 2) / step)
    return np.sign(micro) * whole / 10**digits


def duckdb_round(values: pd.Series | np.ndarray, digits: int) -> np.ndarray:
    """DuckDB's round(double, n): the value times 10^n rounded half away from zero."""
    x = np.asarray(values, dtype=float) * 10**digits
    return np.sign(x) * np.floor(np.abs(x) + 0.5) / 10**digits


def discount_factors(tables: Tables, assumptions: Assumptions) -> np.ndarray:
    """The Green Book discount factor for each window year 0..horizon-1."""
    rates = tables.discount_rates
    base = rates.loc[rates["from_year"] == 0, "rate"].iloc[0]
    years = np.arange(assumptions.horizon_years)
    factors = np.ones(len(years))
    for year in years[1:]:
        rate = rates.loc[(rates["from_year"] <= year) & (year <= rates["to_year"]), "rate"].iloc[0]
        factors[year] = factors[year - 1] / (1 + assumptions.discount_rate * rate / base)
    return factors


def appraise(tables: Tables, assumptions: Assumptions) -> pd.DataFrame:
    """Present values and payback for every project, month by month, chunk by chunk."""
    projects = tables.projects[["project_id", "start_date"]]
    parts = []
    for first in range(0, len(projects), CHUNK_PROJECTS):
        chunk = projects.iloc[first : first + CHUNK_PROJECTS]
        ids = set(chunk["project_id"])
        parts.append(
            _appraise_chunk(
                chunk,
                tables.costs[tables.costs["project_id"].isin(ids)],
                tables.benefits[tables.benefits["project_id"].isin(ids)],
                discount_factors(tables, assumptions),
                assumptions,
            )
        )
    return pd.concat(parts, ignore_index=True)


def _appraise_chunk(projects, costs, benefits, factors, a: Assumptions) -> pd.DataFrame:
    horizon_months = a.horizon_years * 12
    bias = np.array(a.optimism_bias)

    cost_lines = costs.assign(side="cost", benefit_type=None, deadweight_share=0.0)
    cost_lines = cost_lines.assign(attribution_others_share=0.0, drop_off_rate=0.0)
    lines = pd.concat([cost_lines, benefits.assign(side="benefit")], ignore_index=True)

    # each project's appraisal window starts in the month of its earliest date
    first_line = lines.groupby("project_id")["start_date"].min()
    window = projects.set_index("project_id")["start_date"]
    window = pd.concat([window, first_line.reindex(window.index)], axis=1).min(axis=1)
    start_month = _month_number(window)
    appraisal_start = window.dt.to_period("M").dt.to_timestamp()

    lines["window_start"] = lines["project_id"].map(start_month)
    lines["first_month"] = _month_number(lines["start_date"]) - lines["window_start"]
    last = _month_number(lines["end_date"]) - lines["window_start"]
    lines["last_month"] = np.where(
        lines["frequency"] == "once",
        lines["first_month"],
        np.where(lines["end_date"].isna(), horizon_months - 1, last),
    )
    lines["last_month"] = np.minimum(lines["last_month"], horizon_months - 1).astype(int)
    lines = lines[lines["first_month"] <= lines["last_month"]]

    per_month = {"once": 1.0, "weekly": 52 / 12, "monthly": 1.0, "annual": 1 / 12}
    is_cost = lines["side"] == "cost"
    monthly = lines["amount_gbp"] * lines["frequency"].map(per_month)
    monthly = monthly * np.where(is_cost, a.cost_factor, a.benefit_factor)
    grade = np.clip(lines["confidence_grade"] + a.grade_shift, 1, 6).astype(int)
    ob = bias[grade - 1]
    deadweight = np.minimum(1.0, lines["deadweight_share"] * a.deadweight_factor)
    attribution = np.minimum(1.0, lines["attribution_others_share"] * a.attribution_factor)
    lines["drop_off"] = np.minimum(1.0, lines["drop_off_rate"] * a.drop_off_factor)
    lines["base_gbp"] = np.where(is_cost, monthly * (1 + ob), monthly * (1 - ob) * (1 - deadweight) * (1 - attribution))
    lines["is_fiscal"] = lines["benefit_type"].isin(FISCAL_BENEFIT_TYPES)

    # one row per line per month
    months = lines.loc[lines.index.repeat(lines["last_month"] - lines["first_month"] + 1)]
    months = months[["project_id", "side", "is_fiscal", "first_month", "base_gbp", "drop_off"]].copy()
    months["month_index"] = months["first_month"] + months.groupby(level=0).cumcount()
    years_in = (months["month_index"] - months["first_month"]) // 12
    months["adjusted_gbp"] = np.where(
        months["side"] == "cost",
        months["base_gbp"],
        months["base_gbp"] * (1 - months["drop_off"]) ** years_in,
    )
    months["cost_gbp"] = np.where(months["side"] == "cost", months["adjusted_gbp"], 0.0)
    months["benefit_gbp"] = np.where(months["side"] == "benefit", months["adjusted_gbp"], 0.0)
    months["fiscal_gbp"] = np.where(months["is_fiscal"], months["adjusted_gbp"], 0.0)

    by_month = months.groupby(["project_id", "month_index"], sort=True)[["cost_gbp", "benefit_gbp", "fiscal_gbp"]]
    by_month = by_month.sum().reset_index()
    by_month["discount_factor"] = factors[by_month["month_index"] // 12]
    for column in ("cost_gbp", "benefit_gbp", "fiscal_gbp"):
        by_month["pv_" + column] = by_month[column] * by_month["discount_factor"]
    pv = by_month.groupby("project_id")[["pv_cost_gbp", "pv_benefit_gbp", "pv_fiscal_gbp"]].sum()

    running = by_month.groupby("project_id")[["cost_gbp", "benefit_gbp"]].cumsum()
    paid_back = (running["cost_gbp"] > 0) & (
        duckdb_round(running["benefit_gbp"], 6) >= duckdb_round(running["cost_gbp"], 6)
    )
    payback = by_month.loc[paid_back].groupby("project_id")["month_index"].min() + 1

    out = pd.DataFrame({"project_id": projects["project_id"].to_numpy()})
    out["appraisal_start_date"] = out["project_id"].map(appraisal_start)
    out["pv_cost_gbp"] = out["project_id"].map(pv["pv_cost_gbp"]).fillna(0.0)
    out["pv_benefit_gbp"] = out["project_id"].map(pv["pv_benefit_gbp"]).fillna(0.0)
    out["pv_fiscal_benefit_gbp"] = out["project_id"].map(pv["pv_fiscal_gbp"]).fillna(0.0)
    out["payback_months"] = out["project_id"].map(payback)
    return out


def risk(tables: Tables, appraisal: pd.DataFrame, assumptions: Assumptions) -> pd.DataFrame:
    """The projectitis risk points of every project as of the assumptions' date."""
    as_of = pd.Timestamp(assumptions.as_of)
    projects = tables.projects.set_index("project_id")
    weights = tables.weights.set_index("factor")["max_points"]

    costs = tables.costs
    ongoing = np.where(
        costs["frequency"] == "once",
        costs["start_date"] >= as_of,
        costs["end_date"].isna() | (costs["end_date"] >= as_of),
    )
    needs_funding = pd.Series(ongoing, index=costs.index).groupby(costs["project_id"]).any()

    funding = tables.funding
    active = funding[(funding["start_date"] <= as_of) & (as_of <= funding["end_date"])]
    per_funder = active.groupby(["project_id", "funder"])["amount_gbp"].sum()
    summary = pd.DataFrame(
        {
            "active_funding_gbp": active.groupby("project_id")["amount_gbp"].sum(),
            "non_recurrent_gbp": active[~active["recurrent"]].groupby("project_id")["amount_gbp"].sum(),
            "has_recurrent": active.groupby("project_id")["recurrent"].any(),
            "latest_end": active.groupby("project_id")["end_date"].max(),
            "largest_funder_gbp": per_funder.groupby(level="project_id").max(),
        }
    )

    r = pd.DataFrame(index=projects.index)
    r["is_scored"] = projects["status"].isin(OPEN_STATUSES)
    r["needs_funding"] = needs_funding.reindex(r.index, fill_value=False).astype(bool)
    s = summary.reindex(r.index)
    r["has_recurrent"] = s["has_recurrent"].fillna(False).astype(bool)
    r["active_funding_gbp"] = s["active_funding_gbp"].fillna(0.0)
    positive = s["active_funding_gbp"] > 0
    r["non_recurrent_share"] = (s["non_recurrent_gbp"].fillna(0.0) / s["active_funding_gbp"]).where(positive)
    r["largest_funder_share"] = (s["largest_funder_gbp"] / s["active_funding_gbp"]).where(positive)
    latest = s["latest_end"]
    months_left = _month_number(latest) - (as_of.year * 12 + as_of.month - 1)
    r["runway_months"] = months_left.fillna(0).astype(int)

    runway_table = tables.runway.sort_values("max_months")
    runway_points = pd.Series(0.0, index=r.index)
    for max_months, points in reversed(list(zip(runway_table["max_months"], runway_table["points"], strict=True))):
        runway_points[r["runway_months"] <= max_months] = points
    bcr = appraisal.set_index("project_id")["bcr"].reindex(r.index)

    needs = r["needs_funding"]
    r["risk_funding_runway_points"] = np.where(~needs | r["has_recurrent"], 0.0, runway_points)
    r["risk_short_term_funding_points"] = np.where(
        ~needs, 0.0, weights["short_term_funding"] * r["non_recurrent_share"].fillna(1.0)
    )
    r["risk_funder_concentration_points"] = np.where(
        ~needs, 0.0, weights["funder_concentration"] * r["largest_funder_share"].fillna(1.0)
    )
    r["risk_no_exit_plan_points"] = np.where(projects["has_exit_plan"], 0.0, weights["no_exit_plan"])
    r["risk_weak_evidence_points"] = weights["weak_evidence"] * (5 - projects["evidence_level"]) / 4
    r["risk_little_coproduction_points"] = weights["little_coproduction"] * (4 - projects["coproduction_level"]) / 4
    r["risk_poor_value_points"] = np.where(bcr.isna() | (bcr < 1), weights["poor_value"], 0.0)
    point_columns = [c for c in r.columns if c.startswith("risk_")]
    r[point_columns] = r[point_columns].where(r["is_scored"])
    score = r[point_columns[0]].copy()
    for column in point_columns[1:]:  # left to right, in the order the SQL adds them
        score = score + r[column]
    r["projectitis_score"] = duckdb_round(score, 1)
    bands = tables.bands.sort_values("min_score")
    band = pd.Series(None, index=r.index, dtype=object)
    for name, min_score in zip(bands["band"], bands["min_score"], strict=True):
        band[r["projectitis_score"] >= min_score] = name
    r["projectitis_band"] = band.where(score.notna())
    return r.reset_index()


def metrics(tables: Tables, assumptions: Assumptions) -> pd.DataFrame:
    """One row per project, with the metric columns of project_metrics, sorted by project_id."""
    a = appraise(tables, assumptions)
    cost = a["pv_cost_gbp"]
    a["bcr"] = (a["pv_benefit_gbp"] / cost).where(cost > 0)
    a["fiscal_bcr"] = (a["pv_fiscal_benefit_gbp"] / cost).where(cost > 0)
    r = risk(tables, a, assumptions)
    people = a["project_id"].map(tables.projects.set_index("project_id")["people_reached"])
    out = pd.DataFrame({"project_id": a["project_id"], "appraisal_start_date": a["appraisal_start_date"]})
    out["pv_cost_gbp"] = round_half_up(cost, 2)
    out["pv_benefit_gbp"] = round_half_up(a["pv_benefit_gbp"], 2)
    out["pv_fiscal_benefit_gbp"] = round_half_up(a["pv_fiscal_benefit_gbp"], 2)
    out["npv_gbp"] = round_half_up(a["pv_benefit_gbp"] - cost, 2)
    out["bcr"] = round_half_up(a["bcr"], 2)
    out["fiscal_bcr"] = round_half_up(a["fiscal_bcr"], 2)
    out["payback_months"] = a["payback_months"]
    out["cost_per_person_gbp"] = np.where(people > 0, round_half_up(cost / people.where(people > 0), 2), np.nan)
    out = out.merge(r.drop(columns=["is_scored"]), on="project_id", how="left")
    return out.sort_values("project_id", ignore_index=True)
