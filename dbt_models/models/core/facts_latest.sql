-- depends_on: {{ ref('stg_documents') }}, {{ ref('stg_partition_loads') }}
-- Facts of the latest parsed version of each org x year, with the org and year on each row.
-- Incremental per county (macros/incremental_partitions.sql; configured in dbt_project.yml).
select
    d.org_id,
    d.org_name,
    d.county,
    d.year,
    d.template_s2,
    d.template_s3,
    f.*
from {{ ref('facts_all') }} as f
inner join {{ ref('documents') }} as d using (document_id)
where d.is_latest
{%- if is_incremental() %}
    and {{ in_changed_partitions('f.document_id') }}
{%- endif %}
