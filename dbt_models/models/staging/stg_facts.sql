-- One row per document x code, with the section and (for t3) the row and applicant column split.
select
    document_id,
    code,
    case split_part(code, '.', 1)
        when 't2' then '二'
        when 't3' then '三'
        when 't4' then '四'
    end as section,
    case when code like 't3.%' then split_part(code, ':', 1) else code end as row_code,
    case when code like 't3.%' then nullif(split_part(code, ':', 2), '') end as applicant_column,
    value,
    lower(value_state) as value_state,
    raw_text,
    page,
    x0,
    top,
    x1,
    bottom,
    read_by,
    machine_value,
    review_kind,
    reviewed_by,
    reviewed_at,
    review_note
from {{ source('raw', 'facts') }}
where document_id is not null and code is not null
qualify row_number() over (partition by document_id, code order by page nulls last, top nulls last) = 1
