-- one row per funding line of the chosen projects that ends on or after the as-of date and before
-- the same date a year later, with its project, the months left, and the project's later funding
-- (other lines of the same project that end after this one: is anything taking over?).
--
-- parameters:
--   $as_of        date       the as-of date
--   $project_ids  varchar[]  the projects to include; null for every project

with

params as (
    select
        cast($as_of as date) as as_of,
        cast($project_ids as varchar []) as project_ids
),

stg_funding as (
    select
        f.funding_id,
        f.project_id,
        f.funder,
        f.recurrent as is_recurrent,
        f.amount_gbp,
        f.start_date,
        f.end_date
    from funding as f
    cross join params
    where params.project_ids is null or f.project_id in (select unnest(params.project_ids))
),

ending as (
    select f.*
    from stg_funding as f
    cross join params
    where f.end_date >= params.as_of
        and f.end_date < funding_window_end(params.as_of, 12, null)
),

later_funding as (
    select
        e.funding_id,
        sum(o.amount_gbp) as later_funding_gbp,
        bool_or(o.is_recurrent) as has_later_recurrent_funding
    from ending as e
    inner join stg_funding as o
        on e.project_id = o.project_id and o.funding_id <> e.funding_id and o.end_date > e.end_date
    group by e.funding_id
),

final as (
    select
        e.funding_id,
        e.project_id,
        p.name as project_name,
        p.service_area,
        p.status,
        e.funder,
        e.is_recurrent,
        cast(e.amount_gbp as double) as amount_gbp,
        e.start_date,
        e.end_date,
        datediff('month', date_trunc('month', params.as_of), date_trunc('month', e.end_date)) as months_to_end,
        cast(coalesce(lf.later_funding_gbp, 0) as double) as later_funding_gbp,
        coalesce(lf.has_later_recurrent_funding, false) as has_later_recurrent_funding,
        p.has_exit_plan
    from ending as e
    cross join params
    inner join projects as p on e.project_id = p.project_id
    left join later_funding as lf on e.funding_id = lf.funding_id
)

select * from final
order by end_date, project_id, funding_id
