-- scalar macro finance_cost_cutoff_month(as_of, horizon_years): the last month (its first day) a cost line with no
-- end date and no project end date runs to in the finance export: March closing the horizon, counted in whole
-- financial years from the as-of date's (as of 2026-12-01 over 10 years: 2036-03-01). The export's About sheet
-- reads the same date through queries/finance_cost_cutoff.sql.

create or replace temp macro finance_cost_cutoff_month(as_of, horizon_years) as
make_date(fy_start_year_of(cast(as_of as date)) + cast(horizon_years as integer), 3, 1)
