{#-
    SMS cost per send day (UTC) and per value of one message-tag key (var `sms_cost_tag_key`,
    default mycustomerid; Pinpoint's SMS customer_context), from fct_sms_messages. Messages
    without the key form the row with a NULL tag_value. Incremental as agg_sms_cost_daily.
-#}
{{ config(**marts_incremental_config(unique_key=none, partition_column='sent_date')) }}

{%- set tag_key = var('sms_cost_tag_key', 'mycustomerid') %}

with fct_sms_messages as (

    select * from {{ ref('fct_sms_messages') }}

),

messages as (

    {#- Incremental: every row of each send day that holds a message changed since this model's newest
        max_ingest_timestamp minus the lookback, so each such day is recomputed whole. Full refresh:
        every row. -#}
    select fct_sms_messages.*
    from fct_sms_messages
    {% if is_incremental() %}
        where {{ in_changed_groups('fct_sms_messages', 'sent_date', 'last_ingest_timestamp', 'max_ingest_timestamp', ref('fct_sms_messages')) }}
    {% endif %}

),

tagged as (

    select
        messages.*,
        {{ map_get('messages.message_tags', "'" ~ tag_key ~ "'") }} as tag_value
    from messages

),

final as (

    select
        '{{ tag_key }}' as tag_key,
        tag_value,
        count(*) as messages,
        sum(message_parts) as message_parts,
        sum(case when outcome = 'success' then 1 else 0 end) as successful_messages,
        sum(case when outcome = 'failure' then 1 else 0 end) as failed_messages,
        sum(case when cost_usd is not null then 1 else 0 end) as priced_messages,
        coalesce({{ sum_cost_usd('price_in_millicents_usd') }}, 0.0) as total_cost_usd,
        {{ as_hive_timestamp('max(last_ingest_timestamp)') }} as max_ingest_timestamp,
        sent_date
    from tagged
    group by sent_date, tag_value

)

select * from final
