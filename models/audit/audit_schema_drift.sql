{#- Fields the raw files carry that the declared raw schemas do not (models/sources/*.yml and the macros
    all_events_glue_columns / native_record_columns): they are not read into any model, so a producer's
    new field shows up here instead of disappearing. Pinpoint: top-level Parquet columns beyond the Glue
    schema; SES and SMS: top-level JSON keys and the keys of top-level objects beyond the record layout.
    DuckDB only (Athena and Trino see only the declared columns of their tables).
    Incremental: a run inspects the files it reads (the window's, see canonical_window_start) and
    replaces the rows of the fields it sees there; fields seen by earlier runs stay listed. -#}
{{ config(**marts_incremental_config(unique_key=none, replace_key=['source_system', 'field_path'])) }}

-- depends_on: {{ ref('audit_unreadable_files') }}
with pinpoint_file_columns as (

    select * from {{ pinpoint_file_columns() }}

),

ses_events as (

    select * from {{ ref('base_ses_events') }}

),

sms_events as (

    select * from {{ ref('base_sms_events') }}

),

pinpoint_drift as (

    select
        'pinpoint' as source_system,
        pinpoint_file_columns.column_name as field_path,
        pinpoint_file_columns.column_type as observed_type,
        cast(null as bigint) as record_count
    from pinpoint_file_columns
    -- noqa: disable=LT02
    where lower(pinpoint_file_columns.column_name) not in (
        'filename',
        {%- for name, sql_type in all_events_glue_columns() %}
            '{{ name | lower | replace('"', '') }}'{% if not loop.last %},{% endif %}
        {%- endfor %}
    )

),

native_fields as (

    select
        ses_events.source_system,
        ses_events.unrecognised_fields
    from ses_events
    where {{ array_size('ses_events.unrecognised_fields') }} > 0
    union all
    select
        sms_events.source_system,
        sms_events.unrecognised_fields
    from sms_events
    where {{ array_size('sms_events.unrecognised_fields') }} > 0

),

native_drift as (

    select
        native_fields.source_system,
        unrecognised.field_path,
        cast(null as varchar) as observed_type,
        count(*) as record_count
    from native_fields
    cross join unnest(native_fields.unrecognised_fields) as unrecognised (field_path)
    group by native_fields.source_system, unrecognised.field_path

),

final as (

    select * from pinpoint_drift
    union all
    select * from native_drift

)

select * from final
