-- one row per recorded decision, for the council's transparency page: no personal data (the decision
-- maker's name and account are left out; their role is kept) and counts of people from 1 to $suppress_up_to
-- shown as '*'. Every stored column but those comes through (the page picks what it publishes, including each
-- record's seal where the database has seals), so a database made before seals reads too.
--
-- parameters:
--   $suppress_up_to  integer  people counts from 1 to this are suppressed (0 suppresses nothing)

with

params as (
    select cast($suppress_up_to as integer) as suppress_up_to
),

-- every column but the personal ones (a database made before seals lacks decided_by_id: the list still reads)
published as (
    select
        columns(lambda c: c not in ('people_affected', 'decided_by', 'decided_by_id')),
        people_affected as people_affected_count
    from decisions
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
        d.* exclude (people_affected_count),
        cast(d.recorded_at_utc as date) as recorded_date,
        case
            when d.people_affected_count between 1 and params.suppress_up_to then '*'
            else cast(d.people_affected_count as varchar)
        end as people_affected,
        c.corrected_by_decision_id
    from published as d
    cross join params
    left join corrections as c on d.decision_id = c.decision_id
)

select * from final
order by decision_id
