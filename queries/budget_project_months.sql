-- one row per calendar month of one project, from its first month with planned money or actuals to its latest
-- month with any actual: planned and actual spend and savings in the month and cumulatively (planned spend by the
-- finance export's nominal rules, planned savings the appraisal's adjusted, undiscounted cashable savings to
-- council_asc, both from budget_plan_months; actuals from actuals.csv). No rows when the project has no actuals.
--
-- parameters: $as_of, $finance_horizon_years, $discount_rate, $horizon_years, $optimism_bias, $shifts (as
-- budget_monitoring); $project_id varchar

with

plan_months as (
    select project_id, month, planned_spend_pence, planned_savings_gbp
    from budget_plan_months($as_of, $finance_horizon_years, $discount_rate, $horizon_years, $optimism_bias, $shifts)
    where project_id = $project_id
),

actual_months as (
    select
        month,
        sum(case when kind = 'spend' then cast(round(amount_gbp * 100) as bigint) else 0 end) as spend_pence,
        sum(case when kind = 'saving' then cast(round(amount_gbp * 100) as bigint) else 0 end) as saving_pence
    from actuals
    where project_id = $project_id
    group by month
),

span as (
    select
        least((select min(month) from plan_months), (select min(month) from actual_months)) as first_month,
        (select max(month) from actual_months) as last_month
),

months as (
    select cast(unnest(generate_series(first_month, last_month, interval 1 month)) as date) as month
    from span
    where last_month is not null
),

monthly as (
    select
        m.month,
        coalesce(p.planned_spend_pence, 0) as planned_spend_pence,
        coalesce(a.spend_pence, 0) as actual_spend_pence,
        coalesce(p.planned_savings_gbp, 0.0) as planned_savings_gbp,
        coalesce(a.saving_pence, 0) as actual_saving_pence
    from months as m
    left join plan_months as p on m.month = p.month
    left join actual_months as a on m.month = a.month
),

final as (
    select
        month,
        cast(planned_spend_pence / 100 as decimal(18, 2)) as planned_spend_gbp,
        cast(actual_spend_pence / 100 as decimal(18, 2)) as actual_spend_gbp,
        cast(round_half_up(planned_savings_gbp, 2) as decimal(18, 2)) as planned_savings_gbp,
        cast(actual_saving_pence / 100 as decimal(18, 2)) as actual_savings_gbp,
        cast(sum(planned_spend_pence) over running / 100 as decimal(18, 2)) as cumulative_planned_spend_gbp,
        cast(sum(actual_spend_pence) over running / 100 as decimal(18, 2)) as cumulative_actual_spend_gbp,
        cast(round_half_up(sum(planned_savings_gbp) over running, 2) as decimal(18, 2))
            as cumulative_planned_savings_gbp,
        cast(sum(actual_saving_pence) over running / 100 as decimal(18, 2)) as cumulative_actual_savings_gbp
    from monthly
    window running as (order by month rows between unbounded preceding and current row)
)

select * from final
order by month
