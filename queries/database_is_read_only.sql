-- one row: whether the database in use is attached read-only (true for every page and report connection)
with

final as (
    select readonly as is_read_only
    from duckdb_databases()
    where database_name = current_database()
)

select * from final
