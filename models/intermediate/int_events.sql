{#-
    One canonical row per event, from every source: the validated raw row that int_event_keys chose for
    each event (rows that cannot be interpreted are in audit_rejected_events; Firehose re-deliveries and
    copies of an event reported by two streams are left out there), every canonical column as
    int_validated_events stored it.
    Stored by engine (macro canonical_events_materialization, decision 64):
      - DuckDB: a view. Its pre-hook (mark_chosen_rows) first records on the validated rows stored since
        the last run whether int_event_keys chose them (is_chosen); the view shows the chosen ones. A build
        writes the canonical rows once, and a reader pays a filter, not a join.
      - Athena and Trino: an incremental table of the validated rows int_event_keys points to, so each
        query scans (and Athena bills) only the canonical columns it needs. A run merges on event_id the
        chosen rows of the ingest hours from its own newest hour minus `incremental_lookback_hours` (the
        hours int_validated_events and int_event_keys re-read: the window is taken from this table, which
        has not moved yet, where canonical_window_start would already see int_event_keys' new hour).
-#}
{{
    config(
        materialized=canonical_events_materialization(),
        unique_key='event_id',
        incremental_strategy=upsert_incremental_strategy(),
        pre_hook="{{ mark_chosen_rows(ref('int_validated_events'), ref('int_event_keys')) }}",
        **canonical_table_config()
    )
}}

{%- set reads_marks = config.get('materialized') == 'view' %}
{%- set window_start = incremental_window_start(this, 'ingest_timestamp') if is_incremental() else none %}

with validated_events as (

    select * from {{ ref('int_validated_events') }}

),

-- noqa: disable=LT02
{% if reads_marks %}
final as (

    select
        {{ int_events_columns('validated_events') }}
    from validated_events
    where validated_events.is_chosen

)
{% else %}
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
            {# the same hour on both sides (the key row keeps its validated row's), so a run's window
               filter below skips the older hours of both tables #}
            and validated_events.ingest_timestamp = event_keys.ingest_timestamp
    {%- if window_start is not none %}
    where
        validated_events.ingest_timestamp >= {{ window_start }}
        and event_keys.ingest_timestamp >= {{ window_start }}
    {%- endif %}

)
{% endif %}
-- noqa: enable=LT02

select * from final
