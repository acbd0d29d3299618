-- scalar macro appraisal_year_pv: the discounted amount of one line over months lo..hi of one window year (the
-- factor is that year's discount factor). In window month x the line pays monthly x kept ^ ((x - line_month) div
-- 12), its drop-off counted in whole years from its own start month (line_month, in the window's months, negative
-- when it started earlier). Within one year the drop-off steps at most once, on the line's anniversary: the months
-- up to the month before it at kept ^ n (n whole years from the line's start to lo), the rest at kept ^ (n + 1), so
-- monthly x factor x kept ^ n x (months before + months from the anniversary x kept), with one power.

create or replace temp macro appraisal_year_pv(monthly, kept, line_month, lo, hi, factor) as
monthly * factor * power(kept, (lo - line_month) // 12) * (
    least(hi, line_month + 12 * ((lo - line_month) // 12 + 1) - 1) - lo + 1
    + greatest(hi - (line_month + 12 * ((lo - line_month) // 12 + 1) - 1), 0) * kept
)
