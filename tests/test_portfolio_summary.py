"""Headline figures, bounded chart points and table pages for the Portfolio page (rules/portfolio_summary.py)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from dashboard.database.db import query_df
from dashboard.rules.appraisal import project_metrics
from dashboard.rules.portfolio_summary import scatter_points, summarise, table_page


def frame(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "project_id": [f"P{i:06d}" for i in range(n)],
            "name": [f"Project {i}" for i in range(n)],
            "pv_cost_gbp": rng.choice([0.0, 100.0, 1_000.0, 50_000.0], n),
            "pv_benefit_gbp": rng.choice([0.0, 90.0, 2_000.0, 40_000.0], n),
            "people_reached": rng.integers(0, 50, n),
            "projectitis_band": rng.choice(np.array(["low", "medium", "high", None], dtype=object), n),
            "projectitis_score": rng.choice([10.0, 50.0, 90.0, np.nan], n),
        }
    )


def test_headlines_add_up_the_projects_in_view_and_their_funding_ending(tiny_db, read, base_assumptions):
    con = read(tiny_db)
    metrics = project_metrics(con, base_assumptions)
    endings = query_df(con, "funding_ending_summary", {"as_of": base_assumptions.as_of, "project_ids": None}).iloc[0]
    headlines = summarise(metrics, endings)
    assert headlines.project_count == 3
    assert headlines.committed_funding_gbp == 350 + 16000 + 5000
    # the forward view: from November 2026, so only the lunch club's last two months of costs are left
    assert headlines.forward_pv_cost_gbp == round(metrics["forward_pv_cost_gbp"].sum(), 2)
    assert headlines.forward_pv_cost_gbp == round(2 * (100 * 52 / 12 * 1.10 + 6000 / 12 * 1.05), 2)
    assert headlines.forward_net_value_gbp == round(metrics["forward_npv_gbp"].sum(), 2)
    assert headlines.projects_by_band == {"high": 0, "medium": 1, "low": 1, "not scored": 1}
    # F002 (£12,000) ends 31 December 2026 and F003 (£4,000) 31 March 2027: both within 6 months
    assert headlines.funding_ending_6_months_gbp == 16000
    assert headlines.funding_ending_12_months_gbp == 16000
    assert headlines.projects_funding_ending_12_months == 1
    # from 1 September 2026, six months reach only 1 March 2027: F003 is in the 12-month figure only
    september = date(2026, 9, 1)
    endings = query_df(con, "funding_ending_summary", {"as_of": september, "project_ids": None}).iloc[0]
    earlier = summarise(metrics, endings)
    assert (earlier.funding_ending_6_months_gbp, earlier.funding_ending_12_months_gbp) == (12000, 16000)
    drumkit = query_df(con, "funding_ending_summary", {"as_of": base_assumptions.as_of, "project_ids": ["P001"]})
    only_drumkit = summarise(metrics[metrics["project_id"] == "P001"], drumkit.iloc[0])
    assert only_drumkit.funding_ending_12_months_gbp == 0


def test_small_portfolios_are_plotted_one_marker_a_project_with_a_cost_and_a_benefit():
    metrics = frame(200)
    points, grouped = scatter_points(metrics)
    assert not grouped
    plottable = (metrics["pv_cost_gbp"] > 0) & (metrics["pv_benefit_gbp"] > 0)
    assert len(points) == int(plottable.sum())


def test_large_portfolios_are_grouped_into_a_bounded_number_of_markers_that_keep_every_project():
    metrics = frame(50_000)
    points, grouped = scatter_points(metrics, max_points=2000)
    assert grouped
    assert len(points) <= 2000
    plottable = (metrics["pv_cost_gbp"] > 0) & (metrics["pv_benefit_gbp"] > 0)
    assert points["projects"].sum() == int(plottable.sum())
    assert points["people_reached"].sum() == int(metrics.loc[plottable, "people_reached"].sum())
    assert set(points["band"]) <= {"low", "medium", "high", "not scored"}


def test_table_pages_match_a_full_sort_and_never_exceed_the_page_size():
    metrics = frame(5_000)
    full = metrics.sort_values("projectitis_score", ascending=False, na_position="last", kind="stable")
    pages = [table_page(metrics, "projectitis_score", False, page, 500) for page in range(1, 11)]
    assert all(len(p) == 500 for p in pages)
    assert pd.concat(pages)["project_id"].tolist() == full["project_id"].tolist()
    by_name = table_page(metrics, "name", True, 2, 500)
    assert by_name["name"].tolist() == sorted(metrics["name"])[500:1000]
