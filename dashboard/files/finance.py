"""Finance exports: the portfolio's money by UK financial year, funder and service area, for budget reports.

A council finance officer filters the portfolio (or takes all of it) and gets one workbook, or a zip of
CSVs, that drops into a budget report without retyping, and that an auditor can reproduce:

1. Summary by financial year: committed funding (recurrent and non-recurrent), planned spend, unfunded spend.
2. By funder and financial year.
3. By service area and financial year.
4. Projects: one row per project with the nominal cash beside the appraisal at the chosen assumptions.
5. Funding ending within 12 months of the as-of date, with each project's projectitis risk band.
6. Budget monitoring: for each financial year shown, each project's plan, actuals to the monitoring month,
   forecast outturn, variance and RAG, and planned against actual savings (dashboard/budget.py).
7. MTFS by year: the council's budget effect for the five financial years from the as-of date.
8. Who pays by year, and 9. who pays in present value: costs paid and fiscal benefits received by agency.
10. About this export: council, dates, assumptions, filters, source row counts, the rules, and the command
   that reproduces it.

Finance figures are nominal cash (undiscounted, no optimism bias, no deadweight); the rules are in
queries/macros/finance_line_years.sql and are repeated in words on the About sheet (`BASIS`). The SQL works
in whole pence, so every table's totals equal the database to the penny. Files are written only through
dashboard/export_files.py (formula-injection safe). The `python -m dashboard export finance` command is
dashboard/commands/finance.py. It never imports streamlit.
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from dashboard.database import db
from dashboard.files import export_files
from dashboard.files.export_files import Sheet
from dashboard.rules.appraisal import Assumptions
from dashboard.rules.filters import FILTERS, PortfolioFilters
from dashboard.rules.formatting import (
    code_label,
    financial_year,
    financial_year_start,
    gbp,
    long_date,
    month_label,
    percent,
    to_date,
)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_MIME = "application/zip"

# table key (CSV file stem, --table choice) -> sheet name
TABLES = {
    "summary_by_financial_year": "Summary by financial year",
    "by_funder_and_financial_year": "By funder and year",
    "by_service_area_and_financial_year": "By service area and year",
    "projects": "Projects",
    "funding_ending_within_12_months": "Funding ending in 12 months",
    "budget_monitoring": "Budget monitoring",
    "mtfs_by_financial_year": "MTFS by year",
    "who_pays_by_agency_and_year": "Who pays by year",
    "who_pays_forward_pv_by_agency": "Who pays, present value",
    "about_this_export": "About this export",
}

BASIS = (
    (
        "Figures",
        "Nominal cash in pounds: not discounted, with no optimism bias, deadweight or attribution. "
        "(The appraisal columns on the Projects sheet are the Green Book present values instead.)",
    ),
    ("Financial years", "1 April to 31 March, labelled 2025-26."),
    (
        "Committed funding",
        "Each funding line's amount spread evenly over its calendar months, from the month it starts to the "
        "month it ends inclusive, then added up by financial year.",
    ),
    (
        "Planned spend",
        "Cost lines by calendar month, from the start month to the end month inclusive: a one-off cost falls in "
        "its month; weekly costs count amount x 52 / 12 a month; monthly costs the amount; annual costs "
        "amount / 12 a month.",
    ),
    ("Open-ended cost lines", ""),  # filled in with the actual cut-off date
    (
        "Unfunded spend (the gap)",
        "For each project and financial year, planned spend less committed funding when spend is higher "
        "(otherwise nil), then added up; one project's surplus never hides another's shortfall. 'Funding less "
        "spend' is the plain difference and can be negative (shown in red with a minus sign).",
    ),
    (
        "Budget monitoring",
        "For a financial year and a monitoring month M (default: the latest month of that year with any actual). "
        "Plan: planned spend in the year by the rules above. Plan to date: planned spend in the year's months up "
        "to and including M. Actual to date: spend actuals (actuals.csv, kind spend, credits negative) in those "
        "months. Forecast outturn = actual to date + planned spend in the year's months after M. Variance = "
        "forecast outturn - plan (positive is an overspend). RAG: green when |variance| is at most 5% of plan, "
        "amber at most 10%, red above (data/reference/budget_rag_thresholds.csv); with no plan in the year, red "
        "if there is any actual spend. Planned savings to date: the appraisal's adjusted (optimism bias, "
        "deadweight, attribution, drop-off), undiscounted fiscal cashable benefits to the council's adult social "
        "care budget in those months; actual savings: saving actuals; realised share = actual / planned. Funding "
        "committed to date (funding lines spread over their months) against funding received actuals. "
        "Checks: forecast - actual to date = plan - plan to date for every project; the actual spend column "
        "totals the imported spend actuals for those months to the penny.",
    ),
    (
        "MTFS by year",
        "The five financial years from the one holding the as-of date, for the whole portfolio (filters do not "
        "apply). Council-paid spend: planned spend of cost lines paid by the council's adult social care budget "
        "(payer council_asc or none). Savings in-year: planned savings (as in budget monitoring) in the year's "
        "months; full-year effect = 12 x the planned saving in March of that year. Net effect = council-paid "
        "spend - in-year savings (positive is a net cost). Funding secured: committed funding in the year. "
        "Unfunded gap: for each project, council-paid spend less funding secured when higher, added up.",
    ),
    (
        "Who pays, who benefits",
        "By agency (council adult social care, NHS, DWP, the person, carers, other), whole portfolio. Pays: "
        "planned spend of the cost lines it is payer of (nominal, by year). Benefits: the appraisal's adjusted, "
        "undiscounted fiscal benefits (cashable and non-cashable) it receives, by year. Present value: from the "
        "as-of month over the appraisal horizon, adjusted and discounted as the appraisal's forward view. An "
        "agency paying while another benefits is a 'wrong pocket' case.",
    ),
    ("Recurrent funding", "Funding lines marked recurrent (mainstream or core budget); the rest is non-recurrent."),
    (
        "Rounding",
        "Worked in whole pence. Each line's running total is rounded to the penny at each year end and a year "
        "is the difference, so a line's years add to its amount exactly and every total equals the database.",
    ),
    (
        "Filters",
        "Filters choose projects; all funding and cost lines of a chosen project are included. A funder filter "
        "chooses projects with any funding from that funder.",
    ),
    (
        "Funding ending",
        "Funding lines ending on or after the as-of date and before the same date a year later. 'Later funding' "
        "is the project's other funding lines that end after that one.",
    ),
    (
        "Appraisal columns (Projects sheet)",
        "Whole life ('was it worth it'): present values over the horizon from each project's appraisal start, so "
        "each is discounted to its own start and they are not totalled. From now ('what continuing costs and "
        "returns'): present values over the horizon from the as-of month, money already spent left out, one base "
        "date for every project, so they add up. Fiscal payback: the first month from which cumulative savings to "
        "public budgets (undiscounted) stay at or above cumulative costs for the rest of the horizon.",
    ),
    (
        "Text safety",
        "Text that begins with = + - @ or a tab or line break is shown with a leading apostrophe so a "
        "spreadsheet never runs it as a formula (OWASP CSV-injection guidance). Totals rows are values.",
    ),
)


@dataclass(frozen=True)
class FinanceRequest:
    """Everything a finance export depends on besides the data."""

    assumptions: Assumptions
    filters: PortfolioFilters = field(default_factory=PortfolioFilters)
    financial_years: tuple[str, ...] = ()  # labels like 2025-26; empty for every year with money
    monitoring_month: date | None = None  # budget monitoring's month M (first day); None: the latest with actuals

    def fy_start_years(self) -> list[int] | None:
        if not self.financial_years:
            return None
        return sorted({financial_year_start(label).year for label in self.financial_years})


def _query(con, name: str, request: FinanceRequest, project_ids: list[str] | None) -> pd.DataFrame:
    params = {
        "as_of": request.assumptions.as_of,
        "horizon_years": int(request.assumptions.horizon_years),
        "project_ids": project_ids,
        "fy_start_years": request.fy_start_years(),
    }
    text = db.load_query(name)
    return db.query_df(con, name, {k: v for k, v in params.items() if f"${k}" in text})


@contextmanager
def _project_years_kept(con: duckdb.DuckDBPyConnection, request: FinanceRequest, project_ids: list[str] | None):
    """The chosen projects' money by financial year (finance_project_years), worked out once for the three
    tables built on it instead of once each (at a million projects that spreading was two thirds of the
    finance SQL). Kept in a temp table of this connection only while the block runs."""
    _query(con, "create_finance_project_years_chosen", request, project_ids)
    source = {"project_years_source": "finance_project_years_chosen"}
    con.execute(db.load_query("set_finance_project_years_source"), source).fetchall()
    try:
        yield
    finally:
        con.execute(db.load_query("set_finance_project_years_source"), {"project_years_source": None}).fetchall()
        con.execute(db.load_query("drop_finance_project_years_chosen")).fetchall()


def _money_columns(frame: pd.DataFrame) -> tuple[str, ...]:
    return tuple(c for c in frame.columns if c.endswith("_gbp"))


def _as_dates(frame: pd.DataFrame, columns) -> pd.DataFrame:
    frame = frame.copy()
    for column in columns:
        frame[column] = pd.to_datetime(frame[column])
    return frame


def finance_sheets(
    con: duckdb.DuckDBPyConnection,
    request: FinanceRequest,
    metrics: pd.DataFrame,
    *,
    council_name: str = "",
    produced_at: datetime | None = None,
    data_source: str = "",
    whole_portfolio: bool | None = None,
) -> list[Sheet]:
    """The six finance tables as Sheets, for the chosen projects (the rows of `metrics`).

    metrics: project_appraisal rows at request.assumptions, already filtered. whole_portfolio: True when no
    project filter is set (the SQL then skips the project list); defaults to request.filters.is_empty().
    """
    produced_at = produced_at or datetime.now().replace(microsecond=0)
    if whole_portfolio is None:
        whole_portfolio = request.filters.is_empty()
    project_ids = None if whole_portfolio else [str(p) for p in metrics["project_id"].tolist()]

    with _project_years_kept(con, request, project_ids):
        summary = _query(con, "finance_summary_by_financial_year", request, project_ids)
        by_area = _query(con, "finance_by_service_area_and_financial_year", request, project_ids)
        project_money = _query(con, "finance_by_project", request, project_ids)
    by_funder = _query(con, "funding_by_funder_and_financial_year", request, project_ids)
    ending = _query(con, "funding_ending_within_12_months", request, project_ids)
    sources = _query(con, "finance_source_tables", request, project_ids)
    cutoff = _query(con, "finance_cost_cutoff", request, project_ids)["cost_cutoff_date"].iloc[0]  # the SQL's own rule

    sheets = [
        Sheet(
            TABLES["summary_by_financial_year"],
            _as_dates(summary, ["year_start_date", "year_end_date"]),
            money_columns=_money_columns(summary),
            integer_columns=("projects_with_spend", "projects_with_unfunded_spend"),
            headers=HEADERS,
            totals=True,
        ),
        Sheet(
            TABLES["by_funder_and_financial_year"],
            by_funder,
            money_columns=_money_columns(by_funder),
            integer_columns=("projects", "funding_lines"),
            headers=HEADERS,
            totals=True,
            total_columns=(*_money_columns(by_funder), "funding_lines"),
        ),
        Sheet(
            TABLES["by_service_area_and_financial_year"],
            by_area,
            money_columns=_money_columns(by_area),
            integer_columns=("projects",),
            headers=HEADERS,
            totals=True,
        ),
        _projects_sheet(metrics, project_money),
        _ending_sheet(ending, metrics),
        *_budget_sheets(con, request, project_ids),
        export_files.about_sheet(
            about_rows(
                request,
                sources,
                council_name=council_name,
                produced_at=produced_at,
                data_source=data_source,
                cost_cutoff=to_date(cutoff),
            ),
            name=TABLES["about_this_export"],
        ),
    ]
    return sheets


PROJECT_COLUMNS = [
    "project_id",
    "name",
    "service_area",
    "locality",
    "provider",
    "status",
    "funders",
    "start_date",
    "end_date",
    "people_reached",
    "committed_funding_gbp",
    "period_funding_gbp",
    "period_recurrent_funding_gbp",
    "period_non_recurrent_funding_gbp",
    "period_spend_gbp",
    "period_unfunded_spend_gbp",
    "pv_cost_gbp",
    "pv_benefit_gbp",
    "npv_gbp",
    "bcr",
    "fiscal_bcr",
    "forward_pv_cost_gbp",
    "forward_pv_benefit_gbp",
    "forward_npv_gbp",
    "forward_bcr",
    "forward_fiscal_bcr",
    "fiscal_payback_months",
    "projectitis_score",
    "projectitis_band",
]
# whole-life present values are each discounted to their own project's start, so a total of them adds figures
# with different base years: the Projects sheet totals only nominal cash and the forward view
WHOLE_LIFE_MONEY = ("pv_cost_gbp", "pv_benefit_gbp", "npv_gbp")


def _projects_sheet(metrics: pd.DataFrame, project_money: pd.DataFrame) -> Sheet:
    money = project_money.drop(columns=["first_financial_year", "last_financial_year"])
    frame = metrics.merge(money, on="project_id", how="left", validate="one_to_one")
    frame = frame[PROJECT_COLUMNS].copy()
    frame["funders"] = _joined(frame["funders"])
    frame["projectitis_band"] = frame["projectitis_band"].fillna("not scored")
    frame = _as_dates(frame, ["start_date", "end_date"])
    if not frame["project_id"].is_monotonic_increasing:  # the appraisal's rows come sorted: no copy then
        frame = frame.sort_values("project_id", kind="stable")
    return Sheet(
        TABLES["projects"],
        frame.reset_index(drop=True),
        money_columns=_money_columns(frame),
        integer_columns=("people_reached", "fiscal_payback_months"),
        ratio_columns=("bcr", "fiscal_bcr", "forward_bcr", "forward_fiscal_bcr"),
        formats={"projectitis_score": "0.0"},
        headers=HEADERS,
        totals=True,
        total_columns=(*(c for c in _money_columns(frame) if c not in WHOLE_LIFE_MONEY), "people_reached"),
        widths={"name": 40, "funders": 40},
    )


def _joined(lists: pd.Series) -> pd.Series:
    """Each list of names as "a; b" ("" for none), joined by Arrow rather than a Python call per project."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        array = pa.array(lists, type=pa.list_(pa.string()), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all text: str() each name, as before
        array = None
    if array is None or array.values.null_count:
        return lists.map(lambda fs: "; ".join(str(f) for f in list(fs)) if fs is not None else "")
    joined = pc.fill_null(pc.binary_join(array, "; "), "")
    return pd.Series(joined.to_numpy(zero_copy_only=False), index=lists.index, name=lists.name)


