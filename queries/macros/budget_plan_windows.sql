-- table macro budget_plan_windows: one row per funding, cost or benefit line per window of calendar months it has
-- money in, with its amount in that window: what budget_plan_months gives month by month, added up over the
-- window without expanding the months. Budget monitoring (a year, and its months up to M), the MTFS view and who
-- pays read this; at a million projects the month-by-month form was hundreds of millions of rows and most of
-- the finance export's time and memory.
--
--   funding, spend  nominal pence by the finance export's rules (finance_line_spans): a line's running total
--                   after k of its months is round-half-up(amount x multiplier x k / divisor), so its pence in
--                   months lo..hi are the running total after hi + 1 months less that after lo, exactly what
--                   finance_line_months' months add up to.
--   benefit         the appraisal's adjusted, undiscounted amount (whole-life view, appraisal_line_spans): within
--                   any twelve consecutive months a line's drop-off steps at most once, so appraisal_year_pv at a
--                   factor of 1 adds a window's months up directly; windows are therefore at most twelve months
--                   long (a longer one is refused, not silently cut).
--
-- Columns: project_id, line_id, side ('funding', 'spend', 'benefit'), agency (the payer of a cost line, council_asc
-- when it has none; a benefit's beneficiary agency; null for funding), is_fiscal, is_cashable (benefits), window_id,
-- amount_pence (funding and spend) and amount_gbp (benefits).
--
-- arguments:
--   p_as_of                  date     the as-of date (cut-off for open-ended cost lines, as the finance export)
--   p_finance_horizon_years  integer  whole financial years from the as-of year to that cut-off
--   p_horizon_years, p_optimism_bias, p_shifts   the appraisal's assumptions (benefits)
--   p_windows                struct(window_id integer, window_first date, window_last date)[]: first days of the
--                            first and last months of each window
--   p_sides                  varchar[] the sides wanted (benefits cost the most; leave them out when not needed)

create or replace temp macro budget_plan_windows(
    p_as_of, p_finance_horizon_years, p_horizon_years, p_optimism_bias, p_shifts, p_windows, p_sides
)
as table

with

windows as (
    select
        w.window_id,
        w.window_first,
        w.window_last,
        case when datediff('month', w.window_first, w.window_last) > 11 then error('A window is at most 12 months') end
            as too_long
    from (select unnest(p_windows, recursive := true)) as w
),

finance_spans as (
    select *
    from finance_line_spans(p_as_of, p_finance_horizon_years)
    where list_contains(cast(p_sides as varchar []), side)
),

finance_windows as (
    select
        s.project_id,
        s.line_id,
        s.side,
        s.payer_agency as agency,
        cast(null as boolean) as is_fiscal,
        cast(null as boolean) as is_cashable,
        w.window_id,
        s.amount_pence,
        s.multiplier,
        s.divisor,
        -- the line's months before the window, and up to its end
        datediff('month', s.first_month, greatest(s.first_month, w.window_first)) as months_before,
        datediff('month', s.first_month, least(s.last_month, w.window_last)) + 1 as months_to_end
    from finance_spans as s
    inner join windows as w on s.first_month <= w.window_last and s.last_month >= w.window_first
    where w.too_long is null
),

benefit_spans as (
    select *
    from appraisal_line_spans(p_horizon_years, p_optimism_bias, p_shifts, ['whole_life'])
    where side = 'benefit' and list_contains(cast(p_sides as varchar []), 'benefit')
),

benefit_windows as (
    select
        s.project_id,
        s.line_id,
        s.agency,
        s.is_fiscal,
        s.is_cashable,
        w.window_id,
        s.monthly_gbp,
        s.kept_share,
        s.line_month,
        -- the window's months in the appraisal window's count, cut to the line's active months
        greatest(s.first_month, datediff('month', s.window_start_month, w.window_first)) as lo,
        least(s.last_month, datediff('month', s.window_start_month, w.window_last)) as hi
    from benefit_spans as s
    inner join windows as w
        on datediff('month', s.window_start_month, w.window_first) <= s.last_month
        and datediff('month', s.window_start_month, w.window_last) >= s.first_month
    where w.too_long is null
),

final as (
    select
        project_id,
        line_id,
        side,
        agency,
        is_fiscal,
        is_cashable,
        window_id,
        cast(
            (2 * amount_pence * multiplier * months_to_end + divisor) // (2 * divisor)
            - (2 * amount_pence * multiplier * months_before + divisor) // (2 * divisor)
            as bigint
        ) as amount_pence,
        cast(null as double) as amount_gbp
    from finance_windows
    union all
    select
        project_id,
        line_id,
        'benefit' as side,
        agency,
        is_fiscal,
        is_cashable,
        window_id,
        cast(null as bigint) as amount_pence,
        appraisal_year_pv(monthly_gbp, kept_share, line_month, lo, hi, 1.0) as amount_gbp
    from benefit_windows
)

select * from final
