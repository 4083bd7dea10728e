-- The "original way" for scripts/athena_bill.py, in Trino SQL: the same views and Appendix B questions as
-- scripts/benchmark_original_views.sql (same section names, so the questions line up with analyses/ by
-- name), written as the original solution wrote them for Athena: over the one raw Hive table of Pinpoint
-- events, nothing deduplicated or stored, every question reading the raw files again.
--
-- Sections start with "-- view: <name>" (created once, in order, in the schema the script connects to) or
-- "-- question: <name>". ${...} placeholders are filled by the script: raw_table (the raw Pinpoint table,
-- catalog.schema.all_events, as dbt registered it), as_of (a timestamp literal standing in for
-- current_timestamp), address, tag_value, tenure_months and min_sends. A literal $ is written $$.
-- Differences from the DuckDB file, all Trino's (and Athena engine v3's) own SQL:
--   from_unixtime(ms / 1000), bigint division: the original's whole-second truncation;
--   element_at(map, key) instead of map[key]: on Trino a subscript of a missing key is an error, and
--     transactional sends carry no campaign_id;
--   contains(array, x); json_parse(...) cast to a map;
--   unnest of an array of rows yields one column per field, so the bounce and complaint views name them;
--   ingest_timestamp: the partition key is a varchar 'YYYY/MM/DD/HH' (Trino's partition projection
--     refuses a timestamp key), parsed back into the timestamp the original's Glue table declared.

-- view: all_events
create or replace view all_events as
select
    event_type, event_timestamp, arrival_timestamp, event_version, application, client, device, session,
    attributes, client_context, awsaccountid, facets, metrics,
    date_parse(ingest_timestamp, '%Y/%m/%d/%H') as ingest_timestamp
from ${raw_table};

-- view: campaign_send
create or replace view campaign_send as
select
    from_unixtime(event_timestamp / 1000) as event_timestamp,
    from_unixtime(arrival_timestamp / 1000) as arrival_timestamp,
    application.app_id as application_id,
    client.client_id as endpoint_id,
    element_at(attributes, 'campaign_id') as pinpoint_campaign_id,
    element_at(attributes, 'treatment_id') as pinpoint_treatment_id,
    awsaccountid as aws_account_id,
    client_context.custom as message_tags,
    ingest_timestamp
from all_events
where event_type = '_campaign.send';

-- view: email_send
create or replace view email_send as
select
    from_unixtime(event_timestamp / 1000) as event_timestamp,
    from_unixtime(arrival_timestamp / 1000) as arrival_timestamp,
    application.app_id as application_id,
    client.client_id as endpoint_id,
    element_at(attributes, 'campaign_id') as pinpoint_campaign_id,
    element_at(attributes, 'treatment_id') as pinpoint_treatment_id,
    awsaccountid as aws_account_id,
    facets.email_channel.mail_event.mail.message_id as message_id,
    from_unixtime(facets.email_channel.mail_event.mail.message_send_timestamp / 1000) as message_send_timestamp,
    facets.email_channel.mail_event.mail.from_address as from_address,
    facets.email_channel.mail_event.mail.destination as destination,
    facets.email_channel.mail_event.mail.common_headers.subject as subject,
    client_context.custom as message_tags,
    ingest_timestamp
from all_events
where event_type = '_email.send';