def _ending_sheet(ending: pd.DataFrame, metrics: pd.DataFrame) -> Sheet:
    risk = metrics[["project_id", "projectitis_score", "projectitis_band"]]
    frame = ending.merge(risk, on="project_id", how="left", validate="many_to_one")
    frame["projectitis_band"] = frame["projectitis_band"].fillna("not scored")
    frame = _as_dates(frame, ["start_date", "end_date"])
    for column in ("is_recurrent", "has_later_recurrent_funding", "has_exit_plan"):
        frame[column] = frame[column].map({True: "Yes", False: "No"}).astype(object)
    return Sheet(
        TABLES["funding_ending_within_12_months"],
        frame,
        money_columns=("amount_gbp", "later_funding_gbp"),
        integer_columns=("months_to_end",),
        formats={"projectitis_score": "0.0"},
        headers=HEADERS,
        totals=True,
        total_columns=("amount_gbp",),
        widths={"project_name": 40},
    )


def monitoring_years(request: FinanceRequest) -> list[tuple[int, date | None]]:
    """Budget monitoring's (financial year, monitoring month) pairs: each year shown (or the as-of date's year),
    with the request's monitoring month for the year it falls in and the default month for the others."""
    years = request.fy_start_years() or [financial_year_start(financial_year(request.assumptions.as_of)).year]
    month = request.monitoring_month
    out = []
    for year in years:
        inside = month is not None and date(year, 4, 1) <= month <= date(year + 1, 3, 1)
        out.append((year, month if inside else None))
    return out


