-- one row per open flag (project, table, field) of the projects in the registered frame incoming_ids
with

final as (
    select
        f.project_id,
        f.table_name,
        f.field
    from import_flags as f
    where f.project_id in (select project_id from incoming_ids)
)

select * from final
