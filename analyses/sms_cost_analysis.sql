-- Appendix B, "SMS cost analysis": total SMS cost and number of sends per campaign over the last
-- 30 days (ingest hours); messages sent through the API show as 'No Campaign'.
-- Rewritten against the sms_buffered view. The original is sound: Firehose re-deliveries are
-- already removed in int_events, and each message has one _SMS.BUFFERED event, so no message is
-- counted twice. Do not sum sms_success or sms_failure on top: they repeat the same price.
-- Added: the cost in US dollars. Daily figures by country and type: mart agg_sms_cost_daily.
-- The window counts back from var analysis_as_of (default: now, UTC).
with buffered as (

    select * from {{ ref('sms_buffered') }}
    where ingest_timestamp > {{ analysis_as_of() }} - interval '30' day

),

final as (

    select
        coalesce(pinpoint_campaign_id, 'No Campaign') as campaign,
        sum(price_in_millicents_usd) as cost_in_millicents,
        sum(price_in_millicents_usd) / 100000.0 as cost_in_usd,
        count(*) as sends
    from buffered
    group by coalesce(pinpoint_campaign_id, 'No Campaign')

)

select * from final
order by cost_in_millicents desc
