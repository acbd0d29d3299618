"""Scenarios: choose the assumptions every page and export works at, save named scenarios, compare them."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import ui
from dashboard.components import charts
from dashboard.database import db
from dashboard.rules import scenarios
from dashboard.rules.appraisal import AssumptionError
from dashboard.rules.formatting import escape_markdown, gbp, number, percent, ratio

SAVED_KEY = "scenario_saved_message"


@st.cache_data(max_entries=8, show_spinner=False)
def _scenarios(version: tuple) -> list[scenarios.Scenario]:
    return scenarios.list_scenarios(ui.connection())


@st.cache_data(max_entries=16, show_spinner="Appraising the portfolio under each scenario…")
def _compare(version: tuple, chosen: tuple[scenarios.Scenario, ...], today) -> tuple[pd.DataFrame, pd.DataFrame]:
    return scenarios.compare_scenarios(ui.connection(), list(chosen), today)


USE_PROBLEM_KEY = "scenario_use_problem"
CHOICE_KEY = "scenario_choice"
_CHOICE_SHOWS_KEY = "_scenario_choice_shows"  # the scenario in use when the chooser was last drawn


def _use_scenario() -> None:
    """The button's callback: the view changes before the run that follows the press, so that run draws every
    figure, the address and the page menu's links with the chosen scenario at once. Changing it in the page's body
    (then st.rerun) left the menu, drawn before the page, carrying the old view for one run: a link followed then
    dropped the scenario (tests/e2e/test_links_and_lists.py caught it)."""
    chosen = ui.scenarios_by_name().get(st.session_state.get(CHOICE_KEY))
    if chosen is None:
        return
    try:
        chosen.assumptions()
    except AssumptionError as exc:
        st.session_state[USE_PROBLEM_KEY] = f"This scenario cannot be used: {exc}"
    else:
        ui.use_scenario(chosen.name)


ui.require("use_scenarios")  # roles: dashboard/access.py
st.title("Scenarios")
ui.show_link_problems()
if SAVED_KEY in st.session_state:
    st.success(st.session_state.pop(SAVED_KEY))
assumptions = ui.current_assumptions()
all_scenarios = _scenarios(ui.database_version())
by_name = {s.name: s for s in all_scenarios}

# ---- which scenario every page uses (the view in the address: dashboard/view_state.py)
active_name = ui.current_scenario()
active = by_name.get(active_name)
exact = active is not None and active.matches(assumptions)
with st.container(key="figures_basis"):
    if exact:
        st.success(f"Every page and export is using **{escape_markdown(active.name)}**: {active.describe()}.")
    else:
        st.warning(
            "Every page and export is using assumptions changed on the Assumptions page: "
            + ui.figures_basis_text(assumptions)
        )

st.header("Choose the scenario to use")
names = list(by_name)
# The chooser shows the scenario in use whenever that changes (a link, the button below, another tab of the
# session), and otherwise what the person last picked in it.
if st.session_state.get(_CHOICE_SHOWS_KEY) != active_name or st.session_state.get(CHOICE_KEY) not in names:
    st.session_state[CHOICE_KEY] = active_name if active_name in names else names[0]
st.session_state[_CHOICE_SHOWS_KEY] = active_name
choice = st.selectbox(
    "Scenario",
    names,
    key=CHOICE_KEY,
    help="The Base case is the council's reference assumptions and is always here.",
)
st.caption(by_name[choice].describe() + (f". {by_name[choice].description}" if by_name[choice].description else ""))
st.button("Use this scenario on every page", type="primary", on_click=_use_scenario, key="use_scenario")
if USE_PROBLEM_KEY in st.session_state:
    st.error(st.session_state.pop(USE_PROBLEM_KEY))
st.caption(
    "The scenario, the as-of date and any changed assumption are in this page's address: copy it, or any page's, "
    "to share the same figures."
)

# ---- save
st.header("Save a scenario")
with st.form("save_scenario"):
    name = st.text_input("Name", max_chars=scenarios.MAX_NAME_LENGTH, placeholder="for example Pessimistic 2026-27")
    description = st.text_input("What it is for (optional)")
    left, right = st.columns(2)
    with left:
        rate = st.number_input(
            "Discount rate (%)", 0.0, 20.0, float(assumptions.discount_rate * 100), 0.5, help="Green Book: 3.5%"
        )
        horizon = st.number_input("Horizon (years)", 1, 60, int(assumptions.horizon_years), 1)
        fixed = st.checkbox(
            "Fix the as-of date", help="Otherwise the scenario judges risk as of the day it is used (today)."
        )
        as_of = st.date_input("As-of date (if fixed)", value=assumptions.as_of, format="DD/MM/YYYY")
        grade = st.number_input(
            "Move every confidence grade by", -5, 5, int(assumptions.grade_shift), 1, help="+1 means less sure"
        )
    with right:
        shifts = {}
        for attribute, label in scenarios.SHIFT_LABELS.items():
            current = round((getattr(assumptions, attribute) - 1) * 100)
            shifts[attribute] = st.slider(f"Change {label} by (%)", -100, 100, int(current), 5)
    bias = st.data_editor(
        pd.DataFrame(
            {
                "Confidence grade": list(range(1, 7)),
                "Optimism bias (%)": [round(b * 100, 2) for b in assumptions.optimism_bias],
            }
        ),
        hide_index=True,
        disabled=["Confidence grade"],
        key="scenario_bias_editor",
    )
    replace = st.checkbox("Replace a saved scenario with the same name")
    submitted = st.form_submit_button("Save scenario")
if submitted:
    try:
        scenario = scenarios.Scenario(
            name=name,
            description=description,
            discount_rate=rate / 100,
            horizon_years=int(horizon),
            optimism_bias=tuple(float(b) / 100 for b in bias["Optimism bias (%)"]),
            as_of_date=as_of if fixed else None,
            grade_shift=int(grade),
            **{attribute: 1 + value / 100 for attribute, value in shifts.items()},
        )
        stored = scenarios.save_scenario(scenario, db.default_db_path(), replace=replace)
    except (scenarios.ScenarioError, AssumptionError) as exc:
        st.error(f"Not saved: {exc}")
    else:
        st.session_state[SAVED_KEY] = f"Saved {stored.name!r}: {stored.describe()}."
        st.rerun()  # redraw every list with the new scenario in it

# ---- delete
saved = [s.name for s in all_scenarios if not s.is_base_case]
with st.expander("Delete a saved scenario"):
    if not saved:
        st.write("There are no saved scenarios. The Base case cannot be deleted.")
    else:
        doomed = st.selectbox("Scenario to delete", saved, key="scenario_to_delete")
        sure = st.checkbox(f"Yes, delete {doomed!r}", key="scenario_delete_confirm")
        if st.button("Delete", disabled=not sure):
            try:
                scenarios.delete_scenario(doomed, db.default_db_path())
            except scenarios.ScenarioError as exc:
                st.error(str(exc))
            else:
                if ui.current_scenario() == doomed:
                    ui.use_scenario(scenarios.BASE_CASE)
                st.rerun()

# ---- compare
st.header("Compare scenarios side by side")
default = [scenarios.BASE_CASE, *saved][:3]
chosen_names = st.multiselect("Scenarios to compare", list(by_name), default=default, max_selections=4)
if not chosen_names:
    st.info("Choose at least one scenario to compare.")
    st.stop()
chosen = tuple(by_name[n] for n in chosen_names)
try:
    totals, per_project = _compare(ui.database_version(), chosen, assumptions.as_of)
except AssumptionError as exc:
    st.error(f"A scenario could not be used: {exc}")
    st.stop()

st.subheader("Portfolio totals")
st.caption(
    "Costs, benefits and net values are the forward view: present values from each scenario's as-of month, over "
    "its horizon from then, with money already spent left out, so projects add up to the totals."
)
st.dataframe(
    pd.DataFrame(
        {
            "Scenario": totals["scenario_name"],
            "Costs from now (PV)": totals["forward_pv_cost_gbp"].map(gbp),
            "Benefits from now (PV)": totals["forward_pv_benefit_gbp"].map(gbp),
            "Net value from now": totals["forward_npv_gbp"].map(gbp),
            "Benefit-cost ratio from now": totals["forward_bcr"].map(ratio),
            "Projects paying for themselves": totals["projects_paying_for_themselves"].map(
                lambda n, total=int(totals["projects"].iloc[0]): f"{n:,} of {total:,}"
            ),
            "High risk": totals["high_risk_projects"].map(number),
            "Medium risk": totals["medium_risk_projects"].map(number),
            "Low risk": totals["low_risk_projects"].map(number),
        }
    ),
    hide_index=True,
)
figure = go.Figure()
figure.add_bar(
    x=totals["scenario_name"],
    y=totals["forward_npv_gbp"],
    marker={"color": "#0072B2"},
    text=totals["forward_npv_gbp"].map(gbp),
    textposition="outside",
    cliponaxis=False,
    customdata=totals["forward_npv_gbp"].map(gbp),
    hovertemplate="%{x}: %{customdata}<extra></extra>",
)
npv_values = [0.0, *totals["forward_npv_gbp"]]
figure.update_layout(
    height=340,
    margin={"t": 40},
    yaxis={
        "title": "Portfolio net present value from now",
        **charts.money_ticks(npv_values),
        "range": [min(npv_values) * 1.2, max(npv_values) * 1.2],
    },
)
npv_alternative = (
    "Text alternative: "
    + "; ".join(
        f"{escape_markdown(n)}: net value from now {gbp(v)}, {p:,} projects paying for themselves"
        for n, v, p in zip(
            totals["scenario_name"], totals["forward_npv_gbp"], totals["projects_paying_for_themselves"], strict=True
        )
    )
    + "."
)
charts.show(figure, alt=npv_alternative, key="scenario_npv_chart")
st.caption(npv_alternative)

st.subheader("Project by project")
wide = scenarios.side_by_side(per_project, list(chosen_names))
display = wide.rename(columns={"project_id": "Project ID", "name": "Project"})
for column in display.columns:
    if column.endswith(": NPV"):
        display[column] = display[column].map(gbp)
    elif column.endswith(": BCR"):
        display[column] = display[column].map(ratio)
    elif column.endswith(": risk band"):
        display[column] = display[column].fillna("not scored")
if len(chosen_names) > 1:
    first, last = chosen_names[0], chosen_names[-1]
    changed = (wide[f"{first}: risk band"].fillna("") != wide[f"{last}: risk band"].fillna("")).sum()
    flipped = ((wide[f"{first}: NPV"] > 0) != (wide[f"{last}: NPV"] > 0)).sum()
    st.markdown(
        f"Between **{first}** and **{last}**, {flipped:,} project(s) cross break-even and {changed:,} change risk "
        f"band ({percent(flipped / len(wide)) if len(wide) else '0%'} of projects cross break-even)."
    )
st.dataframe(display, hide_index=True)
