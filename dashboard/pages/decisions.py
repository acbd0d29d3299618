"""Decisions: the cost of stopping a project, recording a funding decision, its history, its plain-English
report and the publication register. The project is chosen by ?project=ID so a link can be shared."""

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import db, ui
from dashboard.appraisal import Assumptions
from dashboard.components.accessible_theme import readable_on
from dashboard.components.project_picker import pick_project
from dashboard.decisions import (
    DECISIONS,
    DEFAULT_SUPPRESS_UP_TO,
    NEEDS_TRANSITION_PLAN,
    REASON_CATEGORIES,
    DecisionError,
    DecisionInput,
    decision_history,
    record_decision,
    register_bytes,
    verify_decision_log,
)
from dashboard.formatting import gbp, long_date, month_label
from dashboard.reports import decision_report, render_html, render_pdf
from dashboard.stopping import AGENCY_SHORT_LABELS, CostOfStopping, UnknownProjectError, cost_of_stopping, window_phrase

ui.require("view_project_detail")  # roles: dashboard/access.py; the form itself needs record_decisions
FLASH_KEY = "decisions_flash"
# Okabe-Ito, colour-blind safe; each bar segment is also labelled and listed in the table below the chart
AGENCY_COLOURS = {
    "council_asc": "#0072B2",
    "nhs": "#009E73",
    "dwp": "#CC79A7",
    "individual": "#E69F00",
    "carer": "#56B4E9",
    "other": "#7A7A7A",
}
COST_COLOUR = "#D55E00"


@st.cache_data(max_entries=128, show_spinner=False)
def _cost_of_stopping(version: tuple, project_id: str, assumptions: Assumptions, stop: date | None) -> CostOfStopping:
    return cost_of_stopping(ui.connection(), project_id, assumptions, stop)


@st.cache_data(max_entries=32, show_spinner="Writing the report…")
def _report_files(version: tuple, decision_id: str) -> tuple[bytes, bytes]:
    report = decision_report(ui.connection(), decision_id)
    return render_pdf(report), render_html(report).encode("utf-8")


@st.cache_data(max_entries=16, show_spinner=False)
def _register(version: tuple, fmt: str, suppress_up_to: int) -> bytes:
    return register_bytes(ui.connection(), fmt, suppress_up_to)


def stopping_chart(c: CostOfStopping) -> go.Figure:
    """Costs saved beside benefits lost, the benefits split by who would have received them."""
    fig = go.Figure()
    fig.add_bar(
        y=["Costs saved"],
        x=[c.costs_saved_gbp],
        name="Project costs saved",
        orientation="h",
        marker_color=COST_COLOUR,
        marker_pattern_shape="/",
        text=[gbp(c.costs_saved_gbp)],
        insidetextfont={"color": readable_on(COST_COLOUR)},
        hovertemplate="Project costs saved: %{text}<extra></extra>",
    )
    for agency, amount in c.benefits_lost_by_agency.items():
        label = AGENCY_SHORT_LABELS.get(agency, agency)
        fig.add_bar(
            y=["Benefits lost"],
            x=[amount],
            name=label,
            orientation="h",
            marker_color=AGENCY_COLOURS.get(agency, "#7A7A7A"),
            text=[f"{label}: {gbp(amount)}" if amount else ""],
            insidetextfont={"color": readable_on(AGENCY_COLOURS.get(agency, "#7A7A7A"))},
            hovertemplate=f"{label}: {gbp(amount)}<extra></extra>",
        )
    fig.update_layout(
        barmode="stack",
        height=260,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={"title": "Present value (£)", "tickprefix": "£", "separatethousands": True},
        yaxis={"autorange": "reversed"},
        legend={"orientation": "h", "y": -0.35},
        title={"text": "What stopping saves and what it loses", "font": {"size": 14}},
    )
    return fig


assumptions = ui.current_assumptions()
projects = ui.metrics(assumptions)
st.title("Funding decisions")
st.caption(ui.assumptions_caption(assumptions))
if projects.empty:
    st.info("There are no projects yet. Import some first.")
    st.stop()

flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.success(flash)

project = pick_project(projects, key="decisions_page")
project_id = project["project_id"]
version = ui.database_version()

# ---- the cost of stopping
st.header("The cost of stopping")
try:
    default = _cost_of_stopping(version, project_id, assumptions, None)
except UnknownProjectError as exc:
    st.error(str(exc))
    st.stop()
