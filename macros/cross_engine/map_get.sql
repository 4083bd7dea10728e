{#- Value of a map(varchar, varchar) at a key, NULL when the key (or the map) is missing. -#}
{% macro map_get(map_expr, key) %}
    {{- return(adapter.dispatch('map_get', 'engagement_events')(map_expr, key)) -}}
{% endmacro %}

{#- DuckDB's subscript already yields NULL for a missing key. -#}
{% macro duckdb__map_get(map_expr, key) -%}
    ({{ map_expr }})[{{ key }}]
{%- endmacro %}

{#- Trino's subscript raises on a missing key; element_at yields NULL. -#}
{% macro default__map_get(map_expr, key) -%}
    element_at({{ map_expr }}, {{ key }})
{%- endmacro %}
