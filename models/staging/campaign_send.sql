with events as (

    select * from {{ ref('int_events') }}
    where event_type = '_campaign.send'

),

final as (

    select
        events.event_timestamp,
        events.arrival_timestamp,
        events.application_id,
        events.endpoint_id,
        events.pinpoint_campaign_id,
        events.pinpoint_treatment_id,
        events.aws_account_id,
        events.message_tags,
        events.ingest_timestamp,
        events.source_system
    from events

)

select * from final
