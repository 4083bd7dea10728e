{#-
    One row per email message (message_id), built from all of the message's email events in
    int_events. Incremental: a run finds the messages with an event ingested since the newest
    ingest hour already loaded minus `incremental_lookback_hours`, and recomputes each of those
    messages from ALL its events (old and new), so the row equals what a full refresh would give.
-#}
{{ config(**marts_incremental_config(unique_key='message_id', time_column='sent_at')) }}

with email_events as (

    select * from {{ ref('int_events') }}
    where
        substr(event_type, 1, 7) = '_email.'
        and message_id is not null

),

engagements as (

    select * from {{ ref('fct_email_engagements') }}

),

message_events as (

    select email_events.*
    from email_events
    {% if is_incremental() %}
        where {{ in_changed_groups('email_events', 'message_id', 'ingest_timestamp', 'last_ingest_timestamp', ref('int_events')) }}
    {% endif %}

),

per_message as (

    select
        message_id,
        max(source_system) as source_system,
        coalesce(
            min(message_send_timestamp),
            {{ min_for_event_type('_email.send', 'event_timestamp') }},
            min(event_timestamp)
        ) as sent_at,
        max(application_id) as application_id,
        max(from_address) as from_address,
        max(subject) as subject,
        max(pinpoint_campaign_id) as pinpoint_campaign_id,
        max(pinpoint_treatment_id) as pinpoint_treatment_id,
        max(campaign_activity_id) as campaign_activity_id,
        max(journey_id) as journey_id,
        max(journey_activity_id) as journey_activity_id,

        {{ count_event_type('_email.send') }} as send_events,
        {{ count_event_type('_email.delivered') }} as delivery_events,
        {{ count_event_type('_email.open') }} as open_events,
        {{ count_event_type('_email.click') }} as click_events,
        {{ count_event_type('_email.unsubscribe') }} as unsubscribe_events,
        {{ count_event_type('_email.hardbounce') }} as hard_bounce_events,
        {{ count_event_type('_email.softbounce') }} as soft_bounce_events,
        {{ count_event_type('_email.complaint') }} as complaint_events,
        {{ count_event_type('_email.rejected') }} as reject_events,
        {{ count_event_type('_email.rendering_failure') }} as rendering_failure_events,

        {{ min_for_event_type('_email.delivered', 'arrival_timestamp') }} as first_delivered_at,
        {{ min_for_event_type('_email.open', 'arrival_timestamp') }} as first_open_at,
        {{ max_for_event_type('_email.open', 'arrival_timestamp') }} as last_open_at,
        {{ min_for_event_type('_email.click', 'arrival_timestamp') }} as first_click_at,
        {{ max_for_event_type('_email.click', 'arrival_timestamp') }} as last_click_at,
        {{ min_for_event_type('_email.unsubscribe', 'arrival_timestamp') }} as first_unsubscribe_at,
        {{ max_for_event_type('_email.hardbounce', 'bounce_sub_type') }} as hard_bounce_sub_type,
        {{ max_for_event_type('_email.softbounce', 'bounce_sub_type') }} as soft_bounce_sub_type,
        {{ min_for_event_type('_email.send', 'ingest_timestamp') }} as send_ingest_timestamp,
        min(ingest_timestamp) as first_ingest_timestamp,
        max(ingest_timestamp) as last_ingest_timestamp
    from message_events
    group by message_id

),

message_engagements as (

    {#- Opens and clicks split into people and machines (fct_email_engagements). -#}
    select
        engagements.message_id,
        sum(case when engagements.engagement_type = 'open' and not engagements.is_machine then 1 else 0 end)
            as human_open_events,
        sum(case when engagements.engagement_type = 'open' and engagements.is_machine then 1 else 0 end)
            as machine_open_events,
        sum(case when engagements.engagement_type = 'click' and not engagements.is_machine then 1 else 0 end)
            as human_click_events,
        sum(case when engagements.engagement_type = 'click' and engagements.is_machine then 1 else 0 end)
            as machine_click_events,
        min(case when engagements.engagement_type = 'open' and not engagements.is_machine then engagements.engaged_at end)
            as first_human_open_at,
        min(case when engagements.engagement_type = 'click' and not engagements.is_machine then engagements.engaged_at end)
            as first_human_click_at
    from engagements
    inner join per_message
        on engagements.message_id = per_message.message_id
    group by engagements.message_id

),

ranked_destinations as (

    {#- The recipients: the destination array of the send event (else of any event of the
        message), taken from one event so the array is never mixed from several. -#}
    select
        message_id,
        destination,
        row_number() over (
            partition by message_id
            order by
                case when event_type = '_email.send' then 0 else 1 end,
                arrival_timestamp,
                event_id
        ) as destination_rank
    from message_events
    where destination is not null

),

final as (

    select
        per_message.message_id,
        per_message.source_system,
        per_message.sent_at,
        date_trunc('hour', per_message.sent_at) as sent_hour,
        cast(per_message.sent_at as date) as sent_date,
        per_message.application_id,
        per_message.from_address,
        ranked_destinations.destination,
        per_message.subject,
        per_message.pinpoint_campaign_id,
        per_message.pinpoint_treatment_id,
        per_message.campaign_activity_id,
        per_message.journey_id,
        per_message.journey_activity_id,
        per_message.send_events > 0 as is_sent,
        per_message.delivery_events > 0 as is_delivered,
        per_message.open_events > 0 as is_opened,
        per_message.click_events > 0 as is_clicked,
        per_message.unsubscribe_events > 0 as is_unsubscribed,
        per_message.hard_bounce_events > 0 as is_hard_bounced,
        per_message.soft_bounce_events > 0 as is_soft_bounced,
        per_message.complaint_events > 0 as is_complained,
        per_message.reject_events > 0 as is_rejected,
        per_message.rendering_failure_events > 0 as is_rendering_failed,
        per_message.first_delivered_at,
        per_message.first_open_at,
        per_message.last_open_at,
        per_message.first_click_at,
        per_message.last_click_at,
        per_message.first_unsubscribe_at,
        per_message.hard_bounce_sub_type,
        per_message.soft_bounce_sub_type,
        per_message.send_events,
        per_message.delivery_events,
        per_message.open_events,
        per_message.click_events,
        per_message.unsubscribe_events,
        per_message.hard_bounce_events,
        per_message.soft_bounce_events,
        per_message.complaint_events,
        per_message.reject_events,
        per_message.rendering_failure_events,
        coalesce(message_engagements.human_open_events, 0) > 0 as is_human_opened,
        coalesce(message_engagements.human_click_events, 0) > 0 as is_human_clicked,
        message_engagements.first_human_open_at,
        message_engagements.first_human_click_at,
        cast(coalesce(message_engagements.human_open_events, 0) as bigint) as human_open_events,
        cast(coalesce(message_engagements.machine_open_events, 0) as bigint) as machine_open_events,
        cast(coalesce(message_engagements.human_click_events, 0) as bigint) as human_click_events,
        cast(coalesce(message_engagements.machine_click_events, 0) as bigint) as machine_click_events,
        per_message.send_ingest_timestamp,
        per_message.first_ingest_timestamp,
        per_message.last_ingest_timestamp
    from per_message
    left join ranked_destinations
        on
            per_message.message_id = ranked_destinations.message_id
            and ranked_destinations.destination_rank = 1
    left join message_engagements
        on per_message.message_id = message_engagements.message_id

)

select * from final
