-- depends_on: {{ ref('stg_documents') }}, {{ ref('stg_partition_loads') }}
-- Incremental per county (macros/incremental_partitions.sql; configured in dbt_project.yml).
-- Facts of every parsed document (all versions), plus derived facts (spec §11):
--   t3.result.{withheld,unable,not_processed}.subtotal:<c>  sum of the sub-rows
--   t3.result.other.total:<c> for 2021-layout reports      no_correction + unpaid_fee + misc
-- A derived value is null unless every part is printed and non-blank (blank is not 0).
-- A code the document prints itself is never overwritten by a derived one.
with parsed as (
    select document_id from {{ ref('documents') }}
    where is_parsed
    {%- if is_incremental() %}
        and {{ in_changed_partitions('document_id') }}
    {%- endif %}
),

src as (
    select f.*, false as is_derived
    from {{ ref('stg_facts') }} as f
    inner join parsed using (document_id)
),

parts as (
    select
        document_id,
        applicant_column,
        value,
        case
            when row_code like 't3.result.withheld.%' then 't3.result.withheld.subtotal'
            when row_code like 't3.result.unable.%' then 't3.result.unable.subtotal'
            when row_code like 't3.result.not_processed.%' then 't3.result.not_processed.subtotal'
            when row_code in (
                't3.result.other.no_correction', 't3.result.other.unpaid_fee', 't3.result.other.misc'
            ) then 't3.result.other.total'
        end as derived_row
    from src
    where section = '三' and applicant_column is not null
),

derived as (
    select
        document_id,
        derived_row || ':' || applicant_column as code,
        '三' as section,
        derived_row as row_code,
        applicant_column,
        case
            when count(value) = case derived_row
                when 't3.result.withheld.subtotal' then 8
                when 't3.result.unable.subtotal' then 3
                when 't3.result.not_processed.subtotal' then 5
                when 't3.result.other.total' then 3
            end
            then sum(value)
        end as value,
        'derived' as value_state,
        cast(null as varchar) as raw_text,
        cast(null as integer) as page,
        cast(null as double) as x0,
        cast(null as double) as top,
        cast(null as double) as x1,
        cast(null as double) as bottom,
        true as is_derived
    from parts
    where derived_row is not null
    group by document_id, derived_row, applicant_column
)

select
    document_id, code, section, row_code, applicant_column, value, value_state, raw_text,
    page, x0, top, x1, bottom, is_derived,
    read_by, machine_value, review_kind, reviewed_by, reviewed_at, review_note
from src
union all by name
select d.*
from derived as d
anti join src as s on s.document_id = d.document_id and s.code = d.code
