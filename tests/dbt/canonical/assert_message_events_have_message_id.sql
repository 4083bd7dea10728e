{#- Every email and SMS event a public view shows has a message id (the views' key to the message).
    Tested once here, on the canonical table the views filter, instead of once per view; the other
    column invariants of the views (timestamps, ingest hour, source system, message tags) are the
    not_null and accepted_values tests of int_events. Returns the offending events. The source controls
    it (a producer that leaves out the mail object or the SMS message_id attribute): a warning, the
    events stored by dbt in the test audit schema; they stay in the views (an opt-out without a message
    id still suppresses its number), and the marts keyed by message leave them out. -#}
{{ config(severity='warn', store_failures=true) }}
{%- set message_event_types = [] -%}
{%- for event_type in documented_event_types().keys() -%}
    {%- if event_type.startswith('_email.') or event_type.startswith('_SMS.') -%}
        {%- do message_event_types.append(event_type) -%}
    {%- endif -%}
{%- endfor -%}

with canonical_events as (

    select * from {{ ref('int_events') }}

),

final as (

    select
        canonical_events.event_id,
        canonical_events.event_type,
        canonical_events.source_file
    from canonical_events
    where
        canonical_events.message_id is null
        -- noqa: disable=LT02
        and canonical_events.event_type in (
            {%- for event_type in message_event_types %}
            '{{ event_type }}'{% if not loop.last %},{% endif %}
            {%- endfor %}
        )
        -- noqa: enable=LT02

)

select * from final
