"""The finance arithmetic by UK financial year, checked against figures worked out by hand.

Fixture: tests/data/finance (see its README). As of 1 June 2025 with a 2-year horizon, open-ended cost
lines stop at 31 March 2027 unless their project ends sooner.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dashboard.database import db
from tests.conftest import DATA, TINY, build_db

FINANCE = DATA / "finance"
AS_OF = date(2025, 6, 1)
HORIZON = 2


@pytest.fixture(scope="module")
def finance_db(tmp_path_factory) -> Path:
    return build_db(tmp_path_factory.mktemp("finance") / "finance.duckdb", FINANCE)


@pytest.fixture(scope="module")
def con(finance_db):
    connection = db.connect_read_only(finance_db)
    yield connection
    connection.close()


def line_years(con, line_id: str) -> dict[str, float]:
    rows = con.execute(
        "select financial_year, amount_pence from finance_line_years(?, ?) where line_id = ? order by 1",
        [AS_OF, HORIZON, line_id],
    ).fetchall()
    return {fy: pence / 100 for fy, pence in rows}


def run(con, name: str, **overrides):
    params = {"as_of": AS_OF, "horizon_years": HORIZON, "project_ids": None, "fy_start_years": None, **overrides}
    text = db.load_query(name)
    return db.query_df(con, name, {k: v for k, v in params.items() if f"${k}" in text})


# --- one line at a time ---------------------------------------------------------------------------


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_weekly_line_crossing_31_march_is_52_weeks_over_12_months_rounded_on_the_running_total(con):
    # £100 a week = £433.33... a month; Feb-Mar 2025 = £866.67; Apr-May = £1,733.33 - £866.67
    assert line_years(con, "K1") == {"2024-25": 866.67, "2025-26": 866.66}


def test_monthly_line_crossing_31_march_splits_by_months(con):
    assert line_years(con, "K2") == {"2024-25": 750.00, "2025-26": 750.00}


def test_annual_line_is_a_twelfth_a_month_across_three_financial_years(con):
    # £1,200 a year = £100 a month: Oct-Mar 6, Apr-Mar 12, Apr-Sep 6
    assert line_years(con, "K3") == {"2024-25": 600.00, "2025-26": 1200.00, "2026-27": 600.00}


def test_one_off_cost_on_31_march_falls_in_the_year_ending_that_day(con):
    assert line_years(con, "K4") == {"2024-25": 350.50}


def test_one_off_cost_on_1_april_falls_in_the_new_year(con):
    assert line_years(con, "K5") == {"2025-26": 99.99}


def test_open_ended_cost_runs_to_the_horizon_cut_off_when_its_project_has_no_end(con):
    # Jan-Mar 2026 then Apr 2026-Mar 2027; nothing after 31 March 2027
    assert line_years(con, "K6") == {"2025-26": 30.00, "2026-27": 120.00}


def test_open_ended_cost_stops_at_its_projects_planned_end(con):
    # project Q002 ends 31 December 2025: Jan-Mar 2025 then Apr-Dec 2025
    assert line_years(con, "K7") == {"2024-25": 120.00, "2025-26": 360.00}


def test_funding_spread_evenly_over_its_months_adds_back_to_the_penny(con):
    # £100 over Feb, Mar, Apr: running totals 66.67 at 31 March, 100.00 at the end
    years = line_years(con, "G1")
    assert years == {"2024-25": 66.67, "2025-26": 33.33}
    assert round(sum(years.values()), 2) == 100.00


def test_funding_in_one_year_is_all_in_that_year(con):
    assert line_years(con, "G4") == {"2025-26": 1000.01}


def test_longer_horizon_moves_the_cut_off_for_open_ended_lines(con):
    rows = con.execute(
        "select financial_year, amount_pence from finance_line_years(?, 3) where line_id = 'K6' order by 1",
        [AS_OF],
    ).fetchall()
    assert [(fy, p / 100) for fy, p in rows] == [("2025-26", 30.0), ("2026-27", 120.0), ("2027-28", 120.0)]


def test_as_of_in_march_counts_the_horizon_from_the_year_then_ending(con):
    rows = con.execute(
        "select financial_year from finance_line_years(?, 1) where line_id = 'K6' order by 1", [date(2026, 3, 31)]
    ).fetchall()
    assert rows == [("2025-26",)]  # cut-off 31 March 2026


# --- the summary and the breakdowns ---------------------------------------------------------------


def test_summary_by_financial_year_matches_the_hand_worked_figures(con):
    frame = run(con, "finance_summary_by_financial_year")
    got = frame.set_index("financial_year")[
        [
            "committed_funding_gbp",
            "recurrent_funding_gbp",
            "non_recurrent_funding_gbp",
            "planned_spend_gbp",
            "unfunded_spend_gbp",
            "funding_less_spend_gbp",
        ]
    ]
    assert got.to_dict("index") == {
        "2024-25": {
            "committed_funding_gbp": 666.67,
            "recurrent_funding_gbp": 600.00,
            "non_recurrent_funding_gbp": 66.67,
            "planned_spend_gbp": 2687.17,
            "unfunded_spend_gbp": 2020.50,
            "funding_less_spend_gbp": -2020.50,
        },
        "2025-26": {
            "committed_funding_gbp": 2133.34,
            "recurrent_funding_gbp": 600.00,
            "non_recurrent_funding_gbp": 1533.34,
            "planned_spend_gbp": 4306.65,
            # per project: Q001 2,946.65 - 633.33; Q002 and Q003 are covered, so their surplus does not count
            "unfunded_spend_gbp": 2313.32,
            "funding_less_spend_gbp": -2173.31,
        },
        "2026-27": {
            "committed_funding_gbp": 0.00,
            "recurrent_funding_gbp": 0.00,
            "non_recurrent_funding_gbp": 0.00,
            "planned_spend_gbp": 720.00,
            "unfunded_spend_gbp": 720.00,
            "funding_less_spend_gbp": -720.00,
        },
    }
    assert frame["year_start_date"].iloc[0].date() == date(2024, 4, 1)
    assert frame["year_end_date"].iloc[-1].date() == date(2027, 3, 31)


def test_summary_funding_adds_up_to_the_database_total_to_the_penny(con):
    frame = run(con, "finance_summary_by_financial_year")
    database_total = con.execute("select sum(amount_gbp) from funding").fetchall()[0][0]
    assert round(frame["committed_funding_gbp"].sum() * 100) == int(database_total * 100) == 280001


def test_summary_shows_exactly_the_years_asked_for_even_when_empty(con):
    frame = run(con, "finance_summary_by_financial_year", fy_start_years=[2025, 2030])
    assert frame["financial_year"].tolist() == ["2025-26", "2030-31"]
    assert frame["planned_spend_gbp"].tolist() == [4306.65, 0.0]


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_summary_fills_years_with_no_money_between_the_first_and_last(tmp_path):
    path = build_db(tmp_path / "tiny.duckdb", TINY)
    con = db.connect_read_only(path)
    try:
        frame = run(con, "finance_summary_by_financial_year", project_ids=["P003", "P001"])
    finally:
        con.close()
    # P003 in 2023-24, P001 in 2025-26: 2024-25 is shown with nothing in it
    assert frame["financial_year"].tolist() == ["2023-24", "2024-25", "2025-26"]
    assert frame["committed_funding_gbp"].tolist() == [5000.0, 0.0, 350.0]


def test_summary_for_chosen_projects_only(con):
    frame = run(con, "finance_summary_by_financial_year", project_ids=["Q003"])
    assert frame[["financial_year", "committed_funding_gbp", "planned_spend_gbp"]].values.tolist() == [
        ["2025-26", 1000.01, 1000.0]
    ]


def test_funding_by_funder_and_year(con):
    frame = run(con, "funding_by_funder_and_financial_year")
    got = {(r.funder, r.financial_year): r.committed_funding_gbp for r in frame.itertuples()}
    assert got == {
        ("=cmd|' /C calc'!A0", "2024-25"): 66.67,
        ("=cmd|' /C calc'!A0", "2025-26"): 33.33,
        ("Better Care Fund", "2024-25"): 600.00,
        ("Better Care Fund", "2025-26"): 1100.00,
        ("Zoë's Trust", "2025-26"): 1000.01,
    }
    bcf = frame[(frame["funder"] == "Better Care Fund") & (frame["financial_year"] == "2025-26")].iloc[0]
    assert (bcf["recurrent_funding_gbp"], bcf["non_recurrent_funding_gbp"], bcf["projects"]) == (600.0, 500.0, 2)


def test_finance_by_service_area_and_year(con):
    frame = run(con, "finance_by_service_area_and_financial_year")
    got = {
        (r.service_area, r.financial_year): (r.committed_funding_gbp, r.planned_spend_gbp, r.unfunded_spend_gbp)
        for r in frame.itertuples()
    }
    assert got == {
        ("-2+3", "2024-25"): (0.0, 120.0, 120.0),
        ("-2+3", "2025-26"): (500.0, 360.0, 0.0),
        ("Carers", "2025-26"): (1000.01, 1000.0, 0.0),
        ("Older people", "2024-25"): (666.67, 2567.17, 1900.50),
        ("Older people", "2025-26"): (633.33, 2946.65, 2313.32),
        ("Older people", "2026-27"): (0.0, 720.0, 720.0),
    }


def test_finance_by_project_over_the_years_shown(con):
    frame = run(con, "finance_by_project", fy_start_years=[2025]).set_index("project_id")
    assert frame.loc["Q001", "period_spend_gbp"] == 2946.65
    assert frame.loc["Q001", "period_funding_gbp"] == 633.33
    assert frame.loc["Q002", "period_unfunded_spend_gbp"] == 0.0
    assert frame.loc["Q003", "first_financial_year"] == "2025-26"


def test_finance_by_project_keeps_projects_without_money(con):
    frame = run(con, "finance_by_project", fy_start_years=[2030])
    assert sorted(frame["project_id"]) == ["Q001", "Q002", "Q003"]
    assert frame["period_spend_gbp"].sum() == 0


def test_funding_ending_within_12_months_of_the_as_of_date(con):
    frame = db.query_df(con, "funding_ending_within_12_months", {"as_of": AS_OF, "project_ids": None})
    assert frame["funding_id"].tolist() == ["G3", "G2", "G4"]  # G1 ended before the as-of date
    assert frame["months_to_end"].tolist() == [0, 9, 9]  # calendar months from June 2025
    assert round(frame["amount_gbp"].sum(), 2) == 2700.01


def test_funding_ending_counts_later_funding_of_the_same_project(con):
    frame = db.query_df(con, "funding_ending_within_12_months", {"as_of": date(2025, 4, 1), "project_ids": ["Q001"]})
    g1 = frame.set_index("funding_id").loc["G1"]
    assert g1["later_funding_gbp"] == 1200.0 and bool(g1["has_later_recurrent_funding"])


def test_source_tables_count_rows_and_funding_for_the_chosen_projects(con):
    frame = db.query_df(con, "finance_source_tables", {"project_ids": ["Q001"]}).set_index("table_name")
    assert frame.loc["projects", "rows_in_export"] == 1 and frame.loc["projects", "rows_in_database"] == 3
    assert frame.loc["costs", "rows_in_export"] == 6
    assert float(frame.loc["funding", "amount_in_export_gbp"]) == 1300.00


def test_the_financial_year_picker_lists_exactly_the_years_the_summary_shows(demo_db, read):
    from datetime import date

    from dashboard.database.db import query_df

    con = read(demo_db)
    for as_of, horizon in ((date(2026, 11, 22), 5), (date(2025, 2, 1), 2)):
        params = {"as_of": as_of, "horizon_years": horizon}
        summary = query_df(
            con, "finance_summary_by_financial_year", {**params, "project_ids": None, "fy_start_years": None}
        )
        picker = query_df(con, "financial_years_with_money", params)
        assert picker["financial_year"].tolist() == summary["financial_year"].tolist()
