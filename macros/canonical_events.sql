{#- The canonical event columns, in order: what every base_<source>_events model produces and what
    int_events shows. Written once here so a new source cannot drift from the others. -#}
{% macro canonical_event_columns() %}
    {{- return([
        'event_id', 'source_system', 'event_type', 'event_timestamp', 'arrival_timestamp',
        'event_version', 'application_id', 'endpoint_id', 'session_id', 'aws_account_id',
        'pinpoint_campaign_id', 'pinpoint_treatment_id', 'campaign_activity_id',
        'journey_id', 'journey_run_id', 'journey_activity_id', 'journey_send_status',
        'message_id', 'message_send_timestamp', 'from_address', 'destination', 'subject',
        'smtp_response', 'reporting_mta', 'recipients', 'processing_time_millis',
        'ip_address', 'user_agent', 'link', 'unsubscribe_link_tag', 'reject_reason',
        'feedback_id', 'complaint_feedback_type', 'complained_recipients',
        'bounce_type', 'bounce_sub_type', 'bounced_recipients',
        'sender_request_id', 'destination_phone_number', 'record_status', 'iso_country_code',
        'number_of_message_parts', 'message_type', 'origination_phone_number',
        'price_in_millicents_usd', 'has_malformed_customer_context', 'message_tags',
        'attributes', 'client_context_custom', 'ingest_timestamp', 'source_file',
        'is_final', 'subscription_unsubscribe_all', 'carrier_fee_in_millicents_usd', 'mcc', 'mnc',
        'carrier_name', 'message_event_key',
    ]) -}}
{% endmacro %}

{#- The canonical columns as a select list, each qualified with a relation alias. -#}
{% macro int_events_columns(relation_alias) -%}
    {%- for column in canonical_event_columns() %}
        {{ relation_alias }}.{{ column }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{#- The cross-format identity of a message event (docs/native_sources.md): the same email or SMS event
    reported by two streams (Pinpoint and SES or End User Messaging during the switch-over) has the same
    key, so int_event_keys keeps it once. MD5 of the event type, the message id and what tells the
    message's events of that type apart:
      - send, rejected, rendering failure: nothing (one per message);
      - delivered, hard/soft bounce, complaint: the sorted recipient addresses of the notice;
      - open, click, unsubscribe, delivery delay, subscription: the arrival epoch millisecond;
      - SMS: the record status.
    NULL for events without a message id (campaign, journey and app events). Columns are read from `rel`,
    a relation in the canonical columns. -#}
{% macro message_event_key(rel) -%}
    case
        when {{ rel }}.message_id is null then null
        when substr({{ rel }}.event_type, 1, 5) = '_SMS.' then {{ hash_text("concat_ws('|', " ~ rel ~ ".event_type, " ~ rel ~ ".message_id, coalesce(" ~ rel ~ ".record_status, ''))") }}
        when substr({{ rel }}.event_type, 1, 7) != '_email.' then null
        when {{ rel }}.event_type in ('_email.send', '_email.rejected', '_email.rendering_failure')
            then {{ hash_text("concat_ws('|', " ~ rel ~ ".event_type, " ~ rel ~ ".message_id)") }}
        when {{ rel }}.event_type = '_email.delivered'
            then {{ hash_text("concat_ws('|', " ~ rel ~ ".event_type, " ~ rel ~ ".message_id, " ~ sorted_array_join(rel ~ '.recipients') ~ ")") }}
        when {{ rel }}.event_type in ('_email.hardbounce', '_email.softbounce')
            then {{ hash_text("concat_ws('|', " ~ rel ~ ".event_type, " ~ rel ~ ".message_id, " ~ sorted_array_join(rel ~ '.bounced_recipients', 'email_address') ~ ")") }}
        when {{ rel }}.event_type = '_email.complaint'
            then {{ hash_text("concat_ws('|', " ~ rel ~ ".event_type, " ~ rel ~ ".message_id, " ~ sorted_array_join(rel ~ '.complained_recipients', 'email_address') ~ ")") }}
        else {{ hash_text("concat_ws('|', " ~ rel ~ ".event_type, " ~ rel ~ ".message_id, cast(date_diff('millisecond', timestamp '1970-01-01 00:00:00', " ~ rel ~ ".arrival_timestamp) as varchar))") }}
    end
{%- endmacro %}

{#- The first ingest hour an incremental run re-reads, as SQL (the newest loaded ingest hour of
    int_event_keys minus var incremental_lookback_hours; see incremental_window_start), or none when the
    run reads everything: a full refresh, or int_event_keys not built yet. int_validated_events and
    int_event_keys both take it from here, before int_event_keys changes, so the two read the same hours
    (int_validated_events gives the window's rows new row ids, which int_event_keys then merges). -#}
{% macro canonical_window_start() %}
    {%- if not execute or flags.FULL_REFRESH -%}
        {{- return(none) -}}
    {%- endif -%}
    {%- set node = (graph.get('nodes') or {}).get('model.engagement_events.int_event_keys') -%}
    {%- if node is none -%}
        {#- a unit test's manifest has no graph: it reads its fixtures whole -#}
        {{- return(none) -}}
    {%- endif -%}
    {%- set canonical = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
    {%- if canonical is none -%}
        {{- return(none) -}}
    {%- endif -%}
    {{- return(incremental_window_start(canonical, 'ingest_timestamp')) -}}
{% endmacro %}

{#- Pre-hook of int_validated_events: before an incremental run appends the window's raw rows again,
    delete the ones an earlier run stored for those hours (all of them when the run reads everything). -#}
{% macro delete_canonical_window(relation) %}
    {%- if not is_incremental() -%}
        {{- return('select 1') -}}
    {%- endif -%}
    {%- set window_start = canonical_window_start() -%}
    {%- if window_start is none -%}
        {{- return('delete from ' ~ relation) -}}
    {%- endif -%}
    {{- return('delete from ' ~ relation ~ ' where ingest_timestamp >= ' ~ window_start) -}}
{% endmacro %}

{#- How int_events is stored (decision 64). DuckDB: a view of the validated rows marked chosen by its
    pre-hook (mark_chosen_rows), so a build writes the million canonical rows once, not twice. Athena
    and Trino: an incremental table of the validated rows int_event_keys points to, so each query
    scans (and Athena bills) only the canonical columns it needs. -#}
{% macro canonical_events_materialization() %}
    {{- return(adapter.dispatch('canonical_events_materialization', 'engagement_events')()) -}}
{% endmacro %}

{% macro default__canonical_events_materialization() %}
    {{- return('incremental') -}}
{% endmacro %}

{% macro duckdb__canonical_events_materialization() %}
    {{- return('view') -}}
{% endmacro %}

{#- Pre-hook of int_events: record on every validated row stored since the last run (is_chosen still
    NULL: a new build, or an incremental window appended again) whether int_event_keys chose it. A key
    row keeps its validated row's ingest hour, so only the keys from the earliest undecided hour on are
    read; the rows before it were decided by an earlier run and int_event_keys never changes its choice
    for them. Rejected rows and rows without an ingest hour get false (no key points to them). A
    statement that does nothing where int_events is a table (Athena, Trino): there it joins the keys. -#}
{% macro mark_chosen_rows(validated, event_keys) %}
    {{- return(adapter.dispatch('mark_chosen_rows', 'engagement_events')(validated, event_keys)) -}}
{% endmacro %}

{% macro default__mark_chosen_rows(validated, event_keys) %}
    {{- return('select 1') -}}
{% endmacro %}

{% macro duckdb__mark_chosen_rows(validated, event_keys) -%}
    update {{ validated }} as validated
    set is_chosen = exists (
        select 1
        from {{ event_keys }} as event_keys
        where
            event_keys.validated_row_id = validated.validated_row_id
            and event_keys.ingest_timestamp = validated.ingest_timestamp
            and event_keys.ingest_timestamp >= (
                select min(undecided.ingest_timestamp)
                from {{ validated }} as undecided
                where undecided.is_chosen is null
            )
    )
    where validated.is_chosen is null
{%- endmacro %}

{#- A random identifier per row (a UUID: 122 random bits, so a clash among billions of rows is not a
    practical concern; the unique test on int_validated_events.validated_row_id would report one). DuckDB
    keeps its 16-byte UUID type; Trino and Athena store the text form, which every table format takes. -#}
{% macro random_row_id() %}
    {{- return(adapter.dispatch('random_row_id', 'engagement_events')()) -}}
{% endmacro %}

{% macro default__random_row_id() -%}
    cast(uuid() as varchar)
{%- endmacro %}

{% macro duckdb__random_row_id() -%}
    uuid()
{%- endmacro %}

{#- How the canonical stage's tables are stored (int_validated_events, int_event_keys, int_events), as
    config() keywords: Iceberg and Parquet on Athena, partitioned by the day of the ingest
    hour (properties on Trino, nothing on DuckDB), new canonical columns appended to the stored tables. -#}
{% macro canonical_table_config() %}
    {{- return({
        'table_type': 'iceberg',
        'format': 'parquet',
        'partitioned_by': table_partitioning(['day(ingest_timestamp)']),
        'properties': table_properties(['day(ingest_timestamp)']),
        'on_schema_change': 'append_new_columns',
    }) -}}
{% endmacro %}
