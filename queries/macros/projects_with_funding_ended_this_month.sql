-- table macro projects_with_funding_ended_this_month: one row per project with a funding line that ended in the
-- month of p_as_of but before p_as_of (none on the first of a month): the projects whose secured funding chain at
-- p_as_of can differ from their chain on the first of the month (see project_funding_figures).
--
-- arguments: p_as_of (date).

create or replace temp macro projects_with_funding_ended_this_month(p_as_of)
as table

with

final as (
    select distinct project_id
    from funding
    where
        end_date >= cast(date_trunc('month', cast(p_as_of as date)) as date)
        and end_date < cast(p_as_of as date)
)

select * from final
