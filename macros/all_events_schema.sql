{#- The Glue schema of all_events as (quoted column, DuckDB type) in Glue order, from the data_type of the
    columns of source pinpoint.all_events (models/sources/src_pinpoint.yml, the one place it is written).
    Used on DuckDB to give the raw relation every column and struct field even when the files on disk
    are older (missing a field) or come from a producer that dropped one, so the flattening never
    fails on a missing path. -#}
{% macro all_events_glue_columns() %}
    {%- set columns = [] -%}
    {%- for name, spec in raw_source_columns('pinpoint', 'all_events') -%}
        {%- do columns.append(('"' ~ name ~ '"', native_type_duckdb(spec))) -%}
    {%- endfor -%}
    {{- return(columns) -}}
{% endmacro %}

{#- The raw Pinpoint rows with every Glue column present, as a relation to put after FROM (a table,
    a table function or a parenthesised query; the caller adds the alias). `raw` is the source()
    relation, named by the base model so its lineage shows there. -#}
{% macro all_events_relation(raw) %}
    {{- return(adapter.dispatch('all_events_relation', 'engagement_events')(raw)) -}}
{% endmacro %}

{#- When the files carry exactly the Glue schema (the normal case), the files are read as they are, so
    DuckDB can skip files by folder when a query filters on the ingest hour. When they drift (a column
    or struct field missing from every file, or extra columns), a typed, empty row set is united BY
    NAME with them: missing columns and fields come out NULL and extra columns are kept; file skipping
    is then lost, which costs time, not correctness. -#}
{% macro duckdb__all_events_relation(raw) -%}
    {%- set files_relation = raw -%}
    {%- if 'read_parquet' not in (files_relation | string) -%}
    {#- A unit test stands a fixture CTE in for the files: it is read as it is (and the schema, read
        from the graph that a unit test's manifest lacks, is not asked for). -#}
    {{ files_relation }}
    {%- else -%}
        {%- set typed_empty -%}
        select
            {%- for name, sql_type in all_events_glue_columns() %}
            cast(null as {{ sql_type }}) as {{ name }},
            {%- endfor %}
            cast(null as varchar) as filename
        where false
        {%- endset -%}
        {%- set readable = pinpoint_files_read(files_relation | string) -%}
        {%- if readable is none %}
    {#- No Pinpoint history (a warehouse that starts with the native streams), or no readable file. -#}
    ({{ typed_empty }})
        {%- elif all_events_files_match_glue_schema(readable, typed_empty) %}
    {{ readable }}
        {%- else %}
    (
        select *
        from ({{ typed_empty }}) as glue_schema
        union all by name
        select * from {{ readable }}
    )
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- DuckDB: the read_parquet text of the Pinpoint files a model reads (relation_text, the source's, through
    skip_unreadable_files: the unreadable ones left out, only the window's on an incremental run), or none
    when there is no such file. union_by_name opens every file while binding, to unite their schemas, and
    keeps those readers until the scan ends: at 10,000 files (one week at Firehose's 60-second buffer) each
    bind took 2-3 s and the scan held about 1.4 GB more (decision 60). So the files are grouped by their
    Parquet schema (audit_pinpoint_file_schemas, read once per run from the footers) and each group is read
    without it: one group (the normal case: Firehose writes each object with the Glue table's schema of its
    day) is the read_parquet call as it is; a few (a history across schema changes, a producer that
    orders columns its own way) are united by name, which fills and merges missing columns and struct
    fields by name as union_by_name does; more than the var pinpoint_schema_groups_max keep union_by_name
    (one bind beats that many scans, at the memory cost of keeping every reader; decisions 61 and 65). -#}
{% macro pinpoint_files_read(relation_text, log_skipped=true) %}
    {%- set schemas = ref('audit_pinpoint_file_schemas') -%}
    {%- set readable = pinpoint_files_listed(relation_text, log_skipped) -%}
    {%- set united = 'union_by_name = true' -%}
    {%- if readable is none or not execute or united not in readable -%}
        {{- return(readable) -}}
    {%- endif -%}
    {#- Trusted only when this dbt invocation built it: a selection that leaves the table out (or a first
        run without it) reads the files together with union_by_name, as if their schemas differed. -#}
    {%- set built = adapter.get_relation(database=schemas.database, schema=schemas.schema, identifier=schemas.identifier) -%}
    {%- if built is none -%}
        {{- return(readable) -}}
    {%- endif -%}
    {#- First the counts, so the usual case (one schema) does not bring every file name into dbt. -#}
    {%- set counts = run_query("select count(distinct parquet_schema_id), count(*) filter (where invocation_id != '"
        ~ invocation_id ~ "') from " ~ schemas).rows[0] -%}
    {%- set group_count = counts[0] -%}
    {%- if counts[1] > 0 or group_count == 0 or group_count > var('pinpoint_schema_groups_max') | int -%}
        {{- return(readable) -}}
    {%- elif group_count == 1 -%}
        {{- return(readable | replace(united, 'union_by_name = false')) -}}
    {%- endif -%}
    {%- set files_by_schema = {} -%}
    {%- set groups = [] -%}
    {%- for row in run_query("select parquet_schema_id, source_file from " ~ schemas ~ " order by source_file").rows -%}
        {%- if row[0] not in files_by_schema -%}
            {%- do files_by_schema.update({row[0]: []}) -%}
            {%- do groups.append(files_by_schema[row[0]]) -%}
        {%- endif -%}
        {%- do files_by_schema[row[0]].append(row[1]) -%}
    {%- endfor -%}
    {%- set files_argument = parquet_files_argument(readable) -%}
    {%- set reads = [] -%}
    {%- for files in groups -%}
        {%- do reads.append('select * from ' ~ readable | replace(files_argument, sql_string_list(files))
            | replace(united, 'union_by_name = false')) -%}
    {%- endfor -%}
    {{- return('(' ~ reads | join(' union all by name ') ~ ')') -}}
{% endmacro %}

{#- DuckDB: the read_parquet text of the Pinpoint files this run reads, as declared (union_by_name on), or
    none when there is none: the unreadable files left out, only the window's on an incremental run. -#}
{% macro pinpoint_files_listed(relation_text, log_skipped=true) %}
    {%- if all_events_file_count() == 0 -%}
        {{- return(none) -}}
    {%- endif -%}
    {{- return(skip_unreadable_files(relation_text, 'pinpoint', var('events_path', 'data/events'), '*.parquet',
        log_skipped=log_skipped)) -}}
{% endmacro %}

{#- The files argument of a read_parquet text: a quoted glob or a bracketed list of quoted files. -#}
{% macro parquet_files_argument(read_text) %}
    {{- return(read_text.split('read_parquet(', 1)[1].rsplit(', union_by_name', 1)[0]) -}}
{% endmacro %}

{#- The Parquet schema of each Pinpoint file this run reads, as rows of source_file, parquet_schema_id (the
    md5 of every schema element's name, type, repetition and children, in order, from the footer) and
    schema_element_count; for audit_pinpoint_file_schemas. Empty on other engines and when there is no
    file. -#}
{% macro pinpoint_file_schemas(raw) %}
    {{- return(adapter.dispatch('pinpoint_file_schemas', 'engagement_events')(raw)) -}}
{% endmacro %}

{#- `raw` is source pinpoint.all_events, named by the audit model so that its lineage shows there. -#}
{% macro default__pinpoint_file_schemas(raw) -%}
    (
        select
            cast(null as varchar) as source_file,
            cast(null as varchar) as parquet_schema_id,
            cast(null as bigint) as schema_element_count
        where false
    )
{%- endmacro %}

{% macro duckdb__pinpoint_file_schemas(raw) -%}
    {%- set readable = pinpoint_files_listed(raw | string, log_skipped=false) -%}
    {%- if readable is none or 'read_parquet' not in readable -%}
    {{ default__pinpoint_file_schemas(raw) }}
    {%- else -%}
    (
        select
            file_name as source_file,
            md5(string_agg(
                concat_ws(' ', name, type, type_length, repetition_type, num_children, converted_type, logical_type),
                ' | ' order by column_id
            )) as parquet_schema_id,
            count(*) as schema_element_count
        from parquet_schema({{ parquet_files_argument(readable) }})
        group by file_name
    )
    {%- endif -%}
{%- endmacro %}

{#- How many Parquet files events_path holds (DuckDB, at execution time; 1 while parsing). -#}
{% macro all_events_file_count() %}
    {%- if not execute -%}
        {{- return(1) -}}
    {%- endif -%}
    {%- set events_path = var('events_path', 'data/events') -%}
    {{- return(run_query("select count(*) from glob('" ~ events_path ~ "/**/*.parquet')").columns[0].values()[0]) -}}
{% endmacro %}

{#- True when the files' columns (names and types) are exactly those of the typed empty relation.
    Only asked at execution time; when there are no files the answer is false (the typed relation
    then makes the build an empty one, and check_events_path has already said why for run/build). -#}
{% macro all_events_files_match_glue_schema(files_relation, typed_empty) %}
    {%- if not execute -%}
        {{- return(false) -}}
    {%- endif -%}
    {#- A unit test stands a fixture CTE in for the files: it is read as it is. -#}
    {%- if 'read_parquet' not in (files_relation | string) -%}
        {{- return(true) -}}
    {%- endif -%}
    {%- if all_events_file_count() == 0 -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- set comparison -%}
        with expected as (
            select column_name, column_type from (describe {{ typed_empty }})
        ),
        actual as (
            select column_name, column_type from (describe select * from {{ files_relation }})
        )
        select count(*) from (
            (select lower(column_name), column_type from expected except select lower(column_name), column_type from actual)
            union all
            (select lower(column_name), column_type from actual except select lower(column_name), column_type from expected)
        )
    {%- endset -%}
    {{- return(run_query(comparison).columns[0].values()[0] == 0) -}}
{% endmacro %}

{#- On Athena the Glue table already has the full schema. The caller reads the hidden column "$path"
    in the same select that names the table (a CTE's select * would not carry it). -#}
{% macro default__all_events_relation(raw) -%}
    {{ raw }}
{%- endmacro %}

{#- The top-level columns (name, type) of the readable Pinpoint files as DuckDB binds them (on an
    incremental run, of the window's files only), for audit_schema_drift; empty when there is no file and on other engines (their Glue/Hive table declares
    the columns). -#}
{% macro pinpoint_file_columns() %}
    {{- return(adapter.dispatch('pinpoint_file_columns', 'engagement_events')()) -}}
{% endmacro %}

{% macro default__pinpoint_file_columns() -%}
    (select cast(null as varchar) as column_name, cast(null as varchar) as column_type where false)
{%- endmacro %}

{% macro duckdb__pinpoint_file_columns() -%}
    {%- set files_relation = source('pinpoint', 'all_events') | string -%}
    {%- set readable = pinpoint_files_read(files_relation, log_skipped=false) -%}
    {%- if readable is none -%}
    {{ default__pinpoint_file_columns() }}
    {%- else -%}
    (select described.column_name, described.column_type from (describe select * from {{ readable }}) as described)
    {%- endif -%}
{%- endmacro %}
