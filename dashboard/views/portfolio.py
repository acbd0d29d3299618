"""Portfolio: every project's cost against benefit and projectitis risk, filtered, listed and shareable by URL.

The headline figures come first, then the projects as a working list (the key columns at 1440 pixels without
scrolling, more by choice, downloadable as shown), then the charts. Every filter, the as-of date and the scenario
live in the address, so a copied link opens the same view for a colleague.
"""

import math
from datetime import date
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import ui
from dashboard.components import charts
from dashboard.components.finance_downloads import render_finance_downloads
from dashboard.components.outcomes import render_portfolio_outcome_coverage
from dashboard.components.sensitivity import render_portfolio_sensitivity
from dashboard.files.export_files import Sheet, csv_bytes, xlsx_bytes
from dashboard.rules.filters import FILTERS, FUNDING_WINDOW, FUNDING_WINDOW_MONTHS, NOT_SCORED, PortfolioFilters
from dashboard.rules.formatting import (
    forward_view_phrase,
    gbp,
    gbp_headline,
    long_date,
    month_label,
    months,
    number,
    plural,
    ratio,
    score,
)
from dashboard.rules.portfolio_summary import scatter_points, summarise, table_page
from dashboard.rules.view_state import AS_OF_RANGE

TABLE_PAGE_ROWS = 500  # the browser is never sent more rows than this at once

FILTER_WIDGETS = [(f.field, f.label.capitalize(), f.column) for f in FILTERS]  # dashboard/rules/filters.py
ANY_TIME = "Any time"
BY_A_DATE = "By a date"
FUNDING_CHOICES = [ANY_TIME, *(f"Within {n} months" for n in FUNDING_WINDOW_MONTHS), BY_A_DATE]
FUNDING_KEY = "filter_funding_ends_within"
FUNDING_DATE_KEY = "filter_funding_ends_by"
MXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The projects table: every column it can show, once. key -> (heading, width in pixels, how to write it).
# A new appraisal column joins with one line here (and one in KEY_COLUMNS to show it always).
COLUMNS = {
    "name": ("Project", 300),
    "open": ("Details", 70),
    "risk_band": ("Risk band", 95),
    "risk_score": ("Risk score", 90),
    "next_funding_end_date": ("Funding ends", 140),
    "months_left": ("Months left", 105),
    "forward_npv_gbp": ("Net value from now", 150),
    "npv_gbp": ("Net value, whole life", 170),
    "service_area": ("Service area", 170),
    "locality": ("Locality", 130),
    "status": ("Status", 95),
    "people_reached": ("People reached", 125),
    "pv_cost_gbp": ("Cost, whole life (PV)", 170),
    "pv_benefit_gbp": ("Benefit, whole life (PV)", 185),
    "bcr": ("Benefit-cost ratio, whole life", 220),
    "fiscal_bcr": ("Fiscal benefit-cost ratio", 195),
    "fiscal_payback_months": ("Fiscal payback", 130),
    "committed_funding_gbp": ("Committed funding", 160),
    "funding_ending_gbp": ("Funding ending", 140),
    "later_funding_gbp": ("Funding after that", 155),
    "funders": ("Funders", 220),
}
KEY_COLUMNS = ["name", "open", "risk_band", "risk_score", "next_funding_end_date", "months_left", "forward_npv_gbp"]
MORE_COLUMNS = [c for c in COLUMNS if c not in KEY_COLUMNS]
MONEY = {
    "forward_npv_gbp",
    "npv_gbp",
    "pv_cost_gbp",
    "pv_benefit_gbp",
    "committed_funding_gbp",
    "funding_ending_gbp",
    "later_funding_gbp",
}
RIGHT = MONEY | {"risk_score", "months_left", "people_reached", "bcr", "fiscal_bcr", "fiscal_payback_months"}
SORTS = {
    "Projectitis score, highest first": ("projectitis_score", False),
    "Funding ends, soonest first": ("next_funding_end_date", True),
    "Net value from now, highest first": ("forward_npv_gbp", False),
    "Net value from now, lowest first": ("forward_npv_gbp", True),
    "Net value over its whole life, highest first": ("npv_gbp", False),
    "Benefit-cost ratio, highest first": ("bcr", False),
    "Name": ("name", True),
}


def _set_funding_window(months_ahead: int) -> None:
    st.session_state[FUNDING_KEY] = f"Within {months_ahead} months"


