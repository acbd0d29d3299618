-- a statement, not a report: appends one import attempt to the audit trail

insert into imports by name
select
    cast($import_id as integer) as import_id,
    cast($imported_at as timestamp) as imported_at,
    cast($imported_by as varchar) as imported_by,
    cast($source_name as varchar) as source_name,
    cast($source_sha256 as varchar) as source_sha256,
    cast($source_format as varchar) as source_format,
    cast($outcome as varchar) as outcome,
    cast($problem_count as integer) as problem_count,
    cast($warning_count as integer) as warning_count,
    cast($flagged_projects as integer) as flagged_projects,
    cast($summary as varchar) as summary
