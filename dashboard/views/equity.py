"""Equity: spend, benefit and people reached by place and service area, the spread between places, and
how co-production, evidence and equality consideration reach each kind of innovation. Counts of people
from 1 to 7 are shown as * and further cells are hidden so that totals cannot give them back."""

import dataclasses

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import ui
from dashboard.components import auth, charts
from dashboard.components.accessible_theme import readable_on
from dashboard.rules import access, equity
from dashboard.rules.appraisal import Assumptions
from dashboard.rules.formatting import code_label, forward_view_phrase, gbp, gbp_headline, number, percent

SHARE_COLOURS = ["#999999", "#56B4E9", "#009E73", "#E69F00", "#0072B2", "#CC79A7"]  # Okabe-Ito


@st.cache_data(max_entries=16, show_spinner="Working out who benefits, and where…")
def _view(version: tuple, assumptions: Assumptions, open_only: bool) -> equity.EquityView:
    return equity.equity_view(ui.connection(), assumptions, open_only)


def _people(value, hidden: bool) -> str:
    return equity.SUPPRESSED if hidden else f"{int(value):,}"


def _place_table(frame: pd.DataFrame, key: str, label: str) -> pd.DataFrame:
    money_hidden = frame["money_hidden"] if "money_hidden" in frame else pd.Series(False, index=frame.index)

    def money(column: str) -> list[str]:
        return [equity.SUPPRESSED if h else gbp(v) for v, h in zip(frame[column], money_hidden, strict=True)]

    return pd.DataFrame(
        {
            label: frame[key],
            "Projects": frame["projects"].map(number),
            "People reached": [
                _people(v, h) for v, h in zip(frame["people_reached"], frame["people_hidden"], strict=True)
            ],
            "Spend from now (present value of costs)": money("pv_cost_gbp"),
            "Benefit from now (present value)": money("pv_benefit_gbp"),
            "Spend per person": [
                equity.SUPPRESSED if h or m else gbp(v, missing="no people yet")
                for v, h, m in zip(frame["spend_per_person_gbp"], frame["people_hidden"], money_hidden, strict=True)
            ],
            "Benefit per person": [
                equity.SUPPRESSED if h or m else gbp(v, missing="no people yet")
                for v, h, m in zip(frame["benefit_per_person_gbp"], frame["people_hidden"], money_hidden, strict=True)
            ],
        }
    )


def _per_person_chart(frame: pd.DataFrame, key: str, title: str) -> None:
    rows = frame[(frame[key] != equity.TOTAL) & frame["spend_per_person_gbp"].notna()]
    rows = rows.sort_values("spend_per_person_gbp")
    if rows.empty:
        return
    total = frame[frame[key] == equity.TOTAL]["spend_per_person_gbp"]
    figure = go.Figure()
    figure.add_bar(
        y=rows[key],
        x=rows["spend_per_person_gbp"],
        orientation="h",
        marker={"color": "#0072B2"},
        text=rows["spend_per_person_gbp"].map(gbp),
        textposition="outside",
        cliponaxis=False,
        name="Spend per person",
        customdata=rows["spend_per_person_gbp"].map(gbp),
        hovertemplate="%{y}: %{customdata} a person<extra></extra>",
    )
    values = list(rows["spend_per_person_gbp"])
    if not total.empty and pd.notna(total.iloc[0]):
        values.append(float(total.iloc[0]))
        figure.add_vline(
            x=float(total.iloc[0]),
            line={"dash": "dash", "color": "#D55E00"},
            annotation_text=f"whole portfolio: {gbp(total.iloc[0])}",
            annotation_position="top right",
        )
    # room to the right for the labels drawn outside the longest bar
    ticks = charts.money_ticks([*values, max(values) * 1.25])
    figure.update_layout(
        height=120 + 34 * len(rows),
        margin={"t": 40, "r": 30},
        xaxis={"title": title, **ticks, "range": [0, max(values) * 1.25]},
        showlegend=False,
    )
    charts.show(figure, alt=f"{title}, place by place: the table below gives every figure.", key=f"per_person_{key}")


ui.require("view_aggregates")  # roles: dashboard/access.py
st.title("Equity: who benefits, and where")
ui.show_link_problems()
assumptions = ui.current_assumptions()
open_only = st.toggle(
    "Only projects running now (proposed, active or paused)",
    value=False,
    help="Otherwise projects that have ended, stopped or been mainstreamed are counted too.",
)
view = _view(ui.database_version(), assumptions, open_only)
places = view.places
if not ui.can(access.VIEW_PROJECT_DETAIL):  # a viewer: no place's or area's money when it is a project's own
    fewest = auth.min_projects_per_group()
    places = dataclasses.replace(
        places,
        by_locality=equity.hide_small_groups(places.by_locality, "locality", fewest),
        by_service_area=equity.hide_small_groups(places.by_service_area, "service_area", fewest),
    )
