{#-
    One canonical row per event, from the three base models (Pinpoint, SES, End User Messaging SMS):
    the base rows that can be interpreted (see the macro event_rejection_reason; the others go to
    audit_rejected_events), with Firehose re-deliveries removed (identity: event_id; the earliest
    ingest hour, then the first file, wins), then events reported by two streams during the
    switch-over kept once (identity: message_event_key across source systems; the copy already
    loaded, then the earliest ingest hour, then Pinpoint's, wins; see docs/native_sources.md).
    Incremental: a run re-reads the last `incremental_lookback_hours` ingest hours before the newest
    loaded hour, so late files are picked up, and never re-inserts an event loaded from an earlier hour.
-#}
{{
    config(
        materialized='incremental',
        unique_key='event_id',
        incremental_strategy=upsert_incremental_strategy(),
        table_type='iceberg',
        format='parquet',
        partitioned_by=table_partitioning(['day(ingest_timestamp)']),
        properties=table_properties(['day(ingest_timestamp)']),
        on_schema_change='append_new_columns',
    )
}}

{%- if is_incremental() %}
    {%- set window_start = incremental_window_start(this, 'ingest_timestamp') %}
{%- endif %}

with base_rows as (

    {{ all_base_events() }}

),

base as (

    select * from base_rows
    where
        {{ event_rejection_reason('base_rows') }} is null
    {% if is_incremental() %}
        and base_rows.ingest_timestamp >= {{ window_start }}
    {% endif %}

),

ranked as (

    select
        base.*,
        row_number() over (
            partition by base.event_id
            order by base.ingest_timestamp, base.source_file
        ) as delivery_rank
    from base

),

redelivery_free as (

    select * from ranked
    where delivery_rank = 1

),

{% if is_incremental() %}
loaded_before_window as (

    select
        existing.event_id,
        existing.message_event_key,
        existing.source_system
    from {{ this }} as existing
    where existing.ingest_timestamp < {{ window_start }}

),

loaded_in_window as (

    select existing.event_id
    from {{ this }} as existing
    where existing.ingest_timestamp >= {{ window_start }}

),
{% endif %}

cross_format_ranked as (

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

deduplicated as (

    select * from cross_format_ranked
    where message_event_key is null or source_system = kept_source_system

),

final as (

    select
        {{ int_events_columns('deduplicated') }}
    from deduplicated
    {% if is_incremental() %}
    where
        not exists (
            select 1 from loaded_before_window
            where loaded_before_window.event_id = deduplicated.event_id
        )
        and not exists (
            select 1 from loaded_before_window
            where
                loaded_before_window.message_event_key = deduplicated.message_event_key
                and loaded_before_window.source_system != deduplicated.source_system
        )
    {% endif %}

)

select * from final
