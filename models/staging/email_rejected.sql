with events as (

    select * from {{ ref('int_events') }}
    where event_type = '_email.rejected'

),

final as (

    select
        {{ email_view_leading_columns('events') }},
        events.subject,
        events.reject_reason,
        {{ event_view_trailing_columns('events') }}
    from events

)

select * from final
