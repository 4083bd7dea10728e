-- Appendix B, "Email engagement analysis by subject line": sends, opens, clicks and unsubscribes
-- per subject over the last 30 days.
-- The original's NumOpens and NumClicks count EVENTS (a message opened five times adds five) and
-- include engagement with messages sent before the window, so they cannot be divided by sends.
-- Rewritten against the mart fct_email_messages: messages sent in the window, with distinct
-- engaged messages (*_messages) and event counts (*_events) side by side. All-time figures and
-- rates: mart agg_email_engagement_by_subject.
-- The window counts back from var analysis_as_of (default: now, UTC) on the send's ingest hour.
with messages as (

    select * from {{ ref('fct_email_messages') }}
    where
        is_sent
        and send_ingest_timestamp > {{ analysis_as_of() }} - interval '30' day

),

final as (

    select
        subject,
        count(*) as sent_messages,
        sum(case when is_opened then 1 else 0 end) as opened_messages,
        sum(open_events) as open_events,
        sum(case when is_clicked then 1 else 0 end) as clicked_messages,
        sum(click_events) as click_events,
        sum(case when is_unsubscribed then 1 else 0 end) as unsubscribed_messages,
        sum(unsubscribe_events) as unsubscribe_events
    from messages
    group by subject

)

select * from final
order by sent_messages desc