-- view: email_delivered
create or replace view email_delivered as
select
    from_unixtime(event_timestamp / 1000) as event_timestamp,
    from_unixtime(arrival_timestamp / 1000) as arrival_timestamp,
    application.app_id as application_id,
    client.client_id as endpoint_id,
    element_at(attributes, 'campaign_id') as pinpoint_campaign_id,
    element_at(attributes, 'treatment_id') as pinpoint_treatment_id,
    awsaccountid as aws_account_id,
    facets.email_channel.mail_event.mail.message_id as message_id,
    from_unixtime(facets.email_channel.mail_event.mail.message_send_timestamp / 1000) as message_send_timestamp,
    facets.email_channel.mail_event.mail.from_address as from_address,
    facets.email_channel.mail_event.mail.destination as destination,
    facets.email_channel.mail_event.mail.common_headers.subject as subject,
    facets.email_channel.mail_event.delivery.smtp_response as smtp_response,
    facets.email_channel.mail_event.delivery.reporting_mta as reporting_mta,
    facets.email_channel.mail_event.delivery.recipients as recipients,
    facets.email_channel.mail_event.delivery.processing_time_millis as processing_time_millis,
    client_context.custom as message_tags,
    ingest_timestamp
from all_events
where event_type = '_email.delivered';

-- view: email_open
create or replace view email_open as
select
    from_unixtime(event_timestamp / 1000) as event_timestamp,
    from_unixtime(arrival_timestamp / 1000) as arrival_timestamp,
    application.app_id as application_id,
    client.client_id as endpoint_id,
    element_at(attributes, 'campaign_id') as pinpoint_campaign_id,
    element_at(attributes, 'treatment_id') as pinpoint_treatment_id,
    awsaccountid as aws_account_id,
    facets.email_channel.mail_event.mail.message_id as message_id,
    from_unixtime(facets.email_channel.mail_event.mail.message_send_timestamp / 1000) as message_send_timestamp,
    facets.email_channel.mail_event.mail.from_address as from_address,
    facets.email_channel.mail_event.mail.destination as destination,
    facets.email_channel.mail_event.mail.common_headers.subject as subject,
    facets.email_channel.mail_event.open.ip_address as ip_address,
    facets.email_channel.mail_event.open.user_agent as user_agent,
    client_context.custom as message_tags,
    ingest_timestamp
from all_events
where event_type = '_email.open';

-- view: email_click
create or replace view email_click as
select
    from_unixtime(event_timestamp / 1000) as event_timestamp,
    from_unixtime(arrival_timestamp / 1000) as arrival_timestamp,
    application.app_id as application_id,
    client.client_id as endpoint_id,
    element_at(attributes, 'campaign_id') as pinpoint_campaign_id,
    element_at(attributes, 'treatment_id') as pinpoint_treatment_id,
    awsaccountid as aws_account_id,
    facets.email_channel.mail_event.mail.message_id as message_id,
    from_unixtime(facets.email_channel.mail_event.mail.message_send_timestamp / 1000) as message_send_timestamp,
    facets.email_channel.mail_event.mail.from_address as from_address,
    facets.email_channel.mail_event.mail.destination as destination,
    facets.email_channel.mail_event.mail.common_headers.subject as subject,
    facets.email_channel.mail_event.click.ip_address as ip_address,
    facets.email_channel.mail_event.click.user_agent as user_agent,
    facets.email_channel.mail_event.click.link as link,
    client_context.custom as message_tags,
    ingest_timestamp
from all_events
where event_type = '_email.click';

-- view: email_unsubscribe
create or replace view email_unsubscribe as
select
    from_unixtime(event_timestamp / 1000) as event_timestamp,
    from_unixtime(arrival_timestamp / 1000) as arrival_timestamp,
    application.app_id as application_id,
    client.client_id as endpoint_id,
    element_at(attributes, 'campaign_id') as pinpoint_campaign_id,
    element_at(attributes, 'treatment_id') as pinpoint_treatment_id,
    awsaccountid as aws_account_id,
    facets.email_channel.mail_event.mail.message_id as message_id,
    from_unixtime(facets.email_channel.mail_event.mail.message_send_timestamp / 1000) as message_send_timestamp,
    facets.email_channel.mail_event.mail.from_address as from_address,
    facets.email_channel.mail_event.mail.destination as destination,
    facets.email_channel.mail_event.mail.common_headers.subject as subject,
    facets.email_channel.mail_event.click.ip_address as ip_address,
    facets.email_channel.mail_event.click.user_agent as user_agent,
    facets.email_channel.mail_event.click.link as link,
    client_context.custom as message_tags,
    ingest_timestamp
