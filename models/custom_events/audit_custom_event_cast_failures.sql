{#- One row per typed attribute of every custom event in custom_events.yml: values seen, values that did
    not cast to the declared type (NULL in the model), and one example of such a value. The entries come
    from custom_events_config() (generated from custom_events.yml); the casts are the models' own
    (custom_event_cast), read from int_events so that no custom-event model must be built first. -#}
{{ config(materialized='view', tags=['custom_events']) }}

{%- set checks = [] -%}
{%- for entry in custom_events_config() -%}
    {%- for attribute in entry['attributes'] if attribute['type'] != 'string' -%}
        {%- do checks.append((entry, attribute)) -%}
    {%- endfor -%}
{%- endfor %}

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

final as (
    {%- for entry, attribute in checks %}
    {%- set text = map_get('events.attributes', custom_event_sql_string(attribute['name'])) %}

    select
        {{ custom_event_sql_string(entry['name']) }} as model_name,
        {{ custom_event_sql_string(entry['event_type']) }} as event_type,
        {{ custom_event_sql_string(attribute['name']) }} as attribute_name,
        {{ custom_event_sql_string(attribute['alias']) }} as column_name,
        {{ custom_event_sql_string(attribute['type']) }} as declared_type,
        count({{ text }}) as values_present,
        count(case when {{ custom_event_cast_fails(text, attribute['type']) }} then 1 end) as failed_casts,
        min(case when {{ custom_event_cast_fails(text, attribute['type']) }} then {{ text }} end)
            as example_failed_value
    from events
    where events.event_type = {{ custom_event_sql_string(entry['event_type']) }}
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
