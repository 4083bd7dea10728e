with events as (

    select * from {{ ref('int_events') }}
    where event_type = '_email.click'

),

final as (

    select
        {{ email_view_leading_columns('events') }},
        events.subject,
        events.ip_address,
        events.user_agent,
        events.link,
        {{ event_view_trailing_columns('events') }}
    from events

)

select * from final
