-- one row per funder per UK financial year in which that funder's committed funding for the chosen
-- projects is spread (nominal cash, see the macro finance_line_years), split recurrent and
-- time-limited, with how many projects and funding lines it covers.
--
-- parameters:
--   $as_of           date       the as-of date
--   $horizon_years   integer    whole financial years from the as-of year to the cost cut-off
--   $project_ids     varchar[]  the projects to include; null for every project
--   $fy_start_years  integer[]  the financial years to show, by starting year (2025 for 2025-26); null for all

with

params as (
    select
        cast($project_ids as varchar []) as project_ids,
        cast($fy_start_years as integer []) as fy_start_years
),

stg_funding_years as (
    select ly.*
    from finance_line_years($as_of, $horizon_years) as ly
    cross join params
    where ly.side = 'funding'
        and (params.project_ids is null or ly.project_id in (select unnest(params.project_ids)))
        and (params.fy_start_years is null or list_contains(params.fy_start_years, ly.fy_start_year))
),

funder_years as (
    select
        funder,
        fy_start_year,
        sum(amount_pence) as funding_pence,
        sum(case when is_recurrent then amount_pence else 0 end) as recurrent_pence,
        sum(case when not is_recurrent then amount_pence else 0 end) as non_recurrent_pence,
        count(distinct project_id) as projects,
        count(*) as funding_lines
    from stg_funding_years
    group by funder, fy_start_year
),

final as (
    select
        funder,
        fy_start_year || '-' || lpad(cast((fy_start_year + 1) % 100 as varchar), 2, '0') as financial_year,
        funding_pence / 100 as committed_funding_gbp,
        recurrent_pence / 100 as recurrent_funding_gbp,
        non_recurrent_pence / 100 as non_recurrent_funding_gbp,
        projects,
        funding_lines
    from funder_years
)

select * from final
order by funder, financial_year
