-- table macro finance_line_spans: one row per funding line or cost line with its first and last calendar
-- month of nominal cash and the UK financial years (by starting year) they fall in. The rules for when a
-- line's money runs are set out in finance_line_years.sql, which spreads each span over its years; the
-- financial-year picker reads the spans alone, without spreading.
--
-- arguments:
--   p_as_of          date     the as-of date (sets the cut-off for open-ended cost lines)
--   p_horizon_years  integer  whole financial years from the as-of year to the cut-off

create or replace temp macro finance_line_spans(p_as_of, p_horizon_years)
as table

with

params as (
    select
        finance_cost_cutoff_month(p_as_of, p_horizon_years) as cutoff_month
),

stg_funding_lines as (
    select
        funding_id as line_id,
        project_id,
        'funding' as side,
        funder,
        recurrent as is_recurrent,
        cast(null as varchar) as frequency,
        cast(null as varchar) as payer_agency,
        cast(round(amount_gbp * 100) as bigint) as amount_pence,
        cast(date_trunc('month', start_date) as date) as first_month,
        cast(date_trunc('month', end_date) as date) as last_month,
        -- the line total is spread over its months: running pence = amount x months so far / months
        cast(1 as bigint) as multiplier,
        cast(datediff('month', date_trunc('month', start_date), date_trunc('month', end_date)) + 1 as bigint)
            as divisor
    from funding
),

stg_cost_lines as (
    select
        c.cost_id as line_id,
        c.project_id,
        'spend' as side,
        cast(null as varchar) as funder,
        cast(null as boolean) as is_recurrent,
        c.frequency,
        -- who pays a cost line; one with no payer is paid from the adult social care budget (as the appraisal)
        coalesce(c.payer_agency, 'council_asc') as payer_agency,
        cast(round(c.amount_gbp * 100) as bigint) as amount_pence,
        cast(date_trunc('month', c.start_date) as date) as first_month,
        case
            when c.frequency = 'once' then cast(date_trunc('month', c.start_date) as date)
            when c.end_date is null then coalesce(cast(date_trunc('month', p.end_date) as date), params.cutoff_month)
            else cast(date_trunc('month', c.end_date) as date)
        end as last_month,
        -- running pence = amount x multiplier x months so far / divisor
        cast(case c.frequency when 'weekly' then 52 else 1 end as bigint) as multiplier,
        cast(case c.frequency when 'weekly' then 12 when 'annual' then 12 else 1 end as bigint) as divisor
    from costs as c
    inner join projects as p on c.project_id = p.project_id
    cross join params
),

lines as (
    select * from stg_funding_lines
    union all by name
    select * from stg_cost_lines
),

final as (
    select
        *,
        fy_start_year_of(first_month) as first_year,
        fy_start_year_of(last_month) as last_year
    from lines
    where first_month <= last_month
)

select * from final
