-- keeps finance_project_years (one row per chosen project per financial year) for this connection, so the
-- finance tables built on it (the financial-year summary, the service-area table and the project rows) spread
-- the lines over their years once per export instead of once each: that spreading is most of their cost.
-- finance.py sets finance_project_years_source to this table while it builds them and drops it afterwards.
--
-- parameters: as finance_project_years ($as_of, $horizon_years, $project_ids, $fy_start_years)
create or replace temp table finance_project_years_chosen as
select * from finance_project_years($as_of, $horizon_years, $project_ids, $fy_start_years)
