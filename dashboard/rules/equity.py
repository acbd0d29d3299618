"""Who benefits, and where: spend, benefit and people reached by place and service area, and how
co-production, evidence and equality consideration are spread across the kinds of innovation.

"When innovations become national there is the danger that … access becomes unequal." This module
makes the spread between places visible, and protects people while doing so: locality × service
area cells get small, so any count of people from 1 to 7 is shown as `*` (primary suppression).
Hiding a cell is not enough when its row or column total is shown (total minus the other cells
gives it back), so further cells are hidden too (secondary suppression) until no hidden cell can be
worked out exactly from anything the page shows.

The rule used: treat each table with its totals as a bipartite graph whose vertices are its rows
and columns (totals included) and whose edges are the hidden cells. A hidden cell can be solved
from the published totals exactly when its edge is a bridge of that graph (no cycle of hidden cells
passes through it); so hidden cells are added, smallest first, until the graph has no bridge.
Tables that share totals (the same grand total, the same per-type totals) are protected together.
Per-person figures are hidden wherever the people count is, since money ÷ per-person = people.

The SQL (queries/equity_by_place.sql, queries/equity_coverage.sql) does the joining and counting;
this module pivots, protects and works out the spread. It never imports streamlit.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from dashboard.database import db
from dashboard.rules.access import SUPPRESS_UP_TO, hidden_small_groups
from dashboard.rules.appraisal import Assumptions

SUPPRESS_RANGE = (1, SUPPRESS_UP_TO)  # counts of people in this range are never shown
SUPPRESSED = "*"
TOTAL = "Total"
# localities that mean "everywhere": shown, but left out of the spread between places
WHOLE_AREA_LOCALITIES = ("countywide", "county-wide", "county wide", "borough-wide", "citywide", "city-wide", "all")
DIMENSIONS = {
    "coproduction": "Co-production with people who draw on care",
    "evidence": "Standard of evidence (Nesta)",
    "edi": "Equality, diversity and inclusion considered",
}
INNOVATION_LABELS = {
    "system": "System",
    "social": "Social",
    "business_model": "Business model",
    "adaptation": "Adaptation",
    "all": "All projects",
}


# ------------------------------------------------------------------ suppression


def primary_mask(values: np.ndarray) -> np.ndarray:
    low, high = SUPPRESS_RANGE
    return (values >= low) & (values <= high)


def _bridge(mask: np.ndarray) -> tuple[int, int, set, set] | None:
    """A hidden cell whose edge is a bridge, with the row and column vertices on each side, or None.

    Vertices are ('r', i) and ('c', j); returns (i, j, side_of_row_i, side_of_col_j) after removing it.
    """
    rows, cols = mask.shape
    edges = list(zip(*np.nonzero(mask), strict=True))
    adjacency: dict[tuple, list[tuple]] = {}
    for i, j in edges:
        adjacency.setdefault(("r", i), []).append(("c", j))
        adjacency.setdefault(("c", j), []).append(("r", i))

    def reachable(start, skip):
        seen, queue = {start}, deque([start])
        while queue:
            v = queue.popleft()
            for w in adjacency.get(v, []):
                if {v, w} == skip or w in seen:
                    continue
                seen.add(w)
                queue.append(w)
        return seen

    for i, j in sorted(edges, key=lambda e: (len(adjacency[("r", e[0])]), len(adjacency[("c", e[1])]))):
        side = reachable(("r", i), {("r", i), ("c", j)})
        if ("c", j) not in side:
            return int(i), int(j), side, reachable(("c", j), {("r", i), ("c", j)})
    return None


def protect(values: np.ndarray, forced: np.ndarray | None = None) -> np.ndarray:
    """Which entries of a table to hide. values includes its totals: last row and last column.

    Hides every count from 1 to 7, anything in forced, and then the fewest-and-smallest further
    entries until no hidden entry can be recovered exactly from the shown entries and totals.
    """
    values = np.asarray(values, dtype=float)
    mask = primary_mask(values)
    if forced is not None:
        mask |= forced
    rows, cols = values.shape
    margin = np.zeros_like(mask)
    margin[-1, :] = True
    margin[:, -1] = True
    while True:
        bridge = _bridge(mask)
        if bridge is None:
            return mask
        i, j, side_a, side_b = bridge
        candidates = []
        for r in range(rows):
            for c in range(cols):
                if mask[r, c]:
                    continue
                crosses = (("r", r) in side_a and ("c", c) in side_b) or (("r", r) in side_b and ("c", c) in side_a)
                if crosses:
                    candidates.append((r, c))
        if not candidates:  # a lone hidden cell: hide a neighbour in its row or column, then look again
            candidates = [(i, c) for c in range(cols) if not mask[i, c]] + [
                (r, j) for r in range(rows) if not mask[r, j]
            ]
        if not candidates:
            return mask  # everything in its lines is hidden already (cannot happen with totals present)
        r, c = min(candidates, key=lambda rc: (values[rc] == 0, bool(margin[rc]), values[rc], rc))
        mask[r, c] = True


def recoverable_cells(values: np.ndarray, mask: np.ndarray) -> list[tuple[int, int]]:
    """Hidden entries an intruder could work out exactly from the shown entries and the table's sums.

    Independent of `protect`: linear algebra on the row and column equations. A hidden entry is
    determined exactly when its unit vector lies in the row space of the equations restricted to
    the hidden entries. Used by the tests as the audit.
    """
    values = np.asarray(values, dtype=float)
    rows, cols = values.shape
    hidden = list(zip(*np.nonzero(mask), strict=True))
    if not hidden:
        return []
    index = {cell: k for k, cell in enumerate(hidden)}
    equations = []
    for r in range(rows):  # each row: its cells sum to its total
        eq = np.zeros(len(hidden))
        for c in range(cols):
            if (r, c) in index:
                eq[index[(r, c)]] += -1.0 if c == cols - 1 else 1.0
        equations.append(eq)
    for c in range(cols):
        eq = np.zeros(len(hidden))
        for r in range(rows):
            if (r, c) in index:
                eq[index[(r, c)]] += -1.0 if r == rows - 1 else 1.0
        equations.append(eq)
    a = np.array(equations)
    rank = np.linalg.matrix_rank(a)
    leaked = []
    for cell, k in index.items():
        unit = np.zeros(len(hidden))
        unit[k] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            leaked.append((int(cell[0]), int(cell[1])))
    return leaked


def protect_linked(tables: dict[str, np.ndarray], links: list[list[tuple[str, int, int]]]) -> dict[str, np.ndarray]:
    """Protect several tables whose entries in each link group are the same number shown more than once.

    If any entry of a group is hidden, every entry of the group is hidden, and the tables are
    protected again, until nothing changes.
    """
    forced = {name: np.zeros(np.asarray(v).shape, dtype=bool) for name, v in tables.items()}
    while True:
        masks = {name: protect(values, forced[name]) for name, values in tables.items()}
        changed = False
        for group in links:
            if any(masks[name][r, c] for name, r, c in group):
                for name, r, c in group:
                    if not forced[name][r, c]:
                        forced[name][r, c] = True
                        changed = True
        if not changed:
            return masks


# ------------------------------------------------------------------ place tables


@dataclass(frozen=True)
class PlaceTables:
    """The page's place tables with suppression applied. Frames hold numbers; masks say what to hide."""

    people: pd.DataFrame  # locality rows × service area columns, with Total row and column
    people_hidden: pd.DataFrame  # same shape, True where shown as *
    by_locality: pd.DataFrame  # one row per locality + Total
    by_service_area: pd.DataFrame  # one row per service area + Total

    def people_display(self) -> pd.DataFrame:
        return display(self.people, self.people_hidden)


