-- Appendix B, "Email address engagement analysis": the last engagement (open or click) of every
-- address sent more than N emails in the last M months whose first delivery is older than T
-- months. N: var engagement_min_sends (10); M: var engagement_send_window_months (6); T: var
-- analysis_min_tenure_months (3).
-- The original counts JOINED rows: num_sends = sends x deliveries x opens x clicks per message, so
-- one message opened twice and clicked twice counts four times; and it groups by the whole
-- destination array, so an address is split over every recipient list it appeared in.
-- Rewritten against the mart fct_email_messages, one row per (address, message) after unnesting
-- destination. The same logic as flags, for all addresses: mart agg_email_engagement_by_recipient.
-- The windows count back from var analysis_as_of (default: now, UTC).
{%- set min_sends = var('engagement_min_sends', 10) | int %}
{%- set window_months = var('engagement_send_window_months', 6) | int %}
{%- set tenure_months = var('analysis_min_tenure_months', 3) | int %}

with messages as (

    select * from {{ ref('fct_email_messages') }}
    where
        is_sent
        and send_ingest_timestamp > {{ analysis_as_of() }} - interval '{{ window_months }}' month

),

recipient_messages as (

    select
        lower(recipient.to_address) as to_address,
        messages.message_id,
        messages.first_delivered_at,
        messages.last_open_at,
        messages.last_click_at
    from messages
    cross join unnest(messages.destination) as recipient (to_address)

),

per_address as (

    select
        to_address,
        count(distinct message_id) as num_sends,
        max(first_delivered_at) as max_delivered_timestamp,
        min(first_delivered_at) as min_delivered_timestamp,
        max(last_open_at) as max_open_timestamp,
        max(last_click_at) as max_click_timestamp
    from recipient_messages
    group by to_address

),

final as (

    select
        to_address,
        num_sends,
        max_delivered_timestamp,
        min_delivered_timestamp,
        {{ later_of('max_open_timestamp', 'max_click_timestamp') }} as last_engagement
    from per_address
    where
        min_delivered_timestamp < {{ analysis_as_of() }} - interval '{{ tenure_months }}' month
        and num_sends > {{ min_sends }}

)

select * from final
order by num_sends desc
