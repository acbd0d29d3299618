-- one row: the id the next import record takes (imports are serialised by the writer lock)
with

final as (
    select coalesce(max(import_id), 0) + 1 as next_import_id
    from imports
)

select * from final
