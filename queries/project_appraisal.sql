-- one row per project: cost against benefit at the given assumptions (HM Treasury Green Book
-- discounting; GMCA cost-benefit method: optimism bias by confidence grade, deadweight,
-- attribution, drop-off) and the projectitis risk score as of a date, with every factor's points.
-- The appraisal arithmetic is the macro appraisal_project_figures (queries/macros/), which gives the
-- same figures as summing appraisal_line_months month by month, in closed form. Money and ratios are
-- rounded half away from zero after dropping binary floating-point noise (macro round_half_up).
--
-- parameters:
--   $as_of          date     the date the risk is judged at
--   $discount_rate  double   Green Book rate for years 0-30
--   $horizon_years  integer  length of each project's appraisal window
--   $optimism_bias  double[] optimism bias share for confidence grades 1..6, in order
--   $shifts         struct   scenario shifts (see the macro)

with

params as (
    select cast($as_of as date) as as_of
),

-- staging -------------------------------------------------------------------------------------

stg_projects as (
    select * from projects
),

stg_funding as (
    select
        project_id,
        funder,
        recurrent as is_recurrent,
        cast(amount_gbp as double) as amount_gbp,
        start_date,
        end_date
    from funding
),

stg_project_figures as (
    select * from appraisal_project_figures($discount_rate, $horizon_years, $optimism_bias, $shifts)
),

weights as (
    select
        max(max_points) filter (where factor = 'short_term_funding') as short_term_funding,
        max(max_points) filter (where factor = 'funder_concentration') as funder_concentration,
        max(max_points) filter (where factor = 'no_exit_plan') as no_exit_plan,
        max(max_points) filter (where factor = 'weak_evidence') as weak_evidence,
        max(max_points) filter (where factor = 'little_coproduction') as little_coproduction,
        max(max_points) filter (where factor = 'poor_value') as poor_value
    from ref_projectitis_weights
),

-- appraisal -----------------------------------------------------------------------------------

appraisal as (
    select
        p.project_id,
        coalesce(pv.appraisal_start_date, cast(date_trunc('month', p.start_date) as date)) as appraisal_start_date,
        coalesce(pv.pv_cost_gbp, 0) as pv_cost_gbp,
        coalesce(pv.pv_benefit_gbp, 0) as pv_benefit_gbp,
        coalesce(pv.pv_fiscal_benefit_gbp, 0) as pv_fiscal_benefit_gbp,
        case when coalesce(pv.pv_cost_gbp, 0) > 0 then pv.pv_benefit_gbp / pv.pv_cost_gbp end as bcr,
        case when coalesce(pv.pv_cost_gbp, 0) > 0 then pv.pv_fiscal_benefit_gbp / pv.pv_cost_gbp end as fiscal_bcr,
        pv.payback_months
    from stg_projects as p
    left join stg_project_figures as pv on p.project_id = pv.project_id
),

-- projectitis risk ----------------------------------------------------------------------------

funding_need as (
    select
        c.project_id,
        bool_or(
            case
                when c.frequency = 'once' then c.start_date >= params.as_of
                else c.end_date is null or c.end_date >= params.as_of
            end
        ) as needs_funding
    from costs as c
    cross join params
    group by c.project_id
),

active_funding as (
    select f.*
    from stg_funding as f
    cross join params
    where f.start_date <= params.as_of and params.as_of <= f.end_date
),

active_funding_by_funder as (
    select
        project_id,
        funder,
        sum(amount_gbp) as amount_gbp
    from active_funding
    group by project_id, funder
),

active_funding_summary as (
    select
        af.project_id,
        sum(af.amount_gbp) as active_funding_gbp,
        sum(case when not af.is_recurrent then af.amount_gbp else 0 end) as active_non_recurrent_gbp,
        bool_or(af.is_recurrent) as has_active_recurrent_funding,
        max(af.end_date) as latest_active_funding_end,
        count(distinct af.funder) as active_funder_count,
        any_value(largest.funder) as largest_funder,
        any_value(largest.amount_gbp) as largest_funder_gbp
    from active_funding as af
    left join (
        select project_id, arg_max(funder, amount_gbp) as funder, max(amount_gbp) as amount_gbp
        from active_funding_by_funder
        group by project_id
    ) as largest on af.project_id = largest.project_id
    group by af.project_id
),

funding_totals as (
    select
        project_id,
        sum(amount_gbp) as committed_funding_gbp,
        list(distinct funder order by funder) as funders
    from stg_funding
    group by project_id
),

risk_inputs as (
    select
        p.project_id,
        p.status in ('proposed', 'active', 'paused') as is_scored,
        coalesce(n.needs_funding, false) as needs_funding,
        coalesce(s.has_active_recurrent_funding, false) as has_active_recurrent_funding,
        coalesce(s.active_funding_gbp, 0) as active_funding_gbp,
        case when s.active_funding_gbp > 0 then s.active_non_recurrent_gbp / s.active_funding_gbp end
            as non_recurrent_share,
        s.largest_funder,
        case when s.active_funding_gbp > 0 then s.largest_funder_gbp / s.active_funding_gbp end
            as largest_funder_share,
        coalesce(s.active_funder_count, 0) as active_funder_count,
        s.latest_active_funding_end,
        coalesce(datediff('month', date_trunc('month', params.as_of), date_trunc('month', s.latest_active_funding_end)), 0)
            as runway_months,
        p.has_exit_plan,
        p.evidence_level,
        p.coproduction_level,
        a.bcr
    from stg_projects as p
    cross join params
    left join funding_need as n on p.project_id = n.project_id
    left join active_funding_summary as s on p.project_id = s.project_id
    left join appraisal as a on p.project_id = a.project_id
),

