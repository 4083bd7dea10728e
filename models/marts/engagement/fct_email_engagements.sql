{#-
    One row per email open or click (every stream; the event's event_id), classified as a person or
    a machine. The rules, in the order the first match names machine_reason (docs/marts.md has the
    public source of each):
      1. user agent on the seed email_machine_user_agents (Apple MPP's bare `Mozilla/5.0` on opens,
         exact match; scanners and HTTP libraries on opens and clicks, case-insensitive substring);
      2. IP address in a CIDR block of the seed email_proxy_ip_ranges (Apple's 17.0.0.0/8, opens);
      3. an open within `machine_open_max_seconds_after_delivery` of the same recipient's delivery
         (prefetch at delivery), or earlier than the delivery;
      4. a click within `machine_click_max_seconds_after_delivery` of the delivery (link scanner);
      5. a click in a burst: every distinct link the recipient clicked in the message (at least
         `machine_click_burst_min_links`) first clicked within `machine_click_burst_seconds` of the
         first click; the clicks inside that window are machine.
    The recipient is the message's first destination address (lower-cased): opens and clicks do
    not say which recipient of a multi-recipient message engaged. Its delivery time is the earliest
    delivery notice naming that recipient, else the message's earliest delivery.
    Incremental as fct_email_messages: the rules look at other events of the message, so a run finds
    the messages with an event ingested since this table's newest ingest hour minus
    `incremental_lookback_hours`, and reclassifies every open and click of those messages. A change to
    the rules (the seeds or the vars above) needs `dbt build --full-refresh` to reach older rows.
-#}
{{ config(**marts_incremental_config(unique_key='event_id', time_column='engaged_at')) }}

{%- set open_ms = (var('machine_open_max_seconds_after_delivery', 10) | float * 1000) | int %}
{%- set click_ms = (var('machine_click_max_seconds_after_delivery', 10) | float * 1000) | int %}
{%- set burst_ms = (var('machine_click_burst_seconds', 1) | float * 1000) | int %}
{%- set burst_min_links = var('machine_click_burst_min_links', 2) | int %}

with email_events as (

    select * from {{ ref('int_events') }}
    where
        event_type in ('_email.open', '_email.click', '_email.delivered')
        and message_id is not null

),

machine_user_agents as (

    select * from {{ ref('email_machine_user_agents') }}

),

proxy_ip_ranges as (

    select * from {{ ref('email_proxy_ip_ranges') }}

),

message_events as (

    select email_events.*
    from email_events
    {% if is_incremental() %}
        where {{ in_changed_groups('email_events', 'message_id', 'ingest_timestamp', 'ingest_timestamp', ref('int_events')) }}
    {% endif %}

),

engagement_events as (

    select * from message_events
    where message_events.event_type in ('_email.open', '_email.click')

),

delivery_events as (

    select * from message_events
    where message_events.event_type = '_email.delivered'

),

engagements as (

    select
        event_id,
        source_system,
        message_id,
        {{ normalized_email(array_first('destination')) }} as recipient_address,
        case event_type when '_email.open' then 'open' else 'click' end as engagement_type,
        arrival_timestamp as engaged_at,
        message_send_timestamp as sent_at,
        from_address,
        subject,
        pinpoint_campaign_id,
        pinpoint_treatment_id,
        journey_id,
        endpoint_id,
        user_agent,
        ip_address,
        {{ ipv4_to_bigint('ip_address') }} as ip_number,
        link,
        ingest_timestamp
    from engagement_events

),

ip_ranges as (

    select
        cidr,
        engagement_type,
        machine_reason,
        {{ ipv4_to_bigint("split_part(cidr, '/', 1)") }} as first_ip_number,
        {{ ipv4_cidr_last_bigint('cidr') }} as last_ip_number
    from proxy_ip_ranges

),

recipient_deliveries as (

    select
        delivery_events.message_id,
        {{ normalized_email('recipient.recipient_address') }} as recipient_address,
        min(delivery_events.arrival_timestamp) as delivered_at
    from delivery_events
    cross join unnest(delivery_events.recipients) as recipient (recipient_address)
    group by delivery_events.message_id, {{ normalized_email('recipient.recipient_address') }}

),

message_deliveries as (

    select
        message_id,
        min(arrival_timestamp) as delivered_at
    from delivery_events
    group by message_id

),

timed as (

    select
        engagements.*,
        coalesce(recipient_deliveries.delivered_at, message_deliveries.delivered_at) as delivered_at
    from engagements
    left join recipient_deliveries
        on
            engagements.message_id = recipient_deliveries.message_id
            and engagements.recipient_address = recipient_deliveries.recipient_address
    left join message_deliveries
        on engagements.message_id = message_deliveries.message_id

),

user_agents as (

    {#- The rules match on the user agent and the engagement type alone, so each distinct pair is
        matched once (a few hundred pairs, not every open and click against every pattern). -#}
    select distinct
        engagement_type,
        user_agent
    from engagements
    where user_agent is not null

),

user_agent_matches as (

    select
        user_agents.engagement_type,
        user_agents.user_agent,
        machine_user_agents.machine_reason,
        row_number() over (
            partition by user_agents.engagement_type, user_agents.user_agent
            order by
                case machine_user_agents.match_type when 'exact' then 0 else 1 end,
                machine_user_agents.user_agent_pattern
        ) as match_rank
    from user_agents
    inner join machine_user_agents
        on
            machine_user_agents.engagement_type in ('any', user_agents.engagement_type)
            and (
                (
                    machine_user_agents.match_type = 'exact'
                    and user_agents.user_agent = machine_user_agents.user_agent_pattern
                )
                or (
                    machine_user_agents.match_type = 'contains'
                    and strpos(lower(user_agents.user_agent), lower(machine_user_agents.user_agent_pattern)) > 0
                )
            )

),

ip_matches as (

    select
        engagements.event_id,
        ip_ranges.machine_reason,
        row_number() over (
            partition by engagements.event_id
            order by ip_ranges.first_ip_number desc, ip_ranges.cidr asc
        ) as match_rank
    from engagements
    inner join ip_ranges
        on
            ip_ranges.engagement_type in ('any', engagements.engagement_type)
            and engagements.ip_number between ip_ranges.first_ip_number and ip_ranges.last_ip_number

),

clicked_links as (

    select
        message_id,
        coalesce(recipient_address, '') as recipient_key,
        link,
        min(engaged_at) as first_clicked_at
    from engagements
    where
        engagement_type = 'click'
        and link is not null
    group by message_id, coalesce(recipient_address, ''), link

),

click_bursts as (

    {#- Messages whose every clicked link was first clicked within the burst window. -#}
    select
        message_id,
        recipient_key,
        min(first_clicked_at) as burst_started_at
    from clicked_links
    group by message_id, recipient_key
    having
        count(*) >= {{ burst_min_links }}
        and {{ milliseconds_between('min(first_clicked_at)', 'max(first_clicked_at)') }} <= {{ burst_ms }}

),

classified as (

    select
        timed.*,
        {{ seconds_between('timed.delivered_at', 'timed.engaged_at') }} as seconds_after_delivery,
        case
            when user_agent_matches.machine_reason is not null then user_agent_matches.machine_reason
            when ip_matches.machine_reason is not null then ip_matches.machine_reason
            when
                timed.engagement_type = 'open'
                and {{ milliseconds_between('timed.delivered_at', 'timed.engaged_at') }} <= {{ open_ms }}
                then 'open_at_delivery'
            when
                timed.engagement_type = 'click'
                and {{ milliseconds_between('timed.delivered_at', 'timed.engaged_at') }} <= {{ click_ms }}
                then 'click_at_delivery'
            when
                timed.engagement_type = 'click'
                and click_bursts.message_id is not null
                and {{ milliseconds_between('click_bursts.burst_started_at', 'timed.engaged_at') }}
                between 0 and {{ burst_ms }}
                then 'all_links_clicked_at_once'
        end as machine_reason
    from timed
    left join user_agent_matches
        on
            timed.engagement_type = user_agent_matches.engagement_type
            and timed.user_agent = user_agent_matches.user_agent
            and user_agent_matches.match_rank = 1
    left join ip_matches
        on
            timed.event_id = ip_matches.event_id
            and ip_matches.match_rank = 1
    left join click_bursts
        on
            timed.message_id = click_bursts.message_id
            and coalesce(timed.recipient_address, '') = click_bursts.recipient_key

),

final as (

    select
        event_id,
        message_id,
        recipient_address,
        engagement_type,
        engaged_at,
        sent_at,
        delivered_at,
        seconds_after_delivery,
        machine_reason is not null as is_machine,
        machine_reason,
        user_agent,
        ip_address,
        link,
        from_address,
        subject,
        pinpoint_campaign_id,
        pinpoint_treatment_id,
        journey_id,
        endpoint_id,
        source_system,
        ingest_timestamp
    from classified

)

select * from final
