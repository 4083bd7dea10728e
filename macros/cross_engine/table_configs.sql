{#- Config values that differ by engine, for incremental and table models' config() blocks. -#}

{#- The incremental strategy that upserts on unique_key: delete+insert on DuckDB, merge on Athena
    (Iceberg only; Hive's insert_overwrite without partitioned_by would silently append). -#}
{% macro upsert_incremental_strategy() %}
    {{- return(adapter.dispatch('upsert_incremental_strategy', 'engagement_events')()) -}}
{% endmacro %}

{% macro default__upsert_incremental_strategy() %}
    {{- cross_engine_unsupported('upsert_incremental_strategy') -}}
{% endmacro %}

{% macro duckdb__upsert_incremental_strategy() %}
    {{- return('delete+insert') -}}
{% endmacro %}

{% macro athena__upsert_incremental_strategy() %}
    {{- return('merge') -}}
{% endmacro %}


{#- Partition transforms for a table: Iceberg transforms on Athena; none on DuckDB (dbt-duckdb only
    partitions DuckLake tables and warns otherwise). -#}
{% macro table_partitioning(transforms) %}
    {{- return(adapter.dispatch('table_partitioning', 'engagement_events')(transforms)) -}}
{% endmacro %}

{% macro default__table_partitioning(transforms) %}
    {{- cross_engine_unsupported('table_partitioning') -}}
{% endmacro %}

{% macro duckdb__table_partitioning(transforms) %}
    {{- return(none) -}}
{% endmacro %}

{% macro athena__table_partitioning(transforms) %}
    {{- return(transforms) -}}
{% endmacro %}
