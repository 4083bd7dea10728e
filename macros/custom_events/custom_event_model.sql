{#-
    Custom-event models. custom_events.yml is the source of truth; scripts/add_custom_event.py
    validates it and writes it out as the macro custom_events_config() (dbt cannot read an arbitrary
    YAML file), plus one model file per entry that calls custom_event_model('<model name>').

    Safety: attribute names and event types are only ever emitted as SQL string literals (quotes
    doubled); column names are identifiers checked against ^[a-z_][a-z0-9_]*$ here as well as by
    the script, so no value of the YAML can change the statement.
-#}

{#- The common columns of every custom-event model, in order, before the attribute columns. -#}
{% macro custom_event_leading_columns() %}
    {{- return(['event_id', 'event_type', 'event_timestamp', 'arrival_timestamp', 'application_id',
                'endpoint_id', 'session_id', 'aws_account_id']) -}}
{% endmacro %}

{#- Metrics the raw table carries (the Glue schema's metrics struct), by name: int_events column. -#}
{% macro custom_event_metric_columns() %}
    {{- return({'price_in_millicents_usd': 'price_in_millicents_usd'}) -}}
{% endmacro %}

{#- A text as a SQL string literal: the same on DuckDB and Athena (no backslash escapes). -#}
{% macro custom_event_sql_string(text) -%}
    '{{ text | string | replace("'", "''") }}'
{%- endmacro %}

{% macro custom_event_fail(entry_name, message) %}
    {{- exceptions.raise_compiler_error(
        "custom event model '" ~ entry_name ~ "': " ~ message ~ ". Fix custom_events.yml, then run "
        ~ "`python scripts/add_custom_event.py --sync`.") -}}
{% endmacro %}

{#- The entry of custom_events_config() for a model, checked again (cheaply) at compile time. -#}
{% macro custom_event_entry(model_name) %}
    {%- set found = [] -%}
    {%- for entry in custom_events_config() if entry['name'] == model_name -%}
        {%- do found.append(entry) -%}
    {%- endfor -%}
    {%- if found | length != 1 -%}
        {{- custom_event_fail(model_name, 'no entry of that name in custom_events_config()') -}}
    {%- endif -%}
    {%- set entry = found[0] -%}
    {%- set identifier = modules.re.compile('^[a-z_][a-z0-9_]*$') -%}
    {%- set columns = custom_event_leading_columns() + ['invalid_attribute_count', 'ingest_timestamp'] -%}
    {%- for item in entry['attributes'] + entry['metrics'] -%}
        {%- if not identifier.match(item['alias']) -%}
            {{- custom_event_fail(model_name, "column name '" ~ item['alias'] ~ "' is not a safe identifier") -}}
        {%- endif -%}
        {%- if item['alias'] in columns -%}
            {{- custom_event_fail(model_name, "column name '" ~ item['alias'] ~ "' is used twice") -}}
        {%- endif -%}
        {%- do columns.append(item['alias']) -%}
    {%- endfor -%}
    {%- for attribute in entry['attributes'] -%}
        {%- do custom_event_sql_type(attribute['type']) -%}
    {%- endfor -%}
    {%- for metric in entry['metrics'] if metric['name'] not in custom_event_metric_columns() -%}
        {{- custom_event_fail(model_name, "unknown metric '" ~ metric['name'] ~ "'") -}}
    {%- endfor -%}
    {{- return(entry) -}}
{% endmacro %}

{#- The body of one custom-event model: int_events filtered on the event type, the common columns,
    one typed column per attribute and metric, and invalid_attribute_count (how many of the row's
    typed attributes had a value that did not cast). -#}
{% macro custom_event_model(model_name) %}
    {%- set entry = custom_event_entry(model_name) -%}
    {%- set failure_terms = [] -%}
    {%- for attribute in entry['attributes'] -%}
        {%- if attribute['type'] != 'string' -%}
            {%- do failure_terms.append(
                'case when typed.attribute_text_' ~ loop.index ~ ' is not null and typed.attribute_value_'
                ~ loop.index ~ ' is null then 1 else 0 end') -%}
        {%- endif -%}
    {%- endfor -%}
with events as (

    select * from {{ ref('int_events') }}
    where event_type = {{ custom_event_sql_string(entry['event_type']) }}

),

extracted as (

    select
        {%- for column in custom_event_leading_columns() %}
        events.{{ column }},
        {%- endfor %}
        {%- for attribute in entry['attributes'] %}
        {{ map_get('events.attributes', custom_event_sql_string(attribute['name'])) }} as attribute_text_{{ loop.index }},
        {%- endfor %}
        {%- for metric in entry['metrics'] %}
        events.{{ custom_event_metric_columns()[metric['name']] }} as metric_{{ loop.index }},
        {%- endfor %}
        events.ingest_timestamp
    from events

),

typed as (

    select
        extracted.*
        {%- for attribute in entry['attributes'] %},
        {{ custom_event_cast('extracted.attribute_text_' ~ loop.index, attribute['type']) }} as attribute_value_{{ loop.index }}
        {%- endfor %}
    from extracted

),

final as (

    select
        {%- for column in custom_event_leading_columns() %}
        typed.{{ column }},
        {%- endfor %}
        {%- for attribute in entry['attributes'] %}
        typed.attribute_value_{{ loop.index }} as {{ attribute['alias'] }},
        {%- endfor %}
        {%- for metric in entry['metrics'] %}
        cast(typed.metric_{{ loop.index }} as double) as {{ metric['alias'] }},
        {%- endfor %}
        cast(
            {{ failure_terms | join('\n            + ') if failure_terms else '0' }}
            as integer
        ) as invalid_attribute_count,
        typed.ingest_timestamp
    from typed

)

select * from final
{%- endmacro %}


{#- The audit of attribute casts: one row per typed attribute of every configured custom event,
    with how many values it had and how many did not cast. Reads int_events with the same cast as
    the models, so it needs no model to be built first. -#}
{% macro custom_event_cast_failures() %}
    {%- set checks = [] -%}
    {%- for entry in custom_events_config() -%}
        {%- for attribute in entry['attributes'] if attribute['type'] != 'string' -%}
            {%- do checks.append((entry, attribute)) -%}
        {%- endfor -%}
    {%- endfor -%}
with events as (

    select
        event_type,
        attributes
    from {{ ref('int_events') }}
    {%- if checks %}
    where event_type in (
        {%- for entry in custom_events_config() %}
        {{ custom_event_sql_string(entry['event_type']) }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    )
    {%- else %}
    where 1 = 0
    {%- endif %}

),

{%- for entry, attribute in checks %}

check_{{ loop.index }} as (

    select
        {{ map_get('events.attributes', custom_event_sql_string(attribute['name'])) }} as attribute_text,
        {{ custom_event_cast(map_get('events.attributes', custom_event_sql_string(attribute['name'])), attribute['type']) }}
            as attribute_value
    from events
    where events.event_type = {{ custom_event_sql_string(entry['event_type']) }}

),

summary_{{ loop.index }} as (

    select
        {{ custom_event_sql_string(entry['name']) }} as model_name,
        {{ custom_event_sql_string(entry['event_type']) }} as event_type,
        {{ custom_event_sql_string(attribute['name']) }} as attribute_name,
        {{ custom_event_sql_string(attribute['alias']) }} as column_name,
        {{ custom_event_sql_string(attribute['type']) }} as declared_type,
        count(check_{{ loop.index }}.attribute_text) as values_present,
        count(
            case when check_{{ loop.index }}.attribute_value is null then check_{{ loop.index }}.attribute_text end
        ) as failed_casts,
        min(
            case when check_{{ loop.index }}.attribute_value is null then check_{{ loop.index }}.attribute_text end
        ) as example_failed_value
    from check_{{ loop.index }}

),
{%- endfor %}

final as (
    {%- for entry, attribute in checks %}

    select * from summary_{{ loop.index }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}

    select
        cast(null as varchar) as model_name,
        cast(null as varchar) as event_type,
        cast(null as varchar) as attribute_name,
        cast(null as varchar) as column_name,
        cast(null as varchar) as declared_type,
        cast(0 as bigint) as values_present,
        cast(0 as bigint) as failed_casts,
        cast(null as varchar) as example_failed_value
    from events
    {%- endfor %}

)

select * from final
{%- endmacro %}
