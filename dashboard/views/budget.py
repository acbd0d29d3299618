"""Budget: monthly monitoring for a financial year (plan, actuals to month M, forecast outturn, variance and RAG,
planned against actual savings), the council's budget by year (the MTFS view) and who pays against who benefits.

Keyed to the view in the address: the as-of date (?as_of=), the financial year (?fy=, the first chosen; else the
as-of date's year) and the monitoring month (?month=YYYY-MM; none: the latest month of the year with any actual).
The figures come from dashboard/budget.py (SQL in queries/); this page only chooses, sorts and formats.
"""

from datetime import date

import pandas as pd
import streamlit as st

from dashboard import ui
from dashboard.rules import access, budget
from dashboard.rules.formatting import code_label, escape_markdown, financial_year, gbp, month_label, percent

MONTH_PARAM = "month"
LATEST = "Latest month with actuals"

ui.require(access.EXPORT_FINANCE)

st.title("Budget")
ui.show_link_problems()
assumptions = ui.current_assumptions()
con = ui.connection()
if not budget.has_monitoring_tables(con):
    st.info(
        "This database was created before actuals could be loaded. Import the portfolio again, or an actuals.csv, "
        "on the Data page (any import adds what monitoring needs), then come back."
    )
    st.stop()

as_of_year = budget.fy_start_year(financial_year(assumptions.as_of))
chosen = ui.financial_years()
year = budget.fy_start_year(chosen[0]) if chosen else as_of_year
year_options = sorted({*range(as_of_year - 3, as_of_year + 5), year})
year_labels = [financial_year(date(y, 4, 1)) for y in year_options]
picked = st.selectbox(
    "Financial year",
    year_labels,
    index=year_options.index(year),
    help="Budget monitoring runs April to March",
    key="budget_year",
)
if picked != financial_year(date(year, 4, 1)):
    ui.set_financial_years([picked])
    year = budget.fy_start_year(picked)

