-- One row per document x code for every parsed version of every placed org x year.
select
    f.document_id || '|' || f.code as fact_key,
    d.org_id,
    d.org_name,
    d.year,
    f.code,
    f.section,
    f.row_code,
    f.applicant_column,
    i.label_en,
    i.unit,
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
    f.bottom as bbox_bottom
from {{ ref('facts_all') }} as f
inner join {{ ref('documents') }} as d using (document_id)
left join {{ source('raw', 'items') }} as i on i.code = f.code
where d.is_placed
