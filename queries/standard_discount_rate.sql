-- one row: the Green Book discount rate for years 0 to 30 and its source
with

final as (
    select
        rate as discount_rate,
        source
    from ref_discount_rates
    where from_year = 0
)

select * from final
