-- The county figures of marts.comparison, one row per county x year x group x measure, where
-- group is the whole county (全县) or one peer group (乡镇, 街道, 县直部门): total, median, the
-- pooled rate (the county's own rate, weighted by applications) beside the median, and the
-- completeness of every figure (reports in / organisations expected that year, from
-- marts.coverage). Every expected year and group has its row, even when no report of the group
-- came in (reports_in 0, figures null).
with measures as (
    select distinct measure, measure_label_zh, unit, is_additive from {{ ref('comparison') }}
),

-- every expected org x year is a row of coverage (registry years respected)
grid as (
    select county, year, 'county' as grouping, cast(null as varchar) as org_type,
        count(*) as orgs_expected, count(*) filter (where status = 'published') as reports_in
    from {{ ref('coverage') }}
    group by county, year
    union all
    select county, year, 'peer_group' as grouping, org_type,
        count(*) as orgs_expected, count(*) filter (where status = 'published') as reports_in
    from {{ ref('coverage') }}
    group by county, year, org_type
),

figures as (
    select distinct
        county, year, 'county' as grouping, cast(null as varchar) as org_type, measure,
        county_n_orgs as n_orgs_with_value, county_total as total, county_median as median,
        county_pooled_rate as pooled_rate
    from {{ ref('comparison') }}
    union all
    select distinct
        county, year, 'peer_group' as grouping, org_type, measure,
        peer_n_orgs, peer_total, peer_median, peer_pooled_rate
    from {{ ref('comparison') }}
)

select
    g.county || '|' || g.year || '|' || coalesce(g.org_type, 'county') || '|' || m.measure as summary_key,
    g.county,
    g.year,
    g.grouping,
    g.org_type,
    coalesce({{ peer_group('g.org_type') }}, '全县') as group_zh,
    m.measure,
    m.measure_label_zh,
    m.unit,
    m.is_additive,
    coalesce(f.n_orgs_with_value, 0) as n_orgs_with_value,
    f.total,
    f.median,
    f.pooled_rate,
    g.reports_in,
    g.orgs_expected,
    cast(g.reports_in as double) / g.orgs_expected as completeness,
    g.reports_in = g.orgs_expected as is_complete
from grid as g
cross join measures as m
left join figures as f
    on f.county = g.county and f.year = g.year and f.grouping = g.grouping
    and f.org_type is not distinct from g.org_type and f.measure = m.measure
