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

{#- The name pattern of the raw files DuckDB reads in each folder of a stream's path (`path`/**/pattern):
    every object whose name does not start with '.' or '_', as Athena and Hive read a table's location
    (they skip such names: _SUCCESS markers, .crc checksums, .DS_Store). The name needs no extension:
    Firehose appends .parquet (or .gz) only by its configuration (decision 69). The three sources' yml
    files spell the same glob in their external_location (test_sources_read_the_raw_file_glob). -#}
{% macro raw_file_glob() %}
    {{- return('[!._]*') -}}
{% endmacro %}

{#- The folder var of a stream ('pinpoint', 'ses', 'sms'): events_path, ses_events_path, sms_events_path. -#}
{% macro stream_events_path(stream) %}
    {{- return(var('events_path', 'data/events') if stream == 'pinpoint' else var(stream ~ '_events_path', 'data/' ~ stream ~ '_events')) -}}
{% endmacro %}

{#- SQL: whether `file_name`, a file that the glob over a stream's folder `path` found, lies in a folder below
    `path` whose name starts with '.' or '_' (the _temporary folder of a job still writing, a .staging
    copy). Athena and Trino skip every file within such a folder, as they skip such file names
    (raw_file_glob); DuckDB's ** descends into them, so audit_unreadable_files lists these files and the
    reads leave them out (decision 71). -#}
{% macro in_hidden_folder(file_name, path) %}
    {{- return("regexp_matches(substr(replace(" ~ file_name ~ ", chr(92), '/'), length(rtrim(replace('" ~ path
        ~ "', chr(92), '/'), '/')) + 2), '(^|/)[._][^/]*/')") -}}
{% endmacro %}

{#- The problem audit_unreadable_files states for a file within such a folder. skip_unreadable_files leaves
    these files out without failing, whatever fail_on_unreadable_files says: Athena would not read them. -#}
{% macro hidden_folder_problem() %}
    {{- return('inside a folder whose name starts with . or _, which Athena and Trino do not read') -}}
{% endmacro %}

{#- The raw files of a stream within a folder whose name starts with '.' or '_' (in_hidden_folder), as
    rows of source_file and file_size_bytes; empty on other engines, which skip them themselves. `raw`,
    the stream's source() relation, is named by the audit model for lineage. -#}
{% macro raw_hidden_folder_files(stream, raw) %}
    {{- return(adapter.dispatch('raw_hidden_folder_files', 'engagement_events')(stream, raw)) -}}
{% endmacro %}

{% macro default__raw_hidden_folder_files(stream, raw) -%}
    (select cast(null as varchar) as source_file, cast(null as bigint) as file_size_bytes where false)
{%- endmacro %}

{% macro duckdb__raw_hidden_folder_files(stream, raw) -%}
    {%- set path = stream_events_path(stream) -%}
    {%- set files = "'" ~ path ~ "/**/" ~ raw_file_glob() ~ "'" -%}
    {%- if not execute or run_query("select count(*) from glob(" ~ files ~ ") where " ~ in_hidden_folder('file', path)).columns[0].values()[0] == 0 -%}
    {{ default__raw_hidden_folder_files(stream, raw) }}
    {%- else -%}
    (
        select
            files.filename as source_file,
            cast(files.size as bigint) as file_size_bytes
        from read_blob({{ files }}) as files
        where {{ in_hidden_folder('files.filename', path) }}
    )
    {%- endif -%}
{%- endmacro %}

{#- The raw files of a stream ('pinpoint': every file; 'ses', 'sms': the objects named .gz) as rows of
    source_file, file_size_bytes and the bytes audit_unreadable_files checks: head_bytes and
    tail_bytes (4 each), footer_length (the little-endian length before the final magic), gzip_header
    (3 bytes), beside the constants parquet_magic and gzip_magic. DuckDB reads them with read_blob; other
    engines read the files themselves, so the relation is empty there. -#}
{% macro raw_file_listing(stream, raw) %}
    {{- return(adapter.dispatch('raw_file_listing', 'engagement_events')(stream, raw)) -}}
{% endmacro %}

{#- `raw`, the stream's source() relation, is named by the audit model so that dbt's lineage shows which
    source each listing inspects; the bytes are read from the stream's folder (var), not through it. -#}
{% macro default__raw_file_listing(stream, raw) -%}
    (
        select
            cast(null as varchar) as source_file,
            cast(null as bigint) as file_size_bytes,
            cast(null as varbinary) as head_bytes,
            cast(null as varbinary) as tail_bytes,
            cast(null as bigint) as footer_length,
            cast(null as varbinary) as gzip_header,
            cast(null as varbinary) as parquet_magic,
            cast(null as varbinary) as gzip_magic
        where false
    )
{%- endmacro %}

{% macro duckdb__raw_file_listing(stream, raw) -%}
    {%- set path = stream_events_path(stream) -%}
    {%- set pattern = raw_file_glob() if stream == 'pinpoint' else raw_file_glob() ~ '.gz' -%}
    {%- if execute and run_query("select count(*) from glob('" ~ path ~ "/**/" ~ pattern ~ "')").columns[0].values()[0] == 0 -%}
    {{ default__raw_file_listing(stream, raw) }}
    {%- else -%}
    (
        select
            files.filename as source_file,
            cast(files.size as bigint) as file_size_bytes,
            files.content[1:4] as head_bytes,
            files.content[-4:] as tail_bytes,
            try_cast('0x' || substr(hex(files.content[-8:-5]), 7, 2) || substr(hex(files.content[-8:-5]), 5, 2)
                || substr(hex(files.content[-8:-5]), 3, 2) || substr(hex(files.content[-8:-5]), 1, 2) as bigint) as footer_length,
            files.content[1:3] as gzip_header,
            cast('PAR1' as blob) as parquet_magic,
            from_hex('1f8b08') as gzip_magic
        from read_blob('{{ path }}/**/{{ pattern }}') as files
    )
    {%- endif -%}
{%- endmacro %}

{#- DuckDB: the text of a raw source relation (a read_parquet/read_csv call over `path`/**/`pattern`)
    as an explicit list of the files this run reads, or unchanged when that is every file:
    - the files audit_unreadable_files lists are left out (with the var fail_on_unreadable_files, an
      unreadable file stops the build instead, named);
    - on an incremental run (canonical_window_start), only the files of the window's
      ingest hours are listed, so a run on a long history neither opens nor binds the older files.
    none when no file is left to read. The text unchanged while parsing. -#}
{% macro skip_unreadable_files(relation_text, stream, path, pattern, log_skipped=true) %}
    {%- set audit = ref('audit_unreadable_files') -%}
    {%- if not execute or 'read_' not in relation_text -%}
        {{- return(relation_text) -}}
    {%- endif -%}
    {%- set window_start = canonical_window_start() -%}
    {%- set audited = adapter.get_relation(database=audit.database, schema=audit.schema, identifier=audit.identifier) is not none -%}
    {%- set listed = [] -%}
    {%- set hidden = [] -%}
    {%- if audited -%}
        {%- set unreadable = run_query("select source_file, problem from " ~ audit ~ " where source_system = '" ~ stream ~ "' order by source_file") -%}
        {%- for row in unreadable.rows -%}
            {%- do (hidden if row[1] == hidden_folder_problem() else listed).append(row[0] ~ ' (' ~ row[1] ~ ')') -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if listed | length + hidden | length == 0 and window_start is none -%}
        {{- return(relation_text) -}}
    {%- endif -%}
    {%- if listed and var('fail_on_unreadable_files', false) -%}
        {{ exceptions.raise_compiler_error("engagement_events: unreadable " ~ stream ~ " files (fail_on_unreadable_files is on): " ~ listed | join('; ')) }}
    {%- endif -%}
    {%- if listed and log_skipped %}
    {{ log("engagement_events: WARNING skipping " ~ listed | length ~ " unreadable " ~ stream ~ " file(s), listed in audit_unreadable_files: " ~ listed | join('; '), info=true) }}
    {%- endif %}
    {%- if hidden and log_skipped %}
    {{ log("engagement_events: skipping " ~ hidden | length ~ " " ~ stream ~ " file(s) within folders whose names start with . or _ (as Athena and Trino do), listed in audit_unreadable_files", info=true) }}
    {%- endif %}
    {%- set listing -%}
        select files.filename
        from (select file as filename from glob('{{ path }}/**/{{ pattern }}')) as files
        where true
        {%- if listed or hidden %}
            and files.filename not in (select source_file from {{ audit }} where source_system = '{{ stream }}')
        {%- endif %}
        {%- if window_start is not none %}
            and {{ ingest_timestamp_from_source() }} >= {{ window_start }}
        {%- endif %}
        order by files.filename
    {%- endset -%}
    {%- set readable = run_query(listing).columns[0].values() -%}
    {%- if readable | length == 0 -%}
        {{- return(none) -}}
    {%- endif -%}
    {{- return(relation_text | replace("'" ~ path ~ "/**/" ~ pattern ~ "'", sql_string_list(readable))) -}}
{% endmacro %}

{#- Texts (file names) as a list of SQL string literals, ['a', 'b'], the files argument of DuckDB's readers. -#}
{% macro sql_string_list(values) %}
    {%- set quoted = [] -%}
    {%- for value in values -%}
        {%- do quoted.append(custom_event_sql_string(value) | trim) -%}
    {%- endfor -%}
    {{- return('[' ~ quoted | join(', ') ~ ']') -}}
{% endmacro %}

{#- The loaded_at_query of a raw source's freshness check: the newest ingest hour. Two exceptions:
    - pinpoint after var pinpoint_end_timestamp: no event can arrive any more, so the age is measured at
      the end (the newest hour shifted by the time since), and a history that reaches the end stays green;
    - a DuckDB folder of generated samples (SAMPLE_DATA.md beside it): not a live stream, so it is
      reported as loaded now, and `dbt source freshness` on `make run`'s samples is not red. -#}
{% macro freshness_loaded_at(stream, relation) -%}
    {%- set path = stream_events_path(stream) -%}
    {%- set is_sample = target.type == 'duckdb' and execute
        and run_query("select count(*) from glob('" ~ path ~ "/../SAMPLE_DATA.md')").columns[0].values()[0] > 0 -%}
    {%- if is_sample -%}
    select {{ utc_now() }}
    {%- elif stream == 'pinpoint' -%}
    {%- set end_at = "timestamp '" ~ var('pinpoint_end_timestamp', '2026-10-30 00:00:00') ~ "'" -%}
    select
        max({{ ingest_timestamp_from_source() }})
        + case when {{ utc_now() }} > {{ end_at }} then {{ utc_now() }} - {{ end_at }} else {{ utc_now() }} - {{ utc_now() }} end
    from {{ relation }}
    {%- else -%}
    select max({{ ingest_timestamp_from_source() }}) from {{ relation }}
    {%- endif -%}
{%- endmacro %}
