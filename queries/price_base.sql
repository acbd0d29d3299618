-- one row: the council's price base year (every amount with a price year is converted to it) and the GDP deflator
-- table that converts them: how many years it holds, its first and last year and the source of the base year's
-- index (null when the table does not hold the base year)
with

price_base as (
    select max(value) as price_base_year
    from ref_council
    where setting = 'price_base_year'
),

final as (
    select
        pb.price_base_year,
        (select count(*) from ref_gdp_deflators) as deflator_years,
        (select min(financial_year) from ref_gdp_deflators) as first_deflator_year,
        (select max(financial_year) from ref_gdp_deflators) as last_deflator_year,
        d.source as base_year_source
    from price_base as pb
    left join ref_gdp_deflators as d on pb.price_base_year = d.financial_year
)

select * from final
