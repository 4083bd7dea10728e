with events as (

    select * from {{ ref('int_events') }}
    where event_type = '_email.softbounce'

),

final as (

    select
        {{ email_view_leading_columns('events') }},
        events.bounce_type,
        events.bounce_sub_type,
        events.feedback_id,
        events.reporting_mta,
        recipient.email_address as bounced_recipient_email_address,
        recipient.action as bounced_recipient_action,
        recipient.status as bounced_recipient_status,
        recipient.diagnostic_code as bounced_recipient_diagnostic_code,
        {{ event_view_trailing_columns('events') }}
    from events
    {{ unnest_keep_empty('events.bounced_recipients', 'bounced', 'recipient') }}

)

select * from final
