-- the import audit trail: one row per import attempt (accepted or rejected), its row counts per table,
-- and the project fields an import could only fill with placeholders (still to fill in).

create table if not exists imports (
    import_id integer primary key,
    imported_at timestamp not null,
    imported_by varchar,
    source_name varchar not null,
    source_sha256 varchar not null,
    source_format varchar not null,
    outcome varchar not null check (outcome in ('imported', 'rejected')),
    problem_count integer not null,
    warning_count integer not null,
    flagged_projects integer not null,
    summary varchar not null
);

create table if not exists import_counts (
    import_id integer not null,
    table_name varchar not null,
    rows_added integer not null,
    rows_replaced integer not null,
    rows_rejected integer not null,
    primary key (import_id, table_name)
);

create table if not exists import_flags (
    project_id varchar not null,
    table_name varchar not null,
    field varchar not null,
    reason varchar not null,
    import_id integer not null,
    primary key (project_id, table_name, field)
);
