{#- Engine differences of the two native JSON streams (SES event publishing, End User Messaging SMS).
    See macros/native_sources.sql for their record layout and docs/native_sources.md for the mapping. -#}

{#- The raw records of a native stream ('ses' or 'sms'): one row per line/record, with every column of
    the record layout (NULL where the record lacks it), plus source_file and ingest_timestamp. `raw` is
    the stream's source() relation, named by the base model.
    A line that is not JSON, or JSON of another shape, is a row with every record column NULL (never
    dropped, never fatal), which int_validated_events rejects (audit_rejected_events lists it). A stream with
    no files (DuckDB) or no Glue table (Athena) is an empty, typed relation, so a Pinpoint-only
    warehouse builds unchanged. -#}
{% macro native_events_relation(stream, raw) %}
    {{- return(adapter.dispatch('native_events_relation', 'engagement_events')(stream, raw)) -}}
{% endmacro %}

{#- DuckDB reads each line of every object as one varchar (options in meta.external_location of
    models/sources/src_ses.yml and src_sms.yml: no quote, no escape, a two-byte delimiter no JSON text
    contains unescaped, gzip or not, UTF-8). A line that is not valid UTF-8 cannot be a varchar: DuckDB
    skips it and, because the source asks for store_rejects, records its file and line number in the
    temporary tables named by native_rejects_tables, which the base model's post-hook turns into
    rejected rows (see native_undecodable_lines_hook). Every other line, valid JSON or not, is a row
    here; line_problem says what is wrong with a line that is not a record. -#}
{% macro duckdb__native_events_relation(stream, raw) -%}
    {%- set columns = native_record_columns(stream) -%}
    {%- set readable = native_readable_relation(stream, raw=raw) -%}
    {%- if readable is not none %}
    select
        {%- for name, spec in columns %}
        parsed.record."{{ name }}" as "{{ name | lower }}",
        {%- endfor %}
        parsed.filename as source_file,
        parsed.ingest_timestamp,
        {#- a record with its first field needs no json_type, which would parse the line once more -#}
        case
            {#- Firehose joins records with no delimiter unless its newline delimiter is on: a line of objects
                run together parses as a JSON array once commas go between them (put in for this check only;
                the line is rejected whole, and named, rather than split into records) #}
            when parsed.record_json is null
                and try_cast('[' || regexp_replace(parsed.line, '\}\s*\{', '},{', 'g') || ']' as json) is not null
                then 'several JSON objects run together on one line (a Firehose stream without its newline delimiter)'
            when parsed.record_json is null then 'not JSON'
            when parsed.record."{{ columns[0][0] }}" is not null then null
            when json_type(parsed.record_json) != 'OBJECT' then 'JSON, but not an object'
            {%- if stream == 'ses' %}
            {#- SES's bounce, complaint and delivery notifications (through SNS) say notificationType #}
            when json_exists(parsed.record_json, '$.notificationType')
                then 'an SES notification (notificationType), not an event publishing record (eventType)'
            {%- endif %}
            else 'JSON object without a {{ columns[0][0] }} text'
        end as line_problem,
        {{ native_unrecognised_fields('parsed.record_json', 'parsed.child_keys', columns) }} as unrecognised_fields
    from (
        select
            try_cast(try_cast(lines.line as json) as {{ native_type_duckdb(['struct', columns]) }}) as record,
            try_cast(lines.line as json) as record_json,
            {{ native_child_keys('try_cast(lines.line as json)', columns) }} as child_keys,
            lines.line,
            lines.filename,
            {{ ingest_timestamp_from_source() }} as ingest_timestamp
        from {{ readable }} as lines
        {# a line of spaces only is no record; a regex test, not trim(), which copies every line #}
        where regexp_matches(lines.line, '[^ ]')
    ) as parsed
    {%- else %}
    select
        {%- for name, spec in columns %}
        cast(null as {{ native_type_duckdb(spec) }}) as "{{ name | lower }}",
        {%- endfor %}
        cast(null as varchar) as source_file,
        cast(null as timestamp) as ingest_timestamp,
        cast(null as varchar) as line_problem,
        cast(null as varchar[]) as unrecognised_fields
    where false
    {%- endif %}
{%- endmacro %}

{#- True when the DuckDB folder of a native stream holds a file (asked at execution time; true while
    parsing). -#}
{% macro native_stream_has_files(stream) %}
    {%- if not execute -%}
        {{- return(true) -}}
    {%- endif -%}
    {%- set path = stream_events_path(stream) -%}
    {{- return(run_query("select count(*) from glob('" ~ path ~ "/**/" ~ raw_file_glob() ~ "')").columns[0].values()[0] > 0) -}}
{% endmacro %}

{#- DuckDB: the text of the stream's source relation with unreadable files left out (see
    skip_unreadable_files), or none when the stream has no readable file. -#}
{% macro native_readable_relation(stream, log_skipped=true, raw=none) %}
    {%- if not native_stream_has_files(stream) -%}
        {{- return(none) -}}
    {%- endif -%}
    {{- return(skip_unreadable_files(
        (raw if raw is not none else source(stream, stream ~ '_events')) | string, stream,
        stream_events_path(stream), raw_file_glob(), log_skipped)) -}}
{% endmacro %}

{#- DuckDB: the (name, spec) pairs of the record layout `columns` whose children are declared (structs,
    and scalars, which have none), i.e. every field but the free-form maps, in layout order. -#}
{% macro native_parent_fields(columns) -%}
    {%- set parents = [] -%}
    {%- for name, spec in columns if spec is string or spec[0] == 'struct' -%}
        {%- do parents.append((name, spec)) -%}
    {%- endfor -%}
    {{- return(parents) -}}
{%- endmacro %}

{#- DuckDB: the record's own keys, then the keys of each parent field (native_parent_fields, in that
    order), read with one json_keys call over a constant list of paths, i.e. one parse of the record: a
    list of lists, NULL where the record lacks the field. -#}
{% macro native_child_keys(json_expr, columns) -%}
    json_keys({{ json_expr }}, ['$'{% for name, spec in native_parent_fields(columns) %}, '$."{{ name }}"'{% endfor %}])
{%- endmacro %}

{#- DuckDB: the fields of a JSON record (top-level keys, and the keys of top-level objects as
    parent.child) that the record layout `columns` does not declare, as a list (empty when none): schema
    drift, counted by audit_schema_drift. Children of map-typed fields are free-form and never listed.
    `child_keys_expr` is native_child_keys of the same record (its first list: the record's own keys).
    Nearly every record declares all its fields, which a few list_has_all over those keys tell (one
    parse of the record); only a record that does not has its fields listed and filtered one by one, a
    parse per top-level key and a look-up of each path in the declared list (measured: 1.6 s against
    11.6 s for 700,000 SES records). -#}
{% macro native_unrecognised_fields(json_expr, child_keys_expr, columns) -%}
    {%- set known = [] -%}
    {%- set free_form = [] -%}
    {%- for name, spec in columns -%}
        {%- do known.append(name) -%}
        {%- if spec is not string and spec[0] == 'struct' -%}
            {%- for field in spec[1] -%}
                {%- do known.append(name ~ '.' ~ field[0]) -%}
            {%- endfor -%}
        {%- elif spec is not string -%}
            {%- do free_form.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    case
        when list_has_all([{% for name, spec in columns %}'{{ name }}'{% if not loop.last %}, {% endif %}{% endfor %}], {{ child_keys_expr }}[1])
        {%- for name, spec in native_parent_fields(columns) %}
            and list_has_all(
                cast([{% if spec is not string %}{% for field in spec[1] %}'{{ field[0] }}'{% if not loop.last %}, {% endif %}{% endfor %}{% endif %}] as varchar[]),
                coalesce({{ child_keys_expr }}[{{ loop.index + 1 }}], cast([] as varchar[]))
            )
        {%- endfor %}
            then cast([] as varchar[])
        else list_filter(
            list_concat(
                json_keys({{ json_expr }}),
                flatten(list_transform(
                    json_keys({{ json_expr }}),
                    lambda top_key: list_transform(
                        json_keys({{ json_expr }}, '$."' || top_key || '"'), lambda child_key: top_key || '.' || child_key
                    )
                ))
            ),
            lambda field_path: not list_contains([{% for k in known %}'{{ k }}'{% if not loop.last %}, {% endif %}{% endfor %}], field_path)
                and not list_contains([{% for k in free_form %}'{{ k }}'{% if not loop.last %}, {% endif %}{% endfor %}], split_part(field_path, '.', 1))
        )
    end
{%- endmacro %}

{#- The temporary tables DuckDB's read_csv(store_rejects = true) fills with the lines of a native
    stream it could not decode: [errors table, scans table]. Named in the sources' external_location. -#}
{% macro native_rejects_tables(stream) -%}
    {{- return(['engagement_' ~ stream ~ '_rejects', 'engagement_' ~ stream ~ '_reject_scans']) -}}
{%- endmacro %}

{#- How the native base models are materialised: a table on DuckDB (the raw files are read once per run,
    and the post-hook below can add the undecodable lines), a view elsewhere. -#}
{% macro native_base_materialization() %}
    {{- return(adapter.dispatch('native_base_materialization', 'engagement_events')()) -}}
{% endmacro %}

{% macro default__native_base_materialization() -%}
    {{- return('view') -}}
{%- endmacro %}

{% macro duckdb__native_base_materialization() -%}
    {{- return('table') -}}
{%- endmacro %}

{#- Pre-hook: forget the undecodable lines of an earlier scan in this connection. -#}
{% macro native_rejects_reset_hook(stream) %}
    {{- return(adapter.dispatch('native_rejects_reset_hook', 'engagement_events')(stream)) -}}
{% endmacro %}

{% macro default__native_rejects_reset_hook(stream) -%}
{%- endmacro %}

{% macro duckdb__native_rejects_reset_hook(stream) -%}
    {%- set errors_table, scans_table = native_rejects_tables(stream) -%}
    drop table if exists temp.main.{{ errors_table }}; drop table if exists temp.main.{{ scans_table }}
{%- endmacro %}

{#- Post-hook: one rejected row per line DuckDB could not decode as UTF-8, with its file and line
    number, in the base model just built (every record column NULL, so event_type is NULL and
    int_validated_events rejects it and audit_rejected_events lists it). Athena and Trino decode with the JSON
    SerDe, which replaces such bytes instead of refusing the line (docs/native_sources.md). -#}
{% macro native_undecodable_lines_hook(stream) %}
    {{- return(adapter.dispatch('native_undecodable_lines_hook', 'engagement_events')(stream)) -}}
{% endmacro %}

{% macro default__native_undecodable_lines_hook(stream) -%}
{%- endmacro %}

{% macro duckdb__native_undecodable_lines_hook(stream) -%}
    {%- set errors_table, scans_table = native_rejects_tables(stream) -%}
    {#- Hooks are rendered before the model runs: the scan that creates the tables has not happened yet,
        but it will exactly when the stream has a readable file (otherwise the relation is a typed empty one). -#}
    {%- if execute and native_readable_relation(stream, log_skipped=false) is not none -%}
    insert into {{ this }} by name
    select
        {{ hash_text("concat_ws('|', '" ~ stream ~ "', 'undecodable', undecodable.filename, cast(undecodable.line_number as varchar))") }} as event_id,
        '{{ stream }}' as source_system,
        {{ ingest_timestamp_from_source() }} as ingest_timestamp,
        undecodable.filename as source_file,
        false as has_malformed_customer_context,
        {{ empty_string_map() }} as message_tags,
        {{ empty_string_map() }} as attributes,
        {{ empty_string_map() }} as client_context_custom,
        'line ' || undecodable.line_number || ': not valid UTF-8 (' || undecodable.error_message || ')' as rejection_detail
    from (
        select distinct
            scans.file_path as filename,
            errors.line as line_number,
            errors.error_message
        from temp.main.{{ errors_table }} as errors
        inner join temp.main.{{ scans_table }} as scans
            on errors.scan_id = scans.scan_id and errors.file_id = scans.file_id
    ) as undecodable
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

{#- Athena: the Glue table (JSON SerDe, ignore.malformed.json: a bad line is a row of NULLs), its
    "$path" and its projected ingest_timestamp partition. -#}
{% macro default__native_events_relation(stream, raw) -%}
    {%- set columns = native_record_columns(stream) -%}
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
        {{ ingest_timestamp_from_source() }} as ingest_timestamp,
        case
            when raw_records."{{ columns[0][0] | lower }}" is null then 'not JSON, or no {{ columns[0][0] }} text (the JSON SerDe reads both as NULLs)'
        end as line_problem,
        -- the Glue/Hive table has only the declared columns: fields beyond them cannot be seen here
        cast(null as array(varchar)) as unrecognised_fields
    from {{ raw }} as raw_records
    {%- else %}
    select
        {%- for name, spec in columns %}
        cast(null as {{ native_type_trino(spec) }}) as "{{ name | lower }}",
        {%- endfor %}
        cast(null as varchar) as source_file,
        cast(null as timestamp(6)) as ingest_timestamp,
        cast(null as varchar) as line_problem,
        cast(null as array(varchar)) as unrecognised_fields
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
