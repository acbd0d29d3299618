"""Project: what one project is, its cost and benefit lines, cumulative value with the payback point, and why
it scores as it does for projectitis risk. The project is chosen by ?project=ID so a link can be shared."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import ui
from dashboard.components import charts
from dashboard.components.outcomes import render_project_outcomes
from dashboard.components.project_picker import pick_project
from dashboard.components.sensitivity import render_project_sensitivity
from dashboard.rules import budget
from dashboard.rules.formatting import (
    code_label,
    escape_markdown,
    forward_view_phrase,
    gbp,
    gbp_headline,
    long_date,
    month_label,
    months,
    number,
    percent,
    plural,
    ratio,
    score,
    whole_life_phrase,
)
from dashboard.rules.risk import factor_reasons, risk_sentence

COPRODUCTION_LEVELS = {
    0: "none",
    1: "people were informed",
    2: "people were consulted",
    3: "people were involved in design",
    4: "co-produced with people who draw on care",
}
EVIDENCE_LEVELS = {
    1: "a clear account of what it does and why it should work",
    2: "data showing some change",
    3: "a comparison group showing it causes the change",
    4: "independent replication and a cost analysis",
    5: "replicated at scale with manuals and systems",
}
FREQUENCY_WORDS = {"once": "once", "weekly": "a week", "monthly": "a month", "annual": "a year"}
# widths in pixels wide enough for each heading at 1440 pixels (no "Wh…"); the line description is pinned
LINE_COLUMNS = {
    "What": st.column_config.TextColumn(width=260, pinned=True),
    "Amount": st.column_config.TextColumn(width=150, alignment="right"),
    "From": st.column_config.TextColumn(width=135),
    "To": st.column_config.TextColumn(width=135),
    "Confidence grade": st.column_config.TextColumn(width=140, alignment="right"),
    "Type": st.column_config.TextColumn(width=160),
    "Who gains": st.column_config.TextColumn(width=210),
    "Deadweight": st.column_config.TextColumn(width=105, alignment="right"),
    "Attribution to others": st.column_config.TextColumn(width=170, alignment="right"),
    "Drop-off a year": st.column_config.TextColumn(width=130, alignment="right"),
}

ui.require("view_project_detail")  # roles: dashboard/access.py
ui.show_link_problems()
assumptions = ui.current_assumptions()
projects = ui.metrics(assumptions)
if projects.empty:
    st.title("Project")
    st.info("There are no projects yet. Import some on the Data page.")
    st.stop()

project = pick_project(projects, key="project_page")
project_id = project["project_id"]

st.title(escape_markdown(project["name"]))  # data shown in markdown is escaped: names may hold anything
ui.show_figures_basis(assumptions)

# ---- what it is
left, right = st.columns([3, 2])
with left:
    st.header("What it is")
    if isinstance(project["description"], str) and project["description"]:
        st.text(project["description"])
    end = project["end_date"]
    st.markdown(
        f"- **Service area:** {escape_markdown(project['service_area'])}\n"
        f"- **Locality:** {escape_markdown(project['locality'])}\n"
        f"- **Provider:** {escape_markdown(project['provider'])} "
        f"({code_label('provider_type', project['provider_type']).lower()})\n"
        f"- **Funded through:** {code_label('funding_mechanism', project['funding_mechanism']).lower()}\n"
        f"- **Innovation type:** {code_label('innovation_type', project['innovation_type']).lower()}\n"
        f"- **Status:** {project['status']}, started {long_date(project['start_date'])}"
        + (f", planned to end {long_date(end)}" if not pd.isna(end) else "")
    )
with right:
    st.header("Who it serves")
    st.metric("People reached", number(project["people_reached"]))
    st.markdown(
        f"- **Co-production:** level {int(project['coproduction_level'])} of 4, "
        f"{COPRODUCTION_LEVELS[int(project['coproduction_level'])]}\n"
        f"- **Evidence:** level {int(project['evidence_level'])} of 5 (Nesta Standards of Evidence), "
        f"{EVIDENCE_LEVELS[int(project['evidence_level'])]}\n"
        f"- **Exit or mainstreaming plan:** {'yes' if project['has_exit_plan'] else 'no'}\n"
        "- **Equality, diversity and inclusion considered:** "
        + ({True: "yes", False: "no"}.get(project["edi_considered"], "not recorded"))
    )
    funders = list(project["funders"])
    st.markdown(f"- **Funders:** {escape_markdown(', '.join(funders)) if funders else 'none recorded'}")

# ---- cost against benefit
st.header("Cost against benefit")
st.subheader("Whole life: was it worth it?")
cols = st.columns(4)
cols[0].metric("Costs, whole life", gbp_headline(project["pv_cost_gbp"]), help="Present value")
cols[1].metric("Benefits, whole life", gbp_headline(project["pv_benefit_gbp"]), help="Present value")
cols[2].metric("Net value, whole life", gbp_headline(project["npv_gbp"]))
cols[3].metric(
    "Benefit-cost ratio, whole life",
    ratio(project["bcr"]),
    help=f"Fiscal only (savings to public budgets): {ratio(project['fiscal_bcr'])}",
)
st.caption(
    "Counted "
    + whole_life_phrase(project["appraisal_start_date"], assumptions.horizon_years)
    + ", in present values, including money already spent."
)
st.subheader("From now: what continuing costs and returns")
cols = st.columns(4)
cols[0].metric("Costs from now", gbp(project["forward_pv_cost_gbp"]), help="Present value")
cols[1].metric("Benefits from now", gbp(project["forward_pv_benefit_gbp"]), help="Present value")
cols[2].metric("Net value from now", gbp(project["forward_npv_gbp"]))
cols[3].metric(
    "Benefit-cost ratio from now",
    ratio(project["forward_bcr"]),
    help=f"Fiscal only (savings to public budgets): {ratio(project['forward_fiscal_bcr'])}",
)
st.caption(
    forward_view_phrase(assumptions.as_of, assumptions.horizon_years).capitalize()
    + "; money already spent is left out."
)
payback = project["fiscal_payback_months"]
if pd.isna(payback):
    st.markdown(
        f"Its savings to public budgets do not cover its costs for good within the {assumptions.horizon_years}-year "
        "horizon (fiscal payback)."
    )
else:
    st.markdown(
        f"Its savings to public budgets cover its costs from month {int(payback)} (after {months(payback)}) and "
        "stay ahead for the rest of the horizon (fiscal payback, before discounting)."
    )

flows = ui.query("project_monthly_flows", project_id=project_id, **assumptions.line_month_params())
if not flows.empty:
    chart = go.Figure()
    month_names = flows["month_start_date"].map(month_label)
    for column, name, line in (
        ("cumulative_cost_gbp", "Cumulative cost", {"color": "#D55E00", "dash": "dash"}),
        ("cumulative_benefit_gbp", "Cumulative benefit (all value)", {"color": "#0072B2"}),
        ("cumulative_fiscal_benefit_gbp", "Cumulative savings to public budgets", {"color": "#009E73", "dash": "dot"}),
    ):
        chart.add_scatter(
            x=flows["month_start_date"],
            y=flows[column],
            name=name,
            line=line,
            customdata=pd.DataFrame({"month": month_names, "amount": flows[column].map(gbp)}),
            hovertemplate=f"%{{customdata[0]}}: {name.lower()} %{{customdata[1]}}<extra></extra>",
        )
    if not pd.isna(payback):
        point = flows[flows["month_number"] >= int(payback)].iloc[0]
        chart.add_scatter(
            x=[point["month_start_date"]],
            y=[point["cumulative_fiscal_benefit_gbp"]],
            mode="markers+text",
            name="Fiscal payback",
            text=["Payback"],
            textposition="bottom right",
            marker={"size": 14, "symbol": "star", "color": "#009E73", "line": {"width": 1, "color": "#0b0c0c"}},
        )
    values = pd.concat([flows["cumulative_cost_gbp"], flows["cumulative_benefit_gbp"]])
    chart.update_layout(
        height=360,
        margin={"t": 20},
        yaxis={"title": "Cumulative, undiscounted", **charts.money_ticks(values)},
        xaxis={"tickformat": "%B %Y"},
    )
    last = flows.iloc[-1]
    alternative = (
        f"Text alternative: by {long_date(last['month_start_date'])} cumulative costs reach "
        f"{gbp(last['cumulative_cost_gbp'])}, cumulative benefits {gbp(last['cumulative_benefit_gbp'])} and "
        f"cumulative savings to public budgets {gbp(last['cumulative_fiscal_benefit_gbp'])}"
        + ("" if pd.isna(payback) else f"; savings overtake costs for good in month {int(payback)}")
        + "."
    )
    charts.show(chart, alt=alternative, key="cumulative_chart")
    st.caption(alternative)

# ---- against plan: the actuals loaded (actuals.csv) against planned spend and savings, cumulatively by month
against = budget.project_months(ui.connection(), assumptions, project_id)
if not against.empty:
    st.subheader("Against plan: actual spend and savings")
    sentence = budget.against_plan_sentence(against)
    st.markdown(sentence)
    plan_chart = go.Figure()
    against_months = against["month"].map(month_label)
    for column, name, line in (
        ("cumulative_planned_spend_gbp", "Planned spend", {"color": "#D55E00", "dash": "dash"}),
        ("cumulative_actual_spend_gbp", "Actual spend", {"color": "#D55E00"}),
        ("cumulative_planned_savings_gbp", "Planned savings", {"color": "#009E73", "dash": "dot"}),
        ("cumulative_actual_savings_gbp", "Actual savings", {"color": "#009E73"}),
    ):
        plan_chart.add_scatter(
            x=against["month"],
            y=against[column],
            name=name,
            line=line,
            customdata=pd.DataFrame({"month": against_months, "amount": against[column].map(gbp)}),
            hovertemplate=f"%{{customdata[0]}}: {name.lower()} to date %{{customdata[1]}}<extra></extra>",
        )
    plan_values = pd.concat([against[c] for c in against.columns if c.startswith("cumulative_")])
    plan_chart.update_layout(
        height=340,
        margin={"t": 20},
        yaxis={"title": "Cumulative, nominal", **charts.money_ticks(plan_values)},
        xaxis={"tickformat": "%B %Y"},
    )
    charts.show(plan_chart, alt="Text alternative: " + sentence, key="against_plan_chart")
    st.caption(
        "Text alternative: the table below gives the same figures month by month. Planned spend is nominal cash "
        "(as the finance export); planned savings are the appraisal's adjusted, undiscounted cashable savings to "
        "the adult social care budget."
    )
    with st.expander("Planned and actual by month (table)"):
        st.dataframe(
            pd.DataFrame(
                {
                    "Month": against_months,
                    "Planned spend to date": against["cumulative_planned_spend_gbp"].map(gbp),
                    "Actual spend to date": against["cumulative_actual_spend_gbp"].map(gbp),
                    "Planned savings to date": against["cumulative_planned_savings_gbp"].map(gbp),
                    "Actual savings to date": against["cumulative_actual_savings_gbp"].map(gbp),
                }
            ),
            hide_index=True,
            column_config=ui.right_aligned(
                ("Planned spend to date", "Actual spend to date", "Planned savings to date", "Actual savings to date")
            ),
        )

# ---- lines
lines = ui.query("project_lines", project_id=project_id)


def _line_table(frame: pd.DataFrame, with_adjustments: bool) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "What": frame["description"],
            "Amount": [
                f"{gbp(a, pence=True)} {FREQUENCY_WORDS[f]}"
                for a, f in zip(frame["amount_gbp"], frame["frequency"], strict=True)
            ],
            "From": frame["start_date"].map(long_date),
            # a one-off happens in its start month: it has no end, but it is not ongoing either
            "To": [
                "—" if f == "once" else long_date(d, missing="ongoing")
                for d, f in zip(frame["end_date"], frame["frequency"], strict=True)
            ],
            "Confidence grade": frame["confidence_grade"].map(number),
            "Price year": frame["price_year"].fillna("price base"),
        }
    )
    if not with_adjustments:
        table["Who pays"] = frame["payer_agency"].str.replace("_", " ")
    if with_adjustments:
        table["Type"] = frame["benefit_type"].map(lambda c: code_label("benefit_type", c).split(" (")[0])
        table["Who gains"] = frame["beneficiary_agency"].map(lambda c: code_label("beneficiary_agency", c))
        table["Lasts after the project"] = frame["persistence_months"].map(
            lambda m: months(m, missing="no") if m else "no"
        )
        table["Health value"] = frame["is_health_value"].map({True: "yes (health rate)", False: "no"})
        table["Deadweight"] = frame["deadweight_share"].map(percent)
        table["Attribution to others"] = frame["attribution_others_share"].map(percent)
        table["Drop-off a year"] = frame["drop_off_rate"].map(percent)
    return table


st.subheader("Cost lines")
costs = lines[lines["side"] == "cost"]
if costs.empty:
    st.info("No cost lines recorded.")
else:
    st.dataframe(_line_table(costs, False), hide_index=True, column_config=LINE_COLUMNS)
st.subheader("Benefit lines")
benefits = lines[lines["side"] == "benefit"]
if benefits.empty:
    st.info("No benefit lines recorded, so its benefit-cost ratio is 0.")
else:
    st.dataframe(_line_table(benefits, True), hide_index=True, column_config=LINE_COLUMNS)

render_project_sensitivity(project_id, assumptions)  # tornado, switching values
render_project_outcomes(project_id)  # outcomes that are not pounds

# ---- risk
st.header("Projectitis risk")
st.markdown(f"**{escape_markdown(risk_sentence(project))}**")
factors = factor_reasons(project)
if factors:
    st.dataframe(
        pd.DataFrame(
            {
                "Factor": [f.label for f in factors],
                "Points": [score(f.points) for f in factors],
                "Why": [f.reason[0].upper() + f.reason[1:] for f in factors],
            }
        ),
        hide_index=True,
        column_config={
            "Factor": st.column_config.TextColumn(width=230),
            "Points": st.column_config.TextColumn(width=80, alignment="right"),
            "Why": st.column_config.TextColumn(width="large"),
        },
    )
    st.caption(
        f"The score is the sum of these points, out of 100 ({plural(len(factors), 'factor')}). Weights and thresholds"
        " come from data/reference/ and a council can tune them."
    )
