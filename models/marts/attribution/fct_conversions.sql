{#-
    One row per conversion, with the message, campaign and channel it is attributed to.
    Conversions: every row of the custom-event models listed in var conversion_event_models (value:
    the column named by var conversion_value_attribute; identifier: the endpoint), and, when var
    conversion_relation is set, every row of that relation (a model or seed name, or a
    schema-qualified table) with its id, identifier (email address, phone number or endpoint, as
    identifier_type says), time and value columns.
    Touches, in order of preference: a human click (fct_email_engagements, is_machine false), else a
    human open, else a delivered SMS (first _SMS.SUCCESS of the message), to the same identifier at
    or before the conversion and at most attribution_window_hours before it. Within the preferred
    kind the latest touch wins (attribution_model last_touch, the default) or the earliest
    (first_touch). A conversion with no touch in the window is kept, unattributed.
    A table, rebuilt on each run.
-#}
{{ config(materialized='table') }}

{%- set window_ms = (var('attribution_window_hours', 168) | float * 3600000) | int %}
{%- set attribution_model = var('attribution_model', 'last_touch') %}
{%- if attribution_model not in ['last_touch', 'first_touch'] %}
    {{ exceptions.raise_compiler_error("engagement_events: var attribution_model must be last_touch or first_touch, not '" ~ attribution_model ~ "'") }}
{%- endif %}
{%- set event_models = var('conversion_event_models', ['custom_purchase']) or [] %}
{%- set value_attribute = var('conversion_value_attribute', 'price') %}
{%- set user_relation = var('conversion_relation', none) %}

with
{% for model_name in event_models %}
    conversion_events_{{ loop.index }} as (

        select * from {{ ref(model_name) }}

    ),
{% endfor %}

{% if user_relation %}
user_conversions as (

    {%- if '.' in user_relation['relation'] %}
    select * from {{ user_relation['relation'] }}
    {%- else %}
    select * from {{ ref(user_relation['relation']) }}
    {%- endif %}

),
{% endif %}

engagements as (

    select * from {{ ref('fct_email_engagements') }}
    where not is_machine

),

sms_success_events as (

    select * from {{ ref('int_events') }}
    where
        event_type = '_SMS.SUCCESS'
        and message_id is not null

),

conversions as (

    {% for model_name in event_models %}
        select
            cast(event_id as varchar) as conversion_id,
            '{{ model_name }}' as conversion_source,
            'endpoint' as identifier_type,
            cast(endpoint_id as varchar) as identifier,
            event_timestamp as converted_at,
            cast({{ value_attribute }} as double) as conversion_value
        from conversion_events_{{ loop.index }}
        {% if not loop.last or user_relation %}union all{% endif %}
    {% endfor %}
    {% if user_relation %}
    select
        cast({{ user_relation['id_column'] }} as varchar) as conversion_id,
        '{{ user_relation['relation'] }}' as conversion_source,
        '{{ user_relation['identifier_type'] }}' as identifier_type,
        {% if user_relation['identifier_type'] == 'email' -%}
        {{ normalized_email('cast(' ~ user_relation['identifier_column'] ~ ' as varchar)') }}
        {%- else -%}
        trim(cast({{ user_relation['identifier_column'] }} as varchar))
        {%- endif %} as identifier,
        {{ cast_to_table_timestamp(user_relation['time_column']) }} as converted_at,
        cast({{ user_relation['value_column'] }} as double) as conversion_value
    from user_conversions
    {% endif %}
    {% if not event_models and not user_relation %}
    select
        cast(null as varchar) as conversion_id,
        cast(null as varchar) as conversion_source,
        cast(null as varchar) as identifier_type,
        cast(null as varchar) as identifier,
        {{ cast_to_table_timestamp('null') }} as converted_at,
        cast(null as double) as conversion_value
    where 1 = 0
    {% endif %}

),

sms_deliveries as (

    select
        message_id,
        min(arrival_timestamp) as touched_at,
        max(destination_phone_number) as phone_number,
        max(endpoint_id) as endpoint_id,
        max(pinpoint_campaign_id) as pinpoint_campaign_id,
        max(pinpoint_treatment_id) as pinpoint_treatment_id,
        max(journey_id) as journey_id
    from sms_success_events
    group by message_id

),

touches as (

    select
        event_id as touch_event_id,
        case engagement_type when 'click' then 1 else 2 end as touch_priority,
        case engagement_type when 'click' then 'email_click' else 'email_open' end as touch_type,
        'email' as channel,
        message_id,
        engaged_at as touched_at,
        recipient_address,
        cast(null as varchar) as phone_number,
        endpoint_id,
        pinpoint_campaign_id,
        pinpoint_treatment_id,
        journey_id,
        subject
    from engagements

    union all

    select
        message_id as touch_event_id,
        3 as touch_priority,
        'sms_delivered' as touch_type,
        'sms' as channel,
        message_id,
        touched_at,
        cast(null as varchar) as recipient_address,
        phone_number,
        endpoint_id,
        pinpoint_campaign_id,
        pinpoint_treatment_id,
        journey_id,
        cast(null as varchar) as subject
    from sms_deliveries

),

touch_identifiers as (

    select
        touches.*,
        'email' as identifier_type,
        recipient_address as identifier
    from touches
    where recipient_address is not null
    union all
    select
        touches.*,
        'phone' as identifier_type,
        trim(phone_number) as identifier
    from touches
    where phone_number is not null
    union all
    select
        touches.*,
        'endpoint' as identifier_type,
        endpoint_id as identifier
    from touches
    where endpoint_id is not null

),

candidates as (

    select
        conversions.conversion_id,
        conversions.conversion_source,
        touch_identifiers.touch_event_id,
        touch_identifiers.touch_type,
        touch_identifiers.channel,
        touch_identifiers.message_id,
        touch_identifiers.touched_at,
        touch_identifiers.pinpoint_campaign_id,
        touch_identifiers.pinpoint_treatment_id,
        touch_identifiers.journey_id,
        touch_identifiers.subject,
        row_number() over (
            partition by conversions.conversion_source, conversions.conversion_id
            order by
                touch_identifiers.touch_priority,
                touch_identifiers.touched_at {{ 'desc' if attribution_model == 'last_touch' else 'asc' }},
                touch_identifiers.touch_event_id
        ) as touch_rank
    from conversions
    inner join touch_identifiers
        on
            conversions.identifier_type = touch_identifiers.identifier_type
            and conversions.identifier = touch_identifiers.identifier
    where
        {{ milliseconds_between('touch_identifiers.touched_at', 'conversions.converted_at') }}
        between 0 and {{ window_ms }}

),

final as (

    select
        conversions.conversion_id,
        conversions.conversion_source,
        conversions.identifier_type,
        conversions.identifier,
        conversions.converted_at,
        conversions.conversion_value,
        candidates.touch_event_id is not null as is_attributed,
        candidates.touch_type,
        candidates.channel,
        candidates.message_id,
        candidates.touched_at,
        {{ seconds_between('candidates.touched_at', 'conversions.converted_at') }} as seconds_after_touch,
        candidates.pinpoint_campaign_id,
        candidates.pinpoint_treatment_id,
        candidates.journey_id,
        candidates.subject,
        candidates.touch_event_id,
        '{{ attribution_model }}' as attribution_model
    from conversions
    left join candidates
        on
            conversions.conversion_source = candidates.conversion_source
            and conversions.conversion_id = candidates.conversion_id
            and candidates.touch_rank = 1
    where conversions.conversion_id is not null

)

select * from final
