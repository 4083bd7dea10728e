{#- The canonical event columns, in order: what every base_<source>_events model produces and what
    int_events stores. Written once here so a new source cannot drift from the others. -#}
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
    ]) -}}
{% endmacro %}

{#- The canonical columns as a select list, each qualified with a relation alias. -#}
{% macro int_events_columns(relation_alias) -%}
    {%- for column in canonical_event_columns() %}
        {{ relation_alias }}.{{ column }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
