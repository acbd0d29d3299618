"""A deterministic synthetic portfolio of any size, for benchmarks and for trying the app at national scale.

Why bootstrap rather than invent: every synthetic project copies a randomly chosen project of a
template folder (the demo portfolio by default) and its cost, benefit and funding lines, with the
amounts and dates jittered. So frequencies, confidence grades, benefit types, shares, service areas,
statuses, localities and the shape of each project (a drumkit's one-off cost against a monthly
saving; a lunch club's weekly costs against annual wellbeing value) follow the demo data, and every
value meets the template rules by construction (codes from the template, shares unchanged, amounts
at least 0 in whole pence, end dates never before start dates).

Each synthetic project gets 1 + Poisson(2) lines of each kind (about 3 on average) drawn from its
template project's lines of that kind (none if the template has none). Everything is generated with
numpy and pyarrow column by column, so a million projects take seconds, and the same seed always
gives the same portfolio. Rows reach the database through `db.write_database` and the tables' own
constraints (primary keys, checks), like an import.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.database import db
from dashboard.database.schema import TABLES_BY_NAME
from dashboard.files.importer import ROW_COLUMN, RawTable

MEAN_LINES_PER_PROJECT = 3.0  # of each kind: funding, costs, benefits
AMOUNT_SPREAD = 0.3  # sigma of the log-normal factor applied to every amount
START_JITTER_DAYS = 365  # project start dates move up to this many days either way
LINE_SHIFT_DAYS = 60  # each line starts up to this many days after its template line
LINE_TABLES = ("funding", "costs", "benefits")
ID_PREFIXES = {"projects": "P", "funding": "F", "costs": "C", "benefits": "B"}
_ARROW_TYPES = {"int": pa.int32(), "bool": pa.bool_(), "share": pa.float64(), "number": pa.float64()}


@dataclass(frozen=True)
class Template:
    """The template portfolio the synthetic one is drawn from, as typed pandas frames."""

    projects: pd.DataFrame
    lines: dict[str, pd.DataFrame]  # funding, costs, benefits, each sorted by project


def load_template(folder: Path | str = db.DEMO_DIR) -> Template:
    """Read a folder of template CSVs (already valid: the demo data passes the importer's checks)."""
    folder = Path(folder)
    projects = pd.read_csv(folder / "projects.csv", encoding="utf-8-sig", keep_default_na=False, dtype=str)
    projects = projects.reset_index(drop=True)
    position = pd.Series(np.arange(len(projects)), index=projects["project_id"])
    lines = {}
    for name in LINE_TABLES:
        frame = pd.read_csv(folder / f"{name}.csv", encoding="utf-8-sig", keep_default_na=False, dtype=str)
        frame["template_position"] = position.loc[frame["project_id"]].to_numpy()
        lines[name] = frame.sort_values("template_position", kind="stable").reset_index(drop=True)
    return Template(projects, lines)


def _days(values: pd.Series) -> np.ndarray:
    """ISO date strings (empty for none) as days since 1970-01-01, with -1 for none."""
    parsed = pd.to_datetime(values.replace("", None), format="%Y-%m-%d")
    days = parsed.to_numpy(dtype="datetime64[D]").astype("int64")
    return np.where(parsed.isna().to_numpy(), -1, days)


def _date_array(days: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    mask = missing if missing is not None and missing.any() else None
    return pa.array(days.astype("int32"), type=pa.int32(), mask=mask).cast(pa.date32())


def _ids(prefix: str, count: int, width: int) -> pa.Array:
    numbers = pc.cast(pa.array(np.arange(1, count + 1, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(numbers, width, "0"), "")


def _amounts(rng: np.random.Generator, template_amounts: np.ndarray) -> pa.Array:
    """Template amounts times a log-normal factor, in whole pence, as decimal(18,2)."""
    factor = rng.lognormal(0.0, AMOUNT_SPREAD, size=len(template_amounts))
    pence = np.round(template_amounts * factor * 100).astype(np.int64)
    return _pence_to_decimal(pence)


def _pence_to_decimal(pence: np.ndarray) -> pa.Array:
    # whole pence / 100 as a double is the nearest double to the decimal, and Arrow's cast rounds to it
    return pa.array(pence / 100.0, type=pa.float64()).cast(pa.decimal128(18, 2))


def generate(n_projects: int, seed: int = 0, template: Template | None = None) -> dict[str, pa.Table]:
    """The four template tables of a synthetic portfolio of n_projects, as Arrow tables in template column order."""
    if n_projects < 0:
        raise ValueError("The number of projects cannot be negative")
    template = template or load_template()
    rng = np.random.default_rng(seed)
    tp = template.projects
    n_template = len(tp)
    width = max(7, len(str(n_projects)))

    pick = rng.integers(0, n_template, size=n_projects)
    shift = rng.integers(-START_JITTER_DAYS, START_JITTER_DAYS + 1, size=n_projects)
    t_start = _days(tp["start_date"])
    t_end = _days(tp["end_date"])
    start = t_start[pick] + shift
    has_end = t_end[pick] >= 0
    end = np.where(has_end, t_end[pick] + shift, 0)
    project_ids = _ids(ID_PREFIXES["projects"], n_projects, width)
    numbers = pc.cast(pa.array(np.arange(1, n_projects + 1)), pa.string())

    def column(name: str) -> pa.Array:
        return pa.array(tp[name].to_numpy(dtype=object)[pick], type=pa.string())

    def flag(name: str) -> pa.Array:
        values = tp[name].str.lower().to_numpy(dtype=object)[pick]
        return pa.array([None if v == "" else v == "true" for v in values], type=pa.bool_())

    people = tp["people_reached"].astype(np.int64).to_numpy()[pick]
    people = np.maximum(0, np.round(people * rng.lognormal(0.0, AMOUNT_SPREAD, size=n_projects))).astype(np.int32)
    description = pa.array(tp["description"].replace("", None).to_numpy(dtype=object)[pick], type=pa.string())
    tables = {
        "projects": pa.table(
            {
                "project_id": project_ids,
                "name": pc.binary_join_element_wise(column("name"), numbers, " #"),
                "description": description,
                "service_area": column("service_area"),
                "innovation_type": column("innovation_type"),
                "provider": column("provider"),
                "provider_type": column("provider_type"),
                "funding_mechanism": column("funding_mechanism"),
                "locality": column("locality"),
                "start_date": _date_array(start),
                "end_date": _date_array(end, ~has_end),
                "status": column("status"),
                "people_reached": pa.array(people, type=pa.int32()),
                "coproduction_level": pa.array(tp["coproduction_level"].astype(np.int32).to_numpy()[pick]),
                "evidence_level": pa.array(tp["evidence_level"].astype(np.int32).to_numpy()[pick]),
                "has_exit_plan": flag("has_exit_plan"),
                "edi_considered": flag("edi_considered"),
            }
        )
    }
    for name in LINE_TABLES:
        tables[name] = _lines(rng, name, template, pick, start, t_start, project_ids, width)
    return tables


def _lines(
    rng: np.random.Generator,
    name: str,
    template: Template,
    pick: np.ndarray,
    project_start: np.ndarray,
    template_start: np.ndarray,
    project_ids: pa.Array,
    width: int,
) -> pa.Table:
    """Lines of one kind: for each synthetic project, 1 + Poisson(2) draws from its template project's lines."""
    table = TABLES_BY_NAME[name]
    frame = template.lines[name]
    per_template = np.bincount(frame["template_position"].to_numpy(), minlength=len(template.projects))
    first_line = np.concatenate([[0], np.cumsum(per_template)[:-1]])
    available = per_template[pick]
    counts = np.where(available > 0, 1 + rng.poisson(MEAN_LINES_PER_PROJECT - 1, size=len(pick)), 0)
    owner = np.repeat(np.arange(len(pick)), counts)
    draw = first_line[pick[owner]] + (rng.random(len(owner)) * available[owner]).astype(np.int64)

    line_start = _days(frame["start_date"])[draw]
    line_end = _days(frame["end_date"])[draw]
    offset = line_start - template_start[pick[owner]]
    start = project_start[owner] + offset + rng.integers(0, LINE_SHIFT_DAYS + 1, size=len(owner))
    has_end = line_end >= 0
    end = np.where(has_end, start + (line_end - line_start), 0)

    columns: dict[str, pa.Array] = {}
    for col in table.columns:
        values = frame[col.name].to_numpy(dtype=object)[draw] if col.name in frame.columns else None
        if col.name == table.key:
            columns[col.name] = _ids(ID_PREFIXES[name], len(owner), width + 1)
        elif col.name == "project_id":
            columns[col.name] = project_ids.take(pa.array(owner, type=pa.int64()))
        elif col.name == "start_date":
            columns[col.name] = _date_array(start)
        elif col.name == "end_date":
            columns[col.name] = _date_array(end, ~has_end)
        elif values is None:  # an optional column the template folder does not have
            columns[col.name] = pa.nulls(len(owner), type=_ARROW_TYPES.get(col.kind, pa.string()))
        elif col.kind == "money":
            columns[col.name] = _amounts(rng, frame[col.name].astype(float).to_numpy()[draw])
        elif col.kind == "share":
            columns[col.name] = pa.array(frame[col.name].astype(float).to_numpy()[draw])
        else:
            text = pa.array(values, type=pa.string())
            text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
            if col.kind == "int":
                columns[col.name] = pc.cast(text, pa.int32())
            elif col.kind == "bool":
                columns[col.name] = pc.equal(pc.utf8_lower(text), "true")
            else:
                columns[col.name] = text
    return pa.table(columns)


def insert_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]) -> dict[str, int]:
    """Bulk-insert generated tables (projects first) inside the caller's write; return rows added per table."""
    added = {}
    for name in ("projects", *LINE_TABLES):
        rows = tables[name]
        con.register("synthetic_rows", rows)
        try:
            table = '"' + TABLES_BY_NAME[name].name + '"'
            con.execute("insert into " + table + " by name select * from synthetic_rows")  # noqa: S608
        finally:
            con.unregister("synthetic_rows")
        added[name] = rows.num_rows
    return added


def write_portfolio(con: duckdb.DuckDBPyConnection, n_projects: int, seed: int = 0) -> dict[str, int]:
    """Generate and insert a synthetic portfolio inside a `db.write_database` block."""
    return insert_tables(con, generate(n_projects, seed))


def raw_tables(tables: dict[str, pa.Table]) -> list[RawTable]:
    """The generated tables as the importer sees an upload: every cell text, empty for none."""
    raws = []
    for name in ("projects", *LINE_TABLES):
        table = TABLES_BY_NAME[name]
        frame = tables[name].to_pandas()
        text = pd.DataFrame(index=frame.index)
        for col in table.columns:
            values = frame[col.name]
            if col.kind == "bool":
                text[col.name] = values.map({True: "true", False: "false"}).fillna("")
            elif col.kind == "date":
                text[col.name] = values.map(lambda d: "" if d is None or pd.isna(d) else d.isoformat())
            elif col.kind == "money":
                text[col.name] = values.map(lambda d: "" if d is None else f"{d:.2f}")
            elif col.kind == "int":  # a column with blanks comes back as floats
                text[col.name] = values.map(lambda v: "" if v is None or pd.isna(v) else str(int(v)))
            else:
                text[col.name] = values.map(
                    lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)
                )
        text[ROW_COLUMN] = np.arange(2, len(text) + 2)
        raws.append(RawTable(table, f"{name}.csv", text))
    return raws
