"""Summary: the portfolio in totals by service area and by locality, for everyone including viewers.

Viewers see aggregates only, so this page never lists a project; counts of people from 1 to 7 are shown as '*'
so nobody who draws on a small service can be picked out, and for viewers the figures of a service area or place
holding fewer than 3 projects (the roles file's [privacy] setting) are hidden too, since they would be those
projects' own (access.hidden_small_groups, with the next smallest hidden where a total would give one back).
"""

import pandas as pd
import streamlit as st

from dashboard import ui
from dashboard.components import auth
from dashboard.rules import access
from dashboard.rules.filters import NOT_SCORED
from dashboard.rules.formatting import forward_view_phrase, gbp, gbp_headline, number, plural

ui.require(access.VIEW_AGGREGATES)

st.title("Summary")
ui.show_link_problems()
assumptions = ui.current_assumptions()
projects = ui.metrics(assumptions)
if projects.empty:
    st.info("There are no projects yet.")
    st.stop()

frame = projects.assign(band=projects["projectitis_band"].fillna(NOT_SCORED))
# people who may see each project anyway see every group; viewers do not see a small group's own figures
min_projects = 1 if ui.can(access.VIEW_PROJECT_DETAIL) else auth.min_projects_per_group()
portfolio_hidden = len(frame) < min_projects
row = st.columns(4)
row[0].metric("Projects", f"{len(frame):,}")
row[1].metric("People reached", access.suppress_count(frame["people_reached"].sum()))
row[2].metric(
    "Committed funding", access.SUPPRESSED if portfolio_hidden else gbp_headline(frame["committed_funding_gbp"].sum())
)
forward = forward_view_phrase(assumptions.as_of, assumptions.horizon_years)
row[3].metric(
    "Net value from now",
    access.SUPPRESSED if portfolio_hidden else gbp_headline(frame["forward_npv_gbp"].sum()),
    help=f"Benefits less costs. The forward view: {forward}",
)
ui.show_figures_basis(assumptions, prefix=f"{ui.council_name()}: {plural(len(projects), 'project')} in totals. ")


def totals(by: str, label: str) -> pd.DataFrame:
    grouped = frame.groupby(by, dropna=False).agg(
        projects=("project_id", "count"),
        people=("people_reached", "sum"),
        funding=("committed_funding_gbp", "sum"),
        cost=("forward_pv_cost_gbp", "sum"),
        benefit=("forward_pv_benefit_gbp", "sum"),
        high_risk=("band", lambda b: int((b == "high").sum())),
    )
    grouped = grouped.reset_index().sort_values(by)
    small = pd.Series(access.hidden_small_groups(grouped["projects"], min_projects), index=grouped.index)

    def shown(values: pd.Series, fmt) -> list[str]:
        return [access.SUPPRESSED if hide else fmt(v) for v, hide in zip(values, small, strict=True)]

    people = access.suppressed_column(grouped["people"])
    return pd.DataFrame(
        {
            label: grouped[by].fillna("Not recorded").astype(str),
            "Projects": grouped["projects"].map(number),
            "People reached": [access.SUPPRESSED if hide else p for p, hide in zip(people, small, strict=True)],
            "Committed funding": shown(grouped["funding"], gbp),
            "Costs from now (present value)": shown(grouped["cost"], gbp),
            "Benefits from now (present value)": shown(grouped["benefit"], gbp),
            "Projects at high risk": shown(grouped["high_risk"], number),
        }
    )


st.caption(f"Costs and benefits from now are {forward}; money already spent is left out.")
RIGHT_ALIGNED = [
    "Projects",
    "People reached",
    "Committed funding",
    "Costs from now (present value)",
    "Benefits from now (present value)",
    "Projects at high risk",
]
ALIGN = ui.right_aligned(RIGHT_ALIGNED)
st.header("By service area")
st.dataframe(totals("service_area", "Service area"), hide_index=True, column_config=ALIGN)
st.header("By locality")
st.dataframe(totals("locality", "Locality"), hide_index=True, column_config=ALIGN)
st.caption(
    f"Counts of people from 1 to {access.SUPPRESS_UP_TO} are shown as {access.SUPPRESSED} so that nobody who draws "
    "on a small service can be identified. Present values are over the appraisal horizon."
    + (
        f" A service area or place with fewer than {min_projects} projects has its figures shown as "
        f"{access.SUPPRESSED} (they would be those projects' own), and where one alone would be hidden the next "
        "smallest is hidden too, so the totals cannot give it back."
        if min_projects > 1
        else ""
    )
)
