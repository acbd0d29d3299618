-- one row per project per calendar month with any planned money: planned spend and committed funding (nominal,
-- the finance export's rules) and planned savings to the council (the appraisal's adjusted, undiscounted fiscal
-- cashable benefits to council_asc), from the macro budget_plan_months
--
-- parameters: $as_of, $finance_horizon_years, $discount_rate, $horizon_years, $optimism_bias, $shifts (as
-- budget_monitoring); $project_id varchar, null for every project

with

final as (
    select
        project_id,
        month,
        fy_start_year,
        cast(planned_spend_pence / 100 as decimal(18, 2)) as planned_spend_gbp,
        cast(funding_committed_pence / 100 as decimal(18, 2)) as funding_committed_gbp,
        planned_savings_gbp
    from budget_plan_months($as_of, $finance_horizon_years, $discount_rate, $horizon_years, $optimism_bias, $shifts)
    where cast($project_id as varchar) is null or project_id = cast($project_id as varchar)
)

select * from final
order by project_id, month
