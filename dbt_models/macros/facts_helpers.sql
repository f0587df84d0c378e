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

{#- The peer group of an organisation type, in the words of the registries
    (pipelines/crawl/profile.py ORG_TYPE_LABELS): 乡镇 / 街道 / 县直部门 / 县政府. -#}
{% macro peer_group(org_type) -%}
    case {{ org_type }}
        when 'township' then '乡镇'
        when 'street' then '街道'
        when 'department' then '县直部门'
        when 'county_government' then '县政府'
    end
{%- endmacro %}

{#- Derived rows (spec §11) that items.csv does not list: row label as in the statutory template
    (the sub-rows' parent, then 小计) and an English label. -#}
{% macro derived_row_labels() -%}
    {{ return({
        't3.result.withheld.subtotal': ('三、本年度办理结果/（三）不予公开/小计', 'withheld: subtotal of the 8 reasons'),
        't3.result.unable.subtotal': ('三、本年度办理结果/（四）无法提供/小计', 'unable to provide: subtotal of the 3 reasons'),
        't3.result.not_processed.subtotal': ('三、本年度办理结果/（五）不予处理/小计', 'not processed: subtotal of the 5 reasons'),
    }) }}
{%- endmacro %}
