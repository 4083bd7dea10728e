{#- Raw rows of every stream (Pinpoint, SES, End User Messaging SMS) that cannot be interpreted, kept
    with the file they came from and the reason. -#}
with base as (

    {{ all_base_events(['rejection_detail']) }}

),

final as (

    select
        {{ event_rejection_reason('base') }} as rejection_reason,
        base.rejection_detail,
        base.source_system,
        base.source_file,
        base.ingest_timestamp,
        base.event_type,
        base.event_timestamp,
        base.arrival_timestamp,
        base.application_id,
        base.endpoint_id,
        base.message_id,
        base.event_id
    from base
    where {{ event_rejection_reason('base') }} is not null

)

select * from final
