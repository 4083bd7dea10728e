{#- Nothing is lost: per ingest hour, raw rows of every stream (as int_validated_events holds them: one
    row per raw row, the stage that reads the base models) = rejected rows + re-deliveries removed
    + copies of an event that another stream reported too (switch-over) + events kept, and events kept
    = events of covered types + unmapped events. Re-deliveries are counted here independently of
    int_events, by aggregation rather than ranking: per hour, interpretable rows less the events whose
    first copy (earliest ingest hour) is in that hour. A cross-stream copy counts only when the event it
    stands for is really in int_events from another stream. Returns unbalanced hours. -#}
{%- set covered = covered_event_types() -%}

with validated_rows as (

    select
        validated.ingest_timestamp,
        validated.event_id,
        validated.message_event_key,
        validated.source_system,
        validated.rejection_reason
    from {{ ref('int_validated_events') }} as validated

),

first_copies as (

    {#- one row per interpretable event: the hour of its first copy (a re-delivered copy is any other) -#}
    select
        validated_rows.event_id,
        min(validated_rows.ingest_timestamp) as ingest_timestamp,
        min(validated_rows.message_event_key) as message_event_key,
        min(validated_rows.source_system) as source_system
    from validated_rows
    where validated_rows.rejection_reason is null
    group by validated_rows.event_id

),

kept_events as (

    select
        kept.event_id,
        kept.message_event_key,
        kept.source_system
    from {{ ref('int_events') }} as kept

),

cross_stream_copies as (

    {#- first copies that int_events does not hold, whose event is held from another stream -#}
    select
        first_copies.ingest_timestamp,
        count(*) as cross_stream_count
    from first_copies
    where
        first_copies.message_event_key is not null
        and not exists (
            select 1 from kept_events
            where kept_events.event_id = first_copies.event_id
        )
        and exists (
            select 1 from kept_events
            where
                kept_events.message_event_key = first_copies.message_event_key
                and kept_events.source_system != first_copies.source_system
        )
    group by first_copies.ingest_timestamp

),

firsts_by_hour as (

    select
        first_copies.ingest_timestamp,
        count(*) as first_count
    from first_copies
    group by first_copies.ingest_timestamp

),

raw_by_hour as (

    select
        validated_rows.ingest_timestamp,
        count(*) as raw_count,
        sum(case when validated_rows.rejection_reason is null then 1 else 0 end) as interpretable_count
    from validated_rows
    group by validated_rows.ingest_timestamp

),

rejected_by_hour as (

    select
        rejected.ingest_timestamp,
        count(*) as rejected_count
    from {{ ref('audit_rejected_events') }} as rejected
    group by rejected.ingest_timestamp

),

kept_by_hour as (

    select
        events.ingest_timestamp,
        count(*) as kept_count,
        -- noqa: disable=LT02,LT05
        sum(case when events.event_type in (
            {%- for event_type in covered %}
            '{{ event_type }}'{% if not loop.last %},{% endif %}
            {%- endfor %}
        ) then 1 else 0 end) as covered_count
    -- noqa: enable=LT02,LT05
    from {{ ref('int_events') }} as events
    group by events.ingest_timestamp

),

unmapped_by_hour as (

    select
        unmapped.ingest_timestamp,
        sum(unmapped.event_count) as unmapped_count
    from {{ ref('audit_unmapped_events') }} as unmapped
    group by unmapped.ingest_timestamp

),

final as (

    select
        raw_by_hour.ingest_timestamp,
        raw_by_hour.raw_count,
        coalesce(rejected_by_hour.rejected_count, 0) as rejected_count,
        raw_by_hour.interpretable_count - coalesce(firsts_by_hour.first_count, 0) as redelivered_count,
        coalesce(cross_stream_copies.cross_stream_count, 0) as cross_stream_count,
        coalesce(kept_by_hour.kept_count, 0) as kept_count,
        coalesce(kept_by_hour.covered_count, 0) as covered_count,
        coalesce(unmapped_by_hour.unmapped_count, 0) as unmapped_count
    from raw_by_hour
    left join rejected_by_hour
        on raw_by_hour.ingest_timestamp is not distinct from rejected_by_hour.ingest_timestamp
    left join firsts_by_hour
        on raw_by_hour.ingest_timestamp = firsts_by_hour.ingest_timestamp
    left join cross_stream_copies
        on raw_by_hour.ingest_timestamp = cross_stream_copies.ingest_timestamp
    left join kept_by_hour
        on raw_by_hour.ingest_timestamp = kept_by_hour.ingest_timestamp
    left join unmapped_by_hour
        on raw_by_hour.ingest_timestamp = unmapped_by_hour.ingest_timestamp

)

select * from final
where
    raw_count != rejected_count + redelivered_count + cross_stream_count + kept_count
    or kept_count != covered_count + unmapped_count
