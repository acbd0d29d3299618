"""The assumptions an appraisal is run at, and the per-project metrics query.

The arithmetic itself lives in queries/project_appraisal.sql; this module only turns
assumptions into bind parameters and names the defaults and their limits.

The metrics frame is fetched through Arrow rather than DuckDB's `.df()`: at a million projects
`.df()` spends about 2 seconds turning strings and lists into Python objects, Arrow about 0.4. The
columns are then given exactly the dtypes `.df()` gives (dates as datetime64[us]; whole numbers and
true/false as nullable Int/boolean only when the column holds a missing value), so pages, exports
and tests see the same frame either way.

At a million projects computing the appraisal figures (present values and payback) is most of the
metrics' cost, and the app nearly always asks at the council's reference assumptions. So every write
(db.write_database) runs `store_reference_figures` inside its transaction, a before-commit hook this
module registers when it is imported (db.register_before_commit: db never imports this module). It
stores each project's figures at those assumptions beside a record of what they were computed at (the
assumptions, a hash of the appraisal macro's text, and a fingerprint of every table they are computed
from), and skips the work when the fingerprint shows the write changed none of those tables (a decision,
a saved scenario). `project_metrics` reads them only when all of that matches the request
(`figures_source`); anything else, or a database written before they existed, is computed as before, to
the same penny.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache

import duckdb
import pandas as pd
import pyarrow as pa

from dashboard.database import db

DEFAULT_DISCOUNT_RATE = 0.035
DEFAULT_HORIZON_YEARS = 5
DEFAULT_OPTIMISM_BIAS = (0.0, 0.05, 0.10, 0.15, 0.25, 0.40)
HORIZON_YEARS_RANGE = (1, 60)
DISCOUNT_RATE_RANGE = (0.0, 0.2)

# whole life ("was it worth it"): from each project's appraisal start
WHOLE_LIFE_COLUMNS = ["pv_cost_gbp", "pv_benefit_gbp", "npv_gbp", "bcr", "fiscal_bcr", "cost_per_person_gbp"]
# from now ("what continuing costs and returns"): from the as-of month, one base date for every project
FORWARD_COLUMNS = [
    "forward_pv_cost_gbp",
    "forward_pv_benefit_gbp",
    "forward_npv_gbp",
    "forward_bcr",
    "forward_fiscal_bcr",
]

METRIC_COLUMNS = [
    "project_id",
    "name",
    *WHOLE_LIFE_COLUMNS,
    *FORWARD_COLUMNS,
    "fiscal_payback_months",
    "people_reached",
    "projectitis_score",
    "projectitis_band",
]


class AssumptionError(ValueError):
    pass


@dataclass(frozen=True)
class Assumptions:
    """Everything an appraisal depends on besides the data. Hashable, so results can be cached on it."""

    as_of: date = field(default_factory=date.today)
    discount_rate: float = DEFAULT_DISCOUNT_RATE
    horizon_years: int = DEFAULT_HORIZON_YEARS
    optimism_bias: tuple[float, ...] = DEFAULT_OPTIMISM_BIAS
    # scenario shifts: multipliers on amounts and shares, and a shift of every confidence grade
    cost_factor: float = 1.0
    benefit_factor: float = 1.0
    deadweight_factor: float = 1.0
    attribution_factor: float = 1.0
    drop_off_factor: float = 1.0
    grade_shift: int = 0

    def __post_init__(self) -> None:
        low, high = DISCOUNT_RATE_RANGE
        if not low <= self.discount_rate <= high:
            raise AssumptionError(f"The discount rate must be between {low:.0%} and {high:.0%}")
        low, high = HORIZON_YEARS_RANGE
        if not low <= self.horizon_years <= high or int(self.horizon_years) != self.horizon_years:
            raise AssumptionError(f"The horizon must be a whole number of years from {low} to {high}")
        if len(self.optimism_bias) != 6 or not all(0 <= b < 1 for b in self.optimism_bias):
            raise AssumptionError("The optimism-bias table needs six shares (grades 1 to 6), each from 0 to under 1")
        factors = (self.cost_factor, self.benefit_factor, self.deadweight_factor, self.attribution_factor)
        if not all(f >= 0 for f in (*factors, self.drop_off_factor)):
            raise AssumptionError("Scenario shifts cannot make an amount or a share negative")
        if not -5 <= self.grade_shift <= 5:
            raise AssumptionError("The confidence-grade shift must be between -5 and 5")

    def with_changes(self, **changes) -> Assumptions:
        return replace(self, **changes)

    def query_params(self) -> dict:
        """Bind parameters for project_appraisal.sql."""
        return {"as_of": self.as_of, **self.line_month_params()}

    def line_month_params(self) -> dict:
        """Bind parameters for queries built on the appraisal_line_months macro (no as-of date)."""
        return {
            "discount_rate": float(self.discount_rate),
            "horizon_years": int(self.horizon_years),
            "optimism_bias": [float(b) for b in self.optimism_bias],
            "shifts": {
                "cost_factor": float(self.cost_factor),
                "benefit_factor": float(self.benefit_factor),
                "deadweight_factor": float(self.deadweight_factor),
                "attribution_factor": float(self.attribution_factor),
                "drop_off_factor": float(self.drop_off_factor),
                "grade_shift": int(self.grade_shift),
            },
        }


def reference_assumptions(con: duckdb.DuckDBPyConnection, as_of: date | None = None) -> Assumptions:
    """The council's defaults, from the reference tables in the database."""
    bias = [r[1] for r in con.execute(db.load_query("optimism_bias_by_grade")).fetchall()]
    rates = con.execute(db.load_query("standard_discount_rate")).fetchall()
    return Assumptions(
        as_of=as_of or date.today(),
        discount_rate=float(rates[0][0]) if rates else DEFAULT_DISCOUNT_RATE,
        optimism_bias=tuple(float(b) for b in bias) if len(bias) == 6 else DEFAULT_OPTIMISM_BIAS,
    )


