{%- set cols = var('applicant_columns') -%}
{%- set x2_rows = [
    ('licensing', 't2.art20_5.licensing'),
    ('other_services', 't2.art20_5.other_services'),
    ('penalty', 't2.art20_6.penalty'),
    ('coercion', 't2.art20_6.coercion'),
    ('fees', 't2.art20_8.fees'),
] -%}
{%- set x34_rows = [
    ('rules', 't2.art20_1.rules'),
    ('normative_docs', 't2.art20_1.normative_docs'),
] -%}
-- In-report identities I1-I5 (from the extractor, every version) and cross-year checks
-- X1 (hard) and X2-X4 (soft), computed here on the latest version of each org x year.
-- status: pass | fail | not_assessable. expected/printed follow `relation`:
--   '='  printed must equal expected;  '>=' printed must be at least expected.
with docs as (
    select * from {{ ref('documents') }}
),

cur as (
    select document_id, org_id, year, template_s2, template_s3
    from docs
    where is_latest
),

pairs as (
    -- every latest org-year whose previous year is expected or was published
    select
        c.*,
        p.document_id as prev_document_id,
        p.template_s2 as prev_template_s2,
        p.template_s3 as prev_template_s3
    from cur as c
    left join cur as p on p.org_id = c.org_id and p.year = c.year - 1
    where p.document_id is not null
        or c.year - 1 in (select year from {{ source('raw', 'expected_years') }})
),

v as (
    select document_id, code, value from {{ ref('facts_latest') }}
),

identities as (
    select
        i.identity,
        'hard' as severity,
        i.scope,
        d.org_id,
        d.year,
        i.document_id,
        cast(null as varchar) as compared_document_id,
        coalesce(d.is_latest, false) as is_latest,
        i.status,
        '=' as relation,
        i.expected,
        i.printed,
        'extractor' as computed_by,
        cast(null as varchar) as detail
    from {{ ref('stg_identity_checks') }} as i
    left join docs as d using (document_id)
),

x1 as (
    select
        'X1' as identity,
        'hard' as severity,
        col as scope,
        p.org_id,
        p.year,
        p.document_id,
        p.prev_document_id as compared_document_id,
        true as is_latest,
        case
            when p.prev_document_id is null then 'not_assessable'
            when cur_v.value is null or prev_v.value is null then 'not_assessable'
            when cur_v.value = prev_v.value then 'pass'
            else 'fail'
        end as status,
        '=' as relation,
        prev_v.value as expected,
        cur_v.value as printed,
        'warehouse' as computed_by,
        case
            when p.prev_document_id is null then 'no parsed report for the previous year'
            when cur_v.value is null or prev_v.value is null then 'blank or missing cell'
            else 't3.carried_over:' || col || '[Y] vs t3.carry_forward:' || col || '[Y-1]'
        end as detail
    from pairs as p
    cross join (select unnest({{ cols }}) as col) as cs
    left join v as cur_v on cur_v.document_id = p.document_id and cur_v.code = 't3.carried_over:' || col
    left join v as prev_v on prev_v.document_id = p.prev_document_id and prev_v.code = 't3.carry_forward:' || col
),

x2 as (
    {% for row, prefix in x2_rows -%}
    select
        'X2' as identity,
        'soft' as severity,
        '{{ row }}' as scope,
        p.org_id,
        p.year,
        p.document_id,
        p.prev_document_id as compared_document_id,
        true as is_latest,
        case
            when p.prev_document_id is null or p.prev_template_s2 is distinct from '2019' then 'not_assessable'
            when c.value is null or pi.value is null or pd.value is null then 'not_assessable'
            when c.value = pi.value + pd.value then 'pass'
            else 'fail'
        end as status,
        '=' as relation,
        pi.value + pd.value as expected,
        c.value as printed,
        'warehouse' as computed_by,
        case
            when p.prev_document_id is null then 'no parsed report for the previous year'
            when p.prev_template_s2 is distinct from '2019' then 'previous year not on the 2019 template'
            when c.value is null or pi.value is null or pd.value is null then 'blank or missing cell'
            else 'prev_items[Y] vs prev_items[Y-1] + delta[Y-1]'
        end as detail
    from pairs as p
    left join v as c on c.document_id = p.document_id and c.code = '{{ prefix }}.prev_items'
    left join v as pi on pi.document_id = p.prev_document_id and pi.code = '{{ prefix }}.prev_items'
    left join v as pd on pd.document_id = p.prev_document_id and pd.code = '{{ prefix }}.delta'
    where p.template_s2 = '2019'
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}
),

