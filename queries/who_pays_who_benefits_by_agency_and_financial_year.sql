-- one row per agency (council_asc, nhs, dwp, individual, carer, other) per financial year of the five from the one
-- holding the as-of date: what it pays (nominal planned spend of the cost lines it is payer of; no payer is
-- council_asc) and the fiscal benefits it receives (the appraisal's adjusted, undiscounted fiscal cashable and
-- non-cashable benefits with it as beneficiary_agency), so a "wrong pocket" case, one agency paying while another
-- saves, shows as one row paying and another benefiting
--
-- parameters: $as_of, $finance_horizon_years, $horizon_years, $optimism_bias, $shifts (as
-- budget_monitoring); $agencies varchar[] the agencies in display order
--
-- Each line's money in each of the five years is added up directly (budget_plan_windows), not month by month.

with

params as (
    select fy_start_year_of(cast($as_of as date)) as first_year
),

agency_years as (
    select
        a.agency,
        a.agency_order,
        cast(unnest(range(params.first_year, params.first_year + 5)) as integer) as fy_start_year
    from (
        select
            unnest(cast($agencies as varchar [])) as agency,
            generate_subscripts(cast($agencies as varchar []), 1) as agency_order
    ) as a
    cross join params
),

windows as (
    select list({
        'window_id': y.fy_start_year,
        'window_first': make_date(y.fy_start_year, 4, 1),
        'window_last': make_date(y.fy_start_year + 1, 3, 1)
    }) as windows
    from (select distinct fy_start_year from agency_years) as y
),

plan_lines as (
    -- each cost line's nominal pence and each fiscal benefit line's adjusted amount in each of the five years
    -- (budget_plan_windows: added up over the year, not month by month)
    select *
    from budget_plan_windows(
        $as_of, $finance_horizon_years, $horizon_years, $optimism_bias, $shifts, (select windows from windows),
        ['spend', 'benefit']
    )
    where side = 'spend' or is_fiscal
),

pays as (
    select agency, window_id as fy_start_year, sum(amount_pence) as pays_pence
    from plan_lines
    where side = 'spend'
    group by all
),

benefits as (
    select agency, window_id as fy_start_year, sum(amount_gbp) as benefits_gbp
    from plan_lines
    where side = 'benefit'
    group by all
),

final as (
    select
        ay.agency,
        ay.agency_order,
        ay.fy_start_year,
        ay.fy_start_year || '-' || lpad(cast((ay.fy_start_year + 1) % 100 as varchar), 2, '0') as financial_year,
        cast(coalesce(p.pays_pence, 0) / 100 as decimal(18, 2)) as pays_gbp,
        cast(round_half_up(coalesce(b.benefits_gbp, 0), 2) as decimal(18, 2)) as benefits_gbp,
        cast(
            round_half_up(coalesce(b.benefits_gbp, 0), 2) - coalesce(p.pays_pence, 0) / 100 as decimal(18, 2)
        ) as net_gbp
    from agency_years as ay
    left join pays as p on ay.agency = p.agency and ay.fy_start_year = p.fy_start_year
    left join benefits as b on ay.agency = b.agency and ay.fy_start_year = b.fy_start_year
)

select * from final
order by agency_order, fy_start_year
