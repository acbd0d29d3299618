-- table macro appraisal_line_spans: one row per cost or benefit line per appraisal view in which it has at least
-- one month, with where that window starts and the line's active months in it. Both the closed form
-- (appraisal_line_pvs, appraisal_project_figures) and the month-by-month model (appraisal_line_months) read these
-- spans, so they cannot disagree on which months count. A window is 12 x horizon months; its year t is its
-- months 12t to 12t + 11.
--
-- The views:
--   whole_life  "was it worth it": the window starts in the project's appraisal start month (the month of the
--               earliest of its start date and its lines' start dates); each line runs over its own period
--               (appraisal_lines).
--   forward     "what continuing costs and returns": the window starts in the as-of month, the same for every
--               project (one base date, so totals add up); earlier months are left out.
--   continue    the cost of stopping, if the project carries on: the window starts the month after the stop
--               month S. Every weekly, monthly or annual line running in S's month (started, and not past its
--               own end date or its project's planned end) carries on at its monthly amount through the whole
--               window; lines that start after S's month run as planned.
--   stop        the same window if the project stops after S: no project costs; each benefit line running in
--               S's month lasts persistence_months more months, then ends.
-- The stop date S is the last day the project runs: p_stop_date, or by default the end of the project's latest
-- funding line (else its planned end date, else the as-of date).
--
-- Columns: window_start_month; first_month..last_month, the active months (0-based in the window); line_month,
-- the line's own start month in the same count (negative when it started earlier), from which drop-off counts.
--
-- arguments:
--   p_horizon_years  integer   window length in years
--   p_optimism_bias, p_shifts  as appraisal_lines
--   p_views          varchar[] the views wanted, any of the four above
--   p_as_of          date      the as-of date (forward view; default stop date when a project has nothing else)
--   p_stop_date      date      the stop date for every project, or null for each project's default
--   p_project_id     varchar   optional: one project only

create or replace temp macro appraisal_line_spans(
    p_horizon_years, p_optimism_bias, p_shifts, p_views, p_as_of := null, p_stop_date := null, p_project_id := null
)
as table

with

params as (
    select
        cast(p_horizon_years as integer) * 12 as window_months,
        cast(date_trunc('month', cast(p_as_of as date)) as date) as as_of_month,
        cast(p_views as varchar []) as views,
        list_has_any(cast(p_views as varchar []), ['continue', 'stop']) as wants_stop
),

lines as (
    select * from appraisal_lines(p_optimism_bias, p_shifts, p_project_id := p_project_id)
),

stop_months as (
    -- each project's stop month S (only worked out when a stop or continue view is asked for)
    select
        p.project_id,
        cast(date_trunc('month', coalesce(cast(p_stop_date as date), max(f.end_date), p.end_date, cast(p_as_of as date)))
            as date) as stop_month
    from projects as p
    cross join params
    left join funding as f on p.project_id = f.project_id
    where params.wants_stop and (cast(p_project_id as varchar) is null or p.project_id = cast(p_project_id as varchar))
    group by p.project_id, p.end_date
),

line_views as (
    select
        l.*,
        v.view,
        case v.view
            when 'whole_life' then l.appraisal_start_month
            when 'forward' then params.as_of_month
            else cast(s.stop_month + interval 1 month as date)
        end as window_start_month,
        s.stop_month,
        params.window_months
    from lines as l
    cross join params
    cross join (select unnest(views) as view from params) as v
    left join stop_months as s on l.project_id = s.project_id and v.view in ('continue', 'stop')
),

positions as (
    select
        *,
        datediff('month', window_start_month, line_start_month) as line_month,
        datediff('month', window_start_month, line_end_month) as line_last_month,
        -- running in S's month: a weekly, monthly or annual line that has started and is not past its own end
        -- date or its project's planned end
        stop_month is not null
        and is_recurring
        and line_start_month <= stop_month
        and coalesce(explicit_end_month >= stop_month, true)
        and coalesce(project_end_month >= stop_month, true) as is_running_at_stop
    from line_views
),

spans as (
    select
        *,
        case
            when view in ('whole_life', 'forward') then greatest(line_month, 0)
            when view = 'continue' and is_running_at_stop then 0
            when view = 'continue' and line_month >= 0 then line_month
            when view = 'stop' and is_running_at_stop and not is_cost then 0
        end as first_month,
        least(
            window_months - 1,
            case
                when view in ('whole_life', 'forward') then coalesce(line_last_month, window_months - 1)
                when view = 'continue' and is_running_at_stop then window_months - 1
                when view = 'continue' then coalesce(line_last_month, window_months - 1)
                when view = 'stop' then persistence_months - 1
            end
        ) as last_month
    from positions
),

final as (
    select
        project_id,
        line_id,
        view,
        is_cost,
        side,
        line_name,
        benefit_type,
        agency,
        is_fiscal,
        is_cashable,
        is_health_value,
        frequency,
        window_start_month,
        window_months,
        line_month,
        first_month,
        last_month,
        monthly_gbp,
        kept_share
    from spans
    where first_month is not null and first_month <= last_month
)

select * from final
