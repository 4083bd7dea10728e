{#-
    Email deliverability per send day (UTC), sending identity (from address and SES configuration
    set) and mailbox provider group of the recipient (seed mailbox_provider_domains by recipient
    domain; a domain not listed is `other`), from fct_email_recipients: one count per message and
    recipient. Rates divide by the sent recipients. Flags: the complaint rate against the Gmail /
    Yahoo bulk-sender levels (vars mailbox_spam_rate_target, below which senders must stay, and
    mailbox_spam_rate_max, never to be reached) beside the SES review and pause levels (the vars of
    agg_email_deliverability_hourly). The complaint rate stands in for the spam rate that Gmail's
    Postmaster Tools and Yahoo's feedback loop measure: SES complaints are feedback-loop reports.
    A table, rebuilt on each run.
-#}
{{ config(materialized='table') }}

with recipients as (

    select * from {{ ref('fct_email_recipients') }}
    where is_sent

),

provider_domains as (

    select * from {{ ref('mailbox_provider_domains') }}

),

grouped as (

    select
        recipients.*,
        coalesce(provider_domains.provider_group, 'other') as provider_group
    from recipients
    left join provider_domains
        on recipients.recipient_domain = lower(provider_domains.domain)

),

counted as (

    select
        sent_date,
        from_address,
        configuration_set,
        provider_group,
        count(*) as sent_recipients,
        cast(sum(case when is_delivered then 1 else 0 end) as bigint) as delivered_recipients,
        cast(sum(case when is_hard_bounced then 1 else 0 end) as bigint) as hard_bounced_recipients,
        cast(sum(case when is_soft_bounced then 1 else 0 end) as bigint) as soft_bounced_recipients,
        cast(sum(case when is_complained then 1 else 0 end) as bigint) as complained_recipients,
        cast(sum(case when is_unsubscribed then 1 else 0 end) as bigint) as unsubscribed_recipients,
        cast(sum(case when is_human_opened then 1 else 0 end) as bigint) as human_opened_recipients,
        cast(sum(case when is_human_clicked then 1 else 0 end) as bigint) as human_clicked_recipients,
        cast(sum(case when human_open_events + machine_open_events > 0 then 1 else 0 end) as bigint) as opened_recipients
    from grouped
    group by sent_date, from_address, configuration_set, provider_group

),

rated as (

    select
        counted.*,
        {{ safe_divide('delivered_recipients', 'sent_recipients') }} as delivery_rate,
        {{ safe_divide('hard_bounced_recipients', 'sent_recipients') }} as bounce_rate,
        {{ safe_divide('complained_recipients', 'sent_recipients') }} as complaint_rate,
        {{ safe_divide('human_opened_recipients', 'sent_recipients') }} as human_open_rate,
        {{ safe_divide('opened_recipients', 'sent_recipients') }} as open_rate,
        {{ safe_divide('human_clicked_recipients', 'sent_recipients') }} as human_click_rate
    from counted

),

final as (

    select
        sent_date,
        from_address,
        configuration_set,
        provider_group,
        sent_recipients,
        delivered_recipients,
        hard_bounced_recipients,
        soft_bounced_recipients,
        complained_recipients,
        unsubscribed_recipients,
        opened_recipients,
        human_opened_recipients,
        human_clicked_recipients,
        delivery_rate,
        bounce_rate,
        complaint_rate,
        open_rate,
        human_open_rate,
        human_click_rate,
        coalesce(complaint_rate >= {{ var('mailbox_spam_rate_target') }}, false)
            as is_complaint_rate_above_mailbox_target,
        coalesce(complaint_rate >= {{ var('mailbox_spam_rate_max') }}, false)
            as is_complaint_rate_at_mailbox_max,
        coalesce(complaint_rate >= {{ var('ses_complaint_review_rate') }}, false)
            as is_complaint_rate_at_review_level,
        coalesce(complaint_rate >= {{ var('ses_complaint_pause_rate') }}, false)
            as is_complaint_rate_at_pause_level,
        coalesce(bounce_rate >= {{ var('ses_bounce_review_rate') }}, false) as is_bounce_rate_at_review_level,
        coalesce(bounce_rate >= {{ var('ses_bounce_pause_rate') }}, false) as is_bounce_rate_at_pause_level
    from rated

)

select * from final
