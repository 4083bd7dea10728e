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
    or struct field missing from every file, extra columns, or types of their writer's own), a typed,
    empty row set is united BY NAME with them: missing columns and fields come out NULL and extra
    columns are kept. Each read of files of one schema has its columns converted to their Glue types
    first (pinpoint_files_read, glue_typed_reads), and a column whose united type is still not its Glue
    type (files read together with union_by_name) is converted here the same way
    (glue_type_conversions), so the columns downstream keep the types their contracts name. Where a file
    stored a Glue map as a struct (audit_pinpoint_file_schemas), the NULL entries that gives are left out
    of every map (map_values_present), also when the files united by name already have the Glue types
    (a struct in some files and the map in others unite as the map). Only those columns are touched: a
    cast or rebuild of a struct that needs none would stop DuckDB reading just the struct fields the
    flattening uses (decision 68). File skipping is lost on this path, which costs time, not
    correctness. -#}
{% macro duckdb__all_events_relation(raw) -%}
    {%- set files_relation = raw -%}
    {%- if 'read_parquet' not in (files_relation | string) -%}
    {#- A unit test stands a fixture CTE in for the files: it is read as it is (and the schema, read
        from the graph that a unit test's manifest lacks, is not asked for). -#}
    {{ files_relation }}
    {%- else -%}
        {%- set typed_empty = all_events_typed_empty() -%}
        {%- set readable = pinpoint_files_read(files_relation | string) -%}
        {%- set drop_null_entries = readable is not none and pinpoint_maps_written_as_structs() -%}
        {%- if readable is none %}
    {#- No Pinpoint history (a warehouse that starts with the native streams), or no readable file. -#}
    ({{ typed_empty }})
        {%- elif not drop_null_entries and all_events_files_match_glue_schema(readable, typed_empty) %}
    {{ readable }}
        {%- else %}
        {%- set united -%}
        select *
        from ({{ typed_empty }}) as glue_schema
        union all by name
        select * from {{ readable }}
        {%- endset -%}
        {%- set typed = [] -%}
        {%- for name, replacement in glue_type_conversions('(' ~ united ~ ')') -%}
            {%- do typed.append(replacement) -%}
        {%- endfor -%}
        {%- set present = [] -%}
        {%- for name, spec in raw_source_columns('pinpoint', 'all_events') -%}
            {%- set sql_type = native_type_duckdb(spec) -%}
            {%- if drop_null_entries and 'map(' in sql_type | lower -%}
                {%- do present.append(map_values_present('"' ~ name ~ '"', spec) ~ ' as "' ~ name ~ '"') -%}
            {%- endif -%}
        {%- endfor %}
    (
        select *{% if present %} replace (
            {{ present | join(',\n            ') }}
        ){% endif %}
        from (
            select *{% if typed %} replace (
                {{ typed | join(',\n                ') }}
            ){% endif %}
            from ({{ united }}) as united
        ) as glue_typed
    )
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- An empty relation of every Glue column of all_events in its DuckDB type, and the reader's filename. -#}
{% macro all_events_typed_empty() %}
    {%- set typed_empty -%}
        select
            {%- for name, sql_type in all_events_glue_columns() %}
            cast(null as {{ sql_type }}) as {{ name }},
            {%- endfor %}
            cast(null as varchar) as filename
        where false
    {%- endset -%}
    {{- return(typed_empty) -}}
{% endmacro %}

{#- DuckDB, at execution time: for each Glue column whose type in `relation_sql` (a query or a table
    function) is not its Glue type, the pair of its quoted name and `<conversion> as "<column>"`, the
    replacement that gives it the Glue type (glue_type_conversion) in a `select * replace (...)`; empty when
    every Glue column it has is typed as Glue says. -#}
{% macro glue_type_conversions(relation_sql) %}
    {%- if not execute -%}
        {{- return([]) -}}
    {%- endif -%}
    {%- set comparison -%}
        select actual.column_name, actual.column_type, expected.column_type
        from (select column_name, column_type from (describe select * from {{ relation_sql }})) as actual
        inner join (select column_name, column_type from (describe {{ all_events_typed_empty() }})) as expected
            on lower(actual.column_name) = lower(expected.column_name)
        where actual.column_type != expected.column_type
        order by actual.column_name
    {%- endset -%}
    {%- set conversions = [] -%}
    {%- for name, actual, expected in run_query(comparison).rows -%}
        {%- set quoted = '"' ~ name | replace('"', '""') ~ '"' -%}
        {%- do conversions.append([quoted, glue_type_conversion(quoted, actual, expected) ~ ' as ' ~ quoted]) -%}
    {%- endfor -%}
    {{- return(conversions) -}}
{% endmacro %}

{#- DuckDB: `expr`, of type `actual` in the files, as the Glue type `expected` (both as DESCRIBE names
    them). A date or timestamp where Glue has bigint (epoch milliseconds: event_timestamp,
    arrival_timestamp) becomes its epoch milliseconds, a timestamp without a time zone read as UTC; a
    string there its number or, failing that, its ISO-8601 instant. A string where Glue has a map, a
    struct or a list is read as the JSON text of one (a writer that stored nested values as JSON text;
    struct fields by name). Anything else goes through try_cast:
    a wider number, a struct to the Glue struct (fields matched by name, extra ones dropped), a struct to a
    map of its field names. A value that does not convert is NULL instead of stopping the build; a missing
    event or arrival time rejects the row into audit_rejected_events (decision 72). -#}
{% macro glue_type_conversion(expr, actual, expected) %}
    {%- if expected == 'BIGINT' and actual == 'TIMESTAMP WITH TIME ZONE' -%}
        {{- return('epoch_ms(' ~ expr ~ ')') -}}
    {%- elif expected == 'BIGINT' and (actual.startswith('TIMESTAMP') or actual == 'DATE') -%}
        {{- return('epoch_ms(cast(' ~ expr ~ ' as timestamp))') -}}
    {%- elif expected == 'BIGINT' and actual == 'VARCHAR' -%}
        {{- return('coalesce(try_cast(' ~ expr ~ ' as bigint), epoch_ms(try_cast(' ~ expr ~ ' as timestamp with time zone)))') -}}
    {%- elif actual == 'VARCHAR' and (expected.startswith('MAP') or expected.startswith('STRUCT') or expected.endswith('[]')) -%}
        {{- return('coalesce(try_cast(try_cast(' ~ expr ~ ' as json) as ' ~ expected ~ '), try_cast(' ~ expr ~ ' as ' ~ expected ~ '))') -}}
    {%- endif -%}
    {{- return('try_cast(' ~ expr ~ ' as ' ~ expected ~ ')') -}}
{% endmacro %}

{#- DuckDB, at execution time: each read of `read_texts` (read_parquet calls, each over files of one schema
    or one leader) with the columns it holds in types other than Glue's converted (glue_type_conversions),
    as a parenthesised query, or as it is when there are none. pinpoint_files_read converts each read
    before the reads are united by name: the union would otherwise have to unite, say, a timestamp in one
    file with the bigint of another, which no cast does. Logs one line: how many reads were converted,
    the first one's first file, the columns. -#}
{% macro glue_typed_reads(read_texts, log_conversions=true) %}
    {%- set typed_reads = [] -%}
    {%- set converted = [] -%}
    {%- set names = [] -%}
    {%- for read_text in read_texts -%}
        {%- set replacements = [] -%}
        {%- for name, replacement in glue_type_conversions(read_text) -%}
            {%- do names.append(name) -%}
            {%- do replacements.append(replacement) -%}
        {%- endfor -%}
        {%- if replacements -%}
            {%- do converted.append(parquet_files_argument(read_text).split(',')[0].strip(" []'")) -%}
            {%- do typed_reads.append('(select * replace (' ~ replacements | join(', ') ~ ') from ' ~ read_text ~ ')') -%}
        {%- else -%}
            {%- do typed_reads.append(read_text) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if converted and log_conversions %}
    {{ log("engagement_events: " ~ converted | length ~ " of " ~ read_texts | length ~ " Pinpoint read(s) (the first with "
        ~ converted[0] ~ ") hold " ~ names | unique | sort | join(', ') ~ " in types other than Glue's: converted (decision 72)", info=true) }}
    {%- endif %}
    {{- return(typed_reads) -}}
{% endmacro %}

{#- The names of the fields (and columns) whose Glue type is a map: the names a writer that stores maps
    as structs gives a struct instead (audit_pinpoint_file_schemas counts them). -#}
{% macro glue_map_field_names() %}
    {%- set names = [] -%}
    {%- set pending = raw_source_columns('pinpoint', 'all_events') | list -%}
    {%- for name, spec in pending if spec is not string -%}
        {%- if spec[0] == 'map' and name not in names -%}
            {%- do names.append(name) -%}
        {%- elif spec[0] == 'struct' -%}
            {%- do pending.extend(spec[1]) -%}
        {%- elif spec[0] == 'array' and spec[1] is not string and spec[1][0] == 'struct' -%}
            {%- do pending.extend(spec[1][1]) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(names | sort) -}}
{% endmacro %}

{#- DuckDB, at execution time: true when a file this run reads stored a Glue map as a struct (its schema
    in audit_pinpoint_file_schemas), or when that table was not built by this dbt invocation (then
    nothing says otherwise). False while parsing, when nothing is read. -#}
{% macro pinpoint_maps_written_as_structs() %}
    {%- set schemas = ref('audit_pinpoint_file_schemas') -%}
    {%- if not execute -%}
        {{- return(false) -}}
    {%- endif -%}
    {%- if adapter.get_relation(database=schemas.database, schema=schemas.schema, identifier=schemas.identifier) is none -%}
        {{- return(true) -}}
    {%- endif -%}
    {%- set found = run_query("select count(*) filter (where maps_as_structs > 0 or invocation_id != '"
        ~ invocation_id ~ "') from " ~ schemas).columns[0].values()[0] -%}
    {{- return(found > 0) -}}
{% endmacro %}

{#- DuckDB: `expr`, a value of the Glue type `spec` (raw_source_columns), with the map entries whose value
    is NULL left out, at any depth (structs rebuilt field by field, lists item by item); unchanged when
    the type holds no map. A writer that stores a map as a struct gives every row all the keys of its
    file, NULL where the row had none: after the cast to the map those NULL entries are not data, and
    left in they would become keys in message_tags and change event_id (decision 68). -#}
{% macro map_values_present(expr, spec, depth=0) %}
    {%- if 'map(' not in native_type_duckdb(spec) | lower -%}
        {{- return(expr) -}}
    {%- endif -%}
    {%- set item = 'item_' ~ depth -%}
    {%- if spec[0] == 'map' -%}
        {%- set present = 'list_filter(map_entries(' ~ expr ~ '), ' ~ item ~ ' -> ' ~ item ~ '.value is not null)' -%}
        {%- if 'map(' in native_type_duckdb(spec[1]) | lower -%}
            {%- set present = 'list_transform(' ~ present ~ ', ' ~ item ~ ' -> struct_pack(key := ' ~ item
                ~ '.key, value := ' ~ map_values_present(item ~ '.value', spec[1], depth + 1) ~ '))' -%}
        {%- endif -%}
        {{- return('map_from_entries(' ~ present ~ ')') -}}
    {%- elif spec[0] == 'array' -%}
        {{- return('list_transform(' ~ expr ~ ', ' ~ item ~ ' -> ' ~ map_values_present(item, spec[1], depth + 1) ~ ')') -}}
    {%- endif -%}
    {%- set fields = [] -%}
    {%- for field, field_spec in spec[1] -%}
        {%- do fields.append('"' ~ field ~ '" := ' ~ map_values_present(expr ~ '."' ~ field ~ '"', field_spec, depth + 1)) -%}
    {%- endfor -%}
    {{- return('case when ' ~ expr ~ ' is not null then struct_pack(' ~ fields | join(', ') ~ ') end') -}}
{% endmacro %}

{#- DuckDB: the read_parquet text of the Pinpoint files a model reads (relation_text, the source's, through
    skip_unreadable_files: the unreadable ones left out, only the window's on an incremental run), or none
    when there is no such file. union_by_name opens every file while binding, to unite their schemas, and
    keeps those readers until the scan ends: at 10,000 files (one week at Firehose's 60-second buffer) each
    bind took 2-3 s and the scan held about 1.4 GB more (decision 60). So the files are grouped by their
    Parquet schema (audit_pinpoint_file_schemas, read once per run from the footers) and each group is read
    without it: one group (the normal case: Firehose writes each object with the Glue table's schema of its
    day) is the read_parquet call as it is; a few (a history across schema changes, a producer that
    orders columns its own way) are united by name, which fills and merges missing columns and struct
    fields by name as union_by_name does. More than the var pinpoint_schema_groups_max (one bind beats
    that many scans; decision 65) are read with the leader files of audit_pinpoint_file_schemas, one read per
    top-level column set (pinpoint_files_read_with_leaders, decision 70), or with union_by_name when there
    are none. When this invocation did not build that table (a selection without it), the footers are read
    here with the query it is built from (decision 73). -#}
{% macro pinpoint_files_read(relation_text, log_skipped=true) %}
    {%- set schemas = ref('audit_pinpoint_file_schemas') -%}
    {%- set readable = pinpoint_files_listed(relation_text, log_skipped) -%}
    {%- set united = 'union_by_name = true' -%}
    {%- if readable is none or not execute or united not in readable -%}
        {{- return(readable) -}}
    {%- endif -%}
    {#- The table is trusted only when this dbt invocation built it. A selection that leaves it out (or
        a first run without it) reads the files' footers here instead, the query the table is built from. -#}
    {%- set built = adapter.get_relation(database=schemas.database, schema=schemas.schema, identifier=schemas.identifier) -%}
    {%- set group_count = none -%}
    {%- set rows = none -%}
    {%- if built is not none -%}
        {#- First the counts, so the usual case (one schema) does not bring every file name into dbt. -#}
        {%- set counts = run_query("select count(distinct parquet_schema_id), count(*) filter (where invocation_id != '"
            ~ invocation_id ~ "') from " ~ schemas).rows[0] -%}
        {%- if counts[1] == 0 -%}
            {%- set group_count = counts[0] -%}
        {%- endif -%}
    {%- endif -%}
    {%- if group_count is none -%}
        {%- set footers = run_query("select parquet_schema_id, source_file from " ~ pinpoint_file_schemas(relation_text)
            ~ " order by source_file") -%}
        {%- set rows = footers.rows -%}
        {%- set group_count = footers.columns[0].values() | unique | list | length -%}
    {%- endif -%}
    {%- if group_count == 0 -%}
        {{- return(readable) -}}
    {%- elif group_count > var('pinpoint_schema_groups_max') | int -%}
        {#- leader files exist only beside a table this invocation built -#}
        {{- return((rows is none and pinpoint_files_read_with_leaders(readable, schemas, log_skipped)) or readable) -}}
    {%- elif group_count == 1 -%}
        {{- return(glue_typed_reads([readable | replace(united, 'union_by_name = false')], log_skipped)[0]) -}}
    {%- endif -%}
    {%- if rows is none -%}
        {%- set rows = run_query("select parquet_schema_id, source_file from " ~ schemas ~ " order by source_file").rows -%}
    {%- endif -%}
    {%- set groups = [] -%}
    {%- for schema_id, files in grouped_by_first_column(rows) -%}
        {%- do groups.append(files) -%}
    {%- endfor -%}
    {{- return(pinpoint_group_reads(readable, groups, log_conversions=log_skipped)) -}}
{% endmacro %}

{#- Rows of (key, value) as [key, [values]] pairs, in the order the keys first appear. -#}
{% macro grouped_by_first_column(rows) %}
    {%- set groups = [] -%}
    {%- set values_by_key = {} -%}
    {%- for row in rows -%}
        {%- if row[0] not in values_by_key -%}
            {%- do values_by_key.update({row[0]: []}) -%}
            {%- do groups.append([row[0], values_by_key[row[0]]]) -%}
        {%- endif -%}
        {%- do values_by_key[row[0]].append(row[1]) -%}
    {%- endfor -%}
    {{- return(groups) -}}
{% endmacro %}

{#- The read_parquet text `readable` (union_by_name on) over each list of `file_lists` without
    union_by_name, then over `united_files` (if any) with it, each read converted to the Glue types
    (glue_typed_reads), the reads united by name. -#}
{% macro pinpoint_group_reads(readable, file_lists, united_files=[], log_conversions=true) %}
    {%- set files_argument = parquet_files_argument(readable) -%}
    {%- set reads = [] -%}
    {%- for files in file_lists -%}
        {%- do reads.append(readable | replace(files_argument, sql_string_list(files))
            | replace('union_by_name = true', 'union_by_name = false')) -%}
    {%- endfor -%}
    {%- if united_files -%}
        {%- do reads.append(readable | replace(files_argument, sql_string_list(united_files))) -%}
    {%- endif -%}
    {{- return('(select * from ' ~ glue_typed_reads(reads, log_conversions) | join(' union all by name select * from ') ~ ')') -}}
{% endmacro %}

{#- DuckDB, at execution time: the files `readable` names read as one non-union read per leader file of
    `schemas` (audit_pinpoint_file_schemas), the leader first, and the files without a leader (a map and a
    null-typed field in one file) in one read with union_by_name, the reads united by name; none when the
    table has no leader file (write_pinpoint_schema_leaders wrote none). -#}
{% macro pinpoint_files_read_with_leaders(readable, schemas, log_conversions=true) %}
    {%- set led = [] -%}
    {%- set leaderless = [] -%}
    {%- for leader, files in grouped_by_first_column(
        run_query("select leader_file, source_file from " ~ schemas ~ " order by leader_file, source_file").rows) -%}
        {%- if leader is none -%}
            {%- do leaderless.extend(files) -%}
        {%- else -%}
            {#- the leader first: its schema is the one the read binds -#}
            {%- do led.append([leader] + files) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(pinpoint_group_reads(readable, led, leaderless, log_conversions) if led else none) -}}
{% endmacro %}

{#- Post-hook of audit_pinpoint_file_schemas (`schemas`), DuckDB: when the files this run reads have more
    Parquet schemas than the var pinpoint_schema_groups_max, write one "leader" file per set of top-level
    columns (a top-level time stored as a date or timestamp told from one stored as a number; the files
    with a field of the Parquet null type apart, see below): an empty Parquet file of the type DuckDB
    unites those files' schemas to (every column and struct field any of them has; a map where some store
    a map and others a struct), and name it in the table's leader_file. A non-union read
    binds the first file's schema and maps each other file onto it by name, filling a missing struct field
    with NULL but dropping a field its first file lacks and failing on a missing column: with the leader
    first, nothing is dropped, and the files of each set of top-level columns are read together.
    union_by_name would instead hold every file's reader from bind to the end of the scan (1.8 GB over the
    10,225 files of a week whose writer inferred a schema per file; decision 70). The united type is found
    leader_batch (500) files at a time (DESCRIBE with union_by_name, whose readers are let go at the end
    of each statement), then the batches' types united by name. No leader file when the database is in
    memory (no folder to write it beside) or the sets are more than the var; the files are then read with
    union_by_name. Returns no SQL. -#}
{% macro write_pinpoint_schema_leaders(schemas) %}
    {{- return(adapter.dispatch('write_pinpoint_schema_leaders', 'engagement_events')(schemas)) -}}
{% endmacro %}

{% macro default__write_pinpoint_schema_leaders(schemas) %}
    {{- return('') -}}
{% endmacro %}

{% macro duckdb__write_pinpoint_schema_leaders(schemas) %}
    {%- set leader_batch = 500 -%}
    {%- set groups_max = var('pinpoint_schema_groups_max') | int -%}
    {%- if not execute or run_query("select count(distinct parquet_schema_id) from " ~ schemas).columns[0].values()[0] <= groups_max -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set database_file = run_query("select path from duckdb_databases() where database_name = current_database()").columns[0].values()[0] -%}
    {%- set readable = pinpoint_files_listed(source('pinpoint', 'all_events') | string, log_skipped=false) -%}
    {%- if database_file is none or database_file in ('', ':memory:') or readable is none -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set files_argument = parquet_files_argument(readable) -%}
    {#- The top-level columns of each file: in the footer's schema (depth first, the root first), an element
        after the root opens a top-level column when the sum of (children - 1) over the elements after the
        root and before it is lower than at every element before it (each whole column adds -1). -#}
    {%- set top_level_sql -%}
        with elements as (
            select
                file_name,
                column_id,
                name,
                type,
                converted_type,
                logical_type,
                sum(case when column_id > 0 then coalesce(num_children, 0) - 1 end) over preceding as open_fields
            from parquet_schema({{ files_argument }})
            window preceding as (partition by file_name order by column_id rows between unbounded preceding and 1 preceding)
        ),
        marked as (
            select
                *,
                min(case when column_id > 0 then coalesce(open_fields, 0) end) over (
                    partition by file_name order by column_id rows between unbounded preceding and 1 preceding
                ) as lowest_before
            from elements
        ),
        top_level as (
            select
                file_name,
                -- a top-level date or timestamp is marked: files that store a time as one and files that
                -- store it as a number are led apart (a leader of their united type, the timestamp, would
                -- make the reader cast the numbers to it, which it cannot); each set's read is then
                -- converted to the Glue type (glue_typed_reads). Other differences of type unite to a type
                -- every file casts to.
                list(name || case
                    when coalesce(converted_type, '') in ('DATE', 'TIMESTAMP_MILLIS', 'TIMESTAMP_MICROS')
                        or coalesce(logical_type, '') like 'TimestampType%'
                        or coalesce(logical_type, '') like 'DateType%'
                        or type = 'INT96'
                        then ' (time)'
                    else ''
                end order by name) filter (
                    where column_id > 0 and (lowest_before is null or coalesce(open_fields, 0) < lowest_before)
                ) as columns,
                bool_or(coalesce(converted_type, '') like 'MAP%' or coalesce(logical_type, '') like 'MapType%') as has_map,
                bool_or(coalesce(logical_type, '') like 'NullType%') as has_null
            from marked
            group by file_name
        )
        select dense_rank() over (order by columns, has_null) as file_set, file_name, has_map and has_null
        from top_level
        order by file_set, file_name
    {%- endset -%}
    {#- DuckDB's reader maps a nested field of the Parquet null type (no value in any row) onto a map only in
        union_by_name mode, and a leader holds a map wherever one of its files does: so the files with a
        null-typed field are led apart from the others, and a file that holds both a map and a null-typed
        field is left to one union_by_name read of such files (leader_file NULL). -#}
    {%- set files_by_set = run_query(top_level_sql).rows -%}
    {#- the sets are numbered 1, 2, ... in order: the last row holds their count -#}
    {%- if files_by_set | length == 0 or files_by_set[-1][0] > groups_max -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set led_rows = [] -%}
    {%- for row in files_by_set if not row[2] -%}
        {%- do led_rows.append(row) -%}
    {%- endfor -%}
    {%- for file_set, files in grouped_by_first_column(led_rows) -%}
        {%- set batch_types = [] -%}
        {%- for batch in files | batch(leader_batch) -%}
            {%- set described = run_query("describe select * from " ~ readable | replace(files_argument, sql_string_list(batch))) -%}
            {%- do batch_types.append('(' ~ leader_columns(described) ~ ')') -%}
        {%- endfor -%}
        {%- set leader = database_file ~ '.pinpoint_leader_' ~ loop.index ~ '.parquet' -%}
        {%- do run_query("copy (" ~ leader_columns(run_query("describe " ~ batch_types | join(' union all by name ')))
            ~ ") to " ~ custom_event_sql_string(leader) ~ " (format parquet)") -%}
        {%- do run_query("update " ~ schemas ~ " set leader_file = " ~ custom_event_sql_string(leader)
            ~ " where list_contains(" ~ sql_string_list(files) ~ ", source_file)") -%}
    {%- endfor -%}
    {{- return('') -}}
{% endmacro %}

{#- A typed empty select of the columns a DESCRIBE result (agate table) lists, but the reader's filename. -#}
{% macro leader_columns(described) %}
    {%- set columns = [] -%}
    {%- for row in described.rows if row[0] != 'filename' -%}
        {%- do columns.append('cast(null as ' ~ row[1] ~ ') as "' ~ row[0] | replace('"', '""') ~ '"') -%}
    {%- endfor -%}
    {{- return('select ' ~ columns | join(', ') ~ ' where false') -}}
{% endmacro %}

{#- DuckDB: the read_parquet text of the Pinpoint files this run reads, as declared (union_by_name on), or
    none when there is none: the unreadable files left out, only the window's on an incremental run. -#}
{% macro pinpoint_files_listed(relation_text, log_skipped=true) %}
    {%- if all_events_file_count() == 0 -%}
        {{- return(none) -}}
    {%- endif -%}
    {{- return(skip_unreadable_files(relation_text, 'pinpoint', var('events_path', 'data/events'), raw_file_glob(),
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
            cast(null as bigint) as schema_element_count,
            cast(null as bigint) as maps_as_structs,
            cast(null as varchar) as leader_file
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
            count(*) as schema_element_count,
            count(*) filter (
                where name in ({% for name in glue_map_field_names() %}'{{ name }}'{{ ', ' if not loop.last }}{% endfor %})
                    and num_children > 0
                    and coalesce(converted_type, '') not like 'MAP%'
                    and coalesce(logical_type, '') not like 'MapType%'
            ) as maps_as_structs,
            -- written by write_pinpoint_schema_leaders, past pinpoint_schema_groups_max schemas
            cast(null as varchar) as leader_file
        from parquet_schema({{ parquet_files_argument(readable) }})
        group by file_name
    )
    {%- endif -%}
{%- endmacro %}

{#- How many raw files events_path holds (DuckDB, at execution time; 1 while parsing). -#}
{% macro all_events_file_count() %}
    {%- if not execute -%}
        {{- return(1) -}}
    {%- endif -%}
    {%- set events_path = var('events_path', 'data/events') -%}
    {{- return(run_query("select count(*) from glob('" ~ events_path ~ "/**/" ~ raw_file_glob() ~ "')").columns[0].values()[0]) -}}
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
