{#- Each public view has, per ingest hour, exactly one row per event of its type, times the number of
    recipients for the bounce and complaint views (at least one row per notice). Returns mismatches. -#}
{%- set fan_out = {
    '_email.hardbounce': 'bounced_recipients',
    '_email.softbounce': 'bounced_recipients',
    '_email.complaint': 'complained_recipients',
} -%}

-- The jinja loops below render lists and unions whose layout the linter cannot judge.
-- noqa: disable=LT02
with expected as (

    select
        events.event_type,
        events.ingest_timestamp,
        sum(
            {%- for event_type, column in fan_out.items() %}
            {% if loop.first %}case{% endif %} when events.event_type = '{{ event_type }}'
                then greatest(coalesce({{ array_size("events." ~ column) }}, 0), 1)
            {%- endfor %}
            else 1 end
        ) as expected_rows
    from {{ ref('int_events') }} as events
    group by events.event_type, events.ingest_timestamp

),

actual as (

    {% for event_type, view in documented_event_types().items() %}
    select
        '{{ event_type }}' as event_type,
        {{ view }}.ingest_timestamp,
        count(*) as actual_rows
    from {{ ref(view) }} as {{ view }}
    group by {{ view }}.ingest_timestamp
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        coalesce(expected.event_type, actual.event_type) as event_type,
        coalesce(expected.ingest_timestamp, actual.ingest_timestamp) as ingest_timestamp,
        coalesce(expected.expected_rows, 0) as expected_rows,
        coalesce(actual.actual_rows, 0) as actual_rows
    from expected
    full outer join actual
        on
            expected.event_type = actual.event_type
            and expected.ingest_timestamp = actual.ingest_timestamp
    where
        coalesce(expected.event_type, actual.event_type) in (
            {%- for event_type in documented_event_types() %}
            '{{ event_type }}'{% if not loop.last %},{% endif %}
            {%- endfor %}
        )
        and coalesce(expected.expected_rows, 0) != coalesce(actual.actual_rows, 0)

)

-- noqa: enable=LT02
select * from final
