-- one row per chosen project: its committed funding (recurrent and time-limited), planned spend and
-- unfunded spend in nominal cash over the financial years shown (see the macro finance_line_years),
-- and the first and last financial year with money. Unfunded spend is max(spend - funding, 0) per
-- year, summed over the years, as in the financial-year summary.
--
-- parameters:
--   $as_of           date       the as-of date (cut-off for cost lines with no end date)
--   $horizon_years   integer    whole financial years from the as-of year to that cut-off
--   $project_ids     varchar[]  the projects to include; null for every project
--   $fy_start_years  integer[]  the financial years to count, by starting year (2025 for 2025-26); null for all

with

params as (
    select
        cast($project_ids as varchar []) as project_ids,
        cast($fy_start_years as integer []) as fy_start_years
),

stg_projects as (
    select p.project_id
    from projects as p
    cross join params
    where params.project_ids is null or p.project_id in (select unnest(params.project_ids))
),

-- the project years kept for this export when finance.py has kept them (set_finance_project_years_source),
-- else worked out here; query_table binds only the one named
computed_project_years as (
    select * from finance_project_years($as_of, $horizon_years, $project_ids, $fy_start_years)
),

project_years as (
    select * from query_table(coalesce(getvariable('finance_project_years_source'), 'computed_project_years'))
),

project_totals as (
    select
        project_id,
        sum(funding_pence) as funding_pence,
        sum(recurrent_pence) as recurrent_pence,
        sum(non_recurrent_pence) as non_recurrent_pence,
        sum(spend_pence) as spend_pence,
        sum(greatest(spend_pence - funding_pence, 0)) as unfunded_pence,
        min(fy_start_year) as first_fy_start_year,
        max(fy_start_year) as last_fy_start_year
    from project_years
    group by project_id
),

final as (
    select
        sp.project_id,
        coalesce(t.funding_pence, 0) / 100 as period_funding_gbp,
        coalesce(t.recurrent_pence, 0) / 100 as period_recurrent_funding_gbp,
        coalesce(t.non_recurrent_pence, 0) / 100 as period_non_recurrent_funding_gbp,
        coalesce(t.spend_pence, 0) / 100 as period_spend_gbp,
        coalesce(t.unfunded_pence, 0) / 100 as period_unfunded_spend_gbp,
        t.first_fy_start_year || '-' || lpad(cast((t.first_fy_start_year + 1) % 100 as varchar), 2, '0')
            as first_financial_year,
        t.last_fy_start_year || '-' || lpad(cast((t.last_fy_start_year + 1) % 100 as varchar), 2, '0')
            as last_financial_year
    from stg_projects as sp
    left join project_totals as t on sp.project_id = t.project_id
)

select * from final
order by project_id
