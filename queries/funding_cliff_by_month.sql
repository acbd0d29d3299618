-- one row per calendar month from 12 months before to 36 months after the as-of month: secured
-- funding for the chosen projects spread evenly over each funding line's months, split recurrent
-- and time-limited, and the funding lines that end in that month (the funding cliff).
--
-- parameters: $as_of date, $project_ids varchar[] (the projects in view; null for every project)

with

params as (
    select cast(date_trunc('month', cast($as_of as date)) as date) as as_of_month
),

projects_in_view as (
    select project_id
    from projects_in_view($project_ids)
),

months as (
    select cast(params.as_of_month + to_months(offset_months) as date) as month_start_date
    from params
    cross join (select unnest(range(-12, 37)) as offset_months)
),

chosen_funding as (
    select
        f.funding_id,
        f.funder,
        f.recurrent as is_recurrent,
        cast(f.amount_gbp as double) as amount_gbp,
        cast(date_trunc('month', f.start_date) as date) as first_month,
        cast(date_trunc('month', f.end_date) as date) as last_month,
        datediff('month', date_trunc('month', f.start_date), date_trunc('month', f.end_date)) + 1 as month_count
    from funding as f
    inner join projects_in_view as v on f.project_id = v.project_id
),

changes as (
    -- each line's monthly amount starts in its first month in the window and stops after its last: adding
    -- up these changes month by month gives the secured funding of every month without pairing each line
    -- with each month (a few million lines at national scale)
    select
        greatest(cf.first_month, w.first_month_shown) as month_start_date,
        cf.is_recurrent,
        cf.amount_gbp / cf.month_count as change_gbp
    from chosen_funding as cf
    cross join (select min(month_start_date) as first_month_shown, max(month_start_date) as last_month_shown
        from months) as w
    where cf.last_month >= w.first_month_shown and cf.first_month <= w.last_month_shown
    union all
    select
        cast(cf.last_month + interval 1 month as date) as month_start_date,
        cf.is_recurrent,
        -cf.amount_gbp / cf.month_count as change_gbp
    from chosen_funding as cf
    cross join (select min(month_start_date) as first_month_shown, max(month_start_date) as last_month_shown
        from months) as w
    where cf.last_month >= w.first_month_shown and cf.last_month < w.last_month_shown
),

monthly_changes as (
    select
        m.month_start_date,
        coalesce(sum(c.change_gbp) filter (where c.is_recurrent), 0) as recurrent_change_gbp,
        coalesce(sum(c.change_gbp) filter (where not c.is_recurrent), 0) as time_limited_change_gbp
    from months as m
    left join changes as c on m.month_start_date = c.month_start_date
    group by m.month_start_date
),

monthly as (
    select
        month_start_date,
        sum(recurrent_change_gbp) over running as recurrent_funding_gbp,
        sum(time_limited_change_gbp) over running as time_limited_funding_gbp
    from monthly_changes
    window running as (order by month_start_date rows between unbounded preceding and current row)
),

endings as (
    select
        last_month as month_start_date,
        count(*) as funding_lines_ending,
        sum(amount_gbp) as funding_ending_gbp,
        sum(case when not is_recurrent then 1 else 0 end) as time_limited_lines_ending
    from chosen_funding
    group by last_month
),

final as (
    select
        mo.month_start_date,
        coalesce(mo.recurrent_funding_gbp, 0) as recurrent_funding_gbp,
        coalesce(mo.time_limited_funding_gbp, 0) as time_limited_funding_gbp,
        coalesce(mo.recurrent_funding_gbp, 0) + coalesce(mo.time_limited_funding_gbp, 0) as secured_funding_gbp,
        coalesce(e.funding_lines_ending, 0) as funding_lines_ending,
        coalesce(e.time_limited_lines_ending, 0) as time_limited_lines_ending,
        coalesce(e.funding_ending_gbp, 0) as funding_ending_gbp
    from monthly as mo
    left join endings as e on mo.month_start_date = e.month_start_date
)

select * from final
order by month_start_date
