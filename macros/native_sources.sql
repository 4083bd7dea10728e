{#- The two native streams that replace Pinpoint's (see docs/native_sources.md): SES event publishing
    records and AWS End User Messaging SMS event records, both newline-delimited JSON from Firehose.

    Their record layout is written ONCE, as the data_type of each column in models/sources/src_ses.yml
    and src_sms.yml (read by raw_source_columns, macros/raw_schemas.sql), and rendered here as a DuckDB
    type (to parse each JSON line on DuckDB), a Trino type (the typed empty relation on Athena when the
    Glue table does not exist, and the Trino raw tables) or a Hive type. Field names are spelled as in
    the JSON (camelCase): DuckDB matches JSON keys case-sensitively, and Athena's lower-cased Glue names
    resolve to the same identifiers. -#}

{% macro native_record_columns(stream) %}
    {%- if stream not in ['ses', 'sms'] -%}
        {{ exceptions.raise_compiler_error("engagement_events: unknown native stream '" ~ stream ~ "' (expected ses or sms)") }}
    {%- endif -%}
    {{- return(raw_source_columns(stream, stream ~ '_events')) -}}
{% endmacro %}

{#- A spec as a DuckDB type. -#}
{% macro native_type_duckdb(spec) -%}
    {%- if spec is string -%}
        {{ {'string': 'varchar', 'bigint': 'bigint', 'int': 'integer', 'double': 'double', 'boolean': 'boolean'}[spec] }}
    {%- elif spec[0] == 'array' -%}
        {{ native_type_duckdb(spec[1]) }}[]
    {%- elif spec[0] == 'map' -%}
        map(varchar, {{ native_type_duckdb(spec[1]) }})
    {%- else -%}
        struct({% for field in spec[1] %}"{{ field[0] }}" {{ native_type_duckdb(field[1]) }}{% if not loop.last %}, {% endif %}{% endfor %})
    {%- endif -%}
{%- endmacro %}

{#- A spec as a Trino (Athena) type. -#}
{% macro native_type_trino(spec) -%}
    {%- if spec is string -%}
        {{ {'string': 'varchar', 'bigint': 'bigint', 'int': 'integer', 'double': 'double', 'boolean': 'boolean'}[spec] }}
    {%- elif spec[0] == 'array' -%}
        array({{ native_type_trino(spec[1]) }})
    {%- elif spec[0] == 'map' -%}
        map(varchar, {{ native_type_trino(spec[1]) }})
    {%- else -%}
        row({% for field in spec[1] %}"{{ field[0] | lower }}" {{ native_type_trino(field[1]) }}{% if not loop.last %}, {% endif %}{% endfor %})
    {%- endif -%}
{%- endmacro %}

{#- A spec as a Hive (Glue DDL) type, struct fields lower-cased and back-quoted. -#}
{% macro native_type_hive(spec) -%}
    {%- if spec is string -%}
        {{ spec }}
    {%- elif spec[0] == 'array' -%}
        array<{{ native_type_hive(spec[1]) }}>
    {%- elif spec[0] == 'map' -%}
        map<string,{{ native_type_hive(spec[1]) }}>
    {%- else -%}
        struct<{% for field in spec[1] %}`{{ field[0] | lower }}`:{{ native_type_hive(field[1]) }}{% if not loop.last %},{% endif %}{% endfor %}>
    {%- endif -%}
{%- endmacro %}

{#- End User Messaging SMS (eventType, messageStatus, isFinal) -> the Pinpoint event type. The same rule
    is listed row by row, with meanings, in the model sms_event_status_mapping, which calls this macro;
    tests/python/test_cross_engine_macros.py checks it against a hand-written table. A type this rule does not know
    gives NULL: the row is rejected and listed by audit_rejected_events, never guessed. -#}
{% macro sms_pinpoint_event_type(event_type, message_status, is_final) -%}
    {#- Compared upper-cased, as End User Messaging writes them. -#}
    case
        when upper({{ message_status }}) = 'OPTED_OUT' then '_SMS.OPTOUT'
        when upper({{ event_type }}) in ('TEXT_QUEUED', 'TEXT_PENDING') then '_SMS.BUFFERED'
        when upper({{ event_type }}) = 'TEXT_SUCCESSFUL' and {{ is_final }} = false then '_SMS.BUFFERED'
        when upper({{ event_type }}) in ('TEXT_SUCCESSFUL', 'TEXT_DELIVERED') then '_SMS.SUCCESS'
        when upper({{ event_type }}) in (
            'TEXT_BLOCKED', 'TEXT_TTL_EXPIRED', 'TEXT_CARRIER_UNREACHABLE', 'TEXT_INVALID',
            'TEXT_INVALID_MESSAGE', 'TEXT_CARRIER_BLOCKED', 'TEXT_UNREACHABLE', 'TEXT_SPAM',
            'TEXT_UNKNOWN', 'TEXT_PROTECT_BLOCKED'
        ) then '_SMS.FAILURE'
    end
{%- endmacro %}

{#- SES eventType (+ bounce type, + click link tags) -> the Pinpoint event type. Unknown values give
    NULL (rejected and audited, never guessed). -#}
{% macro ses_pinpoint_event_type(record) -%}
    {#- Compared upper-cased: SES writes Send, Delivery, ...; a converter or an older record may not. A
        Click on an unsubscribe-tagged link is a click here; base_ses_events adds its unsubscribe row. -#}
    case upper({{ record }}.eventtype)
        when 'SEND' then '_email.send'
        when 'DELIVERY' then '_email.delivered'
        when 'OPEN' then '_email.open'
        when 'CLICK' then '_email.click'
        when 'BOUNCE' then
            case upper({{ record }}.bounce.bouncetype)
                when 'PERMANENT' then '_email.hardbounce'
                when 'TRANSIENT' then '_email.softbounce'
                when 'UNDETERMINED' then '_email.softbounce'
            end
        when 'COMPLAINT' then '_email.complaint'
        when 'REJECT' then '_email.rejected'
        when 'RENDERING FAILURE' then '_email.rendering_failure'
        when 'RENDERINGFAILURE' then '_email.rendering_failure'
        when 'DELIVERYDELAY' then '_email.delivery_delay'
        when 'SUBSCRIPTION' then '_email.subscription'
    end
{%- endmacro %}

{#- The campaign, treatment and journey columns of a native row, read from a map(varchar, varchar) of
    its tags (SES message tags, values joined with ','; the End User Messaging SMS context) under the
    keys the var native_attribution_keys names. Pinpoint stored the same ids in its attributes map
    under these names, so the defaults keep campaign marts continuous across the cut-over. -#}
{% macro native_attribution_columns(tags_map) -%}
    {%- set keys = var('native_attribution_keys') -%}
    {%- for column, default_key in [
        ['pinpoint_campaign_id', 'campaign_id'], ['pinpoint_treatment_id', 'treatment_id'],
        ['campaign_activity_id', 'campaign_activity_id'], ['journey_id', 'journey_id'],
        ['journey_run_id', none], ['journey_activity_id', 'journey_activity_id'], ['journey_send_status', none],
    ] %}
        {%- set key = keys.get(default_key) if default_key else none %}
        {%- if key %}
        {{ map_get(tags_map, "'" ~ key ~ "'") }} as {{ column }}
        {%- else %}
        cast(null as varchar) as {{ column }}
        {%- endif %}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- `dbt run-operation print_native_glue_columns`: one line per column of each native stream,
    "stream|column|hive type", as scripts/athena_ddl.py must print them (a test compares the two). -#}
{% macro print_native_glue_columns() %}
    {%- for stream in ['ses', 'sms'] -%}
        {%- for name, spec in native_record_columns(stream) -%}
            {%- do print(stream ~ '|' ~ (name | lower) ~ '|' ~ (native_type_hive(spec) | replace('`', ''))) -%}
        {%- endfor -%}
    {%- endfor -%}
{% endmacro %}
