-- one row per financial year whose prices can be converted to the council's price base year: every year in the
-- GDP deflator table, when the table also holds the price base year (otherwise none can be converted)
with

price_base as (
    select max(value) as price_base_year
    from ref_council
    where setting = 'price_base_year'
),

final as (
    select d.financial_year
    from ref_gdp_deflators as d
    where exists (
        select 1
        from ref_gdp_deflators as base
        inner join price_base as pb on base.financial_year = pb.price_base_year
    )
)

select * from final
order by financial_year
