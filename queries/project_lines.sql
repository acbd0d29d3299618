-- one row per cost or benefit line of one project, as entered, blanks shown as their defaults (for the Project
-- page): who pays a cost (the council's adult social care budget), persistence 0, not a health value
--
-- parameters: $project_id varchar

with

cost_lines as (
    select
        cost_id as line_id,
        'cost' as side,
        item as description,
        cast(null as varchar) as benefit_type,
        cast(null as varchar) as beneficiary_agency,
        cast(amount_gbp as double) as amount_gbp,
        frequency,
        start_date,
        end_date,
        confidence_grade,
        cast(null as double) as deadweight_share,
        cast(null as double) as attribution_others_share,
        cast(null as double) as drop_off_rate,
        coalesce(payer_agency, 'council_asc') as payer_agency,
        price_year,
        cast(null as integer) as persistence_months,
        cast(null as boolean) as is_health_value
    from costs
    where project_id = $project_id
),

benefit_lines as (
    select
        benefit_id as line_id,
        'benefit' as side,
        outcome as description,
        benefit_type,
        beneficiary_agency,
        cast(amount_gbp as double) as amount_gbp,
        frequency,
        start_date,
        end_date,
        confidence_grade,
        deadweight_share,
        attribution_others_share,
        drop_off_rate,
        cast(null as varchar) as payer_agency,
        price_year,
        coalesce(persistence_months, 0) as persistence_months,
        coalesce(is_health_value, false) as is_health_value
    from benefits
    where project_id = $project_id
),

final as (
    select * from cost_lines
    union all
    select * from benefit_lines
)

select * from final
order by side desc, start_date, line_id