months_in_year = [date(year + (m < 4), m, 1) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
month_text = st.query_params.get(MONTH_PARAM)
monitoring_month = None
if month_text:
    try:
        monitoring_month = budget.parse_month(month_text)
    except ValueError as exc:
        st.warning(f"The month in the link could not be used: {escape_markdown(str(exc))}.")
    if monitoring_month is not None and monitoring_month not in months_in_year:
        st.warning(
            f"The month in the link, {month_label(monitoring_month)}, is not in {financial_year(date(year, 4, 1))}, "
            "so the page shows the latest month with actuals."
        )
        monitoring_month = None
month_options = [LATEST, *(month_label(m) for m in months_in_year)]
choice = st.selectbox(
    "Monitoring month",
    month_options,
    index=0 if monitoring_month is None else 1 + months_in_year.index(monitoring_month),
    help="Actuals count up to and including this month; the forecast adds the plan for the months after it",
    key="budget_month",
)
monitoring_month = None if choice == LATEST else months_in_year[month_options.index(choice) - 1]
if monitoring_month is None:
    if MONTH_PARAM in st.query_params:
        del st.query_params[MONTH_PARAM]
elif st.query_params.get(MONTH_PARAM) != f"{monitoring_month:%Y-%m}":
    st.query_params[MONTH_PARAM] = f"{monitoring_month:%Y-%m}"

frame = budget.budget_monitoring(con, assumptions, year, monitoring_month)
label = financial_year(date(year, 4, 1))
if frame.empty:
    st.info(f"No project has planned spend, savings or actuals in {label}.")
    st.stop()

month_shown = frame["monitoring_month"].iloc[0]
plan, plan_to_date = frame["plan_gbp"].sum(), frame["plan_to_date_gbp"].sum()
actual, forecast = frame["actual_to_date_gbp"].sum(), frame["forecast_outturn_gbp"].sum()
variance = forecast - plan
row = st.columns(4)
row[0].metric(f"Plan for {label}", gbp(plan))
row[1].metric(f"Actual to {month_label(month_shown)}", gbp(actual), help=f"Plan to date: {gbp(plan_to_date)}")
row[2].metric("Forecast outturn", gbp(forecast))
row[3].metric("Variance (forecast less plan)", gbp(variance), help="Positive is an overspend")
reds = int((frame["rag"] == "red").sum())
ambers = int((frame["rag"] == "amber").sum())
planned_savings = frame["planned_savings_to_date_gbp"].sum()
actual_savings = frame["actual_savings_to_date_gbp"].sum()
savings_phrase = (
    f"savings are {percent(actual_savings / planned_savings)} of what was planned by {month_label(month_shown)} "
    f"({gbp(actual_savings)} of {gbp(planned_savings)})"
    if planned_savings
    else "no savings were planned to date"
)
st.write(
    f"{ui.council_name()}, {label}, monitored at {month_label(month_shown)}: {reds} projects red and {ambers} "
    f"amber (more than 10% and 5% of plan from it); {savings_phrase}."
)
st.caption(
    "RAG: green when the forecast outturn is within 5% of the year's plan either way, amber within 10%, red "
    "beyond, and red for any spend with no plan. Plan: nominal cash, as the finance export. Planned savings: the "
    "appraisal's adjusted, undiscounted cashable savings to the adult social care budget."
)

st.header("Budget monitoring by project")
RAG_WORDS = {"red": "Red", "amber": "Amber", "green": "Green"}
shown = frame.assign(rag_order=frame["rag"].map({"red": 0, "amber": 1, "green": 2}))
shown = shown.sort_values(["rag_order", "variance_gbp"], ascending=[True, False], kind="stable")
table = pd.DataFrame(
    {
        "Project": shown["project_name"].astype(str),
        "RAG": shown["rag"].map(RAG_WORDS),
        "Plan for the year": shown["plan_gbp"].map(gbp),
        "Plan to date": shown["plan_to_date_gbp"].map(gbp),
        "Actual to date": shown["actual_to_date_gbp"].map(gbp),
        "Forecast outturn": shown["forecast_outturn_gbp"].map(gbp),
        "Variance": shown["variance_gbp"].map(gbp),
        "Variance (% of plan)": shown["variance_share"].map(lambda v: percent(v, 1)),
        "Planned savings to date": shown["planned_savings_to_date_gbp"].map(gbp),
        "Actual savings to date": shown["actual_savings_to_date_gbp"].map(gbp),
        "Savings realised": shown["savings_realised_share"].map(percent),
        "Funding committed to date": shown["funding_committed_to_date_gbp"].map(gbp),
        "Funding received to date": shown["funding_received_to_date_gbp"].map(gbp),
    }
)
st.dataframe(
    table, hide_index=True, column_config=ui.right_aligned(c for c in table.columns if c not in ("Project", "RAG"))
)

st.header("The council's budget by year")
mtfs = budget.mtfs_by_financial_year(con, assumptions)
st.dataframe(
    pd.DataFrame(
        {
            "Financial year": mtfs["financial_year"],
            "Council-paid planned spend": mtfs["council_paid_spend_gbp"].map(gbp),
            "Cashable savings, in-year": mtfs["savings_in_year_gbp"].map(gbp),
            "Cashable savings, full-year effect": mtfs["savings_full_year_gbp"].map(gbp),
            "Net effect on the budget": mtfs["net_effect_gbp"].map(gbp),
            "Funding secured": mtfs["funding_secured_gbp"].map(gbp),
            "Unfunded gap": mtfs["unfunded_gap_gbp"].map(gbp),
        }
    ),
    hide_index=True,
    column_config=ui.right_aligned(
        (
            "Council-paid planned spend",
            "Cashable savings, in-year",
            "Cashable savings, full-year effect",
            "Net effect on the budget",
            "Funding secured",
            "Unfunded gap",
        )
    ),
)
st.caption(
    "Five financial years from the as-of date, whole portfolio. Full-year effect: 12 times the saving planned for "
    "March, what the year's position is worth over a whole year. Net effect: council-paid spend less in-year "
    "savings (positive is a net cost). Unfunded gap: each project's council-paid spend beyond its funding, added up."
)

st.header("Who pays, who benefits")
pays = budget.who_pays_by_agency_and_year(con, assumptions)
pv = budget.who_pays_forward_pv(con, assumptions).set_index("agency")
rows = []
for agency, group in pays.groupby("agency", sort=False):
    entry = {"Agency": code_label("beneficiary_agency", agency)}
    for r in group.itertuples(index=False):
        entry[f"{r.financial_year} pays"] = gbp(r.pays_gbp)
        entry[f"{r.financial_year} benefits"] = gbp(r.benefits_gbp)
    entry["Costs paid, present value from now"] = gbp(pv.loc[agency, "pv_costs_paid_gbp"])
    entry["Benefits received, present value from now"] = gbp(pv.loc[agency, "pv_benefits_received_gbp"])
    rows.append(entry)
who = pd.DataFrame(rows)
st.dataframe(
    who,
    hide_index=True,
    column_config={n: st.column_config.TextColumn(n, alignment="right") for n in who.columns if n != "Agency"},
)
st.caption(
    "Pays: planned spend of the cost lines each agency pays (nominal). Benefits: the appraisal's adjusted, "
    "undiscounted fiscal benefits, cashable and not, each receives. An agency that pays while another benefits "
    "is a 'wrong pocket' case. Present values are the appraisal's forward view over its horizon."
)
