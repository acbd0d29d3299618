-- one row per incoming row whose id differs only in capitals from an id on an earlier row of the same table in the
-- same upload ("PX1" then "px1"): ids are compared case-sensitively, so they would otherwise become two things
with incoming as (
    select table_name, id, row_number
    from incoming_ids
),

clashing_groups as (
    select table_name, lower(id) as folded_id
    from incoming
    group by table_name, lower(id)
    having min(id) <> max(id)  -- two spellings or more (cheaper than counting distinct ids)
),

ranked as (
    select
        i.table_name,
        i.id,
        i.row_number,
        first_value(i.id) over by_spelling as first_id,
        first_value(i.row_number) over by_spelling as first_row
    from incoming as i
    inner join clashing_groups as g on g.table_name = i.table_name and g.folded_id = lower(i.id)
    window by_spelling as (partition by i.table_name, lower(i.id) order by i.row_number)
),

final as (
    select table_name, row_number, id, first_id, first_row
    from ranked
    where id <> first_id
)

select * from final
