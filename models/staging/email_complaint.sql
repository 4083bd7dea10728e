with events as (

    select * from {{ ref('int_events') }}
    where event_type = '_email.complaint'

),

final as (

    select
        {{ email_view_leading_columns('events') }},
        recipient.email_address as complained_email_address,
        events.feedback_id,
        events.user_agent,
        events.complaint_feedback_type,
        {{ event_view_trailing_columns('events') }}
    from events
    {{ unnest_keep_empty('events.complained_recipients', 'complained', 'recipient') }}

)

select * from final