def _place_params(assumptions: Assumptions, open_only: bool) -> dict:
    params = assumptions.query_params()
    params["open_only"] = bool(open_only)
    return params


def place_figures(con: duckdb.DuckDBPyConnection, assumptions: Assumptions, open_only: bool = False) -> pd.DataFrame:
    """The query's rows: cells, locality and service-area totals and the portfolio total."""
    return db.query_df(con, "equity_by_place", _place_params(assumptions, open_only))


def _summary(frame: pd.DataFrame, key: str, hidden: pd.Series) -> pd.DataFrame:
    out = frame[[key, "projects", "people_reached", "pv_cost_gbp", "pv_benefit_gbp"]].copy()
    out["spend_per_person_gbp"] = frame["spend_per_person_gbp"].to_numpy()
    out["benefit_per_person_gbp"] = frame["benefit_per_person_gbp"].to_numpy()
    out["people_hidden"] = hidden.to_numpy()
    for column in ("spend_per_person_gbp", "benefit_per_person_gbp"):
        out[column] = out[column].astype("float64").where(~out["people_hidden"])
    return out.reset_index(drop=True)


def place_tables(rows: pd.DataFrame, hide_grand_total: bool = False) -> PlaceTables:
    """Pivot equity_by_place rows into the protected tables the Equity page shows."""
    cells = rows[rows["level"] == "cell"]
    people = cells.pivot_table(
        index="locality", columns="service_area", values="people_reached", aggfunc="sum", fill_value=0
    )
    people = people.astype("int64")
    people[TOTAL] = people.sum(axis=1)
    people.loc[TOTAL] = people.sum(axis=0)
    people.index.name, people.columns.name = "locality", "service_area"
    forced = np.zeros(people.shape, dtype=bool)
    forced[-1, -1] = hide_grand_total
    hidden = pd.DataFrame(protect(people.to_numpy(), forced), index=people.index, columns=people.columns)

    localities = rows[rows["level"] == "locality"].set_index("locality").reindex(people.index[:-1]).reset_index()
    areas = rows[rows["level"] == "service_area"].set_index("service_area").reindex(people.columns[:-1]).reset_index()
    total = rows[rows["level"] == "portfolio"].copy()
    by_locality = pd.concat([localities, total.assign(locality=TOTAL)], ignore_index=True)
    by_area = pd.concat([areas, total.assign(service_area=TOTAL)], ignore_index=True)
    by_locality = _summary(by_locality, "locality", hidden[TOTAL].reindex(by_locality["locality"]))
    by_area = _summary(by_area, "service_area", hidden.loc[TOTAL].reindex(by_area["service_area"]))
    return PlaceTables(people, hidden, by_locality, by_area)


