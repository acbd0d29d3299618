-- one row per month of one project's whole-life appraisal window that has any cost or benefit: adjusted and
-- discounted cost and benefit (and the fiscal part of the benefit), and their running totals (for the cumulative
-- chart and its fiscal payback point)
--
-- parameters: $project_id varchar, $discount_rate, $horizon_years, $optimism_bias, $shifts (as project_appraisal)

with

line_months as (
    select *
    from appraisal_line_months(
        $discount_rate, $horizon_years, $optimism_bias, $shifts, p_project_id := $project_id
    )
    where project_id = $project_id
),

monthly as (
    select
        month_index,
        month_start_date,
        sum(case when side = 'cost' then adjusted_gbp else 0 end) as cost_gbp,
        sum(case when side = 'benefit' then adjusted_gbp else 0 end) as benefit_gbp,
        sum(case when is_fiscal then adjusted_gbp else 0 end) as fiscal_benefit_gbp,
        sum(case when side = 'cost' then adjusted_gbp * discount_factor else 0 end) as pv_cost_gbp,
        sum(case when side = 'benefit' then adjusted_gbp * discount_factor else 0 end) as pv_benefit_gbp
    from line_months
    group by month_index, month_start_date
),

final as (
    select
        month_index + 1 as month_number,
        month_start_date,
        cost_gbp,
        benefit_gbp,
        sum(cost_gbp) over running as cumulative_cost_gbp,
        sum(benefit_gbp) over running as cumulative_benefit_gbp,
        sum(fiscal_benefit_gbp) over running as cumulative_fiscal_benefit_gbp,
        sum(pv_cost_gbp) over running as cumulative_pv_cost_gbp,
        sum(pv_benefit_gbp) over running as cumulative_pv_benefit_gbp
    from monthly
    window running as (order by month_index rows between unbounded preceding and current row)
)

select * from final
order by month_number
