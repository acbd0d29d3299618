"""Decisions: the cost of stopping a project, recording a funding decision, its history, its plain-English
report and the publication register. The project is chosen by ?project=ID so a link can be shared."""

from datetime import date
from urllib.parse import quote

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import ui
from dashboard.components import auth, charts, record_key
from dashboard.components.accessible_theme import readable_on
from dashboard.components.project_picker import pick_project
from dashboard.database import db
from dashboard.files import decision_anchor, decision_key
from dashboard.files.decision_key import DecisionKeyError
from dashboard.files.decisions import (
    DECISIONS,
    DEFAULT_SUPPRESS_UP_TO,
    NEEDS_TRANSITION_PLAN,
    REASON_CATEGORIES,
    DecisionError,
    DecisionInput,
    check_record,
    decision_history,
    head_sentence,
    new_request_token,
    record_decision,
    register_bytes,
)
from dashboard.files.reports import decision_report, render_html, render_pdf
from dashboard.rules.appraisal import Assumptions
from dashboard.rules.formatting import gbp, long_date, month_label
from dashboard.rules.stopping import (
    AGENCY_SHORT_LABELS,
    CostOfStopping,
    UnknownProjectError,
    cost_of_stopping,
    window_phrase,
)

ui.require("view_project_detail")  # roles: dashboard/access.py; the form itself needs record_decisions
FLASH_KEY = "decisions_flash"
TOKEN_KEY = "decision_form_token"  # this form's submission token: the record it makes carries it
PENDING_KEY = "decision_form_submitted"  # set by the submit button's callback to the token it was pressed for
FORM_FOR_KEY = "decision_form_for"  # the project and stop date the form's values belong to
FORM_FIELDS = (
    "decision",
    "effective_date",
    "reason",
    "people_affected",
    "rationale",
    "transition_plan",
    "evidence",
    "decided_by",
    "decided_by_role",
    "corrects",
)


def _submitted(token: str) -> None:
    st.session_state[PENDING_KEY] = token


def field_key(name: str, token: str) -> str:
    """A form field's widget key: each form (one per token) has its own widgets."""
    return f"{name}_{token}"


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


# Checking the record reads every decision and the whole decision log; it is redone when either changes or the key does
@st.cache_resource(max_entries=4, show_spinner="Checking the decision record…")
def _record_check(version: tuple, log_state: tuple | None, key_id: str | None):
    return check_record(ui.connection())


def _log_state() -> tuple | None:
    try:
        stat = decision_anchor.log_path(db.default_db_path()).stat()
    except FileNotFoundError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _key_id() -> str | None:
    try:
        key = decision_key.load_key(create=False)
    except DecisionKeyError:
        return "unusable"
    return None if key is None else key.key_id


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
        height=400,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"title": "Present value", **charts.money_ticks([0, widest])},
        yaxis={"autorange": "reversed"},
        legend={"orientation": "h", "y": -0.3},
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

project = pick_project(projects, key="decisions_page")
project_id = project["project_id"]
version = ui.database_version()
if flash:
    recorded_id, recorded_decision, recorded_effective = flash
    st.success(
        f"Recorded decision {recorded_id}: {DECISIONS[recorded_decision].lower()} from "
        f"{long_date(recorded_effective)}. [Its report]"
        f"(decisions?project={quote(project_id)}&decision={quote(recorded_id)}#decisions-on-this-project) is below; "
        "the form is clear for the next decision."
    )

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
    st.subheader("If it stops: costs avoided, by who pays, and benefits lost, by who gains")
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
# One press records one decision: the form is keyed by a token that the record carries (a repeated submission
# returns the record the first one made), the form is replaced by a "Recording" notice while the write runs, and
# the database refuses an identical decision on the same project within a few minutes (decisions.record_decision).
record_key.configure_from_secrets()
try:
    record_check = _record_check(version, _log_state(), _key_id())
except DecisionKeyError as exc:
    st.error(f"The decision record cannot be checked: {exc}")
    st.stop()
history = decision_history(ui.connection(), project_id)
st.header("Record a decision")
if not ui.can("record_decisions"):
    st.info(
        "Your role can see the cost of stopping and past decisions but not record one. A decision-maker records"
        " decisions; ask your administrator if you need that role."
    )
