-- stores the one row saying what the reference figures were computed at
insert into project_figures_reference_key by name
select
    cast($discount_rate as double) as discount_rate,
    cast($horizon_years as integer) as horizon_years,
    cast($optimism_bias as double []) as optimism_bias,
    cast(struct_extract($shifts, 'cost_factor') as double) as cost_factor,
    cast(struct_extract($shifts, 'benefit_factor') as double) as benefit_factor,
    cast(struct_extract($shifts, 'deadweight_factor') as double) as deadweight_factor,
    cast(struct_extract($shifts, 'attribution_factor') as double) as attribution_factor,
    cast(struct_extract($shifts, 'drop_off_factor') as double) as drop_off_factor,
    cast(struct_extract($shifts, 'grade_shift') as integer) as grade_shift,
    cast($appraisal_version as varchar) as appraisal_version,
    cast($inputs_fingerprint as varchar) as inputs_fingerprint,
    cast(date_trunc('month', cast($as_of as date)) as date) as forward_start_month,
    cast(current_timestamp as timestamp) as computed_at
