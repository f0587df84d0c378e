-- The county figures of marts.comparison, one row per county x year x group x measure, where
-- group is the whole county (全县) or one peer group (乡镇, 街道, 县直部门): total, median, the
-- pooled rate (the county's own rate, weighted by applications) beside the median, and the
-- completeness of every figure (reports in / organisations expected). Every expected year and
-- group has its row, even when no report of the group came in (reports_in 0, figures null).
with expected_orgs as (
    select * from {{ source('raw', 'expected_orgs') }}
),

measures as (
    select distinct measure, measure_label_zh, unit, is_additive from {{ ref('comparison') }}
),

grid as (
    select o.county, 'county' as grouping, cast(null as varchar) as org_type, count(*) as orgs_expected
    from expected_orgs as o
    group by o.county
    union all
    select o.county, 'peer_group' as grouping, o.org_type, count(*) as orgs_expected
    from expected_orgs as o
    group by o.county, o.org_type
),

figures as (
    select distinct
        county, year, 'county' as grouping, cast(null as varchar) as org_type, measure,
        county_n_orgs as n_orgs_with_value, county_total as total, county_median as median,
        county_pooled_rate as pooled_rate, county_reports_in as reports_in
    from {{ ref('comparison') }}
    union all
    select distinct
        county, year, 'peer_group' as grouping, org_type, measure,
        peer_n_orgs, peer_total, peer_median, peer_pooled_rate, peer_reports_in
    from {{ ref('comparison') }}
)

select
    g.county || '|' || y.year || '|' || coalesce(g.org_type, 'county') || '|' || m.measure as summary_key,
    g.county,
    y.year,
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
    coalesce(f.reports_in, 0) as reports_in,
    g.orgs_expected,
    cast(coalesce(f.reports_in, 0) as double) / g.orgs_expected as completeness,
    coalesce(f.reports_in, 0) = g.orgs_expected as is_complete
from grid as g
cross join (select distinct year from {{ source('raw', 'expected_years') }}) as y
cross join measures as m
left join figures as f
    on f.county = g.county and f.year = y.year and f.grouping = g.grouping
    and f.org_type is not distinct from g.org_type and f.measure = m.measure
