-- table macro budget_plan_months: one row per project per calendar month with any planned money: planned spend (all
-- of it, and the part the council's adult social care budget pays) and committed funding in nominal pence
-- (finance_line_months: the finance export's rules, month by month) and planned savings to the council, the appraisal's adjusted, undiscounted fiscal cashable benefits to council_asc in that
-- month (appraisal_line_months, whole-life view). What budget monitoring compares the actuals with; the actuals
-- themselves are read by the queries, not here.
--
-- arguments:
--   p_as_of                  date     the as-of date (cut-off for open-ended cost lines, as the finance export)
--   p_finance_horizon_years  integer  whole financial years from the as-of year to that cut-off
--   p_discount_rate, p_horizon_years, p_optimism_bias, p_shifts   the appraisal's assumptions

create or replace temp macro budget_plan_months(
    p_as_of, p_finance_horizon_years, p_discount_rate, p_horizon_years, p_optimism_bias, p_shifts
)
as table

with

nominal as (
    select
        flm.project_id,
        flm.month,
        sum(case when flm.side = 'spend' then flm.amount_pence else 0 end) as planned_spend_pence,
        -- a cost line with no payer is paid from the adult social care budget (as the appraisal reads it)
        sum(
            case when flm.side = 'spend' and coalesce(c.payer_agency, 'council_asc') = 'council_asc'
                then flm.amount_pence else 0 end
        ) as council_paid_spend_pence,
        sum(case when flm.side = 'funding' then flm.amount_pence else 0 end) as funding_committed_pence
    from finance_line_months(p_as_of, p_finance_horizon_years) as flm
    left join costs as c on flm.side = 'spend' and flm.line_id = c.cost_id
    group by flm.project_id, flm.month
),

savings as (
    select
        project_id,
        month_start_date as month,
        sum(adjusted_gbp) as planned_savings_gbp
    from appraisal_line_months(p_discount_rate, p_horizon_years, p_optimism_bias, p_shifts)
    where side = 'benefit' and is_cashable and agency = 'council_asc'
    group by project_id, month_start_date
),

final as (
    select
        coalesce(n.project_id, s.project_id) as project_id,
        coalesce(n.month, s.month) as month,
        fy_start_year_of(coalesce(n.month, s.month)) as fy_start_year,
        coalesce(n.planned_spend_pence, 0) as planned_spend_pence,
        coalesce(n.council_paid_spend_pence, 0) as council_paid_spend_pence,
        coalesce(n.funding_committed_pence, 0) as funding_committed_pence,
        coalesce(s.planned_savings_gbp, 0.0) as planned_savings_gbp
    from nominal as n
    full outer join savings as s on n.project_id = s.project_id and n.month = s.month
)

select * from final