def _budget_sheets(con, request: FinanceRequest, project_ids: list[str] | None) -> list[Sheet]:
    """Budget monitoring for the years shown (the chosen projects), the MTFS view and who pays (whole portfolio)."""
    from dashboard.rules import budget

    a = request.assumptions
    by_period = ("financial_year", "monitoring_month")  # the sheet reads year by year, month by month
    columns = [*by_period, *(c for c in budget.MONITORING_COLUMNS if c not in by_period)]
    parts = [budget.budget_monitoring(con, a, year, month) for year, month in monitoring_years(request)]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    if project_ids is not None:
        frame = frame[frame["project_id"].isin(project_ids)]
    frame = _as_dates(frame[columns].reset_index(drop=True), ["monitoring_month"])
    frame["rag"] = frame["rag"].str.capitalize()
    mtfs = budget.mtfs_by_financial_year(con, a).drop(columns=["fy_start_year"])
    pays = budget.who_pays_by_agency_and_year(con, a).drop(columns=["agency_order", "fy_start_year"])
    pv = budget.who_pays_forward_pv(con, a).drop(columns=["agency_order"])
    for table in (pays, pv):
        table["agency"] = table["agency"].map(lambda code: code_label("beneficiary_agency", code))
    return [
        Sheet(
            TABLES["budget_monitoring"],
            frame,
            money_columns=_money_columns(frame),
            percent_columns=("variance_share", "savings_realised_share"),
            headers=HEADERS,
            totals=True,
            widths={"project_name": 40},
        ),
        Sheet(
            TABLES["mtfs_by_financial_year"],
            mtfs,
            money_columns=_money_columns(mtfs),
            headers=HEADERS,
            totals=True,
            # a full-year effect is a rate for one year: adding the years' up means nothing
            total_columns=tuple(c for c in _money_columns(mtfs) if c != "savings_full_year_gbp"),
        ),
        Sheet(
            TABLES["who_pays_by_agency_and_year"],
            pays,
            money_columns=_money_columns(pays),
            headers=HEADERS,
            totals=True,
        ),
        Sheet(
            TABLES["who_pays_forward_pv_by_agency"],
            pv,
            money_columns=_money_columns(pv),
            headers=HEADERS,
            totals=True,
        ),
    ]


