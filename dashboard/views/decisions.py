"""Decisions: the cost of stopping a project, recording a funding decision, its history, its plain-English
report and the publication register. The project is chosen by ?project=ID so a link can be shared."""

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import db, ui
from dashboard.appraisal import Assumptions
from dashboard.components import charts
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
def _cost_of_stopping(
    version: tuple, project_id: str, assumptions: Assumptions, stop: date | None, exit_costs_gbp: float = 0.0
) -> CostOfStopping:
    return cost_of_stopping(ui.connection(), project_id, assumptions, stop, exit_costs_gbp)


@st.cache_data(max_entries=32, show_spinner=False)
def _report_files(version: tuple, decision_id: str) -> tuple[bytes, bytes]:
    con = db.connect_read_only(version[0])  # its own connection: this runs on the download's thread
    try:
        report = decision_report(con, decision_id)
    finally:
        con.close()
    return render_pdf(report), render_html(report).encode("utf-8")


@st.cache_data(max_entries=16, show_spinner=False)
def _register(version: tuple, fmt: str, suppress_up_to: int) -> bytes:
    return register_bytes(ui.connection(), fmt, suppress_up_to)


LABEL_MIN_SHARE = 0.22  # a segment narrower than this share of the widest bar is named by the legend only


def stopping_chart(c: CostOfStopping) -> go.Figure:
    """Costs avoided by who pays them beside benefits lost by who would have received them.

    A segment carries its amount only where the amount fits inside it: a label cut short ("NHS: £1,") is worse
    than none, and the legend, the hover text and the table below name every segment anyway."""
    widest = max(sum(c.costs_avoided_by_payer.values()), sum(c.benefits_lost_by_agency.values()), 1)
    fig = go.Figure()
    for row_label, amounts in (
        ("Costs avoided", c.costs_avoided_by_payer),
        ("Benefits lost", c.benefits_lost_by_agency),
    ):
        for agency, amount in amounts.items():
            if not amount:
                continue
            label = AGENCY_SHORT_LABELS.get(agency, agency)
            colour = (
                COST_COLOUR
                if row_label == "Costs avoided" and agency == "council_asc"
                else AGENCY_COLOURS.get(agency, "#7A7A7A")
            )
            fig.add_bar(
                y=[row_label],
                x=[amount],
                name=f"{label} ({row_label.lower()})",
                orientation="h",
                marker_color=colour,
                marker_pattern_shape="/" if row_label == "Costs avoided" else "",
                text=[gbp(amount) if amount >= LABEL_MIN_SHARE * widest else ""],
                textposition="inside",
                insidetextanchor="middle",
                insidetextfont={"color": readable_on(colour)},
                customdata=[gbp(amount)],
                hovertemplate="%{y}, %{fullData.name}: %{customdata}<extra></extra>",
            )
    fig.update_layout(
        barmode="stack",
        height=360,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        xaxis={"title": "Present value", **charts.money_ticks([0, widest])},
        yaxis={"autorange": "reversed"},
        legend={"orientation": "h", "y": -0.3, "entrywidthmode": "fraction", "entrywidth": 0.5},
        title={
            "text": "If it stops: costs avoided, by who pays, and benefits lost, by who gains",
            "font": {"size": 14},
        },
    )
    return fig


assumptions = ui.current_assumptions()
projects = ui.metrics(assumptions)
st.title("Funding decisions")
ui.show_link_problems()
ui.show_figures_basis(assumptions)
if projects.empty:
    st.info("There are no projects yet. Import some first.")
    st.stop()

flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.success(flash)

project = pick_project(projects, key="decisions_page")
project_id = project["project_id"]
version = ui.database_version()

# ---- the cost of stopping: stopping against continuing
st.header("The cost of stopping: stopping against continuing")
try:
    default = _cost_of_stopping(version, project_id, assumptions, None)
except UnknownProjectError as exc:
    st.error(str(exc))
    st.stop()
