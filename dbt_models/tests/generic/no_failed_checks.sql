{#- Rows of check_results where `identity` failed (latest versions unless all_versions). -#}
{% test no_failed_checks(model, identity, all_versions=false) %}
select *
from {{ model }}
where identity = '{{ identity }}'
  and status = 'fail'
  {% if not all_versions %}and is_latest{% endif %}
{% endtest %}
