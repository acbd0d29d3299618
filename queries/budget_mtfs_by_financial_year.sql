-- one row per financial year of the five from the one holding the as-of date: the council's budget view for a
-- medium-term financial strategy. Council-paid planned spend (nominal, cost lines paid by council_asc or with no
-- payer); council cashable savings (the appraisal's adjusted, undiscounted fiscal cashable benefits to
-- council_asc): the in-year effect, the year's months added up, and the full-year effect, 12 x the March amount
-- (what the year's position is worth in a whole year); net effect on the adult social care budget = council-paid
-- spend - in-year savings (positive is a net cost); funding secured (committed funding lines in the year); unfunded
-- gap = the sum over projects of max(council-paid spend - funding secured, 0) in the year.
--
-- parameters: $as_of, $finance_horizon_years, $horizon_years, $optimism_bias, $shifts (as
-- budget_monitoring)
--
-- Each line's money is added up over the five years (and their Marches) directly (budget_plan_windows), not month
-- by month.

with

params as (
    select fy_start_year_of(cast($as_of as date)) as first_year
),

years as (
    select cast(unnest(range(params.first_year, params.first_year + 5)) as integer) as fy_start_year
    from params
),

windows as (
    -- window 1..5: the five years; 11..15: the March closing each
    select list({
        'window_id': w.k,
        'window_first': case
            when w.k > 10 then make_date(params.first_year + (w.k - 1) % 10 + 1, 3, 1)
            else make_date(params.first_year + w.k - 1, 4, 1)
        end,
        'window_last': make_date(params.first_year + (w.k - 1) % 10 + 1, 3, 1)
    } order by w.k) as windows
    from params
    cross join (select unnest([1, 2, 3, 4, 5, 11, 12, 13, 14, 15]) as k) as w
),

plan_lines as (
    -- spend the council pays, funding, and council cashable savings (budget_plan_windows: budget_plan_months'
    -- money added up over each window)
    select
        project_id,
        side,
        window_id,
        params.first_year + (window_id - 1) % 10 as fy_start_year,
        amount_pence,
        amount_gbp
    from budget_plan_windows(
        $as_of, $finance_horizon_years, $horizon_years, $optimism_bias, $shifts, (select windows from windows),
        ['funding', 'spend', 'benefit']
    )
    cross join params
    where
        (side = 'spend' and agency = 'council_asc' and window_id <= 5)
        or (side = 'funding' and window_id <= 5)
        or (side = 'benefit' and is_cashable and agency = 'council_asc')
),

project_years as (
    select
        project_id,
        fy_start_year,
        coalesce(sum(amount_pence) filter (where side = 'spend'), 0) as council_spend_pence,
        coalesce(sum(amount_pence) filter (where side = 'funding'), 0) as funding_pence
    from plan_lines
    where side <> 'benefit'
    group by project_id, fy_start_year
),

savings_years as (
    select
        fy_start_year,
        sum(amount_gbp) filter (where window_id <= 5) as savings_gbp,
        sum(amount_gbp) filter (where window_id > 10) as march_savings_gbp
    from plan_lines
    where side = 'benefit'
    group by fy_start_year
),

by_year as (
    select
        y.fy_start_year,
        p.council_spend_pence,
        p.funding_pence,
        p.gap_pence,
        s.savings_gbp,
        coalesce(s.march_savings_gbp, 0) as march_savings_gbp
    from years as y
    left join (
        select
            fy_start_year,
            sum(council_spend_pence) as council_spend_pence,
            sum(funding_pence) as funding_pence,
            sum(greatest(council_spend_pence - funding_pence, 0)) as gap_pence
        from project_years
        group by fy_start_year
    ) as p on y.fy_start_year = p.fy_start_year
    left join savings_years as s on y.fy_start_year = s.fy_start_year
),

final as (
    select
        y.fy_start_year,
        y.fy_start_year || '-' || lpad(cast((y.fy_start_year + 1) % 100 as varchar), 2, '0') as financial_year,
        cast(coalesce(b.council_spend_pence, 0) / 100 as decimal(18, 2)) as council_paid_spend_gbp,
        cast(round_half_up(coalesce(b.savings_gbp, 0), 2) as decimal(18, 2)) as savings_in_year_gbp,
        cast(round_half_up(12 * coalesce(b.march_savings_gbp, 0), 2) as decimal(18, 2)) as savings_full_year_gbp,
        cast(
            coalesce(b.council_spend_pence, 0) / 100 - round_half_up(coalesce(b.savings_gbp, 0), 2) as decimal(18, 2)
        ) as net_effect_gbp,
        cast(coalesce(b.funding_pence, 0) / 100 as decimal(18, 2)) as funding_secured_gbp,
        cast(coalesce(b.gap_pence, 0) / 100 as decimal(18, 2)) as unfunded_gap_gbp
    from years as y
    left join by_year as b on y.fy_start_year = b.fy_start_year
)

select * from final
order by fy_start_year
