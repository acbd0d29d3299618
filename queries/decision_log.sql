-- one row per recorded decision, every stored column, in the order they were recorded (the hash chain's order)

with

final as (
    select *
    from decisions
)

select * from final
order by sequence_no