def about_rows(
    request: FinanceRequest,
    sources: pd.DataFrame,
    *,
    council_name: str,
    produced_at: datetime,
    data_source: str,
    cost_cutoff: date,
) -> list[tuple[str, object]]:
    """The About sheet: enough to know what the figures are and to reproduce them."""
    a = request.assumptions
    rows: list[tuple[str, object]] = [
        ("Export", "Finance export: adult social care innovation portfolio"),
        ("Council", council_name or "not set"),
        ("Produced", produced_at),
        ("As-of date", a.as_of),
        ("Financial years shown", ", ".join(request.financial_years) or "every year with funding or spend"),
        (
            "Budget monitoring month",
            month_label(request.monitoring_month)
            if request.monitoring_month
            else "the latest month of each year with any actual",
        ),
        ("Filters applied", request.filters.describe()),
        ("Discount rate (appraisal columns only)", percent(a.discount_rate, 1)),
        ("Appraisal horizon (years)", int(a.horizon_years)),
    ]
    for grade, share in enumerate(a.optimism_bias, start=1):
        rows.append((f"Optimism bias, confidence grade {grade} (appraisal only)", percent(share, 0)))
    shifts = scenario_shifts(a)
    rows.append(("Scenario shifts (appraisal only)", "; ".join(shifts) if shifts else "none"))
    rows.append(("Data source", data_source or "the commissioning database"))
    for r in sources.itertuples(index=False):
        rows.append(
            (
                f"Rows in {r.table_name}: in this export / in the database",
                f"{r.rows_in_export:,} / {r.rows_in_database:,}",
            )
        )
    funding = sources[sources["table_name"] == "funding"]
    if not funding.empty:
        total = funding["amount_in_export_gbp"].iloc[0]
        total = 0.0 if pd.isna(total) else float(total)
        rows.append(("Committed funding of the chosen projects in the database (£)", round(total, 2)))
        rows.append(
            (
                "Check",
                "With every financial year shown, the Total of committed funding on the summary, funder and "
                f"service-area sheets equals this amount ({gbp(total, pence=True)}) to the penny.",
            )
        )
    for item, text in BASIS:
        if item == "Open-ended cost lines":
            text = (
                "A cost line with no end date runs to its project's planned end date if the project has one, "
                f"otherwise to {long_date(cost_cutoff)}: the end of the {a.horizon_years}-year horizon counted in "
                f"whole financial years from {financial_year(a.as_of)}, the year of the as-of date."
            )
        rows.append((item, text))
    rows.append(("Reproduce with", reproduce_command(request)))
    if shifts:
        rows.append(
            ("Note", "The command line cannot set scenario shifts; the appraisal columns used the shifts above.")
        )
    return rows


