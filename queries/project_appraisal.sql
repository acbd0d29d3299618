-- one row per project: cost against benefit at the given assumptions (HM Treasury Green Book
-- discounting; GMCA cost-benefit method: optimism bias by confidence grade, deadweight,
-- attribution, drop-off) and the projectitis risk score as of a date, with every factor's points.
-- The appraisal arithmetic is the macro appraisal_project_figures (queries/macros/), which gives the
-- same figures as summing appraisal_line_months month by month, in closed form. Money and ratios are
-- rounded half away from zero after dropping binary floating-point noise (macro round_half_up).
--
-- Built for a million projects: every CTE is used once so nothing is materialised, and the runway and
-- band steps are looked up in lists made from their few-row reference tables instead of a subquery per
-- project. At the council's reference assumptions (the app's default) the appraisal figures are read
-- from those stored when the data was written instead of being computed (see project_figures below),
-- and in the month of the last write so are the funding figures, at any assumptions (project_funding).
--
-- Rows come in no particular order (sorting a million rows costs a quarter of a second that every page
-- would pay and then re-sort anyway); the CLI sorts by project_id.
--
-- parameters:
--   $as_of          date     the date the risk is judged at
--   $discount_rate  double   Green Book rate for years 0-30
--   $horizon_years  integer  length of each project's appraisal window
--   $optimism_bias  double[] optimism bias share for confidence grades 1..6, in order
--   $shifts         struct   scenario shifts (see the macro)
--   $project_id     varchar  one project (for the figures frozen into a decision), or null for every project

with

params as (
    select
        cast($as_of as date) as as_of,
        cast(date_trunc('month', cast($as_of as date)) as date) as as_of_month,
        cast($project_id as varchar) as project_id
),

-- reference tables (a few rows each) ----------------------------------------------------------

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

steps as (
    -- runway steps (a runway scores the points of the first step whose max_months reaches it) and
    -- risk bands (a score takes the band with the highest min_score it reaches), each in order
    select
        (select list(max_months order by max_months) from ref_projectitis_runway) as runway_max_months,
        (select list(points order by max_months) from ref_projectitis_runway) as runway_points,
        (select list(min_score order by min_score) from ref_projectitis_bands) as band_min_scores,
        (select list(band order by min_score) from ref_projectitis_bands) as bands
),

-- appraisal -----------------------------------------------------------------------------------

-- The figures come from one of five CTEs, named by the connection variable project_figures_source. Every write
-- stores each project's figures at the council's reference assumptions (project_figures_reference, see
-- queries/schema/40_project_figures_reference.sql), and appraisal.project_metrics names stored_figures only when
-- they were computed at exactly the requested assumptions, by this version of the macros, from the data as it is;
-- otherwise (the variable unset) they are computed, except for the parts that still hold:
--   * whole-life present values do not depend on the as-of date (stored_whole_life_figures: only the forward
--     view and the running costs left are worked out when only the as-of month differs);
--   * the payback is undiscounted and whole-life, so depends on neither the discount rate nor the as-of date
--     (stored_payback_figures: the present values and running costs left are worked out when only those differ);
--   * running costs left depend on the as-of month but not the discount rate (stored_undiscounted_figures: only
--     the present values are worked out when only the discount rate differs).
-- Each is guarded, so stored figures asked for where they do not hold are an error, never wrong figures. The
-- row set is the computed one: a project has a row when it has lines in either view's window.
-- query_table binds only the CTE it names, so the others are neither run nor need their tables to exist (a
-- database written before the stored figures existed has none).

stored_assumptions as (
    -- which of the assumptions the stored figures were computed at are the ones asked for
    select
        k.forward_start_month = date_trunc('month', cast($as_of as date)) as same_month,
        k.discount_rate = $discount_rate as same_discount_rate,
        -- the lines' amounts and the window's length: everything undiscounted figures depend on
        k.horizon_years = $horizon_years
        and k.optimism_bias = cast($optimism_bias as double [])
        and k.cost_factor = struct_extract($shifts, 'cost_factor')
        and k.benefit_factor = struct_extract($shifts, 'benefit_factor')
        and k.deadweight_factor = struct_extract($shifts, 'deadweight_factor')
        and k.attribution_factor = struct_extract($shifts, 'attribution_factor')
        and k.drop_off_factor = struct_extract($shifts, 'drop_off_factor')
        and k.grade_shift = struct_extract($shifts, 'grade_shift') as same_lines
    from project_figures_reference_key as k
),

