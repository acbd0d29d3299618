-- table macro finance_line_months: one row per funding line or cost line per calendar month of nominal cash,
-- with its amount in that month in whole pence. The month-by-month form of finance_line_years, for budget
-- monitoring: the same spans (finance_line_spans) and the same running total rounded half-up to the penny, taken
-- at each month's end instead of each year's, so a line's months in a financial year add up to exactly what
-- finance_line_years gives that year, and its months to its rounded total.
--
-- arguments:
--   p_as_of          date     the as-of date (sets the cut-off for open-ended cost lines)
--   p_horizon_years  integer  whole financial years from the as-of year to the cut-off

create or replace temp macro finance_line_months(p_as_of, p_horizon_years)
as table

with

line_spans as (
    select * from finance_line_spans(p_as_of, p_horizon_years)
),

line_months as (
    select
        *,
        cast(unnest(range(0, datediff('month', first_month, last_month) + 1)) as bigint) as months_before
    from line_spans
),

running_pence as (
    select
        *,
        cast(first_month + to_months(months_before) as date) as month,
        (2 * amount_pence * multiplier * (months_before + 1) + divisor) // (2 * divisor) as pence_to_date,
        (2 * amount_pence * multiplier * months_before + divisor) // (2 * divisor) as pence_before
    from line_months
),

final as (
    select
        project_id,
        line_id,
        side,
        month,
        fy_start_year_of(month) as fy_start_year,
        cast(pence_to_date - pence_before as bigint) as amount_pence
    from running_pence
)

select * from final