stop_date = st.date_input(
    "Stop date: the last day the project runs",
    value=default.stop_date,
    min_value=date(2000, 1, 1),
    max_value=date(2100, 12, 31),
    format="DD/MM/YYYY",
    help=(
        "Starts at the end of the project's latest secured funding. The month the stop date falls in counts "
        "as delivered; every month that starts after it is lost."
    ),
)
c = default if stop_date == default.stop_date else _cost_of_stopping(version, project_id, assumptions, stop_date)

cols = st.columns(4)
cols[0].metric("Project costs saved", gbp(c.costs_saved_gbp), help="Present value of the costs no longer paid")
cols[1].metric("Benefits lost", gbp(c.benefits_lost_gbp), help="Present value of the benefits no longer delivered")
cols[2].metric(
    "Net effect of stopping",
    gbp(c.net_effect_gbp),
    help="Costs saved less benefits lost: below zero, stopping costs more than it saves",
)
cols[3].metric(
    "Costs back on the council's budget",
    gbp(c.returning_to_council_gbp),
    delta=f"{gbp(c.returning_to_council_monthly_gbp)} a month" if c.returning_to_council_monthly_gbp else None,
    delta_color="inverse",
    help="Benefits lost that are costs the council's adult social care budget must pay again",
)
if c.false_economy:
    st.warning(c.sentence(), icon=":material/warning:")
else:
    st.info(c.sentence())
st.caption(f"People affected: {int(c.people_affected):,}. Figures run {window_phrase(c)}, at the assumptions above.")
if not c.nothing_left:
    st.plotly_chart(stopping_chart(c), width="stretch")
    with st.expander("The figures in the chart, as a table"):
        table = c.agency_frame()[["who", "benefits_lost_gbp", "benefits_lost_monthly_gbp"]]
        extra = pd.DataFrame(
            [
                ["Total benefits lost", c.benefits_lost_gbp, c.benefits_lost_monthly_gbp],
                ["Project costs saved", c.costs_saved_gbp, c.costs_saved_monthly_gbp],
            ],
            columns=table.columns,
        )
        shown = pd.concat([table, extra], ignore_index=True)
        first = month_label(c.first_lost_month_date)
        st.table(
            pd.DataFrame(
                {
                    "Who": shown["who"],
                    "Present value": shown["benefits_lost_gbp"].map(gbp),
                    f"In {first}": shown["benefits_lost_monthly_gbp"].map(gbp),
                }
            ).set_index("Who")
        )

# ---- record a decision
history = decision_history(ui.connection(), project_id)
st.header("Record a decision")
if not ui.can("record_decisions"):
    st.info(
        "Your role can see the cost of stopping and past decisions but not record one. A decision-maker records"
        " decisions; ask your administrator if you need that role."
    )
else:
    open_records = history[history["corrected_by_decision_id"].isna()] if not history.empty else history
    correctable = [None, *open_records["decision_id"].tolist()]
    with st.form("decision_form", clear_on_submit=False):
        st.markdown(
            "Decisions are kept for good: they cannot be changed or deleted. To put one right, record a new decision "
            "that corrects it. The rationale, evidence and transition plan are published, so do not include names "
            "or personal details."
        )
        left, right = st.columns(2)
        decision = left.selectbox("Decision", list(DECISIONS), format_func=DECISIONS.get, key="decision")
        effective = right.date_input(
            "Takes effect on (for a stop: the last day the project runs)",
            value=stop_date,
            min_value=date(2000, 1, 1),
            max_value=date(2100, 12, 31),
            format="DD/MM/YYYY",
        )
        reason = left.selectbox("Reason", list(REASON_CATEGORIES), format_func=REASON_CATEGORIES.get, key="reason")
        people = right.number_input(
            "People affected", min_value=0, value=int(project["people_reached"]), step=1, format="%d"
        )
        rationale = st.text_area("Rationale: why this decision (published)", max_chars=10_000, key="rationale")
        plan = st.text_area(
            "Transition plan: what happens to the people who draw on the service (required to stop or pause)",
            max_chars=10_000,
            key="transition_plan",
        )
        evidence = st.text_area("Evidence relied on", max_chars=10_000, key="evidence")
        left, right = st.columns(2)
        decided_by = left.text_input("Decided by (kept in the record, not published)", max_chars=200, key="decided_by")
        role = right.text_input(
            "Their role (published, e.g. Director of Adult Social Services)", max_chars=200, key="decided_by_role"
        )
        corrects = st.selectbox(
            "Corrects an earlier decision",
            correctable,
            format_func=lambda d: "No: this is a new decision" if d is None else f"Yes: corrects {d}",
        )
        submitted = st.form_submit_button("Record the decision", type="primary")

    if submitted:
        entry = DecisionInput(
            project_id=project_id,
            decision=decision,
            effective_date=effective,
            reason_category=reason,
            rationale=rationale,
            transition_plan=plan,
            evidence=evidence,
            decided_by=decided_by,
            decided_by_role=role,
            people_affected=int(people),
            corrects_decision_id=corrects,
        )
        try:
            record = record_decision(db.default_db_path(), entry, assumptions)
        except (DecisionError, UnknownProjectError) as exc:
            problems = exc.problems if isinstance(exc, DecisionError) else [str(exc)]
            st.error("The decision was not recorded:\n\n" + "\n".join(f"- {p}" for p in problems))
        else:
            st.session_state[FLASH_KEY] = (
                f"Recorded decision {record['decision_id']}: {DECISIONS[record['decision']].lower()} "
                f"from {long_date(record['effective_date'])}. Its report is below."
            )
            st.rerun()
    elif decision in NEEDS_TRANSITION_PLAN:
        st.caption(f"A {decision} decision needs a rationale and a transition plan before it can be recorded.")

