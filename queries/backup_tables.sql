-- one row per base table in the database's main schema, by name: what a backup counts and checks

with

final as (
    select table_name
    from duckdb_tables()
    where schema_name = 'main' and not temporary
    order by table_name
)

select * from final
