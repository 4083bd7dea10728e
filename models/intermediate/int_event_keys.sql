{#-
    Which validated raw row stands for each distinct event: one row per event with its validated_row_id
    and the keys it was ranked by, chosen from the validated raw rows of the three streams
    (int_validated_events). Rows that cannot be interpreted are left out (audit_rejected_events has
    them); of Firehose re-deliveries (identity: event_id) the earliest ingest hour, then the first file,
    wins; of events reported by two streams during the switch-over (identity: message_event_key across
    source systems) the copy already loaded wins, then the earliest ingest hour, then Pinpoint's (see
    docs/native_sources.md).
    Both rankings run over a narrow projection of keys, so no window function holds all columns of all
    events, and only five columns are written (decision 62): int_events shows the validated rows they
    point to by validated_row_id (on DuckDB through the is_chosen mark its pre-hook records, decision 64).
    Incremental: a run re-reads the last `incremental_lookback_hours` ingest hours before the newest
    loaded hour (canonical_window_start, whose anchor is this table), so late files are picked up, and
    never keeps a window row of an event loaded from an earlier hour. A kept event of the window is merged
    on event_id: int_validated_events stored the window's rows again under new row ids.
-#}
{{
    config(
        materialized='incremental',
        unique_key='event_id',
        incremental_strategy=upsert_incremental_strategy(),
        **canonical_table_config()
    )
}}

{%- set window_start = canonical_window_start() %}
{%- set reads_window = is_incremental() and window_start is not none %}

with validated_keys as (

    select
        validated.validated_row_id,
        validated.event_id,
        validated.message_event_key,
        validated.source_system,
        validated.ingest_timestamp,
        validated.source_file,
        validated.rejection_reason
    from {{ ref('int_validated_events') }} as validated

),

{% if is_incremental() %}
loaded_events as (

    select * from {{ this }}

),
{% endif %}

interpretable as (

    select
        validated_keys.validated_row_id,
        validated_keys.event_id,
        validated_keys.message_event_key,
        validated_keys.source_system,
        validated_keys.ingest_timestamp,
        validated_keys.source_file
    from validated_keys
    -- noqa: disable=LT02
    where
        validated_keys.rejection_reason is null
        {% if reads_window -%}
        and validated_keys.ingest_timestamp >= {{ window_start }}
        {%- endif %}
    -- noqa: enable=LT02

),

first_deliveries as (

    select
        interpretable.*,
        row_number() over (
            partition by interpretable.event_id
            order by interpretable.ingest_timestamp, interpretable.source_file, interpretable.validated_row_id
        ) as delivery_rank
    from interpretable

),

redelivery_free as (

    select * from first_deliveries
    where delivery_rank = 1

),

{% if is_incremental() %}
loaded_before_window as (

    select
        loaded_events.event_id,
        loaded_events.message_event_key,
        loaded_events.source_system
    from loaded_events
    {%- if reads_window %}
    where loaded_events.ingest_timestamp < {{ window_start }}
    {%- endif %}

),

loaded_in_window as (

    select loaded_events.event_id
    from loaded_events
    {%- if reads_window %}
    where loaded_events.ingest_timestamp >= {{ window_start }}
    {%- else %}
    where false
    {%- endif %}

),
{% endif %}

cross_stream_ranked as (

    {#- The stream whose copy of a message event is kept: every row of the other streams with the same
        message_event_key is dropped (rows of one stream are never merged by this key). A copy that an
        earlier run already loaded keeps winning, so an incremental run never leaves two copies. -#}
    select
        redelivery_free.*,
        first_value(redelivery_free.source_system) over (
            partition by coalesce(redelivery_free.message_event_key, redelivery_free.event_id)
            order by
                {% if is_incremental() -%}
                case when loaded_in_window.event_id is null then 1 else 0 end,
                {% endif -%}
                redelivery_free.ingest_timestamp,
                case redelivery_free.source_system when 'pinpoint' then 0 else 1 end,
                redelivery_free.source_file,
                redelivery_free.event_id
        ) as kept_source_system
    from redelivery_free
    {% if is_incremental() %}
    left join loaded_in_window
        on redelivery_free.event_id = loaded_in_window.event_id
    {% endif %}

),

final as (

    select
        cross_stream_ranked.validated_row_id,
        cross_stream_ranked.event_id,
        cross_stream_ranked.message_event_key,
        cross_stream_ranked.source_system,
        cross_stream_ranked.ingest_timestamp
    from cross_stream_ranked
    -- noqa: disable=LT02
    where
        (
            cross_stream_ranked.message_event_key is null
            or cross_stream_ranked.source_system = cross_stream_ranked.kept_source_system
        )
        {% if is_incremental() -%}
        and not exists (
            select 1 from loaded_before_window
            where loaded_before_window.event_id = cross_stream_ranked.event_id
        )
        and not exists (
            select 1 from loaded_before_window
            where
                loaded_before_window.message_event_key = cross_stream_ranked.message_event_key
                and loaded_before_window.source_system != cross_stream_ranked.source_system
        )
        {%- endif %}
    -- noqa: enable=LT02

)

select * from final
