{#-
    Every raw row of the three streams, read once per run, in the canonical columns, with the reason it
    cannot be interpreted (NULL when it can): the one stage that reads the base models. int_events takes
    the rows without a reason, audit_rejected_events the others, and the reconciliation test counts them,
    so no model or test reads a raw file a second time (docs/architecture.md).
    Incremental over the window int_event_keys reads too (the macro canonical_window_start): a run first
    deletes the rows of the window's ingest hours, then appends every raw row of those hours again, so late
    files are picked up and nothing is counted twice. The delete commits before the append's transaction:
    DuckDB refuses to commit a new column (on_schema_change) after a delete in one transaction, and a run
    that fails in between reads the same window again next time (int_event_keys, its anchor, has not
    moved). Grain: raw row (re-deliveries included).
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        pre_hook={"sql": "{{ delete_canonical_window(this) }}", "transaction": false},
        **canonical_table_config()
    )
}}

{%- set window_start = canonical_window_start() %}
{%- set reads_window = is_incremental() and window_start is not none %}

with pinpoint_rows as (

    select * from {{ ref('base_pinpoint_events') }}

),

ses_rows as (

    select * from {{ ref('base_ses_events') }}

),

sms_rows as (

    select * from {{ ref('base_sms_events') }}

),

base_rows as (

    {#- the same columns from each stream, by name (the base models may order them differently) -#}
    select
        {{ int_events_columns('pinpoint_rows') }},
        pinpoint_rows.rejection_detail
    from pinpoint_rows
    {% if reads_window -%}
        where pinpoint_rows.ingest_timestamp >= {{ window_start }}
    {%- endif %}

    union all

    select
        {{ int_events_columns('ses_rows') }},
        ses_rows.rejection_detail
    from ses_rows
    {% if reads_window -%}
        where ses_rows.ingest_timestamp >= {{ window_start }}
    {%- endif %}

    union all

    select
        {{ int_events_columns('sms_rows') }},
        sms_rows.rejection_detail
    from sms_rows
    {% if reads_window -%}
        where sms_rows.ingest_timestamp >= {{ window_start }}
    {%- endif %}

),

validated as (

    {#- Epoch bounds: 2010-01-01, and one day after the row's ingest hour. -#}
    select
        base_rows.*,
        case
            when base_rows.ingest_timestamp is null
                then 'no ingest hour: the file is outside the YYYY/MM/DD/HH/ folder layout'
            when base_rows.source_system in ('ses', 'sms') and base_rows.event_type is null
                then 'unreadable ' || base_rows.source_system
                    || ' record: not JSON, not an object of the documented shape, or an event type/status with no mapping'
            when base_rows.event_type is null or base_rows.event_type = '' then 'missing event_type'
            when base_rows.event_timestamp is null then 'missing event_timestamp'
            when base_rows.arrival_timestamp is null then 'missing arrival_timestamp'
            when
                base_rows.event_timestamp < timestamp '2010-01-01 00:00:00'
                or base_rows.arrival_timestamp < timestamp '2010-01-01 00:00:00'
                then 'timestamp before 2010-01-01'
            when
                base_rows.event_timestamp > base_rows.ingest_timestamp + interval '1' day
                or base_rows.arrival_timestamp > base_rows.ingest_timestamp + interval '1' day
                then 'timestamp more than a day after the ingest hour'
        end as rejection_reason
    from base_rows

),

final as (

    {#- validated_row_id tells apart the stored raw rows (identical copies in one file included), so
        int_events can rank narrow keys and join the kept rows back. A random UUID rather than a row
        number: numbering rows is a window over every column of every row. -#}
    select
        validated.*,
        {{ random_row_id() }} as validated_row_id,
        -- whether int_event_keys chose the row: recorded by int_events' pre-hook on DuckDB (decision 64)
        cast(null as boolean) as is_chosen
    from validated

)

select * from final
