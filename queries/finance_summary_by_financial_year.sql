-- one row per UK financial year (April to March, labelled 2025-26) for the chosen projects: committed
-- funding (recurrent and time-limited), planned spend, unfunded spend and funding less spend, in
-- nominal cash (see the macro finance_line_years). Years run without gaps from the first to the last
-- year with any money, or are exactly the years asked for.
--
-- Unfunded spend (the gap) is worked out per project and year, max(spend - funding, 0), then summed,
-- so one project's surplus never hides another's shortfall.
--
-- parameters:
--   $as_of           date       the as-of date (cut-off for cost lines with no end date)
--   $horizon_years   integer    whole financial years from the as-of year to that cut-off
--   $project_ids     varchar[]  the projects to include; null for every project
--   $fy_start_years  integer[]  the financial years to show, by starting year (2025 for 2025-26); null for all

with

params as (
    select
        cast($project_ids as varchar []) as project_ids,
        cast($fy_start_years as integer []) as fy_start_years
),

-- the project years kept for this export when finance.py has kept them (set_finance_project_years_source),
-- else worked out here; query_table binds only the one named
computed_project_years as (
    select * from finance_project_years($as_of, $horizon_years, $project_ids, $fy_start_years)
),

project_years as (
    select * from query_table(coalesce(getvariable('finance_project_years_source'), 'computed_project_years'))
),

bounds as (
    select
        min(fy_start_year) as first_year,
        max(fy_start_year) as last_year
    from project_years
),

years as (
    select unnest(coalesce(params.fy_start_years, cast(range(bounds.first_year, bounds.last_year + 1) as integer []))
    ) as fy_start_year
    from bounds
    cross join params
),

year_totals as (
    select
        fy_start_year,
        sum(funding_pence) as funding_pence,
        sum(recurrent_pence) as recurrent_pence,
        sum(non_recurrent_pence) as non_recurrent_pence,
        sum(spend_pence) as spend_pence,
        sum(greatest(spend_pence - funding_pence, 0)) as unfunded_pence,
        count(*) filter (where spend_pence > 0) as projects_with_spend,
        count(*) filter (where spend_pence > funding_pence) as projects_with_unfunded_spend
    from project_years
    group by fy_start_year
),

final as (
    select
        y.fy_start_year || '-' || lpad(cast((y.fy_start_year + 1) % 100 as varchar), 2, '0') as financial_year,
        make_date(y.fy_start_year, 4, 1) as year_start_date,
        make_date(y.fy_start_year + 1, 3, 31) as year_end_date,
        coalesce(t.funding_pence, 0) / 100 as committed_funding_gbp,
        coalesce(t.recurrent_pence, 0) / 100 as recurrent_funding_gbp,
        coalesce(t.non_recurrent_pence, 0) / 100 as non_recurrent_funding_gbp,
        coalesce(t.spend_pence, 0) / 100 as planned_spend_gbp,
        coalesce(t.unfunded_pence, 0) / 100 as unfunded_spend_gbp,
        (coalesce(t.funding_pence, 0) - coalesce(t.spend_pence, 0)) / 100 as funding_less_spend_gbp,
        coalesce(t.projects_with_spend, 0) as projects_with_spend,
        coalesce(t.projects_with_unfunded_spend, 0) as projects_with_unfunded_spend
    from years as y
    left join year_totals as t on y.fy_start_year = t.fy_start_year
)

select * from final
order by financial_year
