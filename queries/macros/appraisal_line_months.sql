-- table macro appraisal_line_months: one row per cost or benefit line per month of an appraisal view's window in
-- which the line has money, with its adjusted amount and its Green Book discount factor. The month-by-month
-- model: the closed form (appraisal_line_pvs, appraisal_project_figures) is held equal to adding these up, and
-- the project chart and the budget monitoring read it directly. The line periods, the windows and the amounts
-- come from appraisal_line_spans, so the two models cannot disagree about which months count.
--
-- In window month x a line pays monthly_gbp x kept_share ^ ((x - line_month) div 12), where line_month is its
-- own start month (drop-off counts whole years from it), times the factor of window year x div 12: the health
-- schedule for health-value lines, the standard one otherwise.
--
-- arguments:
--   p_discount_rate  double   Green Book rate for years 0-30 (later years follow the declining schedule, scaled)
--   p_horizon_years  integer  window length in years
--   p_optimism_bias  double[] optimism bias share for confidence grades 1..6, in order
--   p_shifts         struct   scenario shifts (all 1.0 / 0 in the base case): cost_factor, benefit_factor (multiply
--                             every cost / benefit amount), deadweight_factor, attribution_factor, drop_off_factor
--                             (multiply those shares, capped at 1), grade_shift (added to every confidence grade,
--                             kept in 1..6)
--   p_view           varchar  'whole_life' (default), 'forward', 'continue' or 'stop' (see appraisal_line_spans)
--   p_as_of          date     the as-of date (the forward window starts in its month)
--   p_stop_date      date     the stop date of the continue and stop views (null: each project's default)
--   p_project_id     varchar  optional: one project only, filtered before the months are expanded, so one
--                             project's months cost the same at any portfolio size

create or replace temp macro appraisal_line_months(
    p_discount_rate,
    p_horizon_years,
    p_optimism_bias,
    p_shifts,
    p_view := 'whole_life',
    p_as_of := null,
    p_stop_date := null,
    p_project_id := null
)
as table

with

discount_years as (
    select * from appraisal_discount_years(p_discount_rate, p_horizon_years)
),

spans as (
    select *
    from appraisal_line_spans(
        p_horizon_years, p_optimism_bias, p_shifts, [p_view],
        p_as_of := p_as_of, p_stop_date := p_stop_date, p_project_id := p_project_id
    )
),

line_months as (
    select
        *,
        unnest(range(first_month, last_month + 1)) as month_index
    from spans
),

final as (
    select
        lm.project_id,
        lm.line_id,
        lm.view,
        lm.side,
        lm.line_name,
        lm.benefit_type,
        lm.agency,
        lm.agency as beneficiary_agency,
        lm.is_fiscal,
        lm.is_cashable,
        lm.is_health_value,
        lm.month_index,
        cast(lm.window_start_month + to_months(lm.month_index) as date) as month_start_date,
        lm.month_index // 12 as window_year,
        lm.monthly_gbp * power(lm.kept_share, (lm.month_index - lm.line_month) // 12) as adjusted_gbp,
        case when lm.is_health_value then d.health_discount_factor else d.discount_factor end as discount_factor
    from line_months as lm
    inner join discount_years as d on lm.month_index // 12 = d.window_year
)

select * from final