MONEY_COLUMNS = ("pv_cost_gbp", "pv_benefit_gbp", "spend_per_person_gbp", "benefit_per_person_gbp")


def hide_small_groups(table: pd.DataFrame, key: str, min_projects: int) -> pd.DataFrame:
    """A place table as a viewer sees it: the money of a group of fewer than min_projects projects hidden.

    Such a group's spend and benefit would be its projects' own; access.hidden_small_groups also hides the next
    smallest when one alone would be hidden, so the Total row cannot give it back. Hidden figures become missing
    (so charts and the spread leave them out) and money_hidden says where to show '*'. The Total row stays.
    """
    out = table.copy()
    groups = out[key] != TOTAL
    hidden = pd.Series(False, index=out.index)
    hidden[groups] = hidden_small_groups(out.loc[groups, "projects"], min_projects)
    for column in MONEY_COLUMNS:
        out[column] = out[column].astype("float64").where(~hidden)
    out["money_hidden"] = hidden
    return out


def display(values: pd.DataFrame, hidden: pd.DataFrame) -> pd.DataFrame:
    """Counts as text with hidden ones shown as *, for the page and any export of it."""
    shown = values.map(lambda v: f"{int(v):,}")
    return shown.mask(hidden, SUPPRESSED)


@dataclass(frozen=True)
class Spread:
    """The gap in spend per person between the highest- and lowest-spending places."""

    highest_place: str
    highest_gbp: float
    lowest_place: str
    lowest_gbp: float
    places: int

    @property
    def ratio(self) -> float | None:
        return self.highest_gbp / self.lowest_gbp if self.lowest_gbp > 0 else None


def spend_spread(table: pd.DataFrame, key: str = "locality") -> Spread | None:
    """Highest vs lowest spend per person among places with a shown people count (whole-area rows left out)."""
    rows = table[(table[key] != TOTAL) & table["spend_per_person_gbp"].notna()]
    if key == "locality":
        rows = rows[~rows[key].str.strip().str.lower().isin(WHOLE_AREA_LOCALITIES)]
    if len(rows) < 2:
        return None
    high = rows.loc[rows["spend_per_person_gbp"].idxmax()]
    low = rows.loc[rows["spend_per_person_gbp"].idxmin()]
    return Spread(
        str(high[key]),
        float(high["spend_per_person_gbp"]),
        str(low[key]),
        float(low["spend_per_person_gbp"]),
        len(rows),
    )


# ------------------------------------------------------------------ coverage


def coverage_figures(con: duckdb.DuckDBPyConnection, open_only: bool = False) -> pd.DataFrame:
    return db.query_df(con, "equity_coverage", {"open_only": bool(open_only)})


