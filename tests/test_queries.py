"""Given the tiny portfolio, each query in queries/ returns what was worked out by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard.database.db import query_df


@pytest.fixture
def con(tiny_db, read):
    return read(tiny_db)


def test_funding_cliff_spreads_each_funding_line_evenly_over_its_months(con):
    cliff = query_df(con, "funding_cliff_by_month", {"as_of": date(2026, 11, 22), "project_ids": ["P002"]})
    cliff = cliff.set_index(cliff["month_start_date"].dt.strftime("%Y-%m"))
    assert len(cliff) == 49  # 12 months before to 36 after
    # F002 £12,000 over January 2025 to December 2026 (24 months); F003 £4,000 recurrent over 27 months
    assert cliff.loc["2026-11", "time_limited_funding_gbp"] == pytest.approx(500)
    assert cliff.loc["2026-11", "recurrent_funding_gbp"] == pytest.approx(4000 / 27)
    assert cliff.loc["2027-01", "time_limited_funding_gbp"] == 0
    assert cliff.loc["2027-04", "secured_funding_gbp"] == 0
    assert cliff.loc["2026-12", "funding_lines_ending"] == 1
    assert cliff.loc["2026-12", "funding_ending_gbp"] == 12000
    assert cliff.loc["2027-03", "funding_ending_gbp"] == 4000


def test_funding_cliff_only_counts_the_projects_in_view(con):
    cliff = query_df(con, "funding_cliff_by_month", {"as_of": date(2026, 11, 22), "project_ids": ["P001"]})
    assert cliff["secured_funding_gbp"].sum() == 0  # the drumkit's £350 was in June 2025, before the window


def test_funding_ending_summary_counts_lines_ending_within_6_and_12_months(con):
    summary = query_df(con, "funding_ending_summary", {"as_of": date(2026, 9, 1), "project_ids": None}).iloc[0]
    # F002 £12,000 ends 31 December 2026 (within 6 months of 1 September); F003 £4,000 ends 31 March 2027
    assert summary["funding_ending_6_months_gbp"] == 12000
    assert summary["funding_lines_ending_6_months"] == 1
    assert summary["funding_ending_12_months_gbp"] == 16000
    assert summary["funding_lines_ending_12_months"] == 2
    assert summary["projects_funding_ending_12_months"] == 1
    drumkit = query_df(con, "funding_ending_summary", {"as_of": date(2026, 9, 1), "project_ids": ["P001"]}).iloc[0]
    assert drumkit["funding_ending_12_months_gbp"] == 0


def test_project_lines_returns_costs_then_benefits_as_entered(con):
    lines = query_df(con, "project_lines", {"project_id": "P002"})
    assert lines["line_id"].tolist() == ["C003", "C002", "B003", "B002"]
    assert lines.set_index("line_id").loc["C002", "frequency"] == "weekly"


def test_project_monthly_flows_run_up_to_the_appraisal_totals(con, base_assumptions):
    flows = query_df(con, "project_monthly_flows", {"project_id": "P001", **base_assumptions.line_month_params()})
    assert len(flows) == 60
    first, last = flows.iloc[0], flows.iloc[-1]
    assert (first["month_number"], first["cost_gbp"], first["benefit_gbp"]) == (1, 350, 1500)
    assert last["cumulative_benefit_gbp"] == pytest.approx(90000)
    assert round(last["cumulative_pv_benefit_gbp"], 2) == 84115.43
    assert str(first["month_start_date"])[:10] == "2025-06-01"


def test_reference_queries_return_the_council_defaults(con):
    bias = query_df(con, "optimism_bias_by_grade")
    assert bias["optimism_bias_share"].tolist() == [0.0, 0.05, 0.10, 0.15, 0.25, 0.40]
    assert query_df(con, "standard_discount_rate")["discount_rate"].tolist() == [0.035]
    settings = query_df(con, "council_settings")
    assert dict(zip(settings["setting"], settings["value"], strict=True))["council_name"] == (
        "Exampleshire County Council"
    )
    assert set(query_df(con, "table_columns", {"table_name": "funding"})["column_name"]) >= {"funding_id", "funder"}


def test_appraisal_line_months_macro_drops_months_outside_the_window(con, base_assumptions):
    params = base_assumptions.line_month_params()
    lines = query_df(
        con,
        "project_monthly_flows",
        {"project_id": "P003", **params},
    )
    assert len(lines) == 12
    assert isinstance(lines, pd.DataFrame)


def test_funding_cliff_without_a_project_list_covers_every_project(con):
    everyone = query_df(con, "funding_cliff_by_month", {"as_of": date(2026, 11, 22), "project_ids": None})
    listed = query_df(
        con, "funding_cliff_by_month", {"as_of": date(2026, 11, 22), "project_ids": ["P001", "P002", "P003"]}
    )
    assert everyone["secured_funding_gbp"].tolist() == listed["secured_funding_gbp"].tolist()


def test_appraisal_line_months_for_one_project_equals_that_project_in_the_whole_portfolio(
    demo_db, read, base_assumptions
):
    con = read(demo_db)
    params = base_assumptions.line_month_params()
    args = "$discount_rate, $horizon_years, $optimism_bias, $shifts"
    everyone = con.execute(
        "select * from appraisal_line_months(" + args + ") where project_id = 'P003' order by line_id, month_index",
        params,
    ).df()
    alone = con.execute(
        "select * from appraisal_line_months(" + args + ", p_project_id := 'P003') order by line_id, month_index",
        params,
    ).df()
    assert len(alone) > 0
    pd.testing.assert_frame_equal(alone, everyone)


def test_funding_cliff_equals_spreading_every_demo_line_month_by_month(demo_db, read):
    con = read(demo_db)
    cliff = query_df(con, "funding_cliff_by_month", {"as_of": date(2026, 11, 22), "project_ids": None})
    funding = con.execute("select recurrent, amount_gbp, start_date, end_date from funding").df()
    expected = {}
    for row in funding.itertuples():
        first = pd.Timestamp(row.start_date).to_period("M")
        last = pd.Timestamp(row.end_date).to_period("M")
        months = (last - first).n + 1
        for k in range(months):
            key = ((first + k).strftime("%Y-%m"), bool(row.recurrent))
            expected[key] = expected.get(key, 0) + float(row.amount_gbp) / months
    for month in cliff.itertuples():
        label = pd.Timestamp(month.month_start_date).strftime("%Y-%m")
        assert month.recurrent_funding_gbp == pytest.approx(expected.get((label, True), 0), abs=1e-6)
        assert month.time_limited_funding_gbp == pytest.approx(expected.get((label, False), 0), abs=1e-6)


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (29476.145, 29476.15),  # an exact half penny rounds away from zero ...
        (29476.144999999997, 29476.15),  # ... even when a sum left it a hair below
        (-29476.145, -29476.15),
        (240.3298, 240.33),
        (123456789012.345, 123456789012.35),  # beyond £100 billion plain rounding applies
        (None, None),
    ],
)
def test_round_half_up_drops_floating_point_noise_before_rounding_pennies(con, value, rounded):
    assert con.execute("select round_half_up(cast(? as double), 2)", [value]).fetchall() == [(rounded,)]
