-- a statement, not a report: rows of $table_name arrived for the projects in the registered frame cleared_ids,
-- so their flags on that table are answered

delete from import_flags
where
    table_name = $table_name
    and project_id in (select project_id from cleared_ids)
