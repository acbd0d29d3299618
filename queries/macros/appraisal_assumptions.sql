-- table macro appraisal_assumptions: one row, the appraisal assumptions decoded from their bind parameters
-- (rates and shares as doubles, the horizon in years and months, the scenario shifts unpacked). Shared by the
-- month-by-month macro appraisal_line_months and the closed-form appraisal_project_figures.
--
-- arguments: p_discount_rate, p_horizon_years, p_optimism_bias, p_shifts (see appraisal_line_months)

create or replace temp macro appraisal_assumptions(p_discount_rate, p_horizon_years, p_optimism_bias, p_shifts)
as table

with

final as (
    select
        cast(p_discount_rate as double) as discount_rate,
        cast(p_horizon_years as integer) as horizon_years,
        cast(p_horizon_years as integer) * 12 as horizon_months,
        cast(p_optimism_bias as double []) as optimism_bias,
        cast(struct_extract(p_shifts, 'cost_factor') as double) as cost_factor,
        cast(struct_extract(p_shifts, 'benefit_factor') as double) as benefit_factor,
        cast(struct_extract(p_shifts, 'deadweight_factor') as double) as deadweight_factor,
        cast(struct_extract(p_shifts, 'attribution_factor') as double) as attribution_factor,
        cast(struct_extract(p_shifts, 'drop_off_factor') as double) as drop_off_factor,
        cast(struct_extract(p_shifts, 'grade_shift') as integer) as grade_shift
)

select * from final
