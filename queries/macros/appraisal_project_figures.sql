-- table macro appraisal_project_figures: one row per project that has cost or benefit lines, with its
-- appraisal start, present values (cost, benefit, fiscal benefit; unrounded) and payback month. The
-- same figures as aggregating appraisal_line_months month by month (a test holds them equal to the
-- penny), but in closed form, so a million projects take about a second instead of expanding every
-- line into up to horizon x 12 monthly rows:
--
-- * present values: within one window year a line's monthly amount changes at most once (on the
--   anniversary of its start, by the drop-off) and the discount factor not at all, so a line's
--   discounted total is its first year, its last year, and in between a geometric series in
--   (drop-off x yearly discount ratio) for each run of years at one Green Book rate;
-- * payback: cumulative benefit minus cumulative cost is piecewise linear in the month, changing
--   slope only where a line starts, ends or drops off, so each project needs only those few
--   breakpoints, and the first month it reaches zero is found in closed form on the segment.
--
-- arguments: as appraisal_line_months (p_discount_rate, p_horizon_years, p_optimism_bias, p_shifts).

create or replace temp macro appraisal_project_figures(p_discount_rate, p_horizon_years, p_optimism_bias, p_shifts)
as table

with

params as (
    select * from appraisal_assumptions(p_discount_rate, p_horizon_years, p_optimism_bias, p_shifts)
),

stg_cost_lines as (
    select
        project_id,
        true as is_cost,
        false as is_fiscal,
        cast(amount_gbp as double) as amount_gbp,
        frequency,
        start_date,
        end_date,
        confidence_grade,
        0.0 as deadweight_share,
        0.0 as attribution_others_share,
        0.0 as drop_off_rate
    from costs
),

stg_benefit_lines as (
    select
        project_id,
        false as is_cost,
        benefit_type in ('fiscal_cashable', 'fiscal_non_cashable') as is_fiscal,
        cast(amount_gbp as double) as amount_gbp,
        frequency,
        start_date,
        end_date,
        confidence_grade,
        deadweight_share,
        attribution_others_share,
        drop_off_rate
    from benefits
),

lines as (
    select * from stg_cost_lines
    union all
    select * from stg_benefit_lines
),

line_starts as (
    -- read from the two tables rather than from lines, so lines has one consumer and is not materialised
    select
        project_id,
        min(start_date) as first_line_start_date
    from (
        select project_id, start_date from costs
        union all
        select project_id, start_date from benefits
    )
    group by project_id
),

windows as (
    select
        p.project_id,
        cast(date_trunc('month', least(p.start_date, ls.first_line_start_date)) as date) as appraisal_start_date
    from projects as p
    inner join line_starts as ls on p.project_id = ls.project_id
),

discount_years as (
    select * from appraisal_discount_years(p_discount_rate, p_horizon_years)
),

discount as (
    -- discount factors as a list indexed by window year + 1
    select list(discount_factor order by window_year) as factors
    from discount_years
),

rate_runs as (
    -- runs of window years (from year 1) over which the discount factor falls by one constant ratio
    select
        greatest(r.from_year, 1) as from_year,
        least(r.to_year, params.horizon_years - 1) as to_year,
        1 / (1 + params.discount_rate * r.rate / base.rate) as yearly_ratio
    from ref_discount_rates as r
    cross join params
    cross join (select rate from ref_discount_rates where from_year = 0) as base
    where greatest(r.from_year, 1) <= least(r.to_year, params.horizon_years - 1)
),