ui.show_figures_basis(assumptions, prefix=f"{ui.council_name()}. ")
st.caption(
    "Spend and benefit are "
    + forward_view_phrase(assumptions.as_of, assumptions.horizon_years)
    + " (money already spent left out), so places can be compared and added up. People reached are added up over "
    "projects, so someone two projects reach counts twice. Counts of 1 to 7 people are shown as *, and further "
    "figures are hidden (also *) so the hidden ones cannot be worked out from totals; per-person figures are "
    "hidden with them."
)
if places.by_locality.empty or int(places.by_locality["projects"].iloc[-1]) == 0:
    st.info("There are no projects to show.")
    st.stop()

# ---- spread between places
st.header("Spend per person, place by place")
spread = equity.spend_spread(places.by_locality)
if spread is None:
    st.markdown("There are too few places with people reached to compare spend per person.")
else:
    times = spread.ratio
    st.markdown(
        f"**Spend per person ranges from {gbp(spread.lowest_gbp)} in {spread.lowest_place} to "
        f"{gbp(spread.highest_gbp)} in {spread.highest_place}"
        + (f": {times:,.1f} times as much" if times else "")
        + f"** (across {spread.places} places; whole-area projects are left out of this comparison)."
    )
    cols = st.columns(3)
    cols[0].metric("Highest spend per person", gbp_headline(spread.highest_gbp), help=spread.highest_place)
    cols[1].metric("Lowest spend per person", gbp_headline(spread.lowest_gbp), help=spread.lowest_place)
    cols[2].metric("Highest ÷ lowest", f"{times:,.1f}" if times else "not applicable")
_per_person_chart(places.by_locality, "locality", "Spend from now per person reached (£, present value)")
st.caption("Text alternative: the table below gives every place's figures, including the ones in the chart.")
st.dataframe(_place_table(places.by_locality, "locality", "Locality"), hide_index=True)

st.header("By service area")
area_spread = equity.spend_spread(places.by_service_area, key="service_area")
if area_spread is not None:
    st.markdown(
        f"Spend per person is highest in {area_spread.highest_place} ({gbp(area_spread.highest_gbp)}) and lowest "
        f"in {area_spread.lowest_place} ({gbp(area_spread.lowest_gbp)})."
    )
_per_person_chart(places.by_service_area, "service_area", "Spend from now per person reached (£, present value)")
st.caption("Text alternative: the table below gives every service area's figures.")
st.dataframe(_place_table(places.by_service_area, "service_area", "Service area"), hide_index=True)

st.subheader("People reached: locality by service area")
st.dataframe(places.people_display())

# ---- coverage
st.header("Co-production, evidence and equality, by kind of innovation")
headlines = equity.coverage_headlines(view.coverage_rows)
cols = st.columns(4)
cols[0].metric("Co-produced with people who draw on care", percent(headlines["coproduced_share"]))
cols[1].metric("Involved or co-produced", percent(headlines["involved_or_better_share"]))
cols[2].metric("Evidence level 3 or above", percent(headlines["evidence_3_plus_share"]))
cols[3].metric(
    "Equality, diversity and inclusion considered",
    percent(headlines["edi_considered_share"]),
    help=f"not recorded for {percent(headlines['edi_not_recorded_share'])} of projects",
)
st.caption("Shares of projects (not of people).")

for dimension, title in equity.DIMENSIONS.items():
    table = view.coverage[dimension]
    st.subheader(title)
    shares = table.shares.fillna(0)
    figure = go.Figure()
    for position, level in enumerate(shares.index):
        figure.add_bar(
            x=list(shares.columns),
            y=shares.loc[level],
            name=level,
            marker={"color": SHARE_COLOURS[position % len(SHARE_COLOURS)], "line": {"width": 1, "color": "#0b0c0c"}},
            text=[percent(v) if v >= 0.08 else "" for v in shares.loc[level]],
            textposition="inside",
            insidetextfont={"color": readable_on(SHARE_COLOURS[position % len(SHARE_COLOURS)])},
            customdata=[percent(v) for v in shares.loc[level]],
            hovertemplate="%{x}, %{fullData.name}: %{customdata} of projects<extra></extra>",
        )
    figure.update_layout(
        barmode="stack",
        height=340,
        margin={"t": 20},
        yaxis={
            "title": "Share of projects",
            "tickmode": "array",
            "tickvals": [0, 0.25, 0.5, 0.75, 1],
            "ticktext": [percent(v) for v in (0, 0.25, 0.5, 0.75, 1)],
        },
        xaxis={
            "tickvals": list(shares.columns),
            "ticktext": [code_label("innovation_type", c) for c in shares.columns],
        },
        legend={"title": title},
    )
    charts.show(
        figure, alt=f"{title}: the tables below give the number of projects at each level.", key=f"coverage_{dimension}"
    )
    st.caption("Text alternative: the number of projects at each level, by kind of innovation.")
    left, right = st.columns(2)
    with left:
        st.markdown("**Projects**")
        st.dataframe(table.projects)
    with right:
        st.markdown("**People reached**")
        st.dataframe(table.people_display())
