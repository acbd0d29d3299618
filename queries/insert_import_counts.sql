-- a statement, not a report: appends one row per table of an import from the registered frame new_counts

insert into import_counts by name
select
    import_id,
    table_name,
    rows_added,
    rows_replaced,
    rows_rejected
from new_counts
