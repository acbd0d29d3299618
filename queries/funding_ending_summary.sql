-- one row: how much funding, on how many funding lines and projects, ends after the as-of date and
-- within 6 and within 12 months of it, for the projects in view
--
-- parameters: $as_of date, $project_ids varchar[] (the projects in view; null for every project)

with

params as (
    select cast($as_of as date) as as_of
),

projects_in_view as (
    select project_id
    from projects
    where cast($project_ids as varchar []) is null
        or project_id in (select unnest(cast($project_ids as varchar [])))
),

ending as (
    select
        f.project_id,
        cast(f.amount_gbp as double) as amount_gbp,
        f.end_date < params.as_of + interval 6 month as within_6_months
    from funding as f
    cross join params
    inner join projects_in_view as v on f.project_id = v.project_id
    where f.end_date >= params.as_of
        and f.end_date < params.as_of + interval 12 month
),

final as (
    select
        coalesce(sum(amount_gbp) filter (where within_6_months), 0) as funding_ending_6_months_gbp,
        count(*) filter (where within_6_months) as funding_lines_ending_6_months,
        count(distinct project_id) filter (where within_6_months) as projects_funding_ending_6_months,
        coalesce(sum(amount_gbp), 0) as funding_ending_12_months_gbp,
        count(*) as funding_lines_ending_12_months,
        count(distinct project_id) as projects_funding_ending_12_months
    from ending
)

select * from final
