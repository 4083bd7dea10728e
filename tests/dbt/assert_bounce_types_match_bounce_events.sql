{#- The seed's hard/soft agrees with the event type each bounce was mapped to, for every (bounce_type,
    bounce_sub_type) the seed lists (compared case-insensitively: a source may write `permanent`). A
    project invariant, so an error, for the rows whose event type this project derives (SES bounces);
    Pinpoint wrote its own event type, so a Pinpoint bounce that disagrees with the seed, like a pair the
    seed does not list, is the source's business and only warns (assert_bounce_types_known). Fails with
    the offending pairs. -#}
with bounces as (

    select
        event_type,
        bounce_type,
        bounce_sub_type,
        case when event_type = '_email.hardbounce' then 'hard' else 'soft' end as event_counts_as,
        count(*) as bounce_events
    from {{ ref('int_events') }}
    where event_type in ('_email.hardbounce', '_email.softbounce') and source_system != 'pinpoint'
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
            upper(bounces.bounce_type) = upper(bounce_types.bounce_type)
            and upper(bounces.bounce_sub_type) = upper(bounce_types.bounce_sub_type)
    where bounce_types.counts_as != bounces.event_counts_as

)

select * from final
