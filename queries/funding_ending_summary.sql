-- one row: how much funding, on how many funding lines and projects, ends on or after the as-of date and
-- within 6 and within 12 months of it (funding_window_end), for the projects in view
--
-- parameters: $as_of date, $project_ids varchar[] (the projects in view; null for every project)

with

params as (
    select
        cast($as_of as date) as as_of,
        funding_window_end($as_of, 6, null) as end_6_months,
        funding_window_end($as_of, 12, null) as end_12_months
),

projects_in_view as (
    select project_id
    from projects_in_view($project_ids)
),

ending as (
    select
        f.project_id,
        cast(f.amount_gbp as double) as amount_gbp,
        f.end_date < params.end_6_months as within_6_months
    from funding as f
    cross join params
    inner join projects_in_view as v on f.project_id = v.project_id
    where f.end_date >= params.as_of
        and f.end_date < params.end_12_months
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
