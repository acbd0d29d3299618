-- saved scenarios: one row per named set of appraisal assumptions a council has saved.
-- The Base case is never stored here: it is derived from the reference tables (queries/scenarios.sql),
-- so it cannot be edited or deleted, and the check below stops a row from impersonating it.

create table if not exists scenarios (
    scenario_name varchar primary key check (
        length(trim(scenario_name)) between 1 and 80 and lower(trim(scenario_name)) <> 'base case'
    ),
    description varchar,
    discount_rate double not null check (discount_rate between 0 and 0.2),
    horizon_years integer not null check (horizon_years between 1 and 60),
    as_of_date date, -- null: judge risk as of the day the scenario is used
    optimism_bias double [] not null check (len(optimism_bias) = 6),
    cost_factor double not null check (cost_factor >= 0),
    benefit_factor double not null check (benefit_factor >= 0),
    deadweight_factor double not null check (deadweight_factor >= 0),
    attribution_factor double not null check (attribution_factor >= 0),
    drop_off_factor double not null check (drop_off_factor >= 0),
    grade_shift integer not null check (grade_shift between -5 and 5),
    saved_at timestamp not null
);
