{%- set cols = var('applicant_columns') -%}
-- One row per org x year, from the latest parsed version, wide.
with d as (
    select * from {{ ref('documents') }} where is_latest
),

p as (
    select
        document_id,
        {% for c in cols -%}
        {{ fv('t3.new_received:' ~ c) }} as new_received_{{ c }},
        {% endfor -%}
        {% for c in cols -%}
        {{ fv('t3.carried_over:' ~ c) }} as carried_over_{{ c }},
        {% endfor -%}
        {{ fv('t3.result.total:total') }} as handled,
        {{ fv('t3.result.granted:total') }} as granted,
        {{ fv('t3.result.partial:total') }} as partial,
        {{ fv('t3.result.withheld.subtotal:total') }} as withheld,
        {{ fv('t3.result.unable.subtotal:total') }} as unable,
        {{ fv('t3.result.not_processed.subtotal:total') }} as not_processed,
        {{ fv('t3.result.other.total:total') }} as other,
        max(value_state) filter (where code = 't3.result.other.total:total') = 'derived' as other_is_derived,
        {{ fv('t3.carry_forward:total') }} as carry_forward,
        {{ fv('t4.review.total') }} as review_total,
        {{ fv('t4.review.corrected') }} as review_corrected,
        {{ fv('t4.lit_direct.total') }} as lit_direct_total,
        {{ fv('t4.lit_after_review.total') }} as lit_after_review_total,
        {{ fv('t4.lit_direct.corrected') }} + {{ fv('t4.lit_after_review.corrected') }} as litigation_corrected,
        {{ has_code('t2.art20_1.normative_docs.issued') }} as has_nd_issued,
        {{ has_code('t2.art20_1.normative_docs.new_made') }} as has_nd_new_made,
        {{ fv('t2.art20_1.normative_docs.issued') }} as nd_issued,
        {{ fv('t2.art20_1.normative_docs.new_made') }} as nd_new_made,
        {{ fv('t2.art20_1.normative_docs.in_force') }} as normative_docs_in_force,
        {{ fv('t2.art20_1.normative_docs.total_published') }} as normative_docs_total_published,
        {{ fv('t2.art20_5.licensing.decisions') }} as licensing_decisions,
        {{ fv('t2.art20_6.penalty.decisions') }} as penalty_decisions,
        {{ fv('t2.art20_6.coercion.decisions') }} as coercion_decisions,
        {{ fv('t2.art20_8.fees.amount') }} as fees_amount_wan
    from {{ ref('facts_latest') }}
    group by document_id
)

select
    d.org_id || '|' || d.year as org_year_key,
    d.org_id,
    d.org_name,
    d.org_type,
    d.county,
    d.year,
    d.document_id,
    d.document_url,
    d.version,
    d.n_versions,
    d.is_correction,
    d.read_by,
    d.status,
    d.template_s2,
    d.template_s3,
    {% for c in cols -%}
    p.new_received_{{ c }},
    {% endfor -%}
    {% for c in cols -%}
    p.carried_over_{{ c }},
    {% endfor -%}
    p.handled,
    p.granted,
    p.partial,
    p.withheld,
    p.unable,
    p.not_processed,
    p.other,
    coalesce(p.other_is_derived, false) as other_is_derived,
    p.carry_forward,
    case when p.handled > 0 then (p.granted + p.partial) / p.handled end as disclosure_rate,
    p.review_total,
    p.review_corrected,
    case when p.review_total > 0 then p.review_corrected / p.review_total end as review_corrected_share,
    p.lit_direct_total,
    p.lit_after_review_total,
    p.lit_direct_total + p.lit_after_review_total as litigation_total,
    p.litigation_corrected,
    case when p.lit_direct_total + p.lit_after_review_total > 0
        then p.litigation_corrected / (p.lit_direct_total + p.lit_after_review_total)
    end as litigation_corrected_share,
    d.template_s2 as active_disclosure_template,
    case when p.has_nd_issued then p.nd_issued when p.has_nd_new_made then p.nd_new_made end
        as normative_docs_issued,
    case
        when p.has_nd_issued then 't2.art20_1.normative_docs.issued'
        when p.has_nd_new_made then 't2.art20_1.normative_docs.new_made'
    end as normative_docs_issued_code,
    case
        when p.has_nd_issued then 'comparable'
        when p.has_nd_new_made then 'similar_only'
    end as normative_docs_issued_comparability,
    p.normative_docs_in_force,
    p.normative_docs_total_published,
    p.licensing_decisions,
    p.penalty_decisions,
    p.coercion_decisions,
    p.fees_amount_wan,
    {{ peer_group('d.org_type') }} as peer_group,
    d.org_name_printed
from d
left join p using (document_id)
