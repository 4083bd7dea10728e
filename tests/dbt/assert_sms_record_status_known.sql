{#- Every SMS record_status in the data is listed in the seed sms_record_status, and its category
    agrees with the event type: success events carry success statuses, failure events failure
    statuses, opt-out events opt-out statuses (buffered events may carry success or buffered).
    Statuses and, for Pinpoint rows, event types are what the source wrote, so a warning with the rows
    (kept in the test audit schema), not a failed build. Compared case-insensitively. -#}
{{ config(severity='warn', store_failures=true) }}

with statuses as (

    select
        event_type,
        record_status,
        count(*) as sms_events
    from {{ ref('int_events') }}
    where substr(event_type, 1, 5) = '_SMS.'
    group by event_type, record_status

),

final as (

    select
        statuses.event_type,
        statuses.record_status,
        sms_record_status.outcome_category,
        statuses.sms_events
    from statuses
    left join {{ ref('sms_record_status') }} as sms_record_status
        on upper(statuses.record_status) = upper(sms_record_status.record_status)
    where
        sms_record_status.outcome_category is null
        or (statuses.event_type = '_SMS.SUCCESS' and sms_record_status.outcome_category != 'success')
        or (statuses.event_type = '_SMS.FAILURE' and sms_record_status.outcome_category != 'failure')
        or (statuses.event_type = '_SMS.OPTOUT' and sms_record_status.outcome_category != 'opt-out')
        or (
            statuses.event_type = '_SMS.BUFFERED'
            and sms_record_status.outcome_category not in ('success', 'buffered')
        )

)

select * from final
