"""Headline figures for the projects in view, so the Portfolio page and its tests share one definition."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.rules.filters import NOT_SCORED


@dataclass(frozen=True)
class Headlines:
    project_count: int
    people_reached: int
    committed_funding_gbp: float
    # the forward view (from the as-of month, one base date), so projects' figures add up
    forward_pv_cost_gbp: float
    forward_pv_benefit_gbp: float
    forward_net_value_gbp: float
    projects_by_band: dict[str, int]
    funding_ending_6_months_gbp: float
    projects_funding_ending_6_months: int
    funding_ending_12_months_gbp: float
    projects_funding_ending_12_months: int


def summarise(metrics: pd.DataFrame, funding_ending: pd.Series | dict) -> Headlines:
    """metrics: rows of project_appraisal in view; funding_ending: the one row of funding_ending_summary.sql."""
    bands = metrics["projectitis_band"].fillna(NOT_SCORED).value_counts()
    return Headlines(
        project_count=len(metrics),
        people_reached=int(metrics["people_reached"].sum()),
        committed_funding_gbp=round(float(metrics["committed_funding_gbp"].sum()), 2),
        forward_pv_cost_gbp=round(float(metrics["forward_pv_cost_gbp"].sum()), 2),
        forward_pv_benefit_gbp=round(float(metrics["forward_pv_benefit_gbp"].sum()), 2),
        forward_net_value_gbp=round(float(metrics["forward_npv_gbp"].sum()), 2),
        projects_by_band={band: int(bands.get(band, 0)) for band in ("high", "medium", "low", NOT_SCORED)},
        funding_ending_6_months_gbp=round(float(funding_ending["funding_ending_6_months_gbp"]), 2),
        projects_funding_ending_6_months=int(funding_ending["projects_funding_ending_6_months"]),
        funding_ending_12_months_gbp=round(float(funding_ending["funding_ending_12_months_gbp"]), 2),
        projects_funding_ending_12_months=int(funding_ending["projects_funding_ending_12_months"]),
    )


SCATTER_MAX_POINTS = 2000  # above this, projects are grouped so the browser gets a bounded number of markers
_BINS_PER_DECADE = 8


def scatter_points(metrics: pd.DataFrame, max_points: int = SCATTER_MAX_POINTS) -> tuple[pd.DataFrame, bool]:
    """Points for the cost-against-benefit chart, and whether they are groups rather than single projects.

    Only projects with a cost and a benefit above zero can sit on log axes. Up to max_points they are
    returned one a project; beyond that, projects in the same risk band whose costs and benefits fall in the
    same small log-scale cell (an eighth of a decade each way) are grouped into one marker at their median.
    """
    plotted = metrics.loc[
        (metrics["pv_cost_gbp"] > 0) & (metrics["pv_benefit_gbp"] > 0),
        ["name", "pv_cost_gbp", "pv_benefit_gbp", "people_reached", "projectitis_band"],
    ]
    plotted = plotted.assign(band=plotted["projectitis_band"].fillna(NOT_SCORED), projects=1)
    if len(plotted) <= max_points:
        return plotted, False
    cells = plotted.assign(
        cost_cell=np.floor(np.log10(plotted["pv_cost_gbp"]) * _BINS_PER_DECADE),
        benefit_cell=np.floor(np.log10(plotted["pv_benefit_gbp"]) * _BINS_PER_DECADE),
    )
    grouped = (
        cells.groupby(["band", "cost_cell", "benefit_cell"], observed=True)
        .agg(
            pv_cost_gbp=("pv_cost_gbp", "median"),
            pv_benefit_gbp=("pv_benefit_gbp", "median"),
            people_reached=("people_reached", "sum"),
            projects=("projects", "sum"),
        )
        .reset_index()
    )
    grouped["name"] = grouped["projects"].map(lambda n: f"{n:,} projects" if n != 1 else "1 project")
    return grouped[["name", "pv_cost_gbp", "pv_benefit_gbp", "people_reached", "band", "projects"]], True


def table_page(metrics: pd.DataFrame, column: str, ascending: bool, page: int, rows: int) -> pd.DataFrame:
    """One page of the projects table, sorted; only the rows shown are ever sent to the browser.

    A partial sort (nsmallest / nlargest) for the first page keeps a million-row portfolio quick.
    """
    start = (page - 1) * rows
    stop = start + rows
    values = metrics[column]
    if pd.api.types.is_numeric_dtype(values) and page == 1:
        # pick the row labels from the one column, then take only those rows: no copy of the whole frame
        present = values.dropna()
        top = present.nsmallest(stop) if ascending else present.nlargest(stop)
        labels = top.index.tolist()
        if len(labels) < stop:  # fill with the projects that have no value, which sort last
            labels += values.index[values.isna()][: stop - len(labels)].tolist()
        return metrics.loc[labels].iloc[start:stop]
    order = values.sort_values(ascending=ascending, na_position="last", kind="stable").index
    return metrics.loc[order[start:stop]]
