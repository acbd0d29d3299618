-- one row per project (or only $project_id when it is not null): present values of costs and of benefits and the
-- net present value at the given assumptions, in both views: whole life (from the project's appraisal start) and
-- forward (from the as-of month). The same arithmetic and rounding as project_appraisal.sql, without the risk
-- score, so sensitivity cases (17 runs) stay cheap.
--
-- parameters:
--   $project_id     varchar  one project, or null for every project
--   $as_of          date     the forward view starts in its month
--   $discount_rate  double   Green Book rate for years 0-30
--   $horizon_years  integer  length of each appraisal window
--   $optimism_bias  double[] optimism bias share for confidence grades 1..6, in order
--   $shifts         struct   scenario shifts (see the macro appraisal_line_months)
--
-- The present values come from the closed-form macro appraisal_project_figures, as in project_appraisal.sql.

with

stg_projects as (
    select project_id
    from projects
    where cast($project_id as varchar) is null or project_id = cast($project_id as varchar)
),

stg_project_figures as (
    select
        project_id,
        pv_cost_gbp,
        pv_benefit_gbp,
        forward_pv_cost_gbp,
        forward_pv_benefit_gbp
    from appraisal_project_figures(
        $discount_rate, $horizon_years, $optimism_bias, $shifts, $as_of,
        p_project_id := $project_id, p_payback := false, p_forward_costs := false  -- present values only
    )
),

final as (
    select
        p.project_id,
        round_half_up(coalesce(pv.pv_cost_gbp, 0), 2) as pv_cost_gbp,
        round_half_up(coalesce(pv.pv_benefit_gbp, 0), 2) as pv_benefit_gbp,
        round_half_up(coalesce(pv.pv_benefit_gbp, 0) - coalesce(pv.pv_cost_gbp, 0), 2) as npv_gbp,
        round_half_up(coalesce(pv.forward_pv_cost_gbp, 0), 2) as forward_pv_cost_gbp,
        round_half_up(coalesce(pv.forward_pv_benefit_gbp, 0), 2) as forward_pv_benefit_gbp,
        round_half_up(coalesce(pv.forward_pv_benefit_gbp, 0) - coalesce(pv.forward_pv_cost_gbp, 0), 2)
            as forward_npv_gbp
    from stg_projects as p
    left join stg_project_figures as pv on p.project_id = pv.project_id
)

select * from final
order by project_id
