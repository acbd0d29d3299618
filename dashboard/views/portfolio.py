"""Portfolio: every project's cost against benefit and projectitis risk, filtered and shareable by URL."""

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import ui
from dashboard.components.finance_downloads import render_finance_downloads
from dashboard.components.outcomes import render_portfolio_outcome_coverage
from dashboard.components.sensitivity import render_portfolio_sensitivity
from dashboard.filters import NOT_SCORED, PortfolioFilters
from dashboard.formatting import forward_view_phrase, gbp, long_date, month_label, plural
from dashboard.portfolio_summary import scatter_points, summarise, table_page

TABLE_PAGE_ROWS = 500  # the browser is never sent more rows than this at once

FILTER_WIDGETS = [
    ("service_areas", "Service area", "service_area"),
    ("innovation_types", "Innovation type", "innovation_type"),
    ("statuses", "Status", "status"),
    ("risk_bands", "Risk band", "projectitis_band"),
    ("funders", "Funder", "funders"),
    ("localities", "Locality", "locality"),
]

ui.require("view_project_detail")  # roles: dashboard/access.py
st.title("Portfolio")

assumptions = ui.current_assumptions()
all_projects = ui.metrics(assumptions)

# ---- filters: initialised from the URL once per session, written back on every run
url_filters = PortfolioFilters.from_query_params({k: st.query_params.get_all(k) for k in st.query_params})
with st.sidebar:
    st.header("Filter the portfolio")
    as_of = st.date_input(
        "Risk judged as of",
        value=assumptions.as_of,
        format="DD/MM/YYYY",
        help="Funding runway and other risk factors are worked out at this date.",
    )
    chosen = {}
    for field, label, column in FILTER_WIDGETS:
        if column == "funders":
            options = ui.query("funder_names")["funder"].tolist()
        elif column == "projectitis_band":
            options = ["high", "medium", "low", NOT_SCORED]
        else:
            options = sorted(all_projects[column].dropna().unique().tolist())
        key = f"filter_{field}"
        if key not in st.session_state:
            st.session_state[key] = [v for v in getattr(url_filters, field) if v in options]
        chosen[field] = tuple(st.multiselect(label, options, key=key, placeholder="All"))

if as_of != assumptions.as_of:
    assumptions = assumptions.with_changes(as_of=as_of)
    ui.set_assumptions(assumptions)
    all_projects = ui.metrics(assumptions)

filters = PortfolioFilters(**chosen)
for field, _, _ in FILTER_WIDGETS:
    values = list(getattr(filters, field))
    if values:
        st.query_params[field] = values
    else:
        st.query_params.pop(field, None)

projects = ui.filtered_metrics(filters, assumptions)
endings = ui.query_in_view("funding_ending_summary", filters, assumptions, as_of=assumptions.as_of).iloc[0]
headlines = summarise(projects, endings)

st.caption(
    f"{ui.council_name()}. Showing {plural(headlines.project_count, 'project')} of {len(all_projects):,}"
    f" (filters: {filters.describe()}). " + ui.assumptions_caption(assumptions)
)

if projects.empty:
    st.info("No projects match these filters. Remove a filter in the sidebar to see more.")
    st.stop()

# ---- headline figures
row1 = st.columns(4)
row1[0].metric("Projects", f"{headlines.project_count:,}", help=f"{headlines.people_reached:,} people reached")
row1[1].metric("Committed funding", gbp(headlines.committed_funding_gbp))
forward = forward_view_phrase(assumptions.as_of, assumptions.horizon_years)
row1[2].metric("Costs from now", gbp(headlines.forward_pv_cost_gbp), help=f"The forward view: {forward}")
row1[3].metric("Benefits from now", gbp(headlines.forward_pv_benefit_gbp), help=f"The forward view: {forward}")
row2 = st.columns(4)
row2[0].metric(
    "Net value from now (benefits less costs)",
    gbp(headlines.forward_net_value_gbp),
    help=f"The forward view: {forward}",
)
bands = headlines.projects_by_band
row2[1].metric(
    "Projects at high risk",
    f"{bands['high']:,}",
    help=f"{bands['medium']:,} medium, {bands['low']:,} low, {bands[NOT_SCORED]:,} not scored (closed)",
)
row2[2].metric(
    "Funding ending in 6 months",
    gbp(headlines.funding_ending_6_months_gbp),
    help=f"across {plural(headlines.projects_funding_ending_6_months, 'project')}",
)
row2[3].metric(
    "Funding ending in 12 months",
    gbp(headlines.funding_ending_12_months_gbp),
    help=f"across {plural(headlines.projects_funding_ending_12_months, 'project')}",
)
st.caption(
    f"Costs, benefits and net value from now are {forward}; money already spent is left out, so the projects' "
    f"figures add up. Risk bands: {bands['high']:,} high, {bands['medium']:,} medium, {bands['low']:,} low; "
    f"{bands[NOT_SCORED]:,} not scored because they have ended, stopped or been mainstreamed."
)

