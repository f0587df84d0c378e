-- depends_on: {{ ref('stg_documents') }}, {{ ref('stg_partition_loads') }}
{%- set derived_labels = derived_row_labels() -%}
-- One row per document x code for every parsed version of every placed org x year.
-- Incremental per county (macros/incremental_partitions.sql; configured in dbt_project.yml).
-- Every row carries its Chinese labels as printed in the statutory template (section, row path,
-- column): from items.csv, and for the derived subtotals (not in items.csv) the parent row's
-- label plus 小计, with the column label of the same applicant column.
with derived_labels as (
    select * from (values
        {% for code, (zh, en) in derived_labels.items() -%}
        ('{{ code }}', '{{ zh }}', '{{ en }}'){{ ',' if not loop.last }}
        {% endfor -%}
    ) as t(row_code, row_label_zh, row_label_en)
)

select
    f.document_id || '|' || f.code as fact_key,
    d.org_id,
    d.org_name,
    d.year,
    f.code,
    f.section,
    f.row_code,
    f.applicant_column,
    coalesce(
        i.label_en,
        dl.row_label_en || ' [' || regexp_extract(ic.label_en, '\[(.*)\]$', 1) || ']'
    ) as label_en,
    coalesce(i.unit, case when f.is_derived then ic.unit end) as unit,
    coalesce(i.template, case when f.is_derived then 'derived' end) as item_template,
    case f.section
        when '二' then d.template_s2
        when '三' then d.template_s3
        when '四' then 'both'
    end as section_template,
    f.value,
    f.value_state,
    f.raw_text,
    f.is_derived,
    f.document_id,
    d.document_url,
    d.version,
    d.n_versions,
    d.is_correction,
    coalesce(f.read_by, d.read_by) as read_by,
    f.machine_value,
    f.review_kind,
    f.reviewed_by,
    f.reviewed_at,
    f.review_note,
    d.is_latest,
    f.page,
    f.x0 as bbox_x0,
    f.top as bbox_top,
    f.x1 as bbox_x1,
    f.bottom as bbox_bottom,
    d.org_type,
    {{ peer_group('d.org_type') }} as peer_group,
    d.org_name_printed,
    coalesce(i.section, ic.section) as section_label_zh,
    coalesce(i.row_path_zh, dl.row_label_zh) as row_label_zh,
    coalesce(i.column_zh, ic.column_zh) as column_label_zh,
    coalesce(i.row_path_zh, dl.row_label_zh)
        || coalesce('｜' || coalesce(i.column_zh, ic.column_zh), '') as label_zh
from {{ ref('facts_all') }} as f
inner join {{ ref('documents') }} as d using (document_id)
left join {{ source('raw', 'items') }} as i on i.code = f.code
-- the applicant column's labels, for derived t3 cells (any row of items.csv with that column)
left join {{ source('raw', 'items') }} as ic
    on f.applicant_column is not null and ic.code = 't3.new_received:' || f.applicant_column
left join derived_labels as dl on dl.row_code = f.row_code
where d.is_placed
{%- if is_incremental() %}
    and {{ in_changed_partitions('f.document_id') }}
{%- endif %}