def project_metrics(
    con: duckdb.DuckDBPyConnection, assumptions: Assumptions, project_id: str | None = None
) -> pd.DataFrame:
    """One row per project (or only project_id): appraisal and projectitis risk at these assumptions.

    At the reference assumptions the appraisal figures stored by the last write are read rather than
    computed (see `figures_source`); the frame is the same either way. A single project is appraised on
    its own, so freezing one project's figures into a decision costs the same at any portfolio size.
    """
    return _as_duckdb_frame(project_metrics_table(con, assumptions, project_id))


def project_metrics_table(
    con: duckdb.DuckDBPyConnection, assumptions: Assumptions, project_id: str | None = None
) -> pa.Table:
    """The same rows as `project_metrics`, as the Arrow table DuckDB gives (dates as dates), for writers that
    never need pandas (the CLI's CSV and JSON)."""
    data = _StoredData(con)
    figures = figures_reuse(con, assumptions, _data=data)
    funding = funding_reuse(con, assumptions.as_of, _data=data)
    if figures == COMPUTED_FIGURES and funding == COMPUTED_FUNDING:
        return _appraisal_table(con, assumptions, project_id)
    con.execute(db.load_query("set_project_figures_source"), {"figures_source": _variable(figures)}).fetchall()
    con.execute(db.load_query("set_project_funding_source"), {"funding_source": _variable(funding)}).fetchall()
    try:
        return _appraisal_table(con, assumptions, project_id)
    finally:
        con.execute(db.load_query("set_project_figures_source"), {"figures_source": None}).fetchall()
        con.execute(db.load_query("set_project_funding_source"), {"funding_source": None}).fetchall()


def _variable(source: str) -> str | None:
    """The connection variable's value for a source: unset (null) means compute."""
    return None if source in (COMPUTED_FIGURES, COMPUTED_FUNDING) else source


def _appraisal_table(con: duckdb.DuckDBPyConnection, assumptions: Assumptions, project_id: str | None) -> pa.Table:
    params = {**assumptions.query_params(), "project_id": project_id}
    return con.sql(db.load_query("project_appraisal"), params=params).to_arrow_table()


# --- appraisal figures stored at the reference assumptions ------------------------------------------------

STORED_FIGURES = "stored_figures"  # the CTEs of project_appraisal.sql the figures can come from
STORED_WHOLE_LIFE_FIGURES = "stored_whole_life_figures"  # whole life stored, the forward view computed
STORED_PAYBACK_FIGURES = "stored_payback_figures"  # the payback stored, the present values computed
STORED_UNDISCOUNTED_FIGURES = "stored_undiscounted_figures"  # and running costs left stored too (the same month)
COMPUTED_FIGURES = "computed_figures"
STORED_FUNDING = "stored_funding"  # and those its funding figures can come from
STORED_COMMITTED_FUNDING = "stored_committed_funding"  # what is committed stored, the chain computed
COMPUTED_FUNDING = "computed_funding"
_KEY_TABLE = "project_figures_reference_key"
_FUNDING_TABLE = "project_funding_reference"
_SHIFT_NAMES = ("cost_factor", "benefit_factor", "deadweight_factor", "attribution_factor", "drop_off_factor")


