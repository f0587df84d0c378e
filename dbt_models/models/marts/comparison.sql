{#- measure name, org_year column, additive (county total and share make sense), Chinese label, unit;
    rates also name the numerator and denominator their pooled (county-wide) value is made of -#}
{%- set measures = [
    ('new_received', 'new_received_total', true, '本年新收申请数', '件'),
    ('handled', 'handled', true, '办理结果总计', '件'),
    ('granted', 'granted', true, '予以公开', '件'),
    ('partial', 'partial', true, '部分公开', '件'),
    ('withheld', 'withheld', true, '不予公开', '件'),
    ('unable', 'unable', true, '无法提供', '件'),
    ('not_processed', 'not_processed', true, '不予处理', '件'),
    ('other', 'other', true, '其他处理', '件'),
    ('carry_forward', 'carry_forward', true, '结转下年度继续办理', '件'),
    ('disclosure_rate', 'disclosure_rate', false, '公开率（予以公开与部分公开占办理总数）', '比率'),
    ('review_total', 'review_total', true, '行政复议总计', '件'),
    ('litigation_total', 'litigation_total', true, '行政诉讼总计', '件'),
    ('normative_docs_issued', 'normative_docs_issued', true, '规范性文件本年制发（新制作）件数', '件'),
    ('licensing_decisions', 'licensing_decisions', true, '行政许可处理决定数量', '件'),
    ('penalty_decisions', 'penalty_decisions', true, '行政处罚处理决定数量', '件'),
    ('coercion_decisions', 'coercion_decisions', true, '行政强制处理决定数量', '件'),
] -%}
{%- set rate_parts = {'disclosure_rate': ('granted + partial', 'handled')} -%}
-- Each org x year x measure against its county and its peer group (乡镇, 街道, 县直部门) in the
-- same year (latest versions only). Every county and peer-group figure comes with its
-- completeness: reports in / organisations expected that year (from marts.coverage).
with long as (
    {% for name, col, additive, label_zh, unit in measures -%}
    select
        org_id, org_name, org_type, county, year, document_id, active_disclosure_template,
        '{{ name }}' as measure,
        '{{ label_zh }}' as measure_label_zh,
        '{{ unit }}' as unit,
        {{ 'true' if additive else 'false' }} as is_additive,
        cast({{ col }} as double) as value,
        {%- if name in rate_parts %}
        case when {{ col }} is not null then cast({{ rate_parts[name][0] }} as double) end as rate_numerator,
        case when {{ col }} is not null then cast({{ rate_parts[name][1] }} as double) end as rate_denominator
        {%- else %}
        cast(null as double) as rate_numerator,
        cast(null as double) as rate_denominator
        {%- endif %}
    from {{ ref('org_year') }}
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}
),

-- completeness: organisations expected that year (the coverage grid, registry years respected)
-- and how many of them have a published report
completeness_county as (
    select county, year, count(*) as orgs_expected, count(*) filter (where status = 'published') as reports_in
    from {{ ref('coverage') }}
    group by county, year
),

completeness_peer as (
    select county, org_type, year, count(*) as orgs_expected,
        count(*) filter (where status = 'published') as reports_in
    from {{ ref('coverage') }}
    group by county, org_type, year
),

county as (
    select
        *,
        count(value) over w as county_n_orgs,
        case when is_additive then sum(value) over w end as county_total,
        median(value) over w as county_median,
        case when value is not null then
            rank() over (partition by county, year, measure order by value desc nulls last)
        end as rank_in_county,
        case when not is_additive and sum(rate_denominator) over w > 0
            then sum(rate_numerator) over w / sum(rate_denominator) over w
        end as county_pooled_rate,
        count(value) over p as peer_n_orgs,
        case when is_additive then sum(value) over p end as peer_total,
        median(value) over p as peer_median,
        case when value is not null then
            rank() over (partition by county, year, measure, org_type order by value desc nulls last)
        end as rank_in_peer_group,
        case when not is_additive and sum(rate_denominator) over p > 0
            then sum(rate_numerator) over p / sum(rate_denominator) over p
        end as peer_pooled_rate
    from long
    window w as (partition by county, year, measure),
        p as (partition by county, year, measure, org_type)
)

select
    c.org_id || '|' || c.year || '|' || c.measure as comparison_key,
    c.org_id,
    c.org_name,
    c.county,
    c.year,
    c.measure,
    c.is_additive,
    c.value,
    c.county_n_orgs,
    c.county_total,
    c.county_median,
    c.rank_in_county,
    case when c.is_additive and c.county_total > 0 then c.value / c.county_total end as share_of_county,
    prev.value as prev_year_value,
    c.value - prev.value as change_from_prev,
    case when prev.value > 0 then (c.value - prev.value) / prev.value end as change_pct,
    case
        when prev.org_id is null then null
        when c.measure = 'normative_docs_issued'
            and c.active_disclosure_template is distinct from prev.active_disclosure_template
            then 'similar_only'
        else 'comparable'
    end as change_comparability,
    c.document_id,
    c.measure_label_zh,
    c.unit,
    c.org_type,
    {{ peer_group('c.org_type') }} as peer_group,
    c.county_pooled_rate,
    cc.reports_in as county_reports_in,
    cc.orgs_expected as county_orgs_expected,
    cast(cc.reports_in as double) / cc.orgs_expected as county_completeness,
    c.peer_n_orgs,
    c.peer_total,
    c.peer_median,
    c.rank_in_peer_group,
    case when c.is_additive and c.peer_total > 0 then c.value / c.peer_total end as share_of_peer_group,
    c.peer_pooled_rate,
    cp.reports_in as peer_reports_in,
    cp.orgs_expected as peer_orgs_expected,
    cast(cp.reports_in as double) / cp.orgs_expected as peer_completeness
from county as c
left join long as prev
    on prev.org_id = c.org_id and prev.year = c.year - 1 and prev.measure = c.measure
left join completeness_county as cc on cc.county = c.county and cc.year = c.year
left join completeness_peer as cp on cp.county = c.county and cp.org_type = c.org_type and cp.year = c.year
