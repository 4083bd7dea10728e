with events as (

    select * from {{ ref('int_events') }}
    where event_type = '_email.click'

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
        events.message_id,
        events.message_send_timestamp,
        events.from_address,
        events.destination,
        events.subject,
        events.ip_address,
        events.user_agent,
        events.link,
        events.message_tags,
        events.ingest_timestamp,
        events.source_system
    from events

)

select * from final
