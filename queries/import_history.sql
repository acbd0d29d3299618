-- one row per import attempt, newest first, with its rows added, replaced and rejected summed over tables
with

counts as (
    select
        import_id,
        cast(sum(rows_added) as integer) as rows_added,
        cast(sum(rows_replaced) as integer) as rows_replaced,
        cast(sum(rows_rejected) as integer) as rows_rejected,
        string_agg(
            table_name || ' ' || (rows_added + rows_replaced)
            || case when rows_rejected > 0 then ' (' || rows_rejected || ' rejected)' else '' end,
            ', '
            order by table_name
        ) as rows_by_table
    from import_counts
    group by import_id
),

final as (
    select
        i.import_id,
        i.imported_at,
        i.imported_by,
        i.source_name,
        i.source_format,
        i.source_sha256,
        i.outcome,
        i.problem_count,
        i.warning_count,
        i.flagged_projects,
        i.summary,
        coalesce(c.rows_added, 0) as rows_added,
        coalesce(c.rows_replaced, 0) as rows_replaced,
        coalesce(c.rows_rejected, 0) as rows_rejected,
        coalesce(c.rows_by_table, '') as rows_by_table
    from imports as i
    left join counts as c on i.import_id = c.import_id
    order by i.import_id desc
)

select * from final
