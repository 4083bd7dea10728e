{#- The Trino DDL of a raw table (layout all_events, ses_events or sms_events), its columns rendered from
    the source YAML (raw_source_columns), with the placeholders __RELATION__, __LOCATION__ and __START__
    that register_trino_raw_tables replaces. The same text as `scripts/athena_ddl.py --engine trino`
    prints (a test compares them): Trino's Hive connector, Athena's projection properties named
    partition_projection_*, the projected hour a varchar (Trino refuses a timestamp key of '2026/10/01/00'). -#}
{% macro trino_raw_table_ddl(layout) -%}
    {%- set formats = {'all_events': 'PARQUET', 'ses_events': 'OPENX_JSON', 'sms_events': 'OPENX_JSON'} -%}
    {%- set sources = {'all_events': 'pinpoint', 'ses_events': 'ses', 'sms_events': 'sms'} -%}
    {%- if layout not in formats -%}
        {{ exceptions.raise_compiler_error('trino_raw_table_ddl: unknown layout ' ~ layout) }}
    {%- endif -%}
CREATE TABLE __RELATION__ (
{%- for name, spec in raw_source_columns(sources[layout], layout) %}
  "{{ name | lower }}" {{ native_type_trino(spec) | replace(', ', ',') }},
{%- endfor %}
  "ingest_timestamp" varchar WITH (partition_projection_type = 'DATE', partition_projection_format = 'yyyy/MM/dd/HH', partition_projection_range = ARRAY['__START__', 'NOW'], partition_projection_interval = 1, partition_projection_interval_unit = 'HOURS')
)
WITH (
  format = '{{ formats[layout] }}',
  partitioned_by = ARRAY['ingest_timestamp'],
  partition_projection_enabled = true,
  partition_projection_location_template = '__LOCATION__/${ingest_timestamp}/'
{%- if formats[layout] == 'OPENX_JSON' -%},
  extra_properties = MAP(ARRAY['ignore.malformed.json'], ARRAY['true'])
{%- endif %}
)
{%- endmacro %}

{#- `dbt run-operation print_trino_raw_table_ddl`: the DDL of each layout with its placeholders, each
    after a line "-- layout NAME", for the test that compares it with scripts/athena_ddl.py. -#}
{% macro print_trino_raw_table_ddl() %}
    {%- for layout in ['all_events', 'ses_events', 'sms_events'] -%}
        {%- do print('-- layout ' ~ layout) -%}
        {%- do print(trino_raw_table_ddl(layout)) -%}
    {%- endfor -%}
{% endmacro %}
