-- one row per project column still holding an import's placeholder (a flag on the projects table)
with

final as (
    select
        project_id,
        field
    from import_flags
    where table_name = 'projects'
)

select * from final
