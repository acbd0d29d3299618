-- one row per outcome measure (of one project when $project_id is not null, else of every project):
-- the measure with its change from baseline and progress towards its target.
-- progress_share: 0 at the baseline, 1 at the target, above 1 beyond it, below 0 when it moved the
-- wrong way; null without both a baseline and a target different from it.
--
-- parameters:
--   $project_id  varchar  one project, or null for all

with

stg_outcomes as (
    select *
    from outcomes
    where cast($project_id as varchar) is null or project_id = cast($project_id as varchar)
),

final as (
    select
        o.outcome_id,
        o.project_id,
        p.name as project_name,
        o.measure,
        o.unit,
        o.baseline,
        o.latest,
        o.target,
        o.latest - o.baseline as change_from_baseline,
        case
            when o.baseline is not null and o.target is not null and o.target <> o.baseline
                then (o.latest - o.baseline) / (o.target - o.baseline)
        end as progress_share,
        case
            when o.baseline is null or o.target is null or o.target = o.baseline then null
            when (o.target - o.baseline) * (o.latest - o.baseline) > 0 then 'towards target'
            when o.latest = o.baseline then 'no change'
            else 'away from target'
        end as direction,
        o.people_measured,
        o.measured_on,
        o.source
    from stg_outcomes as o
    inner join projects as p on o.project_id = p.project_id
)

select * from final
order by project_id, outcome_id
