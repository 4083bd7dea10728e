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
