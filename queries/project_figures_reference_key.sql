-- one row (none before the first write that stored figures): the assumptions, appraisal version and input
-- fingerprint that the stored reference figures (project_figures_reference) were computed at
with

final as (
    select
        discount_rate,
        horizon_years,
        optimism_bias,
        cost_factor,
        benefit_factor,
        deadweight_factor,
        attribution_factor,
        drop_off_factor,
        grade_shift,
        appraisal_version,
        inputs_fingerprint,
        forward_start_month,
        computed_at
    from project_figures_reference_key
)

select * from final
