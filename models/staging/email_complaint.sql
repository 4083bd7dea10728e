with events as (

    select * from {{ ref('int_events') }}
    where event_type = '_email.complaint'

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
        recipient.email_address as complained_email_address,
        events.feedback_id,
        events.user_agent,
        events.complaint_feedback_type,
        events.message_tags,
        events.ingest_timestamp,
        events.source_system
    from events
    {{ unnest_keep_empty('events.complained_recipients', 'complained', 'recipient') }}

)

select * from final
