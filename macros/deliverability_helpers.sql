{#- Helpers of the deliverability, engagement and attribution marts of issue 21. -#}

{#- Lower-cased, trimmed email address (NULL stays NULL). -#}
{% macro normalized_email(expr) -%}
    lower(trim({{ expr }}))
{%- endmacro %}
