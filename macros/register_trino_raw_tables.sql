{#- on-run-start (Trino target): declare the three raw streams as Hive tables over their folders, so
    `dbt build --target trino --vars '{events_path: DIR, ses_events_path: DIR2, sms_events_path: DIR3}'`
    needs no set-up, as on DuckDB. The DDL is rendered from the raw schemas in models/sources/*.yml
    (trino_raw_table_ddl, macros/trino_raw_tables.sql). Each table is dropped and declared again on every run, so a changed
    folder takes effect; dropping one removes only its metastore entry, never the files it reads. A folder
    that does not exist is an empty table. Turn it off with the var trino_register_raw_tables: false where
    the tables already exist (a cluster whose Hive or Glue catalog holds them). -#}
{% macro register_trino_raw_tables() %}
    {%- if execute and target.type == 'trino' and var('trino_register_raw_tables', true) -%}
        {%- set catalog = var('trino_raw_catalog', 'hive') -%}
        {%- set schema = var('pinpoint_glue_database', 'due_eventdb') -%}
        {%- set start = var('raw_history_start', '2020/01/01/00') -%}
        {%- set streams = [
            ('all_events', var('all_events_table', 'all_events'), var('events_path', 'data/events')),
            ('ses_events', var('ses_events_table', 'ses_events'), var('ses_events_path', 'data/ses_events')),
            ('sms_events', var('sms_events_table', 'sms_events'), var('sms_events_path', 'data/sms_events')),
        ] -%}
        {%- do run_query('create schema if not exists ' ~ catalog ~ '.' ~ schema) -%}
        {%- for layout, table, path in streams -%}
            {%- set relation = catalog ~ '.' ~ schema ~ '.' ~ table -%}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- set ddl = trino_raw_table_ddl(layout)
                | replace('__RELATION__', relation)
                | replace('__LOCATION__', trino_folder_location(path))
                | replace('__START__', start) -%}
            {%- do run_query(ddl) -%}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}

{#- A folder as the Trino server sees it: an s3:// (or other scheme) prefix as given; a local absolute
    path as local:///path (the local server's Hive catalog maps local:/// to /); a relative path below
    the folder dbt runs in. -#}
{% macro trino_folder_location(path) %}
    {%- set clean = path.rstrip('/') -%}
    {%- if '://' in clean -%}
        {{- return(clean) -}}
    {%- elif clean.startswith('/') -%}
        {{- return('local://' ~ clean) -}}
    {%- else -%}
        {{- return('local://' ~ env_var('PWD', '') ~ '/' ~ clean) -}}
    {%- endif -%}
{% endmacro %}