from all_events
where event_type = '_email.unsubscribe';

-- view: email_hardbounce
create or replace view email_hardbounce as
select
    from_unixtime(event_timestamp / 1000) as event_timestamp,
    from_unixtime(arrival_timestamp / 1000) as arrival_timestamp,
    application.app_id as application_id,
    client.client_id as endpoint_id,
    element_at(attributes, 'campaign_id') as pinpoint_campaign_id,
    element_at(attributes, 'treatment_id') as pinpoint_treatment_id,
    awsaccountid as aws_account_id,
    facets.email_channel.mail_event.mail.message_id as message_id,
    from_unixtime(facets.email_channel.mail_event.mail.message_send_timestamp / 1000) as message_send_timestamp,
    facets.email_channel.mail_event.mail.from_address as from_address,
    facets.email_channel.mail_event.mail.destination as destination,
    facets.email_channel.mail_event.mail.common_headers.subject as subject,
    facets.email_channel.mail_event.bounce.bounce_type as bounce_type,
    facets.email_channel.mail_event.bounce.bounce_sub_type as bounce_sub_type,
    facets.email_channel.mail_event.bounce.feedback_id as feedback_id,
    facets.email_channel.mail_event.bounce.reporting_mta as reporting_mta,
    bounced.email_address as bounced_recipient_email_address,
    bounced.action as bounced_recipient_action,
    bounced.status as bounced_recipient_status,
    bounced.diagnostic_code as bounced_recipient_diagnostic_code,
    client_context.custom as message_tags,
    ingest_timestamp
from all_events
cross join unnest(facets.email_channel.mail_event.bounce.bounced_recipients) as bounced (email_address, action, status, diagnostic_code)
where event_type = '_email.hardbounce';

-- view: email_softbounce
create or replace view email_softbounce as
select
    from_unixtime(event_timestamp / 1000) as event_timestamp,
    from_unixtime(arrival_timestamp / 1000) as arrival_timestamp,
    application.app_id as application_id,
    client.client_id as endpoint_id,
    element_at(attributes, 'campaign_id') as pinpoint_campaign_id,
    element_at(attributes, 'treatment_id') as pinpoint_treatment_id,
    awsaccountid as aws_account_id,
    facets.email_channel.mail_event.mail.message_id as message_id,
    from_unixtime(facets.email_channel.mail_event.mail.message_send_timestamp / 1000) as message_send_timestamp,
    facets.email_channel.mail_event.mail.from_address as from_address,
    facets.email_channel.mail_event.mail.destination as destination,
    facets.email_channel.mail_event.mail.common_headers.subject as subject,
    facets.email_channel.mail_event.bounce.bounce_type as bounce_type,
    facets.email_channel.mail_event.bounce.bounce_sub_type as bounce_sub_type,
    facets.email_channel.mail_event.bounce.feedback_id as feedback_id,
    facets.email_channel.mail_event.bounce.reporting_mta as reporting_mta,
    bounced.email_address as bounced_recipient_email_address,
    bounced.action as bounced_recipient_action,
    bounced.status as bounced_recipient_status,
    bounced.diagnostic_code as bounced_recipient_diagnostic_code,
    client_context.custom as message_tags,
    ingest_timestamp
from all_events
cross join unnest(facets.email_channel.mail_event.bounce.bounced_recipients) as bounced (email_address, action, status, diagnostic_code)
where event_type = '_email.softbounce';

