-- one row per project (or only $project_id when it is not null): present value of costs and of
-- benefits and the net present value at the given assumptions. The same arithmetic and rounding
-- as project_appraisal.sql, without the risk score, so sensitivity cases (17 runs) stay cheap.
--
-- parameters:
--   $project_id     varchar  one project, or null for every project
--   $discount_rate  double   Green Book rate for years 0-30
--   $horizon_years  integer  length of each project's appraisal window
--   $optimism_bias  double[] optimism bias share for confidence grades 1..6, in order
--   $shifts         struct   scenario shifts (see the macro appraisal_line_months)

with

stg_projects as (
    select project_id
    from projects
    where cast($project_id as varchar) is null or project_id = cast($project_id as varchar)
),

stg_line_months as (
    select *
    from appraisal_line_months($discount_rate, $horizon_years, $optimism_bias, $shifts)
    where cast($project_id as varchar) is null or project_id = cast($project_id as varchar)
),

project_months as (
    select
        project_id,
        month_index,
        sum(case when side = 'cost' then adjusted_gbp else 0 end) as cost_gbp,
        sum(case when side = 'benefit' then adjusted_gbp else 0 end) as benefit_gbp,
        any_value(discount_factor) as discount_factor
    from stg_line_months
    group by project_id, month_index
),

present_values as (
    select
        project_id,
        sum(cost_gbp * discount_factor) as pv_cost_gbp,
        sum(benefit_gbp * discount_factor) as pv_benefit_gbp
    from project_months
    group by project_id
),

final as (
    select
        p.project_id,
        round(coalesce(pv.pv_cost_gbp, 0), 2) as pv_cost_gbp,
        round(coalesce(pv.pv_benefit_gbp, 0), 2) as pv_benefit_gbp,
        round(coalesce(pv.pv_benefit_gbp, 0) - coalesce(pv.pv_cost_gbp, 0), 2) as npv_gbp
    from stg_projects as p
    left join present_values as pv on p.project_id = pv.project_id
)

select * from final
order by project_id
