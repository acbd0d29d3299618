-- scalar macro fy_start_year_of(d): the UK financial year (1 April to 31 March) a date falls in, as the calendar
-- year it starts in (2026-03-31 -> 2025, 2026-04-01 -> 2026). Stated once for every query and macro; Python only
-- writes the label (dashboard/rules/formatting.py financial_year).

create or replace temp macro fy_start_year_of(d) as
year(d) - case when month(d) < 4 then 1 else 0 end
