-- one row per project (or only $project_id when given): what stopping it after a stop date saves and loses.
--
-- The stop date S is the last day the project runs. The appraisal works in whole months, so the
-- month S falls in is treated as delivered and paid for, and every month that starts after S is lost:
-- stopping on 30 June 2025 loses July 2025 onwards. Only months inside the project's appraisal window
-- (its horizon) count. Present values use the same discount factors as the project's appraisal (the
-- macro appraisal_line_months), so costs saved plus costs already incurred add up to its PV cost.
--
-- parameters:
--   $project_id     varchar  one project, or null for every project
--   $stop_date      date     the stop date, or null for each project's default: the end of its latest
--                            secured funding (else its planned end date, else $as_of)
--   $as_of          date     used only when a project has neither funding nor an end date
--   $discount_rate, $horizon_years, $optimism_bias, $shifts   the appraisal assumptions (see the macro)

with

params as (
    select
        cast($project_id as varchar) as project_id,
        cast($stop_date as date) as stop_date,
        cast($as_of as date) as as_of,
        cast($horizon_years as integer) * 12 as horizon_months
),

stg_projects as (
    select p.*
    from projects as p
    cross join params
    where params.project_id is null or p.project_id = params.project_id
),

stg_line_months as (
    select * from appraisal_line_months(
        $discount_rate, $horizon_years, $optimism_bias, $shifts, p_project_id := $project_id
    )
),

latest_funding as (
    select
        project_id,
        max(end_date) as latest_funding_end_date
    from funding
    group by project_id
),

windows as (
    select
        project_id,
        min(cast(month_start_date - to_months(month_index) as date)) as appraisal_start_date
    from stg_line_months
    group by project_id
),

stop_dates as (
    select
        p.project_id,
        p.name,
        p.people_reached,
        coalesce(params.stop_date, f.latest_funding_end_date, p.end_date, params.as_of) as stop_date,
        params.stop_date is null as is_default_stop_date,
        cast(date_trunc('month', coalesce(params.stop_date, f.latest_funding_end_date, p.end_date, params.as_of))
            + interval 1 month as date) as first_lost_month_date,
        cast(w.appraisal_start_date + to_months(params.horizon_months - 1) as date) as window_last_month_date
    from stg_projects as p
    cross join params
    left join latest_funding as f on p.project_id = f.project_id
    left join windows as w on p.project_id = w.project_id
),

lost_line_months as (
    select
        lm.project_id,
        lm.side,
        lm.beneficiary_agency,
        lm.month_start_date,
        lm.adjusted_gbp,
        lm.adjusted_gbp * lm.discount_factor as pv_gbp,
        lm.month_start_date = s.first_lost_month_date as is_first_lost_month
    from stg_line_months as lm
    inner join stop_dates as s on lm.project_id = s.project_id
    where lm.month_start_date >= s.first_lost_month_date
),

lost_totals as (
    select
        project_id,
        count(distinct month_start_date) as months_with_flows_lost,
        sum(pv_gbp) filter (where side = 'cost') as costs_saved_gbp,
        sum(pv_gbp) filter (where side = 'benefit') as benefits_lost_gbp,
        sum(pv_gbp) filter (where side = 'benefit' and beneficiary_agency = 'council_asc')
            as returning_to_council_gbp,
        sum(adjusted_gbp) filter (where side = 'cost') as costs_saved_undiscounted_gbp,
        sum(adjusted_gbp) filter (where side = 'benefit') as benefits_lost_undiscounted_gbp,
        sum(adjusted_gbp) filter (where side = 'cost' and is_first_lost_month) as costs_saved_monthly_gbp,
        sum(adjusted_gbp) filter (where side = 'benefit' and is_first_lost_month) as benefits_lost_monthly_gbp,
        sum(adjusted_gbp) filter (
            where side = 'benefit' and beneficiary_agency = 'council_asc' and is_first_lost_month
        ) as returning_to_council_monthly_gbp
    from lost_line_months
    group by project_id
),

final as (
    select
        s.project_id,
        s.name,
        s.stop_date,
        s.is_default_stop_date,
        s.first_lost_month_date,
        s.window_last_month_date,
        greatest(0, coalesce(datediff('month', s.first_lost_month_date, s.window_last_month_date) + 1, 0))
            as months_left_in_window,
        round(coalesce(t.costs_saved_gbp, 0), 2) as costs_saved_gbp,
        round(coalesce(t.benefits_lost_gbp, 0), 2) as benefits_lost_gbp,
        round(coalesce(t.costs_saved_gbp, 0), 2) - round(coalesce(t.benefits_lost_gbp, 0), 2) as net_effect_gbp,
        round(coalesce(t.returning_to_council_gbp, 0), 2) as returning_to_council_gbp,
        round(coalesce(t.costs_saved_undiscounted_gbp, 0), 2) as costs_saved_undiscounted_gbp,
        round(coalesce(t.benefits_lost_undiscounted_gbp, 0), 2) as benefits_lost_undiscounted_gbp,
        round(coalesce(t.costs_saved_monthly_gbp, 0), 2) as costs_saved_monthly_gbp,
        round(coalesce(t.benefits_lost_monthly_gbp, 0), 2) as benefits_lost_monthly_gbp,
        round(coalesce(t.returning_to_council_monthly_gbp, 0), 2) as returning_to_council_monthly_gbp,
        s.people_reached as people_affected,
        round(coalesce(t.benefits_lost_gbp, 0), 2) > round(coalesce(t.costs_saved_gbp, 0), 2) as false_economy
    from stop_dates as s
    left join lost_totals as t on s.project_id = t.project_id
)

select * from final
order by project_id
