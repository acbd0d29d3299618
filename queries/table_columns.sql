-- one row per column of the named table in the main database
with

final as (
    select column_name
    from duckdb_columns()
    where table_name = $table_name and schema_name = 'main'
)

select * from final
