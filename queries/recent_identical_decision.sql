-- one row per decision identical to the one about to be recorded (same project, decision, dates, reason,
-- texts, people, decision maker and correction) recorded within $window_seconds before $recorded_at_utc,
-- newest first: a second press of "Record the decision", from another tab or a second click, is refused
--
-- parameters: the new decision's fields, $recorded_at_utc (timestamp) and $window_seconds (integer)

with

params as (
    select
        cast($project_id as varchar) as project_id,
        cast($decision as varchar) as decision,
        cast($effective_date as date) as effective_date,
        cast($reason_category as varchar) as reason_category,
        cast($rationale as varchar) as rationale,
        cast($transition_plan as varchar) as transition_plan,
        cast($evidence as varchar) as evidence,
        cast($people_affected as integer) as people_affected,
        cast($decided_by as varchar) as decided_by,
        cast($decided_by_role as varchar) as decided_by_role,
        cast($corrects_decision_id as varchar) as corrects_decision_id,
        cast($recorded_at_utc as timestamp) as recorded_at_utc,
        cast($window_seconds as integer) as window_seconds
),

final as (
    select
        d.decision_id,
        d.recorded_at_utc
    from decisions as d
    cross join params as p
    where d.project_id = p.project_id
        and d.decision = p.decision
        and d.effective_date = p.effective_date
        and d.reason_category = p.reason_category
        and d.rationale = p.rationale
        and d.transition_plan is not distinct from p.transition_plan
        and d.evidence is not distinct from p.evidence
        and d.people_affected = p.people_affected
        and d.decided_by = p.decided_by
        and d.decided_by_role is not distinct from p.decided_by_role
        and d.corrects_decision_id is not distinct from p.corrects_decision_id
        and d.recorded_at_utc between p.recorded_at_utc - to_seconds(p.window_seconds) and p.recorded_at_utc
)

select * from final
order by recorded_at_utc desc
