{#-
    One canonical row per event, from every source: the validated raw row that int_event_keys chose for
    each event (rows that cannot be interpreted are in audit_rejected_events; Firehose re-deliveries and
    copies of an event reported by two streams are left out there), every canonical column as
    int_validated_events stored it.
    The materialization is the engine's (canonical_events_materialization, decision 62): on DuckDB a view,
    so the canonical columns of a build are written once, by int_validated_events; on Athena and Trino an
    incremental table, because those engines bill or scan by bytes read, and a view would make every
    reader read the row ids of both tables. As a table, a run merges on event_id the chosen rows of the
    ingest hours from its own newest hour minus `incremental_lookback_hours` (the hours
    int_validated_events and int_event_keys re-read: the window is taken from this table, which has not
    moved yet, where canonical_window_start would already see int_event_keys' new hour).
-#}
{{
    config(
        materialized=canonical_events_materialization(),
        unique_key='event_id',
        incremental_strategy=upsert_incremental_strategy(),
        **canonical_table_config()
    )
}}

{%- set window_start = incremental_window_start(this, 'ingest_timestamp') if is_incremental() else none %}

with validated_events as (

    select * from {{ ref('int_validated_events') }}

),

event_keys as (

    select * from {{ ref('int_event_keys') }}

),

final as (

    select
        {{ int_events_columns('validated_events') }}
    from validated_events
    inner join event_keys
        on
            validated_events.validated_row_id = event_keys.validated_row_id
            {# the same hour on both sides (the key row keeps its validated row's): a reader's filter on
               the ingest hour then reaches the key table too, so a window read joins the window's keys
               only, not every key of the history #}
            and validated_events.ingest_timestamp = event_keys.ingest_timestamp
    {%- if window_start is not none %}
    where
        validated_events.ingest_timestamp >= {{ window_start }}
        and event_keys.ingest_timestamp >= {{ window_start }}
    {%- endif %}

)

select * from final
