-- one row per project (or only $project_id): the cost of stopping it after a stop date, as stop against continue.
--
-- The stop date S is the last day the project runs (default: the end of its latest funding line, else its planned
-- end date, else $as_of). Both cases are appraised over the same comparison window, the 12 x horizon months after
-- S's month, with year 0 its first 12 months (appraisal_line_spans, views continue and stop):
--   continue  every weekly, monthly or annual line running in S's month carries on at its monthly amount through
--             the whole window; lines that start after S's month run as planned;
--   stop      no project costs after S but one-off exit costs ($exit_costs_gbp: paid by the council in the first
--             month, undiscounted, no optimism bias); each benefit line running in S's month lasts its
--             persistence_months more months, then ends.
-- Costs avoided are what continuing would cost less the exit costs; benefits lost are continue benefits less stop
-- benefits. Stopping is a false economy when benefits lost exceed costs avoided, and a false economy for the
-- council when the council's cashable benefits lost exceed the council-paid costs it avoids. There is nothing to
-- stop when no cost line runs in S's month and none starts later.
--
-- parameters:
--   $project_id      varchar  one project, or null for every project
--   $stop_date       date     the stop date, or null for each project's default
--   $as_of           date     the default stop date when a project has neither funding nor an end date
--   $exit_costs_gbp  decimal  one-off exit costs of stopping (0 for none)
--   $discount_rate, $horizon_years, $optimism_bias, $shifts   the appraisal assumptions (see the macros)

with

params as (
    select
        cast($project_id as varchar) as project_id,
        cast($stop_date as date) as stop_date,
        cast($as_of as date) as as_of,
        round(cast(coalesce($exit_costs_gbp, 0) as double), 2) as exit_costs_gbp,
        cast($horizon_years as integer) * 12 as window_months
),

stg_projects as (
    select
        p.project_id,
        p.name,
        p.end_date,
        p.people_reached
    from projects as p
    cross join params
    where params.project_id is null or p.project_id = params.project_id
),

stg_line_pvs as (
    select *
    from appraisal_line_pvs(
        $discount_rate, $horizon_years, $optimism_bias, $shifts, ['continue', 'stop'],
        p_as_of := $as_of, p_stop_date := $stop_date, p_project_id := $project_id
    )
),

latest_funding as (
    select
        f.project_id,
        max(f.end_date) as latest_funding_end_date
    from funding as f
    cross join params
    where params.project_id is null or f.project_id = params.project_id
    group by f.project_id
),

stop_dates as (
    select
        p.project_id,
        p.name,
        p.people_reached,
        coalesce(params.stop_date, f.latest_funding_end_date, p.end_date, params.as_of) as stop_date,
        params.stop_date is null as is_default_stop_date
    from stg_projects as p
    cross join params
    left join latest_funding as f on p.project_id = f.project_id
),

totals as (
    select
        project_id,
        coalesce(sum(pv_gbp) filter (where view = 'continue' and is_cost), 0) as continue_costs_gbp,
        coalesce(sum(pv_gbp) filter (where view = 'continue' and not is_cost), 0) as continue_benefits_gbp,
        coalesce(sum(pv_gbp) filter (where view = 'stop' and not is_cost), 0) as stop_benefits_gbp,
        coalesce(sum(pv_gbp) filter (where view = 'continue' and is_cost and agency = 'council_asc'), 0)
            as council_continue_costs_gbp,
        coalesce(sum(pv_gbp) filter (where view = 'continue' and is_cashable and agency = 'council_asc'), 0)
        - coalesce(sum(pv_gbp) filter (where view = 'stop' and is_cashable and agency = 'council_asc'), 0)
            as council_cashable_benefits_lost_gbp,
        coalesce(sum(first_month_gbp) filter (where view = 'continue' and is_cashable and agency = 'council_asc'), 0)
        - coalesce(sum(first_month_gbp) filter (where view = 'stop' and is_cashable and agency = 'council_asc'), 0)
            as returning_to_council_first_month_gbp,
        coalesce(sum(first_month_gbp) filter (where view = 'continue' and is_cost), 0)
            as continue_costs_first_month_gbp,
        count(*) filter (where view = 'continue' and is_cost) > 0 as has_costs_to_stop
    from stg_line_pvs
    group by project_id
),

figures as (
    select
        s.*,
        cast(date_trunc('month', s.stop_date) + interval 1 month as date) as window_start_date,
        cast(date_trunc('month', s.stop_date) + to_months(params.window_months) as date) as window_last_month_date,
        params.exit_costs_gbp,
        round_half_up(coalesce(t.continue_costs_gbp, 0), 2) as continue_costs_gbp,
        round_half_up(coalesce(t.continue_benefits_gbp, 0), 2) as continue_benefits_gbp,
        round_half_up(coalesce(t.stop_benefits_gbp, 0), 2) as stop_benefits_gbp,
        round_half_up(coalesce(t.council_continue_costs_gbp, 0), 2) as council_continue_costs_gbp,
        round_half_up(coalesce(t.council_cashable_benefits_lost_gbp, 0), 2) as council_cashable_benefits_lost_gbp,
        round_half_up(coalesce(t.returning_to_council_first_month_gbp, 0), 2) as returning_to_council_first_month_gbp,
        round_half_up(coalesce(t.continue_costs_first_month_gbp, 0), 2) as continue_costs_first_month_gbp,
        not coalesce(t.has_costs_to_stop, false) as nothing_to_stop
    from stop_dates as s
    cross join params
    left join totals as t on s.project_id = t.project_id
),

final as (
    select
        project_id,
        name,
        stop_date,
        is_default_stop_date,
        window_start_date,
        window_last_month_date,
        people_reached as people_affected,
        exit_costs_gbp,
        continue_costs_gbp,
        continue_benefits_gbp,
        stop_benefits_gbp,
        continue_costs_first_month_gbp,
        round(continue_costs_gbp - exit_costs_gbp, 2) as costs_avoided_gbp,
        round(continue_benefits_gbp - stop_benefits_gbp, 2) as benefits_lost_gbp,
        round((continue_costs_gbp - exit_costs_gbp) - (continue_benefits_gbp - stop_benefits_gbp), 2) as net_saving_gbp,
        round(council_continue_costs_gbp - exit_costs_gbp, 2) as council_costs_avoided_gbp,
        council_cashable_benefits_lost_gbp,
        returning_to_council_first_month_gbp,
        -- with nothing to stop there is no saving to be a false economy
        not nothing_to_stop
        and round(continue_benefits_gbp - stop_benefits_gbp, 2) > round(continue_costs_gbp - exit_costs_gbp, 2)
            as false_economy,
        not nothing_to_stop
        and council_cashable_benefits_lost_gbp > round(council_continue_costs_gbp - exit_costs_gbp, 2)
            as false_economy_for_council,
        nothing_to_stop
    from figures
)

select * from final
order by project_id
