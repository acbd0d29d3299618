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

params as (
    select
        cast($project_ids as varchar []) as project_ids,
        cast($fy_start_years as integer []) as fy_start_years
),

stg_line_years as (
    select ly.*
    from finance_line_years($as_of, $horizon_years) as ly
    cross join params
    where (params.project_ids is null or ly.project_id in (select unnest(params.project_ids)))
        and (params.fy_start_years is null or list_contains(params.fy_start_years, ly.fy_start_year))
),

project_years as (
    select
        project_id,
        fy_start_year,
        sum(case when side = 'funding' then amount_pence else 0 end) as funding_pence,
        sum(case when side = 'funding' and is_recurrent then amount_pence else 0 end) as recurrent_pence,
        sum(case when side = 'funding' and not is_recurrent then amount_pence else 0 end) as non_recurrent_pence,
        sum(case when side = 'spend' then amount_pence else 0 end) as spend_pence
    from stg_line_years
    group by project_id, fy_start_year
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
