{#- Bounce (type, sub-type) pairs that the seed bounce_types does not list (compared case-insensitively):
    the source controls these, so a warning with the pairs, not a failed build. Add the pair to the seed
    with its meaning once you know it. -#}
{{ config(severity='warn', store_failures=true) }}

with bounces as (

    select
        bounce_type,
        bounce_sub_type,
        count(*) as bounce_events
    from {{ ref('int_events') }}
    where event_type in ('_email.hardbounce', '_email.softbounce')
    group by bounce_type, bounce_sub_type

),

final as (

    select
        bounces.bounce_type,
        bounces.bounce_sub_type,
        bounces.bounce_events
    from bounces
    left join {{ ref('bounce_types') }} as bounce_types
        on
            upper(bounces.bounce_type) = upper(bounce_types.bounce_type)
            and upper(bounces.bounce_sub_type) = upper(bounce_types.bounce_sub_type)
    where bounce_types.bounce_type is null

)

select * from final
