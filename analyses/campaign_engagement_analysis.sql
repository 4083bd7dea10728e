-- Appendix B, "Campaign engagement analysis": sends, opens, clicks, hard and soft bounces and
-- unsubscribes per campaign over the last 30 days.
-- The original's counts are EVENT counts (a message opened twice adds two), its subqueries have no
-- time filter (all history, whatever the window says), and it lists campaigns from campaign_send,
-- which also holds SMS campaigns. Rewritten against the mart fct_email_messages: email messages of
-- a campaign sent in the window, distinct messages and events side by side. Per treatment and with
-- rates: mart agg_email_engagement_by_campaign.
-- The window counts back from var analysis_as_of (default: now, UTC) on the send's ingest hour.
with messages as (

    select * from {{ ref('fct_email_messages') }}
    where
        is_sent
        and pinpoint_campaign_id is not null
        and send_ingest_timestamp > {{ analysis_as_of() }} - interval '30' day

),

final as (

    select
        pinpoint_campaign_id,
        count(*) as num_sends,
        sum(case when is_opened then 1 else 0 end) as num_opened_messages,
        sum(open_events) as num_open_events,
        sum(case when is_clicked then 1 else 0 end) as num_clicked_messages,
        sum(click_events) as num_click_events,
        sum(case when is_hard_bounced then 1 else 0 end) as num_hard_bounces,
        sum(case when is_soft_bounced then 1 else 0 end) as num_soft_bounces,
        sum(case when is_unsubscribed then 1 else 0 end) as num_unsubscribes
    from messages
    group by pinpoint_campaign_id

)

select * from final
order by num_sends desc
