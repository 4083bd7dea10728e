{#- Every bounce event's (bounce_type, bounce_sub_type) is listed in the seed bounce_types, and the
    seed's hard/soft agrees with the event type Pinpoint gave it. Fails with the offending pairs. -#}
with bounces as (

    select
        event_type,
        bounce_type,
        bounce_sub_type,
        case when event_type = '_email.hardbounce' then 'hard' else 'soft' end as event_counts_as,
        count(*) as bounce_events
    from {{ ref('int_events') }}
    where event_type in ('_email.hardbounce', '_email.softbounce')
    group by event_type, bounce_type, bounce_sub_type

),

final as (

    select
        bounces.event_type,
        bounces.bounce_type,
        bounces.bounce_sub_type,
        bounces.event_counts_as,
        bounce_types.counts_as as seed_counts_as,
        bounces.bounce_events
    from bounces
    left join {{ ref('bounce_types') }} as bounce_types
        on
            bounces.bounce_type = bounce_types.bounce_type
            and bounces.bounce_sub_type = bounce_types.bounce_sub_type
    where
        bounce_types.counts_as is null
        or bounce_types.counts_as != bounces.event_counts_as

)

select * from final
