-- one row per council setting (for example council_name)
with

final as (
    select
        setting,
        value
    from ref_council
)

select * from final
