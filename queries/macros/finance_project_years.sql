-- table macro finance_project_years: one row per chosen project per UK financial year in which it has
-- committed funding or planned spend, in whole pence (nominal cash, from finance_line_years). The
-- financial-year summary, the service-area table and the project rows all add these up, so an
-- unfunded-spend gap is always worked out per project and year, max(spend - funding, 0), before summing.
--
-- arguments:
--   p_as_of           date       the as-of date (cut-off for cost lines with no end date)
--   p_horizon_years   integer    whole financial years from the as-of year to that cut-off
--   p_project_ids     varchar[]  the projects to include; null for every project
--   p_fy_start_years  integer[]  the financial years to count, by starting year (2025 for 2025-26); null for all

create or replace temp macro finance_project_years(p_as_of, p_horizon_years, p_project_ids, p_fy_start_years)
as table

with

params as (
    select
        cast(p_project_ids as varchar []) as project_ids,
        cast(p_fy_start_years as integer []) as fy_start_years
),

chosen_line_years as (
    select ly.*
    from finance_line_years(p_as_of, p_horizon_years) as ly
    cross join params
    where (params.project_ids is null or ly.project_id in (select unnest(params.project_ids)))
        and (params.fy_start_years is null or list_contains(params.fy_start_years, ly.fy_start_year))
),

final as (
    select
        project_id,
        fy_start_year,
        sum(case when side = 'funding' then amount_pence else 0 end) as funding_pence,
        sum(case when side = 'funding' and is_recurrent then amount_pence else 0 end) as recurrent_pence,
        sum(case when side = 'funding' and not is_recurrent then amount_pence else 0 end) as non_recurrent_pence,
        sum(case when side = 'spend' then amount_pence else 0 end) as spend_pence
    from chosen_line_years
    group by project_id, fy_start_year
)

select * from final
