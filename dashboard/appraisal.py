"""The assumptions an appraisal is run at, and the per-project metrics query.

The arithmetic itself lives in queries/project_appraisal.sql; this module only turns
assumptions into bind parameters and names the defaults and their limits.

The metrics frame is fetched through Arrow rather than DuckDB's `.df()`: at a million projects
`.df()` spends about 2 seconds turning strings and lists into Python objects, Arrow about 0.4. The
columns are then given exactly the dtypes `.df()` gives (dates as datetime64[us]; whole numbers and
true/false as nullable Int/boolean only when the column holds a missing value), so pages, exports
and tests see the same frame either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import duckdb
import pandas as pd
import pyarrow as pa

from dashboard import db

DEFAULT_DISCOUNT_RATE = 0.035
DEFAULT_HORIZON_YEARS = 5
DEFAULT_OPTIMISM_BIAS = (0.0, 0.05, 0.10, 0.15, 0.25, 0.40)
HORIZON_YEARS_RANGE = (1, 60)
DISCOUNT_RATE_RANGE = (0.0, 0.2)

METRIC_COLUMNS = [
    "project_id",
    "name",
    "pv_cost_gbp",
    "pv_benefit_gbp",
    "npv_gbp",
    "bcr",
    "fiscal_bcr",
    "payback_months",
    "people_reached",
    "cost_per_person_gbp",
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


def project_metrics(con: duckdb.DuckDBPyConnection, assumptions: Assumptions) -> pd.DataFrame:
    """One row per project: appraisal and projectitis risk at these assumptions."""
    table = con.sql(db.load_query("project_appraisal"), params=assumptions.query_params()).to_arrow_table()
    return _as_duckdb_frame(table)


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