def scenario_shifts(a: Assumptions) -> list[str]:
    out = []
    for name in ("cost_factor", "benefit_factor", "deadweight_factor", "attribution_factor", "drop_off_factor"):
        value = getattr(a, name)
        if value != 1.0:
            out.append(f"{name.replace('_', ' ')} x{value:g}")
    if a.grade_shift:
        out.append(f"confidence grades shifted by {a.grade_shift:+d}")
    return out  # a changed optimism bias table is listed in full beside this


def reproduce_command(request: FinanceRequest, out: str = "finance.xlsx") -> str:
    a = request.assumptions
    parts = [
        "python -m dashboard export finance",
        f"--out {shlex.quote(out)}",
        f"--as-of {a.as_of.isoformat()}",
        f"--discount-rate {a.discount_rate:g}",
        f"--horizon-years {int(a.horizon_years)}",
    ]
    if request.monitoring_month is not None:
        parts.append(f"--monitoring-month {request.monitoring_month:%Y-%m}")
    # --option=value so a value that starts with a dash is never read as an option
    for label in request.financial_years:
        parts.append(f"--fy={shlex.quote(label)}")
    for f in FILTERS:
        for value in getattr(request.filters, f.field):
            parts.append(f"{f.option}={shlex.quote(value)}")
    return " ".join(parts)


