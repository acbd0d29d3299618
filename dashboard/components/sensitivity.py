"""Sensitivity on the Project and Portfolio pages: does the case survive pessimistic assumptions?

render_project_sensitivity draws one project's tornado chart (NPV when each input moves), always
with the same figures as a table beneath it, and its switching values in sentences.
render_portfolio_sensitivity says how many projects stay above break-even under a pessimistic scenario.
The figures come from dashboard/sensitivity.py; results are cached per database version.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import ui
from dashboard.components import charts
from dashboard.rules import sensitivity
from dashboard.rules.appraisal import Assumptions
from dashboard.rules.formatting import forward_view_phrase, gbp, percent, plural

LOW_COLOUR, HIGH_COLOUR = "#0072B2", "#E69F00"  # Okabe-Ito blue / orange; bars also differ by pattern
SWING_KEY = "sensitivity_swing_percent"


@st.cache_data(max_entries=64, show_spinner="Testing how sensitive the figures are…")
def _tornado(version: tuple, assumptions: Assumptions, swing: float, project_id: str | None) -> pd.DataFrame:
    return sensitivity.tornado(ui.connection(), assumptions, swing, project_id)


@st.cache_data(max_entries=64, show_spinner=False)
def _break_even(version: tuple, assumptions: Assumptions, swing: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    con = ui.connection()
    base = sensitivity.present_values(con, assumptions)
    worst = sensitivity.present_values(con, sensitivity.pessimistic_assumptions(assumptions, swing))
    return base, worst


def _swing_slider(key_suffix: str) -> float:
    percent_value = st.slider(
        "Move each input by (%)",
        min_value=5,
        max_value=50,
        value=int(st.session_state.get(SWING_KEY, 20)),
        step=5,
        key=f"{SWING_KEY}_{key_suffix}",
        help="Costs, benefits, deadweight, attribution and drop-off move by this much either way. Confidence "
        "grades move by one; the discount rate is tested at 1.5% and 5%, the horizon at 1 and 10 years.",
    )
    st.session_state[SWING_KEY] = percent_value
    return percent_value / 100


def tornado_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The tornado's figures as a readable table (the chart's text alternative)."""
    return pd.DataFrame(
        {
            "Input": rows["input_label"],
            "Low setting": rows["low_setting"],
            "Net value at low setting": rows["npv_low_gbp"].map(gbp),
            "High setting": rows["high_setting"],
            "Net value at high setting": rows["npv_high_gbp"].map(gbp),
            "Range": rows["swing_gbp"].map(gbp),
        }
    )


def tornado_summary(rows: pd.DataFrame) -> str:
    """The chart in one or two sentences."""
    if rows.empty:
        return "There are no figures to test."
    base = float(rows["base_npv_gbp"].iloc[0])
    top = rows.iloc[0]
    text = (
        f"Net value is {gbp(base)} at the chosen assumptions. It is most sensitive to "
        f"{top['input_label'].lower()}: from {gbp(top['worst_npv_gbp'])} to {gbp(top['best_npv_gbp'])}."
    )
    if base > 0:
        flips = rows[rows["worst_npv_gbp"] < 0]["input_label"].tolist()
        text += (
            " No single change tested turns it into a loss."
            if not flips
            else f" It would make a loss at the unfavourable setting of: {', '.join(f.lower() for f in flips)}."
        )
    elif base < 0:
        flips = rows[rows["best_npv_gbp"] > 0]["input_label"].tolist()
        text += (
            " No single change tested makes it pay for itself."
            if not flips
            else f" It would pay for itself at the favourable setting of: {', '.join(f.lower() for f in flips)}."
        )
    return text


def tornado_figure(rows: pd.DataFrame) -> go.Figure:
    order = rows.iloc[::-1]  # widest bar at the top
    base = float(rows["base_npv_gbp"].iloc[0])
    figure = go.Figure()
    for column, setting, name, colour, pattern in (
        ("npv_low_gbp", "low_setting", "Input at its low setting", LOW_COLOUR, ""),
        ("npv_high_gbp", "high_setting", "Input at its high setting", HIGH_COLOUR, "/"),
    ):
        figure.add_bar(
            y=order["input_label"],
            x=order[column] - base,
            base=base,
            orientation="h",
            name=name,
            marker={"color": colour, "pattern": {"shape": pattern}, "line": {"width": 1, "color": "#0b0c0c"}},
            customdata=order[[setting]].assign(npv=order[column].map(gbp)).to_numpy(),
            hovertemplate="%{y}: %{customdata[0]} → net value %{customdata[1]}<extra></extra>",
        )
    # labels above the plot, in white boxes (charts.show), so no line label sits on a bar
    figure.add_vline(
        x=base,
        line={"color": "#0b0c0c", "width": 2},
        annotation_text=f"as chosen: {gbp(base)}",
        annotation_position="top",
        annotation_yanchor="bottom",
    )
    figure.add_vline(
        x=0,
        line={"color": "#D55E00", "dash": "dash"},
        annotation_text="break-even",
        annotation_position="bottom",
        annotation_yanchor="top",
    )
    values = [0.0, base, *order["npv_low_gbp"], *order["npv_high_gbp"]]
    figure.update_layout(
        barmode="overlay",
        height=140 + 38 * len(rows),
        margin={"t": 40, "b": 40, "l": 10},
        xaxis={"title": "Net present value", **charts.money_ticks(values)},
        legend={"orientation": "h", "y": -0.3},
    )
    return figure


