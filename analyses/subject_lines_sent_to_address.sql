-- Appendix B, "All subject lines sent to an email address": each email sent to one address in the
-- last 30 days, with its subject, send time and whether it was opened.
-- Address: var analysis_email_address (default example_address@example.com).
-- The original LEFT JOINs email_open onto email_send, so a message opened three times is listed
-- three times. Rewritten against the mart fct_email_messages (one row per message, is_opened).
-- The array test goes through the array_contains macro (DuckDB list_contains, Athena contains).
-- The window counts back from var analysis_as_of (default: now, UTC) on the send's ingest hour.
{%- set address = var('analysis_email_address', 'example_address@example.com') %}

with messages as (

    select * from {{ ref('fct_email_messages') }}
    where
        is_sent
        and {{ array_contains('destination', "'" ~ address ~ "'") }}
        and send_ingest_timestamp > {{ analysis_as_of() }} - interval '30' day

),

final as (

    select
        sent_at as when_sent,
        subject as email_subject,
        case when is_opened then 1 else 0 end as did_open,
        open_events
    from messages

)

select * from final
order by when_sent desc