-- view: email_complaint
create or replace view email_complaint as
select
    from_unixtime(event_timestamp / 1000) as event_timestamp,
    from_unixtime(arrival_timestamp / 1000) as arrival_timestamp,
    application.app_id as application_id,
    client.client_id as endpoint_id,
    element_at(attributes, 'campaign_id') as pinpoint_campaign_id,
    element_at(attributes, 'treatment_id') as pinpoint_treatment_id,
    awsaccountid as aws_account_id,
    facets.email_channel.mail_event.mail.message_id as message_id,
    from_unixtime(facets.email_channel.mail_event.mail.message_send_timestamp / 1000) as message_send_timestamp,
    facets.email_channel.mail_event.mail.from_address as from_address,
    facets.email_channel.mail_event.mail.destination as destination,
    facets.email_channel.mail_event.mail.common_headers.subject as subject,
    facets.email_channel.mail_event.complaint.complaint_feedback_type as complaint_feedback_type,
    facets.email_channel.mail_event.complaint.feedback_id as feedback_id,
    facets.email_channel.mail_event.complaint.user_agent as user_agent,
    complained.email_address as complained_recipient_email_address,
    client_context.custom as message_tags,
    ingest_timestamp
from all_events
cross join unnest(facets.email_channel.mail_event.complaint.complained_recipients) as complained (email_address)
where event_type = '_email.complaint';

-- view: sms_buffered
create or replace view sms_buffered as
select
    from_unixtime(event_timestamp / 1000) as event_timestamp,
    from_unixtime(arrival_timestamp / 1000) as arrival_timestamp,
    application.app_id as application_id,
    client.client_id as endpoint_id,
    element_at(attributes, 'campaign_id') as pinpoint_campaign_id,
    element_at(attributes, 'treatment_id') as pinpoint_treatment_id,
    awsaccountid as aws_account_id,
    element_at(attributes, 'sender_request_id') as sender_request_id,
    element_at(attributes, 'destination_phone_number') as destination_phone_number,
    element_at(attributes, 'record_status') as record_status,
    element_at(attributes, 'iso_country_code') as iso_country_code,
    element_at(attributes, 'number_of_message_parts') as number_of_message_parts,
    element_at(attributes, 'message_id') as message_id,
    element_at(attributes, 'message_type') as message_type,
    metrics.price_in_millicents_usd as price_in_millicents_usd,
    try_cast(try(json_parse(element_at(attributes, 'customer_context'))) as map(varchar, varchar)) as message_tags,
    ingest_timestamp
from all_events
where event_type = '_SMS.BUFFERED';

-- question: sms_cost_analysis
select
    coalesce(pinpoint_campaign_id, 'No Campaign') as campaign,
    sum(price_in_millicents_usd) as cost_in_millicents,
    count(*) as sends
from sms_buffered
where ingest_timestamp > ${as_of} - interval '30' day
group by pinpoint_campaign_id;

-- question: sms_cost_by_context_parameter
select sum(price_in_millicents_usd) from sms_buffered
where
    element_at(message_tags, 'mycustomerid') = '${tag_value}'
    and ingest_timestamp > ${as_of} - interval '30' day;

-- question: subject_lines_sent_to_address
select
    a.event_timestamp as whensent,
    a.subject as emailsubject,
    case when b.event_timestamp is null then 0 else 1 end as didopen
from email_send as a
left join email_open as b
    on a.message_id = b.message_id
where
    contains(a.destination, '${address}')
    and a.ingest_timestamp > ${as_of} - interval '30' day
order by a.event_timestamp desc;

-- question: engagement_by_subject
select
    subject,
    count(*) as sends,
    (select count(*) from email_open where email_open.subject = email_send.subject
        and ingest_timestamp > ${as_of} - interval '30' day) as numopens,
    (select count(*) from email_click where email_click.subject = email_send.subject
        and ingest_timestamp > ${as_of} - interval '30' day) as numclicks,
    (select count(*) from email_unsubscribe where email_unsubscribe.subject = email_send.subject
        and ingest_timestamp > ${as_of} - interval '30' day) as numunsubs
from email_send
where ingest_timestamp > ${as_of} - interval '30' day
group by subject
order by count(*) desc;

