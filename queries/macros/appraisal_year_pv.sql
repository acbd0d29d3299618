-- scalar macro appraisal_year_pv: the discounted amount of one line over months lo..hi of one window year (the
-- factor is that year's discount factor). In window month x the line pays monthly x kept ^ ((x - line_month) div
-- 12), its drop-off counted in whole years from its own start month (line_month, in the window's months, negative
-- when it started earlier). Within one year the drop-off steps at most once, on the line's anniversary: n1 months
-- at one power of kept, the rest at the next.

create or replace temp macro appraisal_year_pv(monthly, kept, line_month, lo, hi, factor) as
monthly * factor * (
    (least(hi, line_month + 12 * ((lo - line_month) // 12 + 1) - 1) - lo + 1)
    * power(kept, (lo - line_month) // 12)
    + case
        when hi > line_month + 12 * ((lo - line_month) // 12 + 1) - 1
            then (hi - (line_month + 12 * ((lo - line_month) // 12 + 1)) + 1) * power(kept, (lo - line_month) // 12 + 1)
        else 0
    end
)
