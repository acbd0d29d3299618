"""Streamlit glue shared by every page: the database connection, assumptions, cached results, widgets.

Pages stay thin: they read widgets, call a function here or in a plain module, and draw.
Cached results are keyed on the database file's identity, so an import invalidates them.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import streamlit as st

from dashboard.database import db
from dashboard.rules import scenarios, view_state
from dashboard.rules.appraisal import AssumptionError, Assumptions, project_metrics
from dashboard.rules.filters import PortfolioFilters
from dashboard.rules.formatting import escape_markdown

# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies
BAND_COLOURS = {"low": "#009E73", "medium": "#E69F00", "high": "#D55E00", "not scored": "#7A7A7A"}
BAND_SYMBOLS = {"low": "circle", "medium": "square", "high": "diamond", "not scored": "x"}
BAND_ORDER = ["high", "medium", "low", "not scored"]


# One database version per script run: every figure on a page comes from the same file even when an import
# swaps in a new one part-way through the run (tests/test_concurrency.py catches a page that mixes the two).
_RUN_VERSION_KEY = "_database_version_this_run"


class _SwappedWhileOpening(Exception):
    """The file was replaced between reading its version and attaching it: the connection may hold either."""


@st.cache_resource(max_entries=2, show_spinner=False)
def _shared_connection(version: tuple) -> duckdb.DuckDBPyConnection:
    con = db.connect_read_only(version[0])
    if db.database_version(version[0]) != version:
        con.close()
        raise _SwappedWhileOpening  # not cached: the run starts again on the new version
    return con


def _connection_for(version: tuple) -> duckdb.DuckDBPyConnection:
    try:
        return _shared_connection(version)
    except _SwappedWhileOpening:
        st.session_state.pop(_RUN_VERSION_KEY, None)
        st.rerun()


def _this_run() -> object | None:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return None if ctx is None else ctx.cursors  # a new dict at the start of every run (ScriptRunContext.reset)


@st.cache_resource(max_entries=4, show_spinner=False)
def _cleaned_at_start(path: str) -> tuple:
    """Once per server process and database: remove temporary files killed writes left (never a live writer's)."""
    return tuple(db.clean_leftovers(path))


def database_version() -> tuple:
    """The database file's identity, read once per script run so the whole page uses one version."""
    run = _this_run()
    pinned = st.session_state.get(_RUN_VERSION_KEY)
    if run is not None and pinned is not None and pinned[0] is run:
        return pinned[1]
    _cleaned_at_start(str(db.default_db_path()))
    try:
        version = db.database_version()
    except FileNotFoundError:
        st.error(
            f"There is no database at {db.default_db_path()}. "
            "Create the demo one with `make run`, or `python -m dashboard init --demo`."
        )
        st.stop()
    if run is not None:
        st.session_state[_RUN_VERSION_KEY] = (run, version)
    return version


_RUN_CURSOR_KEY = "_database_cursor_this_run"


def _cursor_for(version: tuple) -> duckdb.DuckDBPyConnection:
    """One cursor per script run and database version: a script run is one thread, as DuckDB wants, and
    defining the macros once per run rather than once per query saves a little on every page view."""
    run = _this_run()
    held = st.session_state.get(_RUN_CURSOR_KEY)
    if run is not None and held is not None and held[0] is run and held[1] == version:
        return held[2]
    cursor = db.session_cursor(_connection_for(version))
    if run is not None:
        st.session_state[_RUN_CURSOR_KEY] = (run, version, cursor)
    return cursor


def connection() -> duckdb.DuckDBPyConnection:
    """A cursor for this script run (DuckDB wants one per thread) on this run's version of the database."""
    return _cursor_for(database_version())


# A resource, not data: st.cache_data would copy the frame on every read, which at a million projects costs
# seconds and gigabytes on each rerun. Callers must treat it as read-only (filter, assign and sort into new frames).
@st.cache_resource(max_entries=3, show_spinner="Working out costs, benefits and risk…")
def _metrics(version: tuple, assumptions: Assumptions) -> pd.DataFrame:
    return project_metrics(_cursor_for(version), assumptions)


def metrics(assumptions: Assumptions | None = None) -> pd.DataFrame:
    """Every project's appraisal and risk at the current (or given) assumptions; cached, shared and read-only."""
    return _metrics(database_version(), assumptions or current_assumptions())


@st.cache_resource(max_entries=6, show_spinner=False)
def _filtered_metrics(version: tuple, assumptions: Assumptions, filters: PortfolioFilters) -> pd.DataFrame:
    frame = filters.apply(_metrics(version, assumptions))
    within_months, by_date = filters.funding_window()
    if within_months or by_date:  # which projects' funding ends in the window is decided in SQL
        ending = db.query_df(
            _cursor_for(version),
            "projects_funding_ending",
            {"as_of": assumptions.as_of, "within_months": within_months, "by_date": by_date, "project_ids": None},
        )
        frame = frame[frame["project_id"].isin(ending["project_id"])]
    return frame


def filtered_metrics(filters: PortfolioFilters, assumptions: Assumptions | None = None) -> pd.DataFrame:
    """The projects matching filters; cached so sorting, paging and other widgets do not filter again."""
    return _filtered_metrics(database_version(), assumptions or current_assumptions(), filters)


def project_ids_in_view(filters: PortfolioFilters, assumptions: Assumptions | None = None) -> list[str] | None:
    """The ids of the projects matching filters, or None when no filter is set (every project: no list)."""
    if filters.is_empty():
        return None
    return filtered_metrics(filters, assumptions)["project_id"].tolist()


# Keyed on the filters, not on the list of project ids they select: Streamlit hashes a cache key element by
# element, which for a few hundred thousand ids costs seconds on every rerun.
@st.cache_data(max_entries=256, show_spinner=False)
def _query_in_view(
    version: tuple, name: str, assumptions: Assumptions, filters: PortfolioFilters, params: tuple
) -> pd.DataFrame:
    ids = None if filters.is_empty() else _filtered_metrics(version, assumptions, filters)["project_id"].tolist()
    return db.query_df(_cursor_for(version), name, {**dict(params), "project_ids": ids})


def query_in_view(name: str, filters: PortfolioFilters, assumptions: Assumptions | None = None, **params):
    """Run queries/<name>.sql for the projects in view (its $project_ids), cached per view and parameters."""
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    return _query_in_view(database_version(), name, assumptions or current_assumptions(), filters, frozen)


@st.cache_data(max_entries=256, show_spinner=False)
def _query(version: tuple, name: str, params: tuple) -> pd.DataFrame:
    return db.query_df(_cursor_for(version), name, dict(params))


def query(name: str, **params) -> pd.DataFrame:
    """Run queries/<name>.sql with bind parameters; cached per database version and parameters."""
    frozen = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
    return _query(database_version(), name, frozen)


# ---- the view: scenario, assumptions, as-of date and financial years, carried by the URL (view_state.py)

VIEW_KEY = "view"
_LINK_KEY = "_view_link_written"
_VIEW_RUN_KEY = "_view_read_this_run"
FILTERS_KEY = "portfolio_filters"


@st.cache_data(max_entries=4, show_spinner=False)
def _scenarios(version: tuple) -> tuple[scenarios.Scenario, ...]:
    return tuple(scenarios.list_scenarios(_cursor_for(version)))


def scenarios_by_name() -> dict[str, scenarios.Scenario]:
    """Every scenario a view may start from, the Base case first."""
    return {s.name: s for s in _scenarios(database_version())}


def _scenario_assumptions(name: str) -> Assumptions:
    known = scenarios_by_name()
    chosen = known.get(name) or known[scenarios.BASE_CASE]
    try:
        return chosen.assumptions(date.today())
    except AssumptionError:
        return known[scenarios.BASE_CASE].assumptions(date.today())


def _link_in_url() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in view_state.PARAMS if st.query_params.get_all(k)}


