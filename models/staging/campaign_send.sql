with events as (

    select * from {{ ref('int_events') }}
    where event_type = '_campaign.send'

),

final as (

    select
        {{ event_view_leading_columns('events') }},
        {{ event_view_trailing_columns('events') }}
    from events

)

select * from final