line_positions as (
    -- each line's first and last month of its project's window (before the horizon cuts it), its
    -- monthly amount after optimism bias, deadweight and attribution, and the share kept each year
    select
        l.project_id,
        l.is_cost,
        l.is_fiscal,
        datediff('month', w.appraisal_start_date, date_trunc('month', l.start_date)) as first_month,
        case
            when l.frequency = 'once' then datediff('month', w.appraisal_start_date, date_trunc('month', l.start_date))
            when l.end_date is null then params.horizon_months - 1
            else datediff('month', w.appraisal_start_date, date_trunc('month', l.end_date))
        end as last_month,
        params.horizon_months,
        case l.frequency
            when 'once' then l.amount_gbp
            when 'weekly' then l.amount_gbp * 52 / 12
            when 'monthly' then l.amount_gbp
            when 'annual' then l.amount_gbp / 12
        end * case when l.is_cost then params.cost_factor else params.benefit_factor end
        * case
            when l.is_cost then 1 + params.optimism_bias[greatest(1, least(6, l.confidence_grade + params.grade_shift))]
            else (1 - params.optimism_bias[greatest(1, least(6, l.confidence_grade + params.grade_shift))])
                * (1 - least(1.0, l.deadweight_share * params.deadweight_factor))
                * (1 - least(1.0, l.attribution_others_share * params.attribution_factor))
        end as monthly_gbp,
        case when l.is_cost then 1.0 else 1 - least(1.0, l.drop_off_rate * params.drop_off_factor) end as kept_share
    from lines as l
    inner join windows as w on l.project_id = w.project_id
    cross join params
),

line_spans as (
    -- the lines with at least one month in the window, cut at the horizon
    select
        project_id,
        is_cost,
        is_fiscal,
        first_month,
        least(last_month, horizon_months - 1) as last_month,
        horizon_months,
        monthly_gbp,
        kept_share
    from line_positions
    where first_month <= least(last_month, horizon_months - 1)
),

line_years as (
    -- the year shape of each line: first window year, last window year, and the month of the year it
    -- started in (from that month on, the drop-off of the new line year applies)
    select
        *,
        first_month // 12 as first_year,
        last_month // 12 as last_year,
        first_month % 12 as start_month_of_year
    from line_spans
),

line_edge_pv as (
    -- discounted amount in a line's first and last window years
    select
        ly.project_id,
        ly.is_cost,
        ly.is_fiscal,
        case
            when ly.first_year = ly.last_year
                then ly.monthly_gbp * (ly.last_month - ly.first_month + 1) * d.factors[ly.first_year + 1]
            else ly.monthly_gbp * (
                (12 - ly.start_month_of_year) * d.factors[ly.first_year + 1]
                + d.factors[ly.last_year + 1] * (
                    least(ly.last_month - 12 * ly.last_year + 1, ly.start_month_of_year)
                    * power(ly.kept_share, ly.last_year - ly.first_year - 1)
                    + greatest(ly.last_month - 12 * ly.last_year + 1 - ly.start_month_of_year, 0)
                    * power(ly.kept_share, ly.last_year - ly.first_year)
                )
            )
        end as pv_gbp
    from line_years as ly
    cross join discount as d
),

line_runs as (
    -- the whole window years strictly between a line's first and last years, cut into runs of years
    -- at one discount rate
    select
        ly.*,
        rr.yearly_ratio,
        greatest(ly.first_year + 1, rr.from_year) as run_from_year,
        least(ly.last_year - 1, rr.to_year) - greatest(ly.first_year + 1, rr.from_year) + 1 as run_years
    from line_years as ly
    cross join rate_runs as rr  -- a handful of rows: a filter is cheaper than an inequality join
    where ly.first_year + 1 <= ly.last_year - 1 and ly.first_year + 1 <= rr.to_year and rr.from_year <= ly.last_year - 1
),

line_middle_pv as (
    -- discounted amount in the whole years between: in year y the line pays start_month_of_year
    -- months at kept^(y - first - 1) and the rest at kept^(y - first); over a run of years at one
    -- rate the discount factor is factor(a) x ratio^(y - a), so the run sums a geometric series
    select
        lr.project_id,
        lr.is_cost,
        lr.is_fiscal,
        lr.monthly_gbp
        * (lr.start_month_of_year + (12 - lr.start_month_of_year) * lr.kept_share)
        * d.factors[lr.run_from_year + 1]
        * power(lr.kept_share, lr.run_from_year - lr.first_year - 1)
        * case
            when lr.kept_share * lr.yearly_ratio = 1 then lr.run_years
            else (1 - power(lr.kept_share * lr.yearly_ratio, lr.run_years)) / (1 - lr.kept_share * lr.yearly_ratio)
        end as pv_gbp
    from line_runs as lr
    cross join discount as d
),

