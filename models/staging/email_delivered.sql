with events as (

    select * from {{ ref('int_events') }}
    where event_type = '_email.delivered'

),

final as (

    select
        {{ email_view_leading_columns('events') }},
        events.subject,
        events.smtp_response,
        events.reporting_mta,
        events.recipients,
        events.processing_time_millis,
        {{ event_view_trailing_columns('events') }}
    from events

)

select * from final
