{#- on-run-start guard (DuckDB target, run and build): says, per stream, which folder is read, how many
    files it holds and which ingest hours they span (the files within folders named .* or _*, never read,
    counted apart), so a user sees at once what a build reads. A missing or empty folder is an empty
    stream; only when all three are empty does it fail, naming the three paths. It also refuses to mix
    the sample events of `make run` (folders beside a SAMPLE_DATA.md marker, written by
    scripts/generate_events.py --mark-sample) with a user's own folders. -#}
{% macro check_events_path() %}
    {%- if execute and target.type == 'duckdb' and flags.WHICH in ('run', 'build') -%}
        {%- set streams = [
            ['pinpoint', 'events_path', var('events_path', 'data/events'), raw_file_glob()],
            ['ses', 'ses_events_path', var('ses_events_path', 'data/ses_events'), raw_file_glob()],
            ['sms', 'sms_events_path', var('sms_events_path', 'data/sms_events'), raw_file_glob()],
        ] -%}
        {%- set found = [] -%}
        {%- set samples = [] -%}
        {%- set own = [] -%}
        {%- for stream, var_name, path, pattern in streams -%}
            {#- files within a folder named .* or _* are never read (decision 71): counted apart -#}
            {%- set probe -%}
                select
                    count(*) filter (where not files.hidden),
                    coalesce(strftime(min({{ ingest_timestamp_from_source() }}) filter (where not files.hidden), '%Y-%m-%d %H:00'), '-'),
                    coalesce(strftime(max({{ ingest_timestamp_from_source() }}) filter (where not files.hidden), '%Y-%m-%d %H:00'), '-'),
                    (select count(*) from glob('{{ path }}/../SAMPLE_DATA.md')),
                    count(*) filter (where files.hidden)
                from (
                    select file as filename, {{ in_hidden_folder('file', path) }} as hidden
                    from glob('{{ path }}/**/{{ pattern }}')
                ) as files
            {%- endset -%}
            {%- set row = run_query(probe).rows[0] -%}
            {%- set file_count = row[0] -%}
            {%- set is_sample = row[3] > 0 -%}
            {%- set not_read = (" (and " ~ row[4] ~ " within folders whose names start with . or _, not read)") if row[4] > 0 else "" -%}
            {%- if file_count > 0 -%}
                {%- do found.append(stream) -%}
                {%- do (samples if is_sample else own).append(var_name ~ " = '" ~ path ~ "'") -%}
                {{ log("engagement_events: " ~ stream ~ " (" ~ var_name ~ "): " ~ file_count ~ " files in '" ~ path ~ "', ingest hours " ~ row[1] ~ " to " ~ row[2] ~ " UTC" ~ not_read ~ (" [sample data]" if is_sample else ""), info=true) }}
            {%- else -%}
                {{ log("engagement_events: " ~ stream ~ " (" ~ var_name ~ "): no files in '" ~ path ~ "'" ~ not_read ~ ": an empty stream", info=true) }}
            {%- endif -%}
        {%- endfor -%}
        {%- if found | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                "engagement_events: no event files in any stream: events_path '" ~ streams[0][2]
                ~ "' (Pinpoint Parquet), ses_events_path '" ~ streams[1][2] ~ "' (SES JSON lines) and sms_events_path '"
                ~ streams[2][2] ~ "' (End User Messaging SMS JSON lines) are all missing or empty. "
                ~ "Point the vars at folders in the Firehose layout (YYYY/MM/DD/HH/), e.g. "
                ~ "--vars '{events_path: <folder>, ses_events_path: <folder>, sms_events_path: <folder>}' after "
                ~ "`aws s3 sync s3://<bucket>/<prefix> <folder>`, or run `make run` to build on generated sample events."
            ) }}
        {%- endif -%}
        {%- if samples and own -%}
            {{ exceptions.raise_compiler_error(
                "engagement_events: this build would mix generated sample events (" ~ samples | join(', ')
                ~ ") with your own folders (" ~ own | join(', ') ~ "). The sample folders hold a SAMPLE_DATA.md "
                ~ "marker beside them. Point every path var at your own data (a stream you do not have can be an "
                ~ "empty or missing folder), or all of them at the samples."
            ) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