def _as_lists(params: dict) -> dict[str, list[str]]:
    return {k: ([v] if isinstance(v, str) else list(v)) for k, v in params.items()}


def view() -> view_state.View:
    """This session's view. Read from the link on a session's first run, or when the address changed under it
    (browser back, a link within the app); otherwise kept in the session. Written back to the address."""
    held = st.session_state.get(VIEW_KEY)
    run = _this_run()
    if held is not None and run is not None and st.session_state.get(_VIEW_RUN_KEY) is run:
        return held  # read and written once per run; the set_ functions below keep it current
    in_url = _link_in_url()
    if held is None or in_url != st.session_state.get(_LINK_KEY, in_url):
        held = view_state.read_link(in_url, scenarios_by_name(), scenarios.BASE_CASE, date.today())
        st.session_state[VIEW_KEY] = held
        if held.problems:
            st.session_state[_PROBLEMS_KEY] = held.problems
    _write_link(held)
    if run is not None:
        st.session_state[_VIEW_RUN_KEY] = run
    return held


def _write_link(held: view_state.View) -> None:
    wanted = _as_lists(view_state.link_params(held, _scenario_assumptions(held.scenario), scenarios.BASE_CASE))
    for key in view_state.PARAMS:  # only changes are written: each write is a message to the browser
        if key in wanted and st.query_params.get_all(key) != wanted[key]:
            st.query_params[key] = wanted[key] if len(wanted[key]) > 1 else wanted[key][0]
        elif key not in wanted and key in st.query_params:
            del st.query_params[key]
    st.session_state[_LINK_KEY] = wanted