stored_figures as (
    -- a guard: stored figures asked for at other assumptions are an error, never wrong figures
    select f.*
    from project_figures_reference as f
    cross join stored_assumptions as k
    where
        (cast($project_id as varchar) is null or f.project_id = cast($project_id as varchar))
        and case
            when k.same_month and k.same_discount_rate and k.same_lines then true
            else error('The stored appraisal figures were computed at other assumptions')
        end
),

stored_whole_life_figures as (
    -- the stored whole-life figures (present values, payback, appraisal start) of the projects with lines in the
    -- whole-life window (those with an appraisal start), and the forward view and running costs left worked out
    select
        coalesce(s.project_id, c.project_id) as project_id,
        s.appraisal_start_date,
        coalesce(s.pv_cost_gbp, 0) as pv_cost_gbp,
        coalesce(s.pv_benefit_gbp, 0) as pv_benefit_gbp,
        coalesce(s.pv_fiscal_benefit_gbp, 0) as pv_fiscal_benefit_gbp,
        coalesce(c.forward_pv_cost_gbp, 0) as forward_pv_cost_gbp,
        coalesce(c.forward_pv_benefit_gbp, 0) as forward_pv_benefit_gbp,
        coalesce(c.forward_pv_fiscal_benefit_gbp, 0) as forward_pv_fiscal_benefit_gbp,
        fc.project_id is not null as has_forward_costs,
        s.fiscal_payback_months
    from (
        select f.*
        from project_figures_reference as f
        cross join stored_assumptions as k
        where
            f.appraisal_start_date is not null
            and (cast($project_id as varchar) is null or f.project_id = cast($project_id as varchar))
            and case
                when k.same_discount_rate and k.same_lines then true
                else error('The stored whole-life figures were computed at other assumptions')
            end
    ) as s
    full join appraisal_project_figures(
        $discount_rate, $horizon_years, $optimism_bias, $shifts, $as_of,
        p_project_id := $project_id, p_views := ['forward'], p_payback := false, p_forward_costs := false
    ) as c on s.project_id = c.project_id
    left join appraisal_forward_costs($optimism_bias, $shifts, $as_of, p_project_id := $project_id) as fc
        on coalesce(s.project_id, c.project_id) = fc.project_id
),

stored_payback_figures as (
    -- the stored payback, and the present values in both views and running costs left worked out
    select
        c.* exclude (fiscal_payback_months),
        s.fiscal_payback_months
    from appraisal_project_figures(
        $discount_rate, $horizon_years, $optimism_bias, $shifts, $as_of,
        p_project_id := $project_id, p_payback := false
    ) as c
    left join (
        select f.project_id, f.fiscal_payback_months
        from project_figures_reference as f
        cross join stored_assumptions as k
        where
            (cast($project_id as varchar) is null or f.project_id = cast($project_id as varchar))
            and case
                when k.same_lines then true
                else error('The stored payback was computed at other assumptions')
            end
    ) as s on c.project_id = s.project_id
),

stored_undiscounted_figures as (
    -- the stored payback and running costs left (both undiscounted), and the present values in both views worked
    -- out: only the discount rate differs, so the lines, the windows and the projects with a row are the stored ones
    select
        c.* exclude (has_forward_costs, fiscal_payback_months),
        s.has_forward_costs,
        s.fiscal_payback_months
    from appraisal_project_figures(
        $discount_rate, $horizon_years, $optimism_bias, $shifts, $as_of,
        p_project_id := $project_id, p_payback := false, p_forward_costs := false
    ) as c
    left join (
        select f.project_id, f.has_forward_costs, f.fiscal_payback_months
        from project_figures_reference as f
        cross join stored_assumptions as k
        where
            (cast($project_id as varchar) is null or f.project_id = cast($project_id as varchar))
            and case
                when k.same_month and k.same_lines then true
                else error('The stored payback and running costs left were computed at other assumptions')
            end
    ) as s on c.project_id = s.project_id
),

computed_figures as (
    select *
    from appraisal_project_figures(
        $discount_rate, $horizon_years, $optimism_bias, $shifts, $as_of, p_project_id := $project_id
    )
),

project_figures as (
    select * from query_table(coalesce(getvariable('project_figures_source'), 'computed_figures'))
),

-- funding: committed in total, and the secured funding chain at $as_of ------------------------

