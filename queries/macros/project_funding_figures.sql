-- table macro project_funding_figures: one row per project that has funding lines, with what the projectitis
-- risk needs of its funding: everything committed (in total and by whom), and the secured funding chain at
-- p_as_of (the lines still running then that follow on from one another without a gap):
--
-- * committed_funding_gbp, funders: every funding line, whatever its dates; the funders sorted, each once;
-- * the secured funding chain at p_as_of, from the macro project_funding_chain (which states its rule):
--   active_funding_gbp, active_non_recurrent_gbp, has_active_recurrent_funding, latest_active_funding_end,
--   active_funder_count, largest_funder and largest_funder_gbp describe the chain's lines (null without a chain).
--   What is committed does not depend on the as-of date, so project_appraisal.sql reads it as stored in any month.
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

funding_lines as (
    -- the arguments themselves rather than params' columns, so the planner folds them (see project_funding_chain)
    select f.*
    from funding as f
    where
        (cast(p_project_id as varchar) is null or f.project_id = cast(p_project_id as varchar))
        and (
            not cast(p_ended_this_month_only as boolean)
            or f.project_id in (select project_id from projects_with_funding_ended_this_month(p_as_of))
        )
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
    left join
        project_funding_chain(
            p_as_of, p_project_id := p_project_id, p_ended_this_month_only := p_ended_this_month_only
        ) as ch
        on cp.project_id = ch.project_id
)

select * from final
