-- one row per recorded decision, for the council's transparency page: no personal data (the decision
-- maker's name is left out; their role is kept) and counts of people from 1 to $suppress_up_to shown as '*'
--
-- parameters:
--   $suppress_up_to  integer  people counts from 1 to this are suppressed (0 suppresses nothing)

with

params as (
    select cast($suppress_up_to as integer) as suppress_up_to
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
        d.decision_id,
        cast(d.recorded_at_utc as date) as recorded_date,
        d.project_id,
        d.project_name,
        d.decision,
        d.effective_date,
        d.reason_category,
        d.rationale,
        case
            when d.people_affected between 1 and params.suppress_up_to then '*'
            else cast(d.people_affected as varchar)
        end as people_affected,
        d.costs_saved_gbp,
        d.benefits_lost_gbp,
        d.net_effect_gbp,
        d.returning_to_council_gbp,
        d.false_economy,
        d.bcr,
        d.projectitis_score,
        d.decided_by_role,
        d.corrects_decision_id,
        c.corrected_by_decision_id,
        d.record_hash
    from decisions as d
    cross join params
    left join corrections as c on d.decision_id = c.decision_id
)

select * from final
order by decision_id
