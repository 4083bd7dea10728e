{#- Number of elements of an array; NULL for a NULL array. -#}
{% macro array_size(array_expr) %}
    {{- return(adapter.dispatch('array_size', 'engagement_events')(array_expr)) -}}
{% endmacro %}

{#- DuckDB's cardinality() takes only maps. -#}
{% macro duckdb__array_size(array_expr) -%}
    len({{ array_expr }})
{%- endmacro %}

{% macro default__array_size(array_expr) -%}
    cardinality({{ array_expr }})
{%- endmacro %}
