-- one row per confidence grade (1 to 6): the optimism bias share, its meaning and its source
with

final as (
    select
        confidence_grade,
        optimism_bias_share,
        meaning,
        source
    from ref_optimism_bias
)

select * from final
order by confidence_grade
