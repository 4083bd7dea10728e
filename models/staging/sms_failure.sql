with events as (

    select * from {{ ref('int_events') }}
    where event_type = '_SMS.FAILURE'

),

final as (

    select
        {{ sms_view_leading_columns('events') }},
        events.origination_phone_number,
        events.price_in_millicents_usd,
        {{ event_view_trailing_columns('events') }}
    from events

)

select * from final