HEADERS = {
    "financial_year": "Financial year",
    "year_start_date": "From",
    "year_end_date": "To",
    "committed_funding_gbp": "Committed funding (£)",
    "recurrent_funding_gbp": "Recurrent funding (£)",
    "non_recurrent_funding_gbp": "Non-recurrent funding (£)",
    "planned_spend_gbp": "Planned spend (£)",
    "unfunded_spend_gbp": "Unfunded spend, the gap (£)",
    "funding_less_spend_gbp": "Funding less spend (£)",
    "projects_with_spend": "Projects with spend",
    "projects_with_unfunded_spend": "Projects with unfunded spend",
    "funder": "Funder",
    "projects": "Projects",
    "funding_lines": "Funding lines",
    "service_area": "Service area",
    "project_id": "Project ID",
    "name": "Project",
    "project_name": "Project",
    "locality": "Locality",
    "provider": "Provider",
    "status": "Status",
    "funders": "Funders",
    "start_date": "Start date",
    "end_date": "End date",
    "people_reached": "People reached",
    "period_funding_gbp": "Committed funding in years shown (£)",
    "period_recurrent_funding_gbp": "Recurrent funding in years shown (£)",
    "period_non_recurrent_funding_gbp": "Non-recurrent funding in years shown (£)",
    "period_spend_gbp": "Planned spend in years shown (£)",
    "period_unfunded_spend_gbp": "Unfunded spend in years shown (£)",
    "pv_cost_gbp": "Present value of costs, whole life (£)",
    "pv_benefit_gbp": "Present value of benefits, whole life (£)",
    "npv_gbp": "Net present value, whole life (£)",
    "bcr": "Benefit-cost ratio, whole life",
    "fiscal_bcr": "Fiscal benefit-cost ratio, whole life",
    "forward_pv_cost_gbp": "Present value of costs from now (£)",
    "forward_pv_benefit_gbp": "Present value of benefits from now (£)",
    "forward_npv_gbp": "Net present value from now (£)",
    "forward_bcr": "Benefit-cost ratio from now",
    "forward_fiscal_bcr": "Fiscal benefit-cost ratio from now",
    "fiscal_payback_months": "Fiscal payback (months)",
    "projectitis_score": "Projectitis score (0-100)",
    "projectitis_band": "Projectitis risk band",
    "funding_id": "Funding ID",
    "is_recurrent": "Recurrent",
    "amount_gbp": "Amount (£)",
    "months_to_end": "Months to end",
    "later_funding_gbp": "Later funding for the project (£)",
    "has_later_recurrent_funding": "Later recurrent funding",
    "has_exit_plan": "Exit plan",
    "monitoring_month": "Monitoring month",
    "plan_gbp": "Plan for the year (£)",
    "plan_to_date_gbp": "Plan to date (£)",
    "actual_to_date_gbp": "Actual to date (£)",
    "forecast_outturn_gbp": "Forecast outturn (£)",
    "variance_gbp": "Variance, forecast less plan (£)",
    "variance_share": "Variance (% of plan)",
    "rag": "RAG",
    "planned_savings_to_date_gbp": "Planned savings to date (£)",
    "actual_savings_to_date_gbp": "Actual savings to date (£)",
    "savings_realised_share": "Savings realised (% of planned)",
    "funding_committed_to_date_gbp": "Funding committed to date (£)",
    "funding_received_to_date_gbp": "Funding received to date (£)",
    "council_paid_spend_gbp": "Council-paid planned spend (£)",
    "savings_in_year_gbp": "Council cashable savings, in-year (£)",
    "savings_full_year_gbp": "Council cashable savings, full-year effect (£)",
    "net_effect_gbp": "Net effect on the adult social care budget (£)",
    "funding_secured_gbp": "Funding secured (£)",
    "unfunded_gap_gbp": "Unfunded gap (£)",
    "agency": "Agency",
    "pays_gbp": "Pays (£)",
    "benefits_gbp": "Fiscal benefits received (£)",
    "net_gbp": "Benefits less costs (£)",
    "pv_costs_paid_gbp": "Present value of costs paid, from now (£)",
    "pv_benefits_received_gbp": "Present value of fiscal benefits received, from now (£)",
    "pv_net_gbp": "Benefits less costs, present value (£)",
}