def _written(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column of the table as people read it (formatting.py), for the page."""
    values = frame[column]
    if column in MONEY:
        return values.map(gbp)
    if column == "risk_score":
        return values.map(score)
    if column == "risk_band":
        return values.fillna(NOT_SCORED).str.capitalize()
    if column == "next_funding_end_date":
        return values.map(long_date)
    if column == "months_left":
        return values.map(lambda v: number(v))
    if column == "people_reached":
        return values.map(number)
    if column in ("bcr", "fiscal_bcr"):
        return values.map(lambda v: ratio(v, missing="—"))
    if column == "fiscal_payback_months":
        return values.map(lambda v: months(v, missing="not in the horizon"))
    if column == "funders":
        return values.map(lambda f: ", ".join(f) if f is not None and len(f) else "—")
    return values.fillna("—").astype(str)


def _table_rows(frame: pd.DataFrame, funding: pd.DataFrame) -> pd.DataFrame:
    """The metrics rows with the funding-end columns and the names the table uses."""
    rows = frame.merge(funding, on="project_id", how="left", suffixes=("", "_funding"))
    return rows.assign(risk_band=rows["projectitis_band"], risk_score=rows["projectitis_score"])


def _download_sheet(rows: pd.DataFrame, columns: list[str], description: str) -> Sheet:
    """The table in view for a spreadsheet: real numbers and dates, the same headings as on screen."""
    shown = [c for c in columns if c != "open"]
    frame = rows.assign(
        risk_band=rows["projectitis_band"].fillna(NOT_SCORED),
        risk_score=rows["projectitis_score"],
        funders=rows["funders"].map(lambda f: ", ".join(f) if f is not None and len(f) else ""),
    )[["project_id", *shown]]
    return Sheet(
        name="Projects in view",
        frame=frame,
        money_columns=tuple(c for c in shown if c in MONEY),
        date_columns=("next_funding_end_date",) if "next_funding_end_date" in shown else (),
        integer_columns=tuple(c for c in shown if c in ("months_left", "people_reached", "fiscal_payback_months")),
        ratio_columns=tuple(c for c in shown if c in ("bcr", "fiscal_bcr")),
        formats={"risk_score": "0.0"},
        headers={"project_id": "Project ID", **{c: COLUMNS[c][0] for c in shown}},
        description=description,
    )


ui.require("view_project_detail")  # roles: dashboard/access.py
st.title("Portfolio")
ui.show_link_problems()

assumptions = ui.current_assumptions()
all_projects = ui.metrics(assumptions)

# ---- filters: initialised from the address once per session (or when a link changes it), kept in it after
url_filters, filter_problems = PortfolioFilters.from_query_params_checked(
    {k: st.query_params.get_all(k) for k in st.query_params}
)
with st.sidebar:
    st.header("Filter the portfolio")
    as_of = st.date_input(
        "Risk judged as of",
        value=assumptions.as_of,
        min_value=AS_OF_RANGE[0],
        max_value=AS_OF_RANGE[1],
        format="DD/MM/YYYY",
        help="Funding runway and other risk factors are worked out at this date. Type a date and press Enter.",
    )
    chosen = {}
    unknown = []
    for field, label, column in FILTER_WIDGETS:
        if column == "funders":
            options = ui.query("funder_names")["funder"].tolist()
        elif column == "projectitis_band":
            options = ["high", "medium", "low", NOT_SCORED]
        else:
            options = sorted(all_projects[column].dropna().unique().tolist())
        key = f"filter_{field}"
        if key not in st.session_state:
            wanted = getattr(url_filters, field)
            st.session_state[key] = [v for v in wanted if v in options]
            unknown += [f"{label.lower()} {v!r}" for v in wanted if v not in options]
        chosen[field] = tuple(st.multiselect(label, options, key=key, placeholder="All"))
    if FUNDING_KEY not in st.session_state:
        window_months, window_date = url_filters.funding_window()
        st.session_state[FUNDING_KEY] = (
            f"Within {window_months} months" if window_months else BY_A_DATE if window_date else ANY_TIME
        )
        if window_date:
            st.session_state[FUNDING_DATE_KEY] = window_date
    funding_choice = st.selectbox(
        "Funding ends",
        FUNDING_CHOICES,
        key=FUNDING_KEY,
        help="Projects with a funding line that ends from the as-of date to the end of this window.",
    )
    if funding_choice == BY_A_DATE:
        by_date = st.date_input(
            "Funding ends by",
            value=st.session_state.get(FUNDING_DATE_KEY, date(as_of.year + (as_of.month > 3), 3, 31)),
            min_value=as_of,
            max_value=AS_OF_RANGE[1],
            format="DD/MM/YYYY",
            key=FUNDING_DATE_KEY,
        )
        chosen[FUNDING_WINDOW] = by_date.isoformat()
    elif funding_choice != ANY_TIME:
        chosen[FUNDING_WINDOW] = funding_choice.split()[1]

if unknown:
    more = " and more" if len(unknown) > 5 else ""
    filter_problems.append("No project has " + ", ".join(unknown[:5]) + more + ", so that is left out.")
if filter_problems:
    st.warning(
        "Part of the link could not be used as a filter:\n\n" + "\n".join(f"- {p}" for p in filter_problems),
        icon=":material/link_off:",
    )

if as_of != assumptions.as_of:
    assumptions = assumptions.with_changes(as_of=as_of)
    ui.set_assumptions(assumptions)
    all_projects = ui.metrics(assumptions)

filters = PortfolioFilters(**chosen)
ui.set_portfolio_filters(filters)

projects = ui.filtered_metrics(filters, assumptions)
endings = ui.query_in_view("funding_ending_summary", filters, assumptions, as_of=assumptions.as_of).iloc[0]
headlines = summarise(projects, endings)

if projects.empty:
    ui.show_figures_basis(assumptions)
    st.info("No projects match these filters. Remove a filter in the sidebar to see more.")
    st.stop()

# ---- headline figures
row1 = st.columns(4)
row1[0].metric("Projects", f"{headlines.project_count:,}", help=f"{headlines.people_reached:,} people reached")
row1[1].metric("Committed funding", gbp_headline(headlines.committed_funding_gbp))
forward = forward_view_phrase(assumptions.as_of, assumptions.horizon_years)
row1[2].metric("Costs from now", gbp_headline(headlines.forward_pv_cost_gbp), help=f"The forward view: {forward}")
row1[3].metric("Benefits from now", gbp_headline(headlines.forward_pv_benefit_gbp), help=f"The forward view: {forward}")
row2 = st.columns(4)
row2[0].metric(
    "Net value from now",
    gbp_headline(headlines.forward_net_value_gbp),
    help=f"Benefits less costs. The forward view: {forward}",
)
bands = headlines.projects_by_band
row2[1].metric(
    "Projects at high risk",
    f"{bands['high']:,}",
    help=f"{bands['medium']:,} medium, {bands['low']:,} low, {bands[NOT_SCORED]:,} not scored (closed)",
)
row2[2].metric(
    "Funding ending in 6 months",
    gbp_headline(headlines.funding_ending_6_months_gbp),
    help=f"across {plural(headlines.projects_funding_ending_6_months, 'project')}",
)
row2[3].metric(
    "Funding ending in 12 months",
    gbp_headline(headlines.funding_ending_12_months_gbp),
    help=f"across {plural(headlines.projects_funding_ending_12_months, 'project')}",
)
if headlines.projects_funding_ending_6_months and filters.funding_ends_within != "6":
    row2[2].button(
        f"List these {plural(headlines.projects_funding_ending_6_months, 'project')}",
        on_click=_set_funding_window,
        args=(6,),
        key="list_funding_ending_6",
        help="Filter the projects below to those with funding ending in the next 6 months.",
    )
if headlines.projects_funding_ending_12_months and filters.funding_ends_within != "12":
    row2[3].button(
        f"List these {plural(headlines.projects_funding_ending_12_months, 'project')}",
        on_click=_set_funding_window,
        args=(12,),
        key="list_funding_ending_12",
        help="Filter the projects below to those with funding ending in the next 12 months.",
    )
ui.show_figures_basis(
    assumptions,
    prefix=f"{ui.council_name()}. Showing {plural(headlines.project_count, 'project')} of {len(all_projects):,}"
    f" (filters: {filters.describe()}). ",
)
st.caption(
    f"Costs, benefits and net value from now are {forward}; money already spent is left out, so the projects' "
    f"figures add up. Risk bands: {bands['high']:,} high, {bands['medium']:,} medium, {bands['low']:,} low; "
    f"{bands[NOT_SCORED]:,} not scored because they have ended, stopped or been mainstreamed."
)

# ---- the projects: a working list
st.header("Projects")
left, middle = st.columns([2, 3])
sort_label = left.selectbox("Sort projects by", list(SORTS), key="table_sort")
extra = middle.multiselect(
    "More columns",
    MORE_COLUMNS,
    format_func=lambda c: COLUMNS[c][0],
    key="table_columns",
    placeholder="Service area, locality, costs and benefits, funders…",
    help="The project, its risk, when its funding ends and its net value are always shown.",
)
columns = KEY_COLUMNS + [c for c in MORE_COLUMNS if c in extra]
column, ascending = SORTS[sort_label]
pages = max(1, -(-len(projects) // TABLE_PAGE_ROWS))
page = st.number_input("Page", min_value=1, max_value=pages, value=1, step=1) if pages > 1 else 1
if column == "next_funding_end_date":  # the funding ends of every project in view decide the order
    every_end = ui.query_in_view(
        "projects_funding_ending", filters, assumptions, as_of=assumptions.as_of, within_months=None, by_date=None
    )
    ordered = projects.merge(every_end[["project_id", "next_funding_end_date"]], on="project_id", how="left")
    shown = table_page(ordered, column, ascending, page, TABLE_PAGE_ROWS)
else:
    shown = table_page(projects, column, ascending, page, TABLE_PAGE_ROWS)
funding = ui.query(
    "projects_funding_ending",
    as_of=assumptions.as_of,
    within_months=None,
    by_date=None,
    project_ids=list(shown["project_id"]),
)
rows = _table_rows(shown.drop(columns=["next_funding_end_date"], errors="ignore"), funding)
link_params = ui.link_query_params()
display = pd.DataFrame({COLUMNS[c][0]: _written(rows, c) for c in columns if c != "open"})
display.insert(
    1,
    COLUMNS["open"][0],
    ["/project?" + urlencode({**link_params, "project": pid}, doseq=True) for pid in rows["project_id"]],
)
st.dataframe(
    display,
    hide_index=True,
    column_config={
        COLUMNS["open"][0]: st.column_config.LinkColumn(
            COLUMNS["open"][0], display_text="Open", width=COLUMNS["open"][1], help="The project's page, same view"
        ),
        **{
            COLUMNS[c][0]: st.column_config.TextColumn(
                COLUMNS[c][0],
                width=COLUMNS[c][1],
                alignment="right" if c in RIGHT else "left",
                pinned=c == "name",
            )
            for c in columns
            if c != "open"
        },
    },
    key="projects_table",
)
st.caption(
    (f"Page {page} of {pages}; {TABLE_PAGE_ROWS:,} projects a page. " if pages > 1 else "")
    + f"Figures as of {long_date(assumptions.as_of)}; costs, benefits and net value are present values over the"
    " horizon. Funding ends: the next date one of the project's funding lines ends; months left counts whole"
    " calendar months from the as-of month, as the funding-runway risk factor does."
)


def _table_file(kind: str):
    def build() -> bytes:
        every_end = ui.query_in_view(
            "projects_funding_ending", filters, assumptions, as_of=assumptions.as_of, within_months=None, by_date=None
        )
        sheet = _download_sheet(
            _table_rows(projects.drop(columns=["next_funding_end_date"], errors="ignore"), every_end),
            columns,
            f"Projects in view as of {long_date(assumptions.as_of)}; filters: {filters.describe()}",
        )
        return csv_bytes(sheet) if kind == "csv" else xlsx_bytes([sheet])

    return build


stem = f"projects-{assumptions.as_of.isoformat()}"
left, right = st.columns(2)
left.download_button(
    f"Download these {plural(len(projects), 'project')} (CSV)",
    data=_table_file("csv"),
    file_name=f"{stem}.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    key="table_download_csv",
)
right.download_button(
    f"Download these {plural(len(projects), 'project')} (Excel)",
    data=_table_file("xlsx"),
    file_name=f"{stem}.xlsx",
    mime=MXLSX,
    on_click="ignore",
    icon=":material/table:",
    key="table_download_xlsx",
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
            customdata=pd.DataFrame(
                {
                    "name": subset["name"],
                    "cost": subset["pv_cost_gbp"].map(gbp),
                    "benefit": subset["pv_benefit_gbp"].map(gbp),
                    "people": subset["people_reached"].map(number),
                }
            ),
            hovertemplate="<b>%{customdata[0]}</b><br>Cost %{customdata[1]}<br>Benefit %{customdata[2]}"
            "<br>%{customdata[3]} people<extra></extra>",
        )
    )
if not points.empty:
    low = min(points["pv_cost_gbp"].min(), points["pv_benefit_gbp"].min()) / 1.5
    high = max(points["pv_cost_gbp"].max(), points["pv_benefit_gbp"].max()) * 1.5
    figure.add_trace(
        go.Scatter(
            x=[low, high],
            y=[low, high],
            mode="lines",
            name="Break-even",
            line={"dash": "dash", "color": "#505a5f"},
            hoverinfo="skip",
        )
    )
    ticks = charts.money_ticks([low, high], log=True)
    log_range = [math.log10(low), math.log10(high)]
    figure.update_layout(
        xaxis={"title": "Present value of costs, whole life (log scale)", "type": "log", "range": log_range, **ticks},
        yaxis={
            "title": "Present value of benefits, whole life (log scale)",
            "type": "log",
            "range": log_range,
            **ticks,
        },
    )
figure.update_layout(legend={"title": "Projectitis risk"}, height=520, margin={"t": 20})
above = int((projects["npv_gbp"] > 0).sum())  # over each project's whole life, as the chart shows
unplotted = len(projects) - int(points["projects"].sum())
size_meaning = (
    "Each marker is a group of projects with similar costs and benefits in one risk band, sized by how many"
    " projects it holds (hover for the count)"
    if grouped
    else "Marker size shows people reached"
)
alternative = (
    f"Text alternative: {above:,} of {len(projects):,} projects in view sit above the break-even line (benefits"
    f" exceed costs). {size_meaning}; risk is shown by colour and by shape (circle low, square medium, diamond"
    " high, cross not scored). The table above lists every project."
    + (
        f" {plural(unplotted, 'project')} with no recorded cost or benefit cannot be placed on the chart."
        if unplotted
        else ""
    )
)
charts.show(figure, alt=alternative, key="cost_benefit_chart")
st.caption(alternative)

render_portfolio_sensitivity(ui.project_ids_in_view(filters, assumptions), assumptions)  # when pessimistic
render_portfolio_outcome_coverage(filters, assumptions)  # share with a measured outcome

# ---- funding cliff
st.header("The funding cliff")
cliff = ui.query_in_view("funding_cliff_by_month", filters, assumptions, as_of=assumptions.as_of)
month_names = cliff["month_start_date"].map(month_label)
cliff_figure = go.Figure()
cliff_figure.add_bar(
    x=cliff["month_start_date"],
    y=cliff["recurrent_funding_gbp"],
    name="Recurrent (core) funding",
    marker_color="#0072B2",
    customdata=pd.DataFrame({"month": month_names, "amount": cliff["recurrent_funding_gbp"].map(gbp)}),
    hovertemplate="%{customdata[0]}: recurrent %{customdata[1]}<extra></extra>",
)
cliff_figure.add_bar(
    x=cliff["month_start_date"],
    y=cliff["time_limited_funding_gbp"],
    name="Time-limited funding",
    marker_color="#E69F00",
    marker_pattern_shape="/",
    customdata=pd.DataFrame({"month": month_names, "amount": cliff["time_limited_funding_gbp"].map(gbp)}),
    hovertemplate="%{customdata[0]}: time-limited %{customdata[1]}<extra></extra>",
)
cliff_figure.add_vline(x=pd.Timestamp(assumptions.as_of).timestamp() * 1000, line_dash="dot", line_color="#0b0c0c")
cliff_figure.update_layout(
    barmode="stack",
    height=360,
    margin={"t": 20},
    yaxis={"title": "Secured funding a month", **charts.money_ticks(cliff["secured_funding_gbp"])},
    xaxis={"title": "Month (dotted line: as-of date)", "tickformat": "%B %Y"},
)
next_year = cliff[cliff["month_start_date"] >= pd.Timestamp(assumptions.as_of).replace(day=1)].head(12)
cliff_alternative = "Text alternative: the table below gives secured funding month by month."
if not next_year.empty:
    start, end = next_year.iloc[0], next_year.iloc[-1]
    drop = start["secured_funding_gbp"] - end["secured_funding_gbp"]
    cliff_alternative = (
        f"Text alternative: secured funding for the projects in view is {gbp(start['secured_funding_gbp'])} in "
        f"{month_label(start['month_start_date'])} and {gbp(end['secured_funding_gbp'])} in "
        f"{month_label(end['month_start_date'])}"
        + (f", a fall of {gbp(drop)} a month" if drop > 0 else "")
        + f"; {int(next_year['funding_lines_ending'].sum()):,} funding lines end in those 12 months."
    )
charts.show(cliff_figure, alt=cliff_alternative, key="funding_cliff_chart")
st.caption(cliff_alternative)
with st.expander("Funding by month as a table"):
    st.dataframe(
        pd.DataFrame(
            {
                "Month": month_names,
                "Recurrent": cliff["recurrent_funding_gbp"].map(gbp),
                "Time-limited": cliff["time_limited_funding_gbp"].map(gbp),
                "Funding lines ending": cliff["funding_lines_ending"].map(number),
                "Value of lines ending": cliff["funding_ending_gbp"].map(gbp),
            }
        ),
        hide_index=True,
        column_config=ui.right_aligned(("Recurrent", "Time-limited", "Funding lines ending", "Value of lines ending")),
    )

# ---- finance exports: Excel workbook and CSV zip of the projects in view (dashboard/files/finance.py)
render_finance_downloads(projects, filters, assumptions)
