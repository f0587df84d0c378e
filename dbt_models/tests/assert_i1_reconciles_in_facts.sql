{{ config(severity='warn', tags=['identity']) }}
-- I1 recomputed from the latest facts, independent of the extractor:
-- new_received[c] + carried_over[c] = result.total[c] + carry_forward[c] for c in C7.
-- Sources may break it (they are reproduced, never repaired): warn only.
with p as (
    select
        document_id,
        applicant_column,
        max(value) filter (where row_code = 't3.new_received') as new_received,
        max(value) filter (where row_code = 't3.carried_over') as carried_over,
        max(value) filter (where row_code = 't3.result.total') as result_total,
        max(value) filter (where row_code = 't3.carry_forward') as carry_forward
    from {{ ref('facts_latest') }}
    where section = '三'
    group by document_id, applicant_column
)
select *
from p
where new_received + carried_over <> result_total + carry_forward
