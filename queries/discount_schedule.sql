-- one row per band of years of the Green Book discount schedule: the standard rate, the health rate (QALY- and
-- WELLBY-valued lines) and the source, in year order (for the Assumptions page and the README's rules)
with

final as (
    select
        from_year,
        to_year,
        rate,
        health_rate,
        source
    from ref_discount_rates
)

select * from final
order by from_year
