-- one row per locality x service area, plus one per locality, one per service area and one for the
-- whole portfolio (level says which): projects, people reached, spend (present value of costs),
-- benefit (present value of benefits), and both per person, at the given assumptions. Present values are the
-- forward view (from the as-of month, one base date for every project), so places can be compared and added up.
-- people_reached is summed over projects, so a person two projects reach counts twice.
--
-- parameters:
--   $open_only      boolean  true: only projects proposed, active or paused
--   $as_of          date     the forward view starts in its month
--   $discount_rate  double   Green Book rate for years 0-30
--   $horizon_years  integer  length of each project's appraisal window
--   $optimism_bias  double[] optimism bias share for confidence grades 1..6, in order
--   $shifts         struct   scenario shifts (see the macro appraisal_line_months)
--
-- Present values come from the closed-form macro appraisal_project_figures, as in project_appraisal.sql.

with

stg_projects as (
    select
        project_id,
        locality,
        service_area,
        people_reached
    from projects
    where not cast($open_only as boolean) or status in ('proposed', 'active', 'paused')
),

project_values as (
    -- the closed-form figures (as project_appraisal.sql), not a month-by-month expansion of every line
    select
        project_id,
        forward_pv_cost_gbp as pv_cost_gbp,
        forward_pv_benefit_gbp as pv_benefit_gbp
    from appraisal_project_figures(
        -- the forward view's present values only (a project with no lines in it is valued at 0 below)
        $discount_rate, $horizon_years, $optimism_bias, $shifts, $as_of,
        p_views := ['forward'], p_payback := false, p_forward_costs := false
    )
),

projects_valued as (
    select
        p.*,
        coalesce(v.pv_cost_gbp, 0) as pv_cost_gbp,
        coalesce(v.pv_benefit_gbp, 0) as pv_benefit_gbp
    from stg_projects as p
    left join project_values as v on p.project_id = v.project_id
),

grouped as (
    select
        case
            when grouping(locality) = 0 and grouping(service_area) = 0 then 'cell'
            when grouping(locality) = 0 then 'locality'
            when grouping(service_area) = 0 then 'service_area'
            else 'portfolio'
        end as level,
        locality,
        service_area,
        count(*) as projects,
        sum(people_reached) as people_reached,
        sum(pv_cost_gbp) as pv_cost_gbp,
        sum(pv_benefit_gbp) as pv_benefit_gbp
    from projects_valued
    group by grouping sets ((locality, service_area), (locality), (service_area), ())
),

final as (
    select
        level,
        locality,
        service_area,
        projects,
        cast(coalesce(people_reached, 0) as bigint) as people_reached,
        round(coalesce(pv_cost_gbp, 0), 2) as pv_cost_gbp,
        round(coalesce(pv_benefit_gbp, 0), 2) as pv_benefit_gbp,
        case when people_reached > 0 then round(pv_cost_gbp / people_reached, 2) end as spend_per_person_gbp,
        case when people_reached > 0 then round(pv_benefit_gbp / people_reached, 2) end as benefit_per_person_gbp
    from grouped
)

select * from final
order by case level when 'cell' then 1 when 'locality' then 2 when 'service_area' then 3 else 4 end, locality, service_area
