-- Every document, placed on org x year where possible, with its version number.
-- Versions of one org x year are ordered by is_correction (originals first), then fetched_at.
-- is_latest marks the last PARSED version (a correction that failed to parse does not
-- displace the earlier parsed report).
with d as (
    select
        d.*,
        d.org_id is not null and d.year is not null as is_placed
    from {{ ref('stg_documents') }} as d
),

ranked as (
    select
        d.*,
        case when is_placed then
            row_number() over (
                partition by org_id, year
                order by is_correction, fetched_at nulls first, document_id
            )
        end as version,
        case when is_placed then count(*) over (partition by org_id, year) end as n_versions,
        case when is_placed and is_parsed then
            row_number() over (
                partition by org_id, year, (is_placed and is_parsed)
                order by is_correction desc, fetched_at desc nulls last, document_id desc
            )
        end as parsed_rank
    from d
)

select
    r.document_id,
    r.org_id,
    coalesce(o.name, r.org_name) as org_name,
    r.org_name as org_name_printed,
    o.org_type,
    o.county,
    o.org_id is not null as is_expected_org,
    r.year,
    r.source_id,
    r.document_url,
    r.detail_url,
    r.title,
    r.format,
    r.status,
    r.error_kind,
    r.error_message,
    r.template_s2,
    r.template_s3,
    r.fetched_at,
    r.raw_path,
    r.is_correction,
    r.read_by,
    r.is_parsed,
    r.is_placed,
    r.version,
    r.n_versions,
    coalesce(r.parsed_rank = 1, false) as is_latest
from ranked as r
left join {{ source('raw', 'expected_orgs') }} as o on o.org_id = r.org_id
