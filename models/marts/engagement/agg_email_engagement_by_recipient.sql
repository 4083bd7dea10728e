{#-
    Email engagement per recipient address: one row per address that any sent message was
    addressed to (each element of the message's destination, lower-cased). A message's delivery,
    opens and clicks are credited to every address it was sent to: Pinpoint does not say which
    recipient of a multi-recipient message opened it.
    Appendix B's address engagement analysis as flags (vars): an address is a frequent recipient
    when it was sent more than `engagement_min_sends` messages in the last
    `engagement_send_window_months` months, and recently engaged when it opened or clicked in the
    last `engagement_recent_months` months. "Last" counts back from the as-of instant
    (var `engagement_as_of`; default: the latest send in the data).
    Rebuilt whole on every run (a table): the flags depend on the as-of instant.
-#}
{{ config(materialized='table') }}

{%- set min_sends = var('engagement_min_sends', 10) | int %}
{%- set send_window_months = var('engagement_send_window_months', 6) | int %}
{%- set recent_months = var('engagement_recent_months', 3) | int %}

with sent as (

    select * from {{ ref('fct_email_messages') }}
    where is_sent

),

as_of as (

    select {{ engagement_as_of('max(sent.sent_at)') }} as as_of_timestamp
    from sent

),

recipient_messages as (

    {#- one row per address and message (an address listed twice in a destination counts once) -#}
    select distinct
        lower(recipient.recipient_address) as recipient_address,
        sent.message_id,
        sent.sent_at,
        sent.is_delivered,
        sent.is_opened,
        sent.is_clicked,
        sent.first_delivered_at,
        sent.last_open_at,
        sent.last_click_at
    from sent
    cross join unnest(sent.destination) as recipient (recipient_address)

),

per_recipient as (

    select
        recipient_messages.recipient_address,
        count(*) as sent_messages,
        cast(sum(case
            when recipient_messages.sent_at > as_of.as_of_timestamp - interval '{{ send_window_months }}' month
                then 1
            else 0
        end) as bigint) as sent_messages_in_send_window,
        cast(sum(case when recipient_messages.is_delivered then 1 else 0 end) as bigint) as delivered_messages,
        cast(sum(case when recipient_messages.is_opened then 1 else 0 end) as bigint) as opened_messages,
        cast(sum(case when recipient_messages.is_clicked then 1 else 0 end) as bigint) as clicked_messages,
        min(recipient_messages.sent_at) as first_sent_at,
        max(recipient_messages.sent_at) as last_sent_at,
        min(recipient_messages.first_delivered_at) as first_delivered_at,
        max(recipient_messages.first_delivered_at) as last_delivered_at,
        max(recipient_messages.last_open_at) as last_open_at,
        max(recipient_messages.last_click_at) as last_click_at,
        max(as_of.as_of_timestamp) as as_of_timestamp
    from recipient_messages
    cross join as_of
    group by recipient_messages.recipient_address

),

final as (

    select
        recipient_address,
        sent_messages,
        sent_messages_in_send_window,
        delivered_messages,
        opened_messages,
        clicked_messages,
        {{ safe_divide('opened_messages', 'sent_messages') }} as open_rate,
        {{ safe_divide('clicked_messages', 'sent_messages') }} as click_rate,
        first_sent_at,
        last_sent_at,
        first_delivered_at,
        last_delivered_at,
        last_open_at,
        last_click_at,
        {{ later_of('last_open_at', 'last_click_at') }} as last_engagement_at,
        sent_messages_in_send_window > {{ min_sends }} as is_frequent_recipient,
        coalesce(
            {{ later_of('last_open_at', 'last_click_at') }} > as_of_timestamp - interval '{{ recent_months }}' month,
            false
        ) as is_recently_engaged,
        as_of_timestamp
    from per_recipient

)

select * from final
