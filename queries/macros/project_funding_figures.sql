-- table macro project_funding_figures: one row per project that has funding lines, with what the projectitis
-- risk needs of its funding: everything committed (in total and by whom), and the secured funding chain at
-- p_as_of (the lines still running then that follow on from one another without a gap):
--
-- * committed_funding_gbp, funders: every funding line, whatever its dates; the funders sorted, each once;
-- * the chain starts just before the as-of month; taking the lines still running at p_as_of in order of start
--   date, a line joins while its start month is no later than the month after the chain's last month so far.
--   The first line that cannot join ends the chain (every later line starts later still). active_funding_gbp,
--   active_non_recurrent_gbp, has_active_recurrent_funding, latest_active_funding_end, active_funder_count,
--   largest_funder and largest_funder_gbp describe the chain's lines (null or 0 without a chain).
--
-- The chain depends on the as-of date only through its month and through which lines are still running; so a
-- project with no line ending between the first of the as-of month and the day before p_as_of has the same chain
-- on every day of the month up to p_as_of as on the first. Every write stores these figures at the first day of
-- its month (project_funding_reference); project_appraisal.sql reads them and works out afresh only the projects
-- with such a line (p_ended_this_month_only := true gives exactly those).
--
-- arguments: p_as_of (date), p_project_id (optional: one project only), p_ended_this_month_only (optional).

create or replace temp macro project_funding_figures(p_as_of, p_project_id := null, p_ended_this_month_only := false)
as table

with

params as (
    select
        cast(p_as_of as date) as as_of,
        cast(date_trunc('month', cast(p_as_of as date)) as date) as as_of_month,
        cast(p_project_id as varchar) as project_id,
        cast(p_ended_this_month_only as boolean) as ended_this_month_only
),

funding_lines as not materialized (
    -- read twice (committed, chain), each time straight from the table
    select f.*
    from funding as f
    cross join params
    where
        (params.project_id is null or f.project_id = params.project_id)
        and (not params.ended_this_month_only or f.project_id in (select project_id from projects_with_funding_ended_this_month(p_as_of)))
),

committed_by_project as (
    -- amounts are summed exactly (decimal pence), then turned into doubles
    select
        project_id,
        cast(sum(amount_gbp) as double) as committed_funding_gbp,
        list_sort(list_distinct(list(funder)), 'ASC', 'NULLS LAST') as funders
    from funding_lines
    group by project_id
),

secured_funding as (
    -- every funding line still running at p_as_of or later, with the latest end month of the lines before it
    -- in start-date order
    select
        fl.project_id,
        fl.funder,
        fl.recurrent,
        fl.amount_gbp,
        fl.start_date,
        fl.end_date,
        cast(date_trunc('month', fl.start_date) as date) as start_month,
        max(cast(date_trunc('month', fl.end_date) as date)) over (
            partition by fl.project_id order by fl.start_date, fl.end_date
            rows between unbounded preceding and 1 preceding
        ) as earlier_end_month
    from funding_lines as fl
    cross join params
    where fl.end_date >= params.as_of
),

funding_chain as (
    select
        *,
        sum(case when is_gap then 1 else 0 end) over (
            partition by project_id order by start_date, end_date rows between unbounded preceding and current row
        ) as gaps_so_far
    from (
        select
            sf.*,
            sf.start_month > cast(
                greatest(
                    coalesce(sf.earlier_end_month, params.as_of_month - interval 1 month),
                    params.as_of_month - interval 1 month
                )
                + interval 1 month as date
            ) as is_gap
        from secured_funding as sf
        cross join params
    )
),

chain_by_funder as (
    select
        project_id,
        funder,
        sum(amount_gbp) as chain_gbp,
        sum(amount_gbp) filter (where not recurrent) as chain_non_recurrent_gbp,
        bool_or(recurrent) as has_recurrent_funding,
        max(end_date) as latest_chain_end
    from funding_chain
    where gaps_so_far = 0
    group by project_id, funder
),

chain_by_project as (
    select
        project_id,
        cast(sum(chain_gbp) as double) as active_funding_gbp,
        cast(coalesce(sum(chain_non_recurrent_gbp), 0) as double) as active_non_recurrent_gbp,
        coalesce(bool_or(has_recurrent_funding), false) as has_active_recurrent_funding,
        max(latest_chain_end) as latest_active_funding_end,
        count(*) as active_funder_count,
        arg_max(funder, chain_gbp) as largest_funder,
        cast(max(chain_gbp) as double) as largest_funder_gbp
    from chain_by_funder
    group by project_id
),

final as (
    select
        cp.project_id,
        cp.committed_funding_gbp,
        cp.funders,
        ch.active_funding_gbp,
        ch.active_non_recurrent_gbp,
        ch.has_active_recurrent_funding,
        ch.latest_active_funding_end,
        ch.active_funder_count,
        ch.largest_funder,
        ch.largest_funder_gbp
    from committed_by_project as cp
    left join chain_by_project as ch on cp.project_id = ch.project_id
)

select * from final
