{#- The macro sms_pinpoint_event_type (what base_sms_events applies) gives, for every row of the seed
    sms_event_status_mapping, the Pinpoint event type the seed documents. Returns disagreeing rows. -#}
with mapping as (

    select * from {{ ref('sms_event_status_mapping') }}

),

final as (

    select
        mapping.native_event_type,
        mapping.message_status,
        mapping.is_final,
        mapping.pinpoint_event_type,
        {{ sms_pinpoint_event_type('mapping.native_event_type', 'mapping.message_status', 'mapping.is_final') }}
            as macro_event_type
    from mapping

)

select * from final
where macro_event_type is null or macro_event_type != pinpoint_event_type