# ---- cost against benefit
st.header("Cost against benefit over each project's whole life")
points, grouped = scatter_points(projects)
figure = go.Figure()
for band in ui.BAND_ORDER:
    subset = points[points["band"] == band]
    if subset.empty:
        continue
    figure.add_trace(
        go.Scatter(
            x=subset["pv_cost_gbp"],
            y=subset["pv_benefit_gbp"],
            mode="markers",
            name=f"{band.capitalize()} risk" if band != NOT_SCORED else "Not scored (closed)",
            opacity=0.85,
            marker={
                "color": ui.BAND_COLOURS[band],
                "symbol": ui.BAND_SYMBOLS[band],
                "size": ((subset["projects"] if grouped else subset["people_reached"]).clip(lower=1) ** 0.5).clip(
                    upper=22
                )
                + 7,
                "line": {"width": 1, "color": "#0b0c0c"},
            },
            customdata=subset[["name", "people_reached"]],
            hovertemplate="<b>%{customdata[0]}</b><br>Cost £%{x:,.0f}<br>Benefit £%{y:,.0f}"
            "<br>%{customdata[1]:,} people<extra></extra>",
        )
    )
if not points.empty:
    low = min(points["pv_cost_gbp"].min(), points["pv_benefit_gbp"].min()) / 1.5
    high = max(points["pv_cost_gbp"].max(), points["pv_benefit_gbp"].max()) * 1.5
    figure.add_trace(
        go.Scatter(
            x=[low, high], y=[low, high], mode="lines", name="Break-even", line={"dash": "dash", "color": "#505a5f"}
        )
    )
    log_range = [math.log10(low), math.log10(high)]
    figure.update_layout(
        xaxis={
            "title": "Present value of costs, whole life (log scale)",
            "type": "log",
            "tickprefix": "£",
            "range": log_range,
            "dtick": 1,
        },
        yaxis={
            "title": "Present value of benefits, whole life (log scale)",
            "type": "log",
            "tickprefix": "£",
            "range": log_range,
            "dtick": 1,
        },
    )
figure.update_layout(legend={"title": "Projectitis risk"}, height=520, margin={"t": 20})
st.plotly_chart(figure, width="stretch")
above = int((projects["npv_gbp"] > 0).sum())  # over each project's whole life, as the chart shows
unplotted = len(projects) - int(points["projects"].sum())
size_meaning = (
    "Each marker is a group of projects with similar costs and benefits in one risk band, sized by how many"
    " projects it holds (hover for the count)"
    if grouped
    else "Marker size shows people reached"
)
st.caption(
    f"Text alternative: {above:,} of {len(projects):,} projects in view sit above the break-even line (benefits"
    f" exceed costs). {size_meaning}; risk is shown by colour and by shape (circle low, square medium, diamond"
    " high, cross not scored). The table below lists every project."
    + (
        f" {plural(unplotted, 'project')} with no recorded cost or benefit cannot be placed on the chart."
        if unplotted
        else ""
    )
)

render_portfolio_sensitivity(ui.project_ids_in_view(filters, assumptions), assumptions)  # when pessimistic
render_portfolio_outcome_coverage(filters, assumptions)  # share with a measured outcome