-- question: transactional_email_count_by_tag
select count(*) from email_send
where
    element_at(message_tags, 'mycustomerid') = '${tag_value}'
    and ingest_timestamp > ${as_of} - interval '30' day;

-- question: address_engagement_analysis
with dataset as (
    select
        a.destination,
        count(a.arrival_timestamp) as num_sends,
        max(b.arrival_timestamp) as max_delivered_timestamp,
        min(b.arrival_timestamp) as min_delivered_timestamp,
        max(c.arrival_timestamp) as max_open_timestamp,
        max(d.arrival_timestamp) as max_click_timestamp
    from email_send as a
    left join email_delivered as b on a.message_id = b.message_id
    left join email_open as c on a.message_id = c.message_id
    left join email_click as d on a.message_id = d.message_id
    where a.ingest_timestamp > ${as_of} - interval '6' month
    group by a.destination
)

select
    to_address,
    num_sends,
    max_delivered_timestamp,
    min_delivered_timestamp,
    greatest(max_open_timestamp, max_click_timestamp) as last_engagement
from dataset
cross join unnest(destination) as t (to_address)
where
    min_delivered_timestamp < ${as_of} - interval '${tenure_months}' month
    and num_sends > ${min_sends};

-- question: campaign_engagement_analysis
select
    pinpoint_campaign_id,
    (select count(*) from email_send
        where email_send.pinpoint_campaign_id = campaign_send.pinpoint_campaign_id) as numsends,
    (select count(*) from email_open
        where email_open.pinpoint_campaign_id = campaign_send.pinpoint_campaign_id) as numopens,
    (select count(*) from email_click
        where email_click.pinpoint_campaign_id = campaign_send.pinpoint_campaign_id) as numclicks,
    (select count(*) from email_hardbounce
        where email_hardbounce.pinpoint_campaign_id = campaign_send.pinpoint_campaign_id) as numhardbounces,
    (select count(*) from email_softbounce
        where email_softbounce.pinpoint_campaign_id = campaign_send.pinpoint_campaign_id) as numsoftbounces,
    (select count(*) from email_unsubscribe
        where email_unsubscribe.pinpoint_campaign_id = campaign_send.pinpoint_campaign_id) as numunsubs
from campaign_send
where ingest_timestamp > ${as_of} - interval '30' day
group by pinpoint_campaign_id;

-- question: bounce_complaint_monitoring
select
    date_trunc('hour', a.ingest_timestamp) as time_window,
    count(a.message_id) as total_sends,
    count(b.message_id) as total_hardbounces,
    count(c.message_id) as total_complaints,
    cast(count(b.message_id) as double) / cast(count(a.message_id) as double) as bounce_rate,
    cast(count(c.message_id) as double) / cast(count(a.message_id) as double) as complaint_rate
from email_send as a
left join email_hardbounce as b on a.message_id = b.message_id
left join email_complaint as c on a.message_id = c.message_id
where a.ingest_timestamp > ${as_of} - interval '30' day
group by 1
order by 1 desc;

-- question: open_click_unsub_monitoring
select
    date_trunc('hour', a.ingest_timestamp) as time_window,
    count(a.message_id) as total_sends,
    count(b.message_id) as total_opens,
    count(c.message_id) as total_clicks,
    count(d.message_id) as total_unsubs,
    cast(count(b.message_id) as double) / cast(count(a.message_id) as double) as open_rate,
    cast(count(c.message_id) as double) / cast(count(a.message_id) as double) as click_rate,
    cast(count(d.message_id) as double) / cast(count(a.message_id) as double) as unsub_rate
from email_send as a
left join email_open as b on a.message_id = b.message_id
left join email_click as c on a.message_id = c.message_id
left join email_unsubscribe as d on a.message_id = d.message_id
where a.ingest_timestamp > ${as_of} - interval '30' day
group by 1
order by 1 desc;
