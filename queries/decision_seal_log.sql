-- one row per seal over records made before keyed seals (normally none or one), oldest first

with

final as (
    select *
    from decision_seals
)

select * from final
order by sealed_at_utc
