{#- The raw schemas (Pinpoint all_events, the SES and SMS records) are written once: as the data_type
    (a Hive/Glue type string) of each column of the source tables in models/sources/*.yml. A column
    without a data_type (ingest_timestamp, the hour folder) is not stored in the files. These macros
    read them from the graph, which dbt fills only at execution time; while parsing they return a
    one-column placeholder, enough to render the SQL whose dependencies dbt records. -#}

{#- [[name, spec], ...] of the stored columns of source(source_name, table_name), in YAML order, names
    as the producer spells them. A spec is a primitive name ('string', 'bigint', 'int', 'double',
    'boolean'), ['array', spec], ['map', spec] (string keys) or ['struct', [[field, spec], ...]]. -#}
{% macro raw_source_columns(source_name, table_name) %}
    {%- if not execute -%}
        {{- return([['parse_time_placeholder', 'string']]) -}}
    {%- endif -%}
    {%- if 'sources' not in graph -%}
        {{ exceptions.raise_compiler_error("engagement_events: the raw schema of " ~ source_name ~ "." ~ table_name
            ~ " is read from the graph, which a unit test's manifest lacks; in a unit test give the model its input as a fixture") }}
    {%- endif -%}
    {%- set node = graph.sources.values() | selectattr('source_name', 'equalto', source_name)
        | selectattr('name', 'equalto', table_name) | first -%}
    {%- if node is not defined or node is none -%}
        {{ exceptions.raise_compiler_error("engagement_events: no source " ~ source_name ~ "." ~ table_name) }}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for column in node.columns.values() if column.data_type -%}
        {%- do columns.append([column.name, hive_type_spec(column.data_type)]) -%}
    {%- endfor -%}
    {{- return(columns) -}}
{% endmacro %}

{#- A Hive type string (struct<a:string,b:array<int>>, map<string,T>, array<T>, a primitive) as a spec. -#}
{% macro hive_type_spec(hive_type) %}
    {%- set text = hive_type | trim -%}
    {%- if '<' not in text -%}
        {{- return(text | lower) -}}
    {%- endif -%}
    {%- set kind = text.split('<', 1)[0] | trim | lower -%}
    {%- set parts = hive_split_top_level(text.split('<', 1)[1][:-1]) -%}
    {%- if kind == 'array' -%}
        {{- return(['array', hive_type_spec(parts[0])]) -}}
    {%- elif kind == 'map' and (parts[0] | trim | lower) == 'string' -%}
        {{- return(['map', hive_type_spec(parts[1])]) -}}
    {%- elif kind == 'struct' -%}
        {%- set fields = [] -%}
        {%- for part in parts -%}
            {%- do fields.append([part.split(':', 1)[0] | trim | replace('`', ''), hive_type_spec(part.split(':', 1)[1])]) -%}
        {%- endfor -%}
        {{- return(['struct', fields]) -}}
    {%- endif -%}
    {{ exceptions.raise_compiler_error("engagement_events: unsupported Hive type " ~ hive_type) }}
{% endmacro %}

{#- The comma-separated parts of a type list, split only where no <...> is open. -#}
{% macro hive_split_top_level(text) %}
    {%- set state = namespace(depth=0, start=0, parts=[]) -%}
    {%- for char in text -%}
        {%- if char == '<' -%}
            {%- set state.depth = state.depth + 1 -%}
        {%- elif char == '>' -%}
            {%- set state.depth = state.depth - 1 -%}
        {%- elif char == ',' and state.depth == 0 -%}
            {%- do state.parts.append(text[state.start:loop.index0]) -%}
            {%- set state.start = loop.index0 + 1 -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do state.parts.append(text[state.start:]) -%}
    {{- return(state.parts) -}}
{% endmacro %}
