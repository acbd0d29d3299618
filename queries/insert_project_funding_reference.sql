-- stores one row per project with funding lines: its committed funding and its secured funding chain on the first
-- day of the month of $as_of (see queries/macros/project_funding_figures.sql), in project order
insert into project_funding_reference by name
select * from project_funding_figures(cast(date_trunc('month', cast($as_of as date)) as date))
order by project_id
