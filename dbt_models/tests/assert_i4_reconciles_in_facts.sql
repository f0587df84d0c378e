{{ config(severity='warn', tags=['identity']) }}
-- I4 recomputed from the latest facts: t4.g.total = upheld + corrected + other + pending.
with p as (
    select
        document_id,
        split_part(code, '.', 2) as grp,
        max(value) filter (where code like '%.total') as printed_total,
        sum(value) filter (where code not like '%.total') as sum_of_parts,
        count(value) filter (where code not like '%.total') as n_parts
    from {{ ref('facts_latest') }}
    where section = '四'
    group by document_id, grp
)
select *
from p
where n_parts = 4 and printed_total <> sum_of_parts