# ---- history and reports
st.header("Decisions on this project")
if history.empty:
    st.info("No decisions have been recorded on this project yet.")
else:
    shown = pd.DataFrame(
        {
            "Decision ID": history["decision_id"],
            "Recorded": history["recorded_at_utc"].map(long_date),
            "Decision": history["decision"].map(DECISIONS),
            "Takes effect": history["effective_date"].map(long_date),
            "Reason": history["reason_category"].map(REASON_CATEGORIES),
            "Cost of stopping then": [
                f"saves {gbp(s)}, loses {gbp(b)}"
                for s, b in zip(history["costs_saved_gbp"], history["benefits_lost_gbp"], strict=True)
            ],
            "False economy": history["false_economy"].map({True: "Yes", False: "No"}),
            "Status": [
                "Current" if pd.isna(by) else f"Corrected by {by}" for by in history["corrected_by_decision_id"]
            ],
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    for _, row in history.iterrows():
        with st.expander(f"{row['decision_id']}: {DECISIONS[row['decision']]}, {long_date(row['effective_date'])}"):
            st.markdown("**Rationale**")
            st.text(row["rationale"])
            if isinstance(row["transition_plan"], str):
                st.markdown("**Transition plan**")
                st.text(row["transition_plan"])
            if isinstance(row["evidence"], str):
                st.markdown("**Evidence relied on**")
                st.text(row["evidence"])
            if isinstance(row["corrects_decision_id"], str):
                st.caption(f"Corrects decision {row['corrects_decision_id']}.")

    chosen = st.selectbox("Report for decision", history["decision_id"].tolist())
    pdf_bytes, html_bytes = _report_files(version, chosen)
    left, right = st.columns(2)
    left.download_button(
        "Download the report (PDF)",
        pdf_bytes,
        file_name=f"decision-{chosen}.pdf",
        mime="application/pdf",
        on_click="ignore",
        icon=":material/picture_as_pdf:",
    )
    right.download_button(
        "Download the report (web page)",
        html_bytes,
        file_name=f"decision-{chosen}.html",
        mime="text/html",
        on_click="ignore",
        icon=":material/html:",
    )

# ---- publication register
st.header("Publication register")
st.markdown(
    "One row per decision on every project, for the council's transparency page. It carries no names (the role "
    "of the person who decided is kept), and small counts of people are shown as *."
)
threshold = st.number_input(
    "Show counts of people from 1 up to this number as *",
    min_value=0,
    max_value=100,
    value=DEFAULT_SUPPRESS_UP_TO,
    step=1,
)
left, right = st.columns(2)
left.download_button(
    "Download the register (CSV)",
    _register(version, "csv", int(threshold)),
    file_name="decision-register.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
)
right.download_button(
    "Download the register (Excel)",
    _register(version, "xlsx", int(threshold)),
    file_name="decision-register.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click="ignore",
    icon=":material/table:",
)
problems = verify_decision_log(ui.connection())
if problems:
    st.error(
        "The decision record has been altered outside the app; no decision can be added until it is restored:\n\n"
        + "\n".join(f"- {p}" for p in problems)
    )
else:
    st.caption("The decision record's fingerprints all match: no record has been changed since it was made.")
