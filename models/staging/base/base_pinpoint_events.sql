{#-
    The one place the raw Pinpoint stream is read and flattened: one row per raw row (duplicates
    included), nested structs and maps turned into typed, named columns. No filtering and no
    business rules: rows that cannot be interpreted are kept here and sorted out downstream.
    With the var pseudonymize_pii on, addresses are hashed and address-shaped text redacted here
    (macros/privacy.sql, docs/privacy.md), so no model downstream ever sees them.
-#}
-- files the engine cannot read are listed there and skipped here:
-- depends_on: {{ ref('audit_unreadable_files') }}
-- the files' Parquet schemas, which decide how they are read (macro pinpoint_files_read):
-- depends_on: {{ ref('audit_pinpoint_file_schemas') }}
with located as (

    -- The files are read right here, not in a CTE of their own: DuckDB skips whole files by folder
    -- only when the ingest-hour filter sits directly on the file scan.
    select
        raw_events.*,
        {{ source_file_column() }} as source_file,
        {{ ingest_timestamp_from_source() }} as ingest_hour
    from {{ all_events_relation(source('pinpoint', 'all_events')) }} as raw_events

),

flattened as (

    select
        event_type,
        event_timestamp as event_timestamp_ms,
        arrival_timestamp as arrival_timestamp_ms,
        event_version,
        application.app_id as application_id,
        client.client_id as endpoint_id,
        {{ map_get('"session"', "'session_id'") }} as session_id,
        awsaccountid as aws_account_id,
        attributes,
        client_context.custom as client_context_custom,

        -- campaign and journey attributes
        {{ map_get('attributes', "'campaign_id'") }} as pinpoint_campaign_id,
        {{ map_get('attributes', "'treatment_id'") }} as pinpoint_treatment_id,
        {{ map_get('attributes', "'campaign_activity_id'") }} as campaign_activity_id,
        {{ map_get('attributes', "'journey_id'") }} as journey_id,
        {{ map_get('attributes', "'journey_run_id'") }} as journey_run_id,
        {{ map_get('attributes', "'journey_activity_id'") }} as journey_activity_id,
        {{ map_get('attributes', "'journey_send_status'") }} as journey_send_status,

        -- email: the message
        facets.email_channel.mail_event.mail.message_id as email_message_id,
        facets.email_channel.mail_event.mail.message_send_timestamp as message_send_timestamp_ms,
        {{ pii_text('facets.email_channel.mail_event.mail.from_address') }} as from_address,
        {{ pii_text_array('facets.email_channel.mail_event.mail.destination') }} as destination,
        {{ pii_free_text('facets.email_channel.mail_event.mail.common_headers.subject') }} as subject,

        -- email: one struct per event kind (only the one matching the event type is filled)
        {{ pii_free_text('facets.email_channel.mail_event.delivery.smtp_response') }} as smtp_response,
        {{ pii_free_text(
            'coalesce(facets.email_channel.mail_event.delivery.reporting_mta, '
            ~ 'facets.email_channel.mail_event.bounce.reporting_mta)'
        ) }} as reporting_mta,
        {{ pii_text_array('facets.email_channel.mail_event.delivery.recipients') }} as recipients,
        facets.email_channel.mail_event.delivery.processing_time_millis as processing_time_millis,
        {{ pii_text(
            'coalesce(facets.email_channel.mail_event.open.ip_address, '
            ~ 'facets.email_channel.mail_event.click.ip_address)'
        ) }} as ip_address,
        coalesce(
            facets.email_channel.mail_event.open.user_agent,
            facets.email_channel.mail_event.click.user_agent,
            facets.email_channel.mail_event.complaint.user_agent
        ) as user_agent,
        {{ pii_free_text('facets.email_channel.mail_event.click.link') }} as link,
        facets.email_channel.mail_event.click.link_tags.unsubscribelinktag as unsubscribe_link_tag,
        {{ pii_free_text('facets.email_channel.mail_event.reject.reason') }} as reject_reason,
        coalesce(
            facets.email_channel.mail_event.bounce.feedback_id,
            facets.email_channel.mail_event.complaint.feedback_id
        ) as feedback_id,
        facets.email_channel.mail_event.complaint.complaint_feedback_type as complaint_feedback_type,
        {{ pii_recipient_array('facets.email_channel.mail_event.complaint.complained_recipients', []) }}
            as complained_recipients,
        facets.email_channel.mail_event.bounce.bounce_type as bounce_type,
        facets.email_channel.mail_event.bounce.bounce_sub_type as bounce_sub_type,
        {{ pii_recipient_array(
            'facets.email_channel.mail_event.bounce.bounced_recipients', ['action', 'status', 'diagnostic_code']
        ) }} as bounced_recipients,

        -- SMS: delivery fields travel in attributes
        {{ map_get('attributes', "'message_id'") }} as sms_message_id,
        {{ map_get('attributes', "'sender_request_id'") }} as sender_request_id,
        {{ pii_text(map_get('attributes', "'destination_phone_number'")) }} as destination_phone_number,
        {{ map_get('attributes', "'record_status'") }} as record_status,
        {{ map_get('attributes', "'iso_country_code'") }} as iso_country_code,
        {{ map_get('attributes', "'number_of_message_parts'") }} as number_of_message_parts,
        {{ map_get('attributes', "'message_type'") }} as message_type,
        {{ pii_text(map_get('attributes', "'origination_phone_number'")) }} as origination_phone_number,
        {{ map_get('attributes', "'customer_context'") }} as customer_context,
        metrics.price_in_millicents_usd as price_in_millicents_usd,

        ingest_hour as ingest_timestamp,
        source_file
    from located

),

canonical as (

    select
        -- from the raw attributes, salted when pseudonymize_pii is on (the identity does not depend
        -- on the redaction rules)
        {{ hash_text(pii_identity("concat_ws('|', "
            ~ "coalesce(event_type, ''), "
            ~ "coalesce(cast(event_timestamp_ms as varchar), ''), "
            ~ "coalesce(cast(arrival_timestamp_ms as varchar), ''), "
            ~ "coalesce(application_id, ''), "
            ~ "coalesce(endpoint_id, ''), "
            ~ "coalesce(session_id, ''), "
            ~ "coalesce(email_message_id, sms_message_id, ''), "
            ~ map_to_sorted_string('attributes') ~ ")")) }} as event_id,
        'pinpoint' as source_system,
        event_type,
        {{ epoch_ms_to_timestamp('event_timestamp_ms') }} as event_timestamp,
        {{ epoch_ms_to_timestamp('arrival_timestamp_ms') }} as arrival_timestamp,
        event_version,
        application_id,
        endpoint_id,
        session_id,
        aws_account_id,
        pinpoint_campaign_id,
        pinpoint_treatment_id,
        campaign_activity_id,
        journey_id,
        journey_run_id,
        journey_activity_id,
        journey_send_status,
        coalesce(email_message_id, sms_message_id) as message_id,
        {{ epoch_ms_to_timestamp('message_send_timestamp_ms') }} as message_send_timestamp,
        from_address,
        destination,
        subject,
        smtp_response,
        reporting_mta,
        recipients,
        processing_time_millis,
        ip_address,
        user_agent,
        link,
        unsubscribe_link_tag,
        reject_reason,
        feedback_id,
        complaint_feedback_type,
        complained_recipients,
        bounce_type,
        bounce_sub_type,
        bounced_recipients,
        sender_request_id,
        destination_phone_number,
        record_status,
        iso_country_code,
        number_of_message_parts,
        message_type,
        origination_phone_number,
        cast(price_in_millicents_usd as double) as price_in_millicents_usd,
        {{ is_malformed_json_object('customer_context') }} as has_malformed_customer_context,
        {{ pii_string_map(
            "case when substr(event_type, 1, 5) = '_SMS.' then " ~ json_to_string_map('customer_context')
            ~ " else " ~ merge_string_maps('client_context_custom', 'attributes') ~ " end"
        ) }} as message_tags,
        coalesce({{ pii_string_map('attributes') }}, {{ empty_string_map() }}) as attributes,
        coalesce({{ pii_string_map('client_context_custom') }}, {{ empty_string_map() }}) as client_context_custom,
        ingest_timestamp,
        source_file,
        -- End User Messaging's isFinal: Pinpoint's SMS stream has no such flag
        cast(null as boolean) as is_final,
        -- End User Messaging and SES fields Pinpoint's stream does not have
        cast(null as boolean) as subscription_unsubscribe_all,
        cast(null as double) as carrier_fee_in_millicents_usd,
        cast(null as varchar) as mcc,
        cast(null as varchar) as mnc,
        cast(null as varchar) as carrier_name,
        -- the reason itself is computed in int_validated_events; a Parquet row has no finer detail to add
        cast(null as varchar) as rejection_detail
    from flattened

),

final as (

    select
        canonical.*,
        {{ message_event_key('canonical') }} as message_event_key
    from canonical

)

select * from final
