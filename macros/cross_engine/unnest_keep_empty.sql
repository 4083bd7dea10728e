{#- A join clause giving one row per array element, and one row with a NULL element when the array
    is empty or NULL (a plain CROSS JOIN UNNEST drops such rows). Use after FROM <relation>. -#}
{% macro unnest_keep_empty(array_expr, table_alias, column_alias) %}
    {{- return(adapter.dispatch('unnest_keep_empty', 'engagement_events')(array_expr, table_alias, column_alias)) -}}
{% endmacro %}

{% macro duckdb__unnest_keep_empty(array_expr, table_alias, column_alias) -%}
    left join unnest({{ array_expr }}) as {{ table_alias }} ({{ column_alias }}) on true
{%- endmacro %}

{#- Trino (and so Athena) expands an array of rows into one column per field; wrapping each element in a
    one-field row makes UNNEST give a single column holding the element, so column_alias.field works as on
    DuckDB (found on a real Trino 476: the bare form fails on the recipient structs). -#}
{% macro default__unnest_keep_empty(array_expr, table_alias, column_alias) -%}
    left join unnest(transform({{ array_expr }}, element -> row(element))) as {{ table_alias }} ({{ column_alias }}) on true
{%- endmacro %}
