-- one row: the file the connection's current database is stored in (null for an in-memory database)

with

final as (
    select path
    from duckdb_databases()
    where database_name = current_database()
)

select * from final
