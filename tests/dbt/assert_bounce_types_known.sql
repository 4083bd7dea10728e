{#- Bounce (type, sub-type) pairs that the seed bounce_types does not list (compared case-insensitively),
    and Pinpoint bounces whose event type (hard or soft, Pinpoint's own) disagrees with the seed's
    meaning of their pair: the source controls these, so a warning with the pairs, not a failed build.
    Add a missing pair to the seed with its meaning once you know it. -#}
{{ config(severity='warn', store_failures=true) }}

with bounces as (

    select
        source_system,
        event_type,
        bounce_type,
        bounce_sub_type,
        count(*) as bounce_events
    from {{ ref('int_events') }}
    where event_type in ('_email.hardbounce', '_email.softbounce')
    group by source_system, event_type, bounce_type, bounce_sub_type

),

final as (

    select
        bounces.bounce_type,
        bounces.bounce_sub_type,
        bounces.source_system,
        bounces.event_type,
        bounces.bounce_events,
        case
            when bounce_types.bounce_type is null then 'not listed in the seed bounce_types'
            else 'the seed counts the pair as ' || bounce_types.counts_as || ' bounce'
        end as problem
    from bounces
    left join {{ ref('bounce_types') }} as bounce_types
        on
            upper(bounces.bounce_type) = upper(bounce_types.bounce_type)
            and upper(bounces.bounce_sub_type) = upper(bounce_types.bounce_sub_type)
    where
        bounce_types.bounce_type is null
        or (
            bounces.source_system = 'pinpoint'
            and bounce_types.counts_as
            != case when bounces.event_type = '_email.hardbounce' then 'hard' else 'soft' end
        )

)

select * from final
