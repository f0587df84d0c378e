-- Every expected org x expected year: published | parse_failed | not_found.
-- published = at least one parsed version (an all-zero report is published).
with grid as (
    select o.org_id, o.name as org_name, o.org_type, o.county, y.year
    from {{ source('raw', 'expected_orgs') }} as o
    cross join (select distinct year from {{ source('raw', 'expected_years') }}) as y
),

docs as (
    select * from {{ ref('documents') }} where is_placed
),

agg as (
    select
        org_id,
        year,
        count(*) as n_documents,
        count(*) filter (where is_parsed) as n_parsed
    from docs
    group by org_id, year
),

latest as (
    select * from docs where is_latest
),

last_failed as (
    select *
    from docs
    where not is_parsed
    qualify row_number() over (
        partition by org_id, year order by fetched_at desc nulls last, document_id desc
    ) = 1
),

cells as (
    select
        document_id,
        count(*) filter (where not is_derived) as n_cells,
        count(value) filter (where not is_derived and value <> 0) as n_nonzero_cells
    from {{ ref('facts_latest') }}
    group by document_id
)

select
    g.org_id || '|' || g.year as coverage_key,
    g.org_id,
    g.org_name,
    g.org_type,
    g.county,
    g.year,
    case
        when coalesce(a.n_parsed, 0) > 0 then 'published'
        when coalesce(a.n_documents, 0) > 0 then 'parse_failed'
        else 'not_found'
    end as status,
    case
        when coalesce(a.n_parsed, 0) = 0 and coalesce(a.n_documents, 0) > 0
            then coalesce(f.error_kind, 'unknown') || coalesce(': ' || f.error_message, '')
    end as reason,
    coalesce(l.document_id, f.document_id) as document_id,
    coalesce(l.document_url, f.document_url) as document_url,
    coalesce(a.n_documents, 0) as n_documents,
    coalesce(a.n_parsed, 0) as n_parsed,
    l.version as latest_version,
    l.template_s2,
    l.template_s3,
    c.n_cells,
    case when l.document_id is not null then coalesce(c.n_nonzero_cells, 0) = 0 end as all_zero
from grid as g
left join agg as a on a.org_id = g.org_id and a.year = g.year
left join latest as l on l.org_id = g.org_id and l.year = g.year
left join last_failed as f on f.org_id = g.org_id and f.year = g.year
left join cells as c on c.document_id = l.document_id
