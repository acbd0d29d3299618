"""Streamlit glue shared by every page: the database connection, assumptions, cached results, widgets.

Pages stay thin: they read widgets, call a function here or in a plain module, and draw.
Cached results are keyed on the database file's identity, so an import invalidates them.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import streamlit as st

from dashboard import db
from dashboard.appraisal import Assumptions, project_metrics, reference_assumptions
from dashboard.filters import PortfolioFilters, parse_as_of

ASSUMPTIONS_KEY = "assumptions"

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
    return filters.apply(_metrics(version, assumptions))


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


@st.cache_data(max_entries=4, show_spinner=False)
def _reference_assumptions(version: tuple) -> Assumptions:
    return reference_assumptions(_cursor_for(version), date.today())


def default_assumptions() -> Assumptions:
    return _reference_assumptions(database_version()).with_changes(as_of=date.today())


def current_assumptions() -> Assumptions:
    """The assumptions this session works at: the Assumptions page sets them; ?as_of= in the URL sets the date."""
    assumptions = st.session_state.get(ASSUMPTIONS_KEY) or default_assumptions()
    url_as_of = parse_as_of(st.query_params.get("as_of"))
    if url_as_of and url_as_of != assumptions.as_of:
        assumptions = assumptions.with_changes(as_of=url_as_of)
    st.session_state[ASSUMPTIONS_KEY] = assumptions
    return assumptions


def set_assumptions(assumptions: Assumptions) -> None:
    st.session_state[ASSUMPTIONS_KEY] = assumptions
    if assumptions.as_of == date.today():
        st.query_params.pop("as_of", None)
    else:
        st.query_params["as_of"] = assumptions.as_of.isoformat()


def council_name() -> str:
    frame = query("council_settings")
    values = dict(zip(frame["setting"], frame["value"], strict=True))
    return values.get("council_name", "Your council")


def assumptions_caption(assumptions: Assumptions) -> str:
    from dashboard.formatting import long_date, percent

    return (
        f"As of {long_date(assumptions.as_of)}; discount rate {percent(assumptions.discount_rate, 1)}; "
        f"{assumptions.horizon_years}-year horizon. Change these on the Assumptions page."
    )


# ---- sign-in and roles (dashboard/components/auth.py; the rules are in dashboard/access.py)


def require(permission: str) -> None:
    """Stop this page with a clear "you do not have access" message unless the person's role allows it."""
    from dashboard.components import auth

    auth.require(permission)


def can(permission: str) -> bool:
    """Whether the person using this session may do something (a permission in dashboard/access.py)."""
    from dashboard.components import auth

    return auth.can(permission)
