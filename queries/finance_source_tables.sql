-- one row per template table (projects, funding, costs, benefits): how many rows the database holds,
-- how many belong to the chosen projects, and for funding the committed total of those rows, so the
-- "About this export" sheet lets an auditor reconcile the export to the database.
--
-- parameters:
--   $project_ids  varchar[]  the projects chosen; null for every project

with

params as (
    select cast($project_ids as varchar []) as project_ids
),

source_rows as (
    select 'projects' as table_name, 1 as table_order, project_id, cast(null as decimal(18, 2)) as amount_gbp
    from projects
    union all
    select 'funding', 2, project_id, amount_gbp from funding
    union all
    select 'costs', 3, project_id, cast(null as decimal(18, 2)) from costs
    union all
    select 'benefits', 4, project_id, cast(null as decimal(18, 2)) from benefits
),

marked as (
    select
        s.*,
        params.project_ids is null or s.project_id in (select unnest(params.project_ids)) as is_chosen
    from source_rows as s
    cross join params
),

final as (
    select
        table_name,
        any_value(table_order) as table_order,
        count(*) as rows_in_database,
        count(*) filter (where is_chosen) as rows_in_export,
        sum(amount_gbp) filter (where is_chosen) as amount_in_export_gbp
    from marked
    group by table_name
)

select * from final
order by table_order
