{#- Email engagement per subject line over all loaded history, from the sent messages of
    fct_email_messages (rates = distinct engaged messages / distinct sent messages), with the conversions and revenue
    fct_conversions attributes to those messages. -#}
{{ config(materialized='table') }}

with sent as (

    select * from {{ ref('fct_email_messages') }}
    where is_sent

),

conversions as (

    select * from {{ ref('fct_conversions') }}
    where
        is_attributed
        and channel = 'email'

),

message_revenue as (

    select
        message_id,
        count(*) as attributed_conversions,
        sum(conversion_value) as attributed_revenue
    from conversions
    group by message_id

),

with_revenue as (

    select
        sent.*,
        coalesce(message_revenue.attributed_conversions, 0) as attributed_conversions,
        coalesce(message_revenue.attributed_revenue, 0) as attributed_revenue
    from sent
    left join message_revenue
        on sent.message_id = message_revenue.message_id

),

final as (

    select
        subject,
        {{ email_engagement_measures() }},
        cast(sum(attributed_conversions) as bigint) as attributed_conversions,
        sum(attributed_revenue) as attributed_revenue
    from with_revenue
    group by subject

)

select * from final
