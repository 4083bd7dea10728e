{#- The Glue schema of all_events, written once: (column, DuckDB type) in Glue order. Used on DuckDB to
    give the raw relation every column and struct field even when the files on disk are older (missing
    a field) or come from a producer that dropped one, so the flattening never fails on a missing path. -#}
{% macro all_events_glue_columns() %}
    {%- set mail -%}
        struct(
            message_id varchar, message_send_timestamp bigint, from_address varchar, destination varchar[],
            headers_truncated boolean, headers map(varchar, varchar)[],
            common_headers struct("from" varchar, "to" varchar[], subject varchar)
        )
    {%- endset -%}
    {%- set mail_event -%}
        struct(
            mail {{ mail }},
            send map(varchar, varchar),
            delivery struct(smtp_response varchar, reporting_mta varchar, recipients varchar[], processing_time_millis integer),
            "open" struct(ip_address varchar, user_agent varchar),
            click struct(ip_address varchar, user_agent varchar, link varchar, link_tags struct(unsubscribelinktag varchar[])),
            reject struct(reason varchar),
            complaint struct(
                complained_recipients struct(email_address varchar)[], feedback_id varchar, user_agent varchar,
                complaint_feedback_type varchar
            ),
            bounce struct(
                bounce_type varchar, bounce_sub_type varchar,
                bounced_recipients struct(email_address varchar, "action" varchar, status varchar, diagnostic_code varchar)[],
                feedback_id varchar, reporting_mta varchar
            )
        )
    {%- endset -%}
    {{- return([
        ('event_type', 'varchar'),
        ('event_timestamp', 'bigint'),
        ('arrival_timestamp', 'bigint'),
        ('event_version', 'varchar'),
        ('application', 'struct(app_id varchar, sdk map(varchar, varchar))'),
        ('client', 'struct(client_id varchar, cognito_id varchar)'),
        ('device', 'struct(platform map(varchar, varchar))'),
        ('"session"', 'map(varchar, varchar)'),
        ('attributes', 'map(varchar, varchar)'),
        ('client_context', 'struct(custom map(varchar, varchar))'),
        ('awsaccountid', 'varchar'),
        ('facets', 'struct(email_channel struct(mail_event ' ~ mail_event ~ '))'),
        ('metrics', 'struct(price_in_millicents_usd double)'),
    ]) -}}
{% endmacro %}

{#- The raw Pinpoint rows with every Glue column present. -#}
{% macro all_events_relation() %}
    {{- return(adapter.dispatch('all_events_relation', 'engagement_events')()) -}}
{% endmacro %}

{% macro default__all_events_relation() %}
    {{- cross_engine_unsupported('all_events_relation') -}}
{% endmacro %}

{#- A typed, empty row set united BY NAME with the files: columns and struct fields the files lack come
    out NULL, columns the files add beyond the Glue schema are kept. -#}
{% macro duckdb__all_events_relation() -%}
    select *
    from (
        select
            {%- for name, sql_type in all_events_glue_columns() %}
            cast(null as {{ sql_type }}) as {{ name }},
            {%- endfor %}
            cast(null as varchar) as filename
        where false
    ) as glue_schema
    union all by name
    select * from {{ source('pinpoint', 'all_events') }}
{%- endmacro %}

{#- On Athena the Glue table already has the full schema. "$path" is a hidden column that select *
    leaves out, so it is named explicitly for source_file_column(). -#}
{% macro athena__all_events_relation() -%}
    select *, "$path" from {{ source('pinpoint', 'all_events') }}
{%- endmacro %}
