-- one row per table in the attached database: its name and how many rows it holds (estimated by DuckDB)
with

final as (
    select
        table_name,
        estimated_size as estimated_row_count
    from duckdb_tables()
    where schema_name = 'main' and database_name = current_database()
)

select * from final
order by table_name
