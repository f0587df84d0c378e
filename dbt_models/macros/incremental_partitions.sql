{#-
  Incremental models rebuilt per county (partition), not per row.

  A county's documents are rebuilt when stg_partition_loads says it was loaded (or a county
  sharing an organisation or a document with it was) after the model last recorded it in
  dbt_state.built_partitions, or when the models digest changed (pipelines/warehouse/models_digest.py
  passes it as var models_digest: a changed model, macro or items.csv; missing, as when dbt is run
  by hand, it rebuilds everything). Three pieces, all inside the model's one transaction:
    pre_hook   delete_changed_partitions(): drop the rows of every document not in an unchanged
               county (changed counties, counties gone, documents that moved);
    the model  where {{ in_changed_partitions('document_id') }}: select only those documents;
    post_hook  record_built_partitions(): remember each county's load time and the digest.
  A failure anywhere rolls all three back, so the watermark never runs ahead of the rows.
-#}

{#- the digest of the models as given by the pipeline; without it (dbt run by hand) this
    invocation's id, so every county is rebuilt -#}
{% macro models_digest() -%}
    {{ var("models_digest", invocation_id) }}
{%- endmacro %}

{% macro built_partitions_table() -%}
    dbt_state.built_partitions
{%- endmacro %}

{% macro _ensure_built_partitions() -%}
    create schema if not exists dbt_state;
    create table if not exists {{ built_partitions_table() }} (
        model varchar, partition_key varchar, loaded_at timestamptz, models_digest varchar
    );
{%- endmacro %}

{% macro changed_partitions() -%}
    select l.partition_key
    from {{ ref('stg_partition_loads') }} as l
    left join {{ built_partitions_table() }} as b
        on b.model = '{{ this.schema }}.{{ this.identifier }}' and b.partition_key = l.partition_key
    where b.loaded_at is null
        or l.loaded_at > b.loaded_at
        or b.models_digest is distinct from '{{ models_digest() }}'
{%- endmacro %}

{% macro in_changed_partitions(document_column) -%}
    {{ document_column }} in (
        select d.document_id
        from {{ ref('stg_documents') }} as d
        where d.partition_key in ({{ changed_partitions() }})
    )
{%- endmacro %}

{% macro delete_changed_partitions() -%}
    {%- if is_incremental() -%}
    {{ _ensure_built_partitions() }}
    delete from {{ this }} as t
    where not exists (
        select 1
        from {{ ref('stg_documents') }} as d
        where d.document_id = t.document_id
            and d.partition_key not in ({{ changed_partitions() }})
    )
    {%- endif -%}
{%- endmacro %}

{% macro record_built_partitions() -%}
    {{ _ensure_built_partitions() }}
    delete from {{ built_partitions_table() }} where model = '{{ this.schema }}.{{ this.identifier }}';
    insert into {{ built_partitions_table() }}
    select '{{ this.schema }}.{{ this.identifier }}', partition_key, loaded_at, '{{ models_digest() }}'
    from {{ ref('stg_partition_loads') }};
{%- endmacro %}
