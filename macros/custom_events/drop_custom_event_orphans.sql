{#-
    Relations of custom-event models whose entry is gone from custom_events.yml: in the schemas the
    project builds into, a relation named custom_* that no model, seed or snapshot of the project
    produces any more. `dbt run-operation drop_custom_event_orphans` drops them; with
    `--args '{dry_run: true}'` it only lists them. Custom-event model names must start with custom_
    (the scaffold enforces it), so nothing else in a shared schema is ever touched.
-#}
{% macro drop_custom_event_orphans(dry_run=false) %}
    {%- if not execute -%}
        {{- return([]) -}}
    {%- endif -%}
    {%- set produced = [] -%}
    {%- set schemas = [target.schema] -%}
    {%- for node in graph.nodes.values() if node.resource_type in ('model', 'seed', 'snapshot') -%}
        {%- do produced.append((node.alias or node.name) | lower) -%}
        {%- if 'custom_events' in node.tags and node.schema not in schemas -%}
            {%- do schemas.append(node.schema) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- information_schema.tables: the same query on DuckDB and Athena -#}
    {%- set listing -%}
        select table_schema, table_name, table_type
        from information_schema.tables
        where lower(table_catalog) = lower('{{ target.database }}')
            and table_schema in ('{{ schemas | join("', '") }}')
            and table_name like 'custom%'
    {%- endset -%}
    {%- set orphans = [] -%}
    {%- for row in run_query(listing).rows -%}
        {%- set name = row[1] | lower -%}
        {%- if name.startswith('custom_') and name not in produced -%}
            {%- do orphans.append(api.Relation.create(
                database=target.database, schema=row[0], identifier=row[1],
                type='view' if row[2] | upper == 'VIEW' else 'table')) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not orphans -%}
        {{- log('custom events: no orphaned custom-event relation', info=true) -}}
    {%- endif -%}
    {%- for relation in orphans -%}
        {%- if dry_run -%}
            {{- log('custom events: orphaned ' ~ relation.type ~ ' ' ~ relation ~ ' (no entry in custom_events.yml)', info=true) -}}
        {%- else -%}
            {%- do adapter.drop_relation(relation) -%}
            {{- log('custom events: dropped ' ~ relation.type ~ ' ' ~ relation, info=true) -}}
        {%- endif -%}
    {%- endfor -%}
    {{- return(orphans | map('string') | list) -}}
{% endmacro %}
