-- stores one row per project with cost or benefit lines: its appraisal figures at the given assumptions, the
-- forward view from the month of $as_of (parameters as queries/macros/appraisal_project_figures.sql), in project
-- order
insert into project_figures_reference by name
select * from appraisal_project_figures($discount_rate, $horizon_years, $optimism_bias, $shifts, $as_of)
order by project_id
