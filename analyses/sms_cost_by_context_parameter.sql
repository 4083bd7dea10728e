-- Appendix B, "SMS cost by Amazon Pinpoint context parameter": cost of the SMS messages whose
-- context (message_tags) holds a given value for a key, over the last 30 days (ingest hours).
-- Key: var sms_cost_tag_key (default mycustomerid); value: var analysis_tag_value (default '4').
-- Rewritten against the sms_buffered view, one event (and one price) per message. The map lookup
-- goes through map_get: Athena's m['key'] fails on rows without the key.
-- Cost per value of the key for every day: mart agg_sms_cost_by_tag_daily.
-- The window counts back from var analysis_as_of (default: now, UTC).
{%- set tag_key = var('sms_cost_tag_key', 'mycustomerid') %}
{%- set tag_value = var('analysis_tag_value', '4') %}

with buffered as (

    select * from {{ ref('sms_buffered') }}
    where
        {{ map_get('message_tags', "'" ~ tag_key ~ "'") }} = '{{ tag_value }}'
        and ingest_timestamp > {{ analysis_as_of() }} - interval '30' day

),

final as (

    select
        sum(price_in_millicents_usd) as cost_in_millicents,
        sum(price_in_millicents_usd) / 100000.0 as cost_in_usd,
        count(*) as messages
    from buffered

)

select * from final
