-- one row per funder named on any funding line, with how many projects it funds
with

final as (
    select
        funder,
        count(distinct project_id) as project_count
    from funding
    group by funder
)

select * from final
order by funder