# ---- funding cliff
st.header("The funding cliff")
cliff = ui.query_in_view("funding_cliff_by_month", filters, assumptions, as_of=assumptions.as_of)
cliff_figure = go.Figure()
cliff_figure.add_bar(
    x=cliff["month_start_date"],
    y=cliff["recurrent_funding_gbp"],
    name="Recurrent (core) funding",
    marker_color="#0072B2",
)
cliff_figure.add_bar(
    x=cliff["month_start_date"],
    y=cliff["time_limited_funding_gbp"],
    name="Time-limited funding",
    marker_color="#E69F00",
    marker_pattern_shape="/",
)
cliff_figure.add_vline(x=pd.Timestamp(assumptions.as_of).timestamp() * 1000, line_dash="dot", line_color="#0b0c0c")
cliff_figure.update_layout(
    barmode="stack",
    height=360,
    margin={"t": 20},
    yaxis={"title": "Secured funding a month (£)"},
    xaxis={"title": "Month (dotted line: as-of date)"},
)
st.plotly_chart(cliff_figure, width="stretch")
next_year = cliff[cliff["month_start_date"] >= pd.Timestamp(assumptions.as_of).replace(day=1)].head(12)
if not next_year.empty:
    start, end = next_year.iloc[0], next_year.iloc[-1]
    drop = start["secured_funding_gbp"] - end["secured_funding_gbp"]
    st.caption(
        f"Text alternative: secured funding for the projects in view is {gbp(start['secured_funding_gbp'])} in "
        f"{month_label(start['month_start_date'])} and {gbp(end['secured_funding_gbp'])} in "
        f"{month_label(end['month_start_date'])}"
        + (f", a fall of {gbp(drop)} a month" if drop > 0 else "")
        + f"; {int(next_year['funding_lines_ending'].sum()):,} funding lines end in those 12 months."
    )
with st.expander("Funding by month as a table"):
    st.dataframe(
        cliff.assign(month=cliff["month_start_date"].map(month_label))[
            ["month", "recurrent_funding_gbp", "time_limited_funding_gbp", "funding_lines_ending", "funding_ending_gbp"]
        ],
        hide_index=True,
        column_config={
            "month": "Month",
            "recurrent_funding_gbp": st.column_config.NumberColumn("Recurrent (£)", format="£%,.0f"),
            "time_limited_funding_gbp": st.column_config.NumberColumn("Time-limited (£)", format="£%,.0f"),
            "funding_lines_ending": "Funding lines ending",
            "funding_ending_gbp": st.column_config.NumberColumn("Value of lines ending (£)", format="£%,.0f"),
        },
    )

# ---- the table
st.header("Projects")
sort_options = {
    "Projectitis score, highest first": ("projectitis_score", False),
    "Net value from now, highest first": ("forward_npv_gbp", False),
    "Net value from now, lowest first": ("forward_npv_gbp", True),
    "Net value over its whole life, highest first": ("npv_gbp", False),
    "Benefit-cost ratio, highest first": ("bcr", False),
    "Name": ("name", True),
}
sort_label = st.selectbox("Sort projects by", list(sort_options))
column, ascending = sort_options[sort_label]
pages = max(1, -(-len(projects) // TABLE_PAGE_ROWS))
page = st.number_input("Page", min_value=1, max_value=pages, value=1, step=1) if pages > 1 else 1
shown = table_page(projects, column, ascending, page, TABLE_PAGE_ROWS)
display = pd.DataFrame(
    {
        "Project": shown["name"],
        "Open": "/project?project=" + shown["project_id"],
        "Service area": shown["service_area"],
        "Locality": shown["locality"],
        "Status": shown["status"],
        "People": shown["people_reached"],
        "Net value from now": shown["forward_npv_gbp"],
        "Cost (PV, whole life)": shown["pv_cost_gbp"],
        "Benefit (PV, whole life)": shown["pv_benefit_gbp"],
        "Net value (whole life)": shown["npv_gbp"],
        "Benefit-cost ratio (whole life)": shown["bcr"],
        "Fiscal payback (months)": shown["fiscal_payback_months"],
        "Risk band": shown["projectitis_band"].fillna(NOT_SCORED).str.capitalize(),
        "Risk score": shown["projectitis_score"],
    }
)
st.dataframe(
    display,
    hide_index=True,
    column_config={
        "Open": st.column_config.LinkColumn("Details", display_text="Open"),
        "Net value from now": st.column_config.NumberColumn(format="£%,.0f"),
        "Cost (PV, whole life)": st.column_config.NumberColumn(format="£%,.0f"),
        "Benefit (PV, whole life)": st.column_config.NumberColumn(format="£%,.0f"),
        "Net value (whole life)": st.column_config.NumberColumn(format="£%,.0f"),
        "Benefit-cost ratio (whole life)": st.column_config.NumberColumn(format="%.2f"),
        "Risk score": st.column_config.NumberColumn(format="%.0f"),
    },
)
if pages > 1:
    st.caption(f"Page {page} of {pages}; {TABLE_PAGE_ROWS:,} projects a page.")
st.caption(f"Figures as of {long_date(assumptions.as_of)}; costs and benefits are present values over the horizon.")

# ---- finance exports: Excel workbook and CSV zip of the projects in view (dashboard/finance.py)
render_finance_downloads(projects, filters, assumptions)
