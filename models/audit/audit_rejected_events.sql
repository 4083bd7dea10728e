{#- Raw rows of every stream (Pinpoint, SES, End User Messaging SMS) that cannot be interpreted, kept
    with the file they came from and the reason (computed once, in int_validated_events). -#}
with validated_events as (

    select * from {{ ref('int_validated_events') }}

),

final as (

    select
        validated_events.rejection_reason,
        validated_events.rejection_detail,
        validated_events.source_system,
        validated_events.source_file,
        validated_events.ingest_timestamp,
        validated_events.event_type,
        validated_events.event_timestamp,
        validated_events.arrival_timestamp,
        validated_events.application_id,
        validated_events.endpoint_id,
        validated_events.message_id,
        validated_events.event_id
    from validated_events
    where validated_events.rejection_reason is not null

)

select * from final
