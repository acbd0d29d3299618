-- one row per funding line that ends after the as-of date and within the given number of months of it
--
-- parameters: $as_of date, $within_months integer

with

params as (
    select
        cast($as_of as date) as as_of,
        cast($within_months as integer) as within_months
),

final as (
    select
        f.funding_id,
        f.project_id,
        f.funder,
        f.recurrent as is_recurrent,
        cast(f.amount_gbp as double) as amount_gbp,
        f.start_date,
        f.end_date,
        datediff('month', date_trunc('month', params.as_of), date_trunc('month', f.end_date)) as months_to_end
    from funding as f
    cross join params
    where f.end_date >= params.as_of
        and f.end_date < params.as_of + to_months(params.within_months)
)

select * from final
order by end_date, project_id, funding_id
