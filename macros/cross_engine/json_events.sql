{#- Engine differences of the two native JSON streams (SES event publishing, End User Messaging SMS).
    See macros/native_sources.sql for their record layout and docs/native_sources.md for the mapping. -#}


{#- The raw records of a native stream ('ses' or 'sms'): one row per line/record, with every column of
    the record layout (NULL where the record lacks it), plus source_file and ingest_timestamp.
    A line that is not JSON, or JSON of another shape, is a row with every record column NULL (never
    dropped, never fatal), which event_rejection_reason sends to audit_rejected_events. A stream with
    no files (DuckDB) or no Glue table (Athena) is an empty, typed relation, so a Pinpoint-only
    warehouse builds unchanged. -#}
{% macro native_events_relation(stream) %}
    {{- return(adapter.dispatch('native_events_relation', 'engagement_events')(stream)) -}}
{% endmacro %}

{#- The read_csv options that return each line of every object under `path` as one varchar, gzip or
    not: no quote, no escape, a two-byte delimiter no JSON text contains unescaped, no type sniffing.
    max_line_size is 2 MiB, twice the largest record Firehose accepts (1,000 KiB): DuckDB reserves
    a read buffer of many times this size per file being read, so 64 MiB ran a 2-thread build out of
    a 4 GB memory limit. Keep in step with meta.external_location in models/sources/src_ses.yml and
    src_sms.yml. -#}
{% macro duckdb__native_lines_read(path, encoding) -%}
    read_csv('{{ path }}/**/*', columns = struct_pack(line := 'varchar'), delim = chr(30) || chr(31), quote = '', escape = '', header = false, auto_detect = false, filename = true, compression = 'auto', strict_mode = false, null_padding = true, ignore_errors = true, max_line_size = 2097152, encoding = '{{ encoding }}')
{%- endmacro %}

{% macro duckdb__native_events_relation(stream) -%}
    {%- set path = var(stream ~ '_events_path', 'data/' ~ stream ~ '_events') -%}
    {%- set columns = native_record_columns(stream) -%}
    {%- set has_files = true -%}
    {%- if execute -%}
        {%- set probe -%}
            select count(*) from glob('{{ path }}/**/*')
        {%- endset -%}
        {%- set has_files = run_query(probe).columns[0].values()[0] > 0 -%}
    {%- endif -%}
    {%- if has_files %}
    {#- ignore_errors only ever skips lines that are not valid UTF-8 (nothing else can fail with these
        options): the latin-1 recount finds how many per file, and each comes back as an empty row. -#}
    select
        {%- for name, spec in columns %}
        parsed.record."{{ name }}" as "{{ name | lower }}",
        {%- endfor %}
        parsed.filename as source_file,
        parsed.ingest_timestamp
    from (
        select
            try_cast(try_cast(lines.line as json) as {{ native_type_duckdb(['struct', columns]) }}) as record,
            lines.filename,
            {{ ingest_timestamp_from_source() }} as ingest_timestamp
        from (
            select decoded.filename, decoded.line
            from {{ source(stream, stream ~ '_events') }} as decoded
            where trim(decoded.line) != ''
            union all
            select undecodable.filename, null as line
            from (
                select
                    every_line.filename,
                    every_line.line_count - coalesce(utf8_lines.line_count, 0) as missing
                from (
                    select filename, count(*) as line_count
                    from {{ duckdb__native_lines_read(path, 'latin-1') }}
                    where trim(line) != ''
                    group by filename
                ) as every_line
                left join (
                    select filename, count(*) as line_count
                    from {{ source(stream, stream ~ '_events') }}
                    where trim(line) != ''
                    group by filename
                ) as utf8_lines
                    on every_line.filename = utf8_lines.filename
            ) as undecodable,
                range(undecodable.missing)
            where undecodable.missing > 0
        ) as lines
    ) as parsed
    {%- else %}
    select
        {%- for name, spec in columns %}
        cast(null as {{ native_type_duckdb(spec) }}) as "{{ name | lower }}",
        {%- endfor %}
        cast(null as varchar) as source_file,
        cast(null as timestamp) as ingest_timestamp
    where false
    {%- endif %}
{%- endmacro %}

{#- Athena: the Glue table (JSON SerDe, ignore.malformed.json: a bad line is a row of NULLs), its
    "$path" and its projected ingest_timestamp partition. -#}
{% macro default__native_events_relation(stream) -%}
    {%- set columns = native_record_columns(stream) -%}
    {%- set raw = source(stream, stream ~ '_events') -%}
    {%- set exists = true -%}
    {%- if execute -%}
        {%- set exists = adapter.get_relation(database=raw.database, schema=raw.schema, identifier=raw.identifier) is not none -%}
    {%- endif -%}
    {%- if exists %}
    select
        {%- for name, spec in columns %}
        raw_records."{{ name | lower }}",
        {%- endfor %}
        {{ source_file_column() }} as source_file,
        {{ ingest_timestamp_from_source() }} as ingest_timestamp
    from {{ raw }} as raw_records
    {%- else %}
    select
        {%- for name, spec in columns %}
        cast(null as {{ native_type_trino(spec) }}) as "{{ name | lower }}",
        {%- endfor %}
        cast(null as varchar) as source_file,
        cast(null as timestamp(6)) as ingest_timestamp
    where false
    {%- endif %}
{%- endmacro %}


{#- An ISO-8601 UTC text such as 2026-10-01T00:41:02.669Z as a plain UTC timestamp with its
    milliseconds; NULL (never an error) when the text is not such a time. -#}
{% macro iso8601_to_timestamp(text) %}
    {{- return(adapter.dispatch('iso8601_to_timestamp', 'engagement_events')(text)) -}}
{% endmacro %}

{#- The session time zone is UTC (profiles.yml), so the timestamptz cast then the timestamp cast give
    the UTC wall time; a text without a zone is read as UTC. -#}
{% macro duckdb__iso8601_to_timestamp(text) -%}
    cast(try_cast({{ text }} as timestamptz) as timestamp)
{%- endmacro %}

{#- timestamp(6), like every timestamp the Athena models produce (see epoch_ms_to_timestamp). -#}
{% macro default__iso8601_to_timestamp(text) -%}
    cast(try(from_iso8601_timestamp({{ text }}) at time zone 'UTC') as timestamp(6))
{%- endmacro %}


{#- An array of structs with each struct re-shaped: `fields` is a list of [new name, old field,
    type]. Used to give SES's camelCase recipient structs the Pinpoint field names. -#}
{% macro rename_struct_array(array_expr, fields) %}
    {{- return(adapter.dispatch('rename_struct_array', 'engagement_events')(array_expr, fields)) -}}
{% endmacro %}

{% macro duckdb__rename_struct_array(array_expr, fields) -%}
    list_transform({{ array_expr }}, lambda element: {
        {%- for new_name, old_name, sql_type in fields -%}
        '{{ new_name }}': cast(element.{{ old_name | lower }} as {{ sql_type }}){% if not loop.last %}, {% endif %}
        {%- endfor -%}
    })
{%- endmacro %}

{% macro default__rename_struct_array(array_expr, fields) -%}
    transform({{ array_expr }}, element -> cast(row(
        {%- for new_name, old_name, sql_type in fields -%}
        element.{{ old_name | lower }}{% if not loop.last %}, {% endif %}
        {%- endfor -%}
    ) as row(
        {%- for new_name, old_name, sql_type in fields -%}
        "{{ new_name }}" {{ sql_type }}{% if not loop.last %}, {% endif %}
        {%- endfor -%}
    )))
{%- endmacro %}


{#- The elements of an array (or one field of an array of structs) sorted and joined with ','; ''
    for a NULL or empty array. A stable text for identity hashes. -#}
{% macro sorted_array_join(array_expr, field=none) %}
    {{- return(adapter.dispatch('sorted_array_join', 'engagement_events')(array_expr, field)) -}}
{% endmacro %}

{% macro duckdb__sorted_array_join(array_expr, field=none) -%}
    {%- if field -%}
    coalesce(array_to_string(list_sort(list_transform({{ array_expr }}, lambda element: coalesce(element.{{ field }}, ''))), ','), '')
    {%- else -%}
    coalesce(array_to_string(list_sort(list_transform({{ array_expr }}, lambda element: coalesce(element, ''))), ','), '')
    {%- endif -%}
{%- endmacro %}

{% macro default__sorted_array_join(array_expr, field=none) -%}
    {%- if field -%}
    coalesce(array_join(array_sort(transform({{ array_expr }}, element -> coalesce(element.{{ field }}, ''))), ','), '')
    {%- else -%}
    coalesce(array_join(array_sort(transform({{ array_expr }}, element -> coalesce(element, ''))), ','), '')
    {%- endif -%}
{%- endmacro %}


{#- A map(varchar, array(varchar)) (SES mail.tags) as map(varchar, varchar): each key's values joined
    with ','. Never NULL (an empty map for NULL input). -#}
{% macro joined_array_map(map_expr) %}
    {{- return(adapter.dispatch('joined_array_map', 'engagement_events')(map_expr)) -}}
{% endmacro %}

{% macro duckdb__joined_array_map(map_expr) -%}
    coalesce(map_from_entries(list_transform(map_entries({{ map_expr }}), lambda entry: {'key': entry.key, 'value': array_to_string(entry.value, ',')})), {{ empty_string_map() }})
{%- endmacro %}

{% macro default__joined_array_map(map_expr) -%}
    coalesce(transform_values({{ map_expr }}, (tag_name, tag_values) -> array_join(tag_values, ',')), {{ empty_string_map() }})
{%- endmacro %}


{#- A NULL of the type a record-layout spec describes (see macros/native_sources.sql), e.g.
    typed_null(['array', 'string']). -#}
{% macro typed_null(spec) %}
    {{- return(adapter.dispatch('typed_null', 'engagement_events')(spec)) -}}
{% endmacro %}

{% macro duckdb__typed_null(spec) -%}
    cast(null as {{ native_type_duckdb(spec) }})
{%- endmacro %}

{% macro default__typed_null(spec) -%}
    cast(null as {{ native_type_trino(spec) }})
{%- endmacro %}