# the macros the stored figures are computed with (appraisal_project_figures and what it calls, and the funding
# figures' macros)
APPRAISAL_MACROS = (
    "appraisal_assumptions",
    "appraisal_discount_years",
    "appraisal_lines",
    "appraisal_line_spans",
    "appraisal_year_pv",
    "appraisal_run_pv",
    "appraisal_line_pvs",
    "appraisal_forward_costs",
    "appraisal_project_figures",
    "project_funding_chain",
    "project_funding_figures",
    "projects_with_funding_ended_this_month",
)


@cache
def appraisal_version() -> str:
    """A hash of the appraisal macros' text: figures stored by other code are never read as this code's."""
    digest = hashlib.sha256()
    for name in APPRAISAL_MACROS:
        digest.update((db.QUERIES_DIR / "macros" / f"{name}.sql").read_bytes())
    return digest.hexdigest()


def figures_source(con: duckdb.DuckDBPyConnection, assumptions: Assumptions) -> str:
    """STORED_FIGURES when the stored reference figures hold for these assumptions, else COMPUTED_FIGURES (of
    which `figures_reuse` says which stored parts still hold).

    They hold when they were computed at exactly these assumptions (of the as-of date only its month
    matters: the forward view starts there) by this version of the appraisal macros. On a read-only
    connection that is enough, because every write stores them afresh for its own data. On a writable
    one (inside a write, whose block may already have changed the data) the tables they come from must
    also still match the stored fingerprint.
    """
    return STORED_FIGURES if figures_reuse(con, assumptions) == STORED_FIGURES else COMPUTED_FIGURES


def figures_reuse(con: duckdb.DuckDBPyConnection, assumptions: Assumptions, *, _data=None) -> str:
    """The CTE of project_appraisal.sql the appraisal figures come from: all stored (STORED_FIGURES, as
    `figures_source`), or stored in the parts that still hold at these assumptions with the rest computed, or all
    computed.

    Whole-life present values do not depend on the as-of date, and the payback (undiscounted, whole life) on
    neither the discount rate nor the as-of date; both depend on everything that makes the lines' amounts and the
    window (the horizon, the optimism bias, the scenario shifts). So at the stored horizon, bias and shifts, a
    request in another month at the stored rate reads the whole-life figures (STORED_WHOLE_LIFE_FIGURES), one at
    another rate reads the payback (STORED_PAYBACK_FIGURES), and in the stored month also which projects have
    running costs left (STORED_UNDISCOUNTED_FIGURES). The same checks of version and data as for `figures_source`;
    the query refuses each where it does not hold.
    """
    key = _stored_key(con)
    if key is None or key["appraisal_version"] != appraisal_version() or not _lines_match(key, assumptions):
        return COMPUTED_FIGURES
    if not (_data or _StoredData(con)).matches(key):
        return COMPUTED_FIGURES
    same_rate = key["discount_rate"] == float(assumptions.discount_rate)
    same_month = key["forward_start_month"] == assumptions.as_of.replace(day=1)
    if same_rate and same_month:
        return STORED_FIGURES
    if same_rate:
        return STORED_WHOLE_LIFE_FIGURES
    if same_month:
        return STORED_UNDISCOUNTED_FIGURES
    return STORED_PAYBACK_FIGURES


def funding_source(con: duckdb.DuckDBPyConnection, as_of: date) -> str:
    """STORED_FUNDING when the funding figures stored by the last write hold on as_of, else COMPUTED_FUNDING.

    They do not depend on the appraisal assumptions, only on the data and the as-of date: they were worked out
    for the first day of the write's month, and hold for any later day of that month (project_appraisal.sql works
    out afresh the projects whose funding a later day changes). The same checks of version and data as for the
    appraisal figures.
    """
    return STORED_FUNDING if funding_reuse(con, as_of) == STORED_FUNDING else COMPUTED_FUNDING


def funding_reuse(con: duckdb.DuckDBPyConnection, as_of: date, *, _data=None) -> str:
    """The CTE of project_appraisal.sql the funding figures come from: STORED_FUNDING in the stored month (as
    `funding_source`), else STORED_COMMITTED_FUNDING (what is committed does not depend on the date; the chain is
    worked out) when the stored funding figures belong to this version and data, else COMPUTED_FUNDING."""
    key = _stored_key(con)
    if key is None or key["appraisal_version"] != appraisal_version():
        return COMPUTED_FUNDING
    if not con.execute(db.load_query("table_columns"), {"table_name": _FUNDING_TABLE}).fetchall():
        return COMPUTED_FUNDING
    if not (_data or _StoredData(con)).matches(key):
        return COMPUTED_FUNDING
    return STORED_FUNDING if key["forward_start_month"] == as_of.replace(day=1) else STORED_COMMITTED_FUNDING