left, right = st.columns(2)
stop_date = left.date_input(
    "Stop date: the last day the project runs",
    value=default.stop_date,
    min_value=date(2000, 1, 1),
    max_value=date(2100, 12, 31),
    format="DD/MM/YYYY",
    help=(
        "Starts at the end of the project's latest funding. The month the stop date falls in counts as "
        "delivered; carrying on and stopping are compared over the horizon's months after it."
    ),
)
exit_costs = right.number_input(
    "One-off exit costs of stopping (£)",
    min_value=0.0,
    max_value=1e11,
    value=0.0,
    step=100.0,
    format="%.2f",
    help="For example redundancy or contract-break costs; paid by the council in the first month.",
)
c = (
    default
    if stop_date == default.stop_date and not exit_costs
    else _cost_of_stopping(version, project_id, assumptions, stop_date, float(exit_costs))
)

if c.nothing_to_stop:
    st.info(c.sentence())
else:
    sentences = c.to_dict()["sentences"]
    cols = st.columns(3)
    cols[0].metric("Carrying on costs", gbp(c.continue_costs_gbp), help="Present value over the comparison window")
    cols[1].metric("and brings benefits of", gbp(c.continue_benefits_gbp), help="Present value, all value")
    cols[2].metric(
        "Net saving from stopping",
        gbp(c.net_saving_gbp),
        help="Costs avoided less benefits lost: below zero, stopping costs more than it saves",
    )
    (st.warning if c.false_economy else st.info)(sentences[0])
    cols = st.columns(3)
    cols[0].metric("Council-paid costs avoided", gbp(c.council_costs_avoided_gbp), help="After any exit costs")
    cols[1].metric(
        "Council cashable savings lost",
        gbp(c.council_cashable_benefits_lost_gbp),
        delta=f"{gbp(c.returning_to_council_first_month_gbp)} in the first month"
        if c.returning_to_council_first_month_gbp
        else None,
        delta_color="inverse",
        help="Costs the council's adult social care budget would have to pay again",
    )
    cols[2].metric("Wider public and social value lost", gbp(c.wider_benefits_lost_gbp))
    (st.warning if c.false_economy_for_council else st.info)(sentences[1])
    st.markdown(sentences[2])
st.caption(f"People affected: {int(c.people_affected):,}. Figures run {window_phrase(c)}, at the assumptions above.")
if not c.nothing_to_stop:
    charts.show(
        stopping_chart(c),
        alt="If it stops: costs avoided by who pays them and benefits lost by who gains them; the table below "
        "gives every figure.",
        key="stopping_chart",
    )
    with st.expander("The figures in the chart, as a table"):
        table = c.agency_frame()
        total = pd.DataFrame(
            [
                [
                    "total",
                    "Total",
                    c.costs_avoided_gbp,
                    c.benefits_lost_gbp,
                    sum(c.benefits_lost_first_month_by_agency.values()),
                ]
            ],
            columns=table.columns,
        )
        shown = pd.concat([table, total], ignore_index=True)
        first = month_label(c.window_start_date)
        st.table(
            pd.DataFrame(
                {
                    "Who": shown["who"],
                    "Costs avoided (present value)": shown["costs_avoided_gbp"].map(gbp),
                    "Benefits lost (present value)": shown["benefits_lost_gbp"].map(gbp),
                    f"Benefits lost in {first}": shown["benefits_lost_first_month_gbp"].map(gbp),
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
            exit_costs_gbp=float(exit_costs),
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
                f"avoids {gbp(s)}, loses {gbp(b)}"
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

    # built when a button is pressed, not on every view: a report in a script DejaVu lacks loads a large font
    def pdf_bytes(version=version, chosen=chosen) -> bytes:
        return _report_files(version, chosen)[0]

    def html_bytes(version=version, chosen=chosen) -> bytes:
        return _report_files(version, chosen)[1]

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
