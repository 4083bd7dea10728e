{#-
    One row per SMS message (message_id), built from all of the message's _SMS.* events.
    The price: Pinpoint repeats the message's price on _SMS.BUFFERED, _SMS.SUCCESS and
    _SMS.FAILURE, so summing events would count a message two or three times. The price is taken
    from ONE event per message, the price event: its _SMS.BUFFERED event (as the reference query
    does), or, when that has not arrived (or carries no price), its latest _SMS.SUCCESS or
    _SMS.FAILURE event. Message tags come from the same event.
    Final status: the record status of the message's latest final event (End User Messaging's
    isFinal true; for Pinpoint rows, which carry no isFinal, a success, failure or opt-out event).
    Carrier fee, MCC, MNC and carrier name come from End User Messaging's record (NULL for Pinpoint).
    Incremental as fct_email_messages: changed messages are recomputed from all their events.
-#}
{{ config(**marts_incremental_config(unique_key='message_id', time_column='sent_at')) }}

with sms_events as (

    select * from {{ ref('int_events') }}
    where
        substr(event_type, 1, 5) = '_SMS.'
        and message_id is not null

),

message_events as (

    select sms_events.*
    from sms_events
    {% if is_incremental() %}
        where {{ in_changed_groups('sms_events', 'message_id', 'ingest_timestamp', 'last_ingest_timestamp', ref('int_events')) }}
    {% endif %}

),

per_message as (

    select
        message_id,
        max(source_system) as source_system,
        min(event_timestamp) as sent_at,
        max(application_id) as application_id,
        max(pinpoint_campaign_id) as pinpoint_campaign_id,
        max(pinpoint_treatment_id) as pinpoint_treatment_id,
        max(journey_id) as journey_id,
        max(journey_activity_id) as journey_activity_id,
        max(iso_country_code) as iso_country_code,
        -- upper-cased: End User Messaging writes PROMOTIONAL, Pinpoint (Appendix A) Promotional
        max(upper(message_type)) as message_type,
        max(origination_phone_number) as origination_phone_number,
        max(mcc) as mcc,
        max(mnc) as mnc,
        max(carrier_name) as carrier_name,
        max(destination_phone_number) as destination_phone_number,
        max({{ safe_cast('number_of_message_parts', 'integer') }}) as message_parts,
        {{ count_event_type('_SMS.BUFFERED') }} as buffered_events,
        {{ count_event_type('_SMS.SUCCESS') }} as success_events,
        {{ count_event_type('_SMS.FAILURE') }} as failure_events,
        {{ count_event_type('_SMS.OPTOUT') }} as optout_events,
        min(ingest_timestamp) as first_ingest_timestamp,
        max(ingest_timestamp) as last_ingest_timestamp
    from message_events
    group by message_id

),

price_events as (

    select
        message_id,
        event_type,
        price_in_millicents_usd,
        carrier_fee_in_millicents_usd,
        message_tags,
        row_number() over (
            partition by message_id
            order by
                case
                    when event_type = '_SMS.BUFFERED' and price_in_millicents_usd is not null then 0
                    when price_in_millicents_usd is not null then 1
                    else 2
                end asc,
                arrival_timestamp desc,
                event_id asc
        ) as price_rank
    from message_events
    where event_type in ('_SMS.BUFFERED', '_SMS.SUCCESS', '_SMS.FAILURE')

),

status_events as (

    {#- The record status of the message's latest delivery-status event (opt-outs left aside). -#}
    select
        message_id,
        record_status,
        row_number() over (
            partition by message_id
            order by arrival_timestamp desc, event_id desc
        ) as status_rank
    from message_events
    where event_type in ('_SMS.BUFFERED', '_SMS.SUCCESS', '_SMS.FAILURE')

),

final_events as (

    {#- The latest event that is final: isFinal true (native), or a success, failure or opt-out
        event where the stream carries no isFinal (Pinpoint). -#}
    select
        message_id,
        record_status,
        arrival_timestamp,
        row_number() over (
            partition by message_id
            order by arrival_timestamp desc, event_id desc
        ) as final_rank
    from message_events
    where coalesce(is_final, event_type in ('_SMS.SUCCESS', '_SMS.FAILURE', '_SMS.OPTOUT'))

),

final as (

    select
        per_message.message_id,
        per_message.source_system,
        per_message.sent_at,
        cast(per_message.sent_at as date) as sent_date,
        per_message.application_id,
        per_message.pinpoint_campaign_id,
        per_message.pinpoint_treatment_id,
        per_message.journey_id,
        per_message.journey_activity_id,
        per_message.iso_country_code,
        per_message.message_type,
        per_message.origination_phone_number,
        per_message.destination_phone_number,
        per_message.message_parts,
        case
            when per_message.success_events > 0 then 'success'
            when per_message.failure_events > 0 then 'failure'
            when per_message.buffered_events > 0 then 'buffered'
            else 'unknown'
        end as outcome,
        status_events.record_status as final_record_status,
        per_message.optout_events > 0 as is_opted_out,
        price_events.event_type as price_event_type,
        price_events.price_in_millicents_usd,
        price_events.price_in_millicents_usd / 100000.0 as cost_usd,
        price_events.message_tags,
        per_message.buffered_events,
        per_message.success_events,
        per_message.failure_events,
        per_message.optout_events,
        final_events.message_id is not null as has_final_status,
        final_events.record_status as final_status,
        final_events.arrival_timestamp as final_status_at,
        price_events.carrier_fee_in_millicents_usd,
        price_events.carrier_fee_in_millicents_usd / 100000.0 as carrier_fee_usd,
        per_message.mcc,
        per_message.mnc,
        per_message.carrier_name,
        per_message.first_ingest_timestamp,
        per_message.last_ingest_timestamp
    from per_message
    left join price_events
        on
            per_message.message_id = price_events.message_id
            and price_events.price_rank = 1
    left join status_events
        on
            per_message.message_id = status_events.message_id
            and status_events.status_rank = 1
    left join final_events
        on
            per_message.message_id = final_events.message_id
            and final_events.final_rank = 1

)

select * from final
