"""Budget monitoring: a financial year's planned spend and savings against the actuals a council loads
(actuals.csv), per project, at a monitoring month M.

The rules are in SQL (queries/budget_monitoring.sql, on the macro budget_plan_windows, which adds each line's
money up over a window of months; budget_plan_months gives the same month by month for one project's chart):
planned spend by the finance export's nominal rules, planned savings by the appraisal's adjusted, undiscounted
fiscal cashable benefits to the council's adult social care budget. This module only binds the parameters. No
streamlit.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from dashboard.database import db
from dashboard.database.schema import BENEFICIARY_AGENCIES
from dashboard.rules.appraisal import Assumptions
from dashboard.rules.formatting import financial_year_start, gbp, month_label, percent

MONITORING_COLUMNS = [
    "project_id",
    "project_name",
    "service_area",
    "financial_year",
    "monitoring_month",
    "plan_gbp",
    "plan_to_date_gbp",
    "actual_to_date_gbp",
    "forecast_outturn_gbp",
    "variance_gbp",
    "variance_share",
    "rag",
    "planned_savings_to_date_gbp",
    "actual_savings_to_date_gbp",
    "savings_realised_share",
    "funding_committed_to_date_gbp",
    "funding_received_to_date_gbp",
]
PROJECT_MONTH_COLUMNS = [
    "planned_spend_gbp",
    "actual_spend_gbp",
    "planned_savings_gbp",
    "actual_savings_gbp",
    "cumulative_planned_spend_gbp",
    "cumulative_actual_spend_gbp",
    "cumulative_planned_savings_gbp",
    "cumulative_actual_savings_gbp",
]


def fy_start_year(label: str) -> int:
    """2026 for '2026-27'; ValueError for anything else (formatting.financial_year_start's rule)."""
    try:
        return financial_year_start(label.strip()).year
    except ValueError:
        raise ValueError(f"{label!r} is not a financial year; write it as YYYY-YY, for example 2026-27") from None


def parse_month(text: str) -> date:
    """The first day of a month written YYYY-MM; ValueError otherwise."""
    parts = text.strip().split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise ValueError(f"{text!r} is not a month; write it as YYYY-MM, for example 2026-11")
    try:
        return date(int(parts[0]), int(parts[1]), 1)
    except ValueError:
        raise ValueError(f"{text!r} is not a month; write it as YYYY-MM, for example 2026-11") from None


MONITORING_TABLES = ("actuals", "ref_budget_rag_thresholds")


def has_monitoring_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """Databases created before actuals existed have neither the actuals table nor the RAG thresholds until their
    next write (any import or init adds them); until then there is nothing to monitor."""
    return all(not db.query_df(con, "table_columns", {"table_name": name}).empty for name in MONITORING_TABLES)


def _params(assumptions: Assumptions) -> dict:
    return {
        "as_of": assumptions.as_of,
        "finance_horizon_years": int(assumptions.horizon_years),
        **assumptions.line_month_params(),
    }


def _query(con: duckdb.DuckDBPyConnection, name: str, params: dict) -> pd.DataFrame:
    """A query with the parameters it uses (those that add money up line by line need no discount rate)."""
    text = db.load_query(name)
    return db.query_df(con, name, {k: v for k, v in params.items() if f"${k}" in text})


def budget_monitoring(
    con: duckdb.DuckDBPyConnection,
    assumptions: Assumptions,
    fy_start: int,
    monitoring_month: date | None = None,
) -> pd.DataFrame:
    """One row per project with plan or actuals in the year starting April fy_start, monitored at monitoring_month
    (None: the latest month of that year with any actual)."""
    if monitoring_month is not None:
        first, last = date(fy_start, 4, 1), date(fy_start + 1, 3, 1)
        if not first <= monitoring_month <= last:
            raise ValueError(f"The monitoring month must be in the financial year, from {first:%B %Y} to {last:%B %Y}")
    if not has_monitoring_tables(con):
        return pd.DataFrame(columns=MONITORING_COLUMNS)
    params = {**_params(assumptions), "fy_start_year": int(fy_start), "monitoring_month": monitoring_month}
    return _query(con, "budget_monitoring", params)


def plan_by_project_month(
    con: duckdb.DuckDBPyConnection, assumptions: Assumptions, project_id: str | None = None
) -> pd.DataFrame:
    """One row per project (or the one project) per month with planned spend, committed funding, planned savings."""
    return db.query_df(con, "budget_plan_by_project_month", {**_params(assumptions), "project_id": project_id})


def mtfs_by_financial_year(con: duckdb.DuckDBPyConnection, assumptions: Assumptions) -> pd.DataFrame:
    """One row per financial year of the five from the as-of date: the council's budget effect (MTFS view)."""
    return _query(con, "budget_mtfs_by_financial_year", _params(assumptions))


def who_pays_by_agency_and_year(con: duckdb.DuckDBPyConnection, assumptions: Assumptions) -> pd.DataFrame:
    """One row per agency per financial year of the five: what it pays and the fiscal benefits it receives."""
    params = {**_params(assumptions), "agencies": list(BENEFICIARY_AGENCIES)}
    return _query(con, "who_pays_who_benefits_by_agency_and_financial_year", params)


def who_pays_forward_pv(con: duckdb.DuckDBPyConnection, assumptions: Assumptions) -> pd.DataFrame:
    """One row per agency: forward present value of the costs it pays and the fiscal benefits it receives."""
    params = {"as_of": assumptions.as_of, **assumptions.line_month_params(), "agencies": list(BENEFICIARY_AGENCIES)}
    return _query(con, "who_pays_who_benefits_forward_pv_by_agency", params)


def project_months(con: duckdb.DuckDBPyConnection, assumptions: Assumptions, project_id: str) -> pd.DataFrame:
    """One row per month of one project up to its latest actual: planned and actual spend and savings, cumulative."""
    if not has_monitoring_tables(con):
        return pd.DataFrame(columns=["month", *PROJECT_MONTH_COLUMNS])
    return db.query_df(con, "budget_project_months", {**_params(assumptions), "project_id": project_id})


def against_plan_sentence(months: pd.DataFrame) -> str:
    """The project's cumulative position at its latest actual month, in a sentence:
    'Spending is £4,200 (6%) ahead of plan; savings are 82% of what was planned by November 2026.'"""
    last = months.iloc[-1]
    plan, actual = float(last["cumulative_planned_spend_gbp"]), float(last["cumulative_actual_spend_gbp"])
    difference = actual - plan
    if round(difference, 2) == 0:
        spend = "Spending is on plan"
    else:
        share = f" ({percent(abs(difference) / plan)})" if plan else ""
        spend = f"Spending is {gbp(abs(difference))}{share} {'ahead of' if difference > 0 else 'behind'} plan"
    planned, saved = float(last["cumulative_planned_savings_gbp"]), float(last["cumulative_actual_savings_gbp"])
    when = month_label(last["month"])
    if planned:
        savings = f"savings are {percent(saved / planned)} of what was planned by {when}"
    elif saved:
        savings = f"savings of {gbp(saved)} were made by {when} where none were planned"
    else:
        savings = f"no savings were planned or recorded by {when}"
    return f"{spend}; {savings}."
