-- one row: how many projects (all, or those in $project_ids when it is not null) have at least one
-- measured outcome, and how many outcome measures and people measured that rests on.
--
-- parameters:
--   $project_ids  varchar[]  the projects to count (for example the Portfolio page's filter), or null for all

with

stg_projects as (
    select project_id
    from projects_in_view($project_ids)
),

per_project as (
    select
        p.project_id,
        count(o.outcome_id) as outcome_measures,
        coalesce(sum(o.people_measured), 0) as people_measured
    from stg_projects as p
    left join outcomes as o on p.project_id = o.project_id
    group by p.project_id
),

final as (
    select
        count(*) as projects,
        count(*) filter (where outcome_measures > 0) as projects_with_outcome,
        case when count(*) > 0 then count(*) filter (where outcome_measures > 0) / count(*) end
            as share_with_outcome,
        coalesce(sum(outcome_measures), 0) as outcome_measures,
        coalesce(sum(people_measured), 0) as people_measured
    from per_project
)

select * from final
