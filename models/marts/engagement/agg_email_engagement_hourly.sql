{#-
    Email engagement per send hour (UTC), from fct_email_messages: of the messages SENT in the
    hour (messages with a send event), how many were delivered, opened, clicked, unsubscribed,
    whenever that happened. Rates = distinct engaged messages / distinct sent messages, so a
    message opened five times counts once and every rate lies in [0, 1]; the *_events columns
    count every event. Incremental: the days holding a changed message are recomputed whole
    (sent_date is the partition on Athena, so it is the last column).
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

sent as (

    select * from messages
    where is_sent

),

counted as (

    select
        {{ as_hive_timestamp('sent_hour') }} as sent_hour,
        count(*) as sent_messages,
        sum(case when is_delivered then 1 else 0 end) as delivered_messages,
        sum(case when is_opened then 1 else 0 end) as opened_messages,
        sum(case when is_clicked then 1 else 0 end) as clicked_messages,
        sum(case when is_unsubscribed then 1 else 0 end) as unsubscribed_messages,
        sum(open_events) as open_events,
        sum(click_events) as click_events,
        sum(unsubscribe_events) as unsubscribe_events,
        sum(case when is_human_opened then 1 else 0 end) as human_opened_messages,
        sum(case when is_human_clicked then 1 else 0 end) as human_clicked_messages,
        {{ as_hive_timestamp('max(last_ingest_timestamp)') }} as max_ingest_timestamp,
        sent_date
    from sent
    group by sent_date, sent_hour

),

final as (

    select
        sent_hour,
        sent_messages,
        delivered_messages,
        opened_messages,
        clicked_messages,
        unsubscribed_messages,
        open_events,
        click_events,
        unsubscribe_events,
        {{ safe_divide('opened_messages', 'sent_messages') }} as open_rate,
        {{ safe_divide('clicked_messages', 'sent_messages') }} as click_rate,
        {{ safe_divide('unsubscribed_messages', 'sent_messages') }} as unsubscribe_rate,
        human_opened_messages,
        human_clicked_messages,
        {{ safe_divide('human_opened_messages', 'sent_messages') }} as human_open_rate,
        {{ safe_divide('human_clicked_messages', 'sent_messages') }} as human_click_rate,
        max_ingest_timestamp,
        sent_date
    from counted

)

select * from final
