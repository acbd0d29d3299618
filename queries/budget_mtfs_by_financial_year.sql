-- one row per financial year of the five from the one holding the as-of date: the council's budget view for a
-- medium-term financial strategy. Council-paid planned spend (nominal, cost lines paid by council_asc or with no
-- payer); council cashable savings (the appraisal's adjusted, undiscounted fiscal cashable benefits to
-- council_asc): the in-year effect, the year's months added up, and the full-year effect, 12 x the March amount
-- (what the year's position is worth in a whole year); net effect on the adult social care budget = council-paid
-- spend - in-year savings (positive is a net cost); funding secured (committed funding lines in the year); unfunded
-- gap = the sum over projects of max(council-paid spend - funding secured, 0) in the year.
--
-- parameters: $as_of, $finance_horizon_years, $discount_rate, $horizon_years, $optimism_bias, $shifts (as
-- budget_monitoring)

with

params as (
    select fy_start_year_of(cast($as_of as date)) as first_year
),

years as (
    select cast(unnest(range(params.first_year, params.first_year + 5)) as integer) as fy_start_year
    from params
),

plan_months as (
    select *
    from budget_plan_months($as_of, $finance_horizon_years, $discount_rate, $horizon_years, $optimism_bias, $shifts)
),

project_years as (
    select
        project_id,
        fy_start_year,
        sum(council_paid_spend_pence) as council_spend_pence,
        sum(funding_committed_pence) as funding_pence,
        sum(planned_savings_gbp) as savings_gbp,
        sum(planned_savings_gbp) filter (where month(month) = 3) as march_savings_gbp
    from plan_months
    group by project_id, fy_start_year
),

by_year as (
    select
        fy_start_year,
        sum(council_spend_pence) as council_spend_pence,
        sum(funding_pence) as funding_pence,
        sum(greatest(council_spend_pence - funding_pence, 0)) as gap_pence,
        sum(savings_gbp) as savings_gbp,
        coalesce(sum(march_savings_gbp), 0) as march_savings_gbp
    from project_years
    group by fy_start_year
),

final as (
    select
        y.fy_start_year,
        y.fy_start_year || '-' || lpad(cast((y.fy_start_year + 1) % 100 as varchar), 2, '0') as financial_year,
        cast(coalesce(b.council_spend_pence, 0) / 100 as decimal(18, 2)) as council_paid_spend_gbp,
        cast(round_half_up(coalesce(b.savings_gbp, 0), 2) as decimal(18, 2)) as savings_in_year_gbp,
        cast(round_half_up(12 * coalesce(b.march_savings_gbp, 0), 2) as decimal(18, 2)) as savings_full_year_gbp,
        cast(
            coalesce(b.council_spend_pence, 0) / 100 - round_half_up(coalesce(b.savings_gbp, 0), 2) as decimal(18, 2)
        ) as net_effect_gbp,
        cast(coalesce(b.funding_pence, 0) / 100 as decimal(18, 2)) as funding_secured_gbp,
        cast(coalesce(b.gap_pence, 0) / 100 as decimal(18, 2)) as unfunded_gap_gbp
    from years as y
    left join by_year as b on y.fy_start_year = b.fy_start_year
)

select * from final
order by fy_start_year
