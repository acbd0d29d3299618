-- the optional actuals template table: one row per actual amount in a month from the ledger (spend, funding
-- received, a saving made). Column names and types match dashboard/database/schema.py ACTUALS.

create table if not exists actuals (
    actual_id varchar primary key,
    project_id varchar not null,
    kind varchar not null check (kind in ('spend', 'funding_received', 'saving')),
    month date not null check (day(month) = 1),
    amount_gbp decimal(18, 2) not null,
    ledger_code varchar,
    note varchar
);
