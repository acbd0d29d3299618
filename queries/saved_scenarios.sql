-- one row per saved scenario (the Base case is not stored: dashboard/rules/scenarios.py derives it from
-- the reference tables). as_of_date null means "judge risk as of today".
with

final as (
    select
        scenario_name,
        description,
        discount_rate,
        horizon_years,
        as_of_date,
        optimism_bias,
        cost_factor,
        benefit_factor,
        deadweight_factor,
        attribution_factor,
        drop_off_factor,
        grade_shift,
        saved_at
    from scenarios
)

select * from final
order by lower(scenario_name)
