-- one row: the last day a cost line with no end date and no project end date runs to in the finance export
-- (finance_cost_cutoff_month), for the About sheet's words.
--
-- parameters: $as_of date, $horizon_years integer

with

final as (
    select last_day(finance_cost_cutoff_month($as_of, $horizon_years)) as cost_cutoff_date
)

select * from final
