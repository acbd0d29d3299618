-- one row: how many projects there are (all, or those in $project_ids when it is not null)
with

final as (
    select count(*) as projects
    from projects_in_view($project_ids)
)

select * from final
