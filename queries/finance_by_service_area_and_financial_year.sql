-- one row per service area per UK financial year in which the chosen projects in that area have
-- any committed funding or planned spend (nominal cash, see the macro finance_line_years). Unfunded
-- spend is max(spend - funding, 0) per project and year, summed, as in the financial-year summary.
--
-- parameters:
--   $as_of           date       the as-of date (cut-off for cost lines with no end date)
--   $horizon_years   integer    whole financial years from the as-of year to that cut-off
--   $project_ids     varchar[]  the projects to include; null for every project
--   $fy_start_years  integer[]  the financial years to show, by starting year (2025 for 2025-26); null for all

with

-- the project years kept for this export when finance.py has kept them (set_finance_project_years_source),
-- else worked out here; query_table binds only the one named
computed_project_years as (
    select * from finance_project_years($as_of, $horizon_years, $project_ids, $fy_start_years)
),

project_years as (
    select * from query_table(coalesce(getvariable('finance_project_years_source'), 'computed_project_years'))
),

area_years as (
    select
        p.service_area,
        py.fy_start_year,
        sum(py.funding_pence) as funding_pence,
        sum(py.recurrent_pence) as recurrent_pence,
        sum(py.non_recurrent_pence) as non_recurrent_pence,
        sum(py.spend_pence) as spend_pence,
        sum(greatest(py.spend_pence - py.funding_pence, 0)) as unfunded_pence,
        count(*) as projects
    from project_years as py
    inner join projects as p on py.project_id = p.project_id
    group by p.service_area, py.fy_start_year
),

final as (
    select
        service_area,
        fy_start_year || '-' || lpad(cast((fy_start_year + 1) % 100 as varchar), 2, '0') as financial_year,
        funding_pence / 100 as committed_funding_gbp,
        recurrent_pence / 100 as recurrent_funding_gbp,
        non_recurrent_pence / 100 as non_recurrent_funding_gbp,
        spend_pence / 100 as planned_spend_gbp,
        unfunded_pence / 100 as unfunded_spend_gbp,
        (funding_pence - spend_pence) / 100 as funding_less_spend_gbp,
        projects
    from area_years
)

select * from final
order by service_area, financial_year
