-- one row per existing project whose id is in the registered frame incoming_ids, every column
with

final as (
    select p.*
    from projects as p
    where p.project_id in (select project_id from incoming_ids)
)

select * from final
