-- a statement, not a report: records the registered frame new_flags (one row per project field still to fill in)

insert or replace into import_flags by name
select
    project_id,
    table_name,
    field,
    reason,
    import_id
from new_flags
