{#- The object (file) a raw row was read from. -#}
{% macro source_file_column() %}
    {{- return(adapter.dispatch('source_file_column', 'engagement_events')()) -}}
{% endmacro %}

{#- read_parquet(..., filename = true) adds this column. -#}
{% macro duckdb__source_file_column() -%}
    filename
{%- endmacro %}

{% macro default__source_file_column() -%}
    "$path"
{%- endmacro %}


{#- The ingest hour of a raw row. On Athena it is the Glue partition column. On DuckDB it is read
    from the file's folder: Firehose's YYYY/MM/DD/HH/ layout, or a hive-style
    ingest_timestamp=<value>/ folder (URL-encoded colons accepted). NULL when neither matches: such
    rows are reported by the rejected-events audit, not dropped silently. -#}
{% macro ingest_timestamp_from_source() %}
    {{- return(adapter.dispatch('ingest_timestamp_from_source', 'engagement_events')()) -}}
{% endmacro %}

{% macro duckdb__ingest_timestamp_from_source() -%}
    date_trunc('hour', coalesce(
        try_strptime(
            regexp_extract(replace(filename, chr(92), '/'), '(\d{4}/\d{2}/\d{2}/\d{2})/[^/]*$', 1),
            '%Y/%m/%d/%H'
        ),
        try_strptime(
            replace(regexp_extract(replace(filename, chr(92), '/'), 'ingest_timestamp=([^/]+)/', 1), '%3A', ':'),
            ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d-%H', '%Y-%m-%d %H']
        )
    ))
{%- endmacro %}

{#- timestamp(6), like every timestamp the Athena models produce (see epoch_ms_to_timestamp). -#}
{% macro default__ingest_timestamp_from_source() -%}
    cast(ingest_timestamp as timestamp(6))
{%- endmacro %}

{#- Trino: the raw tables of register_trino_raw_tables key their hourly partitions by the folder text
    (YYYY/MM/DD/HH, a varchar: Trino refuses such a value for a timestamp partition key). -#}
{% macro trino__ingest_timestamp_from_source() -%}
    cast(date_parse(ingest_timestamp, '%Y/%m/%d/%H') as timestamp(6))
{%- endmacro %}

{#- Trino: "$path" with the local file system's scheme removed, so a local file is named by its path
    as on DuckDB (s3:// and other locations are kept as they are). -#}
{% macro trino__source_file_column() -%}
    regexp_replace("$path", '^local://', '')
{%- endmacro %}
