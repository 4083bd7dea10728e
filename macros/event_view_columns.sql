{#- Column lists the public event views share, in the data dictionary's order. Each takes the alias
    of the relation the columns come from. -#}

{#- First columns of every view but journey_send. -#}
{% macro event_view_leading_columns(rel='events') -%}
        {{ rel }}.event_timestamp,
        {{ rel }}.arrival_timestamp,
        {{ rel }}.application_id,
        {{ rel }}.endpoint_id,
        {{ rel }}.pinpoint_campaign_id,
        {{ rel }}.pinpoint_treatment_id,
        {{ rel }}.aws_account_id
{%- endmacro %}

{#- Leading columns of every email view: the above plus the message. -#}
{% macro email_view_leading_columns(rel='events') -%}
        {{ event_view_leading_columns(rel) }},
        {{ rel }}.message_id,
        {{ rel }}.message_send_timestamp,
        {{ rel }}.from_address,
        {{ rel }}.destination
{%- endmacro %}

{#- Leading columns of every SMS view. -#}
{% macro sms_view_leading_columns(rel='events') -%}
        {{ event_view_leading_columns(rel) }},
        {{ rel }}.sender_request_id,
        {{ rel }}.destination_phone_number,
        {{ rel }}.record_status,
        {{ rel }}.iso_country_code,
        {{ rel }}.number_of_message_parts,
        {{ rel }}.message_id
{%- endmacro %}

{#- Last columns of every view: source_system comes after the data dictionary's columns, so a
    consumer of the original column positions is unaffected. -#}
{% macro event_view_trailing_columns(rel='events') -%}
        {{ rel }}.message_tags,
        {{ rel }}.ingest_timestamp,
        {{ rel }}.source_system
{%- endmacro %}
