{#- Event types that no view and no custom-event model covers, counted per ingest hour. -#}
with events as (

    select * from {{ ref('int_events') }}

),

final as (

    select
        events.ingest_timestamp,
        events.source_system,
        events.event_type,
        count(*) as event_count,
        min(events.arrival_timestamp) as first_arrival_timestamp,
        max(events.arrival_timestamp) as last_arrival_timestamp
    from events
    -- noqa: disable=LT02
    where events.event_type not in (
        {%- for event_type in covered_event_types() %}
            '{{ event_type }}'{% if not loop.last %},{% endif %}
        {%- endfor %}
    )
    -- noqa: enable=LT02
    group by events.ingest_timestamp, events.source_system, events.event_type

)

select * from final