-- Computed (macro project_funding_figures), or read from those every write stores at the first day of its month
-- (project_funding_reference) when the as-of date is in that month: then only the projects with a funding line
-- that ended earlier in the month are worked out afresh, the rest have the same chain as on the first. In another
-- month only what is committed is read (it does not depend on the date) and the chain is worked out
-- (stored_committed_funding). Named by the variable project_funding_source as the appraisal figures are above
-- (appraisal.funding_source).

computed_funding as (
    select * from project_funding_figures($as_of, p_project_id := $project_id)
),

stored_funding as (
    -- a guard as above: stored funding figures asked for in another month are an error, never wrong figures
    select s.*
    from project_funding_reference as s
    cross join project_figures_reference_key as k
    anti join projects_with_funding_ended_this_month($as_of) as e on s.project_id = e.project_id
    where
        (cast($project_id as varchar) is null or s.project_id = cast($project_id as varchar))
        and case
            when k.forward_start_month = date_trunc('month', cast($as_of as date)) then true
            else error('The stored funding figures were computed for another month')
        end
    union all by name
    select *
    from project_funding_figures($as_of, p_project_id := $project_id, p_ended_this_month_only := true)
),

stored_committed_funding as (
    -- committed funding and funders as stored (every project with funding lines has a row, in any month), and the
    -- chain on $as_of worked out
    select
        s.project_id,
        s.committed_funding_gbp,
        s.funders,
        ch.active_funding_gbp,
        ch.active_non_recurrent_gbp,
        ch.has_active_recurrent_funding,
        ch.latest_active_funding_end,
        ch.active_funder_count,
        ch.largest_funder,
        ch.largest_funder_gbp
    from project_funding_reference as s
    left join project_funding_chain($as_of, p_project_id := $project_id) as ch on s.project_id = ch.project_id
    where cast($project_id as varchar) is null or s.project_id = cast($project_id as varchar)
),

project_funding as (
    select * from query_table(coalesce(getvariable('project_funding_source'), 'computed_funding'))
),

-- one row per project with everything the risk score needs -------------------------------------

project_rows as (
    select
        p.*,
        coalesce(fp.committed_funding_gbp, 0) as committed_funding_gbp,
        coalesce(fp.funders, []) as funders,
        coalesce(pf.appraisal_start_date, cast(date_trunc('month', p.start_date) as date)) as appraisal_start_date,
        coalesce(pf.pv_cost_gbp, 0) as pv_cost,
        coalesce(pf.pv_benefit_gbp, 0) as pv_benefit,
        coalesce(pf.pv_fiscal_benefit_gbp, 0) as pv_fiscal_benefit,
        case when coalesce(pf.pv_cost_gbp, 0) > 0 then pf.pv_benefit_gbp / pf.pv_cost_gbp end as bcr_raw,
        case when coalesce(pf.pv_cost_gbp, 0) > 0 then pf.pv_fiscal_benefit_gbp / pf.pv_cost_gbp end as fiscal_bcr_raw,
        coalesce(pf.forward_pv_cost_gbp, 0) as forward_pv_cost,
        coalesce(pf.forward_pv_benefit_gbp, 0) as forward_pv_benefit,
        coalesce(pf.forward_pv_fiscal_benefit_gbp, 0) as forward_pv_fiscal_benefit,
        case when coalesce(pf.forward_pv_cost_gbp, 0) > 0 then pf.forward_pv_benefit_gbp / pf.forward_pv_cost_gbp end
            as forward_bcr_raw,
        case when coalesce(pf.forward_pv_cost_gbp, 0) > 0
            then pf.forward_pv_fiscal_benefit_gbp / pf.forward_pv_cost_gbp end as forward_fiscal_bcr_raw,
        pf.fiscal_payback_months,
        p.status in ('proposed', 'active', 'paused') as is_scored,
        coalesce(pf.has_forward_costs, false) as needs_funding,
        coalesce(fp.has_active_recurrent_funding, false) as has_active_recurrent_funding,
        coalesce(fp.active_funding_gbp, 0) as active_funding_gbp,
        case when fp.active_funding_gbp > 0 then fp.active_non_recurrent_gbp / fp.active_funding_gbp end
            as non_recurrent_share,
        fp.largest_funder,
        case when fp.active_funding_gbp > 0 then fp.largest_funder_gbp / fp.active_funding_gbp end
            as largest_funder_share,
        coalesce(fp.active_funder_count, 0) as active_funder_count,
        fp.latest_active_funding_end,
        coalesce(
            datediff('month', date_trunc('month', params.as_of), date_trunc('month', fp.latest_active_funding_end)), 0
        ) as runway_months
    from projects as p
    cross join params
    left join project_figures as pf on p.project_id = pf.project_id
    left join project_funding as fp on p.project_id = fp.project_id
    where params.project_id is null or p.project_id = params.project_id
),

