-- one row per project in view with a funding line that ends in the window: on or after the as-of date and
-- before funding_window_end($as_of, $within_months, $by_date) (with neither given, any time from the as-of
-- date on): when its next funding line ends and the months left to then, how much ends in the window, and
-- what funding runs on beyond it. This is the list behind the Portfolio page's "Funding ending in 6 months"
-- (the same lines as queries/funding_ending_summary.sql) and its "funding ends within" filter.
--
-- parameters: $as_of date, $within_months integer (3, 6, 12; or null), $by_date date (or null),
--             $project_ids varchar[] (the projects in view; null for every project)

with

params as (
    select
        cast($as_of as date) as as_of,
        funding_window_end($as_of, $within_months, $by_date) as window_end
),

projects_in_view as (
    select project_id
    from projects_in_view($project_ids)
),

funding_to_come as (
    -- every funding line of the projects in view that has not ended by the as-of date
    select
        f.project_id,
        f.end_date,
        cast(f.amount_gbp as double) as amount_gbp,
        params.window_end is null or f.end_date < params.window_end as in_window
    from funding as f
    cross join params
    inner join projects_in_view as v on f.project_id = v.project_id
    where f.end_date >= params.as_of
),

by_project as (
    select
        project_id,
        min(end_date) filter (where in_window) as next_funding_end_date,
        sum(amount_gbp) filter (where in_window) as funding_ending_gbp,
        count(*) filter (where in_window) as funding_lines_ending,
        coalesce(sum(amount_gbp) filter (where not in_window), 0) as later_funding_gbp,
        max(end_date) as funded_until_date
    from funding_to_come
    group by project_id
),

final as (
    select
        b.project_id,
        b.next_funding_end_date,
        funding_months_left(params.as_of, b.next_funding_end_date) as months_left,
        b.funding_ending_gbp,
        b.funding_lines_ending,
        b.later_funding_gbp,
        b.funded_until_date
    from by_project as b
    cross join params
    where b.funding_lines_ending > 0
)

select * from final
