{#-
    One row per email address or phone number that must not be contacted now.
    Blocking events, per address:
      hard_bounce               a hard bounce naming the address (_email.hardbounce);
      complaint                 a complaint naming the address (a complaint naming none: the
                                message's recipients);
      unsubscribe               a click on a link tagged unsubscribeLinkTag (_email.unsubscribe),
                                for every recipient of the message;
      ses_subscription_opt_out  an SES Subscription event (_email.subscription) that opts out;
      sms_opt_out               an SMS opt-out (_SMS.OPTOUT) of the destination phone number.
    An SES Subscription event that opts back in (newTopicPreferences.unsubscribeAll false, canonical
    column subscription_unsubscribe_all) lifts every earlier complaint, unsubscribe and subscription
    opt-out of its recipients; a hard bounce stays (the mailbox does not exist, whatever the consent).
    Until the base layer carries subscription_unsubscribe_all (docs/marts.md), every Subscription
    event counts as an opt-out, the safe reading.
    The row names the earliest blocking event still in force (reason, suppressed_since and the
    event), and how many are in force.
-#}
{{ config(materialized='table') }}

with email_events as (

    select * from {{ ref('int_events') }}
    where event_type in ('_email.hardbounce', '_email.complaint', '_email.unsubscribe', '_email.subscription')

),

sms_opt_out_events as (

    select * from {{ ref('int_events') }}
    where
        event_type = '_SMS.OPTOUT'
        and destination_phone_number is not null

),

hard_bounces as (

    select
        {{ normalized_email('bounced_recipient.email_address') }} as address,
        'hard_bounce' as reason,
        email_events.arrival_timestamp as event_at,
        email_events.event_id,
        email_events.event_type,
        email_events.message_id,
        email_events.source_system
    from email_events
    -- the cross-engine unnest (an array of rows unnests differently on Trino); a notice naming nobody
    -- suppresses nobody
    {{ unnest_keep_empty('email_events.bounced_recipients', 'bounced', 'bounced_recipient') }}
    where
        email_events.event_type = '_email.hardbounce'
        and bounced_recipient.email_address is not null

),

complaints as (

    select
        {{ normalized_email('complained_recipient.email_address') }} as complained_address,
        email_events.destination,
        email_events.arrival_timestamp as event_at,
        email_events.event_id,
        email_events.event_type,
        email_events.message_id,
        email_events.source_system
    from email_events
    {{ unnest_keep_empty('email_events.complained_recipients', 'complained', 'complained_recipient') }}
    where email_events.event_type = '_email.complaint'

),

complaint_addresses as (

    select
        complaints.complained_address as address,
        'complaint' as reason,
        complaints.event_at,
        complaints.event_id,
        complaints.event_type,
        complaints.message_id,
        complaints.source_system
    from complaints
    where complaints.complained_address is not null

    union all

    select
        {{ normalized_email('recipient.recipient_address') }} as address,
        'complaint' as reason,
        complaints.event_at,
        complaints.event_id,
        complaints.event_type,
        complaints.message_id,
        complaints.source_system
    from complaints
    cross join unnest(complaints.destination) as recipient (recipient_address)
    where complaints.complained_address is null

),

consent_events as (

    {#- Unsubscribes and SES subscription events: for every recipient of the message. -#}
    select
        {{ normalized_email('recipient.recipient_address') }} as address,
        case
            when email_events.event_type = '_email.unsubscribe' then 'unsubscribe'
            when coalesce(email_events.subscription_unsubscribe_all, true) then 'ses_subscription_opt_out'
            else 'ses_subscription_opt_in'
        end as reason,
        email_events.arrival_timestamp as event_at,
        email_events.event_id,
        email_events.event_type,
        email_events.message_id,
        email_events.source_system
    from email_events
    cross join unnest(email_events.destination) as recipient (recipient_address)
    where email_events.event_type in ('_email.unsubscribe', '_email.subscription')

),

sms_opt_outs as (

    select
        trim(destination_phone_number) as address,
        'sms_opt_out' as reason,
        arrival_timestamp as event_at,
        event_id,
        event_type,
        message_id,
        source_system
    from sms_opt_out_events

),

address_events as (

    select
        hard_bounces.*,
        'email' as address_type
    from hard_bounces
    union all
    select
        complaint_addresses.*,
        'email' as address_type
    from complaint_addresses
    union all
    select
        consent_events.*,
        'email' as address_type
    from consent_events
    union all
    select
        sms_opt_outs.*,
        'phone' as address_type
    from sms_opt_outs

),

latest_opt_ins as (

    select
        address,
        max(event_at) as opted_in_at
    from address_events
    where reason = 'ses_subscription_opt_in'
    group by address

),

in_force as (

    select address_events.*
    from address_events
    left join latest_opt_ins
        on address_events.address = latest_opt_ins.address
    where
        address_events.address is not null
        and address_events.address != ''
        and address_events.reason != 'ses_subscription_opt_in'
        and (
            address_events.reason in ('hard_bounce', 'sms_opt_out')
            or latest_opt_ins.opted_in_at is null
            or address_events.event_at > latest_opt_ins.opted_in_at
        )

),

ranked as (

    select
        in_force.*,
        row_number() over (
            partition by in_force.address_type, in_force.address
            order by in_force.event_at, in_force.event_id
        ) as event_rank,
        count(*) over (partition by in_force.address_type, in_force.address) as events_in_force
    from in_force

),

final as (

    select
        address,
        address_type,
        reason,
        event_at as suppressed_since,
        event_id as causing_event_id,
        event_type as causing_event_type,
        message_id as causing_message_id,
        events_in_force,
        source_system
    from ranked
    where event_rank = 1

)

select * from final
