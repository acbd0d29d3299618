-- table macro appraisal_forward_costs: one row per project with running costs left at p_as_of: a cost line with
-- money in the as-of month or later, by the line periods (appraisal_lines), however far beyond the forward window it
-- starts (a £0 line, such as unpaid volunteers, is no running cost). The projectitis risk scores funding only for
-- these projects. It depends on the as-of month and on what makes a line's monthly amount (the optimism bias and the
-- scenario shifts), not on the discount rate or the horizon.
--
-- arguments: p_optimism_bias, p_shifts (as appraisal_lines), p_as_of (date), p_project_id (optional: one project).

create or replace temp macro appraisal_forward_costs(p_optimism_bias, p_shifts, p_as_of, p_project_id := null)
as table

with

final as (
    select project_id
    from appraisal_lines(p_optimism_bias, p_shifts, p_project_id := p_project_id)
    where
        is_cost
        and monthly_gbp > 0
        and coalesce(line_end_month >= cast(date_trunc('month', cast(p_as_of as date)) as date), true)
    group by project_id
)

select * from final
