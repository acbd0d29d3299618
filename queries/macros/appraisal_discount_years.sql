-- table macro appraisal_discount_years: one row per whole year t of an appraisal window (0 .. horizon - 1) with
-- its Green Book discount factors: the product of 1 / (1 + rate) over years 1..t, the rate for each year
-- following ref_discount_rates. discount_factor uses the standard schedule, scaled so that years 0-30 use
-- p_discount_rate (a chosen rate scales the standard schedule only); health_discount_factor uses the Green
-- Book health schedule (health_rate) as published, for QALY- and WELLBY-valued lines. Shared by every
-- appraisal macro, so the month-by-month model and the closed form discount alike.
--
-- arguments: p_discount_rate double, p_horizon_years integer

create or replace temp macro appraisal_discount_years(p_discount_rate, p_horizon_years)
as table

with

params as (
    select
        cast(p_discount_rate as double) as discount_rate,
        cast(p_horizon_years as integer) as horizon_years
),

final as (
    select
        y.window_year,
        exp(-sum(case when y.window_year = 0 then 0 else ln(1 + params.discount_rate * r.rate / base.rate) end)
            over (order by y.window_year)) as discount_factor,
        exp(-sum(case when y.window_year = 0 then 0 else ln(1 + r.health_rate) end)
            over (order by y.window_year)) as health_discount_factor
    from (select unnest(range(0, horizon_years)) as window_year from params) as y
    cross join params
    inner join ref_discount_rates as r on y.window_year between r.from_year and r.to_year
    cross join (select rate from ref_discount_rates where from_year = 0) as base
)

select * from final
