{{ config(tags=['contract'], meta={'dagster': {'ref': {'name': 'coverage'}}}) }}
-- (Dagster shows it as an asset check of marts/coverage: a test over two models needs the one to attach to.)
-- marts.coverage and marts.org_year describe the same reports: every published org x year of
-- coverage has exactly its org_year row (same latest document, same templates), and every
-- org_year row of an expected org x year is published in coverage. Any row returned is a
-- disagreement between the two marts.
with cov as (
    select org_id, year, document_id, template_s2, template_s3
    from {{ ref('coverage') }}
    where status = 'published'
),

oy as (
    select o.org_id, o.year, o.document_id, o.template_s2, o.template_s3
    from {{ ref('org_year') }} as o
    -- org_year also holds organisations or years nobody expected; coverage covers the expected grid
    inner join (select org_id, year from {{ ref('coverage') }}) as g using (org_id, year)
)

select
    coalesce(cov.org_id, oy.org_id) as org_id,
    coalesce(cov.year, oy.year) as year,
    cov.document_id as coverage_document_id,
    oy.document_id as org_year_document_id,
    case
        when oy.org_id is null then 'published in coverage, no org_year row'
        when cov.org_id is null then 'org_year row, not published in coverage'
        when cov.document_id is distinct from oy.document_id then 'different latest document'
        else 'different templates'
    end as disagreement
from cov
full outer join oy on oy.org_id = cov.org_id and oy.year = cov.year
where cov.org_id is null
    or oy.org_id is null
    or cov.document_id is distinct from oy.document_id
    or cov.template_s2 is distinct from oy.template_s2
    or cov.template_s3 is distinct from oy.template_s3
