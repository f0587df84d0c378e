{#- measure name, org_year column, additive (county total and share make sense) -#}
{%- set measures = [
    ('new_received', 'new_received_total', true),
    ('handled', 'handled', true),
    ('granted', 'granted', true),
    ('partial', 'partial', true),
    ('withheld', 'withheld', true),
    ('unable', 'unable', true),
    ('not_processed', 'not_processed', true),
    ('other', 'other', true),
    ('carry_forward', 'carry_forward', true),
    ('disclosure_rate', 'disclosure_rate', false),
    ('review_total', 'review_total', true),
    ('litigation_total', 'litigation_total', true),
    ('normative_docs_issued', 'normative_docs_issued', true),
    ('licensing_decisions', 'licensing_decisions', true),
    ('penalty_decisions', 'penalty_decisions', true),
    ('coercion_decisions', 'coercion_decisions', true),
] -%}
-- Each org x year x measure against its county in the same year (latest versions only).
with long as (
    {% for name, col, additive in measures -%}
    select
        org_id, org_name, county, year, document_id, active_disclosure_template,
        '{{ name }}' as measure,
        {{ 'true' if additive else 'false' }} as is_additive,
        cast({{ col }} as double) as value
    from {{ ref('org_year') }}
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}
),

county as (
    select
        *,
        count(value) over w as county_n_orgs,
        case when is_additive then sum(value) over w end as county_total,
        median(value) over w as county_median,
        case when value is not null then
            rank() over (partition by county, year, measure order by value desc nulls last)
        end as rank_in_county
    from long
    window w as (partition by county, year, measure)
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
    c.document_id
from county as c
left join long as prev
    on prev.org_id = c.org_id and prev.year = c.year - 1 and prev.measure = c.measure
