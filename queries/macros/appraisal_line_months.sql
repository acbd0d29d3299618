-- table macro appraisal_line_months: one row per cost or benefit line per month of its project's
-- appraisal window, with the adjusted amount (optimism bias, deadweight, attribution, drop-off) and
-- the Green Book discount factor. Every appraisal figure (project metrics, the project chart, the
-- cost of stopping) is an aggregate of this, so they cannot disagree.
--
-- arguments:
--   p_discount_rate  double   Green Book rate for years 0-30 (later years follow the declining schedule, scaled)
--   p_horizon_years  integer  length of each project's appraisal window
--   p_optimism_bias  double[] optimism bias share for confidence grades 1..6, in order
--   p_shifts         struct   scenario shifts (all 1.0 / 0 in the base case):
--                             cost_factor, benefit_factor (multiply every cost / benefit amount),
--                             deadweight_factor, attribution_factor, drop_off_factor (multiply those
--                             shares, capped at 1), grade_shift (added to every confidence grade, kept in 1..6)
--   p_project_id     varchar  optional (p_project_id := $project_id): one project only, filtered before the months
--                             are expanded, so one project's months cost the same at any portfolio size

create or replace temp macro appraisal_line_months(
    p_discount_rate, p_horizon_years, p_optimism_bias, p_shifts, p_project_id := null
)
as table

with

params as (
    select * from appraisal_assumptions(p_discount_rate, p_horizon_years, p_optimism_bias, p_shifts)
),

stg_cost_lines as (
    select
        cost_id as line_id,
        project_id,
        'cost' as side,
        item as line_name,
        cast(null as varchar) as benefit_type,
        cast(null as varchar) as beneficiary_agency,
        cast(amount_gbp as double) as amount_gbp,
        frequency,
        start_date,
        end_date,
        confidence_grade,
        0.0 as deadweight_share,
        0.0 as attribution_others_share,
        0.0 as drop_off_rate
    from costs
    where cast(p_project_id as varchar) is null or project_id = cast(p_project_id as varchar)
),

stg_benefit_lines as (
    select
        benefit_id as line_id,
        project_id,
        'benefit' as side,
        outcome as line_name,
        benefit_type,
        beneficiary_agency,
        cast(amount_gbp as double) as amount_gbp,
        frequency,
        start_date,
        end_date,
        confidence_grade,
        deadweight_share,
        attribution_others_share,
        drop_off_rate
    from benefits
    where cast(p_project_id as varchar) is null or project_id = cast(p_project_id as varchar)
),

lines as (
    select * from stg_cost_lines
    union all by name
    select * from stg_benefit_lines
),

windows as (
    select
        p.project_id,
        cast(date_trunc('month', least(p.start_date, min(l.start_date))) as date) as appraisal_start_date
    from projects as p
    left join lines as l on p.project_id = l.project_id
    where cast(p_project_id as varchar) is null or p.project_id = cast(p_project_id as varchar)
    group by p.project_id, p.start_date
),

discount_years as (
    select * from appraisal_discount_years(p_discount_rate, p_horizon_years)
),

line_spans as (
    select
        l.*,
        w.appraisal_start_date,
        datediff('month', w.appraisal_start_date, date_trunc('month', l.start_date)) as first_month,
        case
            when l.frequency = 'once'
                then datediff('month', w.appraisal_start_date, date_trunc('month', l.start_date))
            when l.end_date is null then params.horizon_months - 1
            else least(
                datediff('month', w.appraisal_start_date, date_trunc('month', l.end_date)),
                params.horizon_months - 1
            )
        end as last_month,
        case l.frequency
            when 'once' then l.amount_gbp
            when 'weekly' then l.amount_gbp * 52 / 12
            when 'monthly' then l.amount_gbp
            when 'annual' then l.amount_gbp / 12
        end * case when l.side = 'cost' then params.cost_factor else params.benefit_factor end as monthly_amount_gbp,
        params.optimism_bias[greatest(1, least(6, l.confidence_grade + params.grade_shift))] as optimism_bias_share,
        least(1.0, l.deadweight_share * params.deadweight_factor) as adjusted_deadweight_share,
        least(1.0, l.attribution_others_share * params.attribution_factor) as adjusted_attribution_share,
        least(1.0, l.drop_off_rate * params.drop_off_factor) as adjusted_drop_off_rate
    from lines as l
    inner join windows as w on l.project_id = w.project_id
    cross join params
),

line_months as (
    select
        *,
        unnest(range(first_month, last_month + 1)) as month_index
    from line_spans
    where first_month <= last_month
),

final as (
    select
        lm.project_id,
        lm.line_id,
        lm.side,
        lm.line_name,
        lm.benefit_type,
        lm.beneficiary_agency,
        lm.month_index,
        cast(lm.appraisal_start_date + to_months(lm.month_index) as date) as month_start_date,
        lm.month_index // 12 as window_year,
        case
            when lm.side = 'cost' then lm.monthly_amount_gbp * (1 + lm.optimism_bias_share)
            else lm.monthly_amount_gbp * (1 - lm.optimism_bias_share) * (1 - lm.adjusted_deadweight_share)
                * (1 - lm.adjusted_attribution_share)
                * power(1 - lm.adjusted_drop_off_rate, (lm.month_index - lm.first_month) // 12)
        end as adjusted_gbp,
        d.discount_factor
    from line_months as lm
    inner join discount_years as d on lm.month_index // 12 = d.window_year
)

select * from final
