-- one row: how many projects there are (all, or those in $project_ids when it is not null)
with

final as (
    select count(*) as projects
    from projects
    where cast($project_ids as varchar []) is null
        or project_id in (select unnest(cast($project_ids as varchar [])))
)

select * from final
