{#- The value of one code in a pivot over facts rows (one row per document x code). -#}
{% macro fv(code) -%}
    max(value) filter (where code = '{{ code }}')
{%- endmacro %}

{#- True when the document prints the code at all (even blank). -#}
{% macro has_code(code) -%}
    coalesce(bool_or(code = '{{ code }}'), false)
{%- endmacro %}

{#- SQL list literal of strings. -#}
{% macro sql_list(values) -%}
    ({% for v in values %}'{{ v }}'{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}
