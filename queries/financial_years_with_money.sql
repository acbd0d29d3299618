-- one row per UK financial year (labelled 2025-26) from the first to the last in which any funding or
-- cost line has money, as the finance summary lists them (see the macro finance_line_spans)
--
-- parameters: $as_of date, $horizon_years integer (the cut-off for cost lines with no end date)

with

bounds as (
    select
        min(first_year) as first_year,
        max(last_year) as last_year
    from finance_line_spans($as_of, $horizon_years)
),

years as (
    select unnest(range(first_year, last_year + 1)) as fy_start_year
    from bounds
    where first_year is not null
),

final as (
    select
        cast(fy_start_year as integer) as fy_start_year,
        fy_start_year || '-' || lpad(cast((fy_start_year + 1) % 100 as varchar), 2, '0') as financial_year
    from years
)

select * from final
order by fy_start_year
