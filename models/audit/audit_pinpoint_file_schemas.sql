{#- The Parquet schema of each Pinpoint file this run reads, from the files' footers (no rows are read):
    base_pinpoint_events and audit_schema_drift read the files of one schema together without
    union_by_name (macro pinpoint_files_read, decision 61), so the footers are compared once per run here
    instead of once by each. Rebuilt by every run: on an incremental run it lists the window's files only;
    the base model trusts it only from the dbt invocation that built it (invocation_id).
    DuckDB only; empty on Athena and Trino, whose tables declare the columns. -#}
{{ config(materialized='table', post_hook="{{ write_pinpoint_schema_leaders(this) }}") }}

with file_schemas as (

    select * from {{ pinpoint_file_schemas(source('pinpoint', 'all_events')) }}

),

final as (

    select
        file_schemas.source_file,
        file_schemas.parquet_schema_id,
        file_schemas.schema_element_count,
        file_schemas.maps_as_structs,
        file_schemas.leader_file,
        '{{ invocation_id }}' as invocation_id
    from file_schemas

)

select * from final
