-- scalar macro funding_window_end(as_of, within_months, by_date): the first day after a "funding ends within"
-- window, stated once for the Portfolio page's headline figures, its filter and its list. Within N months of
-- the as-of date runs to the day before the same date N months on (22 November 2026 + 6 months: up to
-- 21 May 2027); "by a date" includes that date. Null when neither is given (no end: any time from the as-of date).

create or replace temp macro funding_window_end(as_of, within_months, by_date) as
coalesce(
    cast(cast(as_of as date) + to_months(cast(within_months as integer)) as date),
    cast(cast(by_date as date) + 1 as date)
)
