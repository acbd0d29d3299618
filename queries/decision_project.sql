-- one row for the project a decision is being recorded about (none if the id is unknown)
--
-- parameters:
--   $project_id  varchar  the project

with

final as (
    select
        project_id,
        name,
        start_date,
        people_reached
    from projects
    where project_id = cast($project_id as varchar)
)

select * from final
