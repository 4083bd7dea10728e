{#-
    One row per email message and recipient address (each element of the message's destination,
    lower-cased): its lifecycle. Delivery, bounce and complaint notices name their recipients and
    count for the recipients they name (a notice naming none counts for every recipient of the
    message); unsubscribes and SES subscription events name none and count for every recipient.
    Opens and clicks count when a person made them (fct_email_engagements.is_machine false) and
    fct_email_engagements credits them to the recipient. final_status is the furthest state
    reached, in this order: complained, unsubscribed, hard_bounced, clicked, opened, delivered,
    soft_bounced, rejected, sent.
    Incremental: a run recomputes every recipient of the messages whose newest event
    (fct_email_messages.last_ingest_timestamp) is at or after this table's newest one minus
    `incremental_lookback_hours`, and replaces all rows of those messages (marts_incremental_config's
    replace_key; Athena rebuilds the table).
-#}
{{ config(**marts_incremental_config(unique_key=none, replace_key='message_id')) }}

with all_messages as (

    select * from {{ ref('fct_email_messages') }}

),

all_email_events as (

    select * from {{ ref('int_events') }}
    where
        substr(event_type, 1, 7) = '_email.'
        and message_id is not null

),

all_engagements as (

    select * from {{ ref('fct_email_engagements') }}

),

messages as (

    select all_messages.*
    from all_messages
    {% if is_incremental() %}
        where all_messages.last_ingest_timestamp >= {{ incremental_window_start(this, 'last_ingest_timestamp') }}
    {% endif %}

),

email_events as (

    select all_email_events.*
    from all_email_events
    {% if is_incremental() %}
        where all_email_events.message_id in (select messages.message_id from messages)
    {% endif %}

),

engagements as (

    select all_engagements.*
    from all_engagements
    {% if is_incremental() %}
        where all_engagements.message_id in (select messages.message_id from messages)
    {% endif %}

),

message_recipients as (

    select distinct
        messages.message_id,
        {{ normalized_email('recipient.recipient_address') }} as recipient_address
    from messages
    cross join unnest(messages.destination) as recipient (recipient_address)

),

configuration_sets as (

    select
        message_id,
        max({{ map_get('message_tags', "'ses:configuration-set'") }}) as configuration_set
    from email_events
    group by message_id

),

delivery_notices as (

    select
        email_events.message_id,
        {{ normalized_email('recipient.recipient_address') }} as recipient_address,
        email_events.arrival_timestamp
    from email_events
    {{ unnest_keep_empty('email_events.recipients', 'recipient', 'recipient_address') }}
    where email_events.event_type = '_email.delivered'

),

bounce_notices as (

    select
        email_events.message_id,
        {{ normalized_email('bounced_recipient.email_address') }} as recipient_address,
        email_events.event_type,
        email_events.bounce_type,
        email_events.bounce_sub_type,
        email_events.arrival_timestamp
    from email_events
    {{ unnest_keep_empty('email_events.bounced_recipients', 'bounced', 'bounced_recipient') }}
    where email_events.event_type in ('_email.hardbounce', '_email.softbounce')

),

complaint_notices as (

    select
        email_events.message_id,
        {{ normalized_email('complained_recipient.email_address') }} as recipient_address,
        email_events.complaint_feedback_type,
        email_events.arrival_timestamp
    from email_events
    {{ unnest_keep_empty('email_events.complained_recipients', 'complained', 'complained_recipient') }}
    where email_events.event_type = '_email.complaint'

),

message_notices as (

    {#- Events that name no recipient: they count for every recipient of the message. -#}
    select
        message_id,
        min(case when event_type = '_email.unsubscribe' then arrival_timestamp end) as unsubscribed_at,
        min(case when event_type = '_email.subscription' then arrival_timestamp end) as subscription_changed_at,
        min(case when event_type = '_email.rejected' then arrival_timestamp end) as rejected_at
    from email_events
    where event_type in ('_email.unsubscribe', '_email.subscription', '_email.rejected')
    group by message_id

),

recipient_deliveries as (

    select
        message_recipients.message_id,
        message_recipients.recipient_address,
        min(delivery_notices.arrival_timestamp) as delivered_at
    from message_recipients
    inner join delivery_notices
        on
            message_recipients.message_id = delivery_notices.message_id
            and (
                message_recipients.recipient_address = delivery_notices.recipient_address
                or delivery_notices.recipient_address is null
            )
    group by message_recipients.message_id, message_recipients.recipient_address

),

recipient_bounces as (

    select
        message_recipients.message_id,
        message_recipients.recipient_address,
        min(case when bounce_notices.event_type = '_email.hardbounce' then bounce_notices.arrival_timestamp end)
            as hard_bounced_at,
        min(case when bounce_notices.event_type = '_email.softbounce' then bounce_notices.arrival_timestamp end)
            as soft_bounced_at,
        {#- type and sub-type of the first hard bounce, else of the first soft bounce -#}
        min_by(
            bounce_notices.bounce_type,
            case when bounce_notices.event_type = '_email.hardbounce' then 0 else 1 end * 1e15
            + {{ milliseconds_between("timestamp '2000-01-01 00:00:00'", 'bounce_notices.arrival_timestamp') }}
        ) as bounce_type,
        min_by(
            bounce_notices.bounce_sub_type,
            case when bounce_notices.event_type = '_email.hardbounce' then 0 else 1 end * 1e15
            + {{ milliseconds_between("timestamp '2000-01-01 00:00:00'", 'bounce_notices.arrival_timestamp') }}
        ) as bounce_sub_type
    from message_recipients
    inner join bounce_notices
        on
            message_recipients.message_id = bounce_notices.message_id
            and (
                message_recipients.recipient_address = bounce_notices.recipient_address
                or bounce_notices.recipient_address is null
            )
    group by message_recipients.message_id, message_recipients.recipient_address

),

recipient_complaints as (

    select
        message_recipients.message_id,
        message_recipients.recipient_address,
        min(complaint_notices.arrival_timestamp) as complained_at,
        min_by(complaint_notices.complaint_feedback_type, complaint_notices.arrival_timestamp)
            as complaint_feedback_type
    from message_recipients
    inner join complaint_notices
        on
            message_recipients.message_id = complaint_notices.message_id
            and (
                message_recipients.recipient_address = complaint_notices.recipient_address
                or complaint_notices.recipient_address is null
            )
    group by message_recipients.message_id, message_recipients.recipient_address

),

recipient_engagements as (

    select
        message_id,
        recipient_address,
        min(case when engagement_type = 'open' and not is_machine then engaged_at end) as first_human_open_at,
        min(case when engagement_type = 'click' and not is_machine then engaged_at end) as first_human_click_at,
        sum(case when engagement_type = 'open' and not is_machine then 1 else 0 end) as human_open_events,
        sum(case when engagement_type = 'open' and is_machine then 1 else 0 end) as machine_open_events,
        sum(case when engagement_type = 'click' and not is_machine then 1 else 0 end) as human_click_events,
        sum(case when engagement_type = 'click' and is_machine then 1 else 0 end) as machine_click_events
    from engagements
    group by message_id, recipient_address

),

joined as (

    select
        message_recipients.message_id,
        message_recipients.recipient_address,
        split_part(message_recipients.recipient_address, '@', 2) as recipient_domain,
        messages.sent_at,
        messages.sent_date,
        messages.from_address,
        configuration_sets.configuration_set,
        messages.subject,
        messages.pinpoint_campaign_id,
        messages.pinpoint_treatment_id,
        messages.journey_id,
        messages.source_system,
        messages.is_sent,
        recipient_deliveries.delivered_at,
        {{ seconds_between('messages.sent_at', 'recipient_deliveries.delivered_at') }} as seconds_to_deliver,
        recipient_engagements.first_human_open_at,
        recipient_engagements.first_human_click_at,
        cast(coalesce(recipient_engagements.human_open_events, 0) as bigint) as human_open_events,
        cast(coalesce(recipient_engagements.machine_open_events, 0) as bigint) as machine_open_events,
        cast(coalesce(recipient_engagements.human_click_events, 0) as bigint) as human_click_events,
        cast(coalesce(recipient_engagements.machine_click_events, 0) as bigint) as machine_click_events,
        recipient_bounces.hard_bounced_at,
        recipient_bounces.soft_bounced_at,
        recipient_bounces.bounce_type,
        recipient_bounces.bounce_sub_type,
        recipient_complaints.complained_at,
        recipient_complaints.complaint_feedback_type,
        message_notices.unsubscribed_at,
        message_notices.subscription_changed_at,
        message_notices.rejected_at,
        messages.last_ingest_timestamp
    from message_recipients
    inner join messages
        on message_recipients.message_id = messages.message_id
    left join configuration_sets
        on message_recipients.message_id = configuration_sets.message_id
    left join recipient_deliveries
        on
            message_recipients.message_id = recipient_deliveries.message_id
            and message_recipients.recipient_address = recipient_deliveries.recipient_address
    left join recipient_bounces
        on
            message_recipients.message_id = recipient_bounces.message_id
            and message_recipients.recipient_address = recipient_bounces.recipient_address
    left join recipient_complaints
        on
            message_recipients.message_id = recipient_complaints.message_id
            and message_recipients.recipient_address = recipient_complaints.recipient_address
    left join recipient_engagements
        on
            message_recipients.message_id = recipient_engagements.message_id
            and message_recipients.recipient_address = recipient_engagements.recipient_address
    left join message_notices
        on message_recipients.message_id = message_notices.message_id

),

final as (

    select
        message_id,
        recipient_address,
        recipient_domain,
        sent_at,
        sent_date,
        from_address,
        configuration_set,
        subject,
        pinpoint_campaign_id,
        pinpoint_treatment_id,
        journey_id,
        is_sent,
        delivered_at is not null as is_delivered,
        delivered_at,
        seconds_to_deliver,
        first_human_open_at is not null as is_human_opened,
        first_human_open_at,
        first_human_click_at is not null as is_human_clicked,
        first_human_click_at,
        human_open_events,
        machine_open_events,
        human_click_events,
        machine_click_events,
        hard_bounced_at is not null as is_hard_bounced,
        hard_bounced_at,
        soft_bounced_at is not null as is_soft_bounced,
        soft_bounced_at,
        bounce_type,
        bounce_sub_type,
        complained_at is not null as is_complained,
        complained_at,
        complaint_feedback_type,
        unsubscribed_at is not null as is_unsubscribed,
        unsubscribed_at,
        subscription_changed_at,
        rejected_at is not null as is_rejected,
        case
            when complained_at is not null then 'complained'
            when unsubscribed_at is not null then 'unsubscribed'
            when hard_bounced_at is not null then 'hard_bounced'
            when first_human_click_at is not null then 'clicked'
            when first_human_open_at is not null then 'opened'
            when delivered_at is not null then 'delivered'
            when soft_bounced_at is not null then 'soft_bounced'
            when rejected_at is not null then 'rejected'
            when is_sent then 'sent'
            else 'unknown'
        end as final_status,
        source_system,
        last_ingest_timestamp
    from joined

)

select * from final