present_values as (
    select
        project_id,
        sum(case when is_cost then pv_gbp else 0 end) as pv_cost_gbp,
        sum(case when not is_cost then pv_gbp else 0 end) as pv_benefit_gbp,
        sum(case when is_fiscal then pv_gbp else 0 end) as pv_fiscal_benefit_gbp
    from (
        select * from line_edge_pv
        union all
        select * from line_middle_pv
    )
    group by project_id
),

-- payback ---------------------------------------------------------------------------------------

slope_changes as (
    -- the months where a project's monthly net benefit (benefit minus cost) changes, and by how much:
    -- a line's start, each anniversary at which its drop-off applies, and the month after it ends
    select
        project_id,
        first_month as month_index,
        case when is_cost then -monthly_gbp else monthly_gbp end as slope_change_gbp,
        is_cost and monthly_gbp > 0 as starts_cost
    from line_spans
    union all
    select
        project_id,
        last_month + 1 as month_index,
        -(case when is_cost then -monthly_gbp else monthly_gbp end)
        * power(kept_share, (last_month - first_month) // 12) as slope_change_gbp,
        false as starts_cost
    from line_spans
    where last_month + 1 < horizon_months
    union all
    select
        project_id,
        first_month + 12 * line_year as month_index,
        monthly_gbp * (power(kept_share, line_year) - power(kept_share, line_year - 1)) as slope_change_gbp,
        false as starts_cost
    from (
        select
            *,
            unnest(range(1, (last_month - first_month) // 12 + 1)) as line_year
        from line_spans
        where not is_cost and kept_share < 1 and last_month - first_month >= 12
    )
),

breakpoints as (
    select
        project_id,
        month_index,
        sum(slope_change_gbp) as slope_change_gbp,
        bool_or(starts_cost) as starts_cost
    from slope_changes
    group by project_id, month_index
),

segments as (
    -- one row per stretch of months with a constant monthly net benefit: from this breakpoint to the
    -- month before the next, the net benefit a month, cumulative net benefit up to the month before
    -- (the sum over earlier changes of change x months since = month x sum of changes - sum of
    -- change x month), and whether any cost has started yet
    select
        project_id,
        month_index as from_month,
        lead(month_index, 1, horizon_months) over by_month - 1 as to_month,
        sum(slope_change_gbp) over by_month as net_gbp,
        month_index * sum(slope_change_gbp) over by_month
        - sum(slope_change_gbp * month_index) over by_month as cumulative_before_gbp,
        bool_or(starts_cost) over by_month as has_cost
    from breakpoints
    cross join (select horizon_months from params)
    window by_month as (partition by project_id order by month_index rows between unbounded preceding and current row)
),

segment_paybacks as (
    -- the first month of a segment at which cumulative net benefit reaches zero (to the 6th decimal
    -- place, as the monthly rule rounds), once some cost has been incurred
    select
        project_id,
        to_month,
        case
            when cumulative_before_gbp + net_gbp >= -5e-7 then from_month
            when net_gbp > 0 then from_month - 1 + ceil((-5e-7 - cumulative_before_gbp) / net_gbp)
        end as payback_month
    from segments
    where has_cost
),

payback as (
    select
        project_id,
        cast(min(payback_month) as bigint) + 1 as payback_months
    from segment_paybacks
    where payback_month <= to_month
    group by project_id
),

final as (
    select
        w.project_id,
        w.appraisal_start_date,
        coalesce(pv.pv_cost_gbp, 0) as pv_cost_gbp,
        coalesce(pv.pv_benefit_gbp, 0) as pv_benefit_gbp,
        coalesce(pv.pv_fiscal_benefit_gbp, 0) as pv_fiscal_benefit_gbp,
        pb.payback_months
    from windows as w
    left join present_values as pv on w.project_id = pv.project_id
    left join payback as pb on w.project_id = pb.project_id
)

select * from final