_PROBLEMS_KEY = "_view_link_problems"


def show_link_problems() -> None:
    """Say once, at the top of the page, what in the link could not be used (it was left out)."""
    view()
    problems = st.session_state.pop(_PROBLEMS_KEY, None)
    if problems:
        st.warning(
            "Part of the link you opened could not be used, so the page shows its figures without it:\n\n"
            + "\n".join(f"- {escape_markdown(p)}" for p in problems),
            icon=":material/link_off:",
        )


def current_assumptions() -> Assumptions:
    """The assumptions this session works at: the view's (its scenario, changed on the Assumptions page)."""
    return view().assumptions


def current_scenario() -> str:
    return view().scenario


def set_assumptions(assumptions: Assumptions) -> None:
    """Work at these assumptions from now on (the scenario stays the one they started from)."""
    held = view()
    st.session_state[VIEW_KEY] = view_state.with_assumptions(held, assumptions, _scenario_assumptions(held.scenario))
    _write_link(st.session_state[VIEW_KEY])


def use_scenario(name: str) -> None:
    """Work at a saved scenario (or the Base case) exactly, on every page; a chosen as-of date stays unless the
    scenario fixes its own."""
    held = view()
    chosen = _scenario_assumptions(name)
    fixed = (scenarios_by_name().get(name) or scenarios_by_name()[scenarios.BASE_CASE]).as_of_date is not None
    new = view_state.with_scenario(held, name, chosen)
    if held.as_of_chosen and not fixed:
        new = view_state.with_assumptions(new, chosen.with_changes(as_of=held.assumptions.as_of), chosen)
    st.session_state[VIEW_KEY] = new
    _write_link(st.session_state[VIEW_KEY])


def financial_years() -> tuple[str, ...]:
    return view().financial_years


def set_financial_years(years) -> None:
    st.session_state[VIEW_KEY] = view_state.with_years(view(), years)
    _write_link(st.session_state[VIEW_KEY])


