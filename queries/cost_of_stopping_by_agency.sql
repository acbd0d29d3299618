-- one row per project per side (cost, benefit) per agency: what stopping it after a stop date avoids in costs, by
-- who pays them, and loses in benefits, by who receives them, in present values over the comparison window, and
-- in its first month (the same views, stop date and rules as cost_of_stopping.sql, which these rows add up to;
-- one-off exit costs are the council's and are taken off its costs avoided there, not here).
--
-- parameters: $project_id (one project, or null for every project), $stop_date, $as_of, and the appraisal
-- assumptions $discount_rate, $horizon_years, $optimism_bias, $shifts (see cost_of_stopping.sql)

with

stg_line_pvs as (
    select *
    from appraisal_line_pvs(
        $discount_rate, $horizon_years, $optimism_bias, $shifts, ['continue', 'stop'],
        p_as_of := $as_of, p_stop_date := $stop_date, p_project_id := $project_id
    )
),

by_agency as (
    select
        project_id,
        side,
        agency,
        coalesce(sum(pv_gbp) filter (where view = 'continue'), 0)
        - coalesce(sum(pv_gbp) filter (where view = 'stop'), 0) as difference_gbp,
        coalesce(sum(first_month_gbp) filter (where view = 'continue'), 0)
        - coalesce(sum(first_month_gbp) filter (where view = 'stop'), 0) as first_month_difference_gbp
    from stg_line_pvs
    group by project_id, side, agency
),

final as (
    select
        project_id,
        side,
        agency,
        round_half_up(difference_gbp, 2) as amount_gbp,
        round_half_up(first_month_difference_gbp, 2) as first_month_gbp
    from by_agency
)

select * from final
order by project_id, side desc, amount_gbp desc, agency
