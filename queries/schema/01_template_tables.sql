-- the template tables a council imports: projects, funding, costs, benefits (no rows)
-- column names and types must match dashboard/database/schema.py, which a test checks.

create table if not exists projects (
    project_id varchar primary key,
    name varchar not null,
    description varchar,
    service_area varchar not null,
    innovation_type varchar not null,
    provider varchar not null,
    provider_type varchar not null,
    funding_mechanism varchar not null,
    locality varchar not null,
    start_date date not null,
    end_date date,
    status varchar not null,
    people_reached integer not null check (people_reached >= 0),
    coproduction_level integer not null check (coproduction_level between 0 and 4),
    evidence_level integer not null check (evidence_level between 1 and 5),
    has_exit_plan boolean not null,
    edi_considered boolean
);

create table if not exists funding (
    funding_id varchar primary key,
    project_id varchar not null,
    funder varchar not null,
    recurrent boolean not null,
    amount_gbp decimal(18, 2) not null check (amount_gbp >= 0),
    start_date date not null,
    end_date date not null check (end_date >= start_date)
);

create table if not exists costs (
    cost_id varchar primary key,
    project_id varchar not null,
    item varchar not null,
    amount_gbp decimal(18, 2) not null check (amount_gbp >= 0),
    frequency varchar not null,
    start_date date not null,
    end_date date check (end_date >= start_date),
    confidence_grade integer not null check (confidence_grade between 1 and 6)
);

create table if not exists benefits (
    benefit_id varchar primary key,
    project_id varchar not null,
    outcome varchar not null,
    benefit_type varchar not null,
    beneficiary_agency varchar not null,
    amount_gbp decimal(18, 2) not null check (amount_gbp >= 0),
    frequency varchar not null,
    start_date date not null,
    end_date date check (end_date >= start_date),
    deadweight_share double not null check (deadweight_share between 0 and 1),
    attribution_others_share double not null check (attribution_others_share between 0 and 1),
    drop_off_rate double not null check (drop_off_rate between 0 and 1),
    confidence_grade integer not null check (confidence_grade between 1 and 6)
);

-- optional columns added by the decision-grade method (files without them import as before)
alter table costs add column if not exists payer_agency varchar;
alter table costs add column if not exists price_year varchar;
alter table benefits add column if not exists persistence_months integer;
alter table benefits add column if not exists is_health_value boolean;
alter table benefits add column if not exists price_year varchar;
