-- the optional outcomes template table: one row per outcome measure of a project (not pounds:
-- quality of life, control, carer strain ...). Column names and types match dashboard/database/schema.py OUTCOMES.

create table if not exists outcomes (
    outcome_id varchar primary key,
    project_id varchar not null,
    measure varchar not null,
    unit varchar not null,
    baseline double,
    latest double not null,
    target double,
    people_measured integer not null check (people_measured >= 1),
    measured_on date not null,
    source varchar
);
