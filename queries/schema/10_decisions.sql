-- the decision record: one row per funding decision, append-only (see dashboard/decisions.py).
-- No code path updates or deletes a row; a correction is a new row naming the one it corrects.
-- Each row carries a SHA-256 hash of its own content chained to the previous row's hash, so an
-- edit, a deletion or a re-ordering made outside the app is found by decisions.verify_decision_log.
-- The figures at the time of the decision are frozen into the row (money in pounds, present values
-- at the assumptions recorded in assumptions_json), so the record and its report never drift when the
-- data or the assumptions change later.

create table if not exists decisions (
    decision_id varchar primary key,
    sequence_no integer not null unique check (sequence_no >= 1),
    project_id varchar not null,
    project_name varchar not null,
    decision varchar not null
        check (decision in ('continue', 'extend', 'scale', 'mainstream', 'stop', 'pause')),
    effective_date date not null,
    reason_category varchar not null,
    rationale varchar not null,
    evidence varchar,
    people_affected integer not null check (people_affected >= 0),
    transition_plan varchar,
    decided_by varchar not null,
    decided_by_role varchar,
    recorded_at_utc timestamp not null,
    corrects_decision_id varchar,
    -- the cost of stopping on the effective date, frozen
    stop_date date not null,
    first_lost_month_date date not null,
    costs_saved_gbp decimal(18, 2) not null,
    benefits_lost_gbp decimal(18, 2) not null,
    net_effect_gbp decimal(18, 2) not null,
    returning_to_council_gbp decimal(18, 2) not null,
    returning_to_council_monthly_gbp decimal(18, 2) not null,
    false_economy boolean not null,
    cost_of_stopping_json varchar not null,
    -- the appraisal and risk at the time, frozen
    pv_cost_gbp decimal(18, 2),
    pv_benefit_gbp decimal(18, 2),
    npv_gbp decimal(18, 2),
    bcr double,
    projectitis_score double,
    projectitis_band varchar,
    risk_factors_json varchar not null,
    project_snapshot_json varchar not null,
    assumptions_json varchar not null,
    -- tamper evidence
    previous_hash varchar not null,
    record_hash varchar not null unique
);
