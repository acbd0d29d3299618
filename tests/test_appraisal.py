"""The appraisal rules reproduce hand-worked figures to the penny (queries/project_appraisal.sql)."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.rules.appraisal import AssumptionError, Assumptions, project_metrics

R = 0.035


def df(t: int, r: float = R) -> float:
    return 1 / (1 + r) ** t


@pytest.fixture
def tiny(tiny_db, read, base_assumptions):
    return project_metrics(read(tiny_db), base_assumptions).set_index("project_id")


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_drumkit_worked_example_matches_the_issue_to_the_penny(tiny):
    drumkit = tiny.loc["P001"]
    assert drumkit["pv_cost_gbp"] == 350.00
    assert drumkit["pv_benefit_gbp"] == 84115.43
    assert drumkit["npv_gbp"] == 83765.43
    assert drumkit["bcr"] == 240.33
    assert drumkit["fiscal_bcr"] == 240.33
    assert drumkit["fiscal_payback_months"] == 1
    assert drumkit["cost_per_person_gbp"] == 350.00


def test_drumkit_benefit_is_1500_a_month_discounted_by_whole_years(tiny):
    by_hand = sum(1500 * 12 * df(t) for t in range(5))
    assert tiny.loc["P001", "pv_benefit_gbp"] == round(by_hand, 2)


def test_lunch_club_weekly_and_annual_costs_with_optimism_bias_by_grade(tiny):
    # C002 £100 a week at grade 3 (+10%) for Jan 2025-Dec 2026 = months 0-23 of the window;
    # C003 £6,000 a year at grade 2 (+5%) from Jan 2025 with no end date, so to the project's planned end in
    # December 2026 = months 0-23 too.
    weekly = 100 * 52 / 12 * 1.10
    annual = 6000 / 12 * 1.05
    by_hand = sum((12 * weekly + 12 * annual) * df(t) for t in range(2))
    assert tiny.loc["P002", "pv_cost_gbp"] == round(by_hand, 2)


def test_lunch_club_benefits_apply_deadweight_attribution_and_drop_off_from_the_lines_own_start(tiny):
    # B002 £200 a month, grade 4 (-15%), deadweight 0.2, attribution 0.1, drop-off 0.5 a year, starting Feb 2025 =
    # window month 1, so its first whole year turns at month 13; no end date and no persistence, so it ends with
    # the project in December 2026 (month 23).
    monthly = 200 * 0.85 * 0.8 * 0.9
    b002_by_year = [11 * monthly, monthly + 11 * monthly * 0.5]
    # B003 £3,000 a year social value, grade 5 (-25%), deadweight 0.25, months 0-23 (it too ends with the project)
    b003_monthly = 3000 / 12 * 0.75 * 0.75
    pv_fiscal = sum(v * df(t) for t, v in enumerate(b002_by_year))
    pv_benefit = pv_fiscal + sum(12 * b003_monthly * df(t) for t in range(2))
    club = tiny.loc["P002"]
    assert club["pv_fiscal_benefit_gbp"] == round(pv_fiscal, 2)
    assert club["pv_benefit_gbp"] == round(pv_benefit, 2)
    assert club["npv_gbp"] == round(club["pv_benefit_gbp"] - club["pv_cost_gbp"], 2)
    assert club["bcr"] == round(pv_benefit / club["pv_cost_gbp"], 2)
    assert pd.isna(club["fiscal_payback_months"])  # never pays back within the horizon
    assert club["cost_per_person_gbp"] == round(club["pv_cost_gbp"] / 40, 2)


def test_appraisal_window_starts_at_the_earliest_start_of_project_and_lines(tiny):
    assert str(tiny.loc["P002", "appraisal_start_date"])[:10] == "2025-01-01"
    assert str(tiny.loc["P001", "appraisal_start_date"])[:10] == "2025-06-01"


def test_project_with_no_benefit_lines_has_zero_benefit_and_zero_ratio(tiny):
    pilot = tiny.loc["P003"]
    assert pilot["pv_benefit_gbp"] == 0
    assert pilot["bcr"] == 0
    # £1,000 a month at grade 4 (+15%) for April 2023 to March 2024: 12 months, all in year 0
    assert pilot["pv_cost_gbp"] == 13800.00


def test_discount_rate_and_horizon_change_the_present_values(tiny_db, read, base_assumptions):
    con = read(tiny_db)
    longer = project_metrics(con, base_assumptions.with_changes(horizon_years=10, discount_rate=0.015))
    drumkit = longer.set_index("project_id").loc["P001"]
    assert drumkit["pv_benefit_gbp"] == round(sum(18000 * df(t, 0.015) for t in range(10)), 2)


def test_beyond_thirty_years_the_green_book_declining_rate_applies(tiny_db, read, base_assumptions):
    con = read(tiny_db)
    long = project_metrics(con, base_assumptions.with_changes(horizon_years=35)).set_index("project_id")
    # years 1-30 at 3.5%, years 31-35 at 3.0%
    factors = [df(t) if t <= 30 else df(30) / 1.03 ** (t - 30) for t in range(35)]
    assert long.loc["P001", "pv_benefit_gbp"] == round(sum(18000 * f for f in factors), 2)


def test_optimism_bias_table_is_applied_by_confidence_grade(tiny_db, read, base_assumptions):
    con = read(tiny_db)
    doubled = base_assumptions.with_changes(optimism_bias=(0.1, 0.05, 0.10, 0.15, 0.25, 0.40))
    drumkit = project_metrics(con, doubled).set_index("project_id").loc["P001"]
    assert drumkit["pv_cost_gbp"] == 385.00  # £350 × 1.1
    assert drumkit["pv_benefit_gbp"] == round(sum(1500 * 0.9 * 12 * df(t) for t in range(5)), 2)


def test_scenario_shifts_scale_costs_and_benefits(tiny_db, read, base_assumptions):
    con = read(tiny_db)
    shifted = base_assumptions.with_changes(cost_factor=1.2, benefit_factor=0.8)
    drumkit = project_metrics(con, shifted).set_index("project_id").loc["P001"]
    assert drumkit["pv_cost_gbp"] == 420.00
    assert drumkit["pv_benefit_gbp"] == round(0.8 * sum(18000 * df(t) for t in range(5)), 2)


def test_assumptions_out_of_range_are_refused_with_a_reason():
    with pytest.raises(AssumptionError, match="discount rate"):
        Assumptions(discount_rate=0.5)
    with pytest.raises(AssumptionError, match="horizon"):
        Assumptions(horizon_years=0)
    with pytest.raises(AssumptionError, match="six shares"):
        Assumptions(optimism_bias=(0.1, 0.2))


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_every_demo_project_is_appraised_and_the_drumkit_is_in_the_demo(demo_db, read, base_assumptions):
    metrics = project_metrics(read(demo_db), base_assumptions).set_index("project_id")
    assert 40 <= len(metrics) <= 80
    assert metrics["pv_cost_gbp"].notna().all()
    drumkit = metrics.loc["P001"]
    assert (drumkit["pv_cost_gbp"], drumkit["pv_benefit_gbp"], drumkit["fiscal_payback_months"]) == (350.0, 84115.43, 1)


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
@pytest.mark.parametrize("project_id", ["P001", "P003", "P017", "P035", "P057"])
def test_one_project_appraised_alone_matches_its_row_in_the_whole_portfolio(
    demo_db, read, base_assumptions, project_id
):
    con = read(demo_db)
    everyone = project_metrics(con, base_assumptions).set_index("project_id")
    alone = project_metrics(con, base_assumptions, project_id).set_index("project_id")
    assert alone.index.tolist() == [project_id]
    pd.testing.assert_series_equal(alone.loc[project_id], everyone.loc[project_id], check_names=False)
    scenario = base_assumptions.with_changes(discount_rate=0.05, grade_shift=1)
    pd.testing.assert_series_equal(
        project_metrics(con, scenario, project_id).set_index("project_id").loc[project_id],
        project_metrics(con, scenario).set_index("project_id").loc[project_id],
        check_names=False,
    )
