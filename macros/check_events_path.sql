{#- on-run-start guard (DuckDB target): fail early, naming the folder, when events_path holds no
    Parquet file, instead of a bare "No files found" from deep inside the first model. -#}
{% macro check_events_path() %}
    {%- if execute and target.type == 'duckdb' and flags.WHICH in ('run', 'build') -%}
        {%- set events_path = var('events_path', 'data/events') -%}
        {%- set probe -%}
            select count(*) from glob('{{ events_path }}/**/*.parquet')
        {%- endset -%}
        {%- set found = run_query(probe).columns[0].values()[0] -%}
        {%- if found == 0 -%}
            {{ exceptions.raise_compiler_error(
                "engagement_events: no Parquet files under events_path '" ~ events_path ~ "'. "
                ~ "Point --vars '{events_path: <folder>}' at a folder in the Firehose layout "
                ~ "(YYYY/MM/DD/HH/*.parquet), e.g. after `aws s3 sync s3://<bucket>/events data/events`, "
                ~ "or run `make run` to generate sample events."
            ) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