# --- building files ---------------------------------------------------------------------------------


def build_finance_sheets(
    con: duckdb.DuckDBPyConnection,
    request: FinanceRequest,
    *,
    metrics: pd.DataFrame | None = None,
    council_name: str | None = None,
    data_source: str = "",
    produced_at: datetime | None = None,
) -> list[Sheet]:
    """The sheets for a request, running the appraisal and applying the filters if metrics are not given."""
    if metrics is None:
        metrics = request.filters.apply(_metrics_frame(con, request.assumptions))
    if council_name is None:
        settings = db.query_df(con, "council_settings")
        council_name = dict(zip(settings["setting"], settings["value"], strict=True)).get("council_name", "")
    return finance_sheets(
        con, request, metrics, council_name=council_name, produced_at=produced_at, data_source=data_source
    )


def _metrics_frame(con: duckdb.DuckDBPyConnection, assumptions: Assumptions) -> pd.DataFrame:
    """The appraisal's columns the sheets and the filters read, as the frame project_metrics gives: the other
    columns (every risk factor and the facts behind it) never become pandas, which at a million projects was
    about a gigabyte held through the rest of the export."""
    from dashboard.rules import appraisal
    from dashboard.rules.filters import FILTER_COLUMNS

    table = appraisal.project_metrics_table(con, assumptions)
    wanted = dict.fromkeys([*PROJECT_COLUMNS, *FILTER_COLUMNS.values(), "projectitis_score", "projectitis_band"])
    return appraisal._as_duckdb_frame(table.select([c for c in wanted if c in table.column_names]))


def workbook_properties(request: FinanceRequest, council_name: str) -> dict:
    return {
        "title": "Finance export: adult social care innovation portfolio",
        "subject": f"Funding and planned spend by financial year, as of {request.assumptions.as_of.isoformat()}",
        "author": council_name or "",
        "company": council_name or "",
        "comments": "Produced by the commissioning dashboard. See the 'About this export' sheet.",
    }