-- projectitis risk ----------------------------------------------------------------------------

risk_points as (
    select
        pr.*,
        case when pr.is_scored then
            case
                when not pr.needs_funding or pr.has_active_recurrent_funding then 0
                else coalesce(
                    st.runway_points[len(list_filter(st.runway_max_months, lambda m: m < pr.runway_months)) + 1], 0
                )
            end
        end as risk_funding_runway_points,
        case when pr.is_scored then
            case
                when not pr.needs_funding then 0
                when pr.non_recurrent_share is null then wt.short_term_funding
                else wt.short_term_funding * pr.non_recurrent_share
            end
        end as risk_short_term_funding_points,
        case when pr.is_scored then
            case
                when not pr.needs_funding then 0
                when pr.largest_funder_share is null then wt.funder_concentration
                else wt.funder_concentration * pr.largest_funder_share
            end
        end as risk_funder_concentration_points,
        case when pr.is_scored then case when pr.has_exit_plan then 0 else wt.no_exit_plan end end
            as risk_no_exit_plan_points,
        case when pr.is_scored then wt.weak_evidence * (5 - pr.evidence_level) / 4 end as risk_weak_evidence_points,
        case when pr.is_scored then wt.little_coproduction * (4 - pr.coproduction_level) / 4 end
            as risk_little_coproduction_points,
        case when pr.is_scored then case when pr.bcr_raw is null or pr.bcr_raw < 1 then wt.poor_value else 0 end end
            as risk_poor_value_points
    from project_rows as pr
    cross join weights as wt
    cross join steps as st
),

risk_scores as (
    select
        *,
        round(
            risk_funding_runway_points + risk_short_term_funding_points + risk_funder_concentration_points
            + risk_no_exit_plan_points + risk_weak_evidence_points + risk_little_coproduction_points
            + risk_poor_value_points,
            1
        ) as projectitis_score_rounded
    from risk_points
),

-- mart ----------------------------------------------------------------------------------------

final as (
    select
        r.project_id,
        r.name,
        r.description,
        r.service_area,
        r.innovation_type,
        r.provider,
        r.provider_type,
        r.funding_mechanism,
        r.locality,
        r.status,
        r.start_date,
        r.end_date,
        r.people_reached,
        r.coproduction_level,
        r.evidence_level,
        r.has_exit_plan,
        r.edi_considered,
        r.committed_funding_gbp,
        r.funders,
        r.appraisal_start_date,
        round_half_up(r.pv_cost, 2) as pv_cost_gbp,
        round_half_up(r.pv_benefit, 2) as pv_benefit_gbp,
        round_half_up(r.pv_fiscal_benefit, 2) as pv_fiscal_benefit_gbp,
        round_half_up(r.pv_benefit - r.pv_cost, 2) as npv_gbp,
        round_half_up(r.bcr_raw, 2) as bcr,
        round_half_up(r.fiscal_bcr_raw, 2) as fiscal_bcr,
        round_half_up(r.forward_pv_cost, 2) as forward_pv_cost_gbp,
        round_half_up(r.forward_pv_benefit, 2) as forward_pv_benefit_gbp,
        round_half_up(r.forward_pv_fiscal_benefit, 2) as forward_pv_fiscal_benefit_gbp,
        round_half_up(r.forward_pv_benefit - r.forward_pv_cost, 2) as forward_npv_gbp,
        round_half_up(r.forward_bcr_raw, 2) as forward_bcr,
        round_half_up(r.forward_fiscal_bcr_raw, 2) as forward_fiscal_bcr,
        r.fiscal_payback_months,
        case when r.people_reached > 0 then round_half_up(r.pv_cost / r.people_reached, 2) end as cost_per_person_gbp,
        r.projectitis_score_rounded as projectitis_score,
        st.bands[len(list_filter(st.band_min_scores, lambda s: s <= r.projectitis_score_rounded))]
            as projectitis_band,
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
    from risk_scores as r
    cross join steps as st
)

select * from final
