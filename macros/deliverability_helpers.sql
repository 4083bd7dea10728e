{#- Helpers of the deliverability, engagement and attribution marts of issue 21. -#}


{#- A column of `relation` when the relation has it, else a typed NULL. For canonical fields that the
    base layer does not carry yet (SES subscription preferences, SMS carrier fee, MCC/MNC; see
    docs/marts.md): the marts read them as soon as int_events has them, with no change here. Looked
    up at run time (the relation exists by then); at parse time, and for a relation that does not
    exist yet, the NULL is used. -#}
{% macro optional_column(relation, column_name, sql_type, rel_alias=none) -%}
    {%- set names = [] -%}
    {%- if execute -%}
        {%- set existing = adapter.get_relation(relation.database, relation.schema, relation.identifier) -%}
        {%- if existing is not none -%}
            {%- set names = adapter.get_columns_in_relation(existing) | map(attribute='name') | map('lower') | list -%}
        {%- endif -%}
    {%- endif -%}
    {%- set found = (column_name | lower) in names -%}
    {%- if found -%}
        cast({{ (rel_alias ~ '.') if rel_alias else '' }}{{ column_name }} as {{ sql_type }})
    {%- else -%}
        cast(null as {{ sql_type }})
    {%- endif -%}
{%- endmacro %}


{#- Lower-cased, trimmed email address (NULL stays NULL). -#}
{% macro normalized_email(expr) -%}
    lower(trim({{ expr }}))
{%- endmacro %}
