{#-
    The one place AWS End User Messaging SMS event records are read and flattened into the canonical
    event columns, in Pinpoint's vocabulary (docs/native_sources.md has the mapping table; the status
    mapping is the macro sms_pinpoint_event_type, listed in the model sms_event_status_mapping): one row
    per record (duplicates included) and one row per unreadable line (every record column NULL, so
    event_type is NULL and the row is rejected and audited). Intermediate events (isFinal false) are
    kept, with is_final false. With the var pseudonymize_pii on, phone numbers are hashed and
    address-shaped text redacted here (macros/privacy.sql, docs/privacy.md).
    Campaign, treatment and journey ids come from the context keys named by the var
    native_attribution_keys.
-#}
{{
    config(
        materialized=native_base_materialization(),
        pre_hook="{{ native_rejects_reset_hook('sms') }}",
        post_hook="{{ native_undecodable_lines_hook('sms') }}",
    )
}}

-- files the engine cannot read are listed there and skipped here:
-- depends_on: {{ ref('audit_unreadable_files') }}
with source as (

    {{ native_events_relation('sms', source('sms', 'sms_events')) }}

),

canonical as (

    select
        {{ hash_text(pii_identity(
            "concat_ws('|', 'sms', "
            ~ "coalesce(source.eventtype, 'unreadable:' || source.source_file), "
            ~ "coalesce(source.messageid, ''), "
            ~ "coalesce(source.messagestatus, ''), "
            ~ "coalesce(cast(source.eventtimestamp as varchar), ''), "
            ~ "coalesce(cast(source.isfinal as varchar), ''))"
        )) }} as event_id,
        'sms' as source_system,
        {{ sms_pinpoint_event_type('source.eventtype', 'source.messagestatus', 'source.isfinal') }} as event_type,
        -- the record has one time: when the status was reported
        {{ epoch_ms_to_timestamp('source.eventtimestamp') }} as event_timestamp,
        {{ epoch_ms_to_timestamp('source.eventtimestamp') }} as arrival_timestamp,
        source.eventversion as event_version,
        cast(null as varchar) as application_id,
        cast(null as varchar) as endpoint_id,
        cast(null as varchar) as session_id,
        cast(null as varchar) as aws_account_id,
        {{ native_attribution_columns('source.context') }},
        source.messageid as message_id,
        -- when the send request was received
        {{ epoch_ms_to_timestamp('source.messagerequesttimestamp') }} as message_send_timestamp,
        cast(null as varchar) as from_address,
        {{ typed_null(['array', 'string']) }} as destination,
        cast(null as varchar) as subject,
        cast(null as varchar) as smtp_response,
        cast(null as varchar) as reporting_mta,
        {{ typed_null(['array', 'string']) }} as recipients,
        cast(null as integer) as processing_time_millis,
        cast(null as varchar) as ip_address,
        cast(null as varchar) as user_agent,
        cast(null as varchar) as link,
        {{ typed_null(['array', 'string']) }} as unsubscribe_link_tag,
        cast(null as varchar) as reject_reason,
        cast(null as varchar) as feedback_id,
        cast(null as varchar) as complaint_feedback_type,
        {{ typed_null(['array', ['struct', [['email_address', 'string']]]]) }} as complained_recipients,
        cast(null as varchar) as bounce_type,
        cast(null as varchar) as bounce_sub_type,
        {{ typed_null(['array', ['struct', [
            ['email_address', 'string'], ['action', 'string'], ['status', 'string'], ['diagnostic_code', 'string'],
        ]]]) }} as bounced_recipients,
        cast(null as varchar) as sender_request_id,
        {{ pii_text('source.destinationphonenumber') }} as destination_phone_number,
        source.messagestatus as record_status,
        source.isocountrycode as iso_country_code,
        cast(source.totalmessageparts as varchar) as number_of_message_parts,
        source.messagetype as message_type,
        {{ pii_text('source.originationphonenumber') }} as origination_phone_number,
        -- US dollars to thousandths of a US cent, rounded off the binary fraction noise
        round(source.totalmessageprice * 100000, 4) as price_in_millicents_usd,
        false as has_malformed_customer_context,
        coalesce({{ pii_string_map('source.context') }}, {{ empty_string_map() }}) as message_tags,
        {{ empty_string_map() }} as attributes,
        {{ empty_string_map() }} as client_context_custom,
        source.ingest_timestamp,
        source.source_file,
        source.isfinal as is_final,
        cast(null as boolean) as subscription_unsubscribe_all,
        -- US dollars to thousandths of a US cent, as the price
        round(source.totalcarrierfee * 100000, 4) as carrier_fee_in_millicents_usd,
        source.mcc,
        source.mnc,
        source.carriername as carrier_name,
        coalesce(
            source.line_problem,
            -- noqa: disable=LT02
            case
                when {{ sms_pinpoint_event_type('source.eventtype', 'source.messagestatus', 'source.isfinal') }} is null
                    then concat(
                        'no mapping for End User Messaging eventType ', coalesce(source.eventtype, '(null)'),
                        ' (messageStatus ', coalesce(source.messagestatus, '(null)'), ')'
                    )
            end
            -- noqa: enable=LT02
        ) as rejection_detail,
        source.unrecognised_fields
    from source

),

final as (

    select
        canonical.*,
        {{ message_event_key('canonical') }} as message_event_key
    from canonical

)

select * from final
