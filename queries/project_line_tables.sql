-- one row per (project, table) where a project in the registered frame incoming_ids already has cost or benefit lines
with

cost_projects as (
    select distinct
        project_id,
        'costs' as table_name
    from costs
    where project_id in (select project_id from incoming_ids)
),

benefit_projects as (
    select distinct
        project_id,
        'benefits' as table_name
    from benefits
    where project_id in (select project_id from incoming_ids)
),

final as (
    select * from cost_projects
    union all
    select * from benefit_projects
)

select * from final
