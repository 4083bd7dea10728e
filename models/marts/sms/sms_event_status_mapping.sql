{#-
    Reference: how an AWS End User Messaging SMS record (eventType, messageStatus, isFinal) maps to the
    Pinpoint SMS event type it is counted as, one row per combination End User Messaging documents, with
    its meaning. The rule itself has one owner, the macro sms_pinpoint_event_type (macros/native_sources.sql),
    which base_sms_events applies: pinpoint_event_type here is that macro, so the table cannot disagree
    with the views. The combinations and meanings are written here; no input relation.
-#}

with combinations as (

    select *
    from (
        values
        (
            'TEXT_QUEUED', 'QUEUED', false,
            'Queued for delivery by End User Messaging, not yet handed to the carrier. Intermediate.'
        ),
        (
            'TEXT_PENDING', 'PENDING', false,
            'Being delivered, no outcome yet. Intermediate; Pinpoint reported this as a buffered event with status PENDING.'
        ),
        (
            'TEXT_SUCCESSFUL', 'SUCCESSFUL', false,
            'Accepted by the recipient''s carrier, a delivery receipt is still to come. '
            || 'Pinpoint reported this as a buffered event with status SUCCESSFUL.'
        ),
        (
            'TEXT_SUCCESSFUL', 'SUCCESSFUL', true,
            'Accepted by the carrier and no delivery receipt will follow (countries without receipts): the final success.'
        ),
        (
            'TEXT_DELIVERED', 'DELIVERED', true,
            'The carrier reported the message delivered to the handset.'
        ),
        (
            'TEXT_BLOCKED', 'BLOCKED', true,
            'The handset or its carrier blocks messages from this sender.'
        ),
        (
            'TEXT_BLOCKED', 'OPTED_OUT', true,
            'Refused because the number opted out. End User Messaging documents no event type of its own for this; '
            || 'any record whose messageStatus is OPTED_OUT is read as Pinpoint''s opt-out event.'
        ),
        (
            'TEXT_TTL_EXPIRED', 'TTL_EXPIRED', true,
            'Not delivered before the message''s time to live ran out.'
        ),
        (
            'TEXT_CARRIER_UNREACHABLE', 'CARRIER_UNREACHABLE', true,
            'A temporary error on the recipient carrier''s network.'
        ),
        (
            'TEXT_INVALID', 'INVALID', true,
            'The destination number is not valid.'
        ),
        (
            'TEXT_INVALID_MESSAGE', 'INVALID_MESSAGE', true,
            'The message body is not valid and could not be sent.'
        ),
        (
            'TEXT_CARRIER_BLOCKED', 'CARRIER_BLOCKED', true,
            'The recipient''s carrier refused the message (malicious or abusive content, or missing registration).'
        ),
        (
            'TEXT_UNREACHABLE', 'UNREACHABLE', true,
            'The handset is switched off or not connected to the network.'
        ),
        (
            'TEXT_SPAM', 'SPAM', true,
            'The carrier filtered the message as unsolicited commercial content.'
        ),
        (
            'TEXT_UNKNOWN', 'UNKNOWN', true,
            'Not delivered for a reason no other type covers, or no final receipt came within 72 hours; counted as not delivered.'
        ),
        (
            'TEXT_PROTECT_BLOCKED', 'PROTECT_BLOCKED', true,
            'Blocked by the account''s protect configuration.'
        )
    ) as combinations (native_event_type, message_status, is_final, meaning)  -- noqa: AL05

),

final as (

    select
        cast(native_event_type as varchar) as native_event_type,
        cast(message_status as varchar) as message_status,
        is_final,
        cast({{ sms_pinpoint_event_type('native_event_type', 'message_status', 'is_final') }} as varchar)
            as pinpoint_event_type,
        cast(meaning as varchar) as meaning
    from combinations

)

select * from final
