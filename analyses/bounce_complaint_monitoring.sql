-- Appendix B, "Bounce and complaint monitoring": sends, hard bounces, complaints and the bounce and
-- complaint rates per hour over the last 30 days.
-- The original LEFT JOINs email_hardbounce and email_complaint onto email_send and counts joined
-- rows: email_hardbounce has one row per bounced RECIPIENT, and a message with both a bounce and a
-- complaint row multiplies, so sends and bounces are inflated and the rates are wrong. Rewritten
-- against the mart agg_email_deliverability_hourly (distinct messages, rates as doubles, SES
-- review/pause flags), summed over sender addresses. Hours are send hours (UTC), not ingest hours.
-- The window counts back from var analysis_as_of (default: now, UTC).
with hourly as (

    select * from {{ ref('agg_email_deliverability_hourly') }}
    where sent_hour > {{ analysis_as_of() }} - interval '30' day

),

per_hour as (

    select
        sent_hour as time_window,
        sum(sent_messages) as total_sends,
        sum(hard_bounced_messages) as total_hardbounces,
        sum(complained_messages) as total_complaints
    from hourly
    group by sent_hour

),

final as (

    select
        time_window,
        total_sends,
        total_hardbounces,
        total_complaints,
        {{ safe_divide('total_hardbounces', 'total_sends') }} as bounce_rate,
        {{ safe_divide('total_complaints', 'total_sends') }} as complaint_rate
    from per_hour

)

select * from final
order by time_window desc