def render_project_sensitivity(project_id: str, assumptions: Assumptions | None = None) -> None:
    """Tornado chart (with its table) and switching values for one project, at the current assumptions."""
    assumptions = assumptions or ui.current_assumptions()
    st.header("How sure are we?")
    swing = _swing_slider(f"project_{project_id}")
    rows = _tornado(ui.database_version(), assumptions, swing, project_id)
    if rows.empty:
        st.info("This project has no figures to test.")
        return
    base = rows[["base_npv_gbp"]].iloc[0]
    pv = sensitivity.present_values(ui.connection(), assumptions, project_id).iloc[0]  # this project only
    values = sensitivity.switching_values(pv["pv_cost_gbp"], pv["pv_benefit_gbp"])
    st.subheader("Switching values")
    for sentence in sensitivity.switching_sentences(values):
        st.markdown(f"- {sentence}")
    st.subheader("What moves its net value most")
    st.markdown(tornado_summary(rows))
    if float(base.iloc[0]) != 0 or rows["swing_gbp"].sum() > 0:
        charts.show(tornado_figure(rows), alt=tornado_summary(rows), key=f"tornado_{project_id}")
    with st.expander("The same figures as a table", expanded=False):
        st.dataframe(tornado_table(rows), hide_index=True)


AUTO_RUN_LIMIT = 20_000  # above this many projects the pessimistic re-run waits for a click, keeping the page quick


def render_portfolio_sensitivity(project_ids: list[str] | None = None, assumptions: Assumptions | None = None) -> None:
    """How many of these projects stay above break-even under a pessimistic scenario."""
    assumptions = assumptions or ui.current_assumptions()
    st.header("Does the case survive pessimistic assumptions?")
    swing = _swing_slider("portfolio")
    size = len(project_ids) if project_ids is not None else len(ui.metrics(assumptions))
    if size > AUTO_RUN_LIMIT and not st.toggle(
        f"Re-appraise all {size:,} projects under pessimistic assumptions", key="sensitivity_portfolio_run"
    ):
        st.caption("This re-runs the appraisal twice for every project, so it waits until you ask at this size.")
        return
    base, worst = _break_even(ui.database_version(), assumptions, swing)
    count = sensitivity.count_break_even(base, worst, project_ids)
    cols = st.columns(3)
    cols[0].metric(
        "Pay for themselves from now",
        f"{count.above_at_base:,} of {count.projects:,}",
        help="Forward net present value above zero: "
        + forward_view_phrase(assumptions.as_of, assumptions.horizon_years),
    )
    cols[1].metric(
        "Still pay for themselves when pessimistic",
        f"{count.stay_above:,}",
        help=f"Costs and benefits {percent(swing)} worse, more deadweight, attribution and drop-off, one "
        "confidence grade less sure; discount rate and horizon as chosen.",
    )
    share = count.stay_above / count.above_at_base if count.above_at_base else None
    cols[2].metric("Share that survives", percent(share, missing="not applicable"))
    st.markdown(count.sentence(swing))
    if count.fall_below:
        names = ui.metrics(assumptions).set_index("project_id")["name"]
        fallen = base[base["project_id"].isin(count.fall_below)].merge(
            worst[["project_id", "forward_npv_gbp"]], on="project_id", suffixes=("", "_pessimistic")
        )
        with st.expander(f"The {plural(len(count.fall_below), 'project')} that would stop paying for themselves"):
            st.dataframe(
                pd.DataFrame(
                    {
                        "Project": fallen["project_id"].map(names).fillna(fallen["project_id"]),
                        "Net value from now": fallen["forward_npv_gbp"].map(gbp),
                        "Net value from now when pessimistic": fallen["forward_npv_gbp_pessimistic"].map(gbp),
                    }
                ),
                hide_index=True,
            )
