-- one row per recorded decision (only $project_id's when given, only $decision_id when given), newest first,
-- with the decision that later corrected it, if any
--
-- parameters:
--   $project_id   varchar  one project, or null for all
--   $decision_id  varchar  one decision, or null for all

with

params as (
    select
        cast($project_id as varchar) as project_id,
        cast($decision_id as varchar) as decision_id
),

corrections as (
    select
        corrects_decision_id as decision_id,
        arg_max(decision_id, sequence_no) as corrected_by_decision_id
    from decisions
    where corrects_decision_id is not null
    group by corrects_decision_id
),

final as (
    select
        d.*,
        c.corrected_by_decision_id,
        c.corrected_by_decision_id is null as is_current
    from decisions as d
    cross join params
    left join corrections as c on d.decision_id = c.decision_id
    where (params.project_id is null or d.project_id = params.project_id)
        and (params.decision_id is null or d.decision_id = params.decision_id)
)

select * from final
order by sequence_no desc
