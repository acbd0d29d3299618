-- table macro appraisal_line_pvs: the present value of every cost or benefit line in every appraisal view
-- (appraisal_line_spans), in pieces: one row for its first active year, one for its last when that is another
-- year, and one for each run of whole years between at one Green Book rate. Add the pieces up (by project,
-- line, agency...) for a line's present value and its undiscounted amount in the window's first month.
-- Present values are in closed form, the same to the penny as adding up appraisal_line_months month by month
-- (a test holds them equal), so a million projects take about a second:
--
-- In month x of a window a line pays monthly_gbp x kept_share ^ ((x - line_month) div 12), its drop-off
-- counted in whole years from its own start month, times the discount factor of year x div 12. Within one
-- window year the drop-off steps at most once (on the line's anniversary) and the discount factor not at all,
-- so a line's first and last active years are worked out directly, and every whole year between pays
-- n1 months at one power of kept_share and 12 - n1 at the next; over a run of years at one Green Book rate
-- that is a geometric series in kept_share x the yearly discount ratio.
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

discount as (
    -- both schedules as lists indexed by window year + 1
    select
        list(discount_factor order by window_year) as factors,
        list(health_discount_factor order by window_year) as health_factors
    from appraisal_discount_years(p_discount_rate, p_horizon_years)
),

rate_runs as (
    -- runs of window years (from year 1) over which each schedule's factor falls by one constant ratio
    select
        greatest(r.from_year, 1) as from_year,
        least(r.to_year, params.horizon_years - 1) as to_year,
        1 / (1 + params.discount_rate * r.rate / base.rate) as yearly_ratio,
        1 / (1 + r.health_rate) as health_yearly_ratio
    from ref_discount_rates as r
    cross join params
    cross join (select rate from ref_discount_rates where from_year = 0) as base
    where greatest(r.from_year, 1) <= least(r.to_year, params.horizon_years - 1)
),

spans as (
    select
        *,
        first_month // 12 as first_year,
        last_month // 12 as last_year,
        ((line_month % 12) + 12) % 12 as line_month_of_year
    from appraisal_line_spans(
        p_horizon_years, p_optimism_bias, p_shifts, p_views,
        p_as_of := p_as_of, p_stop_date := p_stop_date, p_project_id := p_project_id
    )
),

edges as (
    -- the first active year and, when different, the last: months lo..hi
    select
        *,
        first_year as edge_year,
        first_month as lo,
        case when first_year = last_year then last_month else 12 * first_year + 11 end as hi
    from spans
    union all
    select
        *,
        last_year as edge_year,
        12 * last_year as lo,
        last_month as hi
    from spans
    where last_year > first_year
),

edge_pieces as (
    -- months lo..hi at drop_years of drop-off up to the line's next anniversary (n1 months), then one more
    select
        *,
        (lo - line_month) // 12 as drop_years,
        least(hi, line_month + 12 * ((lo - line_month) // 12 + 1) - 1) - lo + 1 as n1
    from edges
),

edge_pv as (
    select
        ep.project_id,
        ep.line_id,
        ep.view,
        ep.is_cost,
        ep.side,
        ep.benefit_type,
        ep.agency,
        ep.is_fiscal,
        ep.is_cashable,
        ep.is_health_value,
        ep.window_start_month,
        ep.monthly_gbp
        * (case when ep.is_health_value then d.health_factors else d.factors end)[ep.edge_year + 1]
        * (
            ep.n1 * power(ep.kept_share, ep.drop_years)
            + case
                when ep.hi - ep.lo + 1 > ep.n1
                    then (ep.hi - ep.lo + 1 - ep.n1) * power(ep.kept_share, ep.drop_years + 1)
                else 0
            end
        ) as pv_gbp,
        case when ep.lo = 0 then ep.monthly_gbp * power(ep.kept_share, ep.drop_years) else 0 end as first_month_gbp
    from edge_pieces as ep
    cross join discount as d
),

middle_runs as (
    -- the whole years strictly between a line's first and last active years, cut into runs at one rate. In
    -- such a year y the line pays n1 months at kept ^ (y - c) and 12 - n1 at kept ^ (y - c + 1), where the line
    -- started in month line_month_of_year of a year: n1 = that month (12 when it is 0), c = the number of
    -- whole years from the window start to the line's first anniversary year
    select
        s.*,
        case when s.is_health_value then rr.health_yearly_ratio else rr.yearly_ratio end as yearly_ratio,
        greatest(s.first_year + 1, rr.from_year) as run_from_year,
        least(s.last_year - 1, rr.to_year) - greatest(s.first_year + 1, rr.from_year) + 1 as run_years,
        case when s.line_month_of_year > 0 then s.line_month_of_year else 12 end as n1,
        (s.line_month - s.line_month_of_year) // 12 + case when s.line_month_of_year > 0 then 1 else 0 end as c
    from spans as s
    cross join rate_runs as rr  -- a handful of rows: a filter is cheaper than an inequality join
    where s.first_year + 1 <= s.last_year - 1 and s.first_year + 1 <= rr.to_year and rr.from_year <= s.last_year - 1
),

middle_pv as (
    select
        mr.project_id,
        mr.line_id,
        mr.view,
        mr.is_cost,
        mr.side,
        mr.benefit_type,
        mr.agency,
        mr.is_fiscal,
        mr.is_cashable,
        mr.is_health_value,
        mr.window_start_month,
        mr.monthly_gbp
        * (mr.n1 + (12 - mr.n1) * mr.kept_share)
        * (case when mr.is_health_value then d.health_factors else d.factors end)[mr.run_from_year + 1]
        * power(mr.kept_share, mr.run_from_year - mr.c)
        * case
            when mr.kept_share * mr.yearly_ratio = 1 then mr.run_years
            else (1 - power(mr.kept_share * mr.yearly_ratio, mr.run_years)) / (1 - mr.kept_share * mr.yearly_ratio)
        end as pv_gbp,
        0.0 as first_month_gbp
    from middle_runs as mr
    cross join discount as d
),

final as (
    select * from edge_pv
    union all
    select * from middle_pv
)

select * from final
