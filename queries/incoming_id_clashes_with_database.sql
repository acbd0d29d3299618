-- one row per incoming row whose id clashes with the database: a line id that already belongs to another project
-- (a line never moves between projects: 'moved'), or an id that differs from an existing one of the same table only
-- in capitals ('case') or in how its accents are encoded ('composition'; incoming ids are already Unicode NFC)
with existing as (
    select 'projects' as table_name, project_id as id, project_id from projects
    union all
    select 'funding' as table_name, funding_id as id, project_id from funding
    union all
    select 'costs' as table_name, cost_id as id, project_id from costs
    union all
    select 'benefits' as table_name, benefit_id as id, project_id from benefits
    union all
    select 'outcomes' as table_name, outcome_id as id, project_id from outcomes
),

incoming as (
    select table_name, id, project_id, row_number
    from incoming_ids
),

moved as (
    select i.table_name, i.row_number, i.id, 'moved' as clash, e.id as existing_id, e.project_id as existing_project_id
    from incoming as i
    inner join existing as e on e.table_name = i.table_name and e.id = i.id
    where i.table_name <> 'projects' and e.project_id is distinct from i.project_id
),

respelled as (
    select
        i.table_name,
        i.row_number,
        i.id,
        case when nfc_normalize(e.id) = i.id then 'composition' else 'case' end as clash,
        e.id as existing_id,
        e.project_id as existing_project_id
    from incoming as i
    inner join existing as e on e.table_name = i.table_name and lower(nfc_normalize(e.id)) = lower(i.id)
    where e.id <> i.id
),

final as (
    select * from moved
    union all
    select * from respelled
)

select * from final
