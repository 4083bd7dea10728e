{#-
    SMS volume, outcome and cost per send day (UTC), campaign, journey, destination country and
    message type, from fct_sms_messages (one price per message, see there).
    Incremental: the days holding a changed message are recomputed whole (sent_date is the
    partition on Athena, so it is the last column).
-#}
{{ config(**marts_incremental_config(unique_key=none, partition_column='sent_date')) }}

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

final as (

    select
        pinpoint_campaign_id,
        journey_id,
        iso_country_code,
        message_type,
        count(*) as messages,
        sum(message_parts) as message_parts,
        sum(case when outcome = 'success' then 1 else 0 end) as successful_messages,
        sum(case when outcome = 'failure' then 1 else 0 end) as failed_messages,
        sum(case when outcome = 'buffered' then 1 else 0 end) as buffered_messages,
        sum(case when is_opted_out then 1 else 0 end) as opted_out_messages,
        sum(case when cost_usd is not null then 1 else 0 end) as priced_messages,
        coalesce({{ sum_cost_usd('price_in_millicents_usd') }}, 0.0) as total_cost_usd,
        {{ safe_divide(sum_cost_usd('price_in_millicents_usd'), 'sum(case when cost_usd is not null then 1 else 0 end)') }}
            as cost_per_message_usd,
        {{ safe_divide(
            "sum(case when outcome = 'success' then 1 else 0 end)",
            "sum(case when outcome in ('success', 'failure') then 1 else 0 end)"
        ) }} as success_rate,
        {{ as_hive_timestamp('max(last_ingest_timestamp)') }} as max_ingest_timestamp,
        sent_date
    from messages
    group by
        sent_date,
        pinpoint_campaign_id,
        journey_id,
        iso_country_code,
        message_type

)

select * from final
