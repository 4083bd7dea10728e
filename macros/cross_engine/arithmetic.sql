{#- numerator / denominator as double; NULL when the denominator is 0 or NULL. Never integer
    division (Athena divides bigints as integers). -#}
{% macro safe_divide(numerator, denominator) %}
    {{- return(adapter.dispatch('safe_divide', 'engagement_events')(numerator, denominator)) -}}
{% endmacro %}

{% macro default__safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0))
{%- endmacro %}

{#- Lower-case hex MD5 of a string: the same value on both engines. -#}
{% macro hash_text(text_expr) %}
    {{- return(adapter.dispatch('hash_text', 'engagement_events')(text_expr)) -}}
{% endmacro %}

{% macro duckdb__hash_text(text_expr) -%}
    md5({{ text_expr }})
{%- endmacro %}

{% macro default__hash_text(text_expr) -%}
    lower(to_hex(md5(to_utf8({{ text_expr }}))))
{%- endmacro %}

{#- Cast that yields NULL instead of failing on a value of the wrong shape. -#}
{% macro safe_cast(expr, sql_type) %}
    {{- return(adapter.dispatch('safe_cast', 'engagement_events')(expr, sql_type)) -}}
{% endmacro %}

{% macro default__safe_cast(expr, sql_type) -%}
    try_cast({{ expr }} as {{ sql_type }})
{%- endmacro %}
