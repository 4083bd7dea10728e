-- Appendix B, "Transactional email count by Amazon SES tag or Amazon Pinpoint context": number of
-- email sends whose tags hold a given value for a key, over the last 30 days (ingest hours).
-- Key: var analysis_tag_key (default mycustomerid); value: var analysis_tag_value (default '4').
-- Rewritten against the email_send view (one row per send event, re-deliveries removed). The map
-- lookup goes through map_get: Athena's m['key'] fails on rows without the key.
-- The window counts back from var analysis_as_of (default: now, UTC).
{%- set tag_key = var('analysis_tag_key', 'mycustomerid') %}
{%- set tag_value = var('analysis_tag_value', '4') %}

with sends as (

    select * from {{ ref('email_send') }}
    where
        {{ map_get('message_tags', "'" ~ tag_key ~ "'") }} = '{{ tag_value }}'
        and ingest_timestamp > {{ analysis_as_of() }} - interval '30' day

),

final as (

    select count(*) as sends
    from sends

)

select * from final
