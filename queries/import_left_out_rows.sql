-- one row per problem of each row (grant) that one import ($import_id) left out, in row order
with

final as (
    select
        row_number,
        identifier,
        column_name,
        value,
        reason
    from import_left_out
    where import_id = $import_id
    order by row_number, column_name
)

select * from final
