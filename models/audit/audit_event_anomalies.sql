{#- Events that are kept (they appear in the views) but carried a value that could not be read,
    counted per ingest hour, event type and kind of problem. -#}
with events as (

    select * from {{ ref('int_events') }}

),

malformed_customer_context as (

    select
        events.ingest_timestamp,
        events.source_system,
        events.event_type,
        'malformed customer_context JSON: message_tags left empty' as anomaly,
        count(*) as event_count
    from events
    where events.has_malformed_customer_context
    group by events.ingest_timestamp, events.source_system, events.event_type

),

final as (

    select * from malformed_customer_context

)

select * from final
