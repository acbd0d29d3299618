-- table macro appraisal_lines: one row per cost or benefit line, staged once for every appraisal query (the
-- closed form, the month-by-month model, the cost of stopping): its period in calendar months, its monthly
-- amount in the council's price base after the scenario shifts and the GMCA adjustments, and the share of it
-- kept each year after drop-off. The rules stated here are used everywhere; nothing downstream restates them.
--
-- * Period. A line starts in the month of its start date. A one-off line ends there too. A line with an end
--   date ends in that month (an explicit end date always wins). A cost line with no end date ends in the month
--   of its project's planned end date; a benefit line with no end date ends persistence_months after that
--   month; with no planned end date either, the line is open (line_end_month null) and runs to the end of
--   whichever window is being appraised.
-- * Monthly amount. once -> the amount in its month; weekly -> amount x 52 / 12; monthly -> amount;
--   annual -> amount / 12. Amounts stated in another price year are converted to the council's price base
--   year (ref_council price_base_year) by amount x index[base] / index[price_year] (ref_gdp_deflators).
-- * Adjustments. Costs x (1 + optimism bias for the line's confidence grade); benefits x (1 - optimism bias)
--   x (1 - deadweight) x (1 - attribution to others); benefits keep (1 - drop-off) of their value for each
--   whole year since the line's own start month (kept_share), applied by the window macros.
-- * Who. payer_agency for costs (blank: the council's adult social care budget), beneficiary_agency for
--   benefits, both as agency.
--
-- arguments:
--   p_optimism_bias  double[] optimism bias share for confidence grades 1..6, in order
--   p_shifts         struct   scenario shifts (see appraisal_assumptions)
--   p_project_id     varchar  optional: one project only, filtered before anything else

create or replace temp macro appraisal_lines(p_optimism_bias, p_shifts, p_project_id := null)
as table

with

params as (
    select * from appraisal_assumptions(0.0, 1, p_optimism_bias, p_shifts)
),

price_base as (
    select max(value) as price_base_year
    from ref_council
    where setting = 'price_base_year'
),

deflators as (
    -- the conversion factor to the price base for every financial year in the table
    select
        d.financial_year as price_year,
        base.index / d.index as to_price_base
    from ref_gdp_deflators as d
    cross join price_base as pb
    left join ref_gdp_deflators as base on pb.price_base_year = base.financial_year
),

line_starts as (
    -- read from the two tables on their own, so the lines themselves are staged in one pass
    select
        project_id,
        min(start_date) as first_line_start_date
    from (
        select project_id, start_date from costs
        union all
        select project_id, start_date from benefits
    )
    where cast(p_project_id as varchar) is null or project_id = cast(p_project_id as varchar)
    group by project_id
),

stg_projects as (
    -- a project's whole-life appraisal starts in the month of the earliest of its start date and its lines' starts
    select
        p.project_id,
        cast(date_trunc('month', p.end_date) as date) as project_end_month,
        cast(date_trunc('month', least(p.start_date, ls.first_line_start_date)) as date) as appraisal_start_month
    from projects as p
    inner join line_starts as ls on p.project_id = ls.project_id
),

stg_cost_lines as (
    select
        cost_id as line_id,
        project_id,
        true as is_cost,
        item as line_name,
        cast(null as varchar) as benefit_type,
        coalesce(payer_agency, 'council_asc') as agency,
        cast(amount_gbp as double) as amount_gbp,
        frequency,
        start_date,
        end_date,
        price_year,
        confidence_grade,
        0.0 as deadweight_share,
        0.0 as attribution_others_share,
        0.0 as drop_off_rate,
        0 as persistence_months,
        false as is_health_value
    from costs
    where cast(p_project_id as varchar) is null or project_id = cast(p_project_id as varchar)
),

stg_benefit_lines as (
    select
        benefit_id as line_id,
        project_id,
        false as is_cost,
        outcome as line_name,
        benefit_type,
        beneficiary_agency as agency,
        cast(amount_gbp as double) as amount_gbp,
        frequency,
        start_date,
        end_date,
        price_year,
        confidence_grade,
        deadweight_share,
        attribution_others_share,
        drop_off_rate,
        coalesce(persistence_months, 0) as persistence_months,
        coalesce(is_health_value, false) as is_health_value
    from benefits
    where cast(p_project_id as varchar) is null or project_id = cast(p_project_id as varchar)
),

lines as (
    select * from stg_cost_lines
    union all by name
    select * from stg_benefit_lines
),

final as (
    select
        l.project_id,
        l.line_id,
        l.is_cost,
        case when l.is_cost then 'cost' else 'benefit' end as side,
        l.line_name,
        l.benefit_type,
        l.agency,
        coalesce(l.benefit_type in ('fiscal_cashable', 'fiscal_non_cashable'), false) as is_fiscal,
        coalesce(l.benefit_type = 'fiscal_cashable', false) as is_cashable,
        l.is_health_value,
        l.frequency,
        l.frequency <> 'once' as is_recurring,
        l.persistence_months,
        l.price_year,
        cast(date_trunc('month', l.start_date) as date) as line_start_month,
        case
            when l.frequency = 'once' then cast(date_trunc('month', l.start_date) as date)
            when l.end_date is not null then cast(date_trunc('month', l.end_date) as date)
            when p.project_end_month is null then null
            when l.is_cost then p.project_end_month
            else cast(p.project_end_month + to_months(l.persistence_months) as date)
        end as line_end_month,
        -- for the cost of stopping: the line's own end and its project's planned end, without persistence
        cast(date_trunc('month', l.end_date) as date) as explicit_end_month,
        p.project_end_month,
        p.appraisal_start_month,
        case l.frequency
            when 'once' then l.amount_gbp
            when 'weekly' then l.amount_gbp * 52 / 12
            when 'monthly' then l.amount_gbp
            when 'annual' then l.amount_gbp / 12
        end
        * case
            when l.price_year is null then 1.0
            when d.to_price_base is null
                then error('No GDP deflator converts price year ' || l.price_year || ' to the price base year')
            else d.to_price_base
        end
        * case when l.is_cost then params.cost_factor else params.benefit_factor end
        * case
            when l.is_cost then 1 + params.optimism_bias[greatest(1, least(6, l.confidence_grade + params.grade_shift))]
            else (1 - params.optimism_bias[greatest(1, least(6, l.confidence_grade + params.grade_shift))])
                * (1 - least(1.0, l.deadweight_share * params.deadweight_factor))
                * (1 - least(1.0, l.attribution_others_share * params.attribution_factor))
        end as monthly_gbp,
        case when l.is_cost then 1.0 else 1 - least(1.0, l.drop_off_rate * params.drop_off_factor) end as kept_share
    from lines as l
    inner join stg_projects as p on l.project_id = p.project_id
    cross join params
    left join deflators as d on l.price_year = d.price_year
)

select * from final
