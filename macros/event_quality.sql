{#- Why a base row cannot be interpreted, or NULL when it can. int_events keeps the rows where this is
    NULL; audit_rejected_events lists the others with it. One definition for both, so a row is always
    in exactly one of them. Epoch bounds: 2010-01-01 and one day after the row's ingest hour. -#}
{% macro event_rejection_reason(rel='base') -%}
    case
        when {{ rel }}.ingest_timestamp is null then 'no ingest hour: the file is outside the YYYY/MM/DD/HH/ folder layout'
        when {{ rel }}.source_system in ('ses', 'sms') and {{ rel }}.event_type is null
            then 'unreadable ' || {{ rel }}.source_system || ' record: not JSON, not an object of the documented shape, or an event type/status with no mapping'
        when {{ rel }}.event_type is null or {{ rel }}.event_type = '' then 'missing event_type'
        when {{ rel }}.event_timestamp is null then 'missing event_timestamp'
        when {{ rel }}.arrival_timestamp is null then 'missing arrival_timestamp'
        when {{ rel }}.event_timestamp < timestamp '2010-01-01 00:00:00'
            or {{ rel }}.arrival_timestamp < timestamp '2010-01-01 00:00:00'
            then 'timestamp before 2010-01-01'
        when {{ rel }}.event_timestamp > {{ rel }}.ingest_timestamp + interval '1' day
            or {{ rel }}.arrival_timestamp > {{ rel }}.ingest_timestamp + interval '1' day
            then 'timestamp more than a day after the ingest hour'
    end
{%- endmacro %}

{#- The event types the public views cover, with the view of each. -#}
{% macro documented_event_types() %}
    {{- return({
        '_campaign.send': 'campaign_send',
        '_journey.send': 'journey_send',
        '_email.send': 'email_send',
        '_email.delivered': 'email_delivered',
        '_email.open': 'email_open',
        '_email.click': 'email_click',
        '_email.unsubscribe': 'email_unsubscribe',
        '_email.hardbounce': 'email_hardbounce',
        '_email.softbounce': 'email_softbounce',
        '_email.complaint': 'email_complaint',
        '_email.rejected': 'email_rejected',
        '_email.rendering_failure': 'email_rendering_failure',
        '_email.delivery_delay': 'email_delivery_delay',
        '_email.subscription': 'email_subscription',
        '_SMS.BUFFERED': 'sms_buffered',
        '_SMS.SUCCESS': 'sms_success',
        '_SMS.FAILURE': 'sms_failure',
        '_SMS.OPTOUT': 'sms_optout',
    }) -}}
{% endmacro %}

{#- Every event type some model covers: the documented ones plus the custom events configured in
    custom_events.yml (through the generated macro custom_events_config). -#}
{% macro covered_event_types() %}
    {%- set covered = documented_event_types().keys() | list -%}
    {%- for entry in custom_events_config() -%}
        {%- do covered.append(entry['event_type']) -%}
    {%- endfor -%}
    {{- return(covered) -}}
{% endmacro %}
