-- Appendix B, "Open, click, unsubscribe monitoring": sends, opens, clicks, unsubscribes and their
-- rates per hour over the last 30 days.
-- The original LEFT JOINs email_open, email_click and email_unsubscribe onto email_send and counts
-- joined rows: a message opened 3 times and clicked twice yields 6 rows, so "total_sends",
-- "total_opens" and the rates are all inflated (the open rate can exceed 1). Rewritten against the
-- mart agg_email_engagement_hourly: distinct messages, with event counts beside them. Hours are
-- send hours (UTC), not ingest hours.
-- The window counts back from var analysis_as_of (default: now, UTC).
with hourly as (

    select * from {{ ref('agg_email_engagement_hourly') }}
    where sent_hour > {{ analysis_as_of() }} - interval '30' day

),

final as (

    select
        sent_hour as time_window,
        sent_messages as total_sends,
        opened_messages as total_opens,
        clicked_messages as total_clicks,
        unsubscribed_messages as total_unsubs,
        open_events,
        click_events,
        open_rate,
        click_rate,
        unsubscribe_rate
    from hourly

)

select * from final
order by time_window desc