else:
    person = auth.signed_in_person()
    formed_for = st.session_state.get(FORM_FOR_KEY)
    if formed_for is None or formed_for[0] != project_id:  # another project: a fresh, empty form
        st.session_state[TOKEN_KEY] = new_request_token()
    token = st.session_state.setdefault(TOKEN_KEY, new_request_token())
    if formed_for != (project_id, stop_date):  # the effective date follows the stop date chosen above
        st.session_state[field_key("effective_date", token)] = stop_date
        st.session_state[FORM_FOR_KEY] = (project_id, stop_date)
    pending = st.session_state.pop(PENDING_KEY, None)
    slot = st.empty()
    problems_now: list[str] = []
    if pending == token:
        slot.info("Recording the decision…", icon=":material/hourglass_top:")
        entry = DecisionInput(
            project_id=project_id,
            decision=st.session_state.get(field_key("decision", token)),
            effective_date=st.session_state.get(field_key("effective_date", token)),
            reason_category=st.session_state.get(field_key("reason", token)),
            rationale=st.session_state.get(field_key("rationale", token), ""),
            transition_plan=st.session_state.get(field_key("transition_plan", token), ""),
            evidence=st.session_state.get(field_key("evidence", token), ""),
            decided_by=person.name if person else st.session_state.get(field_key("decided_by", token), ""),
            decided_by_id=person.account_id if person else None,
            decided_by_role=st.session_state.get(field_key("decided_by_role", token), ""),
            people_affected=st.session_state.get(field_key("people_affected", token)),
            corrects_decision_id=st.session_state.get(field_key("corrects", token)),
            exit_costs_gbp=float(exit_costs),
        )
        try:
            record = record_decision(db.default_db_path(), entry, assumptions, request_token=token)
        except (DecisionError, UnknownProjectError, DecisionKeyError) as exc:
            problems_now = exc.problems if isinstance(exc, DecisionError) else [str(exc)]
        else:
            # a fresh, empty form for the next decision: new widgets, so values a second click sends are for
            # widgets that no longer exist and are dropped
            st.session_state[TOKEN_KEY] = new_request_token()
            for name in FORM_FIELDS:
                st.session_state.pop(field_key(name, token), None)
            st.session_state[FORM_FOR_KEY] = None
            st.session_state[FLASH_KEY] = (record["decision_id"], record["decision"], record["effective_date"])
            st.query_params["decision"] = record["decision_id"]
            st.rerun()
    slot.empty()
    if record_check.problems:
        st.error(
            "The decision record has been altered outside the app, so no decision can be added until it is put "
            "right (README.md, Security and access):\n\n" + "\n".join(f"- {p}" for p in record_check.problems),
            icon=":material/gpp_bad:",
        )
    if problems_now:
        st.error("The decision was not recorded:\n\n" + "\n".join(f"- {p}" for p in problems_now))
    open_records = history[history["corrected_by_decision_id"].isna()] if not history.empty else history
    correctable = [None, *open_records["decision_id"].tolist()]
    with st.form(f"decision_form_{token}", clear_on_submit=False):
        st.markdown(
            "Decisions are kept for good: they cannot be changed or deleted. To put one right, record a new decision "
            "that corrects it. The rationale, evidence and transition plan are published, so do not include names "
            "or personal details."
        )
        left, right = st.columns(2)
        decision = left.selectbox(
            "Decision", list(DECISIONS), format_func=DECISIONS.get, key=field_key("decision", token)
        )
        right.date_input(
            "Takes effect on (for a stop: the last day the project runs)",
            min_value=date(2000, 1, 1),
            max_value=date(2100, 12, 31),
            format="DD/MM/YYYY",
            key=field_key("effective_date", token),
        )
        left.selectbox(
            "Reason", list(REASON_CATEGORIES), format_func=REASON_CATEGORIES.get, key=field_key("reason", token)
        )
        right.number_input(
            "People affected",
            min_value=0,
            value=int(project["people_reached"]),
            step=1,
            format="%d",
            key=field_key("people_affected", token),
        )
        st.text_area("Rationale: why this decision (published)", max_chars=10_000, key=field_key("rationale", token))
        st.text_area(
            "Transition plan: what happens to the people who draw on the service (required to stop or pause)",
            max_chars=10_000,
            key=field_key("transition_plan", token),
        )
        st.text_area("Evidence relied on", max_chars=10_000, key=field_key("evidence", token))
        left, right = st.columns(2)
        if person is not None:
            left.text_input(
                "Decided by (from your sign-in; kept in the record, not published)",
                value=person.name,
                disabled=True,
                key=f"decided_by_signed_in_{token}",
            )
        else:
            left.text_input(
                "Decided by (kept in the record, not published)", max_chars=200, key=field_key("decided_by", token)
            )
        right.text_input(
            "Their role (published, e.g. Director of Adult Social Services)",
            max_chars=200,
            key=field_key("decided_by_role", token),
        )
        st.selectbox(
            "Corrects an earlier decision",
            correctable,
            format_func=lambda d: "No: this is a new decision" if d is None else f"Yes: corrects {d}",
            key=field_key("corrects", token),
        )
        st.form_submit_button(
            "Record the decision",
            type="primary",
            disabled=bool(record_check.problems),
            on_click=_submitted,
            args=(token,),
        )
    if person is None:
        st.caption("LOCAL MODE: the name typed is recorded as given. With sign-in, it comes from the account.")
    if decision in NEEDS_TRANSITION_PLAN:
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

    choices = history["decision_id"].tolist()
    wanted = st.query_params.get("decision")
    chosen = st.selectbox(
        "Report for decision", choices, index=choices.index(wanted) if wanted in choices else 0, key="report_for"
    )

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
if record_check.problems:
    st.error(
        "The decision record has been altered outside the app; no decision can be added until it is put right:\n\n"
        + "\n".join(f"- {p}" for p in record_check.problems)
    )
else:
    st.caption(
        "The decision record checks: every record's fingerprint and seal match, and the decision log beside the "
        "database agrees. " + head_sentence(record_check)
    )
    for note in record_check.notes:
        st.caption(note)
if decision_key.generated_here is not None:
    st.warning(decision_key.generated_warning(decision_key.generated_here), icon=":material/key:")
elif record_check.key is not None and not record_check.key.configured and ui.can("record_decisions"):
    st.caption(
        f"The record is sealed with the key in {record_check.key.path}, generated because none was configured: keep a "
        "copy of it safe, or configure one (README.md, Security and access)."
    )
