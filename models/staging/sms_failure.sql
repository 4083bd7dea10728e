with events as (

    select * from {{ ref('int_events') }}
    where event_type = '_SMS.FAILURE'

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
        events.sender_request_id,
        events.destination_phone_number,
        events.record_status,
        events.iso_country_code,
        events.number_of_message_parts,
        events.message_id,
        events.origination_phone_number,
        events.price_in_millicents_usd,
        events.message_tags,
        events.ingest_timestamp,
        events.source_system
    from events

)

select * from final
