{#-
    Email deliverability per send hour (UTC) and from_address, from fct_email_messages: each
    message counts once, in the hour it was sent, whatever the hour its bounce or complaint
    arrived. Rates divide distinct messages by distinct SENT messages (messages with a send
    event); numerators only count sent messages, so every rate lies in [0, 1]. Flags compare the
    rates with the levels at which SES reviews or pauses an account (vars).
    Incremental: the days holding a changed message are recomputed whole (sent_date is the
    partition on Athena, so it is the last column).
-#}
{{ config(**marts_incremental_config(unique_key=none, partition_column='sent_date')) }}

with fct_email_messages as (

    select * from {{ ref('fct_email_messages') }}

),

messages as (

    {#- Incremental: every row of each send day that holds a message changed since this model's newest
        max_ingest_timestamp minus the lookback, so each such day is recomputed whole. Full refresh:
        every row. -#}
    select fct_email_messages.*
    from fct_email_messages
    {% if is_incremental() %}
        where {{ in_changed_groups('fct_email_messages', 'sent_date', 'last_ingest_timestamp', 'max_ingest_timestamp', ref('fct_email_messages')) }}
    {% endif %}

),

counted as (

    select
        {{ as_hive_timestamp('sent_hour') }} as sent_hour,
        from_address,
        sum(case when is_sent then 1 else 0 end) as sent_messages,
        sum(case when is_sent and is_delivered then 1 else 0 end) as delivered_messages,
        sum(case when is_sent and is_hard_bounced then 1 else 0 end) as hard_bounced_messages,
        sum(case when is_sent and is_soft_bounced then 1 else 0 end) as soft_bounced_messages,
        sum(case when is_sent and is_complained then 1 else 0 end) as complained_messages,
        sum(case when is_rejected then 1 else 0 end) as rejected_messages,
        sum(send_events) as send_events,
        sum(delivery_events) as delivery_events,
        sum(hard_bounce_events) as hard_bounce_events,
        sum(soft_bounce_events) as soft_bounce_events,
        sum(complaint_events) as complaint_events,
        sum(reject_events) as reject_events,
        {{ as_hive_timestamp('max(last_ingest_timestamp)') }} as max_ingest_timestamp,
        sent_date
    from messages
    group by sent_date, sent_hour, from_address

),

rated as (

    select
        counted.*,
        {{ safe_divide('delivered_messages', 'sent_messages') }} as delivery_rate,
        {{ safe_divide('hard_bounced_messages', 'sent_messages') }} as bounce_rate,
        {{ safe_divide('soft_bounced_messages', 'sent_messages') }} as soft_bounce_rate,
        {{ safe_divide('complained_messages', 'sent_messages') }} as complaint_rate
    from counted

),

final as (

    select
        sent_hour,
        from_address,
        sent_messages,
        delivered_messages,
        hard_bounced_messages,
        soft_bounced_messages,
        complained_messages,
        rejected_messages,
        send_events,
        delivery_events,
        hard_bounce_events,
        soft_bounce_events,
        complaint_events,
        reject_events,
        delivery_rate,
        bounce_rate,
        soft_bounce_rate,
        complaint_rate,
        coalesce(bounce_rate >= {{ var('ses_bounce_review_rate') }}, false) as is_bounce_rate_at_review_level,
        coalesce(bounce_rate >= {{ var('ses_bounce_pause_rate') }}, false) as is_bounce_rate_at_pause_level,
        coalesce(complaint_rate >= {{ var('ses_complaint_review_rate') }}, false)
            as is_complaint_rate_at_review_level,
        coalesce(complaint_rate >= {{ var('ses_complaint_pause_rate') }}, false)
            as is_complaint_rate_at_pause_level,
        max_ingest_timestamp,
        sent_date
    from rated

)

select * from final
