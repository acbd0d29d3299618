-- one row per agency (council_asc, nhs, dwp, individual, carer, other): the forward present value (from the as-of
-- month, over the appraisal horizon, the appraisal's adjusted and discounted amounts) of the costs it pays and of
-- the fiscal benefits (cashable and non-cashable) it receives, and benefits - costs
--
-- parameters: $as_of, $discount_rate, $horizon_years, $optimism_bias, $shifts; $agencies varchar[] in display order

with

agencies as (
    select
        unnest(cast($agencies as varchar [])) as agency,
        generate_subscripts(cast($agencies as varchar []), 1) as agency_order
),

pv as (
    -- each line's forward present value in closed form (appraisal_line_pvs, held equal to adding up
    -- appraisal_line_months month by month), not its months
    select
        agency,
        sum(case when side = 'cost' then pv_gbp else 0 end) as pv_costs_gbp,
        sum(case when side = 'benefit' and is_fiscal then pv_gbp else 0 end) as pv_benefits_gbp
    from appraisal_line_pvs(
        $discount_rate, $horizon_years, $optimism_bias, $shifts, ['forward'], p_as_of := $as_of
    )
    group by agency
),

final as (
    select
        a.agency,
        a.agency_order,
        cast(round_half_up(coalesce(pv.pv_costs_gbp, 0), 2) as decimal(18, 2)) as pv_costs_paid_gbp,
        cast(round_half_up(coalesce(pv.pv_benefits_gbp, 0), 2) as decimal(18, 2)) as pv_benefits_received_gbp,
        cast(
            round_half_up(coalesce(pv.pv_benefits_gbp, 0), 2) - round_half_up(coalesce(pv.pv_costs_gbp, 0), 2)
            as decimal(18, 2)
        ) as pv_net_gbp
    from agencies as a
    left join pv on a.agency = pv.agency
)

select * from final
order by agency_order
