-- one row per cost or benefit line of one project, as entered (for the Project page)
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
        cast(null as double) as drop_off_rate
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
        drop_off_rate
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
