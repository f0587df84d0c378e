-- One row per document_id (a file linked from two pages is kept once: its first fetch).
select
    document_id,
    source_id,
    document_url,
    detail_url,
    title,
    nullif(trim(org_name), '') as org_name,
    nullif(trim(org_id), '') as org_id,
    year,
    lower(format) as format,
    lower(status) as status,
    error_kind,
    error_message,
    template_s2,
    template_s3,
    fetched_at,
    raw_path,
    coalesce(is_correction, false) as is_correction,
    read_by,
    coalesce(lower(status) in ('ok', 'partial'), false) as is_parsed,
    -- the county (staging file) the row came from; '' in the single-file layout
    coalesce(partition_key, '') as partition_key
from {{ source('raw', 'documents') }}
where document_id is not null
qualify row_number() over (
    partition by document_id order by fetched_at nulls last, document_url
) = 1
