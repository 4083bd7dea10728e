{#-
    Typing of custom-event attribute values (text in the attributes map): one contract on every engine,
    stricter than DuckDB's or Trino's own cast; a value that does not follow it gives NULL, never an
    error. The accepted forms per type: docs/custom_events.md, "Types, and values that do not cast".
-#}

{#- The SQL type of the column of an attribute of a declared type. -#}
{% macro custom_event_sql_type(attribute_type) %}
    {%- set sql_types = {
        'string': 'varchar', 'int': 'integer', 'bigint': 'bigint', 'double': 'double',
        'boolean': 'boolean', 'timestamp': 'timestamp', 'date': 'date',
    } -%}
    {%- if attribute_type not in sql_types -%}
        {{- exceptions.raise_compiler_error(
            "custom events: unknown attribute type '" ~ attribute_type ~ "'; expected one of "
            ~ (sql_types.keys() | join(', ')) ~ ". Fix custom_events.yml and run "
            ~ "`python scripts/add_custom_event.py --sync`.") -}}
    {%- endif -%}
    {{- return(sql_types[attribute_type]) -}}
{% endmacro %}

{#- The typed value of a text expression, per the contract above. -#}
{% macro custom_event_cast(text_expr, attribute_type) -%}
    {%- set sql_type = custom_event_sql_type(attribute_type) -%}
    {%- set date_pattern = '[0-9]{4}-[0-9]{2}-[0-9]{2}' -%}
    {%- if attribute_type == 'string' -%}
        {{ text_expr }}
    {%- elif attribute_type in ('int', 'bigint') -%}
        case when {{ custom_event_full_match(text_expr, '[+-]?[0-9]+') }} then {{ safe_cast(text_expr, sql_type) }} end
    {%- elif attribute_type == 'double' -%}
        case
            when {{ custom_event_full_match(text_expr, '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?') }}
                then {{ safe_cast(text_expr, 'double') }}
        end
    {%- elif attribute_type == 'boolean' -%}
        case
            when lower({{ text_expr }}) in ('true', 't', '1') then true
            when lower({{ text_expr }}) in ('false', 'f', '0') then false
        end
    {%- elif attribute_type == 'date' -%}
        case when {{ custom_event_full_match(text_expr, date_pattern) }} then {{ safe_cast(text_expr, 'date') }} end
    {%- elif attribute_type == 'timestamp' -%}
        {%- set time_pattern = '[T ][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,3})?' -%}
        {{ custom_event_iso_timestamp(
            text_expr,
            date_pattern ~ '(' ~ time_pattern ~ ')?',
            date_pattern ~ time_pattern ~ '(Z|[+-][0-9]{2}:[0-9]{2})'
        ) }}
    {%- endif -%}
{%- endmacro %}

{#- True when an attribute's text is present but does not cast to its declared type (the model then
    holds NULL): counted in invalid_attribute_count and in audit_custom_event_cast_failures. -#}
{% macro custom_event_cast_fails(text_expr, attribute_type) -%}
    ({{ text_expr }} is not null and {{ custom_event_cast(text_expr, attribute_type) }} is null)
{%- endmacro %}

{#- A text as a SQL string literal: the same on DuckDB, Trino and Athena (no backslash escapes). -#}
{% macro custom_event_sql_string(text) -%}
    '{{ text | string | replace("'", "''") }}'
{%- endmacro %}

{#- True when the whole text matches the pattern (a regular expression without anchors). -#}
{% macro custom_event_full_match(text_expr, pattern) %}
    {{- return(adapter.dispatch('custom_event_full_match', 'engagement_events')(text_expr, pattern)) -}}
{% endmacro %}

{#- RE2: regexp_full_match anchors at both ends of the text. -#}
{% macro duckdb__custom_event_full_match(text_expr, pattern) -%}
    regexp_full_match({{ text_expr }}, '{{ pattern }}')
{%- endmacro %}

{#- Trino's regex library treats ^ and $ as line anchors; \A and \z anchor at the text's ends. -#}
{% macro default__custom_event_full_match(text_expr, pattern) -%}
    regexp_like({{ text_expr }}, '\A(?:{{ pattern }})\z')
{%- endmacro %}

{#- An ISO-8601 text as a UTC timestamp: `local_pattern` matches texts without an offset (taken
    as UTC), `zoned_pattern` texts ending in Z or an offset (converted to UTC); anything else NULL. -#}
{% macro custom_event_iso_timestamp(text_expr, local_pattern, zoned_pattern) %}
    {{- return(adapter.dispatch('custom_event_iso_timestamp', 'engagement_events')(text_expr, local_pattern, zoned_pattern)) -}}
{% endmacro %}

{#- A cast to timestamp would silently drop the offset, so zoned texts go through timestamptz. -#}
{% macro duckdb__custom_event_iso_timestamp(text_expr, local_pattern, zoned_pattern) -%}
    case
            when {{ custom_event_full_match(text_expr, local_pattern) }}
                then try_cast({{ text_expr }} as timestamp)
            when {{ custom_event_full_match(text_expr, zoned_pattern) }}
                then timezone('UTC', try_cast({{ text_expr }} as timestamptz))
        end
{%- endmacro %}

{#- Trino's cast to timestamp accepts neither 'T' nor a zone; from_iso8601_timestamp takes both. -#}
{% macro default__custom_event_iso_timestamp(text_expr, local_pattern, zoned_pattern) -%}
    case
            when {{ custom_event_full_match(text_expr, local_pattern) }}
                then try_cast(replace({{ text_expr }}, 'T', ' ') as timestamp(3))
            when {{ custom_event_full_match(text_expr, zoned_pattern) }}
                then try(cast(from_iso8601_timestamp(replace({{ text_expr }}, ' ', 'T')) at time zone 'UTC' as timestamp(3)))
        end
{%- endmacro %}
