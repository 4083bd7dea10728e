with events as (

    select * from {{ ref('int_events') }}
    where event_type = '_email.softbounce'

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
        events.bounce_type,
        events.bounce_sub_type,
        events.feedback_id,
        events.reporting_mta,
        recipient.email_address as bounced_recipient_email_address,
        recipient.action as bounced_recipient_action,
        recipient.status as bounced_recipient_status,
        recipient.diagnostic_code as bounced_recipient_diagnostic_code,
        events.message_tags,
        events.ingest_timestamp,
        events.source_system
    from events
    {{ unnest_keep_empty('events.bounced_recipients', 'bounced', 'recipient') }}

)

select * from final
