-- one row per innovation type (and 'all' for the whole portfolio) x dimension (coproduction,
-- evidence, edi) x level of that dimension, every level present even when no project has it:
-- how many projects and how many people reached sit at that level.
--
-- parameters:
--   $open_only  boolean  true: only projects proposed, active or paused

with

stg_projects as (
    select
        innovation_type,
        coproduction_level,
        evidence_level,
        edi_considered,
        people_reached
    from projects
    where not cast($open_only as boolean) or status in ('proposed', 'active', 'paused')
),

levels as (
    select * from (values
        ('coproduction', '0', 0, 'None'),
        ('coproduction', '1', 1, 'Informed'),
        ('coproduction', '2', 2, 'Consulted'),
        ('coproduction', '3', 3, 'Involved'),
        ('coproduction', '4', 4, 'Co-produced'),
        ('evidence', '1', 1, '1: a clear account of impact'),
        ('evidence', '2', 2, '2: data show change'),
        ('evidence', '3', 3, '3: causality shown'),
        ('evidence', '4', 4, '4: independently replicated'),
        ('evidence', '5', 5, '5: replicated at scale'),
        ('edi', 'yes', 1, 'Considered'),
        ('edi', 'no', 2, 'Not considered'),
        ('edi', 'unknown', 3, 'Not recorded')
    ) as t (dimension, level_code, level_order, level_label)
),

project_levels as (
    select innovation_type, 'coproduction' as dimension, cast(coproduction_level as varchar) as level_code, people_reached
    from stg_projects
    union all
    select innovation_type, 'evidence', cast(evidence_level as varchar), people_reached
    from stg_projects
    union all
    select
        innovation_type,
        'edi',
        case when edi_considered then 'yes' when not edi_considered then 'no' else 'unknown' end,
        people_reached
    from stg_projects
),

types as (
    select distinct innovation_type from stg_projects
    union all
    select 'all'
),

counted as (
    select
        coalesce(innovation_type, 'all') as innovation_type,
        dimension,
        level_code,
        count(*) as projects,
        sum(people_reached) as people_reached
    from project_levels
    group by grouping sets ((innovation_type, dimension, level_code), (dimension, level_code))
),

final as (
    select
        t.innovation_type,
        l.dimension,
        l.level_code,
        l.level_order,
        l.level_label,
        coalesce(c.projects, 0) as projects,
        cast(coalesce(c.people_reached, 0) as bigint) as people_reached
    from types as t
    cross join levels as l
    left join counted as c
        on t.innovation_type = c.innovation_type and l.dimension = c.dimension and l.level_code = c.level_code
)

select * from final
order by innovation_type = 'all', innovation_type, dimension, level_order
