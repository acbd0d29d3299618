-- one row per import that left rows out: how many rows (grants) it left out
with

final as (
    select
        import_id,
        cast(count(distinct row_number) as integer) as rows_left_out
    from import_left_out
    group by import_id
)

select * from final
