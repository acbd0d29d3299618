-- table macro appraisal_line_pvs: one row per cost or benefit line per appraisal view in which it has at least one
-- month (appraisal_line_spans), with its present value over its active months and its undiscounted amount in the
-- window's first month. In closed form, the same to the penny as adding up appraisal_line_months month by month (a
-- test holds them equal), so a million projects take a second or two instead of expanding every line into months:
--
-- In window month x a line pays monthly_gbp x kept_share ^ ((x - line_month) div 12), its drop-off counted in whole
-- years from its own start month, times the discount factor of year x div 12. Within one window year the drop-off
-- steps at most once (on the line's anniversary) and the discount factor not at all, so a line's first and last
-- active years are worked out directly (appraisal_year_pv), and the whole years between, over each run of years at
-- one Green Book rate, as a geometric series (appraisal_run_pv). The Green Book schedule has six bands of years, so
-- the runs are added up over at most six (a schedule with more is refused, not silently cut).
--
-- The span's columns come along (first_month, last_month, line_month, monthly_gbp, kept_share, window_months), so a
-- caller can also work out the shape of its flows (the payback) without staging the lines again.
--
-- arguments: p_discount_rate, and everything appraisal_line_spans takes (p_horizon_years, p_optimism_bias,
-- p_shifts, p_views, p_as_of, p_stop_date, p_project_id).

create or replace temp macro appraisal_line_pvs(
    p_discount_rate,
    p_horizon_years,
    p_optimism_bias,
    p_shifts,
    p_views,
    p_as_of := null,
    p_stop_date := null,
    p_project_id := null
)
as table

with

params as (
    select
        cast(p_discount_rate as double) as discount_rate,
        cast(p_horizon_years as integer) as horizon_years
),

factors as (
    -- both schedules' factors as lists indexed by window year + 1
    select
        list(discount_factor order by window_year) as factors,
        list(health_discount_factor order by window_year) as health_factors
    from appraisal_discount_years(p_discount_rate, p_horizon_years)
),

rate_runs as (
    -- the runs of window years (from year 1) over which each schedule's factor falls by one constant ratio, as
    -- lists padded to six runs (a padding run starts after every window ends, so it never overlaps one)
    select
        list_resize(list(greatest(r.from_year, 1) order by r.from_year), 6, 1000000) as run_from_years,
        list_resize(list(r.to_year order by r.from_year), 6, 0) as run_to_years,
        list_resize(list(1 / (1 + params.discount_rate * r.rate / base.rate) order by r.from_year), 6, 1.0)
            as run_ratios,
        list_resize(list(1 / (1 + r.health_rate) order by r.from_year), 6, 1.0) as run_health_ratios,
        case when count(*) > 6 then error('The discount schedule may have at most six bands of years') end
            as too_many_bands
    from ref_discount_rates as r
    cross join params
    cross join (select rate from ref_discount_rates where from_year = 0) as base
),

discount as (
    select * from factors cross join rate_runs
),

spans as (
    select
        s.*,
        s.first_month // 12 as first_year,
        s.last_month // 12 as last_year,
        ((s.line_month % 12) + 12) % 12 as line_month_of_year
    from appraisal_line_spans(
        p_horizon_years, p_optimism_bias, p_shifts, p_views,
        p_as_of := p_as_of, p_stop_date := p_stop_date, p_project_id := p_project_id
    ) as s
),

shaped as (
    -- per line: its factors and run ratios, its first and last active years, and the shape of a whole year between
    -- (n1 months at kept ^ (y - c), the rest at kept ^ (y - c + 1), folded into year_coef)
    select
        s.*,
        case when s.is_health_value then d.health_factors else d.factors end as line_factors,
        case when s.is_health_value then d.run_health_ratios else d.run_ratios end as line_ratios,
        d.run_from_years,
        d.run_to_years,
        s.monthly_gbp * (
            case when s.line_month_of_year > 0 then s.line_month_of_year else 12 end
            + (12 - case when s.line_month_of_year > 0 then s.line_month_of_year else 12 end) * s.kept_share
        ) as year_coef,
        (s.line_month - s.line_month_of_year) // 12 + case when s.line_month_of_year > 0 then 1 else 0 end as c
    from spans as s
    cross join discount as d
    where d.too_many_bands is null
),

final as (
    select
        project_id,
        line_id,
        view,
        is_cost,
        side,
        benefit_type,
        agency,
        is_fiscal,
        is_cashable,
        is_health_value,
        window_start_month,
        window_months,
        line_month,
        first_month,
        last_month,
        monthly_gbp,
        kept_share,
        -- the first active year, the last when it is another, and the whole years between, run by run
        appraisal_year_pv(
            monthly_gbp, kept_share, line_month, first_month,
            case when first_year = last_year then last_month else 12 * first_year + 11 end,
            line_factors[first_year + 1]
        )
        + case
            when last_year > first_year
                then appraisal_year_pv(
                    monthly_gbp, kept_share, line_month, 12 * last_year, last_month, line_factors[last_year + 1]
                )
            else 0
        end
        + appraisal_run_pv(
            year_coef, kept_share, c, greatest(first_year + 1, run_from_years[1]), least(last_year - 1, run_to_years[1]),
            line_factors[greatest(first_year + 1, run_from_years[1]) + 1], line_ratios[1]
        )
        -- later runs of rates only for lines whose whole years reach them (years 31 on, in the Green Book's)
        + case
            when last_year - 1 >= run_from_years[2] then
            appraisal_run_pv(
                year_coef, kept_share, c, greatest(first_year + 1, run_from_years[2]),
                least(last_year - 1, run_to_years[2]), line_factors[greatest(first_year + 1, run_from_years[2]) + 1],
                line_ratios[2]
            )
            + appraisal_run_pv(
                year_coef, kept_share, c, greatest(first_year + 1, run_from_years[3]),
                least(last_year - 1, run_to_years[3]), line_factors[greatest(first_year + 1, run_from_years[3]) + 1],
                line_ratios[3]
            )
            + appraisal_run_pv(
                year_coef, kept_share, c, greatest(first_year + 1, run_from_years[4]),
                least(last_year - 1, run_to_years[4]), line_factors[greatest(first_year + 1, run_from_years[4]) + 1],
                line_ratios[4]
            )
            + appraisal_run_pv(
                year_coef, kept_share, c, greatest(first_year + 1, run_from_years[5]),
                least(last_year - 1, run_to_years[5]), line_factors[greatest(first_year + 1, run_from_years[5]) + 1],
                line_ratios[5]
            )
            + appraisal_run_pv(
                year_coef, kept_share, c, greatest(first_year + 1, run_from_years[6]),
                least(last_year - 1, run_to_years[6]), line_factors[greatest(first_year + 1, run_from_years[6]) + 1],
                line_ratios[6]
            )
            else 0
        end as pv_gbp,
        case when first_month = 0 then monthly_gbp * power(kept_share, (0 - line_month) // 12) else 0 end
            as first_month_gbp
    from shaped
)

select * from final
