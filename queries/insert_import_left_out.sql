-- a statement, not a report: appends what an import left out, one row per problem, from the registered frame
-- new_left_out

insert into import_left_out by name
select
    import_id,
    row_number,
    identifier,
    column_name,
    value,
    reason
from new_left_out
