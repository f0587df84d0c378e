-- Every expected org x expected year of its source:
-- published | parse_failed | found_unmatched | crawl_failed | not_found.
-- published = at least one parsed version (an all-zero report is published).
-- found_unmatched = no document placed, but a report was found whose printed organisation name is
-- not in the registry and most likely means this one (pipelines/stages/orgs_stage.py suggests it).
-- crawl_failed = nothing found, and the source's last crawl failed (its earlier documents stay).
with grid as (
    select o.org_id, o.name as org_name, o.org_type, o.county, o.source_id, y.year
    from {{ source('raw', 'expected_orgs') }} as o
    inner join (select distinct year, source_id from {{ source('raw', 'expected_years') }}) as y
        on y.source_id is not distinct from o.source_id
    left join {{ source('raw', 'org_validity') }} as v on v.org_id = o.org_id
    where y.year between coalesce(v.valid_from, y.year) and coalesce(v.valid_to, y.year)
),

unmatched as (
    select
        s.suggested_org_id as org_id,
        d.year,
        d.document_id,
        d.document_url,
        s.org_name_printed,
        s.suggested_registry_line
    from {{ source('raw', 'org_suggestions') }} as s
    inner join {{ ref('documents') }} as d on d.document_id = s.document_id
    where d.org_id is null and d.year is not null and s.suggested_org_id is not null
    qualify row_number() over (
        partition by s.suggested_org_id, d.year
        order by d.is_parsed desc, d.fetched_at desc nulls last, d.document_id desc
    ) = 1
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
        when u.document_id is not null then 'found_unmatched'
        when cs.status = 'crawl_failed' then 'crawl_failed'
        else 'not_found'
    end as status,
    case
        when coalesce(a.n_parsed, 0) = 0 and coalesce(a.n_documents, 0) > 0
            then coalesce(f.error_kind, 'unknown') || coalesce(': ' || f.error_message, '')
        when coalesce(a.n_documents, 0) = 0 and u.document_id is not null
            then 'unmatched_organisation: printed as ' || u.org_name_printed
                || '; add to the registry CSV: ' || u.suggested_registry_line
        when coalesce(a.n_documents, 0) = 0 and cs.status = 'crawl_failed'
            then 'crawl_failed: ' || coalesce(cs.reason, 'unknown')
    end as reason,
    coalesce(l.document_id, f.document_id, u.document_id) as document_id,
    coalesce(l.document_url, f.document_url, u.document_url) as document_url,
    coalesce(a.n_documents, 0) as n_documents,
    coalesce(a.n_parsed, 0) as n_parsed,
    l.version as latest_version,
    l.template_s2,
    l.template_s3,
    c.n_cells,
    case when l.document_id is not null then coalesce(c.n_nonzero_cells, 0) = 0 end as all_zero,
    case when coalesce(a.n_documents, 0) = 0 then u.org_name_printed end as org_name_printed,
    case when coalesce(a.n_documents, 0) = 0 then u.suggested_registry_line end as suggested_registry_line,
    g.source_id,
    cs.status as source_crawl_status,
    case when cs.status = 'crawl_failed' then cs.reason end as source_crawl_error,
    cs.attempted_at as source_crawl_attempted_at,
    cs.last_ok_at as source_crawl_last_ok_at
from grid as g
left join {{ source('raw', 'crawl_status') }} as cs on cs.source_id = g.source_id
left join agg as a on a.org_id = g.org_id and a.year = g.year
left join latest as l on l.org_id = g.org_id and l.year = g.year
left join last_failed as f on f.org_id = g.org_id and f.year = g.year
left join cells as c on c.document_id = l.document_id
left join unmatched as u on u.org_id = g.org_id and u.year = g.year
