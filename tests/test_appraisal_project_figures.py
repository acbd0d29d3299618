"""The fast closed-form appraisal (macro appraisal_project_figures) gives the same project figures, to the
penny and to the month, as adding up appraisal_line_months month by month, which every other feature uses."""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from dashboard.database import db
from dashboard.files import synthetic
from dashboard.rules.appraisal import Assumptions

# the month-by-month reference: every figure of the closed form, by adding up appraisal_line_months
MONTHLY_REFERENCE = """
with
line_months as (
    select * from appraisal_line_months($discount_rate, $horizon_years, $optimism_bias, $shifts)
    union all
    select * from appraisal_line_months(
        $discount_rate, $horizon_years, $optimism_bias, $shifts, p_view := 'forward', p_as_of := $as_of
    )
),
present_values as (
    select
        project_id,
        min(cast(month_start_date - to_months(month_index) as date)) filter (where view = 'whole_life')
            as appraisal_start_date,
        round_half_up(coalesce(sum(adjusted_gbp * discount_factor)
            filter (where view = 'whole_life' and side = 'cost'), 0), 2) as pv_cost_gbp,
        round_half_up(coalesce(sum(adjusted_gbp * discount_factor)
            filter (where view = 'whole_life' and side = 'benefit'), 0), 2) as pv_benefit_gbp,
        round_half_up(coalesce(sum(adjusted_gbp * discount_factor)
            filter (where view = 'whole_life' and is_fiscal), 0), 2) as pv_fiscal_benefit_gbp,
        round_half_up(coalesce(sum(adjusted_gbp * discount_factor)
            filter (where view = 'forward' and side = 'cost'), 0), 2) as forward_pv_cost_gbp,
        round_half_up(coalesce(sum(adjusted_gbp * discount_factor)
            filter (where view = 'forward' and side = 'benefit'), 0), 2) as forward_pv_benefit_gbp,
        round_half_up(coalesce(sum(adjusted_gbp * discount_factor)
            filter (where view = 'forward' and is_fiscal), 0), 2) as forward_pv_fiscal_benefit_gbp,
    from line_months
    group by project_id
),
running_costs as (
    -- a cost with money in the as-of month or later, however far beyond the forward window: month by month
    -- over a forward window long enough to reach every line's start
    select project_id, bool_or(adjusted_gbp > 0) as has_forward_costs
    from appraisal_line_months(
        $discount_rate, 40, $optimism_bias, $shifts, p_view := 'forward', p_as_of := $as_of
    )
    where side = 'cost'
    group by project_id
),
project_months as (
    select
        project_id,
        month_index,
        sum(case when side = 'cost' then adjusted_gbp else 0 end) as cost_gbp,
        sum(case when is_fiscal then adjusted_gbp else 0 end) as fiscal_benefit_gbp
    from line_months
    where view = 'whole_life'
    group by project_id, month_index
),
all_months as (
    -- every month of each project's window, so a month with no money still counts as a later month
    select
        p.project_id,
        m.month_index,
        coalesce(pm.cost_gbp, 0) as cost_gbp,
        coalesce(pm.fiscal_benefit_gbp, 0) as fiscal_benefit_gbp
    from (select distinct project_id from project_months) as p
    cross join (select unnest(range(0, $horizon_years * 12)) as month_index) as m
    left join project_months as pm on p.project_id = pm.project_id and m.month_index = pm.month_index
),
cumulative as (
    select
        project_id,
        month_index,
        sum(cost_gbp) over running as cumulative_cost_gbp,
        sum(fiscal_benefit_gbp) over running as cumulative_fiscal_benefit_gbp
    from all_months
    window running as (partition by project_id order by month_index rows between unbounded preceding and current row)
),
below as (
    select
        project_id,
        min(month_index) filter (where cumulative_cost_gbp > 0) as first_cost_month,
        max(month_index) filter (
            where round(cumulative_fiscal_benefit_gbp, 6) < round(cumulative_cost_gbp, 6)
        ) as last_below_month
    from cumulative
    group by project_id
),
final as (
    select
        pv.*,
        coalesce(rc.has_forward_costs, false) as has_forward_costs,
        case
            when b.first_cost_month is not null
                and greatest(b.first_cost_month, coalesce(b.last_below_month + 1, 0)) < $horizon_years * 12
                then greatest(b.first_cost_month, coalesce(b.last_below_month + 1, 0)) + 1
        end as fiscal_payback_months
    from present_values as pv
    left join below as b on pv.project_id = b.project_id
    left join running_costs as rc on pv.project_id = rc.project_id
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
    round_half_up(forward_pv_cost_gbp, 2) as forward_pv_cost_gbp,
    round_half_up(forward_pv_benefit_gbp, 2) as forward_pv_benefit_gbp,
    round_half_up(forward_pv_fiscal_benefit_gbp, 2) as forward_pv_fiscal_benefit_gbp,
    has_forward_costs,
    fiscal_payback_months
from appraisal_project_figures($discount_rate, $horizon_years, $optimism_bias, $shifts, $as_of)
order by project_id
"""

BASE = Assumptions(as_of=date(2025, 11, 1))
CASES = {
    "reference": BASE,
    "long horizon across the 30-year rate change": BASE.with_changes(horizon_years=45, discount_rate=0.05),
    "one year": BASE.with_changes(horizon_years=1),
    "no discounting, no drop-off": BASE.with_changes(discount_rate=0.0, drop_off_factor=0.0, horizon_years=12),
    "forward from 2022, before most lines": BASE.with_changes(as_of=date(2022, 3, 15)),
    "forward from 2029, after most lines end": BASE.with_changes(as_of=date(2029, 7, 31), horizon_years=8),
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
    from dashboard.files.importer import import_folder

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
        return con.execute(sql, {**assumptions.line_month_params(), "as_of": assumptions.as_of}).df()
    finally:
        con.close()


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
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
