-- one row per project with fields still to fill in after an import (placeholders), with what is missing
with

flags as (
    select
        project_id,
        import_id,
        case
            when field = '*' then table_name
            when table_name = 'projects' then field
            else table_name || '.' || field
        end as missing,
        reason
    from import_flags
),

final as (
    select
        f.project_id,
        p.name as project_name,
        p.provider,
        count(*) as fields_to_fill,
        string_agg(f.missing, ', ' order by f.missing) as still_to_fill_in,
        string_agg(f.missing || ': ' || f.reason, '; ' order by f.missing) as why,
        max(f.import_id) as import_id
    from flags as f
    inner join projects as p on f.project_id = p.project_id
    group by f.project_id, p.name, p.provider
    order by f.project_id
)

select * from final
