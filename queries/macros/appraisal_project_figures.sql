-- table macro appraisal_project_figures: one row per project that has cost or benefit lines, with its present
-- values in both views (unrounded) and its fiscal payback month:
--
-- * whole life ("was it worth it"): the window starts in the project's appraisal start month;
-- * forward ("what continuing costs and returns"): the window starts in the as-of month for every project, so
--   figures share one base date and add up across projects; earlier months, money already spent, are left out;
-- * fiscal_payback_months: the first month m (1-based from the appraisal start) by whose end some cost has been
--   incurred and from which cumulative undiscounted adjusted fiscal benefits (cashable and non-cashable) stay at
--   or above cumulative adjusted costs in every later month of the whole-life window; empty when there is none.
--
-- The present values add up appraisal_line_pvs (closed form, equal to the month-by-month model to the penny).
-- Payback is in closed form too: cumulative fiscal benefit minus cumulative cost is piecewise linear in the
-- month, changing slope only where a line starts, ends or drops off, so each project needs only those few
-- breakpoints; on each stretch between them the last month below zero is found directly.
--
-- A caller that already holds some of the figures (those stored at the reference assumptions, where they still
-- hold) can leave parts out, each a constant so the query never plans them: p_views the views whose present values
-- to work out (the others' are 0, and a project with lines only in views left out gets no row), p_payback false
-- leaves fiscal_payback_months null, p_forward_costs false leaves has_forward_costs null.
--
-- arguments: p_discount_rate, p_horizon_years, p_optimism_bias, p_shifts (see appraisal_line_months), p_as_of
-- (the forward window starts in its month), p_project_id (optional: one project only), p_views (default both),
-- p_payback and p_forward_costs (default true).

create or replace temp macro appraisal_project_figures(
    p_discount_rate,
    p_horizon_years,
    p_optimism_bias,
    p_shifts,
    p_as_of,
    p_project_id := null,
    p_views := ['whole_life', 'forward'],
    p_payback := true,
    p_forward_costs := true
)
as table

with

line_pvs as (
    select *
    from appraisal_line_pvs(
        p_discount_rate, p_horizon_years, p_optimism_bias, p_shifts, p_views,
        p_as_of := p_as_of, p_project_id := p_project_id
    )
),

present_values as (
    select
        project_id,
        min(window_start_month) filter (where view = 'whole_life') as appraisal_start_date,
        coalesce(sum(pv_gbp) filter (where view = 'whole_life' and is_cost), 0) as pv_cost_gbp,
        coalesce(sum(pv_gbp) filter (where view = 'whole_life' and not is_cost), 0) as pv_benefit_gbp,
        coalesce(sum(pv_gbp) filter (where view = 'whole_life' and is_fiscal), 0) as pv_fiscal_benefit_gbp,
        coalesce(sum(pv_gbp) filter (where view = 'forward' and is_cost), 0) as forward_pv_cost_gbp,
        coalesce(sum(pv_gbp) filter (where view = 'forward' and not is_cost), 0) as forward_pv_benefit_gbp,
        coalesce(sum(pv_gbp) filter (where view = 'forward' and is_fiscal), 0) as forward_pv_fiscal_benefit_gbp
    from line_pvs
    group by project_id
),

forward_costs as (
    select project_id
    from appraisal_forward_costs(p_optimism_bias, p_shifts, p_as_of, p_project_id := p_project_id)
    where p_forward_costs
),

-- payback ---------------------------------------------------------------------------------------

payback_lines as (
    -- costs and fiscal benefits over the whole-life window; each starts at its own start month (line_month)
    select *
    from appraisal_line_spans(
        p_horizon_years, p_optimism_bias, p_shifts, ['whole_life'], p_project_id := p_project_id
    )
    where p_payback and (is_cost or is_fiscal)
),

slope_changes as (
    -- the months where a project's monthly net fiscal benefit (fiscal benefit minus cost) changes, and by how
    -- much, each line read once: change 0 is its start, change 1 the month after it ends, changes 2 on each
    -- anniversary at which its drop-off applies
    select
        project_id,
        window_months,
        case
            when change_index = 0 then first_month
            when change_index = 1 then last_month + 1
            else first_month + 12 * (change_index - 1)
        end as month_index,
        case
            when change_index = 0 then case when is_cost then -monthly_gbp else monthly_gbp end
            when change_index = 1
                then -(case when is_cost then -monthly_gbp else monthly_gbp end)
                * power(kept_share, (last_month - first_month) // 12)
            else monthly_gbp * (power(kept_share, change_index - 1) - power(kept_share, change_index - 2))
        end as slope_change_gbp,
        change_index = 0 and is_cost and monthly_gbp > 0 as starts_cost
    from (
        select
            *,
            unnest(
                range(
                    0,
                    2 + case
                        when not is_cost and kept_share < 1 and last_month - first_month >= 12
                            then (last_month - first_month) // 12
                        else 0
                    end
                )
            ) as change_index
        from payback_lines
    )
    where change_index <> 1 or last_month + 1 < window_months
),

month_changes as (
    -- the changes in each month counted together (a hash aggregate, so the window below sorts one row a month)
    select
        project_id,
        month_index,
        any_value(window_months) as window_months,
        sum(slope_change_gbp) as change_gbp,
        sum(slope_change_gbp * month_index) as change_x_month_gbp,
        bool_or(starts_cost) as starts_cost
    from slope_changes
    group by project_id, month_index
),

segments as (
    -- for each month with a change, the stretch of months with a constant monthly net fiscal benefit from it to the
    -- month before the next change: the net benefit a month and the cumulative net benefit up to the month before
    -- (the sum over earlier changes of change x months since = month x sum of changes - sum of change x month)
    select
        project_id,
        month_index as from_month,
        lead(month_index, 1, window_months) over by_month - 1 as to_month,
        sum(change_gbp) over by_month as net_gbp,
        month_index * sum(change_gbp) over by_month - sum(change_x_month_gbp) over by_month as cumulative_before_gbp,
        starts_cost
    from month_changes
    window by_month as (partition by project_id order by month_index rows between unbounded preceding and current row)
),

segment_last_negative as (
    -- the last month of each stretch at which cumulative net fiscal benefit is below zero (beyond the 6th
    -- decimal place, as the month-by-month rule rounds): the stretch's end if it ends below zero, else, when it
    -- starts below zero and rises, the month before it first reaches zero
    select
        project_id,
        from_month,
        starts_cost,
        case
            when cumulative_before_gbp + net_gbp * (to_month - from_month + 1) < -5e-7 then to_month
            when cumulative_before_gbp + net_gbp < -5e-7 and net_gbp > 0
                then from_month - 2 + cast(ceil((-5e-7 - cumulative_before_gbp) / net_gbp) as bigint)
        end as last_negative_month
    from segments
),

payback as (
    select
        project_id,
        min(from_month) filter (where starts_cost) as first_cost_month,
        max(last_negative_month) as last_negative_month
    from segment_last_negative
    group by project_id
),

final as (
    select
        pv.project_id,
        pv.appraisal_start_date,
        pv.pv_cost_gbp,
        pv.pv_benefit_gbp,
        pv.pv_fiscal_benefit_gbp,
        pv.forward_pv_cost_gbp,
        pv.forward_pv_benefit_gbp,
        pv.forward_pv_fiscal_benefit_gbp,
        case when p_forward_costs then fc.project_id is not null end as has_forward_costs,
        case
            when pb.first_cost_month is not null
                and greatest(pb.first_cost_month, coalesce(pb.last_negative_month + 1, 0)) < cast(p_horizon_years as integer) * 12
                then greatest(pb.first_cost_month, coalesce(pb.last_negative_month + 1, 0)) + 1
        end as fiscal_payback_months
    from present_values as pv
    left join payback as pb on pv.project_id = pb.project_id
    left join forward_costs as fc on pv.project_id = fc.project_id
)

select * from final