x3 as (
    {% for row, prefix in x34_rows -%}
    select
        'X3' as identity,
        'soft' as severity,
        '{{ row }}' as scope,
        p.org_id,
        p.year,
        p.document_id,
        p.prev_document_id as compared_document_id,
        true as is_latest,
        case
            when p.prev_document_id is null or p.prev_template_s2 is distinct from '2021' then 'not_assessable'
            when c.value is null or pf.value is null or ci.value is null or cr.value is null then 'not_assessable'
            when c.value = pf.value + ci.value - cr.value then 'pass'
            else 'fail'
        end as status,
        '=' as relation,
        pf.value + ci.value - cr.value as expected,
        c.value as printed,
        'warehouse' as computed_by,
        case
            when p.prev_document_id is null then 'no parsed report for the previous year'
            when p.prev_template_s2 is distinct from '2021' then 'previous year not on the 2021 template'
            when c.value is null or pf.value is null or ci.value is null or cr.value is null then 'blank or missing cell'
            else 'in_force[Y] vs in_force[Y-1] + issued[Y] - repealed[Y]'
        end as detail
    from pairs as p
    left join v as c on c.document_id = p.document_id and c.code = '{{ prefix }}.in_force'
    left join v as ci on ci.document_id = p.document_id and ci.code = '{{ prefix }}.issued'
    left join v as cr on cr.document_id = p.document_id and cr.code = '{{ prefix }}.repealed'
    left join v as pf on pf.document_id = p.prev_document_id and pf.code = '{{ prefix }}.in_force'
    where p.template_s2 = '2021'
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}
),

x4 as (
    {% for row, prefix in x34_rows -%}
    -- within the year: new_published <= total_published
    select
        'X4' as identity,
        'soft' as severity,
        '{{ row }}.within_year' as scope,
        c.org_id,
        c.year,
        c.document_id,
        cast(null as varchar) as compared_document_id,
        true as is_latest,
        case
            when np.value is null or tp.value is null then 'not_assessable'
            when tp.value >= np.value then 'pass'
            else 'fail'
        end as status,
        '>=' as relation,
        np.value as expected,
        tp.value as printed,
        'warehouse' as computed_by,
        case
            when np.value is null or tp.value is null then 'blank or missing cell'
            else 'total_published[Y] >= new_published[Y]'
        end as detail
    from cur as c
    left join v as np on np.document_id = c.document_id and np.code = '{{ prefix }}.new_published'
    left join v as tp on tp.document_id = c.document_id and tp.code = '{{ prefix }}.total_published'
    where c.template_s2 = '2019'
    union all
    -- across years: total_published[Y] >= total_published[Y-1]
    select
        'X4' as identity,
        'soft' as severity,
        '{{ row }}.vs_prev_year' as scope,
        p.org_id,
        p.year,
        p.document_id,
        p.prev_document_id as compared_document_id,
        true as is_latest,
        case
            when p.prev_document_id is null or p.prev_template_s2 is distinct from '2019' then 'not_assessable'
            when c.value is null or pv.value is null then 'not_assessable'
            when c.value >= pv.value then 'pass'
            else 'fail'
        end as status,
        '>=' as relation,
        pv.value as expected,
        c.value as printed,
        'warehouse' as computed_by,
        case
            when p.prev_document_id is null then 'no parsed report for the previous year'
            when p.prev_template_s2 is distinct from '2019' then 'previous year not on the 2019 template'
            when c.value is null or pv.value is null then 'blank or missing cell'
            else 'total_published[Y] >= total_published[Y-1]'
        end as detail
    from pairs as p
    left join v as c on c.document_id = p.document_id and c.code = '{{ prefix }}.total_published'
    left join v as pv on pv.document_id = p.prev_document_id and pv.code = '{{ prefix }}.total_published'
    where p.template_s2 = '2019'
    {% if not loop.last %}union all
    {% endif %}
    {%- endfor %}
),

all_checks as (
    select * from identities
    union all by name select * from x1
    union all by name select * from x2
    union all by name select * from x3
    union all by name select * from x4
),

named as (
    -- the organisation's name and type beside its id, for readers of this table alone
    select a.*, dn.org_name, dn.org_type
    from all_checks as a
    left join docs as dn on dn.document_id = a.document_id
)

select
    identity || '|' || scope || '|' || document_id
        || case when count(*) over (partition by identity, scope, document_id) > 1
            then '#' || row_number() over (partition by identity, scope, document_id order by expected, printed)
            else '' end as check_key,
    identity,
    severity,
    scope,
    org_id,
    year,
    document_id,
    compared_document_id,
    is_latest,
    status,
    relation,
    expected,
    printed,
    computed_by,
    detail,
    org_name,
    org_type,
    {{ peer_group('org_type') }} as peer_group
from named