class _StoredData:
    """Whether the data still matches the stored figures' fingerprint: always on a read-only connection (every write
    stores them afresh for its own data); on a writable one the fingerprint is worked out, once (0.5 s at 1,000,000
    projects), however many parts ask."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con
        self._fingerprint: str | None = None

    def matches(self, key: dict) -> bool:
        if _is_read_only(self._con):
            return True
        if self._fingerprint is None:
            self._fingerprint = _inputs_fingerprint(self._con)
        return self._fingerprint == key["inputs_fingerprint"]


def store_reference_figures(con: duckdb.DuckDBPyConnection) -> bool:
    """Store every project's appraisal figures at the reference assumptions, and its funding figures on the first of
    the month; return whether they were recomputed.

    Run by db.write_database inside the write's transaction, just before it commits, so the figures
    always belong to the data they are committed with. They are kept as they are when they were computed
    at the same assumptions by the same macro from tables with the same fingerprint. A block that caught a
    failed statement leaves its transaction aborted; its commit then keeps nothing, so nothing is stored.
    """
    try:
        reference = reference_assumptions(con)
    except duckdb.TransactionException:
        return False
    fingerprint = _inputs_fingerprint(con)
    key = _stored_key(con)
    if (
        key is not None
        and _key_matches(key, reference)
        and key["forward_start_month"] == reference.as_of.replace(day=1)
        and key["inputs_fingerprint"] == fingerprint
    ):
        return False
    params = {**reference.line_month_params(), "as_of": reference.as_of}
    con.execute(db.load_query("clear_project_figures_reference")).fetchall()
    con.execute(db.load_query("clear_project_funding_reference")).fetchall()
    con.execute(db.load_query("clear_project_figures_reference_key")).fetchall()
    con.execute(db.load_query("insert_project_figures_reference"), params).fetchall()
    con.execute(db.load_query("insert_project_funding_reference"), {"as_of": reference.as_of}).fetchall()
    key_params = {**params, "appraisal_version": appraisal_version(), "inputs_fingerprint": fingerprint}
    con.execute(db.load_query("insert_project_figures_reference_key"), key_params).fetchall()
    return True


db.register_before_commit(store_reference_figures)


def _stored_key(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The one row saying what the stored figures were computed at; None without one (or without the table)."""
    if not con.execute(db.load_query("table_columns"), {"table_name": _KEY_TABLE}).fetchall():
        return None
    cursor = con.execute(db.load_query("project_figures_reference_key"))
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    return dict(zip(names, rows[0], strict=True)) if len(rows) == 1 else None


def _key_matches(key: dict, assumptions: Assumptions) -> bool:
    return (
        key["appraisal_version"] == appraisal_version()
        and key["discount_rate"] == float(assumptions.discount_rate)
        and _lines_match(key, assumptions)
    )


def _lines_match(key: dict, assumptions: Assumptions) -> bool:
    """Whether the stored figures were computed at these assumptions' horizon, optimism bias and scenario shifts:
    everything undiscounted figures depend on."""
    return (
        key["horizon_years"] == int(assumptions.horizon_years)
        and list(key["optimism_bias"]) == [float(b) for b in assumptions.optimism_bias]
        and all(key[name] == float(getattr(assumptions, name)) for name in _SHIFT_NAMES)
        and key["grade_shift"] == int(assumptions.grade_shift)
    )


def _inputs_fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute(db.load_query("project_figures_inputs_fingerprint")).fetchall()[0][0]


def _is_read_only(con: duckdb.DuckDBPyConnection) -> bool:
    rows = con.execute(db.load_query("database_is_read_only")).fetchall()
    return bool(rows and rows[0][0])


_NULLABLE_DTYPES = {
    pa.bool_(): pd.BooleanDtype(),
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
}


def _as_duckdb_frame(table: pa.Table) -> pd.DataFrame:
    """The pandas frame DuckDB's `.df()` would give for this Arrow table, made without its slow object path."""
    columns = []
    for field_ in table.schema:
        column = table.column(field_.name)
        if pa.types.is_date(field_.type):
            column = column.cast(pa.timestamp("us"))
        columns.append(column)
    table = pa.Table.from_arrays(columns, names=table.column_names)
    nullable = {f.name for f in table.schema if f.type in _NULLABLE_DTYPES and table.column(f.name).null_count}
    frame = table.to_pandas(
        types_mapper=lambda t: None if t not in _NULLABLE_DTYPES else _NULLABLE_DTYPES[t],
        split_blocks=True,
    )
    for name, type_ in zip(table.column_names, table.schema.types, strict=True):
        if type_ in _NULLABLE_DTYPES and name not in nullable:
            frame[name] = frame[name].to_numpy(type_.to_pandas_dtype())
        elif pa.types.is_string(type_) and table.num_rows == 0:
            frame[name] = frame[name].astype(object)  # .df() has no rows to infer str from
    return frame
