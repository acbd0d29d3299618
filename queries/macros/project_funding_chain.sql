-- table macro project_funding_chain: one row per project with a funding line still running at p_as_of, with its
-- secured funding chain then (the lines still running at p_as_of that follow on from one another without a gap):
-- the chain starts just before the as-of month; taking the lines still running at p_as_of in order of start date, a
-- line joins while its start month is no later than the month after the chain's last month so far. The first line
-- that cannot join ends the chain (every later line starts later still). active_funding_gbp,
-- active_non_recurrent_gbp, has_active_recurrent_funding, latest_active_funding_end, active_funder_count,
-- largest_funder and largest_funder_gbp describe the chain's lines.
--
-- The half of project_funding_figures that depends on the as-of date (what is committed does not): stated here
-- once, so project_appraisal.sql can read the committed half stored by the last write in any month and work out
-- only this half.
--
-- arguments: p_as_of (date), p_project_id (optional: one project only), p_ended_this_month_only (optional: only
-- the projects with a funding line that ended in the month of p_as_of before p_as_of, see project_funding_figures).

create or replace temp macro project_funding_chain(p_as_of, p_project_id := null, p_ended_this_month_only := false)
as table

with

params as (
    select cast(date_trunc('month', cast(p_as_of as date)) as date) as as_of_month
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
    from funding as fl
    -- the arguments themselves rather than params' columns, so the planner folds them: the project filter and the
    -- lines-ended-this-month semi join are planned only when asked for
    where
        fl.end_date >= cast(p_as_of as date)
        and (cast(p_project_id as varchar) is null or fl.project_id = cast(p_project_id as varchar))
        and (
            not cast(p_ended_this_month_only as boolean)
            or fl.project_id in (select project_id from projects_with_funding_ended_this_month(p_as_of))
        )
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
    select * from chain_by_project
)

select * from final
