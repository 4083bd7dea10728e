{#- A join clause giving one row per array element, and one row with a NULL element when the array
    is empty or NULL (a plain CROSS JOIN UNNEST drops such rows). Use after FROM <relation>. -#}
{% macro unnest_keep_empty(array_expr, table_alias, column_alias) %}
    {{- return(adapter.dispatch('unnest_keep_empty', 'engagement_events')(array_expr, table_alias, column_alias)) -}}
{% endmacro %}

{% macro default__unnest_keep_empty(array_expr, table_alias, column_alias) %}
    {{- cross_engine_unsupported('unnest_keep_empty') -}}
{% endmacro %}

{% macro duckdb__unnest_keep_empty(array_expr, table_alias, column_alias) -%}
    left join unnest({{ array_expr }}) as {{ table_alias }} ({{ column_alias }}) on true
{%- endmacro %}

{% macro athena__unnest_keep_empty(array_expr, table_alias, column_alias) -%}
    left join unnest({{ array_expr }}) as {{ table_alias }} ({{ column_alias }}) on true
{%- endmacro %}
