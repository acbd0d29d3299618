"""Headline figures for the projects in view, so the Portfolio page and its tests share one definition."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard.filters import NOT_SCORED


@dataclass(frozen=True)
class Headlines:
    project_count: int
    people_reached: int
    committed_funding_gbp: float
    pv_cost_gbp: float
    pv_benefit_gbp: float
    net_value_gbp: float
    projects_by_band: dict[str, int]
    funding_ending_6_months_gbp: float
    projects_funding_ending_6_months: int
    funding_ending_12_months_gbp: float
    projects_funding_ending_12_months: int


def summarise(metrics: pd.DataFrame, funding_ending: pd.DataFrame, as_of: date) -> Headlines:
    """metrics: rows of project_appraisal in view; funding_ending: funding_lines_ending within 12 months."""
    in_view = funding_ending[funding_ending["project_id"].isin(metrics["project_id"])]
    six_months = in_view[in_view["end_date"] < pd.Timestamp(as_of) + pd.DateOffset(months=6)]
    bands = metrics["projectitis_band"].fillna(NOT_SCORED).value_counts()
    return Headlines(
        project_count=len(metrics),
        people_reached=int(metrics["people_reached"].sum()),
        committed_funding_gbp=round(float(metrics["committed_funding_gbp"].sum()), 2),
        pv_cost_gbp=round(float(metrics["pv_cost_gbp"].sum()), 2),
        pv_benefit_gbp=round(float(metrics["pv_benefit_gbp"].sum()), 2),
        net_value_gbp=round(float(metrics["npv_gbp"].sum()), 2),
        projects_by_band={band: int(bands.get(band, 0)) for band in ("high", "medium", "low", NOT_SCORED)},
        funding_ending_6_months_gbp=round(float(six_months["amount_gbp"].sum()), 2),
        projects_funding_ending_6_months=int(six_months["project_id"].nunique()),
        funding_ending_12_months_gbp=round(float(in_view["amount_gbp"].sum()), 2),
        projects_funding_ending_12_months=int(in_view["project_id"].nunique()),
    )
