-- one row per beneficiary agency of one project's benefit lines: the benefits lost if it stops after a
-- stop date, by who would have received them (the same month rule and discounting as cost_of_stopping.sql:
-- every month that starts after the stop date, inside the appraisal window, is lost).
--
-- parameters:
--   $project_id     varchar  the project
--   $stop_date      date     the stop date, or null for the end of its latest secured funding
--                            (else its planned end date, else $as_of)
--   $as_of          date     used only when the project has neither funding nor an end date
--   $discount_rate, $horizon_years, $optimism_bias, $shifts   the appraisal assumptions (see the macro)

with

params as (
    select
        cast($project_id as varchar) as project_id,
        cast($stop_date as date) as stop_date,
        cast($as_of as date) as as_of
),

stg_line_months as (
    select * from appraisal_line_months(
        $discount_rate, $horizon_years, $optimism_bias, $shifts, p_project_id := $project_id
    )
),

stop_date as (
    select
        p.project_id,
        cast(date_trunc('month', coalesce(params.stop_date, max(f.end_date), p.end_date, params.as_of))
            + interval 1 month as date) as first_lost_month_date
    from projects as p
    cross join params
    left join funding as f on p.project_id = f.project_id
    where p.project_id = params.project_id
    group by p.project_id, p.end_date, params.stop_date, params.as_of
),

agencies as (
    select distinct
        b.project_id,
        b.beneficiary_agency
    from benefits as b
    inner join stop_date as s on b.project_id = s.project_id
),

lost as (
    select
        lm.beneficiary_agency,
        sum(lm.adjusted_gbp * lm.discount_factor) as benefits_lost_gbp,
        sum(lm.adjusted_gbp) filter (where lm.month_start_date = s.first_lost_month_date)
            as benefits_lost_monthly_gbp
    from stg_line_months as lm
    inner join stop_date as s on lm.project_id = s.project_id
    where lm.side = 'benefit' and lm.month_start_date >= s.first_lost_month_date
    group by lm.beneficiary_agency
),

final as (
    select
        a.project_id,
        a.beneficiary_agency,
        round(coalesce(l.benefits_lost_gbp, 0), 2) as benefits_lost_gbp,
        round(coalesce(l.benefits_lost_monthly_gbp, 0), 2) as benefits_lost_monthly_gbp
    from agencies as a
    left join lost as l on a.beneficiary_agency = l.beneficiary_agency
)

select * from final
order by benefits_lost_gbp desc, beneficiary_agency
