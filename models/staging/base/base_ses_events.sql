{#-
    The one place SES event publishing records are read and flattened into the canonical event
    columns, in Pinpoint's vocabulary (docs/native_sources.md has the mapping table): one row per
    record (duplicates included) and one row per unreadable line (every record column NULL, so
    event_type is NULL and the row is rejected and audited). No filtering, no business rules.
    With the var pseudonymize_pii on, addresses are hashed and address-shaped text redacted here
    (macros/privacy.sql, docs/privacy.md), so no model downstream ever sees them.
    A Click on a link tagged unsubscribeLinkTag gives two rows, an _email.click and an
    _email.unsubscribe, as Pinpoint reported it. Campaign, treatment and journey ids come from the
    message tags named by the var native_attribution_keys.
-#}
{{
    config(
        materialized=native_base_materialization(),
        pre_hook="{{ native_rejects_reset_hook('ses') }}",
        post_hook="{{ native_undecodable_lines_hook('ses') }}",
    )
}}

-- files the engine cannot read are listed there and skipped here:
-- depends_on: {{ ref('audit_unreadable_files') }}
with source as (

    {{ native_events_relation('ses', source('ses', 'ses_events')) }}

),

flattened as (

    select
        {{ ses_pinpoint_event_type('source') }} as mapped_event_type,
        source.eventtype as ses_event_type,
        {{ iso8601_to_timestamp('source.mail.timestamp') }} as mail_timestamp,
        {{ iso8601_to_timestamp(
            'coalesce(source.delivery.timestamp, source.open.timestamp, source.click.timestamp, '
            ~ 'source.bounce.timestamp, source.complaint.timestamp, source.deliverydelay.timestamp, '
            ~ 'source.subscription.timestamp)'
        ) }} as own_timestamp,
        source.mail.messageid as message_id,
        source.mail.sendingaccountid as aws_account_id,
        {{ pii_text('source.mail.source') }} as from_address,
        {{ pii_text_array('source.mail.destination') }} as destination,
        {{ pii_free_text('source.mail.commonheaders.subject') }} as subject,
        source.mail.tags as mail_tags,
        {{ joined_array_map('source.mail.tags') }} as joined_tags,
        {{ pii_free_text('source.delivery.smtpresponse') }} as smtp_response,
        {{ pii_free_text(
            'coalesce(source.delivery.reportingmta, source.bounce.reportingmta, source.deliverydelay.reportingmta)'
        ) }} as reporting_mta,
        {{ pii_text_array('source.delivery.recipients') }} as recipients,
        cast(source.delivery.processingtimemillis as integer) as processing_time_millis,
        {{ pii_text('coalesce(source.open.ipaddress, source.click.ipaddress)') }} as ip_address,
        coalesce(source.open.useragent, source.click.useragent, source.complaint.useragent) as user_agent,
        {{ pii_free_text('source.click.link') }} as link,
        -- the JSON SerDe on Athena may lower-case map keys: accept both spellings
        coalesce(
            {{ map_get('source.click.linktags', "'unsubscribeLinkTag'") }},
            {{ map_get('source.click.linktags', "'unsubscribelinktag'") }}
        ) as unsubscribe_link_tag,
        {{ pii_free_text('source.reject.reason') }} as reject_reason,
        coalesce(source.bounce.feedbackid, source.complaint.feedbackid) as feedback_id,
        source.complaint.complaintfeedbacktype as complaint_feedback_type,
        {{ pii_recipient_array(rename_struct_array('source.complaint.complainedrecipients', [
            ['email_address', 'emailaddress', 'varchar'],
        ]), []) }} as complained_recipients,
        source.bounce.bouncetype as bounce_type,
        source.bounce.bouncesubtype as bounce_sub_type,
        {{ pii_recipient_array(rename_struct_array('source.bounce.bouncedrecipients', [
            ['email_address', 'emailaddress', 'varchar'],
            ['action', 'action', 'varchar'],
            ['status', 'status', 'varchar'],
            ['diagnostic_code', 'diagnosticcode', 'varchar'],
        ]), ['action', 'status', 'diagnostic_code']) }} as bounced_recipients,
        {#- Everything that tells two records apart, for event_id (re-deliveries are identical): raw
            fields, salted in canonical when pseudonymize_pii is on; never stored. -#}
        concat_ws(
            '|',
            'ses',
            coalesce(source.eventtype, 'unreadable:' || source.source_file),
            coalesce(source.mail.messageid, ''),
            coalesce(source.mail.timestamp, ''),
            coalesce(
                source.delivery.timestamp, source.open.timestamp, source.click.timestamp,
                source.bounce.timestamp, source.complaint.timestamp, source.deliverydelay.timestamp,
                source.subscription.timestamp, ''
            ),
            coalesce(source.click.link, ''),
            coalesce(source.open.ipaddress, source.click.ipaddress, ''),
            coalesce(source.bounce.feedbackid, source.complaint.feedbackid, ''),
            {{ sorted_array_join('source.delivery.recipients') }},
            {{ sorted_array_join('source.bounce.bouncedrecipients', 'emailaddress') }},
            {{ sorted_array_join('source.complaint.complainedrecipients', 'emailaddress') }},
            {{ sorted_array_join('source.deliverydelay.delayedrecipients', 'emailaddress') }},
            coalesce(source.reject.reason, ''),
            coalesce(source.failure.errormessage, ''),
            coalesce(source.subscription.contactlist, '')
        ) as identity_text,
        source.ingest_timestamp,
        source.source_file,
        source.unrecognised_fields,
        source.subscription.newtopicpreferences.unsubscribeall as subscription_unsubscribe_all,
        coalesce(
            source.line_problem,
            case
                when {{ ses_pinpoint_event_type('source') }} is null
                    then 'no mapping for SES eventType ' || coalesce(source.eventtype, '(null)')
            end
        ) as rejection_detail
    from source

),

click_copies as (

    select 'click' as copy_kind
    union all
    select 'unsubscribe' as copy_kind

),

with_unsubscribe_clicks as (

    {#- Pinpoint reported a click on an unsubscribe link twice: as a click and as an unsubscribe. -#}
    select
        flattened.*,
        case
            when copies.copy_kind = 'unsubscribe' then '_email.unsubscribe'
            else flattened.mapped_event_type
        end as event_type,
        case
            when copies.copy_kind = 'unsubscribe' then flattened.identity_text || '|unsubscribe'
            else flattened.identity_text
        end as event_identity_text
    from flattened
    left join click_copies as copies
        on flattened.mapped_event_type = '_email.click' and flattened.unsubscribe_link_tag is not null

),

canonical as (

    select
        {{ hash_text(pii_identity('event_identity_text')) }} as event_id,
        'ses' as source_system,
        event_type,
        -- as Pinpoint did: the email's event time is its send time, the arrival its own time
        mail_timestamp as event_timestamp,
        coalesce(own_timestamp, mail_timestamp) as arrival_timestamp,
        cast(null as varchar) as event_version,
        cast(null as varchar) as application_id,
        cast(null as varchar) as endpoint_id,
        cast(null as varchar) as session_id,
        aws_account_id,
        {{ native_attribution_columns('joined_tags') }},
        message_id,
        mail_timestamp as message_send_timestamp,
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
        cast(null as varchar) as sender_request_id,
        cast(null as varchar) as destination_phone_number,
        cast(null as varchar) as record_status,
        cast(null as varchar) as iso_country_code,
        cast(null as varchar) as number_of_message_parts,
        cast(null as varchar) as message_type,
        cast(null as varchar) as origination_phone_number,
        cast(null as double) as price_in_millicents_usd,
        false as has_malformed_customer_context,
        {{ pii_string_map(joined_array_map('mail_tags')) }} as message_tags,
        {{ empty_string_map() }} as attributes,
        {{ empty_string_map() }} as client_context_custom,
        ingest_timestamp,
        source_file,
        cast(null as boolean) as is_final,
        subscription_unsubscribe_all,
        cast(null as double) as carrier_fee_in_millicents_usd,
        cast(null as varchar) as mcc,
        cast(null as varchar) as mnc,
        cast(null as varchar) as carrier_name,
        rejection_detail,
        unrecognised_fields
    from with_unsubscribe_clicks

),

final as (

    select
        canonical.*,
        {{ message_event_key('canonical') }} as message_event_key
    from canonical

)

select * from final
