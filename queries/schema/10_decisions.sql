-- the decision record: one row per funding decision, append-only (see dashboard/files/decisions.py).
-- No code path updates or deletes a row; a correction is a new row naming the one it corrects.
-- Each row carries a SHA-256 hash of its own content chained to the previous row's hash and, since
-- keyed seals (chain_scheme 'hmac-sha256'), an HMAC-SHA-256 seal under a key kept outside the database,
-- chained to the previous row's seal; every change is also written to the decision log file beside the
-- database. decisions.verify_decision_log finds an edit, a deletion, a re-ordering or a rollback.
-- Rows recorded before seals existed have no chain_scheme ('sha256' chain only); on the first keyed
-- write they are sealed as a whole by one row of decision_seals.
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
    record_hash varchar not null unique,
    -- who decided, from sign-in: the account's immutable id (Entra ID oid, else the token's sub); null when typed
    decided_by_id varchar,
    -- the form submission (or command) that made the record: one submission makes one record
    request_token varchar,
    -- keyed seal: 'hmac-sha256', the key's public id, the previous record's seal and this record's
    chain_scheme varchar,
    key_id varchar,
    previous_mac varchar,
    record_mac varchar
);

-- databases made before seals gain the columns (null for their existing rows)
alter table decisions add column if not exists decided_by_id varchar;
alter table decisions add column if not exists request_token varchar;
alter table decisions add column if not exists chain_scheme varchar;
alter table decisions add column if not exists key_id varchar;
alter table decisions add column if not exists previous_mac varchar;
alter table decisions add column if not exists record_mac varchar;

-- one row when records made before keyed seals were sealed under the key: it vouches for records 1 to
-- through_sequence_no (their SHA-256 chain ends at through_record_hash) as they were when sealed
create table if not exists decision_seals (
    sealed_at_utc timestamp not null,
    through_sequence_no integer not null check (through_sequence_no >= 1),
    through_decision_id varchar not null,
    through_record_hash varchar not null,
    key_id varchar not null,
    seal_mac varchar not null unique
);
