{#- Config values that differ by engine, for incremental and table models' config() blocks. -#}

{#- The incremental strategy that upserts on unique_key: delete+insert on DuckDB, merge on Athena
    (Iceberg only; Hive's insert_overwrite without partitioned_by would silently append). -#}
{% macro upsert_incremental_strategy() %}
    {{- return(adapter.dispatch('upsert_incremental_strategy', 'engagement_events')()) -}}
{% endmacro %}

{% macro duckdb__upsert_incremental_strategy() %}
    {{- return('delete+insert') -}}
{% endmacro %}

{% macro default__upsert_incremental_strategy() %}
    {{- return('merge') -}}
{% endmacro %}

{#- Partition transforms for a table: Iceberg transforms on Athena; none on DuckDB (dbt-duckdb only
    partitions DuckLake tables and warns otherwise). -#}
{% macro table_partitioning(transforms) %}
    {{- return(adapter.dispatch('table_partitioning', 'engagement_events')(transforms)) -}}
{% endmacro %}

{% macro duckdb__table_partitioning(transforms) %}
    {{- return(none) -}}
{% endmacro %}

{% macro default__table_partitioning(transforms) %}
    {{- return(transforms) -}}
{% endmacro %}

{#- The earliest ingest hour an incremental run of `relation` re-reads: the newest value of its
    `watermark_column` minus `incremental_lookback_hours`, as SQL. Only valid inside
    `{% if is_incremental() %}`. -#}
{% macro incremental_window_start(relation, watermark_column) %}
    {{- return(adapter.dispatch('incremental_window_start', 'engagement_events')(relation, watermark_column)) -}}
{% endmacro %}

{#- A scalar subquery over the loaded table. -#}
{% macro incremental_window_start_subquery(relation, watermark_column) -%}
    (
        select max(loaded.{{ watermark_column }}) - interval '{{ var("incremental_lookback_hours", 6) | int }}' hour
        from {{ relation }} as loaded
    )
{%- endmacro %}

{#- DuckDB: the newest watermark is read when the model compiles and written in as a literal, because
    DuckDB skips whole Parquet files by their folder (and table row groups by their min/max) only for a
    filter whose value is known when the query is planned; with a subquery every file of the history
    is opened on every run. An empty table gives NULL (nothing re-read), as the subquery would. -#}
{% macro duckdb__incremental_window_start(relation, watermark_column) %}
    {%- if not execute -%}
        {{- return(incremental_window_start_subquery(relation, watermark_column)) -}}
    {%- endif -%}
    {%- set newest = run_query(
        'select strftime(max(' ~ watermark_column ~ "), '%Y-%m-%d %H:%M:%S.%f') from " ~ relation
    ).columns[0].values()[0] -%}
    {%- if newest is none -%}
        {{- return('cast(null as timestamp)') -}}
    {%- endif -%}
    {{- return("(timestamp '" ~ newest ~ "' - interval '" ~ (var('incremental_lookback_hours', 6) | int) ~ "' hour)") -}}
{% endmacro %}

{#- Athena: the subquery; Trino's dynamic filtering prunes partitions of the Iceberg table with it, and
    compiling needs no query against Athena. -#}
{% macro default__incremental_window_start(relation, watermark_column) %}
    {{- return(incremental_window_start_subquery(relation, watermark_column)) -}}
{% endmacro %}

{#- Table properties for dbt-trino, which takes them as `properties` (SQL literals) and ignores Athena's
    table_type / partitioned_by: the same Iceberg partition transforms, Parquet. None elsewhere (dbt-duckdb
    and dbt-athena have no such config). The catalog of the trino target is an Iceberg catalog. -#}
{% macro table_properties(transforms) %}
    {{- return(adapter.dispatch('table_properties', 'engagement_events')(transforms)) -}}
{% endmacro %}

{% macro default__table_properties(transforms) %}
    {{- return(none) -}}
{% endmacro %}

{% macro trino__table_properties(transforms) %}
    {%- set properties = {'format': "'PARQUET'"} -%}
    {%- if transforms -%}
        {%- do properties.update({'partitioning': "ARRAY['" ~ (transforms | join("', '")) ~ "']"}) -%}
    {%- endif -%}
    {{- return(properties) -}}
{% endmacro %}
