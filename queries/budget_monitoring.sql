-- one row per project with planned money or actuals in a financial year: budget monitoring at monitoring month M.
-- Plan to date and actuals to date count the year's months from April up to and including M; the forecast
-- outturn is the actuals to date plus the plan for the year's months after M, so forecast - actual to date equals
-- plan - plan to date. Variance = forecast outturn - plan (positive is an overspend). RAG: the first threshold
-- (ref_budget_rag_thresholds, whole percentages of the plan) that |variance| is within, else red; a project with
-- no plan in the year is red when it has any actual spend, green otherwise. Money is exact in pence until the end.
--
-- parameters:
--   $as_of, $finance_horizon_years                     the finance export's cut-off for open-ended cost lines
--   $horizon_years, $optimism_bias, $shifts   the appraisal's assumptions (planned savings are undiscounted)
--   $fy_start_year     integer  the financial year by its starting year (2026 for 2026-27)
--   $monitoring_month  date     the first day of month M; null for the latest month of the year with any actual
--
-- The plan is added up over the year and over its months to M line by line (budget_plan_windows), not month by
-- month: the same pence, and the same savings, without a row per project per month.

with

params as (
    select
        cast($fy_start_year as integer) as fy_start_year,
        make_date(cast($fy_start_year as integer), 4, 1) as fy_first_month,
        make_date(cast($fy_start_year as integer) + 1, 3, 1) as fy_last_month
),

actual_months as (
    select
        a.project_id,
        a.month,
        sum(case when a.kind = 'spend' then cast(round(a.amount_gbp * 100) as bigint) else 0 end) as spend_pence,
        sum(case when a.kind = 'saving' then cast(round(a.amount_gbp * 100) as bigint) else 0 end) as saving_pence,
        sum(case when a.kind = 'funding_received' then cast(round(a.amount_gbp * 100) as bigint) else 0 end)
            as funding_received_pence,
        count(*) filter (where a.kind = 'spend') as spend_rows
    from actuals as a
    cross join params
    where a.month between params.fy_first_month and params.fy_last_month
    group by a.project_id, a.month
),

monitoring as (
    select
        coalesce(
            cast($monitoring_month as date),
            (select max(month) from actual_months),
            (select fy_first_month from params)
        ) as monitoring_month
),

windows as (
    -- 1: the whole year; 2: its months up to and including M
    select [
        {'window_id': 1, 'window_first': params.fy_first_month, 'window_last': params.fy_last_month},
        {'window_id': 2, 'window_first': params.fy_first_month, 'window_last': m.monitoring_month}
    ] as windows
    from params
    cross join monitoring as m
),

plan_lines as (
    -- council cashable savings are the only benefits monitored
    select *
    from budget_plan_windows(
        $as_of, $finance_horizon_years, $horizon_years, $optimism_bias, $shifts, (select windows from windows),
        ['funding', 'spend', 'benefit']
    )
    where side <> 'benefit' or (is_cashable and agency = 'council_asc')
),

plan_by_project as (
    select
        project_id,
        sum(amount_pence) filter (where side = 'spend' and window_id = 1) as plan_pence,
        sum(amount_pence) filter (where side = 'spend' and window_id = 2) as plan_to_date_pence,
        sum(amount_pence) filter (where side = 'funding' and window_id = 2) as funding_committed_pence,
        sum(amount_gbp) filter (where side = 'benefit' and window_id = 2) as planned_savings_gbp
    from plan_lines
    group by project_id
),

project_ids as (
    select project_id from plan_by_project
    union
    select project_id from actual_months
),

actual_by_project as (
    select
        am.project_id,
        sum(am.spend_pence) as actual_pence,
        sum(am.saving_pence) as saving_pence,
        sum(am.funding_received_pence) as funding_received_pence,
        sum(am.spend_rows) as spend_rows
    from actual_months as am
    cross join monitoring as m
    where am.month <= m.monitoring_month
    group by am.project_id
),

figures as (
    select
        ids.project_id,
        coalesce(p.plan_pence, 0) as plan_pence,
        coalesce(p.plan_to_date_pence, 0) as plan_to_date_pence,
        coalesce(a.actual_pence, 0) as actual_pence,
        coalesce(a.spend_rows, 0) as spend_rows,
        coalesce(a.actual_pence, 0) + coalesce(p.plan_pence, 0) - coalesce(p.plan_to_date_pence, 0)
            as forecast_pence,
        coalesce(p.planned_savings_gbp, 0.0) as planned_savings_gbp,
        coalesce(a.saving_pence, 0) as saving_pence,
        coalesce(p.funding_committed_pence, 0) as funding_committed_pence,
        coalesce(a.funding_received_pence, 0) as funding_received_pence
    from project_ids as ids
    left join plan_by_project as p on ids.project_id = p.project_id
    left join actual_by_project as a on ids.project_id = a.project_id
),

rag_bands as (
    -- the thresholds, tightest first (a handful: a list, not a join per project)
    select list({'rag': rag, 'max_abs_variance_percent': max_abs_variance_percent} order by max_abs_variance_percent)
        as bands
    from ref_budget_rag_thresholds
),

with_rag as (
    select
        f.*,
        f.forecast_pence - f.plan_pence as variance_pence,
        case
            when f.plan_pence = 0 then case when f.actual_pence <> 0 then 'red' else 'green' end
            else coalesce(
                list_filter(
                    b.bands,
                    lambda band: abs(f.forecast_pence - f.plan_pence) * 100 <= band.max_abs_variance_percent * f.plan_pence
                )[1].rag,
                'red'
            )
        end as rag
    from figures as f
    cross join rag_bands as b
),

final as (
    select
        r.project_id,
        pr.name as project_name,
        pr.service_area,
        params.fy_start_year || '-' || lpad(cast((params.fy_start_year + 1) % 100 as varchar), 2, '0')
            as financial_year,
        m.monitoring_month,
        cast(r.plan_pence / 100 as decimal(18, 2)) as plan_gbp,
        cast(r.plan_to_date_pence / 100 as decimal(18, 2)) as plan_to_date_gbp,
        cast(r.actual_pence / 100 as decimal(18, 2)) as actual_to_date_gbp,
        cast(r.forecast_pence / 100 as decimal(18, 2)) as forecast_outturn_gbp,
        cast(r.variance_pence / 100 as decimal(18, 2)) as variance_gbp,
        case when r.plan_pence <> 0 then r.variance_pence / r.plan_pence end as variance_share,
        r.rag,
        cast(round_half_up(r.planned_savings_gbp, 2) as decimal(18, 2)) as planned_savings_to_date_gbp,
        cast(r.saving_pence / 100 as decimal(18, 2)) as actual_savings_to_date_gbp,
        case
            when round_half_up(r.planned_savings_gbp, 2) <> 0
                then r.saving_pence / 100 / round_half_up(r.planned_savings_gbp, 2)
        end as savings_realised_share,
        cast(r.funding_committed_pence / 100 as decimal(18, 2)) as funding_committed_to_date_gbp,
        cast(r.funding_received_pence / 100 as decimal(18, 2)) as funding_received_to_date_gbp
    from with_rag as r
    inner join projects as pr on r.project_id = pr.project_id
    cross join params
    cross join monitoring as m
)

select * from final
order by project_id