risk_points as (
    select
        ri.project_id,
        ri.needs_funding,
        ri.has_active_recurrent_funding,
        ri.active_funding_gbp,
        ri.non_recurrent_share,
        ri.largest_funder,
        ri.largest_funder_share,
        ri.active_funder_count,
        ri.latest_active_funding_end,
        ri.runway_months,
        case when ri.is_scored then
            case
                when not ri.needs_funding or ri.has_active_recurrent_funding then 0
                else coalesce((
                    select arg_min(rw.points, rw.max_months)
                    from ref_projectitis_runway as rw
                    where ri.runway_months <= rw.max_months
                ), 0)
            end
        end as risk_funding_runway_points,
        case when ri.is_scored then
            case
                when not ri.needs_funding then 0
                when ri.non_recurrent_share is null then wt.short_term_funding
                else wt.short_term_funding * ri.non_recurrent_share
            end
        end as risk_short_term_funding_points,
        case when ri.is_scored then
            case
                when not ri.needs_funding then 0
                when ri.largest_funder_share is null then wt.funder_concentration
                else wt.funder_concentration * ri.largest_funder_share
            end
        end as risk_funder_concentration_points,
        case when ri.is_scored then case when ri.has_exit_plan then 0 else wt.no_exit_plan end end
            as risk_no_exit_plan_points,
        case when ri.is_scored then wt.weak_evidence * (5 - ri.evidence_level) / 4 end as risk_weak_evidence_points,
        case when ri.is_scored then wt.little_coproduction * (4 - ri.coproduction_level) / 4 end
            as risk_little_coproduction_points,
        case when ri.is_scored then case when ri.bcr is null or ri.bcr < 1 then wt.poor_value else 0 end end
            as risk_poor_value_points
    from risk_inputs as ri
    cross join weights as wt
),

risk_scores as (
    select
        *,
        risk_funding_runway_points + risk_short_term_funding_points + risk_funder_concentration_points
        + risk_no_exit_plan_points + risk_weak_evidence_points + risk_little_coproduction_points
        + risk_poor_value_points as projectitis_score_raw
    from risk_points
),

-- mart ----------------------------------------------------------------------------------------

final as (
    select
        p.project_id,
        p.name,
        p.description,
        p.service_area,
        p.innovation_type,
        p.provider,
        p.provider_type,
        p.funding_mechanism,
        p.locality,
        p.status,
        p.start_date,
        p.end_date,
        p.people_reached,
        p.coproduction_level,
        p.evidence_level,
        p.has_exit_plan,
        p.edi_considered,
        coalesce(ft.committed_funding_gbp, 0) as committed_funding_gbp,
        coalesce(ft.funders, []) as funders,
        a.appraisal_start_date,
        round_half_up(a.pv_cost_gbp, 2) as pv_cost_gbp,
        round_half_up(a.pv_benefit_gbp, 2) as pv_benefit_gbp,
        round_half_up(a.pv_fiscal_benefit_gbp, 2) as pv_fiscal_benefit_gbp,
        round_half_up(a.pv_benefit_gbp - a.pv_cost_gbp, 2) as npv_gbp,
        round_half_up(a.bcr, 2) as bcr,
        round_half_up(a.fiscal_bcr, 2) as fiscal_bcr,
        a.payback_months,
        case when p.people_reached > 0 then round_half_up(a.pv_cost_gbp / p.people_reached, 2) end as cost_per_person_gbp,
        round(r.projectitis_score_raw, 1) as projectitis_score,
        case when r.projectitis_score_raw is not null then (
            select arg_max(b.band, b.min_score)
            from ref_projectitis_bands as b
            where round(r.projectitis_score_raw, 1) >= b.min_score
        ) end as projectitis_band,
        r.risk_funding_runway_points,
        r.risk_short_term_funding_points,
        r.risk_funder_concentration_points,
        r.risk_no_exit_plan_points,
        r.risk_weak_evidence_points,
        r.risk_little_coproduction_points,
        r.risk_poor_value_points,
        r.needs_funding,
        r.has_active_recurrent_funding,
        r.active_funding_gbp,
        r.non_recurrent_share,
        r.largest_funder,
        r.largest_funder_share,
        r.active_funder_count,
        r.latest_active_funding_end,
        r.runway_months
    from stg_projects as p
    inner join appraisal as a on p.project_id = a.project_id
    inner join risk_scores as r on p.project_id = r.project_id
    left join funding_totals as ft on p.project_id = ft.project_id
)

select * from final
order by project_id
