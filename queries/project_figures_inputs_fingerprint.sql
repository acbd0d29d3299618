-- one row: a fingerprint of every table the stored appraisal and funding figures are computed from (projects,
-- funding, costs, benefits and the discount-rate, optimism-bias, GDP-deflator and council references): per table its row count and the sum of
-- a hash of each whole row, which any change to any cell of any row changes, whatever the row order.
-- A write compares it with the one stored beside the reference figures to know whether they still hold.
with

table_hashes as (
    select 'benefits' as table_name, count(*) as row_count, sum(cast(hash(b) as hugeint)) as row_hash_sum
    from benefits as b
    union all
    select 'costs', count(*), sum(cast(hash(cl) as hugeint)) from costs as cl
    union all
    select 'funding', count(*), sum(cast(hash(f) as hugeint)) from funding as f
    union all
    select 'projects', count(*), sum(cast(hash(p) as hugeint)) from projects as p
    union all
    select 'ref_discount_rates', count(*), sum(cast(hash(r) as hugeint)) from ref_discount_rates as r
    union all
    select 'ref_optimism_bias', count(*), sum(cast(hash(o) as hugeint)) from ref_optimism_bias as o
    union all
    select 'ref_gdp_deflators', count(*), sum(cast(hash(g) as hugeint)) from ref_gdp_deflators as g
    union all
    select 'ref_council', count(*), sum(cast(hash(c) as hugeint)) from ref_council as c
),

final as (
    select
        string_agg(
            table_name || ':' || cast(row_count as varchar) || ':' || cast(coalesce(row_hash_sum, 0) as varchar),
            ';' order by table_name
        ) as inputs_fingerprint
    from table_hashes
)

select * from final