def finance_xlsx_bytes(sheets: list[Sheet], request: FinanceRequest, council_name: str = "") -> bytes:
    return export_files.xlsx_bytes(sheets, workbook_properties(request, council_name))


def finance_csv_tables(sheets: list[Sheet]) -> dict[str, Sheet]:
    """File name -> sheet, numbered so the zip lists them in workbook order."""
    keys = list(TABLES)
    return {f"{i}_{keys[i - 1]}.csv": sheet for i, sheet in enumerate(sheets, start=1)}


CSV_README = """Finance export: adult social care innovation portfolio

One CSV file per table, in the order of the Excel workbook. UTF-8 with a byte-order mark (Excel keeps names
such as Zoë intact), RFC 4180 quoting, CRLF line endings. Money is pounds with two decimals and no £ sign,
dates are YYYY-MM-DD, financial years run 1 April to 31 March and are labelled 2025-26. The CSVs carry no
totals rows (the workbook does). Text that begins with = + - @ or a tab or line break starts with an
apostrophe so a spreadsheet treats it as text. 10_about_this_export.csv says how every figure was worked out.
"""


def finance_csv_zip_bytes(sheets: list[Sheet]) -> bytes:
    return export_files.csv_zip_bytes(finance_csv_tables(sheets), readme=CSV_README)


FILE_STEM_MAX = 150


def file_stem(request: FinanceRequest) -> str:
    """A file name (without extension) that says what the export holds: its financial years, its filters and
    its as-of date, e.g. finance-2025-26-older-people-better-care-fund-as-of-2026-03-31, or
    finance-all-years-all-projects-as-of-2026-03-31, so a folder of month-end exports explains itself.

    One value of a filter is named (a risk band as risk-high), several are counted (3-funders).
    """
    as_of = f"as-of-{request.assumptions.as_of.isoformat()}"
    parts = ["finance", _years_for_file_name(request.financial_years)]
    chosen = []
    for f in FILTERS:
        values = getattr(request.filters, f.field)
        if len(values) == 1:
            chosen.append(("risk-" if f.field == "risk_bands" else "") + _slug(values[0]))
        elif values:
            chosen.append(f"{len(values)}-{f.plural}")
    filters = "-".join(c for c in chosen if c) or "all-projects"
    room = FILE_STEM_MAX - len("-".join(parts)) - len(as_of) - 2
    if len(filters) > room:
        filters = filters[:room].rstrip("-")
    return "-".join([*parts, filters, as_of])


def file_name(request: FinanceRequest, kind: str, table: str | None = None) -> str:
    """file_stem with its extension (xlsx, zip or csv); a single table's CSV adds the table's name."""
    stem = file_stem(request) + (f"-{table.replace('_', '-')}" if table else "")
    return f"{stem}.{kind.lstrip('.')}"


def _years_for_file_name(labels: tuple[str, ...]) -> str:
    if not labels:
        return "all-years"
    years = sorted(financial_year_start(label).year for label in labels)
    names = [financial_year(date(y, 4, 1)) for y in years]
    if len(years) == 1:
        return names[0]
    if years == list(range(years[0], years[-1] + 1)):
        return f"{names[0]}-to-{names[-1]}"
    return "-and-".join(names) if len(years) <= 3 else f"{len(years)}-years-{names[0]}-to-{names[-1]}"


def _slug(text: str) -> str:
    """Lower-case letters, digits and single dashes ("Zoë's Café & Co" -> "zoes-cafe-co"), at most 40."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "")).strip("-")
    return slug[:40].rstrip("-")


def unknown_filter_values(sheets: list[Sheet], request: FinanceRequest) -> list[str]:
    """Warn (not fail) when a filter matched no project, which usually means a typing mistake."""
    if len(sheets[3].frame) == 0 and not request.filters.is_empty():
        return [f"no project matches the filters ({request.filters.describe()}); the export is empty"]
    return []


def describe_source(db_path: Path) -> str:
    try:
        stat = db_path.stat()
    except OSError:
        return str(db_path)
    modified = datetime.fromtimestamp(stat.st_mtime).replace(microsecond=0)
    return f"{db_path.name}, last changed {modified.isoformat(sep=' ')}, {stat.st_size:,} bytes"
