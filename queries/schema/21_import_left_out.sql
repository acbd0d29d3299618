-- what an import left out on purpose (python -m dashboard import --skip-invalid, or the Data page's button after a
-- refusal): one row per problem of each grant left out, so the audit shows exactly what was not imported and why

create table if not exists import_left_out (
    import_id integer not null,
    row_number integer not null,
    identifier varchar,
    column_name varchar,
    value varchar,
    reason varchar not null
);
