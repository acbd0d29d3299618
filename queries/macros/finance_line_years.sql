-- table macro finance_line_years: one row per funding line or cost line per UK financial year
-- (1 April to 31 March) it touches, with its nominal cash in that year in whole pence. Every finance
-- export figure is an aggregate of this, so the summaries, the funder and service-area tables and the
-- project rows cannot disagree.
--
-- Nominal cash: undiscounted, no optimism bias, no deadweight (those belong to the appraisal).
--   funding  the line's amount spread evenly over its calendar months, first to last inclusive
--   spend    cost lines by calendar month from the start month to the end month inclusive:
--            once -> the whole amount in its start month; weekly -> amount x 52 / 12 a month;
--            monthly -> amount a month; annual -> amount / 12 a month.
--            A cost line with no end date runs to its project's planned end date when the project has
--            one, otherwise to the cut-off: 31 March of the financial year that closes the horizon,
--            counted in whole financial years from the one holding the as-of date (as of 1 June 2025
--            with a 5-year horizon: to 31 March 2030, so years 2025-26 to 2029-30).
--
-- Pence are exact: each line's running total to the end of each year is rounded half-up to the penny
-- in integer arithmetic and a year's amount is the running total at its end less that at its start, so a
-- line's years add up to its rounded total exactly (a £100 grant over 3 months is 33.33 + 33.33 + 33.34,
-- never 99.99).
--
-- arguments:
--   p_as_of          date     the as-of date (sets the cut-off for open-ended cost lines)
--   p_horizon_years  integer  whole financial years from the as-of year to the cut-off

create or replace temp macro finance_line_years(p_as_of, p_horizon_years)
as table

with

line_spans as (
    select * from finance_line_spans(p_as_of, p_horizon_years)
),

line_years as (
    select
        *,
        cast(unnest(range(first_year, last_year + 1)) as integer) as fy_start_year
    from line_spans
),

line_year_months as (
    select
        *,
        -- months of the line before this year starts, and up to the end of this year
        greatest(0, datediff('month', first_month, make_date(fy_start_year, 4, 1))) as months_before,
        datediff('month', first_month, least(last_month, make_date(fy_start_year + 1, 3, 1))) + 1 as months_to_date
    from line_years
),

running_pence as (
    select
        *,
        months_to_date - months_before as months_in_year,
        -- round half up of amount x multiplier x months / divisor, in integers, at both ends of the year
        (2 * amount_pence * multiplier * months_to_date + divisor) // (2 * divisor) as pence_to_date,
        (2 * amount_pence * multiplier * months_before + divisor) // (2 * divisor) as pence_before
    from line_year_months
),

final as (
    select
        project_id,
        line_id,
        side,
        funder,
        is_recurrent,
        frequency,
        fy_start_year,
        fy_start_year || '-' || lpad(cast((fy_start_year + 1) % 100 as varchar), 2, '0') as financial_year,
        months_in_year,
        cast(pence_to_date - pence_before as bigint) as amount_pence
    from running_pence
)

select * from final
