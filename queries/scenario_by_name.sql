-- one row (or none) per saved scenario whose name matches $scenario_name, ignoring case and
-- surrounding spaces
with

final as (
    select scenario_name
    from scenarios
    where lower(trim(scenario_name)) = lower(trim(cast($scenario_name as varchar)))
)

select * from final
