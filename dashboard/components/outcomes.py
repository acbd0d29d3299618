"""Outcomes beyond money on the Project and Portfolio pages.

render_project_outcomes shows a project's measures beside its appraisal: change from baseline,
progress to target and how many people each figure rests on, as sentences and a table.
render_portfolio_outcome_coverage shows the share of projects with any measured outcome.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import ui
from dashboard.rules import outcomes
from dashboard.rules.appraisal import Assumptions
from dashboard.rules.filters import PortfolioFilters
from dashboard.rules.formatting import escape_markdown, long_date, percent


@st.cache_data(max_entries=128, show_spinner=False)
def _project_outcomes(version: tuple, project_id: str | None) -> pd.DataFrame:
    return outcomes.project_outcomes(ui.connection(), project_id)


@st.cache_data(max_entries=64, show_spinner=False)
def _coverage(version: tuple, assumptions: Assumptions, filters: PortfolioFilters) -> dict:
    return outcomes.outcome_coverage(ui.connection(), ui.project_ids_in_view(filters, assumptions))


def outcomes_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Measure": frame["measure"],
            "Unit": frame["unit"],
            "Baseline": frame["baseline"].map(outcomes.number),
            "Latest": frame["latest"].map(outcomes.number),
            "Target": frame["target"].map(outcomes.number),
            "Change": frame["change_from_baseline"].map(outcomes.signed),
            "Progress to target": frame["progress_share"].map(lambda v: percent(v, missing="")),
            "People measured": frame["people_measured"].map(lambda n: f"{int(n):,}"),
            "Measured on": frame["measured_on"].map(long_date),
            "Source": frame["source"].fillna(""),
        }
    )


def render_project_outcomes(project_id: str) -> None:
    """A project's measured outcomes that are not pounds, in sentences and a table."""
    st.header("Outcomes beyond money")
    frame = _project_outcomes(ui.database_version(), project_id)
    if frame.empty:
        st.info(
            "No outcome measures are recorded for this project. Add them in outcomes.csv of the import template "
            "(for example ASCOT quality of life, people who feel in control of their daily life, carers reporting "
            "less strain)."
        )
        return
    for _, row in frame.iterrows():
        st.markdown(f"- {escape_markdown(outcomes.outcome_sentence(row))}")
    st.dataframe(outcomes_table(frame), hide_index=True)
    st.caption(
        "Progress to target: 0% at the baseline, 100% at the target. "
        "Figures resting on a few people are individual stories, not rates."
    )


def render_portfolio_outcome_coverage(
    filters: PortfolioFilters | None = None, assumptions: Assumptions | None = None
) -> None:
    """The share of the projects in view (every project without filters) with at least one measured outcome."""
    assumptions = assumptions or ui.current_assumptions()
    coverage = _coverage(ui.database_version(), assumptions, filters or PortfolioFilters())
    st.header("Outcomes beyond money")
    cols = st.columns(3)
    cols[0].metric(
        "Projects with a measured outcome",
        percent(coverage["share_with_outcome"], missing="not applicable"),
        help=f"{coverage['projects_with_outcome']:,} of {coverage['projects']:,} projects",
    )
    cols[1].metric("Outcome measures", f"{coverage['outcome_measures']:,}")
    cols[2].metric("People measured", f"{coverage['people_measured']:,}", help="summed over measures")
    st.markdown(outcomes.coverage_sentence(coverage))