@dataclass(frozen=True)
class CoverageTable:
    dimension: str
    projects: pd.DataFrame  # level rows × innovation type columns + All projects; counts of projects
    shares: pd.DataFrame  # the same as shares of each column's projects
    people: pd.DataFrame  # people reached, with Total row; protect with people_hidden
    people_hidden: pd.DataFrame

    def people_display(self) -> pd.DataFrame:
        return display(self.people, self.people_hidden)


def coverage_tables(rows: pd.DataFrame, hide_grand_total: bool = False) -> dict[str, CoverageTable]:
    """One table per dimension (co-production, evidence, EDI): levels down, innovation types across.

    Project counts are not counts of people and are shown in full; the people columns are protected
    together, because every dimension's table repeats the same people total per innovation type.
    """
    types = [t for t in INNOVATION_LABELS if t != "all" and t in set(rows["innovation_type"])]
    columns = [INNOVATION_LABELS[t] for t in types] + [INNOVATION_LABELS["all"]]
    projects, people = {}, {}
    for dimension in DIMENSIONS:
        part = rows[rows["dimension"] == dimension]
        order = part.drop_duplicates("level_code").sort_values("level_order")["level_label"].tolist()
        for measure, store in (("projects", projects), ("people_reached", people)):
            wide = part.pivot_table(index="level_label", columns="innovation_type", values=measure, aggfunc="sum")
            wide = wide.reindex(index=order, columns=[*types, "all"]).fillna(0).astype("int64")
            wide.columns = columns
            wide.index.name = DIMENSIONS[dimension]
            store[dimension] = wide
    with_totals = {}
    for dimension, wide in people.items():
        full = wide.copy()
        full.loc[TOTAL] = full.sum(axis=0)
        with_totals[dimension] = full
    n_rows = {d: f.shape[0] for d, f in with_totals.items()}
    n_cols = len(columns)
    links = [[(d, n_rows[d] - 1, c) for d in with_totals] for c in range(n_cols)]  # same totals per type
    if hide_grand_total:
        links.append([(d, n_rows[d] - 1, n_cols - 1) for d in with_totals] + [("__grand", 0, 0)])
    arrays = {d: f.to_numpy() for d, f in with_totals.items()}
    if hide_grand_total:
        arrays["__grand"] = np.array([[1]])  # a stand-in that is always hidden, forcing the group
    masks = protect_linked(arrays, links)
    tables = {}
    for dimension in DIMENSIONS:
        counts = projects[dimension]
        column_totals = counts.sum(axis=0).replace(0, np.nan)
        shares = counts.div(column_totals, axis=1)
        full = with_totals[dimension]
        hidden = pd.DataFrame(masks[dimension], index=full.index, columns=full.columns)
        tables[dimension] = CoverageTable(dimension, counts, shares, full, hidden)
    return tables


def coverage_headlines(rows: pd.DataFrame) -> dict[str, float | None]:
    """Shares of all projects: co-produced (level 4), involved or better (3+), evidence 3+, EDI considered."""
    part = rows[rows["innovation_type"] == "all"]

    def share(dimension: str, codes: tuple[str, ...]) -> float | None:
        d = part[part["dimension"] == dimension]
        total = d["projects"].sum()
        return float(d[d["level_code"].isin(codes)]["projects"].sum() / total) if total else None

    return {
        "coproduced_share": share("coproduction", ("4",)),
        "involved_or_better_share": share("coproduction", ("3", "4")),
        "evidence_3_plus_share": share("evidence", ("3", "4", "5")),
        "edi_considered_share": share("edi", ("yes",)),
        "edi_not_recorded_share": share("edi", ("unknown",)),
    }


@dataclass(frozen=True)
class EquityView:
    places: PlaceTables
    coverage: dict[str, CoverageTable]
    coverage_rows: pd.DataFrame


def equity_view(con: duckdb.DuckDBPyConnection, assumptions: Assumptions, open_only: bool = False) -> EquityView:
    """Every table of the Equity page, protected together: they all repeat the portfolio's people total."""
    place_rows = place_figures(con, assumptions, open_only)
    coverage_rows = coverage_figures(con, open_only)
    places = place_tables(place_rows)
    coverage = coverage_tables(coverage_rows, bool(places.people_hidden.iloc[-1, -1]))
    coverage_hidden = any(bool(t.people_hidden.iloc[-1, -1]) for t in coverage.values())
    if coverage_hidden and not places.people_hidden.iloc[-1, -1]:
        places = place_tables(place_rows, hide_grand_total=True)
    return EquityView(places, coverage, coverage_rows)
