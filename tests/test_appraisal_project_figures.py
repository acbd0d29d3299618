"""The fast closed-form appraisal (macro appraisal_project_figures) gives the same project figures, to the
penny and to the month, as adding up appraisal_line_months month by month, which every other feature uses."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from dashboard import db, synthetic
from dashboard.appraisal import Assumptions

# the month-by-month reference: the arithmetic project_appraisal.sql used before the closed form
MONTHLY_REFERENCE = """
with
line_months as (
    select * from appraisal_line_months($discount_rate, $horizon_years, $optimism_bias, $shifts)
),
project_months as (
    select
        project_id,
        month_index,
        sum(case when side = 'cost' then adjusted_gbp else 0 end) as cost_gbp,
        sum(case when side = 'benefit' then adjusted_gbp else 0 end) as benefit_gbp,
        sum(case when benefit_type in ('fiscal_cashable', 'fiscal_non_cashable') then adjusted_gbp else 0 end)
            as fiscal_benefit_gbp,
        any_value(discount_factor) as discount_factor,
        any_value(cast(month_start_date - to_months(month_index) as date)) as appraisal_start_date
    from line_months
    group by project_id, month_index
),
cumulative as (
    select
        project_id,
        month_index,
        sum(cost_gbp) over running as cumulative_cost_gbp,
        sum(benefit_gbp) over running as cumulative_benefit_gbp
    from project_months
    window running as (partition by project_id order by month_index rows between unbounded preceding and current row)
),
payback as (
    select project_id, min(month_index) + 1 as payback_months
    from cumulative
    where cumulative_cost_gbp > 0 and round(cumulative_benefit_gbp, 6) >= round(cumulative_cost_gbp, 6)
    group by project_id
),
final as (
    select
        pm.project_id,
        any_value(pm.appraisal_start_date) as appraisal_start_date,
        round_half_up(sum(pm.cost_gbp * pm.discount_factor), 2) as pv_cost_gbp,
        round_half_up(sum(pm.benefit_gbp * pm.discount_factor), 2) as pv_benefit_gbp,
        round_half_up(sum(pm.fiscal_benefit_gbp * pm.discount_factor), 2) as pv_fiscal_benefit_gbp,
        any_value(pb.payback_months) as payback_months
    from project_months as pm
    left join payback as pb on pm.project_id = pb.project_id
    group by pm.project_id
)
select * from final order by project_id
"""

FAST = """
select
    project_id,
    appraisal_start_date,
    round_half_up(pv_cost_gbp, 2) as pv_cost_gbp,
    round_half_up(pv_benefit_gbp, 2) as pv_benefit_gbp,
    round_half_up(pv_fiscal_benefit_gbp, 2) as pv_fiscal_benefit_gbp,
    payback_months
from appraisal_project_figures($discount_rate, $horizon_years, $optimism_bias, $shifts)
where project_id in (
    select project_id from appraisal_line_months($discount_rate, $horizon_years, $optimism_bias, $shifts)
)
order by project_id
"""

BASE = Assumptions(as_of=date(2025, 11, 1))
CASES = {
    "reference": BASE,
    "long horizon across the 30-year rate change": BASE.with_changes(horizon_years=45, discount_rate=0.05),
    "one year": BASE.with_changes(horizon_years=1),
    "no discounting, no drop-off": BASE.with_changes(discount_rate=0.0, drop_off_factor=0.0, horizon_years=12),
    "shifted scenario": BASE.with_changes(
        cost_factor=1.2,
        benefit_factor=0.8,
        deadweight_factor=1.5,
        attribution_factor=0.5,
        drop_off_factor=3.0,
        grade_shift=2,
    ),
}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with db.write_database(path, fresh=True) as con:
        db.load_reference_tables(con)
    from dashboard.importer import import_folder

    assert import_folder(db.DEMO_DIR, path).ok
    return path


@pytest.fixture(scope="module")
def synthetic_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("synthetic") / "synthetic.duckdb"
    with db.write_database(path, fresh=True) as con:
        db.load_reference_tables(con)
        synthetic.write_portfolio(con, 1500, seed=11)
    return path


def _figures(path, sql: str, assumptions: Assumptions) -> pd.DataFrame:
    con = db.connect_read_only(path)
    try:
        return con.execute(sql, assumptions.line_month_params()).df()
    finally:
        con.close()


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("portfolio", ["demo_db", "synthetic_db"])
def test_closed_form_figures_equal_the_month_by_month_sums(case, portfolio, request):
    path = request.getfixturevalue(portfolio)
    monthly = _figures(path, MONTHLY_REFERENCE, CASES[case])
    fast = _figures(path, FAST, CASES[case])
    assert len(monthly) > 0
    pd.testing.assert_frame_equal(fast, monthly, check_dtype=False)


def test_round_half_up_ignores_floating_point_noise_at_a_half_penny():
    con = duckdb.connect()
    db.create_schema(con)
    rows = con.execute(
        "select round_half_up(29476.145, 2), round_half_up(29476.144999999997, 2), round_half_up(-2.345, 2),"
        " round_half_up(1.2344, 2)"
    ).fetchall()
    assert rows == [(29476.15, 29476.15, -2.35, 1.23)]