def set_portfolio_filters(filters: PortfolioFilters) -> None:
    """Remember the Portfolio page's filters and write them to the address (only what changed)."""
    st.session_state[FILTERS_KEY] = filters
    wanted = filters.to_query_params()
    for name in PortfolioFilters.__dataclass_fields__:
        if name in wanted and st.query_params.get_all(name) != wanted[name]:
            st.query_params[name] = wanted[name] if len(wanted[name]) > 1 else wanted[name][0]
        elif name not in wanted and name in st.query_params:
            del st.query_params[name]


def link_query_params() -> dict[str, list[str]]:
    """Everything in the address that makes this view: for the page menu, "Open" links and shared links."""
    held = view()
    params = _as_lists(view_state.link_params(held, _scenario_assumptions(held.scenario), scenarios.BASE_CASE))
    filters = st.session_state.get(FILTERS_KEY)
    if filters is None:
        filters = PortfolioFilters.from_query_params({k: st.query_params.get_all(k) for k in st.query_params})
    return {**params, **filters.to_query_params()}


def council_name() -> str:
    frame = query("council_settings")
    values = dict(zip(frame["setting"], frame["value"], strict=True))
    return values.get("council_name", "Your council")


def figures_basis_text(assumptions: Assumptions | None = None) -> str:
    """Which scenario and assumptions the figures on a page use, in one sentence (markdown, names escaped)."""
    from dashboard.rules.formatting import long_date, percent

    held = view()
    assumptions = assumptions or held.assumptions
    scenario_assumptions = _scenario_assumptions(held.scenario)
    changed = view_state.differs_from(assumptions, scenario_assumptions)
    name = escape_markdown(held.scenario)
    start = f"the **{name}** scenario"
    if changed:
        start += f" with a different {', '.join(changed)}"
    today = " (today)" if assumptions.as_of == date.today() else ""
    return (
        f"Figures use {start}: as of {long_date(assumptions.as_of)}{today}, discount rate "
        f"{percent(assumptions.discount_rate, 1)}, {assumptions.horizon_years}-year horizon"
        + "".join(
            f", {label} {'+' if factor > 1 else '−'}{percent(abs(factor - 1))}"
            for label, factor in (
                ("costs", assumptions.cost_factor),
                ("benefits", assumptions.benefit_factor),
                ("deadweight", assumptions.deadweight_factor),
                ("attribution", assumptions.attribution_factor),
                ("drop-off", assumptions.drop_off_factor),
            )
            if abs(factor - 1) > 1e-9
        )
        + (
            f", confidence grades {abs(assumptions.grade_shift)} step{'s' if abs(assumptions.grade_shift) != 1 else ''}"
            f" {'less' if assumptions.grade_shift > 0 else 'more'} sure"
            if assumptions.grade_shift
            else ""
        )
        + "."
    )


def show_figures_basis(assumptions: Assumptions | None = None, prefix: str = "") -> None:
    """The caption every page with figures shows: which scenario and assumptions, and where to change them
    (only for people who may: viewers cannot open the Assumptions or Scenarios pages)."""
    text = prefix + figures_basis_text(assumptions)
    if can("use_scenarios"):
        text += " Choose another on the Scenarios page or change them on the Assumptions page."
    with st.container(key="figures_basis"):
        st.caption(text)


# ---- sign-in and roles (dashboard/components/auth.py; the rules are in dashboard/rules/access.py)


def require(permission: str) -> None:
    """Stop this page with a clear "you do not have access" message unless the person's role allows it."""
    from dashboard.components import auth

    auth.require(permission)


def can(permission: str) -> bool:
    """Whether the person using this session may do something (a permission in dashboard/rules/access.py)."""
    from dashboard.components import auth

    return auth.can(permission)


def right_aligned(names) -> dict:
    """st.dataframe column_config for columns of figures shown as text ("£1,500", "12"): right-aligned, so that
    digits line up as in a finance report."""
    return {name: st.column_config.TextColumn(name, alignment="right") for name in names}
