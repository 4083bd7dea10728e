{#-
    One canonical row per event: the base rows that can be interpreted (see the macro
    event_rejection_reason; the others go to audit_rejected_events), with Firehose re-deliveries
    removed (identity: event_id; the earliest ingest hour, then the first file, wins).
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
        on_schema_change='append_new_columns',
    )
}}

{%- set lookback_hours = var('incremental_lookback_hours', 6) | int %}
{%- if is_incremental() %}
    {%- set window_start -%}
        (select max(loaded.ingest_timestamp) - interval '{{ lookback_hours }}' hour from {{ this }} as loaded)
    {%- endset %}
{%- endif %}

with base as (

    select * from {{ ref('base_pinpoint_events') }} as base_rows
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

deduplicated as (

    select * from ranked
    where delivery_rank = 1

),

{% if is_incremental() %}
loaded_before_window as (

    select existing.event_id
    from {{ this }} as existing
    where existing.ingest_timestamp < {{ window_start }}

),
{% endif %}

final as (

    select
        {{ int_events_columns('deduplicated') }}
    from deduplicated
    {% if is_incremental() %}
    left join loaded_before_window
        on deduplicated.event_id = loaded_before_window.event_id
    where loaded_before_window.event_id is null
    {% endif %}

)

select * from final
